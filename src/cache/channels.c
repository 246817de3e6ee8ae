/* The channel listing: one ListLiveChannel walk trusted for the TTL, and
 * one-channel lookups (ListLiveChannel prefix=name, max-keys=1) while it is
 * stale.  No lock is held while a request is on the network: lookups of
 * the same thing share one request in flight (flight.c), others go on. */
#include <errno.h>
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
	struct chan_entry entry;
	bool exists;
	struct timespec fetched;
};

static void entries_free(struct chan_entry *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].play_url);
		free(items[i].publish_url);
	}
	free(items);
}

static void probes_clear(struct cache *c)
{
	struct chan_probe *p, *pn;

	for (p = c->probes; p; p = pn) {
		pn = p->next;
		free(p->entry.play_url);
		free(p->entry.publish_url);
		free(p);
	}
	c->probes = NULL;
	c->nprobes = 0;
}

void cache_chans_clear(struct cache *c)
{
	entries_free(c->chans, c->nchans);
	c->chans = NULL;
	c->nchans = 0;
	c->chans_valid = false;
	probes_clear(c);
}

/* Takes over the URLs of lc. */
static void entry_from(struct chan_entry *e, struct live_channel *lc)
{
	*e = (struct chan_entry){
		.enabled = lc->enabled,
		.mtime = lc->last_modified,
		.play_url = lc->play_url,
		.publish_url = lc->publish_url,
	};
	strcpy(e->name, lc->name);
	lc->play_url = NULL;
	lc->publish_url = NULL;
}

/* Called with chans_lock held: l becomes the listing, unless the cache
 * was invalidated while it was on the network (then it may predate a
 * change of ours). */
static int chans_install(struct cache *c, struct live_list *l, unsigned gen)
{
	struct chan_entry *items;
	char name[4 * LIVE_NAME_MAX + 1];
	size_t i;

	if (l->skipped)
		log_warn("ListLiveChannel: skipped %zu channel%s whose name cannot "
			 "be shown (control characters), first '%s'", l->skipped,
			 l->skipped == 1 ? "" : "s",
			 str_escape(l->first_skipped, name, sizeof(name)));
	if (gen != c->chans_gen)
		return 0;
	items = calloc(l->n ? l->n : 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (i = 0; i < l->n; i++)
		entry_from(&items[i], &l->items[i]);
	cache_chans_clear(c);
	c->chans = items;
	c->nchans = l->n;
	clock_gettime(CLOCK_MONOTONIC, &c->chans_fetched);
	c->chans_valid = true;
	return 0;
}

/* Called with chans_lock held, which is released while ListLiveChannel
 * is on the network. */
static int chans_fetch(struct cache *c, struct oss_error *err)
{
	struct flight *f = flight_begin(&c->chans_flights, LISTING_KEY);
	struct live_list l = { 0 };
	unsigned gen = c->chans_gen;
	int ret;

	if (!f)
		return -ENOMEM;
	pthread_mutex_unlock(&c->chans_lock);
	ret = live_list(c->engine, NULL, &l, err);
	pthread_mutex_lock(&c->chans_lock);
	if (ret == 0)
		ret = chans_install(c, &l, gen);
	live_list_free(&l);
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

static int cmp_channel(const void *key, const void *item)
{
	return strcmp(key, ((const struct chan_entry *)item)->name);
}

static void chan_copy(const struct chan_entry *e, struct chan_info *out)
{
	const char *slash = e->play_url ? strrchr(e->play_url, '/') : NULL;

	*out = (struct chan_info){
		.enabled = e->enabled,
		.mtime = e->mtime,
	};
	strcpy(out->name, e->name);
	if (e->play_url)
		snprintf(out->play_url, sizeof(out->play_url), "%s", e->play_url);
	if (e->publish_url)
		snprintf(out->publish_url, sizeof(out->publish_url), "%s",
			 e->publish_url);
	if (slash)
		snprintf(out->playlist_name, sizeof(out->playlist_name), "%s", slash + 1);
}

/* Called with chans_lock held: remembers what a lookup of name found
 * (lc NULL: no such channel). */
static int probe_add(struct cache *c, const char *name, struct live_channel *lc)
{
	struct chan_probe *p;

	if (c->nprobes >= PROBES_MAX)
		probes_clear(c);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->exists = lc != NULL;
	if (lc)
		entry_from(&p->entry, lc);
	else
		snprintf(p->entry.name, sizeof(p->entry.name), "%s", name);
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

/* Called with chans_lock held: 0 or -ENOENT when known (from the fresh
 * listing, or a probe: fresh, or any when just fetched), else 1. */
static int chan_known(struct cache *c, const char *name, bool fetched,
		      const struct chan_entry **e)
{
	struct chan_probe *p;

	if (c->chans_valid && cache_fresh(c, &c->chans_fetched)) {
		*e = c->nchans ? bsearch(name, c->chans, c->nchans,
					 sizeof(**e), cmp_channel) : NULL;
		return *e ? 0 : -ENOENT;
	}
	for (p = c->probes; p; p = p->next)
		if (strcmp(p->entry.name, name) == 0 &&
		    (fetched || cache_fresh(c, &p->fetched))) {
			*e = &p->entry;
			return p->exists ? 0 : -ENOENT;
		}
	return 1;
}

int cache_chan_lookup(struct cache *c, const char *name, struct chan_info *out,
		      struct oss_error *err)
{
	const struct chan_entry *e = NULL;
	bool fetched = false, asked = false;
	struct flight *f;
	int ret;

	if (live_name_check(name))
		return -ENOENT;         /* no such channel can exist */
	pthread_mutex_lock(&c->chans_lock);
	while ((ret = chan_known(c, name, fetched, &e)) > 0) {
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
		chan_copy(e, out);
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
	for (i = 0; ret == 0 && i < c->nchans; i++) {
		chan_copy(&c->chans[i], &ci);
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
