/* Internal to the FUSE adapter: the mount's state, paths as nodes, the
 * channel files, vod/ and the one log line of a failure. */
#ifndef OSSLIVEFS_FS_I_H
#define OSSLIVEFS_FS_I_H

#include <fuse.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "fs/fs.h"
#include "cache/cache.h"
#include "cache/content.h"
#include "http/osserr.h"
#include "util/sbuf.h"
#include "hide.h"
#include "scratch.h"

struct vod_pending;                     /* vod.c */
struct fh;                              /* file.c: an open file */
struct fetch_pool;                      /* fetch_pool.c */
struct vod_prefetch;                    /* vod_prefetch.c */

#define CTLFILE_MAX 4                   /* rows of ctlfiles.c */

struct fs_ctx {
	struct req_engine *engine;
	struct cache *cache;
	struct fs_options opt;
	time_t mounted_at;
	/* The last content seen of each channel file: exact sizes. */
	struct content_cache content;
	struct scratch_table scratch;   /* scratch.c */
	struct hide_table hidden;       /* hide.c */
	/* vod/ files created here and still open: they exist for getattr
	 * before OSS has them. */
	pthread_mutex_t pending_lock;
	struct vod_pending *pending;
	/* Open files, for those whose RELEASE never comes. */
	pthread_mutex_t fhs_lock;
	struct fh *fhs;
	/* vod/ read-ahead: the fetch workers and range buffers, and the
	 * objects fetched before they are opened. */
	struct fetch_pool *fetch;
	struct vod_prefetch *prefetch;
	/* The length of the last read of each .osslivefs/ file: their st_size,
	 * since a stat must not gather an overview. */
	atomic_llong ctl_size[CTLFILE_MAX];
};

/* The context of the calling FUSE request. */
struct fs_ctx *fs_ctx(void);

/* Why an operation failed: a local check (why) or what OSS said (oss). */
struct fs_error {
	char why[256];
	struct oss_error oss;
};

/* node.c: a path as what it names. */
enum node_type { N_ROOT, N_CHAN, N_CHANFILE, N_VOD, N_VOBJ, N_SCRATCH, N_CTL,
		 N_CTLFILE };

/* The mount's own directory: not a channel, as no name beginning with '.'
 * ever is. */
#define CTL_DIR ".osslivefs"

struct chanfile;

struct node {
	enum node_type type;
	char ch[NAME_MAX + 1];
	const struct chanfile *file;    /* N_CHANFILE, N_CTLFILE */
	char obj[NAME_MAX + 1];         /* N_VOBJ, N_SCRATCH */
};

int node_parse(const char *path, struct node *n);
/* "<ch>/<obj>", the object key of a vod/ node. */
void node_key(const struct node *n, char *key, size_t size);
/* Names beginning with '.' are never channels (git init, cp -r repo/.). */
bool node_is_dot_channel(const struct node *n);
/* libfuse's name for an open file that rm removed (.fuse_hidden*). */
bool node_is_fuse_hidden(const char *name);
void fill_dir(struct stat *st, time_t t);
void fill_dir_mode(struct stat *st, mode_t mode, time_t t);
void fill_file(struct stat *st, mode_t mode, off_t size, time_t t);

/* chanfiles.c: the channel files, one row each, like sysfs attributes.
 * show fills out with the whole file; store validates and sends a value:
 * 0 sent, -EAGAIN incomplete (only when !final), or a negative errno with
 * e filled. */
struct chanfile {
	const char *name;
	mode_t mode;
	int (*show)(struct fs_ctx *c, const char *ch, struct sbuf *out,
		    struct fs_error *e);
	int (*store)(struct fs_ctx *c, const char *ch, const struct sbuf *value,
		     bool final, struct fs_error *e);
	bool tracked;           /* changes on its own: mtime when seen to */
};

const struct chanfile *chanfile_find(const char *name);
const struct chanfile *chanfile_at(size_t i);   /* NULL past the end */
/* The row called name of the table that at() walks, or NULL. */
const struct chanfile *chanfile_find_in(const struct chanfile *(*at)(size_t),
					 const char *name);
unsigned chanfile_index(const struct chanfile *f);
unsigned chanfile_count(void);

/* chancontent.c: where a channel file's content comes from.  A stat
 * reuses what was fetched within cache_ttl; an open reuses, once, what a
 * lookup fetched within CHANFILE_REUSE_SECS (so cat is one request); a
 * read at offset 0 again always fetches. */
enum chanfile_use { CHANFILE_FOR_STAT, CHANFILE_FOR_OPEN, CHANFILE_FRESH };
#define CHANFILE_REUSE_SECS 1.0

/* The content of ch's file f appended to out, and its mtime: the
 * channel's last change (since), or for status and history when this
 * mount last saw the content change.  e says why on failure. */
int chanfile_content(struct fs_ctx *c, const char *ch, time_t since,
		     const struct chanfile *f, enum chanfile_use use,
		     struct sbuf *out, time_t *mtime, struct fs_error *e);

/* ctlfiles.c: the files of .osslivefs/, rows like the channel files (ch is
 * CTL_DIR); and what the overview files say when OSS failed: one comment
 * line "# stale: ..." (nothing when fresh), and one log line. */
struct overview;
const struct chanfile *ctlfile_find(const char *name);
const struct chanfile *ctlfile_at(size_t i);    /* NULL past the end */
/* f's content for a snapshot (one call of its show), and its st_size: the
 * length of the last read, 0 before any. */
int ctlfile_content(struct fs_ctx *c, const struct chanfile *f,
		    struct sbuf *out, struct fs_error *e);
off_t ctlfile_size(struct fs_ctx *c, const struct chanfile *f);
int ctl_stale_line(const struct overview *o, struct sbuf *out);
/* The show() of an overview file: gathers one overview, logs it when
 * stale, and renders it into out. */
int ctl_show_overview(struct fs_ctx *c, const char *file, struct sbuf *out,
		      int (*render)(struct fs_ctx *c, const struct overview *o,
				    struct sbuf *out));

/* metrics_prom.c: the show() of .osslivefs/metrics.prom. */
int metrics_prom_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
		      struct fs_error *e);

/* Parse a boolean as `enabled` accepts it: 0, -EAGAIN or -EINVAL. */
int chanfile_parse_bool(const char *buf, size_t len, bool final, bool *out);


/* vod.c: the rules of vod/. */
bool vod_is_m3u8(const char *obj);
/* Why obj cannot be a new VOD playlist's name (NULL: it can). */
const char *vod_name_why(const char *obj);
bool vod_is_live_playlist(const struct chan_info *ci, const char *obj);
mode_t vod_mode(const struct chan_info *ci, const char *obj);
/* Names created in vod/ as scratch files: not a playlist name, or a dot
 * file (rsync's and Ansible's temporary names). */
bool vod_is_scratch_name(const char *obj);
bool vod_is_pending(struct fs_ctx *c, const char *ch, const char *obj);
int vod_pending_add(struct fs_ctx *c, const char *ch, const char *obj);
void vod_pending_del(struct fs_ctx *c, const char *ch, const char *obj);
void vod_pending_clear(struct fs_ctx *c);
/* A time range written into vod/NAME: the store() of vod/ playlists. */
int vod_store(struct fs_ctx *c, const struct node *n,
	      const struct sbuf *value, bool final, struct fs_error *e);

/* vod_read.c: reading one vod/ object through ranged GETs, several in
 * flight for a reader going forward (README "Reading recordings").
 * size_hint is the listed size, or -1.  vod_reader_read returns the bytes
 * read (0 at the end) or a negative errno, and logs failures; it may run
 * in several threads at once. */
#define VOD_READER_SLOTS 6              /* ranges per open file */
#define VOD_FETCH_WORKERS 8             /* read-ahead ranges in flight per mount */
#define VOD_MOUNT_BUDGET ((size_t)64 << 20)   /* read-ahead buffers per mount */
struct vod_reader;
int vod_reader_new(struct fs_ctx *c, const char *key, off_t size_hint,
		   struct vod_reader **out);
int vod_reader_read(struct vod_reader *r, const char *path, char *buf,
		    size_t size, off_t off);
void vod_reader_free(struct vod_reader *r);
/* Whether the object a reader started reading (ahead of its open, see
 * vod_prefetch.c) is the one the listing now shows: same size, and the
 * same Last-Modified once an answer came. */
bool vod_reader_matches(struct vod_reader *r, off_t size, time_t mtime);
/* True once, after the reader went from offset 0 to the end without a
 * seek. */
bool vod_reader_read_whole(struct vod_reader *r);
/* Starts fetching the object's first range on the fetch workers (within
 * the mount's budget): 0, or a negative errno when it cannot. */
int vod_reader_prefetch(struct vod_reader *r);

/* vod_prefetch.c: the next objects of a channel read one after the other
 * (cp of the segments, ffmpeg playing a VOD playlist), fetched before they are
 * opened. */
int vod_prefetch_new(struct fs_ctx *c);
/* Drops the prefetched readers; then, once the fetch pool is gone,
 * vod_prefetch_destroy. */
void vod_prefetch_free(struct fs_ctx *c);
void vod_prefetch_destroy(struct fs_ctx *c);
/* The reader already fetching n's object, or NULL. */
struct vod_reader *vod_prefetch_take(struct fs_ctx *c, const struct node *n);
/* n was read whole: an open of a later object of the same kind in that
 * channel starts fetching the ones after it. */
void vod_prefetch_read_whole(struct fs_ctx *c, const struct node *n);
void vod_prefetch_opened(struct fs_ctx *c, const struct node *n);

/* fail.c: the one log line of a failed operation, why (a local check)
 * or err (what OSS said) or both may be NULL; returns ret.  The plain
 * ENOENT of a lookup that misses is not logged. */
int fs_fail(const char *op, const char *path, int ret, const char *why,
	    const struct oss_error *err);
void fs_log_fail(const char *op, const char *path, int errnum,
		 const char *why, const struct oss_error *err);

/* file.c: open files. */
int fs_open(const char *path, struct fuse_file_info *fi);
int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int fs_read(const char *path, char *buf, size_t size, off_t off,
	    struct fuse_file_info *fi);
int fs_write(const char *path, const char *buf, size_t size, off_t off,
	     struct fuse_file_info *fi);
int fs_flush(const char *path, struct fuse_file_info *fi);
int fs_release(const char *path, struct fuse_file_info *fi);
/* At unmount: frees what the kernel's dropped RELEASEs left open. */
void fh_free_all(struct fs_ctx *c);
int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi);
int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi);
/* The stat of an open file; a reference to its scratch file, or NULL. */
int fs_file_getattr(struct fuse_file_info *fi, struct stat *st);
struct scratch *fs_file_scratch(struct fuse_file_info *fi);

/* ops.c */
int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi);
int fs_node_getattr(struct fs_ctx *c, const struct node *n, const char *path,
		    struct stat *st, struct oss_error *err);

/* remove.c: unlink and rmdir, and the all-or-nothing deletion of a
 * channel tree (hide.c). */
int fs_unlink(const char *path);
int fs_rmdir(const char *path);

/* rename.c: a scratch file renamed over config.xml, enabled or a vod/
 * playlist is one write of its whole content. */
int fs_rename(const char *from, const char *to, unsigned int flags);

/* meta.c: chmod, chown and utimens that change nothing succeed. */
int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi);
int fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi);
int fs_utimens(const char *path, const struct timespec tv[2],
	       struct fuse_file_info *fi);

#endif
