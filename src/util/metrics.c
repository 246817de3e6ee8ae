/*
 * The mount's counters (util/metrics.h).  Labelled counters live in fixed
 * tables whose slots are claimed on first use with a compare-and-swap of
 * the label pointer, so recording takes no lock and a label never gets
 * two slots.  A full table drops what does not fit: there are far more
 * slots than operations, errnos or caches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/metrics.h"

#define OP_SLOTS 32
#define STATUS_SLOTS 16
#define ERRNO_SLOTS 32
#define CACHE_SLOTS 4

struct counter {
	_Atomic(const char *) label;
	atomic_ulong n;
};

struct status_counter {
	atomic_long status;             /* HTTP status + 1: 0 is a free slot */
	atomic_ulong n;
};

struct op_counters {
	_Atomic(const char *) op;
	atomic_ulong retries;
	struct status_counter status[STATUS_SLOTS];
};

/* Upper bounds of the duration buckets, seconds: 1 ms to 10 s. */
static const double bucket_le[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

static struct {
	struct op_counters ops[OP_SLOTS];
	struct counter failures[ERRNO_SLOTS];
	struct counter hits[CACHE_SLOTS];
	struct counter misses[CACHE_SLOTS];
	atomic_ulong buckets[NBUCKETS + 1];     /* the last: above 10 s */
	atomic_ullong duration_us;
	atomic_ullong vod_bytes;
	atomic_long open_files;
	atomic_long scratch_bytes;
} m;

/* Whether *slot is (or now becomes) label's. */
static bool claim(_Atomic(const char *) *slot, const char *label)
{
	const char *cur = NULL;

	if (atomic_compare_exchange_strong(slot, &cur, label))
		return true;
	return cur == label || strcmp(cur, label) == 0;
}

static struct counter *counter_of(struct counter *t, size_t n,
				  const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (claim(&t[i].label, label))
			return &t[i];
	return NULL;
}

static struct op_counters *op_of(const char *op)
{
	for (size_t i = 0; i < OP_SLOTS; i++)
		if (claim(&m.ops[i].op, op))
			return &m.ops[i];
	return NULL;
}

static struct status_counter *status_of(struct op_counters *o, long status)
{
	for (size_t i = 0; i < STATUS_SLOTS; i++) {
		long cur = 0;

		if (atomic_compare_exchange_strong(&o->status[i].status, &cur,
						   status + 1) ||
		    cur == status + 1)
			return &o->status[i];
	}
	return NULL;
}

void metrics_request(const char *op, long status, double seconds)
{
	struct op_counters *o = op_of(op);
	struct status_counter *s = o ? status_of(o, status) : NULL;
	size_t b = 0;

	if (s)
		atomic_fetch_add(&s->n, 1);
	while (b < NBUCKETS && seconds > bucket_le[b])
		b++;
	atomic_fetch_add(&m.buckets[b], 1);
	atomic_fetch_add(&m.duration_us,
			 (unsigned long long)(seconds > 0 ? seconds * 1e6 + 0.5 : 0));
}

void metrics_retry(const char *op)
{
	struct op_counters *o = op_of(op);

	if (o)
		atomic_fetch_add(&o->retries, 1);
}

void metrics_failure(int err)
{
	const char *name = strerrorname_np(abs(err));
	struct counter *c = counter_of(m.failures, ERRNO_SLOTS,
				       name ? name : "EUNKNOWN");

	if (c)
		atomic_fetch_add(&c->n, 1);
}

void metrics_cache(const char *cache, bool hit)
{
	struct counter *c = counter_of(hit ? m.hits : m.misses, CACHE_SLOTS,
				       cache);

	if (c)
		atomic_fetch_add(&c->n, 1);
}

void metrics_vod_bytes(size_t n)
{
	atomic_fetch_add(&m.vod_bytes, n);
}

void metrics_open_files(int delta)
{
	atomic_fetch_add(&m.open_files, delta);
}

void metrics_scratch_bytes(long delta)
{
	atomic_fetch_add(&m.scratch_bytes, delta);
}

/* ---- the exposition format ------------------------------------------ */

static int family(struct sbuf *out, const char *name, const char *type,
		  const char *help)
{
	return sbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
			   name, type);
}

static int format_requests(struct sbuf *out)
{
	int ret = family(out, "osslivefs_requests_total", "counter",
			 "HTTP requests sent to OSS, retries included, by "
			 "operation and HTTP status (none: no answer).");

	for (size_t i = 0; !ret && i < OP_SLOTS; i++) {
		const char *op = atomic_load(&m.ops[i].op);

		for (size_t j = 0; op && !ret && j < STATUS_SLOTS; j++) {
			const struct status_counter *s = &m.ops[i].status[j];
			long st = atomic_load(&s->status) - 1;
			char label[24] = "none";

			if (st < 0)
				break;
			if (st > 0)
				snprintf(label, sizeof(label), "%ld", st);
			ret = sbuf_printf(out, "osslivefs_requests_total{operation=\"%s\","
					  "status=\"%s\"} %lu\n", op, label,
					  atomic_load(&s->n));
		}
	}
	return ret;
}

static int format_retries(struct sbuf *out)
{
	int ret = family(out, "osslivefs_retries_total", "counter",
			 "Requests sent again after a 5xx, 429 or network "
			 "failure, by operation.");

	for (size_t i = 0; !ret && i < OP_SLOTS; i++) {
		const char *op = atomic_load(&m.ops[i].op);

		if (!op)
			break;
		ret = sbuf_printf(out, "osslivefs_retries_total{operation=\"%s\"} %lu\n",
				  op, atomic_load(&m.ops[i].retries));
	}
	return ret;
}

static int format_labelled(struct sbuf *out, const char *name,
			   const char *label, const struct counter *t, size_t n)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < n; i++) {
		const char *v = atomic_load(&t[i].label);

		if (!v)
			break;
		ret = sbuf_printf(out, "%s{%s=\"%s\"} %lu\n", name, label, v,
				  atomic_load(&t[i].n));
	}
	return ret;
}

static int format_duration(struct sbuf *out)
{
	const char *name = "osslivefs_request_duration_seconds";
	unsigned long cum = 0;
	int ret = family(out, name, "histogram",
			 "Time of each HTTP request to OSS.");

	for (size_t b = 0; !ret && b < NBUCKETS; b++) {
		cum += atomic_load(&m.buckets[b]);
		ret = sbuf_printf(out, "%s_bucket{le=\"%g\"} %lu\n", name,
				  bucket_le[b], cum);
	}
	cum += atomic_load(&m.buckets[NBUCKETS]);
	return ret ?:
	       sbuf_printf(out, "%s_bucket{le=\"+Inf\"} %lu\n%s_sum %.6f\n"
			   "%s_count %lu\n", name, cum, name,
			   (double)atomic_load(&m.duration_us) / 1e6, name, cum);
}

static int format_gauges(struct sbuf *out)
{
	return family(out, "osslivefs_vod_read_bytes_total", "counter",
		      "Bytes read from vod/ objects.") ?:
	       sbuf_printf(out, "osslivefs_vod_read_bytes_total %llu\n",
			   atomic_load(&m.vod_bytes)) ?:
	       family(out, "osslivefs_open_files", "gauge",
		      "Files open in the mount.") ?:
	       sbuf_printf(out, "osslivefs_open_files %ld\n",
			   atomic_load(&m.open_files)) ?:
	       family(out, "osslivefs_scratch_bytes", "gauge",
		      "Memory held by scratch files.") ?:
	       sbuf_printf(out, "osslivefs_scratch_bytes %ld\n",
			   atomic_load(&m.scratch_bytes));
}

int metrics_format(struct sbuf *out)
{
	return format_requests(out) ?:
	       format_retries(out) ?:
	       family(out, "osslivefs_failures_total", "counter",
		      "OSS calls that failed after their retries, by errno.") ?:
	       format_labelled(out, "osslivefs_failures_total", "errno",
			       m.failures, ERRNO_SLOTS) ?:
	       format_duration(out) ?:
	       family(out, "osslivefs_cache_hits_total", "counter",
		      "Lookups answered by a listing younger than cache_ttl.") ?:
	       format_labelled(out, "osslivefs_cache_hits_total", "cache",
			       m.hits, CACHE_SLOTS) ?:
	       family(out, "osslivefs_cache_misses_total", "counter",
		      "Lookups that needed a request.") ?:
	       format_labelled(out, "osslivefs_cache_misses_total", "cache",
			       m.misses, CACHE_SLOTS) ?:
	       format_gauges(out);
}
