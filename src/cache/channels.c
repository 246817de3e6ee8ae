/* The channel listing: one ListLiveChannel walk trusted for the TTL, and
 * one-channel lookups (ListLiveChannel prefix=name, max-keys=1) while it is
 * stale.  No lock is held while a request is on the network: lookups of
 * the same thing share one request in flight (flight.c), others go on. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_i.h"
#include "oss/live_config.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/str.h"

#define PROBES_MAX 1024
#define LISTING_KEY "/"                 /* no channel name holds a '/' */

struct chan_probe {
	struct chan_probe *next;
	char name[LIVE_NAME_MAX + 1];
	struct chan_table t;            /* the channel, when it exists */
	bool exists;
	struct timespec fetched;
};

static void probes_clear(struct cache *c)
{
	struct chan_probe *p, *pn;

	for (p = c->probes; p; p = pn) {
		pn = p->next;
		chan_table_free(&p->t);
		free(p);
	}
	c->probes = NULL;
	c->nprobes = 0;
}

void cache_chans_clear(struct cache *c)
{
	chan_table_free(&c->chans);
	c->chans_valid = false;
	probes_clear(c);
}

/* Called with chans_lock held: t becomes the listing, unless the cache
 * was invalidated while it was on the network (then it may predate a
 * change of ours). */
static void chans_install(struct cache *c, struct chan_table *t,
			  const struct live_walk *w, unsigned gen)
{
	char name[4 * LIVE_NAME_MAX + 1];

	if (w->skipped)
		log_warn("ListLiveChannel: skipped %zu channel%s whose name cannot "
			 "be shown (control characters), first '%s'", w->skipped,
			 w->skipped == 1 ? "" : "s",
			 str_escape(w->first_skipped, name, sizeof(name)));
	if (gen != c->chans_gen)
		return;
	cache_chans_clear(c);
	c->chans = *t;
	*t = (struct chan_table){ 0 };
	clock_gettime(CLOCK_MONOTONIC, &c->chans_fetched);
	c->chans_valid = true;
}

static int walk_add(void *arg, struct live_channel *ch)
{
	return chan_table_add(arg, ch);
}

/* Called with chans_lock held, which is released while ListLiveChannel
 * is on the network.  The pages go straight into the compact table. */
static int chans_fetch(struct cache *c, struct oss_error *err)
{
	struct flight *f = flight_begin(&c->chans_flights, LISTING_KEY);
	struct chan_table t = { 0 };
	struct live_walk w = { .fn = walk_add, .arg = &t };
	unsigned gen = c->chans_gen;
	int ret;

	if (!f)
		return -ENOMEM;
	pthread_mutex_unlock(&c->chans_lock);
	ret = live_list_walk(c->engine, NULL, &w, err);
	if (ret == 0)
		chan_table_done(&t);
	/* The pages' XML documents, megabytes of small blocks now free,
	 * would stay in the process for good: glibc gives back only the
	 * top of the heap by itself. */
	malloc_trim(0);
	pthread_mutex_lock(&c->chans_lock);
	if (ret == 0)
		chans_install(c, &t, &w, gen);
	chan_table_free(&t);
	flight_end(c, &c->chans_flights, f, ret, err);
	return ret;
}

/* Called with chans_lock held: the listing, fresh or just fetched (by this
 * caller or by the one it waited for). */
static int chans_refresh(struct cache *c, struct oss_error *err)
{
	bool waited = false;
	struct flight *f;
	int ret;

	for (;;) {
		if (c->chans_valid &&
		    (waited || cache_fresh(c, &c->chans_fetched))) {
			metrics_cache("channels", !waited);
			return 0;
		}
		f = flight_find(c->chans_flights, LISTING_KEY);
		ret = f ? flight_wait(c, &c->chans_lock, f, err)
			: chans_fetch(c, err);
		if (ret) {
			metrics_cache("channels", false);
			return ret;
		}
		waited = true;
	}
}

/* Called with chans_lock held: remembers what a lookup of name found
 * (lc NULL: no such channel). */
static int probe_add(struct cache *c, const char *name,
		     const struct live_channel *lc)
{
	struct chan_probe *p;
	int ret;

	if (c->nprobes >= PROBES_MAX)
		probes_clear(c);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->exists = lc != NULL;
	ret = lc ? chan_table_add(&p->t, lc) : 0;
	if (ret) {
		chan_table_free(&p->t);
		free(p);
		return ret;
	}
	chan_table_done(&p->t);
	clock_gettime(CLOCK_MONOTONIC, &p->fetched);
	p->next = c->probes;
	c->probes = p;
	c->nprobes++;
	return 0;
}

/* Called with chans_lock held, released while the lookup is on the
 * network: 0 or -ENOENT remembered as a probe, or another errno. */
static int probe_fetch(struct cache *c, const char *name, struct oss_error *err)
{
	struct flight *f = flight_begin(&c->chans_flights, name);
	struct live_channel lc = { 0 };
	unsigned gen = c->chans_gen;
	int ret, added = 0;

	if (!f)
		return -ENOMEM;
	pthread_mutex_unlock(&c->chans_lock);
	ret = live_lookup(c->engine, name, &lc, err);
	pthread_mutex_lock(&c->chans_lock);
	if ((ret == 0 || ret == -ENOENT) && gen == c->chans_gen)
		added = probe_add(c, name, ret == 0 ? &lc : NULL);
	live_channel_free(&lc);
	ret = added ? added : ret;
	flight_end(c, &c->chans_flights, f, ret, err);
	return ret;
}

/* Called with chans_lock held: 0 (*t and *e say where) or -ENOENT when
 * known (from the fresh listing, or a probe: fresh, or any when just
 * fetched), else 1. */
static int chan_known(struct cache *c, const char *name, bool fetched,
		      const struct chan_table **t, const struct chan_entry **e)
{
	struct chan_probe *p;

	if (c->chans_valid && cache_fresh(c, &c->chans_fetched)) {
		*t = &c->chans;
		*e = chan_table_find(*t, name);
		return *e ? 0 : -ENOENT;
	}
	for (p = c->probes; p; p = p->next)
		if (strcmp(p->name, name) == 0 &&
		    (fetched || cache_fresh(c, &p->fetched))) {
			*t = &p->t;
			*e = p->exists ? &p->t.items[0] : NULL;
			return p->exists ? 0 : -ENOENT;
		}
	return 1;
}

int cache_chan_lookup(struct cache *c, const char *name, struct chan_info *out,
		      struct oss_error *err)
{
	const struct chan_table *t = NULL;
	const struct chan_entry *e = NULL;
	bool fetched = false, asked = false;
	struct flight *f;
	int ret;

	if (live_name_check(name))
		return -ENOENT;         /* no such channel can exist */
	pthread_mutex_lock(&c->chans_lock);
	while ((ret = chan_known(c, name, fetched, &t, &e)) > 0) {
		asked = true;
		f = flight_find(c->chans_flights, name);
		ret = f ? flight_wait(c, &c->chans_lock, f, err)
			: probe_fetch(c, name, err);
		if (ret && ret != -ENOENT)
			break;
		fetched = true;
	}
	metrics_cache("channels", !asked);
	if (ret == 0 && out)
		chan_table_info(t, e, out);
	pthread_mutex_unlock(&c->chans_lock);
	return ret;
}

int cache_chan_foreach(struct cache *c,
		       int (*fn)(void *arg, const struct chan_info *ch),
		       void *arg, struct oss_error *err)
{
	struct chan_info ci;
	size_t i;
	int ret;

	pthread_mutex_lock(&c->chans_lock);
	ret = chans_refresh(c, err);
	for (i = 0; ret == 0 && i < c->chans.n; i++) {
		chan_table_info(&c->chans, &c->chans.items[i], &ci);
		if (fn(arg, &ci))
			break;
	}
	pthread_mutex_unlock(&c->chans_lock);
	return ret;
}

void cache_chan_invalidate(struct cache *c)
{
	pthread_mutex_lock(&c->chans_lock);
	c->chans_valid = false;
	c->chans_gen++;
	probes_clear(c);
	pthread_mutex_unlock(&c->chans_lock);
}
