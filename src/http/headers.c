/* The headers of one attempt: the caller's, Date, the V4 ones, the STS
 * token, and the Authorization that signs them all. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine_i.h"

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
		if (strcasecmp(r->headers[i].key, name) == 0)
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
		const struct http_kv *rh = &r->headers[i];

		if (!header_text_ok(rh->key) || !*rh->key ||
		    !header_text_ok(rh->value))
			return -EINVAL;
		h->kv[h->n++] = (struct http_kv){ rh->key, rh->value };
	}
	sign_http_date(now, h->date);
	h->kv[h->n++] = (struct http_kv){ "Date", h->date };
	if (!e->sigv1) {
		sign_iso8601_basic(now, h->isodate);
		h->kv[h->n++] = (struct http_kv){ "x-oss-date", h->isodate };
		h->kv[h->n++] = (struct http_kv){ "x-oss-content-sha256",
						  "UNSIGNED-PAYLOAD" };
	}
	if (token && *token)
		h->kv[h->n++] = (struct http_kv){ "x-oss-security-token", token };
	return 0;
}

static int sign_headers(const struct req_engine *e, const struct req *r,
			const struct http_kv *q, size_t nq, time_t now,
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

void headers_free(struct attempt_headers *h)
{
	free(h->kv);
	free(h->authorization);
	curl_slist_free_all(h->list);
	memset(h, 0, sizeof(*h));
}

int headers_prepare(const struct req_engine *e, const struct req *r,
			   const struct http_kv *q, size_t nq,
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
		headers_free(h);
	return err;
}

