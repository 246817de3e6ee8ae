/* A growable byte buffer, always NUL-terminated. */
#ifndef OSSLIVEFS_SBUF_H
#define OSSLIVEFS_SBUF_H

#include <stddef.h>

struct sbuf {
	char *data;
	size_t len;
	size_t cap;
};

int sbuf_reserve(struct sbuf *b, size_t extra);
int sbuf_add(struct sbuf *b, const void *data, size_t len);
int sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Writes len bytes at off, growing (zero-filling any gap) as needed. */
int sbuf_write_at(struct sbuf *b, size_t off, const void *data, size_t len);
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);

#endif
