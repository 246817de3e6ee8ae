/* Sending one request for the API layer, and recording what went wrong. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

int api_perform(struct req_engine *e, const struct req *r,
		struct req_resp *resp, struct oss_error *err)
{
	int rc;

	*resp = (struct req_resp){ .content_length = -1 };
	rc = req_perform(e, r, resp);
	if (rc && err)
		*err = resp->err;
	return rc;
}

int api_bad_answer(const struct req_resp *resp, const char *op,
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

size_t api_add_paging(struct req_param *q, size_t nq, const char *prefix,
		      const char *marker)
{
	if (prefix && prefix[0])
		q[nq++] = (struct req_param){ "prefix", prefix };
	if (marker && marker[0])
		q[nq++] = (struct req_param){ "marker", marker };
	return nq;
}

static int check_marker(const char *op, const char *marker, const char *next,
			struct oss_error *err)
{
	if (!next || !marker || strcmp(next, marker) > 0)
		return 0;
	if (err) {
		oss_error_clear(err);
		err->status = 200;
		snprintf(err->code, sizeof(err->code), "InvalidResponse");
		snprintf(err->message, sizeof(err->message),
			 "%s: NextMarker does not advance", op);
	}
	return -EIO;
}

int api_page_all(const char *op, api_page_fn page, void *arg,
		 struct oss_error *err)
{
	char *marker = NULL, *next = NULL;
	int rc;

	do {
		rc = page(arg, marker, &next, err);
		if (rc == 0)
			rc = check_marker(op, marker, next, err);
		free(marker);
		marker = next;
		next = NULL;
	} while (rc == 0 && marker);
	free(marker);
	return rc;
}
