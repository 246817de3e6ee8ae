/* A growable byte buffer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sbuf.h"

int sbuf_reserve(struct sbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (need < b->len)
		return -ENOMEM;
	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int sbuf_add(struct sbuf *b, const void *data, size_t len)
{
	return sbuf_write_at(b, b->len, data, len);
}

int sbuf_write_at(struct sbuf *b, size_t off, const void *data, size_t len)
{
	size_t end = off + len;
	int ret;

	if (end < off)
		return -EFBIG;
	/* An empty buffer still gets its terminating NUL. */
	if (end > b->len || !b->data) {
		ret = sbuf_reserve(b, end - b->len);
		if (ret)
			return ret;
		if (off > b->len)
			memset(b->data + b->len, 0, off - b->len);
		b->len = end;
	}
	if (len)
		memcpy(b->data + off, data, len);
	b->data[b->len] = '\0';
	return 0;
}

int sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	ret = sbuf_reserve(b, (size_t)n);
	if (ret)
		return ret;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void sbuf_free(struct sbuf *b)
{
	free(b->data);
	*b = (struct sbuf){ 0 };
}
