/*
 * A small fixed pool of fetch workers per mount, for the read-ahead of
 * vod/ readers (vod_read.c).
 *
 * Why threads and not curl multi on one thread: every request already goes
 * through the request engine's blocking call, which signs, retries with
 * backoff and parses OSS errors; a handful of workers, each blocked in one
 * such call, reuse all of that unchanged, whereas curl multi would need the
 * retry loop rewritten as a state machine.  The number of workers is the
 * mount's bound on ranges in flight; no thread is started per range.
 *
 * Workers start when there is work and nobody idle to take it, and end
 * after FETCH_IDLE_SECS without work: an idle mount keeps no thread.
 *
 * The pool also owns the range buffers (FETCH_BUF_SIZE each) and the
 * mount's budget for them.  They are mapped, not malloc'd, so that munmap
 * gives the memory back whatever malloc's thresholds have become, with
 * huge pages where the kernel has them (two page faults instead of a
 * thousand per buffer).  Buffers that readers give back are kept for the
 * next reader, and unmapped when the last worker ends after
 * FETCH_IDLE_SECS: an idle mount keeps no buffer either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "fetch_pool.h"

#define FETCH_IDLE_SECS 5
#define SPARE_MAX 16
#define WORKERS_MAX 16

/* Workers are joined (by the next spawn, or fetch_pool_free), so that
 * none is still ending when the mount goes. */
enum worker_state { W_NONE, W_RUNNING, W_ENDED };

struct worker {
	struct fetch_pool *p;
	pthread_t tid;
	enum worker_state state;
};

struct fetch_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;            /* a job was queued, or stop */
	pthread_cond_t gone;            /* a worker ended */
	struct fetch_job *head, *tail;  /* FIFO */
	unsigned max_workers;
	unsigned workers;
	unsigned idle;
	bool stop;
	size_t budget;                  /* bytes of buffers allowed */
	size_t used;                    /* bytes mapped, spares included */
	void *spare[SPARE_MAX];         /* given back, kept for reuse */
	unsigned nspare;
	struct worker w[WORKERS_MAX];
	bool (*on_idle)(void *arg);     /* see fetch_pool_on_idle */
	void *idle_arg;
};

int fetch_pool_new(unsigned max_workers, size_t budget, struct fetch_pool **out)
{
	struct fetch_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->gone, NULL);
	p->max_workers = max_workers < 1 ? 1 :
			 max_workers > WORKERS_MAX ? WORKERS_MAX : max_workers;
	p->budget = budget;
	*out = p;
	return 0;
}

/* Called with the lock held. */
static void spares_unmap(struct fetch_pool *p)
{
	while (p->nspare > 0) {
		munmap(p->spare[--p->nspare], FETCH_BUF_SIZE);
		p->used -= FETCH_BUF_SIZE;
	}
}

/* Called with the lock held: a worker that said it ended no longer needs
 * the lock, so joining it here only waits for its last instructions. */
static void reap(struct fetch_pool *p)
{
	unsigned i;

	for (i = 0; i < WORKERS_MAX; i++) {
		if (p->w[i].state != W_ENDED)
			continue;
		pthread_join(p->w[i].tid, NULL);
		p->w[i].state = W_NONE;
	}
}

void fetch_pool_free(struct fetch_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	while (p->workers > 0)
		pthread_cond_wait(&p->gone, &p->lock);
	reap(p);
	spares_unmap(p);
	pthread_mutex_unlock(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->gone);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* Called with the lock held; NULL when the queue is empty. */
static struct fetch_job *dequeue(struct fetch_pool *p)
{
	struct fetch_job *j = p->head;

	if (!j)
		return NULL;
	p->head = j->next;
	if (!p->head)
		p->tail = NULL;
	j->next = NULL;
	return j;
}

/* Called with the lock held, by a worker that waited FETCH_IDLE_SECS in
 * vain: unless another one still waits (and will ask in turn), it asks
 * on_idle (without the lock: that may give buffers back) whether to keep
 * waiting. */
static bool last_says_keep(struct fetch_pool *p)
{
	bool keep;

	if (p->idle > 0 || !p->on_idle || p->stop)
		return false;
	pthread_mutex_unlock(&p->lock);
	keep = p->on_idle(p->idle_arg);
	pthread_mutex_lock(&p->lock);
	return keep || p->head;
}

/* Waits for a job; NULL when the worker should end. */
static struct fetch_job *next_job(struct worker *w)
{
	struct fetch_pool *p = w->p;
	struct fetch_job *j;
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FETCH_IDLE_SECS;
	pthread_mutex_lock(&p->lock);
	while (!(j = dequeue(p)) && !p->stop) {
		int rc;

		p->idle++;
		rc = pthread_cond_timedwait(&p->work, &p->lock, &until);
		p->idle--;
		if (rc != ETIMEDOUT || p->head)
			continue;
		if (!last_says_keep(p))
			break;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += FETCH_IDLE_SECS;
	}
	if (!j) {
		/* The last one out gives the idle mount's buffers back. */
		if (--p->workers == 0)
			spares_unmap(p);
		w->state = W_ENDED;
		pthread_cond_broadcast(&p->gone);
	}
	pthread_mutex_unlock(&p->lock);
	return j;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct fetch_job *j;

	pthread_setname_np(pthread_self(), "vod-fetch");
	/* After the last unlock in next_job this thread no longer touches
	 * the pool. */
	while ((j = next_job(w)))
		j->run(j);
	return NULL;
}

/* Called with the lock held. */
static int spawn(struct fetch_pool *p)
{
	struct worker *w = NULL;
	pthread_attr_t attr;
	unsigned i;
	int rc;

	reap(p);
	for (i = 0; i < WORKERS_MAX && !w; i++)
		if (p->w[i].state == W_NONE)
			w = &p->w[i];
	if (!w)
		return -EAGAIN;
	pthread_attr_init(&attr);
	/* A worker only waits in curl: 1 MiB of stack is plenty. */
	pthread_attr_setstacksize(&attr, 1 << 20);
	w->p = p;
	rc = pthread_create(&w->tid, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	if (rc)
		return -rc;
	w->state = W_RUNNING;
	p->workers++;
	return 0;
}

void fetch_pool_on_idle(struct fetch_pool *p, bool (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&p->lock);
	p->on_idle = fn;
	p->idle_arg = arg;
	pthread_mutex_unlock(&p->lock);
}

int fetch_pool_submit(struct fetch_pool *p, struct fetch_job *j)
{
	int rc = 0;

	j->next = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->idle == 0 && p->workers < p->max_workers)
		rc = spawn(p);
	/* Without a new thread the job still runs once a worker is free;
	 * with no worker at all it cannot run: tell the caller. */
	if (rc && p->workers > 0)
		rc = 0;
	if (!rc) {
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		pthread_cond_signal(&p->work);
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

bool fetch_pool_cancel(struct fetch_pool *p, struct fetch_job *j)
{
	struct fetch_job **pp, *prev = NULL;
	bool found = false;

	pthread_mutex_lock(&p->lock);
	for (pp = &p->head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != j)
			continue;
		*pp = j->next;
		if (p->tail == j)
			p->tail = prev;
		j->next = NULL;
		found = true;
		break;
	}
	pthread_mutex_unlock(&p->lock);
	return found;
}

char *fetch_pool_buf_get(struct fetch_pool *p, bool force)
{
	void *buf = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->nspare > 0) {
		buf = p->spare[--p->nspare];
	} else if (force || p->used + FETCH_BUF_SIZE <= p->budget) {
		buf = mmap(NULL, FETCH_BUF_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			buf = NULL;
		} else {
			madvise(buf, FETCH_BUF_SIZE, MADV_HUGEPAGE);
			p->used += FETCH_BUF_SIZE;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return buf;
}

void fetch_pool_buf_put(struct fetch_pool *p, char *buf)
{
	if (!buf)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->nspare < SPARE_MAX && p->used <= p->budget) {
		p->spare[p->nspare++] = buf;
		buf = NULL;
		/* A worker's idle time-out is what unmaps spares. */
		if (p->workers == 0 && !p->stop)
			spawn(p);
	}
	if (buf) {
		munmap(buf, FETCH_BUF_SIZE);
		p->used -= FETCH_BUF_SIZE;
	}
	pthread_mutex_unlock(&p->lock);
}
