/* The last known length of each channel file, so that stat(2) tells what
 * the last read returned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_i.h"

struct size_entry {
	struct size_entry *next;
	off_t size;
	char key[];             /* "<ch>/<file>" */
};

static size_t size_hash(const char *ch, const char *file)
{
	size_t h = 5381;

	for (; *ch; ch++)
		h = h * 33 + (unsigned char)*ch;
	h = h * 33 + '/';
	for (; *file; file++)
		h = h * 33 + (unsigned char)*file;
	return h % FS_SIZE_BUCKETS;
}

static bool size_match(const struct size_entry *s, const char *ch,
		       const char *file)
{
	size_t n = strlen(ch);

	return strncmp(s->key, ch, n) == 0 && s->key[n] == '/' &&
	       strcmp(s->key + n + 1, file) == 0;
}

off_t size_get(struct fs_ctx *c, const char *ch, const char *file)
{
	struct size_entry *s;
	off_t size = 4096;

	pthread_mutex_lock(&c->sizes_lock);
	for (s = c->sizes[size_hash(ch, file)]; s; s = s->next)
		if (size_match(s, ch, file)) {
			size = s->size;
			break;
		}
	pthread_mutex_unlock(&c->sizes_lock);
	return size;
}

void size_set(struct fs_ctx *c, const char *ch, const char *file, off_t size)
{
	size_t h = size_hash(ch, file);
	struct size_entry *s;

	pthread_mutex_lock(&c->sizes_lock);
	for (s = c->sizes[h]; s; s = s->next)
		if (size_match(s, ch, file))
			break;
	if (!s) {
		s = malloc(sizeof(*s) + strlen(ch) + strlen(file) + 2);
		if (s) {
			sprintf(s->key, "%s/%s", ch, file);
			s->next = c->sizes[h];
			c->sizes[h] = s;
		}
	}
	if (s)
		s->size = size;
	pthread_mutex_unlock(&c->sizes_lock);
}

void sizes_clear(struct fs_ctx *c)
{
	size_t i;

	for (i = 0; i < FS_SIZE_BUCKETS; i++) {
		struct size_entry *s, *sn;

		for (s = c->sizes[i]; s; s = sn) {
			sn = s->next;
			free(s);
		}
		c->sizes[i] = NULL;
	}
}
