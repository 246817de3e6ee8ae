/* What live.c and obj.c share: sending one request and recording what
 * went wrong.  Internal to the API layer. */
#ifndef OSSLIVEFS_API_H
#define OSSLIVEFS_API_H

#include <stddef.h>

#include "osserr.h"
#include "req.h"

/* req_perform() with resp initialised; on failure err (may be NULL) gets
 * the engine's record.  resp is always to be freed by the caller. */
int api_perform(struct req_engine *e, const struct req *r,
		struct req_resp *resp, struct oss_error *err);

/* A 2xx answer whose body is not what op returns: -EIO, Code
 * InvalidResponse, Message "<op>: <what>". */
int api_bad_answer(const struct req_resp *resp, const char *op,
		   const char *what, struct oss_error *err);

/* Appends prefix and marker to a listing's query when they are not empty:
 * empty ordinary parameters sign differently across SDKs (spec §8.5), so
 * one is never sent.  q must have room for two more. */
size_t api_add_paging(struct req_param *q, size_t nq, const char *prefix,
		      const char *marker);

/* One page of a listing: fetch the page after marker (NULL: the first),
 * set *next to a malloc'd NextMarker when more remain. */
typedef int (*api_page_fn)(void *arg, const char *marker, char **next,
			   struct oss_error *err);

/* Every page, following NextMarker; a marker that does not move forward
 * is -EIO (Code InvalidResponse) rather than a loop for ever. */
int api_page_all(const char *op, api_page_fn page, void *arg,
		 struct oss_error *err);

#endif
