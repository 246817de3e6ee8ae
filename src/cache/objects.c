/* Each channel's objects (ListObjects prefix="<ch>/"), trusted for the
 * TTL; the listings of the last OBJS_MAX channels used are kept.  No lock
 * is held while ListObjects is on the network: listings of one channel
 * share one request in flight (flight.c), other channels go on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_i.h"
#include "util/metrics.h"

#define OBJS_MAX 64

struct obj_listing {
	struct obj_listing *next;
	char ch[LIVE_NAME_MAX + 1];
	struct obj_list list;
	struct timespec fetched;
	bool valid;
};

void cache_objs_clear(struct cache *c)
{
	struct obj_listing *o, *on;

	for (o = c->objs; o; o = on) {
		on = o->next;
		obj_list_free(&o->list);
		free(o);
	}
	c->objs = NULL;
}

/* Called with objs_lock held. */
static struct obj_listing *listing_find(struct cache *c, const char *ch)
{
	struct obj_listing *o;

	for (o = c->objs; o && strcmp(o->ch, ch) != 0; o = o->next)
		;
	return o;
}

/* Called with objs_lock held: a new listing of ch, in front. */
static struct obj_listing *listing_add(struct cache *c, const char *ch)
{
	struct obj_listing *o, **pp, *last;
	size_t n = 0;

	for (o = c->objs; o; o = o->next)
		n++;
	if (n >= OBJS_MAX) {
		/* Drop the oldest listing: new ones go to the front. */
		for (pp = &c->objs; (*pp)->next; pp = &(*pp)->next)
			;
		last = *pp;
		*pp = NULL;
		obj_list_free(&last->list);
		free(last);
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	snprintf(o->ch, sizeof(o->ch), "%s", ch);
	o->next = c->objs;
	c->objs = o;
	return o;
}

/* Called with objs_lock held: l becomes the listing of ch, unless the
 * cache was invalidated while it was on the network. */
static int listing_install(struct cache *c, const char *ch, struct obj_list *l,
			   unsigned gen)
{
	struct obj_listing *o;

	if (gen != c->objs_gen)
		return 0;
	o = listing_find(c, ch);
	if (!o)
		o = listing_add(c, ch);
	if (!o)
		return -ENOMEM;
	obj_list_free(&o->list);
	o->list = *l;
	*l = (struct obj_list){ 0 };
	clock_gettime(CLOCK_MONOTONIC, &o->fetched);
	o->valid = true;
	return 0;
}

/* Called with objs_lock held, released while ListObjects is on the
 * network. */
static int listing_fetch(struct cache *c, const char *ch, struct oss_error *err)
{
	struct flight *f = flight_begin(&c->objs_flights, ch);
	struct obj_list l = { 0 };
	char prefix[LIVE_NAME_MAX + 2];
	unsigned gen = c->objs_gen;
	int ret;

	if (!f)
		return -ENOMEM;
	snprintf(prefix, sizeof(prefix), "%s/", ch);
	pthread_mutex_unlock(&c->objs_lock);
	ret = obj_list(c->engine, prefix, &l, err);
	pthread_mutex_lock(&c->objs_lock);
	if (ret == 0)
		ret = listing_install(c, ch, &l, gen);
	obj_list_free(&l);
	flight_end(c, &c->objs_flights, f, ret, err);
	return ret;
}

/* Called with objs_lock held: the listing of ch, fresh or just fetched (by
 * this caller or by the one it waited for). */
static int listing_get(struct cache *c, const char *ch, struct obj_listing **out,
		       struct oss_error *err)
{
	bool fetched = false;
	struct obj_listing *o;
	struct flight *f;
	int ret;

	for (;;) {
		o = listing_find(c, ch);
		if (o && o->valid && (fetched || cache_fresh(c, &o->fetched))) {
			metrics_cache("vod", !fetched);
			*out = o;
			return 0;
		}
		f = flight_find(c->objs_flights, ch);
		ret = f ? flight_wait(c, &c->objs_lock, f, err)
			: listing_fetch(c, ch, err);
		if (ret) {
			metrics_cache("vod", false);
			return ret;
		}
		fetched = true;
	}
}

int cache_obj_foreach(struct cache *c, const char *ch,
		      int (*fn)(void *arg, const char *name,
				const struct obj_info *oi),
		      void *arg, struct oss_error *err)
{
	struct obj_listing *o = NULL;
	size_t i;
	int ret;

	pthread_mutex_lock(&c->objs_lock);
	ret = listing_get(c, ch, &o, err);
	for (i = 0; ret == 0 && i < o->list.n; i++) {
		const struct obj_entry *e = &o->list.items[i];
		struct obj_info oi = { .size = e->size, .mtime = e->mtime };

		if (fn(arg, e->name, &oi))
			break;
	}
	pthread_mutex_unlock(&c->objs_lock);
	return ret;
}

struct obj_find {
	const char *name;
	struct obj_info *out;
	bool found;
};

static int obj_match(void *arg, const char *name, const struct obj_info *oi)
{
	struct obj_find *f = arg;

	if (strcmp(name, f->name) != 0)
		return 0;
	*f->out = *oi;
	f->found = true;
	return 1;
}

int cache_obj_lookup(struct cache *c, const char *ch, const char *name,
		     struct obj_info *out, struct oss_error *err)
{
	struct obj_info dummy;
	struct obj_find f = { .name = name, .out = out ? out : &dummy };
	int ret = cache_obj_foreach(c, ch, obj_match, &f, err);

	if (ret)
		return ret;
	return f.found ? 0 : -ENOENT;
}

void cache_obj_invalidate(struct cache *c, const char *ch)
{
	struct obj_listing *o;

	pthread_mutex_lock(&c->objs_lock);
	c->objs_gen++;
	for (o = c->objs; o; o = o->next)
		if (strcmp(o->ch, ch) == 0)
			o->valid = false;
	pthread_mutex_unlock(&c->objs_lock);
}
