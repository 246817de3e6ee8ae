/* VOD time ranges: "START END" as users type them. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/iso8601.h"
#include "util/timerange.h"

#define FIELD_MAX 64

static int parse_unsigned(const char *s, long long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

/* "now-N" with N seconds, or N followed by s, m or h. */
static int parse_relative(const char *s, time_t now, time_t *out)
{
	char num[FIELD_MAX];
	size_t n = strlen(s);
	long long v, mult = 1;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'h': mult = 3600; num[n - 1] = '\0'; break;
	case 'm': mult = 60;   num[n - 1] = '\0'; break;
	case 's': mult = 1;    num[n - 1] = '\0'; break;
	}
	if (parse_unsigned(num, &v) || v > 100LL * 365 * 86400)
		return -EINVAL;
	*out = now - (time_t)(v * mult);
	return 0;
}

static int parse_field(const char *field, time_t now, time_t *out)
{
	long long v;

	if (strcmp(field, "now") == 0) {
		*out = now;
		return 0;
	}
	if (strncmp(field, "now-", 4) == 0)
		return parse_relative(field + 4, now, out);
	if (strchr(field, 'T'))
		return iso8601_parse(field, out);
	if (parse_unsigned(field, &v) || v > 253402300799LL)
		return -EINVAL;
	*out = (time_t)v;
	return 0;
}

/* OSS takes Unix seconds: a time before 1970 never leaves here. */
int timerange_parse_time(const char *field, time_t now, time_t *out)
{
	int ret = parse_field(field, now, out);

	return ret ? ret : (*out < 0 ? -EINVAL : 0);
}

/* Split text into at most 3 white-space separated fields; *closed tells
 * whether the last field is followed by white space. */
static int split_fields(const char *text, size_t len, char f[3][FIELD_MAX],
			int *nf, int *closed)
{
	size_t i = 0;

	*nf = 0;
	*closed = 1;
	while (i < len) {
		size_t start;

		if (isspace((unsigned char)text[i])) {
			i++;
			continue;
		}
		if (*nf == 3)
			return -EINVAL;
		start = i;
		while (i < len && !isspace((unsigned char)text[i]))
			i++;
		if (i - start >= FIELD_MAX || memchr(text + start, '\0', i - start))
			return -EINVAL;
		memcpy(f[*nf], text + start, i - start);
		f[*nf][i - start] = '\0';
		(*nf)++;
		*closed = i < len;
	}
	return 0;
}

static int fail(char *why, size_t whylen, const char *fmt, const char *arg)
{
	snprintf(why, whylen, fmt, arg);
	return -EINVAL;
}

int timerange_parse(const char *text, size_t len, int final, time_t now,
		    time_t *start, time_t *end, char *why, size_t whylen)
{
	char f[3][FIELD_MAX];
	time_t t[2];
	int nf, closed, i;

	if (split_fields(text, len, f, &nf, &closed) || nf > 2)
		return fail(why, whylen, "%s", "expected two times, START END");
	/* Every field that is followed by white space is final: check it now. */
	for (i = 0; i < nf; i++) {
		int complete = final || i < nf - 1 || closed;

		if (!complete)
			break;
		if (timerange_parse_time(f[i], now, &t[i]))
			return fail(why, whylen, "'%s' is not a time (Unix seconds, "
				    "2026-11-23T10:00:00Z, now or now-N[smh])", f[i]);
	}
	if (nf < 2 || (!final && !closed))
		return final ? fail(why, whylen, "%s", "expected two times, START END")
			     : -EAGAIN;
	if (t[0] >= t[1])
		return fail(why, whylen, "%s", "START must be before END");
	if (t[1] - t[0] > TIMERANGE_MAX_SPAN)
		return fail(why, whylen, "%s", "the range may span at most 86400 seconds");
	*start = t[0];
	*end = t[1];
	return 0;
}
