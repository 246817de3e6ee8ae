/* Listings of channels and of each channel's objects, trusted for
 * cache_ttl seconds (design §3, the small service between the FUSE adapter
 * and the API).  Everything handed out is a copy: no lock is held once a
 * call returns. */
#ifndef OSSLIVEFS_CACHE_CACHE_H
#define OSSLIVEFS_CACHE_CACHE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "http/osserr.h"
#include "oss/live.h"

struct req_engine;
struct cache;

int cache_new(struct req_engine *e, unsigned ttl, struct cache **out);
void cache_free(struct cache *c);

/* One channel as the FUSE adapter sees it. */
struct chan_info {
	char name[LIVE_NAME_MAX + 1];
	bool enabled;
	time_t mtime;
	char playlist_name[LIVE_PLAYLIST_MAX + 1];   /* from the play URL */
	char play_url[1024];
	char publish_url[1024];                      /* unsigned, as listed */
};

/* 0, -ENOENT or another negative errno with err filled.  out may be NULL. */
int cache_chan_lookup(struct cache *c, const char *name, struct chan_info *out,
		      struct oss_error *err);
/* Calls fn for every channel (the listing, refreshed when stale) until fn
 * returns non-zero. */
int cache_chan_foreach(struct cache *c,
		       int (*fn)(void *arg, const struct chan_info *ch),
		       void *arg, struct oss_error *err);
void cache_chan_invalidate(struct cache *c);

/* One object directly under "<ch>/". */
struct obj_info {
	off_t size;
	time_t mtime;
};

int cache_obj_lookup(struct cache *c, const char *ch, const char *name,
		     struct obj_info *out, struct oss_error *err);
int cache_obj_foreach(struct cache *c, const char *ch,
		      int (*fn)(void *arg, const char *name,
				const struct obj_info *oi),
		      void *arg, struct oss_error *err);
void cache_obj_invalidate(struct cache *c, const char *ch);

#endif
