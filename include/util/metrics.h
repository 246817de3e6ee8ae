/* The mount's own counters since it started, for .osslivefs/metrics.prom.
 * Recorded from any thread with C11 atomics: no lock, so recording never
 * waits for a reader and a reader never stops a request. */
#ifndef OSSLIVEFS_UTIL_METRICS_H
#define OSSLIVEFS_UTIL_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/sbuf.h"

/* Label values (op, cache) are kept by pointer: pass static strings. */

/* One HTTP exchange of operation op: status 0 when no answer came. */
void metrics_request(const char *op, long status, double seconds);
/* An exchange of op sent again after a retryable failure. */
void metrics_retry(const char *op);
/* A call that failed after its retries, with this negative errno. */
void metrics_failure(int err);
/* A lookup in a listing cache ("channels", "vod"). */
void metrics_cache(const char *cache, bool hit);
/* Bytes handed to readers of vod/ objects. */
void metrics_vod_bytes(size_t n);
/* Files opened (+1) and released (-1). */
void metrics_open_files(int delta);
/* Memory held by scratch files, as it grows (+) and shrinks (-). */
void metrics_scratch_bytes(long delta);

/* Appends the counters in the Prometheus text format: 0 or -ENOMEM. */
int metrics_format(struct sbuf *out);

#endif
