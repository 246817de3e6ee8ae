/* Internal to the cache layer. */
#ifndef OSSLIVEFS_CACHE_I_H
#define OSSLIVEFS_CACHE_I_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "cache/cache.h"
#include "cache/overview.h"
#include "oss/obj.h"

/* What is kept of a listed channel: small, since a bucket may hold tens
 * of thousands.  struct live_channel is the API's full answer and struct
 * chan_info the copy handed out; this is the compact form in between. */
struct chan_entry {
	char name[LIVE_NAME_MAX + 1];
	bool enabled;
	time_t mtime;
	char *play_url;
	char *publish_url;
};

struct chan_probe;                      /* one-channel lookups */
struct flight;                          /* a request in flight (flight.c) */
struct obj_listing;                     /* one channel's objects */

struct cache {
	struct req_engine *engine;
	unsigned ttl;                   /* seconds */

	/* Signalled whenever a request in flight ends. */
	pthread_cond_t flight_done;

	pthread_mutex_t chans_lock;
	struct flight *chans_flights;   /* "/" for the listing, else a name */
	struct chan_entry *chans;       /* sorted by name, as OSS lists them */
	size_t nchans;
	struct timespec chans_fetched;
	bool chans_valid;
	unsigned chans_gen;             /* bumped by every invalidation */
	/* Lookups of one name while the whole listing is stale: one
	 * request each, whatever the number of channels. */
	struct chan_probe *probes;
	size_t nprobes;

	pthread_mutex_t objs_lock;
	struct obj_listing *objs;
	struct flight *objs_flights;    /* by channel name */
	unsigned objs_gen;              /* bumped by every invalidation */

	/* The last complete overview, shown while OSS fails. */
	pthread_mutex_t last_lock;
	struct chan_state *last;
	size_t nlast;
	time_t last_at;
};

/* Whether something fetched at t is still within the TTL. */
bool cache_fresh(const struct cache *c, const struct timespec *t);

void cache_chans_clear(struct cache *c);

/* flight.c, all called with the mutex that guards the list held.
 * flight_find: the request in flight for key, or NULL.  flight_begin: this
 * caller leads the request for key (NULL: no memory).  flight_end: the
 * leader's result, handed to every waiter.  flight_wait: sleeps (lock
 * released) until f ends; its result, err filled on failure. */
struct flight *flight_find(struct flight *head, const char *key);
struct flight *flight_begin(struct flight **head, const char *key);
void flight_end(struct cache *c, struct flight **head, struct flight *f,
		int ret, const struct oss_error *err);
int flight_wait(struct cache *c, pthread_mutex_t *lock, struct flight *f,
		struct oss_error *err);
void cache_objs_clear(struct cache *c);
void cache_overview_clear(struct cache *c);

/* Names beginning with '.' are never channels of the mount (the FUSE
 * layer's node_is_dot_channel): .osslivefs is its own. */
static inline bool cache_hidden(const char *name)
{
	return name[0] == '.';
}

#endif
