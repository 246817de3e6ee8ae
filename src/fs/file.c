/*
 * Open files: a snapshot per open for reading channel files (lxcfs style),
 * a buffer per open for writing a value that is sent as soon as it is
 * complete, and vod/ readers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_i.h"

enum fh_kind { FH_CHANFILE, FH_VOD_READ, FH_VOD_WRITE };

struct fh {
	/* Every open file, on its mount's list: the kernel may drop the
	 * RELEASE of the last ones at unmount, and fh_free_all frees them. */
	struct fs_ctx *c;
	struct fh *prev, *next;
	pthread_mutex_t lock;
	enum fh_kind kind;
	struct node node;
	/* FH_CHANFILE reads: the snapshot of the whole file. */
	struct sbuf snap;
	bool have_snap;
	bool served;
	/* Writes: the value being written, and whether it was sent. */
	struct sbuf wbuf;
	bool sent;
	/* FH_VOD_READ */
	struct vod_reader *reader;
	bool pending;           /* created here, not yet in the listing */
	bool append;            /* O_APPEND: the kernel's offset is st_size */
};

static struct fh *fh_new(struct fs_ctx *c, enum fh_kind kind,
			 const struct node *n)
{
	struct fh *fh = calloc(1, sizeof(*fh));

	if (!fh)
		return NULL;
	pthread_mutex_init(&fh->lock, NULL);
	fh->c = c;
	fh->kind = kind;
	fh->node = *n;
	pthread_mutex_lock(&c->fhs_lock);
	fh->next = c->fhs;
	if (c->fhs)
		c->fhs->prev = fh;
	c->fhs = fh;
	pthread_mutex_unlock(&c->fhs_lock);
	return fh;
}

static void fh_free(struct fh *fh)
{
	struct fs_ctx *c = fh->c;

	pthread_mutex_lock(&c->fhs_lock);
	if (fh->prev)
		fh->prev->next = fh->next;
	else
		c->fhs = fh->next;
	if (fh->next)
		fh->next->prev = fh->prev;
	pthread_mutex_unlock(&c->fhs_lock);
	if (fh->pending)
		vod_pending_del(c, fh->node.ch, fh->node.obj);
	sbuf_free(&fh->snap);
	sbuf_free(&fh->wbuf);
	vod_reader_free(fh->reader);
	pthread_mutex_destroy(&fh->lock);
	free(fh);
}

/* Called with fh->lock held (or before fh is shared). */
static int take_snapshot(struct fs_ctx *c, struct fh *fh, const char *op,
			 const char *path)
{
	struct fs_error e = { 0 };
	int ret;

	sbuf_reset(&fh->snap);
	ret = fh->node.file->show(c, fh->node.ch, &fh->snap, &e);
	if (ret) {
		fh->have_snap = false;
		return fs_fail(op, path, ret, e.why[0] ? e.why : NULL, &e.oss);
	}
	fh->have_snap = true;
	fh->served = false;
	size_set(c, fh->node.ch, fh->node.file->name, (off_t)fh->snap.len);
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
	ret = cache_chan_lookup(c->cache, n->ch, &ci, &err);
	if (ret)
		return fs_fail("open", path, ret, NULL, &err);
	fh = fh_new(c, FH_CHANFILE, n);
	if (!fh)
		return -ENOMEM;
	fh->append = fi->flags & O_APPEND;
	if (acc == O_RDONLY) {
		ret = take_snapshot(c, fh, "open", path);
		if (ret) {
			fh_free(fh);
			return ret;
		}
	}
	fi->fh = (uintptr_t)fh;
	fi->direct_io = 1;
	/* A reader has nothing to send at close: spare the FLUSH round trip. */
	fi->noflush = acc == O_RDONLY;
	return 0;
}

/* The object's reader: the one fetching it already when it came next in
 * a walk through the channel (vod_prefetch.c), else a new one. */
static int open_reader(struct fs_ctx *c, const struct node *n, off_t size,
		       struct vod_reader **out)
{
	char key[2 * NAME_MAX + 2];
	int ret = 0;

	*out = vod_prefetch_take(c, n);
	if (!*out) {
		node_key(n, key, sizeof(key));
		ret = vod_reader_new(c, key, size, out);
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
	fh = fh_new(c, acc == O_WRONLY ? FH_VOD_WRITE : FH_VOD_READ, n);
	if (!fh)
		return -ENOMEM;
	if (fh->kind == FH_VOD_READ) {
		ret = open_reader(c, n, oi.size, &fh->reader);
		if (ret) {
			fh_free(fh);
			return ret;
		}
	}
	fh->append = fi->flags & O_APPEND;
	if (create) {
		ret = vod_pending_add(c, n->ch, n->obj);
		if (ret) {
			fh_free(fh);
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

int fs_open(const char *path, struct fuse_file_info *fi)
{
	struct node n;
	int ret;

	ret = node_parse(path, &n);
	if (ret)
		return ret;
	switch (n.type) {
	case N_CHANFILE:
		return open_chanfile(fs_ctx(), path, &n, fi);
	case N_VOBJ:
		return open_vobj(fs_ctx(), path, &n, fi, false);
	default:
		return -EISDIR;
	}
}

int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct oss_error err = { 0 };
	struct chan_info ci;
	const char *why;
	struct node n;
	int ret;

	(void)mode;
	ret = node_parse(path, &n);
	if (ret == -ENAMETOOLONG)
		return fs_fail("create", path, ret, "a name is at most 255 bytes", NULL);
	if (ret || n.type != N_VOBJ)
		return fs_fail("create", path, -EACCES, "files can only be created in vod/", NULL);
	why = vod_name_why(n.obj);
	if (why)
		return fs_fail("create", path, -EINVAL, why, NULL);
	ret = cache_chan_lookup(c->cache, n.ch, &ci, &err);
	if (ret)
		return fs_fail("create", path, ret, NULL, &err);
	if (!vod_is_m3u8(n.obj))
		return fs_fail("create", path, -EINVAL, "a VOD playlist name must end in .m3u8", NULL);
	if (vod_is_live_playlist(&ci, n.obj))
		return fs_fail("create", path, -EACCES, "the live playlist is written by OSS", NULL);
	/* A new playlist's content can only come from a write. */
	if ((fi->flags & O_ACCMODE) == O_RDONLY)
		fi->flags |= O_WRONLY;
	return open_vobj(c, path, &n, fi, true);
}

static int read_chanfile(struct fs_ctx *c, struct fh *fh, const char *path,
		     char *buf, size_t size, off_t off)
{
	int ret;

	/* Reading offset 0 again (after the first pass) takes a new snapshot. */
	if (!fh->have_snap || (off == 0 && fh->served)) {
		ret = take_snapshot(c, fh, "read", path);
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
	struct fh *fh = (struct fh *)(uintptr_t)fi->fh;
	int ret;

	/* A reader has its own lock, never held across a request. */
	if (fh->kind == FH_VOD_READ) {
		ret = vod_reader_read(fh->reader, path, buf, size, off);
		if (ret >= 0 && vod_reader_read_whole(fh->reader))
			vod_prefetch_read_whole(fs_ctx(), &fh->node);
		return ret;
	}
	pthread_mutex_lock(&fh->lock);
	if (fh->kind == FH_CHANFILE)
		ret = read_chanfile(fs_ctx(), fh, path, buf, size, off);
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

/* Called with fh->lock held.  A value is sent as soon as it is complete,
 * so that write(2) itself reports what OSS or the local checks said. */
static int write_value(struct fs_ctx *c, struct fh *fh, const char *path,
		       const char *buf, size_t size, off_t off)
{
	struct fs_error e = { 0 };
	int ret;

	if (fh->sent) {
		if (all_space(buf, size))
			return (int)size;
		return fs_fail("write", path, -EINVAL,
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
		return fs_fail("write", path, ret, e.why, &e.oss);
	}
	fh->sent = true;
	return (int)size;
}

int fs_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fh *fh = (struct fh *)(uintptr_t)fi->fh;
	int ret;

	if (fh->kind == FH_VOD_READ)
		return -EBADF;
	pthread_mutex_lock(&fh->lock);
	if ((fh->append ? (off_t)fh->wbuf.len : off) + size > (1u << 20)) {
		pthread_mutex_unlock(&fh->lock);
		return fs_fail("write", path, -EFBIG, "values are at most 1 MiB", NULL);
	}
	ret = write_value(fs_ctx(), fh, path, buf, size, off);
	pthread_mutex_unlock(&fh->lock);
	return ret;
}

/* close(2): what is still incomplete is validated now, and its error is
 * close's. */
int fs_flush(const char *path, struct fuse_file_info *fi)
{
	struct fh *fh = (struct fh *)(uintptr_t)fi->fh;
	struct fs_error e = { 0 };
	int ret = 0;

	if (fh->kind == FH_VOD_READ)
		return 0;
	pthread_mutex_lock(&fh->lock);
	if (!fh->sent && fh->wbuf.len > 0) {
		ret = store(fs_ctx(), fh, true, &e);
		sbuf_reset(&fh->wbuf);
		if (ret == 0)
			fh->sent = true;
		else
			fs_fail("close", path, ret, e.why, &e.oss);
	}
	pthread_mutex_unlock(&fh->lock);
	return ret;
}

void fh_free_all(struct fs_ctx *c)
{
	while (c->fhs)
		fh_free(c->fhs);
}

int fs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	fh_free((struct fh *)(uintptr_t)fi->fh);
	return 0;
}

int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct fh *fh = fi ? (struct fh *)(uintptr_t)fi->fh : NULL;
	struct stat st;
	int ret;

	if (size != 0)
		return fs_fail("truncate", path, -EINVAL, "only truncation to 0 is supported", NULL);
	if (fh) {
		pthread_mutex_lock(&fh->lock);
		sbuf_reset(&fh->wbuf);
		fh->sent = false;
		pthread_mutex_unlock(&fh->lock);
		return 0;
	}
	/* O_TRUNC without an open file: only resets what the next open writes. */
	ret = fs_getattr(path, &st, NULL);
	if (ret)
		return ret;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0200))
		return fs_fail("truncate", path, -EACCES, "the file is read-only", NULL);
	return 0;
}

