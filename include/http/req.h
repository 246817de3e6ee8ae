/* The request engine: URLs, signing, a pool of curl handles, retries,
 * OSS error bodies.  The only layer that talks to libcurl. */
#ifndef OSSLIVEFS_REQ_H
#define OSSLIVEFS_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "util/creds.h"
#include "http/kv.h"
#include "http/osserr.h"

struct req_config {
	const char *url;         /* "https://oss-cn-hangzhou.aliyuncs.com", "http://127.0.0.1:PORT" */
	const char *bucket;
	const char *region;      /* bare or with "oss-"; NULL: taken from an oss-<region> host */
	bool path_style;         /* forced; automatic for an IP host */
	bool sigv1;
	const struct creds *creds;
	int retries;             /* for 5xx, 429 and network errors only */
	long connect_timeout;    /* seconds */
	long timeout;            /* seconds, whole request */
	const char *cafile;      /* PEM CAs to trust besides the system's; NULL: none */
};

struct req_engine;

/* Validates the config (region known, URL parseable): -EINVAL with msg. */
int req_engine_new(const struct req_config *cfg, struct req_engine **out,
		   char *msg, size_t msglen);
void req_engine_free(struct req_engine *e);

/* The effective bare region, the URL host ("oss-cn-hangzhou.aliyuncs.com"
 * or "127.0.0.1:PORT") and whether path style is used. */
const char *req_engine_region(const struct req_engine *e);
const char *req_engine_host(const struct req_engine *e);
bool req_engine_path_style(const struct req_engine *e);


struct req {
	const char *method;
	const char *key;                 /* raw object key (channel name, "ch/x.ts"); NULL: bucket */
	const struct http_kv *query;
	size_t nquery;
	const struct http_kv *headers;    /* Content-Type, Range, ... */
	size_t nheaders;
	const char *body;
	size_t body_len;
	size_t max_response;             /* bytes of body accepted; 0: 4 MiB */
	/* When set, curl writes a 2xx body straight into this caller's
	 * buffer (resp->body stays NULL, resp->body_len counts the bytes):
	 * no copy of it in between.  A longer body fails the request
	 * (ResponseTooLarge). */
	char *recv_buf;
	size_t recv_cap;
};

struct req_resp {
	long status;
	char *body;              /* malloc'd, NUL-terminated, may be NULL when empty */
	size_t body_len;
	char etag[80];
	char last_modified[64];  /* as the header gave it */
	time_t mtime;            /* Last-Modified read by curl_getdate; -1 when absent */
	char content_range[128];
	long long content_length;    /* -1 when absent */
	struct oss_error err;    /* filled for every failure */
};

/*
 * Send one signed request, retrying 5xx/429/network failures with
 * exponential backoff.  Returns 0 for a 2xx answer, else a negative errno
 * from oss_errno() with resp->err filled.  resp is always to be freed.
 */
int req_perform(struct req_engine *e, const struct req *r, struct req_resp *resp);
void req_resp_free(struct req_resp *resp);

/* The OSS operation r is ("GetLiveChannelStat", "ListObjects", ...;
 * "Other"), named as the API reference and the emulator's /-/stats. */
const char *req_op_name(const struct req *r);

/* The versions of libcurl, OpenSSL and libxml2 loaded at run time
 * (static strings), for --version. */
void req_library_versions(const char **curl, const char **openssl,
			  const char **libxml2);

/* The signed RTMP publish URL of a channel, valid for expires_in seconds:
 * base (the unsigned PublishUrl OSS returned for the channel; when NULL or
 * empty, rtmp://<bucket>.<host>/live/<ch>) with
 * ?OSSAccessKeyId=..&Expires=..&Signature=..[&playlistName=..] appended. */
int req_rtmp_url(struct req_engine *e, const char *base, const char *channel,
		 const char *playlist, long expires_in, char **url);

#endif
