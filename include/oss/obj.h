/* The object calls that vod/ needs. */
#ifndef OSSLIVEFS_OBJ_H
#define OSSLIVEFS_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "http/osserr.h"

struct req_engine;

struct obj_entry {
	char *name;          /* key with the listing prefix removed (malloc'd) */
	off_t size;
	time_t mtime;
};

struct obj_list {
	struct obj_entry *items;
	size_t n;
	int requests;        /* pages fetched */
};

/* Every object directly under prefix ("ch/"), delimiter "/", all pages with
 * max-keys=1000.  Common prefixes are skipped. */
int obj_list(struct req_engine *e, const char *prefix, struct obj_list *out,
	     struct oss_error *err);
void obj_list_free(struct obj_list *l);

/* Which version of an object an answer came from. */
struct obj_version {
	char etag[80];       /* "" when the answer had none */
	time_t mtime;        /* Last-Modified; -1 when the answer had none */
};

/* Read up to len bytes at off into buf (a ranged GET; handles OSS ignoring
 * an out-of-range Range).  curl writes the body straight into buf.  *got
 * is what was read (0 at/after EOF); *ver (may be NULL) the version the
 * bytes are of. */
int obj_get_range(struct req_engine *e, const char *key, off_t off, size_t len,
		  char *buf, size_t *got, struct obj_version *ver,
		  struct oss_error *err);
/* Whether two answers may be of different versions of the object. */
bool obj_version_differs(const struct obj_version *a,
			 const struct obj_version *b);
int obj_delete(struct req_engine *e, const char *key, struct oss_error *err);
int obj_head(struct req_engine *e, const char *key, off_t *size, time_t *mtime,
	     struct oss_error *err);

#endif
