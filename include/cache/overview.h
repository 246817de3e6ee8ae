/* Every channel's state at once, for .osslivefs/: the whole listing and
 * one GetLiveChannelStat per enabled channel, OVERVIEW_PARALLEL at a time
 * over the engine's connection pool. */
#ifndef OSSLIVEFS_CACHE_OVERVIEW_H
#define OSSLIVEFS_CACHE_OVERVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cache/cache.h"
#include "oss/live.h"

#define OVERVIEW_PARALLEL 16

struct chan_state {
	char name[LIVE_NAME_MAX + 1];
	bool enabled;
	bool known;                     /* the state below was answered */
	bool gone;                      /* deleted between listing and stat */
	enum live_state state;
	/* While live, as OSS gives them ("" when absent). */
	char remote_addr[64];
	char connected_time[40];
	time_t connected_at;            /* 0 when unknown */
	char video_bandwidth[24];
	char audio_bandwidth[24];
};

struct overview {
	struct chan_state *items;       /* sorted by name */
	size_t n;
	time_t as_of;                   /* when listed; 0: never */
	/* When OSS failed: the listing (items are then the last complete
	 * overview) or a stat (unknown channels are !known). */
	const char *failed_op;          /* NULL: everything is fresh */
	int failed_errno;
	struct oss_error err;
	size_t unknown;                 /* enabled channels without a state */
};

/*
 * Gathers the overview now (the listing of this cache is not used: an
 * overview is always fresh).  A failure of OSS is not an error: it is
 * described in out (failed_op), and the gathering stops asking at the
 * first one, so it never takes longer than a request's own time-outs.
 * Returns 0 or -ENOMEM.  Free out with overview_free().
 */
int cache_overview(struct cache *c, struct overview *out);
void overview_free(struct overview *o);

#endif
