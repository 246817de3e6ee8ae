/*
 * Single flight: concurrent lookups of the same thing share one request
 * in flight, and no lock is held while it is on the network.  The caller's
 * mutex guards the list; a waiter sleeps on the cache's condition
 * variable, which releases that mutex, so lookups of other things go on.
 * A waiter takes the leader's result, its failure included: a stalled
 * server costs every caller one request's time-out, not one per caller.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_i.h"

struct flight {
	struct flight *next;
	bool done;
	int refs;                       /* the leader and its waiters */
	int ret;
	struct oss_error err;
	char key[];
};

static void flight_put(struct flight *f)
{
	if (--f->refs == 0)
		free(f);
}

struct flight *flight_find(struct flight *head, const char *key)
{
	for (; head; head = head->next)
		if (strcmp(head->key, key) == 0)
			return head;
	return NULL;
}

struct flight *flight_begin(struct flight **head, const char *key)
{
	struct flight *f = calloc(1, sizeof(*f) + strlen(key) + 1);

	if (!f)
		return NULL;
	strcpy(f->key, key);
	f->refs = 1;
	f->next = *head;
	*head = f;
	return f;
}

void flight_end(struct cache *c, struct flight **head, struct flight *f,
		int ret, const struct oss_error *err)
{
	struct flight **pp;

	for (pp = head; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	f->done = true;
	f->ret = ret;
	if (err)
		f->err = *err;
	pthread_cond_broadcast(&c->flight_done);
	flight_put(f);
}

int flight_wait(struct cache *c, pthread_mutex_t *lock, struct flight *f,
		struct oss_error *err)
{
	int ret;

	f->refs++;
	while (!f->done)
		pthread_cond_wait(&c->flight_done, lock);
	ret = f->ret;
	if (ret && err)
		*err = f->err;
	flight_put(f);
	return ret;
}
