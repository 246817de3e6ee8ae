/*
 * The request engine (design §3, layer 3): URLs, signing, a pool of curl
 * handles sharing one connection cache, retries with backoff, OSS error
 * bodies.  The only file that talks to libcurl.
 *
 * Threads: an engine is shared by all FUSE threads.  Each request takes an
 * easy handle from a small free list; every handle is attached to one
 * CURLSH that shares the DNS cache, the connection cache and TLS sessions,
 * so a kept-alive connection opened by one thread is reused by the next.
 *
 * Lifetimes: the engine keeps cfg->creds by pointer (it must outlive the
 * engine) and copies everything else.  curl_global_init runs with the
 * first live engine and curl_global_cleanup with the last req_engine_free.
 *
 * Query values: NULL sends a bare sub-resource ("?live"); "" drops the
 * parameter (servers sign "prefix=" differently, spec §8.5).
 *
 * Retries: 5xx, 429 and network failures only, re-signed each time, after
 * 100, 200, 400 ... ms (at most 3.2 s).
 *
 * libcurl honours the usual http_proxy/https_proxy/no_proxy variables.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "log.h"
#include "req.h"
#include "sign.h"

#define DEFAULT_MAX_RESPONSE ((size_t)4 << 20)
#define MAX_ERROR_XML ((size_t)64 << 10)     /* error bodies parsed at most */
#define MAX_ERR_HEADER ((size_t)8 << 10)     /* x-oss-err header kept at most */
#define POOL_MAX 16                          /* idle easy handles kept */
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 3200

#ifndef OSSLIVEFS_VERSION
#define OSSLIVEFS_VERSION "dev"
#endif

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

	CURLSH *share;
	pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL *pool[POOL_MAX];
	size_t npool;
};

/* ---- process-wide initialisation ------------------------------------ */

/*
 * curl_global_init/cleanup are paired by a count of live engines, so the
 * last req_engine_free releases everything curl holds (ASan sees no leak).
 */
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned global_users;
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	/* libxml2 wants this once before parsing from several threads. */
	xmlInitParser();
}

static int global_get(void)
{
	CURLcode rc = CURLE_OK;

	pthread_once(&xml_once, xml_init);
	pthread_mutex_lock(&global_lock);
	if (global_users == 0)
		rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc == CURLE_OK)
		global_users++;
	pthread_mutex_unlock(&global_lock);
	return rc == CURLE_OK ? 0 : -ENOMEM;
}

static void global_put(void)
{
	pthread_mutex_lock(&global_lock);
	if (global_users > 0 && --global_users == 0)
		curl_global_cleanup();
	pthread_mutex_unlock(&global_lock);
}

/* ---- configuration --------------------------------------------------- */

static bool host_is_ip(const char *hostname)
{
	struct in_addr a4;

	if (hostname[0] == '[')         /* curl keeps IPv6 literals bracketed */
		return true;
	return inet_pton(AF_INET, hostname, &a4) == 1;
}

static bool region_chars_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

/*
 * The bare region: region= (an "oss-" prefix dropped), else from an
 * "oss-<region>.aliyuncs.com" or "oss-<region>-internal.aliyuncs.com" host.
 */
static int find_region(const char *cfg_region, const char *hostname,
		       char **out, char *msg, size_t msglen)
{
	const char *start, *dot;
	size_t len;

	if (cfg_region && *cfg_region) {
		if (strncmp(cfg_region, "oss-", 4) == 0)
			cfg_region += 4;
		if (!region_chars_ok(cfg_region, strlen(cfg_region))) {
			snprintf(msg, msglen, "region=%s is not a region id "
				 "(expected e.g. cn-hangzhou)", cfg_region);
			return -EINVAL;
		}
		*out = strdup(cfg_region);
		return *out ? 0 : -ENOMEM;
	}
	start = hostname + 4;
	dot = strchr(hostname, '.');
	if (strncasecmp(hostname, "oss-", 4) != 0 || !dot ||
	    strcasecmp(dot, ".aliyuncs.com") != 0) {
		snprintf(msg, msglen, "cannot tell the region from host %s: "
			 "give region=ID (e.g. region=cn-hangzhou)", hostname);
		return -EINVAL;
	}
	len = (size_t)(dot - start);
	if (len > 9 && strncasecmp(dot - 9, "-internal", 9) == 0)
		len -= 9;
	if (!region_chars_ok(start, len)) {
		snprintf(msg, msglen, "cannot tell the region from host %s: "
			 "give region=ID", hostname);
		return -EINVAL;
	}
	*out = strndup(start, len);
	return *out ? 0 : -ENOMEM;
}

static bool bucket_ok(const char *b)
{
	const char *p;

	if (!b || !*b)
		return false;
	for (p = b; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

static bool is_default_port(const char *scheme, const char *port)
{
	return (strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0) ||
	       (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0);
}

/* Split url= into scheme and host[:port] with curl's URL parser. */
static int parse_url(struct req_engine *e, const char *url, char **hostname,
		     char *msg, size_t msglen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *query = NULL;
	int err = -EINVAL;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(msg, msglen, "url=%s is not a URL "
			 "(expected http[s]://host[:port])", url);
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		snprintf(msg, msglen, "url=%s: only http and https are supported",
			 url);
		goto out;
	}
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	if ((path && strcmp(path, "/") != 0) ||
	    curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
		snprintf(msg, msglen, "url=%s: give only scheme, host and port "
			 "(no path or query)", url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK ||
	    is_default_port(scheme, port)) {
		curl_free(port);
		port = NULL;
	}
	err = -ENOMEM;
	e->scheme = strdup(scheme);
	*hostname = strdup(host);
	if (port) {
		if (asprintf(&e->host, "%s:%s", host, port) < 0)
			e->host = NULL;
	} else {
		e->host = strdup(host);
	}
	if (e->scheme && e->host && *hostname)
		err = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return err;
}

static void share_lock_cb(CURL *h, curl_lock_data data,
			  curl_lock_access access, void *userptr)
{
	struct req_engine *e = userptr;

	(void)h;
	(void)access;
	pthread_mutex_lock(&e->share_lock[data]);
}

static void share_unlock_cb(CURL *h, curl_lock_data data, void *userptr)
{
	struct req_engine *e = userptr;

	(void)h;
	pthread_mutex_unlock(&e->share_lock[data]);
}

static int share_init(struct req_engine *e)
{
	int i;

	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&e->share_lock[i], NULL);
	pthread_mutex_init(&e->pool_lock, NULL);
	e->share = curl_share_init();
	if (!e->share)
		return -ENOMEM;
	curl_share_setopt(e->share, CURLSHOPT_LOCKFUNC, share_lock_cb);
	curl_share_setopt(e->share, CURLSHOPT_UNLOCKFUNC, share_unlock_cb);
	curl_share_setopt(e->share, CURLSHOPT_USERDATA, e);
	curl_share_setopt(e->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(e->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(e->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

static int check_config(const struct req_config *cfg, char *msg, size_t msglen)
{
	const struct creds *c = cfg->creds;

	if (!cfg->url || !*cfg->url) {
		snprintf(msg, msglen, "no url= given");
		return -EINVAL;
	}
	if (!bucket_ok(cfg->bucket)) {
		snprintf(msg, msglen, "bucket name '%s' is not valid",
			 cfg->bucket ? cfg->bucket : "");
		return -EINVAL;
	}
	if (!c || !c->access_key_id || !*c->access_key_id ||
	    !c->access_key_secret || !*c->access_key_secret) {
		snprintf(msg, msglen, "no credentials");
		return -EINVAL;
	}
	if (cfg->retries < 0 || cfg->connect_timeout < 0 || cfg->timeout < 0) {
		snprintf(msg, msglen, "retries, connect_timeout and timeout "
			 "must not be negative");
		return -EINVAL;
	}
	return 0;
}

int req_engine_new(const struct req_config *cfg, struct req_engine **out,
		   char *msg, size_t msglen)
{
	struct req_engine *e;
	char *hostname = NULL;
	int err;

	*out = NULL;
	err = check_config(cfg, msg, msglen);
	if (err)
		return err;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	err = global_get();
	if (err) {
		free(e);
		snprintf(msg, msglen, "cannot initialise libcurl");
		return err;
	}
	err = share_init(e);
	if (!err)
		err = parse_url(e, cfg->url, &hostname, msg, msglen);
	if (!err)
		err = find_region(cfg->region, hostname, &e->region, msg, msglen);
	if (!err) {
		e->bucket = strdup(cfg->bucket);
		if (!e->bucket)
			err = -ENOMEM;
	}
	if (!err) {
		e->path_style = cfg->path_style ||
				host_is_ip(hostname);
		e->sigv1 = cfg->sigv1;
		e->creds = cfg->creds;
		e->retries = cfg->retries;
		e->connect_timeout = cfg->connect_timeout;
		e->timeout = cfg->timeout;
	}
	free(hostname);
	if (err) {
		if (err == -ENOMEM)
			snprintf(msg, msglen, "out of memory");
		req_engine_free(e);
		return err;
	}
	*out = e;
	return 0;
}

void req_engine_free(struct req_engine *e)
{
	size_t i;
	int j;

	if (!e)
		return;
	/* Easy handles first: the share may only go once nothing uses it. */
	for (i = 0; i < e->npool; i++)
		curl_easy_cleanup(e->pool[i]);
	if (e->share)
		curl_share_cleanup(e->share);
	for (j = 0; j < CURL_LOCK_DATA_LAST; j++)
		pthread_mutex_destroy(&e->share_lock[j]);
	pthread_mutex_destroy(&e->pool_lock);
	free(e->scheme);
	free(e->host);
	free(e->bucket);
	free(e->region);
	free(e);
	global_put();
}

const char *req_engine_region(const struct req_engine *e)
{
	return e->region;
}

const char *req_engine_host(const struct req_engine *e)
{
	return e->host;
}

bool req_engine_path_style(const struct req_engine *e)
{
	return e->path_style;
}

/* ---- the handle pool ------------------------------------------------- */

static CURL *pool_get(struct req_engine *e)
{
	CURL *c = NULL;

	pthread_mutex_lock(&e->pool_lock);
	if (e->npool > 0)
		c = e->pool[--e->npool];
	pthread_mutex_unlock(&e->pool_lock);
	if (c)
		return c;
	c = curl_easy_init();
	/* curl_easy_reset keeps the share, so this is set once. */
	if (c)
		curl_easy_setopt(c, CURLOPT_SHARE, e->share);
	return c;
}

static void pool_put(struct req_engine *e, CURL *c)
{
	pthread_mutex_lock(&e->pool_lock);
	if (e->npool < POOL_MAX) {
		e->pool[e->npool++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&e->pool_lock);
	if (c)
		curl_easy_cleanup(c);
}

/* ---- URL and query ---------------------------------------------------- */

/*
 * The parameters that go on the wire and into the signature: an ordinary
 * parameter with an empty value is dropped, because servers disagree on
 * how to sign it (spec §8.5); a NULL value is a bare sub-resource.
 */
static int filter_query(const struct req *r, struct sign_kv **out, size_t *n)
{
	struct sign_kv *q;
	size_t i;

	*out = NULL;
	*n = 0;
	if (r->nquery == 0)
		return 0;
	q = calloc(r->nquery, sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (i = 0; i < r->nquery; i++) {
		const struct req_param *p = &r->query[i];

		if (!p->key || !*p->key) {
			free(q);
			return -EINVAL;
		}
		if (p->value && !*p->value)
			continue;
		q[(*n)++] = (struct sign_kv){ .key = p->key, .value = p->value };
	}
	*out = q;
	return 0;
}

static int put_encoded(FILE *f, const char *s, int keep_slash)
{
	char *enc = sign_uri_encode(s, keep_slash);

	if (!enc)
		return -ENOMEM;
	fputs(enc, f);
	free(enc);
	return 0;
}

static int build_url(const struct req_engine *e, const char *key,
		     const struct sign_kv *q, size_t nq, char **url)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	int err = 0;

	if (!f)
		return -ENOMEM;
	if (e->path_style)
		fprintf(f, "%s://%s/%s/", e->scheme, e->host, e->bucket);
	else
		fprintf(f, "%s://%s.%s/", e->scheme, e->bucket, e->host);
	if (key && *key)
		err = put_encoded(f, key, 1);
	for (i = 0; i < nq && !err; i++) {
		fputc(i == 0 ? '?' : '&', f);
		err = put_encoded(f, q[i].key, 0);
		if (!err && q[i].value) {
			fputc('=', f);
			err = put_encoded(f, q[i].value, 0);
		}
	}
	if (fclose(f) != 0 && !err)
		err = -ENOMEM;
	if (err) {
		free(buf);
		return err;
	}
	*url = buf;
	return 0;
}

/* ---- headers and signing ---------------------------------------------- */

/* What one attempt sends: header values and the curl list built from them. */
struct attempt_headers {
	struct sign_kv *kv;          /* every header sent, for the signature */
	size_t n;
	char date[30];
	char isodate[17];
	char *authorization;
	struct curl_slist *list;
};

static bool header_text_ok(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

static int add_line(struct curl_slist **list, const char *name,
		    const char *value)
{
	struct curl_slist *l;
	char *line;

	int n;

	/* "Name;" is curl's way to send a header with an empty value. */
	if (*value)
		n = asprintf(&line, "%s: %s", name, value);
	else
		n = asprintf(&line, "%s;", name);
	if (n < 0)
		return -ENOMEM;
	l = curl_slist_append(*list, line);
	free(line);
	if (!l)
		return -ENOMEM;
	*list = l;
	return 0;
}

static bool has_header(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return true;
	return false;
}

static int collect_headers(const struct req_engine *e, const struct req *r,
			   time_t now, struct attempt_headers *h)
{
	const char *token = e->creds->security_token;
	size_t i;

	h->kv = calloc(r->nheaders + 4, sizeof(*h->kv));
	if (!h->kv)
		return -ENOMEM;
	for (i = 0; i < r->nheaders; i++) {
		const struct req_header *rh = &r->headers[i];

		if (!header_text_ok(rh->name) || !*rh->name ||
		    !header_text_ok(rh->value))
			return -EINVAL;
		h->kv[h->n++] = (struct sign_kv){ rh->name, rh->value };
	}
	sign_http_date(now, h->date);
	h->kv[h->n++] = (struct sign_kv){ "Date", h->date };
	if (!e->sigv1) {
		sign_iso8601_basic(now, h->isodate);
		h->kv[h->n++] = (struct sign_kv){ "x-oss-date", h->isodate };
		h->kv[h->n++] = (struct sign_kv){ "x-oss-content-sha256",
						  "UNSIGNED-PAYLOAD" };
	}
	if (token && *token)
		h->kv[h->n++] = (struct sign_kv){ "x-oss-security-token", token };
	return 0;
}

static int sign_headers(const struct req_engine *e, const struct req *r,
			const struct sign_kv *q, size_t nq, time_t now,
			struct attempt_headers *h)
{
	const struct creds *c = e->creds;
	struct sign_req sr = {
		.method = r->method,
		.bucket = e->bucket,
		.key = r->key,
		.query = q,
		.nquery = nq,
		.headers = h->kv,
		.nheaders = h->n,
	};
	char *sts = NULL;
	int err;

	if (e->sigv1) {
		err = sign_v1_authorization(&sr, c->access_key_id,
					    c->access_key_secret, &sts,
					    &h->authorization);
		free(sts);
		return err;
	}
	return sign_v4_authorization(&sr, c->access_key_id,
				     c->access_key_secret, e->region, "oss",
				     now, NULL, NULL, &h->authorization);
}

static int build_list(const struct req *r, struct attempt_headers *h)
{
	size_t i;
	int err = 0;

	for (i = 0; i < h->n && !err; i++)
		err = add_line(&h->list, h->kv[i].key, h->kv[i].value);
	if (!err)
		err = add_line(&h->list, "Authorization", h->authorization);
	/* Nothing unsigned that changes the signature: no Expect, and no
	 * Content-Type that curl would invent for a body. */
	if (!err && !curl_slist_append(h->list, "Expect:"))
		err = -ENOMEM;
	if (!err && !has_header(r, "Content-Type") &&
	    !curl_slist_append(h->list, "Content-Type:"))
		err = -ENOMEM;
	return err;
}

static void attempt_headers_free(struct attempt_headers *h)
{
	free(h->kv);
	free(h->authorization);
	curl_slist_free_all(h->list);
	memset(h, 0, sizeof(*h));
}

static int prepare_headers(const struct req_engine *e, const struct req *r,
			   const struct sign_kv *q, size_t nq,
			   struct attempt_headers *h)
{
	time_t now = time(NULL);
	int err;

	err = collect_headers(e, r, now, h);
	if (!err)
		err = sign_headers(e, r, q, nq, now, h);
	if (!err)
		err = build_list(r, h);
	if (err)
		attempt_headers_free(h);
	return err;
}

/* ---- response capture ------------------------------------------------- */

struct xfer {
	struct req_resp *resp;
	size_t max_body;
	long status;            /* of the status line being received */
	size_t alloc;
	bool too_large;
	char *oss_err;          /* the x-oss-err header (base64 error XML) */
};

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	struct req_resp *resp = x->resp;
	size_t n = size * nmemb;
	size_t limit = x->max_body;

	/* An error body is read whole (up to its own cap) even when a small
	 * ranged read set a small limit: its Code decides the errno. */
	if (x->status >= 300 && limit < MAX_ERROR_XML)
		limit = MAX_ERROR_XML;
	if (n > limit - resp->body_len) {
		x->too_large = true;
		return 0;               /* aborts the transfer */
	}
	if (resp->body_len + n + 1 > x->alloc) {
		size_t want = x->alloc ? x->alloc : 4096;
		char *p;

		while (want < resp->body_len + n + 1)
			want *= 2;
		p = realloc(resp->body, want);
		if (!p)
			return 0;
		resp->body = p;
		x->alloc = want;
	}
	memcpy(resp->body + resp->body_len, data, n);
	resp->body_len += n;
	resp->body[resp->body_len] = '\0';
	return n;
}

static void copy_value(char *dst, size_t dstlen, const char *v, size_t len)
{
	if (len >= dstlen)
		len = dstlen - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

/* A new status line (an interim 1xx, a proxy's) starts a new header set. */
static void headers_reset(struct xfer *x)
{
	struct req_resp *resp = x->resp;

	resp->etag[0] = '\0';
	resp->last_modified[0] = '\0';
	resp->content_range[0] = '\0';
	resp->content_length = -1;
	resp->err.request_id[0] = '\0';
	free(x->oss_err);
	x->oss_err = NULL;
}

static bool name_is(const char *name, size_t nlen, const char *want)
{
	return nlen == strlen(want) && strncasecmp(name, want, nlen) == 0;
}

static void header_field(struct xfer *x, const char *name, size_t nlen,
			 const char *v, size_t vlen)
{
	struct req_resp *resp = x->resp;

	if (name_is(name, nlen, "etag"))
		copy_value(resp->etag, sizeof(resp->etag), v, vlen);
	else if (name_is(name, nlen, "last-modified"))
		copy_value(resp->last_modified, sizeof(resp->last_modified),
			   v, vlen);
	else if (name_is(name, nlen, "content-range"))
		copy_value(resp->content_range, sizeof(resp->content_range),
			   v, vlen);
	else if (name_is(name, nlen, "content-length"))
		resp->content_length = strtoll(v, NULL, 10);
	else if (name_is(name, nlen, "x-oss-request-id"))
		copy_value(resp->err.request_id, sizeof(resp->err.request_id),
			   v, vlen);
	else if (name_is(name, nlen, "x-oss-err") && vlen <= MAX_ERR_HEADER &&
		 !x->oss_err)
		x->oss_err = strndup(v, vlen);
}

/* "HTTP/1.1 404 Not Found" -> 404 */
static long status_of(const char *line, size_t n)
{
	const char *sp = memchr(line, ' ', n);
	long status = 0;

	if (!sp)
		return 0;
	for (sp++; sp < line + n && *sp >= '0' && *sp <= '9'; sp++)
		status = status * 10 + (*sp - '0');
	return status;
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb, nlen;
	const char *colon, *v, *end = data + n;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		headers_reset(x);
		x->status = status_of(data, n);
		return n;
	}
	colon = memchr(data, ':', n);
	if (!colon)
		return n;
	nlen = (size_t)(colon - data);
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	header_field(x, data, nlen, v, (size_t)(end - v));
	return n;
}

/* ---- OSS error bodies -------------------------------------------------- */

/* Only text and CDATA: entity references are never expanded. */
static void node_text(xmlNode *n, char *dst, size_t dstlen)
{
	size_t len = 0;
	xmlNode *c;

	for (c = n->children; c; c = c->next) {
		size_t l;

		if ((c->type != XML_TEXT_NODE &&
		     c->type != XML_CDATA_SECTION_NODE) || !c->content)
			continue;
		l = strlen((const char *)c->content);
		if (l > dstlen - 1 - len)
			l = dstlen - 1 - len;
		memcpy(dst + len, c->content, l);
		len += l;
	}
	dst[len] = '\0';
}

/* <Error><Code/><Message/><RequestId/>...</Error>; 0 when it was one. */
static int parse_error_xml(const char *buf, size_t len, struct oss_error *err)
{
	xmlDoc *doc;
	xmlNode *root, *n;
	int rc = -EINVAL;

	if (len == 0 || len > MAX_ERROR_XML)
		return -EINVAL;
	doc = xmlReadMemory(buf, (int)len, "error.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	if (!doc)
		return -EINVAL;
	root = xmlDocGetRootElement(doc);
	/* OSS never sends a DTD; a document with one is not trusted. */
	if (!root || doc->intSubset ||
	    strcmp((const char *)root->name, "Error") != 0)
		goto out;
	for (n = root->children; n; n = n->next) {
		const char *name = (const char *)n->name;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp(name, "Code") == 0)
			node_text(n, err->code, sizeof(err->code));
		else if (strcmp(name, "Message") == 0)
			node_text(n, err->message, sizeof(err->message));
		else if (strcmp(name, "RequestId") == 0 && n->children)
			node_text(n, err->request_id, sizeof(err->request_id));
	}
	rc = 0;
out:
	xmlFreeDoc(doc);
	return rc;
}

/* The x-oss-err header of a HEAD error: base64 of the error XML. */
static int parse_err_header(const char *b64, struct oss_error *err)
{
	size_t len = strlen(b64);
	unsigned char *xml;
	int n, rc;

	xml = malloc(len / 4 * 3 + 4);
	if (!xml)
		return -ENOMEM;
	n = EVP_DecodeBlock(xml, (const unsigned char *)b64, (int)len);
	if (n < 0) {
		free(xml);
		return -EINVAL;
	}
	/* EVP_DecodeBlock counts the '=' padding as zero bytes. */
	while (n > 0 && len > 0 && b64[len - 1] == '=') {
		n--;
		len--;
	}
	rc = parse_error_xml((const char *)xml, (size_t)n, err);
	free(xml);
	return rc;
}

static void fill_http_error(struct xfer *x, long status)
{
	struct req_resp *resp = x->resp;
	struct oss_error *err = &resp->err;
	char header_rid[sizeof(err->request_id)];
	int parsed = -EINVAL;

	memcpy(header_rid, err->request_id, sizeof(header_rid));
	err->status = status;
	if (!x->too_large)
		parsed = parse_error_xml(resp->body, resp->body_len, err);
	if (parsed && x->oss_err)
		parsed = parse_err_header(x->oss_err, err);
	if (!err->request_id[0])
		memcpy(err->request_id, header_rid, sizeof(header_rid));
	if (parsed)
		snprintf(err->message, sizeof(err->message),
			 "HTTP %ld without an OSS error body", status);
}

static bool curl_retryable(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WEIRD_SERVER_REPLY:
		return true;
	default:
		return false;
	}
}

/* ---- one attempt ------------------------------------------------------ */

static void setup_method(CURL *c, const struct req *r)
{
	bool has_body = r->body || strcmp(r->method, "PUT") == 0 ||
			strcmp(r->method, "POST") == 0;

	if (strcmp(r->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		return;
	}
	if (!has_body) {
		if (strcmp(r->method, "GET") == 0)
			curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		else
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
		return;
	}
	/* POSTFIELDS always sends Content-Length, also 0. */
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)(r->body ? r->body_len : 0));
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body ? r->body : "");
	if (strcmp(r->method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
}

static void setup_handle(const struct req_engine *e, CURL *c, const char *url,
			 const struct req *r, struct attempt_headers *h,
			 struct xfer *x, char *errbuf)
{
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* The key is already encoded; "a/../b" is a key, not a path to fold. */
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, e->connect_timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, e->timeout);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "osslivefs/" OSSLIVEFS_VERSION);
	setup_method(c, r);
}

static void resp_reset(struct req_resp *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
	resp->content_length = -1;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One line per attempt; the URL carries no secret (auth is in headers). */
static void log_attempt(const char *method, const char *url,
			const struct req_resp *resp, long ms, int n)
{
	char code[sizeof(resp->err.code) + 1] = "";
	char rid[sizeof(resp->err.request_id) + 12] = "";

	if (!log_enabled(LOG_LVL_DEBUG))
		return;
	if (resp->err.code[0])
		snprintf(code, sizeof(code), " %s", resp->err.code);
	if (resp->err.request_id[0])
		snprintf(rid, sizeof(rid), " RequestId %s",
			 resp->err.request_id);
	log_debug("req: %s %s -> %ld%s%s, %ld ms, attempt %d", method, url,
		  resp->status, code, rid, ms, n);
}

/* Turn the outcome of curl_easy_perform into resp->err and an errno. */
static int classify(struct xfer *x, CURLcode cc, long status,
		    const char *errbuf, bool *retry)
{
	struct req_resp *resp = x->resp;
	struct oss_error *err = &resp->err;

	resp->status = status;
	if (cc != CURLE_OK && !(x->too_large && status > 0)) {
		resp->status = 0;
		err->status = 0;
		snprintf(err->code, sizeof(err->code), "%s",
			 cc == CURLE_OPERATION_TIMEDOUT ? "RequestTimeout"
							: "NetworkError");
		snprintf(err->message, sizeof(err->message), "%s",
			 errbuf[0] ? errbuf : curl_easy_strerror(cc));
		err->request_id[0] = '\0';
		*retry = curl_retryable(cc);
		return oss_errno(0, err->code, err->message);
	}
	if (status < 200 || status >= 300) {
		fill_http_error(x, status);
		*retry = status >= 500 || status == 429;
		return oss_errno(status, err->code, err->message);
	}
	err->status = status;
	if (x->too_large) {
		snprintf(err->code, sizeof(err->code), "ResponseTooLarge");
		snprintf(err->message, sizeof(err->message),
			 "response body larger than %zu bytes", x->max_body);
		return -EIO;
	}
	return 0;
}

/*
 * One signed attempt.  Returns 0 for a 2xx, else a negative errno with
 * resp->err filled; *retry says whether another attempt may help.
 */
static int attempt(struct req_engine *e, CURL *c, const struct req *r,
		   const struct sign_kv *q, size_t nq, const char *url,
		   struct req_resp *resp, bool *retry, int n)
{
	struct attempt_headers h = { 0 };
	struct xfer x = {
		.resp = resp,
		.max_body = r->max_response ? r->max_response
					    : DEFAULT_MAX_RESPONSE,
	};
	char errbuf[CURL_ERROR_SIZE] = "";
	struct timespec t0;
	CURLcode cc;
	long status = 0;
	int err;

	*retry = false;
	resp_reset(resp);
	err = prepare_headers(e, r, q, nq, &h);
	if (err)
		return err;
	setup_handle(e, c, url, r, &h, &x, errbuf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	attempt_headers_free(&h);

	err = classify(&x, cc, status, errbuf, retry);
	free(x.oss_err);
	log_attempt(r->method, url, resp, elapsed_ms(&t0), n);
	return err;
}

static void backoff(int attempt_no)
{
	long ms = BACKOFF_FIRST_MS;
	struct timespec ts;

	while (attempt_no-- > 0 && ms < BACKOFF_MAX_MS)
		ms *= 2;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool method_ok(const char *m)
{
	if (!m || !*m)
		return false;
	for (; *m; m++)
		if (*m < 'A' || *m > 'Z')
			return false;
	return true;
}

/* A failure before anything was sent: a bad request or no memory. */
static int client_error(struct req_resp *resp, int err)
{
	snprintf(resp->err.code, sizeof(resp->err.code), "ClientError");
	snprintf(resp->err.message, sizeof(resp->err.message), "%s",
		 strerror(-err));
	return err;
}

static int perform_attempts(struct req_engine *e, const struct req *r,
			    const struct sign_kv *q, size_t nq,
			    const char *url, struct req_resp *resp)
{
	CURL *c = pool_get(e);
	bool retry = false;
	int err = 0, i;

	if (!c)
		return client_error(resp, -ENOMEM);
	for (i = 0; i <= e->retries; i++) {
		if (i > 0) {
			log_info("req: %s %s failed (%ld %s), retry %d of %d",
				 r->method, url, resp->err.status,
				 resp->err.code, i, e->retries);
			backoff(i - 1);
		}
		err = attempt(e, c, r, q, nq, url, resp, &retry, i + 1);
		if (!err || !retry)
			break;
	}
	pool_put(e, c);
	if (err && !resp->err.code[0])
		client_error(resp, err);
	return err;
}

int req_perform(struct req_engine *e, const struct req *r,
		struct req_resp *resp)
{
	struct sign_kv *q = NULL;
	size_t nq = 0;
	char *url = NULL;
	int err;

	memset(resp, 0, sizeof(*resp));
	resp->content_length = -1;
	if (!method_ok(r->method))
		return client_error(resp, -EINVAL);
	err = filter_query(r, &q, &nq);
	if (!err)
		err = build_url(e, r->key, q, nq, &url);
	if (!err)
		err = perform_attempts(e, r, q, nq, url, resp);
	else
		client_error(resp, err);
	free(url);
	free(q);
	return err;
}

void req_resp_free(struct req_resp *resp)
{
	if (!resp)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}

/* ---- RTMP publish URL -------------------------------------------------- */

int req_rtmp_url(struct req_engine *e, const char *channel,
		 const char *playlist, long expires_in, char **url)
{
	long expires = (long)time(NULL) + expires_in;
	char *sts = NULL, *sig = NULL, *ech = NULL, *esig = NULL;
	char *eak = NULL, *epl = NULL;
	const char *token = e->creds->security_token;
	bool has_pl = playlist && *playlist, has_tok = token && *token;
	char *etok = NULL;
	int err, n;

	*url = NULL;
	if (!channel || !*channel)
		return -EINVAL;
	/* An STS key's URL carries its token, signed as python and Java do
	 * (spec §8.2): without it OSS cannot know the temporary key. */
	err = sign_rtmp(e->bucket, channel, has_pl ? playlist : NULL, token,
			expires, e->creds->access_key_secret, &sts, &sig);
	if (err)
		return err;
	err = -ENOMEM;
	ech = sign_uri_encode(channel, 0);
	esig = sign_uri_encode(sig, 0);
	eak = sign_uri_encode(e->creds->access_key_id, 0);
	epl = has_pl ? sign_uri_encode(playlist, 0) : NULL;
	etok = has_tok ? sign_uri_encode(token, 0) : NULL;
	if (!ech || !esig || !eak || (has_pl && !epl) || (has_tok && !etok))
		goto out;
	n = asprintf(url,
		     "rtmp://%s%s%s/live/%s?OSSAccessKeyId=%s&Expires=%ld"
		     "&Signature=%s%s%s%s%s",
		     e->path_style ? "" : e->bucket, e->path_style ? "" : ".",
		     e->host, ech, eak, expires, esig,
		     has_pl ? "&playlistName=" : "", has_pl ? epl : "",
		     has_tok ? "&security-token=" : "", has_tok ? etok : "");
	if (n < 0)
		*url = NULL;
	else
		err = 0;
out:
	free(sts);
	free(sig);
	free(ech);
	free(esig);
	free(eak);
	free(epl);
	free(etok);
	return err;
}

/* ---- versions ----------------------------------------------------------- */

void req_library_versions(const char **curl, const char **openssl,
			  const char **libxml2)
{
	static char xml[32];
	int v = atoi(xmlParserVersion);     /* "20914" is 2.9.14 */

	snprintf(xml, sizeof(xml), "%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
	*curl = curl_version_info(CURLVERSION_NOW)->version;
	*openssl = OpenSSL_version(OPENSSL_VERSION);
	*libxml2 = xml;
}
