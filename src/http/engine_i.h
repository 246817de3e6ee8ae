/* Internal to the http layer: the engine and what one attempt carries. */
#ifndef OSSLIVEFS_HTTP_ENGINE_I_H
#define OSSLIVEFS_HTTP_ENGINE_I_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include <curl/curl.h>

#include "http/req.h"
#include "http/sign.h"

#define POOL_MAX 16                          /* idle easy handles kept */

struct req_engine {
	char *scheme;           /* "http" or "https" */
	char *host;             /* "oss-cn-hangzhou.aliyuncs.com", "127.0.0.1:PORT" */
	char *bucket;
	char *region;           /* bare: "cn-hangzhou" */
	bool path_style;
	bool sigv1;
	const struct creds *creds;
	int retries;
	long connect_timeout;
	long timeout;
	char *cafile;           /* NULL: the system's CAs only */

	CURLSH *share;
	pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL *pool[POOL_MAX];
	size_t npool;
};

/* engine.c: the handle pool. */
CURL *pool_get(struct req_engine *e);
void pool_put(struct req_engine *e, CURL *c);

/* url.c: the endpoint (url=, region=, bucket) and each request's URL. */
bool url_host_is_ip(const char *hostname);
bool url_bucket_ok(const char *b);
int url_find_region(const char *cfg_region, const char *hostname,
		    char **out, char *msg, size_t msglen);
int url_parse(struct req_engine *e, const char *url, char **hostname,
	      char *msg, size_t msglen);
/* The parameters that go on the wire and into the signature. */
int url_filter_query(const struct req *r, struct http_kv **out, size_t *n);
int url_build(const struct req_engine *e, const char *key,
	      const struct http_kv *q, size_t nq, char **url);

/* headers.c: what one attempt sends, signed. */
struct attempt_headers {
	struct http_kv *kv;          /* every header sent, for the signature */
	size_t n;
	char date[30];
	char isodate[17];
	char *authorization;
	struct curl_slist *list;
};

int headers_prepare(const struct req_engine *e, const struct req *r,
		    const struct http_kv *q, size_t nq,
		    struct attempt_headers *h);
void headers_free(struct attempt_headers *h);

/* response.c: what one attempt receives. */
struct xfer {
	CURL *curl;
	struct req_resp *resp;
	size_t max_body;
	size_t alloc;
	bool too_large;
	char *recv_buf;         /* the caller's buffer for a 2xx body */
	size_t recv_cap;
};

size_t response_write_cb(char *data, size_t size, size_t nmemb, void *userp);
/* After the transfer: the headers into resp, and for a failure the OSS
 * error (body, else the x-oss-err header of a HEAD) into resp->err. */
void response_headers(struct xfer *x);
void response_fill_error(struct xfer *x, long status);

#endif
