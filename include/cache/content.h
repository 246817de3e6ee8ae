/* The last content seen of each channel file (config.xml, status, ...):
 * what makes stat exact without a second request, the document an open
 * reuses right after a lookup fetched it, and when a file that changes on
 * its own (status, history) was last seen to change. */
#ifndef OSSLIVEFS_CACHE_CONTENT_H
#define OSSLIVEFS_CACHE_CONTENT_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "util/sbuf.h"

#define CONTENT_BUCKETS 256
#define CONTENT_MAX     4096    /* entries; the oldest goes first */

struct content_entry;

struct content_cache {
	pthread_mutex_t lock;
	struct content_entry *buckets[CONTENT_BUCKETS];
	size_t n;
};

void content_init(struct content_cache *cc);
void content_destroy(struct content_cache *cc);

struct content_hit {
	size_t len;
	time_t changed;         /* when the content was last seen to change */
};

/*
 * The content of ch/file fetched less than max_age seconds ago: 0 and out
 * (may be NULL) appended, or -ENOENT.  With take, only content that no
 * open has taken yet is returned, and it is taken.
 */
int content_get(struct content_cache *cc, const char *ch, const char *file,
		double max_age, bool take, struct sbuf *out,
		struct content_hit *hit);
/* Records a fetch.  changed becomes now when the content differs from the
 * one recorded before, else stays; first seen, it is since. */
void content_put(struct content_cache *cc, const char *ch, const char *file,
		 const char *data, size_t len, time_t since, bool taken);
/* Forgets ch/file (file NULL: every file of ch), after a change of ours. */
void content_drop(struct content_cache *cc, const char *ch, const char *file);

#endif
