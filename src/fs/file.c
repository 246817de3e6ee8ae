/*
 * Open files: a snapshot per open for reading channel files (lxcfs style),
 * a buffer per open for writing a value that is sent as soon as it is
 * complete, vod/ readers, and scratch files (scratch.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_i.h"
#include "util/metrics.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* FH_CHANFILE: a channel file or a file of .osslivefs/. */
enum fh_kind { FH_CHANFILE, FH_VOD_READ, FH_VOD_WRITE, FH_SCRATCH };

struct fh {
	/* Every open file, on its mount's list: the kernel may drop the
	 * RELEASE of the last ones at unmount, and fh_free_all frees them. */
	struct fh *prev, *next;
	pthread_mutex_t lock;
	enum fh_kind kind;
	struct node node;
	char *path;
	time_t since;           /* the channel's last change, at open */
	struct scratch *scr;    /* FH_SCRATCH */
	/* FH_CHANFILE reads: the snapshot of the whole file. */
	struct sbuf snap;
	bool have_snap;
	bool served;
	/* Writes: the value being written, and whether it was sent. */
	struct sbuf wbuf;
	bool sent;
	bool rejected;          /* a write was refused: nothing to keep */
	bool flush_failed;      /* close reported the error once */
	bool created;           /* config.xml or enabled created again */
	/* FH_VOD_READ */
	struct vod_reader *reader;
	bool pending;           /* created here, not yet in the listing */
	bool append;            /* O_APPEND: the kernel's offset is st_size */
};

static struct fh *fh_of(struct fuse_file_info *fi)
{
	return (struct fh *)(uintptr_t)fi->fh;
}

static struct fh *fh_new(struct fs_ctx *c, enum fh_kind kind,
			 const struct node *n, const char *path)
{
	struct fh *fh = calloc(1, sizeof(*fh));

	if (!fh)
		return NULL;
	fh->path = strdup(path);
	if (!fh->path) {
		free(fh);
		return NULL;
	}
	pthread_mutex_init(&fh->lock, NULL);
	fh->kind = kind;
	fh->node = *n;
	metrics_open_files(1);
	pthread_mutex_lock(&c->fhs_lock);
	fh->next = c->fhs;
	if (c->fhs)
		c->fhs->prev = fh;
	c->fhs = fh;
	pthread_mutex_unlock(&c->fhs_lock);
	return fh;
}

/* A new NAME.m3u8 closed before a time range was sent stays as a scratch
 * file holding what was written (touch, an incomplete echo whose close
 * error bash ignores): visible, and a range written into it later makes
 * the playlist. */
static void keep_unsent(struct fs_ctx *c, struct fh *fh)
{
	struct scratch *s;
	int ret;

	if (fh->kind != FH_VOD_WRITE || !fh->pending || fh->sent || fh->rejected)
		return;
	ret = scratch_create(&c->scratch, fh->path, 0644, getuid(), getgid(), &s);
	if (ret) {
		fs_fail("release", fh->path, ret, "what was written is not kept (at most "
			STR(SCRATCH_COUNT_MAX) " scratch files per mount)", NULL);
		return;
	}
	scratch_truncate(&c->scratch, s, 0);
	scratch_write(&c->scratch, s, fh->wbuf.data ? fh->wbuf.data : "",
		      fh->wbuf.len, 0, false);
	scratch_put(&c->scratch, s);
}

static void fh_free(struct fs_ctx *c, struct fh *fh)
{
	pthread_mutex_lock(&c->fhs_lock);
	if (fh->prev)
		fh->prev->next = fh->next;
	else
		c->fhs = fh->next;
	if (fh->next)
		fh->next->prev = fh->prev;
	pthread_mutex_unlock(&c->fhs_lock);
	keep_unsent(c, fh);
	if (fh->created)
		hide_file_closed(&c->hidden, fh->node.ch,
				 chanfile_index(fh->node.file));
	if (fh->pending)
		vod_pending_del(c, fh->node.ch, fh->node.obj);
	sbuf_free(&fh->snap);
	sbuf_free(&fh->wbuf);
	vod_reader_free(fh->reader);
	scratch_put(&c->scratch, fh->scr);
	pthread_mutex_destroy(&fh->lock);
	free(fh->path);
	free(fh);
	metrics_open_files(-1);
}

/* Called with fh->lock held (or before fh is shared).  At open, what the
 * lookup just fetched for the size; at a read at offset 0 again, afresh. */
static int take_snapshot(struct fs_ctx *c, struct fh *fh, const char *op,
			 enum chanfile_use use)
{
	struct fs_error e = { 0 };
	time_t mtime;
	int ret;

	sbuf_reset(&fh->snap);
	if (fh->node.type == N_CTLFILE)
		ret = ctlfile_content(c, fh->node.file, &fh->snap, &e);
	else
		ret = chanfile_content(c, fh->node.ch, fh->since, fh->node.file,
				       use, &fh->snap, &mtime, &e);
	if (ret) {
		fh->have_snap = false;
		return fs_fail(op, fh->path, ret, e.why[0] ? e.why : NULL, &e.oss);
	}
	fh->have_snap = true;
	fh->served = false;
	return 0;
}

static int open_chanfile(struct fs_ctx *c, const char *path, const struct node *n,
		     struct fuse_file_info *fi)
{
	int acc = fi->flags & O_ACCMODE;
	struct chan_info ci;
	struct oss_error err = { 0 };
	struct fh *fh;
	int ret;

	if (acc != O_RDONLY && !(n->file->mode & 0200))
		return fs_fail("open", path, -EACCES, "the file is read-only", NULL);
	ret = n->type == N_CHANFILE ? cache_chan_lookup(c->cache, n->ch, &ci, &err) : 0;
	if (ret)
		return fs_fail("open", path, ret, NULL, &err);
	fh = fh_new(c, FH_CHANFILE, n, path);
	if (!fh)
		return -ENOMEM;
	fh->append = fi->flags & O_APPEND;
	fh->since = ci.mtime;
	if (acc == O_RDONLY) {
		ret = take_snapshot(c, fh, "open", CHANFILE_FOR_OPEN);
		if (ret) {
			fh_free(c, fh);
			return ret;
		}
	}
	fi->fh = (uintptr_t)fh;
	fi->direct_io = 1;
	/* A reader has nothing to send at close: spare the FLUSH round trip. */
	fi->noflush = acc == O_RDONLY;
	return 0;
}

/* Takes over the reference s. */
static int open_scratch(struct fs_ctx *c, const char *path,
			const struct node *n, struct scratch *s,
			struct fuse_file_info *fi)
{
	struct fh *fh = fh_new(c, FH_SCRATCH, n, path);

	if (!fh) {
		scratch_put(&c->scratch, s);
		return -ENOMEM;
	}
	fh->scr = s;
	fh->append = fi->flags & O_APPEND;
	fi->fh = (uintptr_t)fh;
	fi->direct_io = 1;
	fi->noflush = 1;
	return 0;
}

/* The object's reader: the one fetching it already when it came next in
 * a walk through the channel (vod_prefetch.c), if the object is still the
 * one the listing shows (each open reads the object as it is now, within
 * cache_ttl, not as it was when it was guessed at); else a new one. */
static int open_reader(struct fs_ctx *c, const struct node *n,
		       const struct obj_info *oi, struct vod_reader **out)
{
	char key[2 * NAME_MAX + 2];
	int ret = 0;

	*out = vod_prefetch_take(c, n);
	if (*out && !vod_reader_matches(*out, oi->size, oi->mtime)) {
		vod_reader_free(*out);
		*out = NULL;
	}
	if (!*out) {
		node_key(n, key, sizeof(key));
		ret = vod_reader_new(c, key, oi->size, out);
	}
	if (!ret)
		vod_prefetch_opened(c, n);
	return ret;
}

static int open_vobj(struct fs_ctx *c, const char *path, const struct node *n,
		     struct fuse_file_info *fi, bool create)
{
	int acc = fi->flags & O_ACCMODE;
	struct oss_error err = { 0 };
	struct obj_info oi = { .size = -1 };
	struct chan_info ci;
	struct fh *fh;
	int ret;

	ret = cache_chan_lookup(c->cache, n->ch, &ci, &err);
	if (ret)
		return fs_fail(create ? "create" : "open", path, ret, NULL, &err);
	if (!create && !vod_is_pending(c, n->ch, n->obj)) {
		ret = cache_obj_lookup(c->cache, n->ch, n->obj, &oi, &err);
		/* The kernel may still know a name whose value was just
		 * rejected: writing it again is creating it again. */
		if (ret == -ENOENT && acc == O_WRONLY && !err.code[0] &&
		    (vod_mode(&ci, n->obj) & 0200))
			create = true;
		else if (ret)
			return fs_fail("open", path, ret, NULL, &err);
	}
	if (acc == O_RDWR)
		return fs_fail("open", path, -EACCES, "open vod/ objects either to read or to write", NULL);
	if (acc == O_WRONLY && (vod_mode(&ci, n->obj) & 0200) == 0)
		return fs_fail("open", path, -EACCES,
			    vod_is_live_playlist(&ci, n->obj) ? "the live playlist is written by OSS"
							   : "only NAME.m3u8 playlists can be written", NULL);
	fh = fh_new(c, acc == O_WRONLY ? FH_VOD_WRITE : FH_VOD_READ, n, path);
	if (!fh)
		return -ENOMEM;
	if (fh->kind == FH_VOD_READ) {
		ret = open_reader(c, n, &oi, &fh->reader);
		if (ret) {
			fh_free(c, fh);
			return ret;
		}
	}
	fh->append = fi->flags & O_APPEND;
	if (create) {
		ret = vod_pending_add(c, n->ch, n->obj);
		if (ret) {
			fh_free(c, fh);
			return ret;
		}
		fh->pending = true;
	}
	fi->fh = (uintptr_t)fh;
	/* Playlists change while live.  Segments never do, but the page-cache
	 * path measured at a third of direct_io's throughput (make bench),
	 * and a reader of a segment reads it once. */
	fi->direct_io = 1;
	fi->noflush = fh->kind == FH_VOD_READ;
	return 0;
}

/* A scratch file in vod/ with a playlist name (a touch, an incomplete
 * range) opened for writing is a playlist being written again. */
static int open_vod_scratch(struct fs_ctx *c, const char *path,
			    const struct node *n, struct scratch *s,
			    struct fuse_file_info *fi)
{
	if ((fi->flags & O_ACCMODE) != O_WRONLY || vod_is_scratch_name(n->obj))
		return open_scratch(c, path, n, s, fi);
	scratch_put(&c->scratch, s);
	return open_vobj(c, path, n, fi, true);
}

int fs_open(const char *path, struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct scratch *s;
	struct node n;
	int ret;

	ret = node_parse(path, &n);
	if (ret)
		return ret;
	if (n.type == N_SCRATCH || n.type == N_VOBJ) {
		s = scratch_get(&c->scratch, path);
		if (s && n.type == N_VOBJ)
			return open_vod_scratch(c, path, &n, s, fi);
		if (s)
			return open_scratch(c, path, &n, s, fi);
	}
	switch (n.type) {
	case N_CHANFILE:
		if (hide_file_is(&c->hidden, n.ch, chanfile_index(n.file)))
			return -ENOENT;
		return open_chanfile(c, path, &n, fi);
	case N_CTLFILE:
		return open_chanfile(c, path, &n, fi);
	case N_VOBJ:
		if (hide_obj_is(&c->hidden, n.ch, n.obj))
			return -ENOENT;
		return open_vobj(c, path, &n, fi, false);
	case N_SCRATCH:
		return -ENOENT;
	default:
		return -EISDIR;
	}
}

static int create_scratch(struct fs_ctx *c, const char *path,
			  const struct node *n, mode_t mode,
			  struct fuse_file_info *fi)
{
	struct fuse_context *fc = fuse_get_context();
	struct oss_error err = { 0 };
	struct scratch *s;
	int ret;

	ret = cache_chan_lookup(c->cache, n->ch, NULL, &err);
	if (ret)
		return fs_fail("create", path, ret, NULL, &err);
	ret = scratch_create(&c->scratch, path, mode, fc->uid, fc->gid, &s);
	if (ret == -ENOSPC)
		return fs_fail("create", path, ret, "at most "
			       STR(SCRATCH_COUNT_MAX) " scratch files per mount", NULL);
	if (ret)
		return fs_fail("create", path, ret, NULL, NULL);
	return open_scratch(c, path, n, s, fi);
}

/* config.xml or enabled created again after rm (install, mv, tar xf). */
static int create_chanfile(struct fs_ctx *c, const char *path,
			   const struct node *n, struct fuse_file_info *fi)
{
	int ret;

	if (!(n->file->mode & 0200))
		return fs_fail("create", path, -EACCES, "the file is read-only", NULL);
	if ((fi->flags & O_ACCMODE) == O_RDONLY)
		fi->flags |= O_WRONLY;
	ret = open_chanfile(c, path, n, fi);
	if (ret)
		return ret;
	fh_of(fi)->created = true;
	hide_file_created(&c->hidden, n->ch, chanfile_index(n->file));
	return 0;
}

int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct oss_error err = { 0 };
	struct chan_info ci;
	const char *why;
	struct node n;
	int ret;

	ret = node_parse(path, &n);
	if (ret == -ENAMETOOLONG)
		return fs_fail("create", path, ret, "a name is at most 255 bytes", NULL);
	if (ret == 0 && (n.type == N_SCRATCH ||
			 (n.type == N_VOBJ && vod_is_scratch_name(n.obj))))
		return create_scratch(c, path, &n, mode, fi);
	if (ret == 0 && n.type == N_CHANFILE)
		return create_chanfile(c, path, &n, fi);
	if (ret || n.type != N_VOBJ)
		return fs_fail("create", path, -EACCES, "files can only be created "
			       "in a channel directory or its vod/", NULL);
	why = vod_name_why(n.obj);
	if (why)
		return fs_fail("create", path, -EINVAL, why, NULL);
	ret = cache_chan_lookup(c->cache, n.ch, &ci, &err);
	if (ret)
		return fs_fail("create", path, ret, NULL, &err);
	if (vod_is_live_playlist(&ci, n.obj))
		return fs_fail("create", path, -EACCES, "the live playlist is written by OSS", NULL);
	/* A new playlist's content can only come from a write. */
	if ((fi->flags & O_ACCMODE) == O_RDONLY)
		fi->flags |= O_WRONLY;
	return open_vobj(c, path, &n, fi, true);
}

static int read_chanfile(struct fs_ctx *c, struct fh *fh, char *buf,
			 size_t size, off_t off)
{
	int ret;

	/* Reading offset 0 again (after the first pass) takes a new snapshot. */
	if (!fh->have_snap || (off == 0 && fh->served)) {
		ret = take_snapshot(c, fh, "read", fh->have_snap ? CHANFILE_FRESH
								 : CHANFILE_FOR_OPEN);
		if (ret)
			return ret;
	}
	fh->served = true;
	if ((size_t)off >= fh->snap.len)
		return 0;
	if (size > fh->snap.len - (size_t)off)
		size = fh->snap.len - (size_t)off;
	memcpy(buf, fh->snap.data + off, size);
	return (int)size;
}

int fs_read(const char *path, char *buf, size_t size, off_t off,
	    struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct fh *fh = fh_of(fi);
	int ret;

	(void)path;
	if (fh->kind == FH_SCRATCH)
		return scratch_read(&c->scratch, fh->scr, buf, size, off);
	/* A reader has its own lock, never held across a request. */
	if (fh->kind == FH_VOD_READ) {
		ret = vod_reader_read(fh->reader, fh->path, buf, size, off);
		if (ret > 0)
			metrics_vod_bytes((size_t)ret);
		if (ret >= 0 && vod_reader_read_whole(fh->reader))
			vod_prefetch_read_whole(c, &fh->node);
		return ret;
	}
	pthread_mutex_lock(&fh->lock);
	if (fh->kind == FH_CHANFILE)
		ret = read_chanfile(c, fh, buf, size, off);
	else
		ret = -EBADF;
	pthread_mutex_unlock(&fh->lock);
	return ret;
}

static int store(struct fs_ctx *c, struct fh *fh, bool final,
		 struct fs_error *e)
{
	if (fh->kind == FH_VOD_WRITE)
		return vod_store(c, &fh->node, &fh->wbuf, final, e);
	return fh->node.file->store(c, fh->node.ch, &fh->wbuf, final, e);
}

static bool all_space(const char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (!strchr(" \t\r\n", buf[i]))
			return false;
	return true;
}

/* Called with fh->lock held: the value went out. */
static void sent_ok(struct fs_ctx *c, struct fh *fh)
{
	fh->sent = true;
	/* A playlist written into a kept scratch file replaces it. */
	if (fh->kind == FH_VOD_WRITE)
		scratch_unlink(&c->scratch, fh->path);
}

/* Called with fh->lock held.  A value is sent as soon as it is complete,
 * so that write(2) itself reports what OSS or the local checks said. */
static int write_value(struct fs_ctx *c, struct fh *fh, const char *buf,
		       size_t size, off_t off)
{
	struct fs_error e = { 0 };
	int ret;

	if (fh->sent) {
		if (all_space(buf, size))
			return (int)size;
		return fs_fail("write", fh->path, -EINVAL,
			       "a value was already sent; write one value per open", NULL);
	}
	/* ">>" writes a value like ">": the kernel's append offset is the
	 * file's last known size, not a place in this open's value. */
	if (fh->append)
		off = (off_t)fh->wbuf.len;
	ret = sbuf_write_at(&fh->wbuf, (size_t)off, buf, size);
	if (ret)
		return ret;
	ret = store(c, fh, false, &e);
	if (ret == -EAGAIN)
		return (int)size;
	if (ret) {
		/* A rejected write changes nothing, and close has nothing to send. */
		sbuf_reset(&fh->wbuf);
		fh->rejected = true;
		return fs_fail("write", fh->path, ret, e.why, &e.oss);
	}
	sent_ok(c, fh);
	return (int)size;
}

_Static_assert(SCRATCH_SIZE_MAX == 1u << 20, "the log lines say 1 MiB");

static int write_scratch(struct fs_ctx *c, struct fh *fh, const char *buf,
			 size_t size, off_t off)
{
	int ret = scratch_write(&c->scratch, fh->scr, buf, size, off, fh->append);

	if (ret == -EFBIG)
		return fs_fail("write", fh->path, ret,
			       "a scratch file holds at most 1 MiB", NULL);
	return ret;
}

int fs_write(const char *path, const char *buf, size_t size, off_t off,
	     struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct fh *fh = fh_of(fi);
	int ret;

	(void)path;
	if (fh->kind == FH_VOD_READ)
		return -EBADF;
	if (fh->kind == FH_SCRATCH)
		return write_scratch(c, fh, buf, size, off);
	pthread_mutex_lock(&fh->lock);
	if ((fh->append ? (off_t)fh->wbuf.len : off) + size > (1u << 20)) {
		pthread_mutex_unlock(&fh->lock);
		return fs_fail("write", fh->path, -EFBIG, "values are at most 1 MiB", NULL);
	}
	ret = write_value(c, fh, buf, size, off);
	pthread_mutex_unlock(&fh->lock);
	return ret;
}

/* close(2): what is still incomplete is validated now, and its error is
 * close's (once: every close of a dup'ed descriptor flushes). */
int fs_flush(const char *path, struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct fh *fh = fh_of(fi);
	struct fs_error e = { 0 };
	int ret = 0;

	(void)path;
	if (fh->kind == FH_VOD_READ || fh->kind == FH_SCRATCH)
		return 0;
	pthread_mutex_lock(&fh->lock);
	if (!fh->sent && !fh->flush_failed && fh->wbuf.len > 0) {
		ret = store(c, fh, true, &e);
		if (ret == 0) {
			sent_ok(c, fh);
		} else {
			fh->flush_failed = true;
			/* An incomplete new playlist is kept (keep_unsent). */
			if (fh->kind != FH_VOD_WRITE || !fh->pending)
				sbuf_reset(&fh->wbuf);
			fs_fail("close", fh->path, ret, e.why, &e.oss);
		}
	}
	pthread_mutex_unlock(&fh->lock);
	return ret;
}

void fh_free_all(struct fs_ctx *c)
{
	while (c->fhs)
		fh_free(c, c->fhs);
}

int fs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	fh_free(fs_ctx(), fh_of(fi));
	return 0;
}

int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	(void)fi;
	return 0;       /* values are sent by write; scratch files stay here */
}

/* Called with fh->lock held. */
static int truncate_fh(struct fh *fh, off_t size)
{
	if (size == 0) {
		sbuf_reset(&fh->wbuf);
		fh->sent = false;
		fh->flush_failed = false;
		return 0;
	}
	/* rsync --inplace ends with ftruncate to what it wrote. */
	if ((size_t)size == fh->wbuf.len)
		return 0;
	return fs_fail("truncate", fh->path, -EINVAL,
		       "only truncation to 0 or to the length written is supported", NULL);
}

static int truncate_scratch(struct fs_ctx *c, struct scratch *s,
			    const char *path, off_t size)
{
	int ret = scratch_truncate(&c->scratch, s, size);

	scratch_put(&c->scratch, s);
	if (ret == -EFBIG)
		return fs_fail("truncate", path, ret,
			       "a scratch file holds at most 1 MiB", NULL);
	return ret;
}

int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct fh *fh = fi ? fh_of(fi) : NULL;
	struct scratch *s = fh ? fs_file_scratch(fi)
			       : scratch_get(&c->scratch, path);
	struct stat st;
	int ret;

	if (s)
		return truncate_scratch(c, s, path, size);
	if (fh) {
		pthread_mutex_lock(&fh->lock);
		ret = truncate_fh(fh, size);
		pthread_mutex_unlock(&fh->lock);
		return ret;
	}
	/* O_TRUNC without an open file: only resets what the next open writes. */
	ret = fs_getattr(path, &st, NULL);
	if (ret)
		return ret;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0200))
		return fs_fail("truncate", path, -EACCES, "the file is read-only", NULL);
	if (size != 0 && size != st.st_size)
		return fs_fail("truncate", path, -EINVAL, "only truncation to 0 is supported", NULL);
	return 0;
}

struct scratch *fs_file_scratch(struct fuse_file_info *fi)
{
	struct fh *fh = fh_of(fi);

	if (fh->kind != FH_SCRATCH)
		return NULL;
	return scratch_hold(&fs_ctx()->scratch, fh->scr);
}

int fs_file_getattr(struct fuse_file_info *fi, struct stat *st)
{
	struct fs_ctx *c = fs_ctx();
	struct oss_error err = { 0 };
	struct fh *fh = fh_of(fi);
	int ret;

	if (fh->kind == FH_SCRATCH) {
		scratch_stat(&c->scratch, fh->scr, st);
		return 0;
	}
	/* A reader's size is its snapshot's: tar checks it after reading. */
	if (fh->kind == FH_CHANFILE && fh->have_snap) {
		fill_file(st, fh->node.file->mode, (off_t)fh->snap.len, fh->since);
		return 0;
	}
	ret = fs_node_getattr(c, &fh->node, fh->path, st, &err);
	/* A file created again is there even before its name shows. */
	if (ret == -ENOENT && fh->kind == FH_CHANFILE) {
		fill_file(st, fh->node.file->mode, 0, fh->since);
		return 0;
	}
	return ret;
}
