/* Internal to the API layer: sending one request and reading its answer,
 * and walking a listing's pages.  live.c and obj.c are built on these. */
#ifndef OSSLIVEFS_OSS_CALL_H
#define OSSLIVEFS_OSS_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include "http/osserr.h"
#include "http/req.h"

/* req_perform(); on failure err (may be NULL) gets the engine's record.
 * resp is always to be freed by the caller.  For calls that read resp
 * themselves (ranged reads, HEAD). */
int call_perform(struct req_engine *e, const struct req *r,
		 struct req_resp *resp, struct oss_error *err);

/* Reads a 2xx answer's body into out: 0, -ENOMEM, or -EIO when the body
 * is not the document op returns. */
typedef int (*call_parse_fn)(struct req_resp *resp, void *out);

/*
 * Sends r for op and, for a 2xx answer, reads it with parse (NULL: the
 * status is all there is).  A body that is not the expected document is
 * -EIO with Code InvalidResponse.  On failure err (may be NULL) says why.
 */
int call(struct req_engine *e, const char *op, const struct req *r,
	 call_parse_fn parse, void *out, struct oss_error *err);

/* -EINVAL (or -ENAMETOOLONG) with Code InvalidArgument and "<op>: what"
 * in err: a request refused before it is sent. */
int call_refuse(struct oss_error *err, int rc, const char *op,
		const char *what);

/* A channel name that would address something else (live_name_check):
 * 0, or refused as above. */
int call_check_name(const char *op, const char *name, struct oss_error *err);

/* call() for one channel, its name checked first. */
int call_channel(struct req_engine *e, const char *op, const char *name,
		 const struct req *r, call_parse_fn parse, void *out,
		 struct oss_error *err);

/* A 2xx answer whose body is not what op returns: -EIO, Code
 * InvalidResponse, Message "<op>: <what>". */
int call_bad_answer(const struct req_resp *resp, const char *op,
		    const char *what, struct oss_error *err);

/* A listing (ListLiveChannel, ListObjects): what its pages share. */
struct call_listing {
	const char *op;
	struct http_kv what;            /* {"live", NULL}, {"delimiter", "/"} */
	const char *prefix;             /* NULL or "": none */
	const char *max_keys;           /* "1000"; "1" for one entry */
	bool url_encoded;               /* ask for encoding-type=url */
	/* One page's body appended to out; *next as answer_next_marker. */
	int (*parse)(struct req_resp *resp, const char *prefix,
		     void *out, char **next);
	void *out;
	int *requests;                  /* pages fetched, counted here */
};

/* The page after marker (NULL: the first); *next is malloc'd when more
 * remain. */
int call_list_page(struct req_engine *e, const struct call_listing *l,
		   const char *marker, char **next, struct oss_error *err);
/* Every page, following NextMarker; a marker that does not move forward,
 * or more than CALL_PAGES_MAX pages, is -EIO (Code InvalidResponse)
 * rather than a loop for ever. */
#define CALL_PAGES_MAX 1000     /* call.c's message says 1000 */
int call_list_all(struct req_engine *e, const struct call_listing *l,
		  struct oss_error *err);

#endif
