/* Names removed in this mount only (README "Unlink, then create again"
 * and "Deleting a channel tree is all or nothing"): rm of a channel file
 * hides it for HIDE_SECS; once every channel file of a channel is hidden,
 * rm in its vod/ notes objects instead of deleting them, and rmdir of the
 * channel deletes them after the channel itself. */
#ifndef OSSLIVEFS_FS_HIDE_H
#define OSSLIVEFS_FS_HIDE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define HIDE_SECS      5        /* how long a removed name stays hidden */
#define HIDE_OBJS_MAX  100000   /* noted vod/ objects per mount */

struct hidden;

/* What the mount hides (in struct fs_ctx). */
struct hide_table {
	pthread_mutex_t lock;
	struct hidden *head;
	size_t nobjs;
};

void hide_init(struct hide_table *t);
void hide_clear(struct hide_table *t);

/* Channel files, by their index in the channel file table (< 32). */
int hide_file(struct hide_table *t, const char *ch, unsigned idx,
	      unsigned nfiles);
void hide_file_undo(struct hide_table *t, const char *ch, unsigned idx);
bool hide_file_is(struct hide_table *t, const char *ch, unsigned idx);
/* Created again (install, tar xf) and open: these set a temporary mode
 * with fchmod, which comes without the file handle, so mode and owner
 * calls on the file are accepted until it is closed. */
void hide_file_created(struct hide_table *t, const char *ch, unsigned idx);
void hide_file_closed(struct hide_table *t, const char *ch, unsigned idx);
bool hide_file_creating(struct hide_table *t, const char *ch, unsigned idx);

/* True while every channel file of ch is hidden: a tree deletion. */
bool hide_removing(struct hide_table *t, const char *ch);

/* vod/ objects noted during a tree deletion: 0, -ENOENT (no deletion
 * under way) or -ENOSPC past HIDE_OBJS_MAX. */
int hide_obj(struct hide_table *t, const char *ch, const char *name);
bool hide_obj_is(struct hide_table *t, const char *ch, const char *name);
int hide_vod(struct hide_table *t, const char *ch);    /* rmdir <ch>/vod */
bool hide_vod_is(struct hide_table *t, const char *ch);

/* Ends ch's record: calls fn for each noted object (fn may be NULL) and
 * forgets the rest, so that what was hidden shows again. */
void hide_end(struct hide_table *t, const char *ch,
	      void (*fn)(void *arg, const char *name), void *arg);

#endif
