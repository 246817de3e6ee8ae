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
 * channel name must not start a forged line.  Control bytes (C0, DEL,
 * C1) and '\\' become \xNN; UTF-8 stays readable.  NULL reads as "". */
const char *str_escape(const char *s, char *out, size_t outlen);

/* What makes a name unusable as a file name we show or send: control
 * characters (C0, DEL, C1 U+0080..U+009F) or bytes that are not strict
 * UTF-8 (overlong forms, surrogates and code points past U+10FFFF are
 * refused, unlike xmlCheckUTF8). */
enum str_flaw { STR_OK, STR_CONTROL, STR_NOT_UTF8 };
enum str_flaw str_name_flaw(const char *s);

/* Percent-decodes s in place (encoding-type=url answers): 0, or -EINVAL
 * for a malformed %XX or a decoded NUL. */
int str_url_decode(char *s);

#endif
