/*
 * Reading vod/ objects: ranged GETs of at least 1 MiB, growing to 4 MiB
 * while the reader goes forward, and the next range fetched in the
 * background while the current one is served, so that the network and
 * the FUSE copies overlap.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_i.h"
#include "oss/obj.h"

#define CHUNK_MIN (1u << 20)
#define CHUNK_MAX (4u << 20)

struct chunk {
	char *data;
	size_t cap;
	size_t len;
	off_t off;
	size_t want;
};

struct vod_reader {
	struct fs_ctx *c;
	char *key;
	struct chunk cur;
	off_t eof;                      /* -1 until a short range shows it */
	size_t next_size;               /* the size of the next range */
	/* The read-ahead: its thread owns ahead, ahead_ret and ahead_err
	 * until it is joined. */
	pthread_t thread;
	bool running;
	struct chunk ahead;
	int ahead_ret;
	struct oss_error ahead_err;
};

static int fetch(struct fs_ctx *c, const char *key, struct chunk *ch, off_t off,
		 size_t want, struct oss_error *err)
{
	size_t got = 0;
	int ret;

	if (want > ch->cap) {
		char *p = realloc(ch->data, want);

		if (!p)
			return -ENOMEM;
		ch->data = p;
		ch->cap = want;
	}
	ch->len = 0;
	ch->off = off;
	ch->want = want;
	ret = obj_get_range(c->engine, key, off, want, ch->data, &got, err);
	if (ret == 0)
		ch->len = got;
	return ret;
}

static void *ahead_main(void *arg)
{
	struct vod_reader *r = arg;

	r->ahead_ret = fetch(r->c, r->key, &r->ahead, r->ahead.off,
			     r->ahead.want, &r->ahead_err);
	return NULL;
}

static void ahead_start(struct vod_reader *r, off_t off, size_t want)
{
	r->ahead.off = off;
	r->ahead.want = want;
	r->ahead_err = (struct oss_error){ 0 };
	/* Without a thread the next read simply fetches in the foreground. */
	r->running = pthread_create(&r->thread, NULL, ahead_main, r) == 0;
}

/* Waits for the read-ahead: 1 when it holds off, 0 when it guessed
 * wrong, or its error with err filled.  A read-ahead that failed already
 * waited its retries and time-outs: the read that waited for it fails at
 * once rather than paying them a second time. */
static int ahead_take(struct vod_reader *r, off_t off, struct oss_error *err)
{
	struct chunk tmp;

	if (!r->running)
		return 0;
	pthread_join(r->thread, NULL);
	r->running = false;
	if (r->ahead_ret) {
		*err = r->ahead_err;
		return r->ahead_ret;
	}
	if (r->ahead.off != off)
		return 0;
	tmp = r->cur;
	r->cur = r->ahead;
	r->ahead = tmp;
	return 1;
}

int vod_reader_new(struct fs_ctx *c, const char *key, struct vod_reader **out)
{
	struct vod_reader *r = calloc(1, sizeof(*r));

	if (!r || !(r->key = strdup(key))) {
		free(r);
		return -ENOMEM;
	}
	r->c = c;
	r->eof = -1;
	r->next_size = CHUNK_MIN;
	*out = r;
	return 0;
}

void vod_reader_free(struct vod_reader *r)
{
	if (!r)
		return;
	if (r->running)
		pthread_join(r->thread, NULL);
	free(r->cur.data);
	free(r->ahead.data);
	free(r->key);
	free(r);
}

/* Makes cur hold off: from the read-ahead when it guessed right, else
 * fetched now; then starts reading ahead of it. */
static int load(struct vod_reader *r, const char *path, off_t off, size_t size)
{
	struct oss_error err = { 0 };
	bool sequential = r->cur.len && off == r->cur.off + (off_t)r->cur.len;
	int ret = ahead_take(r, off, &err);

	if (ret <= 0) {
		size_t want;

		r->next_size = sequential ? r->next_size : CHUNK_MIN;
		want = size > r->next_size ? size : r->next_size;
		if (ret == 0)
			ret = fetch(r->c, r->key, &r->cur, off, want, &err);
		if (ret) {
			r->cur.len = 0;
			fs_log_fail("read", path, ret, NULL, &err);
			return ret;
		}
	}
	if (r->cur.len < r->cur.want) {
		r->eof = r->cur.off + (off_t)r->cur.len;
		return 0;
	}
	/* Read ahead only for a reader going forward: a seek would waste it. */
	if (!sequential && off != 0)
		return 0;
	r->next_size = r->next_size * 2 > CHUNK_MAX ? CHUNK_MAX : r->next_size * 2;
	ahead_start(r, r->cur.off + (off_t)r->cur.len, r->next_size);
	return 0;
}

int vod_reader_read(struct vod_reader *r, const char *path, char *buf,
		    size_t size, off_t off)
{
	size_t done = 0;
	int ret;

	/* Fill the whole request: a short read would look like the end. */
	while (done < size) {
		off_t pos = off + (off_t)done;
		size_t n;

		if (r->eof >= 0 && pos >= r->eof)
			break;
		if (pos < r->cur.off || pos >= r->cur.off + (off_t)r->cur.len) {
			ret = load(r, path, pos, size - done);
			if (ret)
				return done ? (int)done : ret;
			if (pos >= r->cur.off + (off_t)r->cur.len)
				break;
		}
		n = (size_t)(r->cur.off + (off_t)r->cur.len - pos);
		if (n > size - done)
			n = size - done;
		memcpy(buf + done, r->cur.data + (pos - r->cur.off), n);
		done += n;
	}
	return (int)done;
}
