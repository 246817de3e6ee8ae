/* What one attempt receives: the body (bounded), the headers the layers
 * above use (read with curl_easy_header once the transfer is done), and
 * for a failure the OSS error record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_i.h"

#define MAX_ERROR_BODY ((size_t)64 << 10)   /* error bodies kept at most */
#define MAX_ERR_HEADER ((size_t)8 << 10)    /* x-oss-err header used at most */

static long status_now(struct xfer *x)
{
	long status = 0;

	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* A 2xx body into the caller's buffer: the only copy of these bytes. */
static size_t write_direct(struct xfer *x, const char *data, size_t n)
{
	struct req_resp *resp = x->resp;

	if (n > x->recv_cap - resp->body_len) {
		x->too_large = true;
		return 0;               /* aborts the transfer */
	}
	memcpy(x->recv_buf + resp->body_len, data, n);
	resp->body_len += n;
	return n;
}

size_t response_write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	struct req_resp *resp = x->resp;
	size_t n = size * nmemb;
	size_t limit = x->max_body;
	long status;

	if (x->recv_buf) {
		status = status_now(x);
		if (status >= 200 && status < 300)
			return write_direct(x, data, n);
	}
	/* An error body is read whole (up to its own cap) even when a small
	 * ranged read set a small limit: its Code decides the errno. */
	if (limit < MAX_ERROR_BODY && status_now(x) >= 300)
		limit = MAX_ERROR_BODY;
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

/* The value of the final answer's header name, or NULL. */
static const char *header(struct xfer *x, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(x->curl, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

static void copy_header(struct xfer *x, const char *name, char *dst,
			size_t size)
{
	const char *v = header(x, name);

	snprintf(dst, size, "%s", v ? v : "");
}

void response_headers(struct xfer *x)
{
	struct req_resp *resp = x->resp;
	const char *v;

	copy_header(x, "ETag", resp->etag, sizeof(resp->etag));
	copy_header(x, "Content-Range", resp->content_range,
		    sizeof(resp->content_range));
	copy_header(x, "x-oss-request-id", resp->err.request_id,
		    sizeof(resp->err.request_id));
	copy_header(x, "Last-Modified", resp->last_modified,
		    sizeof(resp->last_modified));
	v = header(x, "Last-Modified");
	resp->mtime = v ? curl_getdate(v, NULL) : -1;
	v = header(x, "Content-Length");
	resp->content_length = v ? strtoll(v, NULL, 10) : -1;
}

/* An error answer that is not OSS XML (an HTML 502 of a proxy, junk):
 * what the server said, its first bytes as they came (log lines escape
 * them). */
static void not_oss(struct xfer *x, long status)
{
	struct oss_error *err = &x->resp->err;
	const char *type = header(x, "Content-Type");
	int n = (int)(x->resp->body_len < 160 ? x->resp->body_len : 160);

	snprintf(err->code, sizeof(err->code), "NonOssAnswer");
	if (n == 0)
		snprintf(err->message, sizeof(err->message),
			 "HTTP %ld without a body", status);
	else
		snprintf(err->message, sizeof(err->message),
			 "HTTP %ld, Content-Type %s: %.*s", status,
			 type ? type : "-", n, x->resp->body);
}

void response_fill_error(struct xfer *x, long status)
{
	struct req_resp *resp = x->resp;
	struct oss_error *err = &resp->err;
	const char *b64 = header(x, "x-oss-err");
	int parsed = -EINVAL;

	err->status = status;
	if (!x->too_large)
		parsed = oss_error_parse(resp->body, resp->body_len, err);
	if (parsed && b64 && strlen(b64) <= MAX_ERR_HEADER)
		parsed = oss_error_parse_b64(b64, err);
	if (parsed)
		not_oss(x, status);
}
