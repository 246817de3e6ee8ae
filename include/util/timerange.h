/* VOD time ranges as users write them into vod/NAME.m3u8 (design §1). */
#ifndef OSSLIVEFS_TIMERANGE_H
#define OSSLIVEFS_TIMERANGE_H

#include <stddef.h>
#include <time.h>

#define TIMERANGE_MAX_SPAN 86400

/*
 * Parse "START END": each field Unix seconds, ISO-8601 UTC
 * (2026-11-23T10:00:00Z, optional .fraction), "now" or "now-N[smh]".
 * now is the clock to evaluate "now" against.
 * Returns 0, -EAGAIN when the text may still grow into a range (fewer than
 * two fields, or the second not yet followed by white space) and final is
 * 0, or -EINVAL with one sentence in why.
 */
int timerange_parse(const char *text, size_t len, int final, time_t now,
		    time_t *start, time_t *end, char *why, size_t whylen);

/* One field; returns 0 or -EINVAL. */
int timerange_parse_time(const char *field, time_t now, time_t *out);

#endif
