/* White space is " \t\n\v\f\r" everywhere (isspace in the C locale). */
#include <ctype.h>
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

const char *str_escape(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; s && *s && o + 5 < outlen; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f || ch == '\\')
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	return out;
}
