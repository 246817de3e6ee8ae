/* Internal to the cache layer. */
#ifndef OSSLIVEFS_CACHE_I_H
#define OSSLIVEFS_CACHE_I_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "cache/cache.h"
#include "oss/obj.h"

/* What is kept of a listed channel: small, since a bucket may hold tens
 * of thousands.  struct live_channel is the API's full answer and struct
 * chan_info the copy handed out; this is the compact form in between. */
struct chan_entry {
	char name[LIVE_NAME_MAX + 1];
	bool enabled;
	time_t mtime;
	char *play_url;
};

struct chan_probe;                      /* one-channel lookups */
struct obj_listing;                     /* one channel's objects */

struct cache {
	struct req_engine *engine;
	unsigned ttl;                   /* seconds */

	pthread_mutex_t chans_lock;
	struct chan_entry *chans;       /* sorted by name, as OSS lists them */
	size_t nchans;
	struct timespec chans_fetched;
	bool chans_valid;
	/* Lookups of one name while the whole listing is stale: one
	 * request each, whatever the number of channels. */
	struct chan_probe *probes;
	size_t nprobes;

	pthread_mutex_t objs_lock;
	struct obj_listing *objs;
};

/* Whether something fetched at t is still within the TTL. */
bool cache_fresh(const struct cache *c, const struct timespec *t);

void cache_chans_clear(struct cache *c);
void cache_objs_clear(struct cache *c);

#endif
