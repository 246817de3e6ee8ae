/* Scratch files: other names created in a channel directory or in vod/,
 * kept in memory and never sent by themselves (README "Scratch files").
 * Paths are the mount's: "/ch/name", "/ch/vod/name". */
#ifndef OSSLIVEFS_FS_SCRATCH_H
#define OSSLIVEFS_FS_SCRATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/sbuf.h"

#define SCRATCH_SIZE_MAX  (1u << 20)    /* bytes per scratch file */
#define SCRATCH_COUNT_MAX 64            /* scratch files per mount */

struct scratch;

/* The mount's scratch files (in struct fs_ctx). */
struct scratch_table {
	pthread_mutex_t lock;
	struct scratch *head;
	size_t count;
};

void scratch_init(struct scratch_table *t);
void scratch_clear(struct scratch_table *t);    /* unmount: all gone */

/* The file with a reference for the caller (the existing one when the
 * name is taken), or -ENOSPC past SCRATCH_COUNT_MAX. */
int scratch_create(struct scratch_table *t, const char *path, mode_t mode,
		   uid_t uid, gid_t gid, struct scratch **out);
/* get: a reference or NULL; hold: another; put drops one (NULL is fine). */
struct scratch *scratch_get(struct scratch_table *t, const char *path);
struct scratch *scratch_hold(struct scratch_table *t, struct scratch *s);
void scratch_put(struct scratch_table *t, struct scratch *s);
bool scratch_exists(struct scratch_table *t, const char *path);

void scratch_stat(struct scratch_table *t, struct scratch *s, struct stat *st);
/* Bytes read; bytes written, or -EFBIG past SCRATCH_SIZE_MAX. */
int scratch_read(struct scratch_table *t, struct scratch *s, char *buf,
		 size_t size, off_t off);
int scratch_write(struct scratch_table *t, struct scratch *s, const char *buf,
		  size_t size, off_t off, bool append);
int scratch_truncate(struct scratch_table *t, struct scratch *s, off_t size);
int scratch_chmod(struct scratch_table *t, struct scratch *s, mode_t mode);
int scratch_chown(struct scratch_table *t, struct scratch *s, uid_t uid,
		  gid_t gid);
int scratch_utimens(struct scratch_table *t, struct scratch *s,
		    const struct timespec tv[2]);
/* Appends the whole content to out. */
int scratch_copy(struct scratch_table *t, struct scratch *s, struct sbuf *out);

/* 0 or -ENOENT.  rename replaces a scratch file at to. */
int scratch_unlink(struct scratch_table *t, const char *path);
int scratch_rename(struct scratch_table *t, const char *from, const char *to);

/* The scratch files directly in dir ("/ch" or "/ch/vod"). */
int scratch_foreach(struct scratch_table *t, const char *dir,
		    int (*fn)(void *arg, const char *name, const struct stat *st),
		    void *arg);
bool scratch_any_in(struct scratch_table *t, const char *dir);
/* Forgets every scratch file under dir (a deleted channel). */
void scratch_drop_under(struct scratch_table *t, const char *dir);

#endif
