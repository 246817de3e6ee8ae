/* The FUSE adapter's internal interface: mount state, caches, channel
 * files.  Only src/fs*.c and src/main.c include this. */
#ifndef OSSLIVEFS_FS_H
#define OSSLIVEFS_FS_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "live.h"
#include "obj.h"
#include "osserr.h"
#include "sbuf.h"

struct fs_options {
	unsigned cache_ttl;             /* seconds */
	long publish_url_expires;       /* seconds */
	int frag_duration;
	int frag_count;
	const char *playlist_name;
};

/* What the cache keeps of a listed channel: small, since a bucket may
 * hold tens of thousands. */
struct chan_entry {
	char name[LIVE_NAME_MAX + 1];
	bool enabled;
	time_t mtime;
	char *play_url;
};

struct chan_single;                     /* one-channel lookups */

struct chan_cache {
	pthread_mutex_t lock;
	struct chan_entry *items;       /* sorted by name, as OSS lists them */
	size_t n;
	struct timespec fetched;
	bool valid;
	/* Lookups of one name while the whole listing is stale: one
	 * request each, whatever the number of channels. */
	struct chan_single *singles;
	size_t nsingles;
};

struct vod_cache;                       /* per-channel object listings */
struct size_cache;                      /* last known sizes of channel files */

#define FS_SIZE_BUCKETS 1024

struct fs_ctx {
	struct req_engine *engine;
	struct fs_options opt;
	struct chan_cache chans;
	struct vod_cache *vods;
	pthread_mutex_t vods_lock;
	struct size_cache *sizes[FS_SIZE_BUCKETS];
	pthread_mutex_t sizes_lock;
	time_t mounted_at;
};

/* What fs_cache hands out about one channel (a copy: no lock held). */
struct chan_info {
	char name[LIVE_NAME_MAX + 1];
	bool enabled;
	time_t mtime;
	char playlist_name[LIVE_PLAYLIST_MAX + 1];   /* from the play URL */
	char play_url[1024];
};

/* fs_cache.c: listings trusted for opt.cache_ttl seconds. */
int fs_ctx_init(struct fs_ctx *c);
void fs_ctx_destroy(struct fs_ctx *c);
int chan_lookup(struct fs_ctx *c, const char *name, struct chan_info *out,
		struct oss_error *err);
/* Calls fn for every channel (from the cache, refreshed when stale). */
int chan_foreach(struct fs_ctx *c,
		 int (*fn)(void *arg, const struct chan_info *ch), void *arg,
		 struct oss_error *err);
void chan_invalidate(struct fs_ctx *c);

struct vod_info {
	off_t size;
	time_t mtime;
};
int vod_lookup(struct fs_ctx *c, const char *ch, const char *name,
	       struct vod_info *out, struct oss_error *err);
int vod_foreach(struct fs_ctx *c, const char *ch,
		int (*fn)(void *arg, const char *name, const struct vod_info *vi),
		void *arg, struct oss_error *err);
void vod_invalidate(struct fs_ctx *c, const char *ch);

/* Last known length of a channel file; 4096 before the first read. */
off_t size_get(struct fs_ctx *c, const char *ch, const char *file);
void size_set(struct fs_ctx *c, const char *ch, const char *file, off_t size);

/* fs_attr.c: the channel files, one row each, like sysfs attributes.
 * show fills out with the whole file; store validates and sends a value:
 * 0 sent, -EAGAIN incomplete (only when !final), or a negative errno with
 * why (local checks) or err (OSS) filled. */
struct attr_file {
	const char *name;
	mode_t mode;
	int (*show)(struct fs_ctx *c, const char *ch, struct sbuf *out,
		    struct oss_error *err);
	int (*store)(struct fs_ctx *c, const char *ch, const char *buf,
		     size_t len, bool final, char *why, size_t whylen,
		     struct oss_error *err);
};

const struct attr_file *attr_find(const char *name);
const struct attr_file *attr_at(size_t i);   /* NULL past the end */

/* Parse a boolean as `enabled` accepts it: 0, -EAGAIN or -EINVAL. */
int attr_parse_bool(const char *buf, size_t len, bool final, bool *out);

/* fs.c: the fuse_operations table. */
struct fuse_operations;
const struct fuse_operations *fs_operations(void);

/* fs_vod.c: vod/ objects. */
int vod_store(struct fs_ctx *c, const char *ch, const char *name,
	      const char *buf, size_t len, bool final, char *why,
	      size_t whylen, struct oss_error *err);

/* fs_read.c: reading one vod/ object through ranged GETs with read-ahead.
 * vod_reader_read returns the bytes read (0 at the end) or a negative
 * errno, and logs failures. */
struct vod_reader;
int vod_reader_new(struct fs_ctx *c, const char *key, struct vod_reader **out);
int vod_reader_read(struct vod_reader *r, const char *path, char *buf,
		    size_t size, off_t off);
void vod_reader_free(struct vod_reader *r);

/* fs_log.c: the one log line of a failed operation. */
void fs_log_fail(const char *op, const char *path, int errnum,
		 const char *why, const struct oss_error *err);

#endif
