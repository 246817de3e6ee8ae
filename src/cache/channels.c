/* The channel listing: one ListLiveChannel walk trusted for the TTL, and
 * one-channel lookups (ListLiveChannel prefix=name, max-keys=1) while it is
 * stale.  One fetch at a time: concurrent lookups wait for it instead of
 * sending their own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_i.h"
#include "oss/live_config.h"

#define PROBES_MAX 1024

struct chan_probe {
	struct chan_probe *next;
	struct chan_entry entry;
	bool exists;
	struct timespec fetched;
};

static void entries_free(struct chan_entry *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i].play_url);
	free(items);
}

static void probes_clear(struct cache *c)
{
	struct chan_probe *p, *pn;

	for (p = c->probes; p; p = pn) {
		pn = p->next;
		free(p->entry.play_url);
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

/* Takes over the play URL of lc. */
static void entry_from(struct chan_entry *e, struct live_channel *lc)
{
	*e = (struct chan_entry){
		.enabled = lc->enabled,
		.mtime = lc->last_modified,
		.play_url = lc->play_url,
	};
	strcpy(e->name, lc->name);
	lc->play_url = NULL;
}

/* Called with chans_lock held. */
static int chans_refresh(struct cache *c, struct oss_error *err)
{
	struct live_list l = { 0 };
	struct chan_entry *items;
	size_t i;
	int ret;

	if (c->chans_valid && cache_fresh(c, &c->chans_fetched))
		return 0;
	ret = live_list(c->engine, NULL, &l, err);
	if (ret)
		return ret;
	items = calloc(l.n ? l.n : 1, sizeof(*items));
	if (!items) {
		live_list_free(&l);
		return -ENOMEM;
	}
	for (i = 0; i < l.n; i++)
		entry_from(&items[i], &l.items[i]);
	cache_chans_clear(c);
	c->chans = items;
	c->nchans = l.n;
	live_list_free(&l);
	clock_gettime(CLOCK_MONOTONIC, &c->chans_fetched);
	c->chans_valid = true;
	return 0;
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
	if (slash)
		snprintf(out->playlist_name, sizeof(out->playlist_name), "%s", slash + 1);
}

/* Called with chans_lock held: the entry of name, fetched alone. */
static int chan_probe(struct cache *c, const char *name,
		      const struct chan_entry **out, struct oss_error *err)
{
	struct live_channel lc = { 0 };
	struct chan_probe *p;
	int ret;

	for (p = c->probes; p; p = p->next)
		if (strcmp(p->entry.name, name) == 0 && cache_fresh(c, &p->fetched)) {
			*out = &p->entry;
			return p->exists ? 0 : -ENOENT;
		}
	ret = live_lookup(c->engine, name, &lc, err);
	if (ret && ret != -ENOENT)
		return ret;
	if (c->nprobes >= PROBES_MAX)
		probes_clear(c);
	p = calloc(1, sizeof(*p));
	if (!p) {
		live_channel_free(&lc);
		return -ENOMEM;
	}
	p->exists = ret == 0;
	if (p->exists)
		entry_from(&p->entry, &lc);
	else
		snprintf(p->entry.name, sizeof(p->entry.name), "%s", name);
	live_channel_free(&lc);
	clock_gettime(CLOCK_MONOTONIC, &p->fetched);
	p->next = c->probes;
	c->probes = p;
	c->nprobes++;
	*out = &p->entry;
	return ret;
}

int cache_chan_lookup(struct cache *c, const char *name, struct chan_info *out,
		      struct oss_error *err)
{
	const struct chan_entry *e = NULL;
	int ret = 0;

	pthread_mutex_lock(&c->chans_lock);
	if (c->chans_valid && cache_fresh(c, &c->chans_fetched)) {
		if (c->nchans)
			e = bsearch(name, c->chans, c->nchans, sizeof(*e),
				    cmp_channel);
		if (!e)
			ret = -ENOENT;
	} else if (live_name_check(name)) {
		ret = -ENOENT;          /* no such channel can exist */
	} else {
		ret = chan_probe(c, name, &e, err);
	}
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
	probes_clear(c);
	pthread_mutex_unlock(&c->chans_lock);
}
