/* The last content seen of each channel file, keyed "<ch>/<file>". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache/content.h"

struct content_entry {
	struct content_entry *next;
	struct timespec fetched;        /* CLOCK_MONOTONIC */
	time_t changed;
	bool taken;
	char *data;
	size_t len;
	char key[];
};

void content_init(struct content_cache *cc)
{
	*cc = (struct content_cache){ .n = 0 };
	pthread_mutex_init(&cc->lock, NULL);
}

static void entry_free(struct content_entry *e)
{
	free(e->data);
	free(e);
}

void content_destroy(struct content_cache *cc)
{
	for (size_t i = 0; i < CONTENT_BUCKETS; i++) {
		struct content_entry *e, *next;

		for (e = cc->buckets[i]; e; e = next) {
			next = e->next;
			entry_free(e);
		}
		cc->buckets[i] = NULL;
	}
	cc->n = 0;
	pthread_mutex_destroy(&cc->lock);
}

static size_t hash(const char *ch)
{
	size_t h = 5381;

	for (; *ch; ch++)
		h = h * 33 + (unsigned char)*ch;
	return h % CONTENT_BUCKETS;
}

static bool key_is(const struct content_entry *e, const char *ch,
		   const char *file)
{
	size_t n = strlen(ch);

	return strncmp(e->key, ch, n) == 0 && e->key[n] == '/' &&
	       (!file || strcmp(e->key + n + 1, file) == 0);
}

/* Called with lock held. */
static struct content_entry **find(struct content_cache *cc, const char *ch,
				   const char *file)
{
	struct content_entry **pp;

	for (pp = &cc->buckets[hash(ch)]; *pp; pp = &(*pp)->next)
		if (key_is(*pp, ch, file))
			return pp;
	return NULL;
}

static double age(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

int content_get(struct content_cache *cc, const char *ch, const char *file,
		double max_age, bool take, struct sbuf *out,
		struct content_hit *hit)
{
	struct content_entry **pp, *e;
	int ret = -ENOENT;

	pthread_mutex_lock(&cc->lock);
	pp = find(cc, ch, file);
	e = pp ? *pp : NULL;
	if (e && age(&e->fetched) < max_age && !(take && e->taken)) {
		ret = out ? sbuf_add(out, e->data ? e->data : "", e->len) : 0;
		if (hit)
			*hit = (struct content_hit){ .len = e->len, .changed = e->changed };
		if (take)
			e->taken = true;
	}
	pthread_mutex_unlock(&cc->lock);
	return ret;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Called with lock held: makes room by dropping the entry fetched first
 * (a scan, only when full: CONTENT_MAX entries take microseconds). */
static void evict_oldest(struct content_cache *cc)
{
	struct content_entry **oldest = NULL, **pp;

	for (size_t i = 0; i < CONTENT_BUCKETS; i++)
		for (pp = &cc->buckets[i]; *pp; pp = &(*pp)->next)
			if (!oldest || before(&(*pp)->fetched, &(*oldest)->fetched))
				oldest = pp;
	if (oldest) {
		struct content_entry *e = *oldest;

		*oldest = e->next;
		entry_free(e);
		cc->n--;
	}
}

/* Called with lock held. */
static struct content_entry *add(struct content_cache *cc, const char *ch,
				 const char *file, time_t since)
{
	size_t klen = strlen(ch) + strlen(file) + 2;
	struct content_entry *e;
	size_t h = hash(ch);

	if (cc->n >= CONTENT_MAX)
		evict_oldest(cc);
	e = calloc(1, sizeof(*e) + klen);
	if (!e)
		return NULL;
	strcpy(e->key, ch);
	strcat(e->key, "/");
	strcat(e->key, file);
	e->changed = since;
	e->next = cc->buckets[h];
	cc->buckets[h] = e;
	cc->n++;
	return e;
}

void content_put(struct content_cache *cc, const char *ch, const char *file,
		 const char *data, size_t len, time_t since, bool taken)
{
	struct content_entry **pp, *e;
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return;                 /* a cache: the next stat fetches */
	memcpy(copy, data, len);
	pthread_mutex_lock(&cc->lock);
	pp = find(cc, ch, file);
	e = pp ? *pp : add(cc, ch, file, since);
	if (!e) {
		pthread_mutex_unlock(&cc->lock);
		free(copy);
		return;
	}
	if (pp && (e->len != len || memcmp(e->data, data, len) != 0))
		e->changed = time(NULL);
	free(e->data);
	e->data = copy;
	e->len = len;
	e->taken = taken;
	clock_gettime(CLOCK_MONOTONIC, &e->fetched);
	pthread_mutex_unlock(&cc->lock);
}

void content_drop(struct content_cache *cc, const char *ch, const char *file)
{
	struct content_entry **pp;

	pthread_mutex_lock(&cc->lock);
	while ((pp = find(cc, ch, file))) {
		struct content_entry *e = *pp;

		*pp = e->next;
		entry_free(e);
		cc->n--;
	}
	pthread_mutex_unlock(&cc->lock);
}
