/*
 * Objects read one after the other: `cp` of a channel's segments, ffmpeg
 * playing a VOD playlist through the mount.  Each segment is one GET, and
 * without help each open would wait its round trip before the next one.
 *
 * When an object of a channel has been read whole and then a later object
 * of the same kind (.ts after .ts) is opened in that channel, the mount
 * starts fetching the PREFETCH_AHEAD objects of that kind that follow it
 * in listing order (those of at most FETCH_BUF_SIZE, each in one GET), as
 * readers of their own on the fetch workers; the open that comes for one
 * of them takes that reader over.  One object read alone (`cat x.ts`)
 * never starts it: reading a segment stays one GET.
 *
 * The prefetched readers that nobody opens are dropped when a prediction
 * leaves them out, and when the fetch workers have been idle and the
 * readers are older than PREFETCH_KEEP_SECS: an idle mount keeps none.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch_pool.h"
#include "fs_i.h"

#define PREFETCH_AHEAD 4
#define PREFETCH_KEEP_SECS 30

struct spec {
	char obj[NAME_MAX + 1];
	struct vod_reader *r;           /* NULL: unused */
};

struct vod_prefetch {
	pthread_mutex_t lock;
	char whole_ch[NAME_MAX + 1];    /* the last object read whole */
	char whole_obj[NAME_MAX + 1];
	char ch[NAME_MAX + 1];          /* the channel of the readers below */
	struct spec spec[PREFETCH_AHEAD];
	time_t made;                    /* when the last one was made */
};

static bool drop_old(void *arg);

int vod_prefetch_new(struct fs_ctx *c)
{
	struct vod_prefetch *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	c->prefetch = p;
	fetch_pool_on_idle(c->fetch, drop_old, c);
	return 0;
}

/* Takes every reader out of the table (the lock held), for freeing
 * without the lock: a reader being fetched is waited for. */
static size_t take_all(struct vod_prefetch *p, struct vod_reader **out)
{
	size_t i, n = 0;

	for (i = 0; i < PREFETCH_AHEAD; i++) {
		if (p->spec[i].r)
			out[n++] = p->spec[i].r;
		p->spec[i].r = NULL;
	}
	return n;
}

static void free_all(struct vod_reader **r, size_t n)
{
	while (n > 0)
		vod_reader_free(r[--n]);
}

/* Called by the last idle fetch worker: true while it should wait on. */
static bool drop_old(void *arg)
{
	struct fs_ctx *c = arg;
	struct vod_prefetch *p = c->prefetch;
	struct vod_reader *old[PREFETCH_AHEAD];
	size_t n = 0, i;
	bool keep = false;

	pthread_mutex_lock(&p->lock);
	if (time(NULL) - p->made >= PREFETCH_KEEP_SECS)
		n = take_all(p, old);
	for (i = 0; i < PREFETCH_AHEAD; i++)
		keep |= p->spec[i].r != NULL;
	pthread_mutex_unlock(&p->lock);
	free_all(old, n);
	return keep;
}

/* Before the fetch pool goes (its workers may still call drop_old). */
void vod_prefetch_free(struct fs_ctx *c)
{
	struct vod_prefetch *p = c->prefetch;
	struct vod_reader *old[PREFETCH_AHEAD];
	size_t n;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	n = take_all(p, old);
	pthread_mutex_unlock(&p->lock);
	free_all(old, n);
}

void vod_prefetch_destroy(struct fs_ctx *c)
{
	if (!c->prefetch)
		return;
	pthread_mutex_destroy(&c->prefetch->lock);
	free(c->prefetch);
	c->prefetch = NULL;
}

struct vod_reader *vod_prefetch_take(struct fs_ctx *c, const struct node *n)
{
	struct vod_prefetch *p = c->prefetch;
	struct vod_reader *r = NULL;
	size_t i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < PREFETCH_AHEAD && !r; i++) {
		struct spec *s = &p->spec[i];

		if (s->r && strcmp(p->ch, n->ch) == 0 &&
		    strcmp(s->obj, n->obj) == 0) {
			r = s->r;
			s->r = NULL;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

void vod_prefetch_read_whole(struct fs_ctx *c, const struct node *n)
{
	struct vod_prefetch *p = c->prefetch;

	pthread_mutex_lock(&p->lock);
	memcpy(p->whole_ch, n->ch, sizeof(p->whole_ch));
	memcpy(p->whole_obj, n->obj, sizeof(p->whole_obj));
	pthread_mutex_unlock(&p->lock);
}

static const char *kind(const char *obj)
{
	const char *dot = strrchr(obj, '.');

	return dot ? dot : "";
}

/* The objects after one, of its kind and small enough, in listing order. */
struct next_objs {
	const char *after;
	struct spec want[PREFETCH_AHEAD];
	off_t size[PREFETCH_AHEAD];
	size_t n;
};

static int next_obj(void *arg, const char *name, const struct obj_info *oi)
{
	struct next_objs *x = arg;

	if (strcmp(name, x->after) <= 0 ||
	    strcmp(kind(name), kind(x->after)) != 0 ||
	    oi->size > (off_t)FETCH_BUF_SIZE || strlen(name) > NAME_MAX)
		return 0;
	strcpy(x->want[x->n].obj, name);
	x->size[x->n] = oi->size;
	return ++x->n == PREFETCH_AHEAD;
}

/* Called with the lock held: n follows the last object read whole. */
static bool goes_on(const struct vod_prefetch *p, const struct node *n)
{
	return strcmp(p->whole_ch, n->ch) == 0 &&
	       strcmp(p->whole_obj, n->obj) < 0 &&
	       strcmp(kind(p->whole_obj), kind(n->obj)) == 0;
}

/* The new table: the readers kept from the old one, new ones started;
 * what the old one had beyond that goes to old. */
static void renew(struct fs_ctx *c, struct vod_prefetch *p, const char *ch,
		  struct next_objs *x, struct vod_reader **old, size_t *nold)
{
	char key[2 * NAME_MAX + 2];
	size_t i, j;

	for (i = 0; i < x->n; i++) {
		for (j = 0; j < PREFETCH_AHEAD && !x->want[i].r; j++) {
			struct spec *s = &p->spec[j];

			if (s->r && strcmp(p->ch, ch) == 0 &&
			    strcmp(s->obj, x->want[i].obj) == 0) {
				x->want[i].r = s->r;
				s->r = NULL;
			}
		}
		if (x->want[i].r)
			continue;
		snprintf(key, sizeof(key), "%s/%s", ch, x->want[i].obj);
		if (vod_reader_new(c, key, x->size[i], &x->want[i].r))
			break;
		if (vod_reader_prefetch(x->want[i].r)) {
			old[(*nold)++] = x->want[i].r;    /* budget used up */
			x->want[i].r = NULL;
			break;
		}
		p->made = time(NULL);
	}
	*nold += take_all(p, old + *nold);
	memcpy(p->spec, x->want, sizeof(p->spec));
	memcpy(p->ch, ch, sizeof(p->ch));
}

void vod_prefetch_opened(struct fs_ctx *c, const struct node *n)
{
	struct vod_prefetch *p = c->prefetch;
	struct next_objs x = { .after = n->obj };
	struct vod_reader *old[2 * PREFETCH_AHEAD];
	struct oss_error err = { 0 };
	size_t nold = 0;
	bool go;

	pthread_mutex_lock(&p->lock);
	go = goes_on(p, n);
	pthread_mutex_unlock(&p->lock);
	/* The listing is cached: the open that came here has just used it. */
	if (!go || cache_obj_foreach(c->cache, n->ch, next_obj, &x, &err))
		return;
	pthread_mutex_lock(&p->lock);
	renew(c, p, n->ch, &x, old, &nold);
	pthread_mutex_unlock(&p->lock);
	free_all(old, nold);
}
