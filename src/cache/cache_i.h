/* Internal to the cache layer. */
#ifndef OSSLIVEFS_CACHE_I_H
#define OSSLIVEFS_CACHE_I_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cache/cache.h"
#include "cache/overview.h"
#include "oss/obj.h"

/* What is kept of a listing of channels (chantable.c): small, since a
 * bucket may hold tens of thousands.  struct live_channel is the API's
 * full answer and struct chan_info the copy handed out; this is the
 * compact form in between. */
#define CHAN_URL_NONE  0xffff           /* no such URL listed */
#define CHAN_URL_WHOLE 0xfffe           /* kept whole after the name */
#define CHAN_SHAPES    32               /* past them, URLs are kept whole */

struct chan_entry {
	time_t mtime;
	uint32_t name;                  /* offset in the table's strings */
	uint16_t publish, play;         /* a shape, or CHAN_URL_* */
	bool enabled;
};

/* A URL made of the channel's name: the strings before and after it. */
struct chan_shape {
	uint32_t pre, post;             /* offsets in the table's strings */
};

struct chan_table {
	struct chan_entry *items;       /* in the order added */
	size_t n, cap;
	char *str;                      /* names, shapes, whole URLs */
	size_t len, size;
	struct chan_shape *shapes;      /* at most CHAN_SHAPES */
	unsigned nshapes;
};

/* 0, or -ENOMEM with ch left out. */
int chan_table_add(struct chan_table *t, const struct live_channel *ch);
/* Gives back the room kept for growth: nothing more is to be added. */
void chan_table_done(struct chan_table *t);
void chan_table_free(struct chan_table *t);
const char *chan_table_name(const struct chan_table *t,
			    const struct chan_entry *e);
/* Binary search: the entries must have been added sorted by name. */
const struct chan_entry *chan_table_find(const struct chan_table *t,
					 const char *name);
void chan_table_info(const struct chan_table *t, const struct chan_entry *e,
		     struct chan_info *out);

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
	struct chan_table chans;        /* sorted by name, as OSS lists them */
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
