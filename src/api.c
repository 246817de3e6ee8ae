/* Sending one request for the API layer, and recording what went wrong. */
#include <errno.h>
#include <stdio.h>
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

int api_check_marker(const char *op, const char *marker, const char *next,
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
