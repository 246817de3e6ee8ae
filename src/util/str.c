/* White space is " \t\n\v\f\r" everywhere (isspace in the C locale). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/str.h"

size_t str_trim_span(const char *buf, size_t len, size_t *start)
{
	size_t b = 0, e = len;

	while (b < e && isspace((unsigned char)buf[b]))
		b++;
	while (e > b && isspace((unsigned char)buf[e - 1]))
		e--;
	*start = b;
	return e - b;
}

char *str_trim(char *s)
{
	size_t b, n = str_trim_span(s, strlen(s), &b);

	s[b + n] = '\0';
	return s + b;
}

/* C0, DEL and '\\', and the two bytes of a C1 control (U+0080..U+009F:
 * NEL breaks lines, CSI drives terminals). */
static size_t escaped_len(const unsigned char *s)
{
	if (s[0] < 0x20 || s[0] == 0x7f || s[0] == '\\')
		return 1;
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;
	return 0;
}

const char *str_escape(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0, n;

	while (*p && o + 9 < outlen) {
		n = escaped_len(p);
		if (n == 0) {
			out[o++] = (char)*p++;
			continue;
		}
		for (; n > 0; n--, p++)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", *p);
	}
	out[o] = '\0';
	return out;
}

/* The length of the UTF-8 sequence at s with its code point in *cp, or 0
 * when it is not strict UTF-8. */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], min, n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, min = 0x80, c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	/* A NUL ends the loop too: it is not a continuation byte. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

enum str_flaw str_name_flaw(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool control = false;
	unsigned cp;
	size_t n;

	for (; *p; p += n) {
		n = utf8_next(p, &cp);
		if (!n)
			return STR_NOT_UTF8;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
			control = true;
	}
	return control ? STR_CONTROL : STR_OK;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int str_url_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		int hi, lo;

		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		hi = hex(s[1]);
		lo = hi < 0 ? -1 : hex(s[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return -EINVAL;
		*o++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*o = '\0';
	return 0;
}
