/* A small fixed pool of fetch workers per mount, and the range buffers
 * they fill, within the mount's budget (src/fs/fetch_pool.c). */
#ifndef OSSLIVEFS_FS_FETCH_POOL_H
#define OSSLIVEFS_FS_FETCH_POOL_H

#include <stdbool.h>
#include <stddef.h>

/* Embedded in the caller's own struct; run is called on a worker. */
struct fetch_job {
	struct fetch_job *next;
	void (*run)(struct fetch_job *job);
};

struct fetch_pool;

/* At most max_workers jobs run at once; budget: bytes of range buffers. */
int fetch_pool_new(unsigned max_workers, size_t budget, struct fetch_pool **out);
/* Waits for the workers to end; no job may be queued or running. */
void fetch_pool_free(struct fetch_pool *p);

/* fn runs on the last worker when the mount has been idle for a while,
 * before that worker ends; it returns true to keep the worker waiting
 * (it still holds something to give back later). */
void fetch_pool_on_idle(struct fetch_pool *p, bool (*fn)(void *arg), void *arg);

/* Queues job: 0, or a negative errno when no worker can run it. */
int fetch_pool_submit(struct fetch_pool *p, struct fetch_job *job);
/* Takes job off the queue: true when it was queued and will not run. */
bool fetch_pool_cancel(struct fetch_pool *p, struct fetch_job *job);

#define FETCH_BUF_SIZE ((size_t)4 << 20)

/* A range buffer of FETCH_BUF_SIZE bytes: NULL when the budget is used up
 * (unless force) or memory is short. */
char *fetch_pool_buf_get(struct fetch_pool *p, bool force);
void fetch_pool_buf_put(struct fetch_pool *p, char *buf);

#endif
