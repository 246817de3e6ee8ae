/*
 * Reading vod/ objects through ranged GETs, with a window of ranges in
 * flight ahead of a reader that goes forward.
 *
 * Each open file has VOD_READER_SLOTS range slots.  The read that finds no
 * slot holding its offset fetches that range itself (the "demand" range);
 * the ranges beyond it are queued on the mount's fetch workers
 * (fetch_pool.c), as many as the reader's window: none after an open or a
 * seek; one when a read that continues the previous one is served from a
 * full range (the object goes on), doubling with each such read, up to
 * VOD_READER_SLOTS - 1.  A seek cancels the queued ranges and closes the
 * window again, so a reader that jumps around fetches only what it reads.
 *
 * curl writes each range straight into its slot's buffer (req.recv_buf),
 * and reads copy from there into the FUSE reply: one copy of each byte.
 *
 * Memory: a slot takes a buffer from the pool when it starts a range and
 * gives it back once the range is read to its end, dropped, or the file
 * closed (the pool unmaps idle ones, see fetch_pool.c).  Read-ahead buffers count against the mount's budget
 * (VOD_MOUNT_BUDGET); a demand range may exceed it by one buffer per
 * reading thread, so that a reader never waits for another reader's
 * read-ahead.
 *
 * Failures: a read-ahead range that failed hands its error to the read
 * that needs it, which does not fetch it again (that would pay a second
 * full time-out); the slot is then cleared, so the next read tries afresh.
 *
 * One version: the first answer fixes which version of the object (its
 * ETag, else Last-Modified) the reader reads.  A range answered from
 * another version (the object was written again meanwhile) fails with
 * EIO, so a reader gets the bytes of one version or an error, never a mix
 * of two.
 *
 * Threads: several FUSE threads may read one file at once; the reader's
 * lock guards its slots and is never held across a request (demand
 * ranges are fetched with it released, the slot marked pending).
 *
 * Whole small objects: when the listing gave the object's size and the
 * rest of it fits in RANGE_WHOLE, the demand range asks for one byte past
 * that size, so that a segment is one GET whose short answer shows the end.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_pool.h"
#include "fs_i.h"
#include "oss/obj.h"

#define RANGE_FIRST ((size_t)1 << 20)   /* the demand range, at least */
#define RANGE_WHOLE FETCH_BUF_SIZE      /* the rest of an object read at once */
#define RANGE_AHEAD FETCH_BUF_SIZE      /* each read-ahead range */

enum slot_state { S_FREE, S_PENDING, S_DONE, S_FAILED };

struct slot {
	struct fetch_job job;           /* first: the worker gets &job */
	struct vod_reader *r;
	enum slot_state state;
	off_t off;
	size_t want;                    /* bytes asked for */
	size_t len;                     /* bytes received; < want at the end */
	char *buf;                      /* FETCH_BUF_SIZE bytes, from the pool */
	int ret;
	struct oss_error err;
	const char *why;                /* a failure of ours, not of OSS */
	struct obj_version ver;         /* the answer's */
};

struct vod_reader {
	struct req_engine *engine;
	struct fetch_pool *pool;
	char *key;
	pthread_mutex_t lock;
	pthread_cond_t changed;         /* a slot left S_PENDING */
	struct slot slots[VOD_READER_SLOTS];
	unsigned window;                /* read-ahead ranges wanted */
	off_t next;                     /* where the next read-ahead starts */
	off_t last_end;                 /* end of the last read served */
	off_t size_hint;                /* from the listing; -1 unknown */
	off_t eof;                      /* -1 until a short range shows it */
	bool seeked;                    /* some read did not go on from the last */
	bool whole;                     /* read from 0 to the end, not told yet */
	bool told;
	struct obj_version ver;         /* of the first answer: the one read */
};

int vod_reader_new(struct fs_ctx *c, const char *key, off_t size_hint,
		   struct vod_reader **out)
{
	struct vod_reader *r = calloc(1, sizeof(*r));
	size_t i;

	if (!r || !(r->key = strdup(key))) {
		free(r);
		return -ENOMEM;
	}
	r->engine = c->engine;
	r->pool = c->fetch;
	r->size_hint = size_hint;
	r->eof = -1;
	r->ver.mtime = -1;              /* no answer yet */
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	for (i = 0; i < VOD_READER_SLOTS; i++)
		r->slots[i].r = r;
	*out = r;
	return 0;
}

static void slot_unmap(struct vod_reader *r, struct slot *s)
{
	fetch_pool_buf_put(r->pool, s->buf);
	s->buf = NULL;
}

/* A demand range may go over the mount's budget (force): a reader never
 * waits for the read-ahead of others. */
static int slot_map(struct vod_reader *r, struct slot *s, bool force)
{
	if (!s->buf)
		s->buf = fetch_pool_buf_get(r->pool, force);
	if (s->buf)
		return 0;
	return force ? -ENOMEM : -EAGAIN;
}

/* A slot done with gives its buffer back to the mount at once, so that
 * readers share the budget by what they have in flight or unread. */
static void slot_release(struct vod_reader *r, struct slot *s)
{
	s->state = S_FREE;
	slot_unmap(r, s);
}

/* Queued ranges are taken back; running ones are left to finish. */
static void slot_drop(struct vod_reader *r, struct slot *s)
{
	if (s->state == S_PENDING && fetch_pool_cancel(r->pool, &s->job))
		slot_release(r, s);
	else if (s->state == S_DONE || s->state == S_FAILED)
		slot_release(r, s);
}

void vod_reader_free(struct vod_reader *r)
{
	size_t i;
	bool pending;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	do {
		pending = false;
		for (i = 0; i < VOD_READER_SLOTS; i++) {
			slot_drop(r, &r->slots[i]);
			pending |= r->slots[i].state == S_PENDING;
		}
		if (pending)
			pthread_cond_wait(&r->changed, &r->lock);
	} while (pending);
	pthread_mutex_unlock(&r->lock);
	for (i = 0; i < VOD_READER_SLOTS; i++)
		slot_unmap(r, &r->slots[i]);
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
	free(r->key);
	free(r);
}

static bool version_known(const struct obj_version *v)
{
	return v->etag[0] || v->mtime >= 0;
}

/* Called with the lock held: whether an answer of version v may be
 * served; the first one that has a version fixes it. */
static bool same_version(struct vod_reader *r, const struct obj_version *v)
{
	if (!version_known(v))
		return true;            /* past the end: no bytes, no version */
	if (!version_known(&r->ver)) {
		r->ver = *v;
		return true;
	}
	return !obj_version_differs(&r->ver, v);
}

/* Called with the lock held. */
static void slot_finish(struct vod_reader *r, struct slot *s, int ret,
			size_t got, const struct oss_error *err)
{
	s->why = NULL;
	if (ret == 0 && !same_version(r, &s->ver)) {
		ret = -EIO;
		s->why = "the object was written again while it was read "
			 "(another ETag): open it again to read the new one";
	}
	s->ret = ret;
	s->len = ret ? 0 : got;
	s->err = s->why ? (struct oss_error){ 0 } : *err;
	s->state = ret ? S_FAILED : S_DONE;
	pthread_cond_broadcast(&r->changed);
}

static void slot_run(struct fetch_job *job)
{
	struct slot *s = (struct slot *)job;
	struct vod_reader *r = s->r;
	struct oss_error err = { 0 };
	size_t got = 0;
	int ret;

	ret = obj_get_range(r->engine, r->key, s->off, s->want, s->buf, &got,
			    &s->ver, &err);
	pthread_mutex_lock(&r->lock);
	slot_finish(r, s, ret, got, &err);
	pthread_mutex_unlock(&r->lock);
}

static struct slot *find(struct vod_reader *r, off_t pos)
{
	size_t i;

	for (i = 0; i < VOD_READER_SLOTS; i++) {
		struct slot *s = &r->slots[i];

		if (s->state != S_FREE && pos >= s->off &&
		    pos < s->off + (off_t)s->want)
			return s;
	}
	return NULL;
}

static struct slot *free_slot(struct vod_reader *r)
{
	size_t i;

	for (i = 0; i < VOD_READER_SLOTS; i++)
		if (r->slots[i].state == S_FREE)
			return &r->slots[i];
	return NULL;
}

static unsigned ahead_of(struct vod_reader *r, off_t pos)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < VOD_READER_SLOTS; i++)
		if (r->slots[i].state != S_FREE && r->slots[i].off > pos)
			n++;
	return n;
}

/* The next read-ahead range: 0 when there is nothing more to read. */
static size_t ahead_size(const struct vod_reader *r)
{
	off_t end = r->size_hint >= 0 ? r->size_hint + 1 : -1;
	size_t want = RANGE_AHEAD;

	if (r->eof >= 0 && r->next >= r->eof)
		return 0;
	/* One byte past the listed size: the short answer shows the end. */
	if (end >= 0 && r->next >= end)
		return 0;
	if (end >= 0 && r->next + (off_t)want > end)
		want = (size_t)(end - r->next);
	return want;
}

/* Queues read-ahead ranges until the window is full, the budget is used
 * up or no slot is free. */
static void top_up(struct vod_reader *r, off_t pos)
{
	struct slot *s;
	size_t want;

	while (ahead_of(r, pos) < r->window && (want = ahead_size(r)) &&
	       (s = free_slot(r))) {
		if (slot_map(r, s, false))
			return;
		s->off = r->next;
		s->want = want;
		s->len = 0;
		s->state = S_PENDING;
		s->job.run = slot_run;
		if (fetch_pool_submit(r->pool, &s->job)) {
			s->state = S_FREE;
			return;
		}
		r->next += (off_t)want;
	}
}

/* A slot for a demand range: free, else one whose data is not needed,
 * else a queued read-ahead taken back; NULL: all are being fetched. */
static struct slot *claim(struct vod_reader *r)
{
	struct slot *s = free_slot(r);
	size_t i;

	for (i = 0; !s && i < VOD_READER_SLOTS; i++) {
		slot_drop(r, &r->slots[i]);
		if (r->slots[i].state == S_FREE)
			s = &r->slots[i];
	}
	return s;
}

static size_t demand_size(const struct vod_reader *r, off_t pos, size_t size)
{
	size_t want = size > RANGE_FIRST ? size : RANGE_FIRST;
	off_t rest = r->size_hint - pos + 1;

	if (r->size_hint >= pos && rest <= (off_t)RANGE_WHOLE &&
	    (size_t)rest > want)
		want = (size_t)rest;
	return want < FETCH_BUF_SIZE ? want : FETCH_BUF_SIZE;
}

/* Fetches the range at pos in this thread, without the lock. */
static int demand(struct vod_reader *r, off_t pos, size_t size)
{
	size_t want = demand_size(r, pos, size), got = 0;
	struct oss_error err = { 0 };
	struct slot *s;
	int ret;

	while (!(s = claim(r)))
		pthread_cond_wait(&r->changed, &r->lock);
	ret = slot_map(r, s, true);
	if (ret)
		return ret;
	s->off = pos;
	s->want = want;
	s->len = 0;
	s->state = S_PENDING;
	if (r->next < pos + (off_t)want)
		r->next = pos + (off_t)want;
	pthread_mutex_unlock(&r->lock);
	ret = obj_get_range(r->engine, r->key, pos, want, s->buf, &got, &s->ver,
			    &err);
	pthread_mutex_lock(&r->lock);
	slot_finish(r, s, ret, got, &err);
	return 0;
}

/* A read elsewhere than where this reader was going: close the window. */
static void seek(struct vod_reader *r, off_t off)
{
	size_t i;

	if (find(r, off) || off == r->last_end || off == r->next)
		return;
	r->window = 0;
	r->next = off;
	for (i = 0; i < VOD_READER_SLOTS; i++)
		slot_drop(r, &r->slots[i]);
}

/* Waits until a slot holds pos (fetching it when none will): the slot,
 * or NULL at the end of the object. */
static int slot_at(struct vod_reader *r, off_t pos, size_t size,
		   struct slot **out)
{
	struct slot *s;
	int ret;

	*out = NULL;
	for (;;) {
		if (r->eof >= 0 && pos >= r->eof)
			return 0;
		s = find(r, pos);
		if (!s) {
			ret = demand(r, pos, size);
			if (ret)
				return ret;
		} else if (s->state == S_PENDING) {
			pthread_cond_wait(&r->changed, &r->lock);
		} else if (s->state == S_DONE && s->len < s->want &&
			   pos >= s->off + (off_t)s->len) {
			r->eof = s->off + (off_t)s->len;
		} else {
			*out = s;
			return 0;
		}
	}
}

static unsigned grow(unsigned window)
{
	if (window == 0)
		return 1;
	return window * 2 < VOD_READER_SLOTS - 1 ? window * 2
						 : VOD_READER_SLOTS - 1;
}

static void clear_failed(struct vod_reader *r, off_t pos)
{
	struct slot *s = find(r, pos);

	if (s && s->state == S_FAILED)
		slot_release(r, s);
}

/* Copies what the slot at pos holds; *n is 0 at the end. */
static int serve(struct vod_reader *r, char *dst, size_t size, off_t pos,
		 bool sequential, size_t *n, struct oss_error *err,
		 const char **why)
{
	struct slot *s;
	off_t end;
	int ret;

	*n = 0;
	ret = slot_at(r, pos, size, &s);
	if (ret || !s)
		return ret;
	if (s->state == S_FAILED) {
		*err = s->err;
		*why = s->why;
		return s->ret;
	}
	end = s->off + (off_t)s->len;
	*n = (size_t)(end - pos) < size ? (size_t)(end - pos) : size;
	memcpy(dst, s->buf + (pos - s->off), *n);
	/* A forward reader of an object that goes on past this range: the
	 * window opens, and doubles with each read that goes on. */
	if (sequential && s->len == s->want)
		r->window = grow(r->window);
	if (pos + (off_t)*n == s->off + (off_t)s->want)
		slot_release(r, s);     /* consumed */
	top_up(r, pos + (off_t)*n);
	return 0;
}

int vod_reader_read(struct vod_reader *r, const char *path, char *buf,
		    size_t size, off_t off)
{
	struct oss_error err = { 0 };
	const char *why = NULL;
	size_t done = 0, n;
	bool sequential;
	int ret = 0;

	pthread_mutex_lock(&r->lock);
	sequential = off == r->last_end;
	r->seeked |= !sequential;
	seek(r, off);
	/* Fill the whole request: a short read would look like the end. */
	while (done < size) {
		ret = serve(r, buf + done, size - done, off + (off_t)done,
			    sequential, &n, &err, &why);
		if (ret || n == 0)
			break;
		done += n;
	}
	/* A failure is reported once, by the read that starts on it; the
	 * next read fetches afresh. */
	if (ret && !done)
		clear_failed(r, off);
	r->last_end = off + (off_t)done;
	if (!ret && !r->seeked && r->eof >= 0 && r->last_end >= r->eof)
		r->whole = true;
	pthread_mutex_unlock(&r->lock);
	if (ret && !done)
		fs_log_fail("read", path, ret, why, &err);
	return done ? (int)done : ret;
}

bool vod_reader_matches(struct vod_reader *r, off_t size, time_t mtime)
{
	bool ok;

	pthread_mutex_lock(&r->lock);
	ok = r->size_hint == size && (r->eof < 0 || r->eof == size) &&
	     (r->ver.mtime < 0 || mtime <= 0 || r->ver.mtime == mtime);
	pthread_mutex_unlock(&r->lock);
	return ok;
}

bool vod_reader_read_whole(struct vod_reader *r)
{
	bool tell;

	pthread_mutex_lock(&r->lock);
	tell = r->whole && !r->told;
	r->told |= tell;
	pthread_mutex_unlock(&r->lock);
	return tell;
}

int vod_reader_prefetch(struct vod_reader *r)
{
	struct slot *s = &r->slots[0];
	int ret;

	pthread_mutex_lock(&r->lock);
	ret = slot_map(r, s, false);
	if (!ret) {
		s->off = 0;
		s->want = demand_size(r, 0, 0);
		s->len = 0;
		s->state = S_PENDING;
		s->job.run = slot_run;
		ret = fetch_pool_submit(r->pool, &s->job);
		if (ret)
			s->state = S_FREE;
		else
			r->next = (off_t)s->want;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}
