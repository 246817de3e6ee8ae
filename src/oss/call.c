/* Sending one request for the API layer and reading its answer; walking
 * a listing's pages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "oss/live_config.h"

static void set_error(struct oss_error *err, long status, const char *code,
		      const char *op, const char *what)
{
	if (!err)
		return;
	oss_error_clear(err);
	err->status = status;
	snprintf(err->code, sizeof(err->code), "%s", code);
	snprintf(err->message, sizeof(err->message), "%s: %s", op, what);
}

int call_bad_answer(const struct req_resp *resp, const char *op,
		    const char *what, struct oss_error *err)
{
	if (err) {
		*err = resp->err;
		err->status = resp->status;
		snprintf(err->code, sizeof(err->code), "InvalidResponse");
		snprintf(err->message, sizeof(err->message), "%s: %s", op, what);
	}
	return -EIO;
}

int call_perform(struct req_engine *e, const struct req *r,
		 struct req_resp *resp, struct oss_error *err)
{
	int rc = req_perform(e, r, resp);

	if (rc && err)
		*err = resp->err;
	return rc;
}

int call(struct req_engine *e, const char *op, const struct req *r,
	 call_parse_fn parse, void *out, struct oss_error *err)
{
	struct req_resp resp;
	int rc;

	rc = call_perform(e, r, &resp, err);
	if (rc == 0 && parse) {
		rc = parse(&resp, out);
		if (rc == -EIO)
			call_bad_answer(&resp, op, "the answer is not the "
					"expected XML document", err);
	}
	req_resp_free(&resp);
	return rc;
}

int call_refuse(struct oss_error *err, int rc, const char *op,
		const char *what)
{
	set_error(err, 0, "InvalidArgument", op, what);
	return rc;
}

int call_check_name(const char *op, const char *name, struct oss_error *err)
{
	int rc = live_name_check(name);

	if (rc == -ENAMETOOLONG)
		return call_refuse(err, rc, op,
				   "channel name must be shorter than 64 bytes");
	if (rc)
		return call_refuse(err, rc, op, "invalid channel name");
	return 0;
}

int call_channel(struct req_engine *e, const char *op, const char *name,
		 const struct req *r, call_parse_fn parse, void *out,
		 struct oss_error *err)
{
	return call_check_name(op, name, err) ?:
	       call(e, op, r, parse, out, err);
}

/* --- listings ------------------------------------------------------- */

struct page {
	const struct call_listing *l;
	char **next;
};

static int parse_page(struct req_resp *resp, void *arg)
{
	struct page *p = arg;

	return p->l->parse(resp, p->l->prefix, p->l->out, p->next);
}

int call_list_page(struct req_engine *e, const struct call_listing *l,
		   const char *marker, char **next, struct oss_error *err)
{
	struct http_kv q[5] = { l->what, { "max-keys", l->max_keys } };
	struct page p = { .l = l, .next = next };
	size_t nq = 2;

	/* Empty ordinary parameters sign differently across SDKs (spec
	 * §8.5): one is never sent. */
	if (l->prefix && l->prefix[0])
		q[nq++] = (struct http_kv){ "prefix", l->prefix };
	if (marker && marker[0])
		q[nq++] = (struct http_kv){ "marker", marker };
	/* Names with characters XML cannot carry come percent-encoded. */
	if (l->url_encoded)
		q[nq++] = (struct http_kv){ "encoding-type", "url" };
	*next = NULL;
	if (l->requests)
		(*l->requests)++;
	return call(e, l->op, &(struct req){ .method = "GET", .query = q,
					     .nquery = nq },
		    parse_page, &p, err);
}

static int check_marker(const char *op, const char *marker, const char *next,
			struct oss_error *err)
{
	if (!next || !marker || strcmp(next, marker) > 0)
		return 0;
	set_error(err, 200, "InvalidResponse", op, "NextMarker does not advance");
	return -EIO;
}

int call_list_all(struct req_engine *e, const struct call_listing *l,
		  struct oss_error *err)
{
	char *marker = NULL, *next = NULL;
	int rc, pages = 0;

	do {
		if (pages++ == CALL_PAGES_MAX) {
			set_error(err, 200, "InvalidResponse", l->op,
				  "more than 1000 pages");
			rc = -EIO;
			break;
		}
		rc = call_list_page(e, l, marker, &next, err);
		if (rc == 0)
			rc = check_marker(l->op, marker, next, err);
		free(marker);
		marker = next;
		next = NULL;
	} while (rc == 0 && marker);
	free(marker);
	return rc;
}
