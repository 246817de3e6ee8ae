/*
 * What rm did in this mount without telling OSS.  A tool that replaces a
 * file removes it first and creates it again (install, mv from another
 * filesystem, tar xf): the removal only hides the channel file for a
 * moment.  rm -r and find -delete remove every channel file first, then
 * the objects of vod/, then vod/ and the channel: from the moment every
 * channel file is hidden, the objects are only noted, and the deletion
 * happens at the channel's rmdir, after OSS agreed to delete the channel.
 * So a tree deletion is all or nothing.  Records lapse HIDE_SECS after
 * their last change: an interrupted rm -r deletes nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hide.h"
#include "oss/live.h"

struct hidden {
	struct hidden *next;
	char ch[LIVE_NAME_MAX + 1];
	unsigned files;         /* bit per hidden channel file */
	unsigned creating;      /* bit per file created again, still open */
	unsigned all;           /* the bits of every channel file */
	bool vod;               /* vod/ itself was removed */
	char **objs;
	size_t nobjs, cap;
	time_t until;           /* CLOCK_MONOTONIC seconds */
};

void hide_init(struct hide_table *t)
{
	*t = (struct hide_table){ .nobjs = 0 };
	pthread_mutex_init(&t->lock, NULL);
}

static time_t now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

static void free_record(struct hide_table *t, struct hidden *h)
{
	for (size_t i = 0; i < h->nobjs; i++)
		free(h->objs[i]);
	t->nobjs -= h->nobjs;
	free(h->objs);
	free(h);
}

/* Called with lock held: ch's live record (NULL when none), lapsed
 * records dropped on the way. */
static struct hidden *find(struct hide_table *t, const char *ch)
{
	struct hidden **pp = &t->head, *h;
	time_t now = now_mono();

	while ((h = *pp)) {
		if (h->until < now) {
			*pp = h->next;
			free_record(t, h);
			continue;
		}
		if (strcmp(h->ch, ch) == 0)
			return h;
		pp = &h->next;
	}
	return NULL;
}

/* Called with lock held. */
static struct hidden *find_or_add(struct hide_table *t, const char *ch)
{
	struct hidden *h = find(t, ch);

	if (h)
		return h;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	strncpy(h->ch, ch, LIVE_NAME_MAX);
	h->next = t->head;
	t->head = h;
	return h;
}

int hide_file(struct hide_table *t, const char *ch, unsigned idx,
	      unsigned nfiles)
{
	struct hidden *h;

	pthread_mutex_lock(&t->lock);
	h = find_or_add(t, ch);
	if (h) {
		h->files |= 1u << idx;
		h->all = (1u << nfiles) - 1;
		h->until = now_mono() + HIDE_SECS;
	}
	pthread_mutex_unlock(&t->lock);
	return h ? 0 : -ENOMEM;
}

void hide_file_undo(struct hide_table *t, const char *ch, unsigned idx)
{
	struct hidden *h;

	pthread_mutex_lock(&t->lock);
	h = find(t, ch);
	if (h)
		h->files &= ~(1u << idx);
	pthread_mutex_unlock(&t->lock);
}

void hide_file_created(struct hide_table *t, const char *ch, unsigned idx)
{
	struct hidden *h;

	pthread_mutex_lock(&t->lock);
	h = find_or_add(t, ch);
	if (h) {
		h->files &= ~(1u << idx);
		h->creating |= 1u << idx;
		h->until = now_mono() + HIDE_SECS;
	}
	pthread_mutex_unlock(&t->lock);
}

void hide_file_closed(struct hide_table *t, const char *ch, unsigned idx)
{
	struct hidden *h;

	pthread_mutex_lock(&t->lock);
	h = find(t, ch);
	if (h)
		h->creating &= ~(1u << idx);
	pthread_mutex_unlock(&t->lock);
}

bool hide_file_creating(struct hide_table *t, const char *ch, unsigned idx)
{
	struct hidden *h;
	bool ret;

	pthread_mutex_lock(&t->lock);
	h = find(t, ch);
	ret = h && (h->creating & (1u << idx));
	pthread_mutex_unlock(&t->lock);
	return ret;
}

bool hide_file_is(struct hide_table *t, const char *ch, unsigned idx)
{
	struct hidden *h;
	bool ret;

	pthread_mutex_lock(&t->lock);
	h = find(t, ch);
	ret = h && (h->files & (1u << idx));
	pthread_mutex_unlock(&t->lock);
	return ret;
}

bool hide_removing(struct hide_table *t, const char *ch)
{
	struct hidden *h;
	bool ret;

	pthread_mutex_lock(&t->lock);
	h = find(t, ch);
	ret = h && h->all && (h->files & h->all) == h->all;
	pthread_mutex_unlock(&t->lock);
	return ret;
}

/* Called with lock held. */
static int add_obj(struct hide_table *t, struct hidden *h, const char *name)
{
	char *copy;

	if (t->nobjs >= HIDE_OBJS_MAX)
		return -ENOSPC;
	if (h->nobjs == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		char **p = realloc(h->objs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		h->objs = p;
		h->cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	h->objs[h->nobjs++] = copy;
	t->nobjs++;
	return 0;
}

int hide_obj(struct hide_table *t, const char *ch, const char *name)
{
	struct hidden *h;
	int ret = -ENOENT;

	pthread_mutex_lock(&t->lock);
	h = find(t, ch);
	if (h) {
		ret = add_obj(t, h, name);
		h->until = now_mono() + HIDE_SECS;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

bool hide_obj_is(struct hide_table *t, const char *ch, const char *name)
{
	struct hidden *h;
	bool ret = false;

	pthread_mutex_lock(&t->lock);
	h = find(t, ch);
	for (size_t i = 0; h && !ret && i < h->nobjs; i++)
		ret = strcmp(h->objs[i], name) == 0;
	pthread_mutex_unlock(&t->lock);
	return ret;
}

int hide_vod(struct hide_table *t, const char *ch)
{
	struct hidden *h;

	pthread_mutex_lock(&t->lock);
	h = find_or_add(t, ch);
	if (h) {
		h->vod = true;
		h->until = now_mono() + HIDE_SECS;
	}
	pthread_mutex_unlock(&t->lock);
	return h ? 0 : -ENOMEM;
}

bool hide_vod_is(struct hide_table *t, const char *ch)
{
	struct hidden *h;
	bool ret;

	pthread_mutex_lock(&t->lock);
	h = find(t, ch);
	ret = h && h->vod;
	pthread_mutex_unlock(&t->lock);
	return ret;
}

void hide_end(struct hide_table *t, const char *ch,
	      void (*fn)(void *arg, const char *name),
	      void *arg)
{
	struct hidden **pp, *h = NULL;

	pthread_mutex_lock(&t->lock);
	if (find(t, ch)) {
		for (pp = &t->head; (h = *pp); pp = &h->next) {
			if (strcmp(h->ch, ch) == 0) {
				*pp = h->next;
				break;
			}
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (!h)
		return;
	/* Out of the table: fn may take its time (a request per object). */
	for (size_t i = 0; fn && i < h->nobjs; i++)
		fn(arg, h->objs[i]);
	pthread_mutex_lock(&t->lock);
	free_record(t, h);
	pthread_mutex_unlock(&t->lock);
}

void hide_clear(struct hide_table *t)
{
	while (t->head) {
		struct hidden *h = t->head;

		t->head = h->next;
		free_record(t, h);
	}
	pthread_mutex_destroy(&t->lock);
}
