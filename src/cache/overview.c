/*
 * The overview of every channel (cache/overview.h): one listing, then
 * the stats of the enabled channels, asked by OVERVIEW_PARALLEL workers
 * (the calling thread and up to 15 more) that take the next channel
 * from a shared index.  The first failure stops the asking: the channels
 * not yet asked stay unknown, and the reader gets an answer within one
 * request's time-outs instead of N/16 of them.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_i.h"

struct gather {
	struct req_engine *e;
	struct chan_state *items;
	size_t n;
	atomic_size_t next;
	atomic_bool stop;
	pthread_mutex_t lock;           /* guards the failure below */
	int failed_errno;
	struct oss_error err;
};

void overview_free(struct overview *o)
{
	free(o->items);
	o->items = NULL;
	o->n = 0;
}

static void copy_stat(struct chan_state *cs, const struct live_stat *st)
{
	cs->known = true;
	cs->state = st->state;
	cs->connected_at = st->connected_at;
	snprintf(cs->remote_addr, sizeof(cs->remote_addr), "%s", st->remote_addr);
	snprintf(cs->connected_time, sizeof(cs->connected_time), "%s",
		 st->connected_time);
	snprintf(cs->video_bandwidth, sizeof(cs->video_bandwidth), "%s",
		 st->video_bandwidth);
	snprintf(cs->audio_bandwidth, sizeof(cs->audio_bandwidth), "%s",
		 st->audio_bandwidth);
}

static void stat_one(struct gather *g, struct chan_state *cs)
{
	struct oss_error err = { 0 };
	struct live_stat st;
	int ret = live_get_stat(g->e, cs->name, &st, &err);

	if (ret == 0) {
		copy_stat(cs, &st);
		return;
	}
	if (ret == -ENOENT) {           /* deleted since the listing */
		cs->gone = true;
		return;
	}
	atomic_store(&g->stop, true);
	pthread_mutex_lock(&g->lock);
	if (!g->failed_errno) {
		g->failed_errno = ret;
		g->err = err;
	}
	pthread_mutex_unlock(&g->lock);
}

static void *stat_worker(void *arg)
{
	struct gather *g = arg;
	size_t i;

	while (!atomic_load(&g->stop) &&
	       (i = atomic_fetch_add(&g->next, 1)) < g->n)
		if (g->items[i].enabled)
			stat_one(g, &g->items[i]);
	return NULL;
}

static void stat_all(struct gather *g, size_t enabled)
{
	size_t want = enabled < OVERVIEW_PARALLEL ? enabled : OVERVIEW_PARALLEL;
	pthread_t t[OVERVIEW_PARALLEL];
	size_t nt = 0;

	/* The caller is a worker too; with no thread to spare it asks alone. */
	while (nt + 1 < want && pthread_create(&t[nt], NULL, stat_worker, g) == 0)
		nt++;
	stat_worker(g);
	while (nt > 0)
		pthread_join(t[--nt], NULL);
}

static int from_list(const struct live_list *l, struct overview *out,
		     size_t *enabled)
{
	out->items = calloc(l->n ? l->n : 1, sizeof(*out->items));
	if (!out->items)
		return -ENOMEM;
	*enabled = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct chan_state *cs = &out->items[out->n];

		if (cache_hidden(l->items[i].name))
			continue;
		snprintf(cs->name, sizeof(cs->name), "%s", l->items[i].name);
		cs->enabled = l->items[i].enabled;
		/* A disabled channel needs no stat: it cannot be live. */
		if (!cs->enabled) {
			cs->known = true;
			cs->state = LIVE_DISABLED;
		}
		*enabled += cs->enabled;
		out->n++;
	}
	return 0;
}

/* Drops the channels deleted meanwhile; counts those left unknown. */
static void settle(struct overview *o)
{
	size_t i, n = 0;

	for (i = 0; i < o->n; i++) {
		if (o->items[i].gone)
			continue;
		o->unknown += !o->items[i].known;
		o->items[n++] = o->items[i];
	}
	o->n = n;
}

static int copy_items(struct chan_state **dst, const struct chan_state *src,
		      size_t n)
{
	*dst = malloc((n ? n : 1) * sizeof(**dst));
	if (!*dst)
		return -ENOMEM;
	if (n)
		memcpy(*dst, src, n * sizeof(**dst));
	return 0;
}

/* A complete overview becomes the one shown while OSS fails. */
static void remember(struct cache *c, const struct overview *o)
{
	struct chan_state *items;

	if (copy_items(&items, o->items, o->n))
		return;
	pthread_mutex_lock(&c->last_lock);
	free(c->last);
	c->last = items;
	c->nlast = o->n;
	c->last_at = o->as_of;
	pthread_mutex_unlock(&c->last_lock);
}

static int recall(struct cache *c, struct overview *out)
{
	int ret;

	pthread_mutex_lock(&c->last_lock);
	ret = copy_items(&out->items, c->last, c->nlast);
	if (ret == 0) {
		out->n = c->nlast;
		out->as_of = c->last_at;
	}
	pthread_mutex_unlock(&c->last_lock);
	return ret;
}

void cache_overview_clear(struct cache *c)
{
	free(c->last);
	c->last = NULL;
	c->nlast = 0;
}

static int gather_stats(struct req_engine *e, struct overview *out,
			size_t enabled)
{
	struct gather g = { .e = e, .items = out->items, .n = out->n };

	pthread_mutex_init(&g.lock, NULL);
	stat_all(&g, enabled);
	pthread_mutex_destroy(&g.lock);
	if (g.failed_errno == -ENOMEM)
		return -ENOMEM;
	if (g.failed_errno) {
		out->failed_op = "GetLiveChannelStat";
		out->failed_errno = g.failed_errno;
		out->err = g.err;
	}
	settle(out);
	return 0;
}

int cache_overview(struct cache *c, struct overview *out)
{
	struct live_list l = { 0 };
	size_t enabled = 0;
	int ret;

	*out = (struct overview){ 0 };
	ret = live_list(c->engine, NULL, &l, &out->err);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		out->failed_op = "ListLiveChannel";
		out->failed_errno = ret;
		return recall(c, out);
	}
	out->as_of = time(NULL);
	ret = from_list(&l, out, &enabled);
	live_list_free(&l);
	if (ret == 0)
		ret = gather_stats(c->engine, out, enabled);
	if (ret) {
		overview_free(out);
		return ret;
	}
	if (!out->failed_op)
		remember(c, out);
	return 0;
}
