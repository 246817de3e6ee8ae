/* Each channel's objects (ListObjects prefix="<ch>/"), trusted for the
 * TTL; the listings of the last OBJS_MAX channels used are kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_i.h"

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

/* Called with objs_lock held: the listing of ch, created when missing. */
static struct obj_listing *listing_of(struct cache *c, const char *ch)
{
	struct obj_listing *o, **pp, *last;
	size_t n = 0;

	for (o = c->objs; o; o = o->next) {
		if (strcmp(o->ch, ch) == 0)
			return o;
		n++;
	}
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

static int listing_refresh(struct cache *c, struct obj_listing *o,
			   struct oss_error *err)
{
	struct obj_list fresh_list = { 0 };
	char prefix[LIVE_NAME_MAX + 2];
	int ret;

	if (o->valid && cache_fresh(c, &o->fetched))
		return 0;
	snprintf(prefix, sizeof(prefix), "%s/", o->ch);
	ret = obj_list(c->engine, prefix, &fresh_list, err);
	if (ret)
		return ret;
	obj_list_free(&o->list);
	o->list = fresh_list;
	clock_gettime(CLOCK_MONOTONIC, &o->fetched);
	o->valid = true;
	return 0;
}

int cache_obj_foreach(struct cache *c, const char *ch,
		      int (*fn)(void *arg, const char *name,
				const struct obj_info *oi),
		      void *arg, struct oss_error *err)
{
	struct obj_listing *o;
	size_t i;
	int ret = -ENOMEM;

	pthread_mutex_lock(&c->objs_lock);
	o = listing_of(c, ch);
	if (o)
		ret = listing_refresh(c, o, err);
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
	for (o = c->objs; o; o = o->next)
		if (strcmp(o->ch, ch) == 0)
			o->valid = false;
	pthread_mutex_unlock(&c->objs_lock);
}
