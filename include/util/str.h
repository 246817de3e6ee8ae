/* Small string helpers. */
#ifndef OSSLIVEFS_UTIL_STR_H
#define OSSLIVEFS_UTIL_STR_H

#include <stddef.h>

/* The part of buf[0, len) without white space at either end: its offset
 * in *start, its length returned. */
size_t str_trim_span(const char *buf, size_t len, size_t *start);

/* The same on a string, in place: the end is cut with a NUL, the new
 * start returned. */
char *str_trim(char *s);

/* s for a log line: names and answers are not ours, and a newline in a
 * channel name must not start a forged line.  Control bytes (C0, DEL)
 * and '\\' become \xNN; UTF-8 stays readable.  NULL reads as "". */
const char *str_escape(const char *s, char *out, size_t outlen);

#endif
