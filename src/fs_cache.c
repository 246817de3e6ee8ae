/* Listings of channels and of vod/ objects, trusted for cache_ttl seconds,
 * and the last known sizes of channel files.  One fetch at a time per
 * listing: concurrent lookups wait for it instead of sending their own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"

#define VOD_CACHE_MAX 64

struct vod_cache {
	struct vod_cache *next;
	char ch[LIVE_NAME_MAX + 1];
	struct obj_list list;
	struct timespec fetched;
	bool valid;
};

struct size_cache {
	struct size_cache *next;
	off_t size;
	char key[];             /* "<ch>/<file>" */
};

static void entries_free(struct chan_entry *items, size_t n);
static void singles_clear(struct chan_cache *cc);

static bool fresh(const struct fs_ctx *c, const struct timespec *t)
{
	struct timespec now;
	double age;

	clock_gettime(CLOCK_MONOTONIC, &now);
	age = (double)(now.tv_sec - t->tv_sec) +
	      (double)(now.tv_nsec - t->tv_nsec) / 1e9;
	return age < (double)c->opt.cache_ttl;
}

int fs_ctx_init(struct fs_ctx *c)
{
	pthread_mutex_init(&c->chans.lock, NULL);
	pthread_mutex_init(&c->vods_lock, NULL);
	pthread_mutex_init(&c->sizes_lock, NULL);
	c->mounted_at = time(NULL);
	return 0;
}

void fs_ctx_destroy(struct fs_ctx *c)
{
	struct vod_cache *v, *vn;
	size_t i;

	entries_free(c->chans.items, c->chans.n);
	singles_clear(&c->chans);
	for (v = c->vods; v; v = vn) {
		vn = v->next;
		obj_list_free(&v->list);
		free(v);
	}
	c->vods = NULL;
	for (i = 0; i < FS_SIZE_BUCKETS; i++) {
		struct size_cache *s, *sn;

		for (s = c->sizes[i]; s; s = sn) {
			sn = s->next;
			free(s);
		}
		c->sizes[i] = NULL;
	}
	pthread_mutex_destroy(&c->chans.lock);
	pthread_mutex_destroy(&c->vods_lock);
	pthread_mutex_destroy(&c->sizes_lock);
}

#define SINGLES_MAX 1024

struct chan_single {
	struct chan_single *next;
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

static void singles_clear(struct chan_cache *cc)
{
	struct chan_single *s, *sn;

	for (s = cc->singles; s; s = sn) {
		sn = s->next;
		free(s->entry.play_url);
		free(s);
	}
	cc->singles = NULL;
	cc->nsingles = 0;
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

/* Called with chans.lock held. */
static int chan_refresh(struct fs_ctx *c, struct oss_error *err)
{
	struct live_list l = { 0 };
	struct chan_entry *items;
	size_t i;
	int ret;

	if (c->chans.valid && fresh(c, &c->chans.fetched))
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
	entries_free(c->chans.items, c->chans.n);
	c->chans.items = items;
	c->chans.n = l.n;
	live_list_free(&l);
	singles_clear(&c->chans);
	clock_gettime(CLOCK_MONOTONIC, &c->chans.fetched);
	c->chans.valid = true;
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

/* Called with chans.lock held: the entry of name, fetched alone. */
static int chan_single(struct fs_ctx *c, const char *name,
		       const struct chan_entry **out, struct oss_error *err)
{
	struct chan_cache *cc = &c->chans;
	struct live_channel lc = { 0 };
	struct chan_single *s;
	int ret;

	for (s = cc->singles; s; s = s->next)
		if (strcmp(s->entry.name, name) == 0 && fresh(c, &s->fetched)) {
			*out = &s->entry;
			return s->exists ? 0 : -ENOENT;
		}
	ret = live_lookup(c->engine, name, &lc, err);
	if (ret && ret != -ENOENT)
		return ret;
	if (cc->nsingles >= SINGLES_MAX)
		singles_clear(cc);
	s = calloc(1, sizeof(*s));
	if (!s) {
		live_channel_free(&lc);
		return -ENOMEM;
	}
	s->exists = ret == 0;
	if (s->exists)
		entry_from(&s->entry, &lc);
	else
		snprintf(s->entry.name, sizeof(s->entry.name), "%s", name);
	live_channel_free(&lc);
	clock_gettime(CLOCK_MONOTONIC, &s->fetched);
	s->next = cc->singles;
	cc->singles = s;
	cc->nsingles++;
	*out = &s->entry;
	return ret;
}

int chan_lookup(struct fs_ctx *c, const char *name, struct chan_info *out,
		struct oss_error *err)
{
	const struct chan_entry *e = NULL;
	int ret = 0;

	pthread_mutex_lock(&c->chans.lock);
	if (c->chans.valid && fresh(c, &c->chans.fetched)) {
		if (c->chans.n)
			e = bsearch(name, c->chans.items, c->chans.n, sizeof(*e),
				    cmp_channel);
		if (!e)
			ret = -ENOENT;
	} else if (live_name_check(name)) {
		ret = -ENOENT;          /* no such channel can exist */
	} else {
		ret = chan_single(c, name, &e, err);
	}
	if (ret == 0 && out)
		chan_copy(e, out);
	pthread_mutex_unlock(&c->chans.lock);
	return ret;
}

int chan_foreach(struct fs_ctx *c,
		 int (*fn)(void *arg, const struct chan_info *ch), void *arg,
		 struct oss_error *err)
{
	struct chan_info ci;
	size_t i;
	int ret;

	pthread_mutex_lock(&c->chans.lock);
	ret = chan_refresh(c, err);
	for (i = 0; ret == 0 && i < c->chans.n; i++) {
		chan_copy(&c->chans.items[i], &ci);
		if (fn(arg, &ci))
			break;
	}
	pthread_mutex_unlock(&c->chans.lock);
	return ret;
}

void chan_invalidate(struct fs_ctx *c)
{
	pthread_mutex_lock(&c->chans.lock);
	c->chans.valid = false;
	singles_clear(&c->chans);
	pthread_mutex_unlock(&c->chans.lock);
}

/* Called with vods_lock held: the entry of ch, created when missing. */
static struct vod_cache *vod_entry(struct fs_ctx *c, const char *ch)
{
	struct vod_cache *v, **pp, *last = NULL;
	size_t n = 0;

	for (v = c->vods; v; v = v->next) {
		if (strcmp(v->ch, ch) == 0)
			return v;
		n++;
	}
	if (n >= VOD_CACHE_MAX) {
		/* Drop the oldest entry: new ones go to the front. */
		for (pp = &c->vods; (*pp)->next; pp = &(*pp)->next)
			;
		last = *pp;
		*pp = NULL;
		obj_list_free(&last->list);
		free(last);
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	snprintf(v->ch, sizeof(v->ch), "%s", ch);
	v->next = c->vods;
	c->vods = v;
	return v;
}

static int vod_refresh(struct fs_ctx *c, struct vod_cache *v,
		       struct oss_error *err)
{
	struct obj_list fresh_list = { 0 };
	char prefix[LIVE_NAME_MAX + 2];
	int ret;

	if (v->valid && fresh(c, &v->fetched))
		return 0;
	snprintf(prefix, sizeof(prefix), "%s/", v->ch);
	ret = obj_list(c->engine, prefix, &fresh_list, err);
	if (ret)
		return ret;
	obj_list_free(&v->list);
	v->list = fresh_list;
	clock_gettime(CLOCK_MONOTONIC, &v->fetched);
	v->valid = true;
	return 0;
}

int vod_foreach(struct fs_ctx *c, const char *ch,
		int (*fn)(void *arg, const char *name, const struct vod_info *vi),
		void *arg, struct oss_error *err)
{
	struct vod_cache *v;
	size_t i;
	int ret = -ENOMEM;

	pthread_mutex_lock(&c->vods_lock);
	v = vod_entry(c, ch);
	if (v)
		ret = vod_refresh(c, v, err);
	for (i = 0; ret == 0 && i < v->list.n; i++) {
		const struct obj_entry *o = &v->list.items[i];
		struct vod_info vi = { .size = o->size, .mtime = o->mtime };

		if (fn(arg, o->name, &vi))
			break;
	}
	pthread_mutex_unlock(&c->vods_lock);
	return ret;
}

struct vod_find {
	const char *name;
	struct vod_info *out;
	bool found;
};

static int vod_match(void *arg, const char *name, const struct vod_info *vi)
{
	struct vod_find *f = arg;

	if (strcmp(name, f->name) != 0)
		return 0;
	*f->out = *vi;
	f->found = true;
	return 1;
}

int vod_lookup(struct fs_ctx *c, const char *ch, const char *name,
	       struct vod_info *out, struct oss_error *err)
{
	struct vod_info dummy;
	struct vod_find f = { .name = name, .out = out ? out : &dummy };
	int ret = vod_foreach(c, ch, vod_match, &f, err);

	if (ret)
		return ret;
	return f.found ? 0 : -ENOENT;
}

void vod_invalidate(struct fs_ctx *c, const char *ch)
{
	struct vod_cache *v;

	pthread_mutex_lock(&c->vods_lock);
	for (v = c->vods; v; v = v->next)
		if (strcmp(v->ch, ch) == 0)
			v->valid = false;
	pthread_mutex_unlock(&c->vods_lock);
}

static size_t size_hash(const char *ch, const char *file)
{
	size_t h = 5381;

	for (; *ch; ch++)
		h = h * 33 + (unsigned char)*ch;
	h = h * 33 + '/';
	for (; *file; file++)
		h = h * 33 + (unsigned char)*file;
	return h % FS_SIZE_BUCKETS;
}

static bool size_match(const struct size_cache *s, const char *ch,
		       const char *file)
{
	size_t n = strlen(ch);

	return strncmp(s->key, ch, n) == 0 && s->key[n] == '/' &&
	       strcmp(s->key + n + 1, file) == 0;
}

off_t size_get(struct fs_ctx *c, const char *ch, const char *file)
{
	struct size_cache *s;
	off_t size = 4096;

	pthread_mutex_lock(&c->sizes_lock);
	for (s = c->sizes[size_hash(ch, file)]; s; s = s->next)
		if (size_match(s, ch, file)) {
			size = s->size;
			break;
		}
	pthread_mutex_unlock(&c->sizes_lock);
	return size;
}

void size_set(struct fs_ctx *c, const char *ch, const char *file, off_t size)
{
	size_t h = size_hash(ch, file);
	struct size_cache *s;

	pthread_mutex_lock(&c->sizes_lock);
	for (s = c->sizes[h]; s; s = s->next)
		if (size_match(s, ch, file))
			break;
	if (!s) {
		s = malloc(sizeof(*s) + strlen(ch) + strlen(file) + 2);
		if (s) {
			sprintf(s->key, "%s/%s", ch, file);
			s->next = c->sizes[h];
			c->sizes[h] = s;
		}
	}
	if (s)
		s->size = size;
	pthread_mutex_unlock(&c->sizes_lock);
}
