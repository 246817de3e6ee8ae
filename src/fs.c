/*
 * The FUSE adapter: paths to nodes, the fuse_operations table, per-open
 * buffers and errnos.  Everything below goes through live.h and obj.h.
 *
 *   /                       one directory per channel
 *   /<ch>/<attr>            the channel files of fs_attr.c
 *   /<ch>/vod/<object>      the objects under the key prefix "<ch>/"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"

enum node_type { N_ROOT, N_CHAN, N_ATTR, N_VOD, N_VOBJ };

struct node {
	enum node_type type;
	char ch[NAME_MAX + 1];
	const struct attr_file *attr;
	char obj[NAME_MAX + 1];
};

enum fh_kind { FH_ATTR, FH_VOD_READ, FH_VOD_WRITE };

struct fh {
	pthread_mutex_t lock;
	enum fh_kind kind;
	struct node node;
	/* FH_ATTR reads: the snapshot of the whole file. */
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

/* vod/ files created by this mount and still open: they exist for
 * getattr before OSS has them. */
struct pending {
	struct pending *next;
	char ch[NAME_MAX + 1];
	char obj[NAME_MAX + 1];
};
static struct pending *pending_list;
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;

static struct fs_ctx *ctx(void)
{
	return fuse_get_context()->private_data;
}

static int copy_component(char *dst, const char *src, size_t n)
{
	if (n == 0 || n > NAME_MAX)
		return -ENOENT;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

static int parse_path(const char *path, struct node *n)
{
	const char *p = path + 1, *s;

	*n = (struct node){ .type = N_ROOT };
	if (!*p)
		return 0;
	s = strchr(p, '/');
	if (copy_component(n->ch, p, s ? (size_t)(s - p) : strlen(p)))
		return -ENOENT;
	n->type = N_CHAN;
	if (!s)
		return 0;
	p = s + 1;
	s = strchr(p, '/');
	if (!s) {
		if (strcmp(p, "vod") == 0) {
			n->type = N_VOD;
			return 0;
		}
		n->attr = attr_find(p);
		n->type = N_ATTR;
		return n->attr ? 0 : -ENOENT;
	}
	if ((size_t)(s - p) != 3 || strncmp(p, "vod", 3) != 0)
		return -ENOENT;
	n->type = N_VOBJ;
	return copy_component(n->obj, s + 1, strlen(s + 1)) ?:
	       (strchr(n->obj, '/') ? -ENOENT : 0);
}

static bool is_pending(const char *ch, const char *obj)
{
	struct pending *p;
	bool found = false;

	pthread_mutex_lock(&pending_lock);
	for (p = pending_list; p && !found; p = p->next)
		found = strcmp(p->ch, ch) == 0 && strcmp(p->obj, obj) == 0;
	pthread_mutex_unlock(&pending_lock);
	return found;
}

static int pending_add(const char *ch, const char *obj)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	strcpy(p->ch, ch);
	strcpy(p->obj, obj);
	pthread_mutex_lock(&pending_lock);
	p->next = pending_list;
	pending_list = p;
	pthread_mutex_unlock(&pending_lock);
	return 0;
}

static void pending_del(const char *ch, const char *obj)
{
	struct pending **pp, *p;

	pthread_mutex_lock(&pending_lock);
	for (pp = &pending_list; (p = *pp); pp = &p->next) {
		if (strcmp(p->ch, ch) == 0 && strcmp(p->obj, obj) == 0) {
			*pp = p->next;
			free(p);
			break;
		}
	}
	pthread_mutex_unlock(&pending_lock);
}

static void fill_dir(struct stat *st, time_t t)
{
	*st = (struct stat){
		.st_mode = S_IFDIR | 0755,
		.st_nlink = 2,
		.st_uid = getuid(),
		.st_gid = getgid(),
		.st_mtime = t, .st_ctime = t, .st_atime = t,
	};
}

static void fill_file(struct stat *st, mode_t mode, off_t size, time_t t)
{
	*st = (struct stat){
		.st_mode = S_IFREG | mode,
		.st_nlink = 1,
		.st_uid = getuid(),
		.st_gid = getgid(),
		.st_size = size,
		.st_blksize = 4096,
		.st_blocks = (size + 511) / 512,
		.st_mtime = t, .st_ctime = t, .st_atime = t,
	};
}

static bool is_live_playlist(const struct chan_info *ci, const char *obj)
{
	return strcmp(ci->playlist_name[0] ? ci->playlist_name : "playlist.m3u8",
		      obj) == 0;
}

static bool is_m3u8(const char *obj)
{
	size_t n = strlen(obj);

	return n > 5 && strcmp(obj + n - 5, ".m3u8") == 0;
}

/* The mode of a vod/ object: segments and the live playlist are OSS's. */
static mode_t vod_mode(const struct chan_info *ci, const char *obj)
{
	return is_m3u8(obj) && !is_live_playlist(ci, obj) ? 0644 : 0444;
}

static int vobj_getattr(struct fs_ctx *c, const struct node *n,
			const struct chan_info *ci, struct stat *st,
			struct oss_error *err)
{
	struct vod_info vi;
	int ret;

	if (is_pending(n->ch, n->obj)) {
		fill_file(st, 0644, 0, time(NULL));
		return 0;
	}
	ret = vod_lookup(c, n->ch, n->obj, &vi, err);
	if (ret)
		return ret;
	fill_file(st, vod_mode(ci, n->obj), vi.size, vi.mtime);
	return 0;
}

static int node_getattr(struct fs_ctx *c, const struct node *n,
			struct stat *st, struct oss_error *err)
{
	struct chan_info ci;
	int ret;

	if (n->type == N_ROOT) {
		fill_dir(st, c->mounted_at);
		return 0;
	}
	ret = chan_lookup(c, n->ch, &ci, err);
	if (ret)
		return ret;
	switch (n->type) {
	case N_ATTR:
		fill_file(st, n->attr->mode, size_get(c, n->ch, n->attr->name),
			  ci.mtime);
		return 0;
	case N_VOBJ:
		return vobj_getattr(c, n, &ci, st, err);
	default:
		fill_dir(st, ci.mtime);
		return 0;
	}
}

/* Failures worth a log line: not the ENOENT of every lookup that misses. */
static int fail(const char *op, const char *path, int ret, const char *why,
		const struct oss_error *err)
{
	if (ret != -ENOENT || (err && err->code[0]))
		fs_log_fail(op, path, ret, why, err);
	return ret;
}

static int fs_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct oss_error err = { 0 };
	struct node n;
	int ret;

	(void)fi;
	ret = parse_path(path, &n);
	if (ret)
		return ret;
	ret = node_getattr(ctx(), &n, st, &err);
	if (ret && ret != -ENOENT)
		return fail("getattr", path, ret, NULL, &err);
	return ret;
}

static int fs_access(const char *path, int mask)
{
	struct stat st;
	int ret = fs_getattr(path, &st, NULL);

	if (ret)
		return ret;
	if ((mask & W_OK) && !(st.st_mode & 0200))
		return -EACCES;
	if ((mask & X_OK) && !S_ISDIR(st.st_mode))
		return -EACCES;
	return 0;
}

struct fill_ctx {
	struct fs_ctx *c;
	void *buf;
	fuse_fill_dir_t filler;
	enum fuse_fill_dir_flags flags;
	const struct chan_info *ci;
};

static int fill_channel(void *arg, const struct chan_info *ch)
{
	struct fill_ctx *f = arg;
	struct stat st;

	fill_dir(&st, ch->mtime);
	return f->filler(f->buf, ch->name, &st, 0, f->flags);
}

static int fill_vod(void *arg, const char *name, const struct vod_info *vi)
{
	struct fill_ctx *f = arg;
	struct stat st;

	fill_file(&st, vod_mode(f->ci, name), vi->size, vi->mtime);
	return f->filler(f->buf, name, &st, 0, f->flags);
}

static int readdir_channel(struct fill_ctx *f, const char *ch)
{
	const struct attr_file *a;
	struct stat st;
	size_t i;

	for (i = 0; (a = attr_at(i)); i++) {
		fill_file(&st, a->mode, size_get(f->c, ch, a->name),
			  f->ci->mtime);
		if (f->filler(f->buf, a->name, &st, 0, f->flags))
			return 0;
	}
	fill_dir(&st, f->ci->mtime);
	f->filler(f->buf, "vod", &st, 0, f->flags);
	return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct fs_ctx *c = ctx();
	struct oss_error err = { 0 };
	struct chan_info ci;
	struct node n;
	struct fill_ctx f = {
		.c = c, .buf = buf, .filler = filler, .ci = &ci,
		.flags = (flags & FUSE_READDIR_PLUS) ? FUSE_FILL_DIR_PLUS : 0,
	};
	int ret;

	(void)off;
	(void)fi;
	ret = parse_path(path, &n);
	if (ret)
		return ret;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	if (n.type == N_ROOT) {
		ret = chan_foreach(c, fill_channel, &f, &err);
		return ret ? fail("readdir", path, ret, NULL, &err) : 0;
	}
	ret = chan_lookup(c, n.ch, &ci, &err);
	if (ret)
		return fail("readdir", path, ret, NULL, &err);
	if (n.type == N_CHAN)
		return readdir_channel(&f, n.ch);
	if (n.type != N_VOD)
		return -ENOTDIR;
	ret = vod_foreach(c, n.ch, fill_vod, &f, &err);
	return ret ? fail("readdir", path, ret, NULL, &err) : 0;
}

static int fs_mkdir(const char *path, mode_t mode)
{
	struct fs_ctx *c = ctx();
	struct oss_error err = { 0 };
	struct live_config cfg;
	struct node n;
	int ret;

	(void)mode;
	/* Directories exist only at the top: one per channel. */
	if (parse_path(path, &n) || n.type != N_CHAN)
		return fail("mkdir", path, -EACCES, "only channel directories can be made", NULL);
	ret = live_name_check(n.ch);
	if (ret)
		return fail("mkdir", path, ret, live_name_why(n.ch), NULL);
	/* PutLiveChannel would silently overwrite an existing channel. */
	ret = live_get_info(c->engine, n.ch, &cfg, &err);
	if (ret == 0)
		return fail("mkdir", path, -EEXIST, "the channel exists", NULL);
	if (ret != -ENOENT)
		return fail("mkdir", path, ret, NULL, &err);
	oss_error_clear(&err);
	live_config_default(&cfg, c->opt.frag_duration, c->opt.frag_count,
			    c->opt.playlist_name);
	ret = live_put(c->engine, n.ch, &cfg, NULL, &err);
	chan_invalidate(c);
	return ret ? fail("mkdir", path, ret, NULL, &err) : 0;
}

static int fs_rmdir(const char *path)
{
	struct fs_ctx *c = ctx();
	struct oss_error err = { 0 };
	struct node n;
	int ret;

	ret = parse_path(path, &n);
	if (ret)
		return ret;
	if (n.type != N_CHAN)
		return fail("rmdir", path, -EPERM, "only channel directories can be removed", NULL);
	ret = live_delete(c->engine, n.ch, &err);
	chan_invalidate(c);
	return ret ? fail("rmdir", path, ret, NULL, &err) : 0;
}

static int fs_unlink(const char *path)
{
	struct fs_ctx *c = ctx();
	struct oss_error err = { 0 };
	char key[2 * NAME_MAX + 2];
	struct node n;
	int ret;

	ret = parse_path(path, &n);
	if (ret)
		return ret;
	if (n.type != N_VOBJ)
		return fail("unlink", path, -EPERM, "only vod/ objects can be removed", NULL);
	/* DeleteObject answers 204 for a missing key: ask the listing. */
	ret = vod_lookup(c, n.ch, n.obj, NULL, &err);
	if (ret)
		return fail("unlink", path, ret, NULL, &err);
	snprintf(key, sizeof(key), "%s/%s", n.ch, n.obj);
	ret = obj_delete(c->engine, key, &err);
	vod_invalidate(c, n.ch);
	return ret ? fail("unlink", path, ret, NULL, &err) : 0;
}

static int fs_rename(const char *from, const char *to, unsigned int flags)
{
	(void)to;
	(void)flags;
	return fail("rename", from, -EPERM, "nothing can be renamed", NULL);
}

static int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)mode;
	(void)fi;
	return fail("chmod", path, -EPERM, "modes are fixed", NULL);
}

static int fs_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	(void)uid;
	(void)gid;
	(void)fi;
	return fail("chown", path, -EPERM, "owners are fixed", NULL);
}

static int fs_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	struct stat st;

	(void)tv;
	(void)fi;
	/* touch(1) of an existing file: nothing to store, nothing to fail. */
	return fs_getattr(path, &st, NULL);
}

static struct fh *fh_new(enum fh_kind kind, const struct node *n)
{
	struct fh *fh = calloc(1, sizeof(*fh));

	if (!fh)
		return NULL;
	pthread_mutex_init(&fh->lock, NULL);
	fh->kind = kind;
	fh->node = *n;
	return fh;
}

static void fh_free(struct fh *fh)
{
	if (fh->pending)
		pending_del(fh->node.ch, fh->node.obj);
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
	struct oss_error err = { 0 };
	int ret;

	sbuf_reset(&fh->snap);
	ret = fh->node.attr->show(c, fh->node.ch, &fh->snap, &err);
	if (ret) {
		fh->have_snap = false;
		return fail(op, path, ret, NULL, &err);
	}
	fh->have_snap = true;
	fh->served = false;
	size_set(c, fh->node.ch, fh->node.attr->name, (off_t)fh->snap.len);
	return 0;
}

static int open_attr(struct fs_ctx *c, const char *path, const struct node *n,
		     struct fuse_file_info *fi)
{
	int acc = fi->flags & O_ACCMODE;
	struct chan_info ci;
	struct oss_error err = { 0 };
	struct fh *fh;
	int ret;

	if (acc != O_RDONLY && !(n->attr->mode & 0200))
		return fail("open", path, -EACCES, "the file is read-only", NULL);
	ret = chan_lookup(c, n->ch, &ci, &err);
	if (ret)
		return fail("open", path, ret, NULL, &err);
	fh = fh_new(FH_ATTR, n);
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

static int open_vobj(struct fs_ctx *c, const char *path, const struct node *n,
		     struct fuse_file_info *fi, bool create)
{
	int acc = fi->flags & O_ACCMODE;
	struct oss_error err = { 0 };
	struct chan_info ci;
	struct fh *fh;
	int ret;

	ret = chan_lookup(c, n->ch, &ci, &err);
	if (ret)
		return fail(create ? "create" : "open", path, ret, NULL, &err);
	if (!create && !is_pending(n->ch, n->obj)) {
		ret = vod_lookup(c, n->ch, n->obj, NULL, &err);
		/* The kernel may still know a name whose value was just
		 * rejected: writing it again is creating it again. */
		if (ret == -ENOENT && acc == O_WRONLY && !err.code[0] &&
		    (vod_mode(&ci, n->obj) & 0200))
			create = true;
		else if (ret)
			return fail("open", path, ret, NULL, &err);
	}
	if (acc == O_RDWR)
		return fail("open", path, -EACCES, "open vod/ objects either to read or to write", NULL);
	if (acc == O_WRONLY && (vod_mode(&ci, n->obj) & 0200) == 0)
		return fail("open", path, -EACCES,
			    is_live_playlist(&ci, n->obj) ? "the live playlist is written by OSS"
							   : "only NAME.m3u8 playlists can be written", NULL);
	fh = fh_new(acc == O_WRONLY ? FH_VOD_WRITE : FH_VOD_READ, n);
	if (!fh)
		return -ENOMEM;
	if (fh->kind == FH_VOD_READ) {
		char key[2 * NAME_MAX + 2];

		snprintf(key, sizeof(key), "%s/%s", n->ch, n->obj);
		ret = vod_reader_new(c, key, &fh->reader);
		if (ret) {
			fh_free(fh);
			return ret;
		}
	}
	fh->append = fi->flags & O_APPEND;
	if (create) {
		ret = pending_add(n->ch, n->obj);
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

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	struct node n;
	int ret;

	ret = parse_path(path, &n);
	if (ret)
		return ret;
	switch (n.type) {
	case N_ATTR:
		return open_attr(ctx(), path, &n, fi);
	case N_VOBJ:
		return open_vobj(ctx(), path, &n, fi, false);
	default:
		return -EISDIR;
	}
}

static int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct fs_ctx *c = ctx();
	struct oss_error err = { 0 };
	struct chan_info ci;
	struct node n;
	int ret;

	(void)mode;
	if (parse_path(path, &n) || n.type != N_VOBJ)
		return fail("create", path, -EACCES, "files can only be created in vod/", NULL);
	ret = chan_lookup(c, n.ch, &ci, &err);
	if (ret)
		return fail("create", path, ret, NULL, &err);
	if (!is_m3u8(n.obj))
		return fail("create", path, -EINVAL, "a VOD playlist name must end in .m3u8", NULL);
	if (is_live_playlist(&ci, n.obj))
		return fail("create", path, -EACCES, "the live playlist is written by OSS", NULL);
	/* A new playlist's content can only come from a write. */
	if ((fi->flags & O_ACCMODE) == O_RDONLY)
		fi->flags |= O_WRONLY;
	return open_vobj(c, path, &n, fi, true);
}

static int read_attr(struct fs_ctx *c, struct fh *fh, const char *path,
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

static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct fh *fh = (struct fh *)(uintptr_t)fi->fh;
	int ret;

	pthread_mutex_lock(&fh->lock);
	if (fh->kind == FH_ATTR)
		ret = read_attr(ctx(), fh, path, buf, size, off);
	else if (fh->kind == FH_VOD_READ)
		ret = vod_reader_read(fh->reader, path, buf, size, off);
	else
		ret = -EBADF;
	pthread_mutex_unlock(&fh->lock);
	return ret;
}

static int store(struct fs_ctx *c, struct fh *fh, bool final, char *why,
		 size_t whylen, struct oss_error *err)
{
	if (fh->kind == FH_VOD_WRITE)
		return vod_store(c, fh->node.ch, fh->node.obj, fh->wbuf.data,
				 fh->wbuf.len, final, why, whylen, err);
	return fh->node.attr->store(c, fh->node.ch, fh->wbuf.data, fh->wbuf.len,
				    final, why, whylen, err);
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
	struct oss_error err = { 0 };
	char why[256] = "";
	int ret;

	if (fh->sent) {
		if (all_space(buf, size))
			return (int)size;
		return fail("write", path, -EINVAL,
			    "a value was already sent; write one value per open", NULL);
	}
	/* ">>" writes a value like ">": the kernel's append offset is the
	 * file's last known size, not a place in this open's value. */
	if (fh->append)
		off = (off_t)fh->wbuf.len;
	ret = sbuf_write_at(&fh->wbuf, (size_t)off, buf, size);
	if (ret)
		return ret;
	ret = store(c, fh, false, why, sizeof(why), &err);
	if (ret == -EAGAIN)
		return (int)size;
	if (ret) {
		/* A rejected write changes nothing, and close has nothing to send. */
		sbuf_reset(&fh->wbuf);
		return fail("write", path, ret, why, &err);
	}
	fh->sent = true;
	return (int)size;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fh *fh = (struct fh *)(uintptr_t)fi->fh;
	int ret;

	if (fh->kind == FH_VOD_READ)
		return -EBADF;
	pthread_mutex_lock(&fh->lock);
	if ((fh->append ? (off_t)fh->wbuf.len : off) + size > (1u << 20)) {
		pthread_mutex_unlock(&fh->lock);
		return fail("write", path, -EFBIG, "values are at most 1 MiB", NULL);
	}
	ret = write_value(ctx(), fh, path, buf, size, off);
	pthread_mutex_unlock(&fh->lock);
	return ret;
}

/* close(2): what is still incomplete is validated now, and its error is
 * close's. */
static int fs_flush(const char *path, struct fuse_file_info *fi)
{
	struct fh *fh = (struct fh *)(uintptr_t)fi->fh;
	struct oss_error err = { 0 };
	char why[256] = "";
	int ret = 0;

	if (fh->kind == FH_VOD_READ)
		return 0;
	pthread_mutex_lock(&fh->lock);
	if (!fh->sent && fh->wbuf.len > 0) {
		ret = store(ctx(), fh, true, why, sizeof(why), &err);
		sbuf_reset(&fh->wbuf);
		if (ret == 0)
			fh->sent = true;
		else
			fail("close", path, ret, why, &err);
	}
	pthread_mutex_unlock(&fh->lock);
	return ret;
}

static int fs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	fh_free((struct fh *)(uintptr_t)fi->fh);
	return 0;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct fh *fh = fi ? (struct fh *)(uintptr_t)fi->fh : NULL;
	struct stat st;
	int ret;

	if (size != 0)
		return fail("truncate", path, -EINVAL, "only truncation to 0 is supported", NULL);
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
		return fail("truncate", path, -EACCES, "the file is read-only", NULL);
	return 0;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = 1;
	cfg->attr_timeout = 1;
	cfg->negative_timeout = 0;
	return ctx();
}

static const struct fuse_operations ops = {
	.init     = fs_init,
	.getattr  = fs_getattr,
	.access   = fs_access,
	.readdir  = fs_readdir,
	.mkdir    = fs_mkdir,
	.rmdir    = fs_rmdir,
	.unlink   = fs_unlink,
	.rename   = fs_rename,
	.chmod    = fs_chmod,
	.chown    = fs_chown,
	.utimens  = fs_utimens,
	.truncate = fs_truncate,
	.open     = fs_open,
	.create   = fs_create,
	.read     = fs_read,
	.write    = fs_write,
	.flush    = fs_flush,
	.release  = fs_release,
};

const struct fuse_operations *fs_operations(void)
{
	return &ops;
}
