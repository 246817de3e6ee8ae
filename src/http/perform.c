/*
 * One request: signed anew for each attempt, retried for 5xx, 429 and
 * network failures only, after 100, 200, 400 ... ms (at most 3.2 s).
 *
 * Query values: NULL sends a bare sub-resource ("?live"); "" drops the
 * parameter (servers sign "prefix=" differently, spec §8.5).
 *
 * libcurl honours the usual http_proxy/https_proxy/no_proxy variables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_i.h"
#include "util/log.h"
#include "util/metrics.h"

#define DEFAULT_MAX_RESPONSE ((size_t)4 << 20)
#define RECV_BUFFER (512L << 10)     /* curl's socket reads into recv_buf */
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 3200

#ifndef OSSLIVEFS_VERSION
#define OSSLIVEFS_VERSION "dev"
#endif

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
	/* Replaces the bundle file; the CA path (/etc/ssl/certs on Debian)
	 * stays, so the system's CAs are still trusted. */
	if (e->cafile)
		curl_easy_setopt(c, CURLOPT_CAINFO, e->cafile);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, response_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "osslivefs/" OSSLIVEFS_VERSION);
	/* A large body in fewer reads from the socket than curl's 16 KiB. */
	if (r->recv_buf && r->recv_cap > RECV_BUFFER)
		curl_easy_setopt(c, CURLOPT_BUFFERSIZE, RECV_BUFFER);
	setup_method(c, r);
}

static void resp_reset_empty(struct req_resp *resp)
{
	*resp = (struct req_resp){ .content_length = -1, .mtime = -1 };
}

static void resp_reset(struct req_resp *resp)
{
	free(resp->body);
	resp_reset_empty(resp);
}

/* Seconds since t0. */
static double elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
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

/* The Code of a failure without an HTTP answer. */
static const char *curl_code(CURLcode cc)
{
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return "RequestTimeout";
	case CURLE_PEER_FAILED_VERIFICATION:
		return "CertificateNotTrusted";
	default:
		return "NetworkError";
	}
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
		snprintf(err->code, sizeof(err->code), "%s", curl_code(cc));
		snprintf(err->message, sizeof(err->message), "%s",
			 errbuf[0] ? errbuf : curl_easy_strerror(cc));
		err->request_id[0] = '\0';
		*retry = curl_retryable(cc);
		return oss_errno(0, err->code, err->message);
	}
	if (status < 200 || status >= 300) {
		response_fill_error(x, status);
		*retry = status >= 500 || status == 429;
		return oss_errno(status, err->code, err->message);
	}
	err->status = status;
	if (x->too_large) {
		snprintf(err->code, sizeof(err->code), "ResponseTooLarge");
		snprintf(err->message, sizeof(err->message),
			 "response body larger than %zu bytes",
			 x->recv_buf ? x->recv_cap : x->max_body);
		return -EIO;
	}
	return 0;
}

/*
 * One signed attempt.  Returns 0 for a 2xx, else a negative errno with
 * resp->err filled; *retry says whether another attempt may help.
 */
static int attempt(struct req_engine *e, CURL *c, const struct req *r,
		   const struct http_kv *q, size_t nq, const char *url,
		   struct req_resp *resp, bool *retry, int n)
{
	struct attempt_headers h = { 0 };
	struct xfer x = {
		.curl = c,
		.resp = resp,
		.max_body = r->max_response ? r->max_response
					    : DEFAULT_MAX_RESPONSE,
		.recv_buf = r->recv_buf,
		.recv_cap = r->recv_cap,
	};
	char errbuf[CURL_ERROR_SIZE] = "";
	struct timespec t0;
	CURLcode cc;
	long status = 0;
	double secs;
	int err;

	*retry = false;
	resp_reset(resp);
	err = headers_prepare(e, r, q, nq, &h);
	if (err)
		return err;
	setup_handle(e, c, url, r, &h, &x, errbuf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	headers_free(&h);
	response_headers(&x);

	err = classify(&x, cc, status, errbuf, retry);
	secs = elapsed(&t0);
	metrics_request(req_op_name(r), resp->status, secs);
	log_attempt(r->method, url, resp, (long)(secs * 1000), n);
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
			    const struct http_kv *q, size_t nq,
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
			metrics_retry(req_op_name(r));
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
	struct http_kv *q = NULL;
	size_t nq = 0;
	char *url = NULL;
	int err;

	resp_reset_empty(resp);
	if (!method_ok(r->method))
		return client_error(resp, -EINVAL);
	err = url_filter_query(r, &q, &nq);
	if (!err)
		err = url_build(e, r->key, q, nq, &url);
	if (!err)
		err = perform_attempts(e, r, q, nq, url, resp);
	else
		client_error(resp, err);
	free(url);
	free(q);
	if (err)
		metrics_failure(err);
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

