/* The object calls behind vod/ (spec §10): listing, ranged reads, HEAD,
 * DELETE.  Listing bodies are parsed in obj_xml.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "obj_xml.h"
#include "oss/obj.h"
#include "http/req.h"

#define PAGE_KEYS  "1000"

/* --- ListObjects ----------------------------------------------------- */

static int parse_list(struct req_resp *resp, const char *prefix, void *out,
		      char **next)
{
	return obj_parse_list(resp->body, resp->body_len, prefix, out, next);
}

int obj_list(struct req_engine *e, const char *prefix, struct obj_list *out,
	     struct oss_error *err)
{
	const struct call_listing l = {
		.op = "ListObjects",
		.what = { "delimiter", "/" },
		.prefix = prefix,
		.max_keys = PAGE_KEYS,
		.url_encoded = true,
		.parse = parse_list,
		.out = out,
		.requests = &out->requests,
	};
	int rc;

	*out = (struct obj_list){ 0 };
	rc = call_list_all(e, &l, err);
	if (rc) {
		int requests = out->requests;

		obj_list_free(out);
		out->requests = requests;
	}
	return rc;
}

void obj_list_free(struct obj_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].name);
	free(l->items);
	*l = (struct obj_list){ 0 };
}

/* --- GetObject with Range -------------------------------------------- */

/* Why a 206 answer is not the bytes [off, off + len) or the end of the
 * object from off, or NULL when it is.  Content-Range is "bytes a-b/size"
 * ("*" for an unknown size); a short answer would read as the end of the
 * file, so it is an error, never a short read. */
static const char *range_mismatch(const struct req_resp *resp, off_t off,
				  size_t len)
{
	long long a, b, size = -1, last = (long long)off + (long long)len - 1;

	if (sscanf(resp->content_range, "bytes %lld-%lld/%lld", &a, &b, &size) < 2 ||
	    a != (long long)off || b < a || b > last ||
	    (b < last && b != size - 1))
		return "Content-Range does not match the Range asked for";
	if (resp->body_len != (size_t)(b - a + 1))
		return "Content-Range does not match the length of the body";
	return NULL;
}

/* curl wrote the body into the caller's buffer: is it the range asked
 * for? */
static int check_range(const struct req_resp *resp, off_t off, size_t len,
		       struct oss_error *err)
{
	const char *why;

	if (resp->status == 206) {
		why = range_mismatch(resp, off, len);
		return why ? call_bad_answer(resp, "GetObject", why, err) : 0;
	}
	/* 200: the Range was ignored and this is the object from its start. */
	if (off != 0)
		return call_bad_answer(resp, "GetObject",
				  "the Range was ignored", err);
	return 0;
}

static bool past_end(const struct req_resp *resp)
{
	return resp->status == 416 ||
	       strcmp(resp->err.code, "InvalidRange") == 0;
}

/* The answer's version; an answer past the end carries none. */
static void version_of(const struct req_resp *resp, struct obj_version *ver)
{
	if (!ver)
		return;
	snprintf(ver->etag, sizeof(ver->etag), "%s", resp->etag);
	ver->mtime = resp->mtime;
}

bool obj_version_differs(const struct obj_version *a,
			 const struct obj_version *b)
{
	if (a->etag[0] && b->etag[0])
		return strcmp(a->etag, b->etag) != 0;
	return a->mtime >= 0 && b->mtime >= 0 && a->mtime != b->mtime;
}

int obj_get_range(struct req_engine *e, const char *key, off_t off, size_t len,
		  char *buf, size_t *got, struct obj_version *ver,
		  struct oss_error *err)
{
	char range[64];
	const struct http_kv h[] = {
		{ "Range", range },
		/* Without it OSS answers an out-of-range Range with the
		 * whole object (spec §10.2). */
		{ "x-oss-range-behavior", "standard" },
	};
	struct req_resp resp;
	int rc;

	*got = 0;
	if (ver)
		*ver = (struct obj_version){ .mtime = -1 };
	if (off < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	snprintf(range, sizeof(range), "bytes=%" PRIdMAX "-%" PRIdMAX,
		 (intmax_t)off, (intmax_t)off + (intmax_t)len - 1);
	rc = call_perform(e, &(struct req){ .method = "GET", .key = key,
				       .headers = h, .nheaders = 2,
				       .recv_buf = buf, .recv_cap = len },
		     &resp, err);
	if (rc && past_end(&resp)) {
		rc = 0;         /* at or after EOF: nothing to read */
		if (err)
			oss_error_clear(err);
	} else if (rc == 0) {
		rc = check_range(&resp, off, len, err);
		if (rc == 0) {
			*got = resp.body_len;
			version_of(&resp, ver);
		}
	}
	req_resp_free(&resp);
	return rc;
}

/* --- HEAD, DELETE ---------------------------------------------------- */

int obj_head(struct req_engine *e, const char *key, off_t *size, time_t *mtime,
	     struct oss_error *err)
{
	struct req_resp resp;
	int rc;

	rc = call_perform(e, &(struct req){ .method = "HEAD", .key = key }, &resp,
		     err);
	/* HEAD errors have no body, so no Code to map: the status says it. */
	if (rc && resp.status == 404)
		rc = -ENOENT;
	if (rc == 0) {
		if (size)
			*size = resp.content_length < 0 ?
				0 : (off_t)resp.content_length;
		if (mtime)
			*mtime = resp.mtime < 0 ? 0 : resp.mtime;
	}
	req_resp_free(&resp);
	return rc;
}

int obj_delete(struct req_engine *e, const char *key, struct oss_error *err)
{
	struct req_resp resp;
	int rc;

	rc = call_perform(e, &(struct req){ .method = "DELETE", .key = key }, &resp,
		     err);
	req_resp_free(&resp);
	return rc;
}
