/* The cache's life cycle and its one notion of freshness. */
#include <errno.h>
#include <stdlib.h>

#include "cache_i.h"

bool cache_fresh(const struct cache *c, const struct timespec *t)
{
	struct timespec now;
	double age;

	clock_gettime(CLOCK_MONOTONIC, &now);
	age = (double)(now.tv_sec - t->tv_sec) +
	      (double)(now.tv_nsec - t->tv_nsec) / 1e9;
	return age < (double)c->ttl;
}

int cache_new(struct req_engine *e, unsigned ttl, struct cache **out)
{
	struct cache *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->engine = e;
	c->ttl = ttl;
	pthread_mutex_init(&c->chans_lock, NULL);
	pthread_mutex_init(&c->objs_lock, NULL);
	pthread_mutex_init(&c->last_lock, NULL);
	pthread_cond_init(&c->flight_done, NULL);
	*out = c;
	return 0;
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	cache_chans_clear(c);
	cache_objs_clear(c);
	cache_overview_clear(c);
	pthread_mutex_destroy(&c->chans_lock);
	pthread_mutex_destroy(&c->objs_lock);
	pthread_mutex_destroy(&c->last_lock);
	pthread_cond_destroy(&c->flight_done);
	free(c);
}
