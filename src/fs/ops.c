/*
 * The fuse_operations table, and the operations on names: attributes,
 * directories, mkdir of channels.  Open files are file.c's; unlink and
 * rmdir remove.c's; rename rename.c's; chmod, chown and utimens meta.c's.
 * Everything below goes through the cache and the API layer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch_pool.h"
#include "fs_i.h"
#include "oss/live.h"
#include "oss/obj.h"

/* A vod/ name written as a new playlist, or hidden during a tree
 * deletion, before (or instead of) the listing. */
static int vobj_getattr(struct fs_ctx *c, const struct node *n,
			const struct chan_info *ci, struct stat *st,
			struct oss_error *err)
{
	struct obj_info vi;
	int ret;

	if (hide_obj_is(&c->hidden, n->ch, n->obj))
		return -ENOENT;
	if (vod_is_pending(c, n->ch, n->obj)) {
		fill_file(st, 0644, 0, time(NULL));
		return 0;
	}
	ret = cache_obj_lookup(c->cache, n->ch, n->obj, &vi, err);
	if (ret)
		return ret;
	fill_file(st, vod_mode(ci, n->obj), vi.size, vi.mtime);
	return 0;
}

static int chanfile_getattr(struct fs_ctx *c, const struct node *n,
			    const struct chan_info *ci, struct stat *st,
			    struct oss_error *err)
{
	struct fs_error e = { 0 };
	struct sbuf doc = { 0 };
	time_t mtime;
	int ret;

	if (hide_file_is(&c->hidden, n->ch, chanfile_index(n->file)))
		return -ENOENT;
	/* The exact length a read returns now: tar and rsync trust it. */
	ret = chanfile_content(c, n->ch, ci->mtime, n->file, CHANFILE_FOR_STAT,
			       &doc, &mtime, &e);
	if (ret == 0)
		fill_file(st, n->file->mode, (off_t)doc.len, mtime);
	sbuf_free(&doc);
	*err = e.oss;
	return ret;
}

static int scratch_getattr(struct fs_ctx *c, const char *path,
			   struct stat *st)
{
	struct scratch *s = scratch_get(&c->scratch, path);

	if (!s)
		return -ENOENT;
	scratch_stat(&c->scratch, s, st);
	scratch_put(&c->scratch, s);
	return 0;
}

int fs_node_getattr(struct fs_ctx *c, const struct node *n, const char *path,
		    struct stat *st, struct oss_error *err)
{
	struct chan_info ci;
	int ret;

	switch (n->type) {
	case N_ROOT:
		fill_dir(st, c->mounted_at);
		return 0;
	case N_CTL:
		fill_dir_mode(st, 0555, c->mounted_at);
		return 0;
	case N_CTLFILE:
		/* Made afresh at each read: its time is now. */
		fill_file(st, n->file->mode, ctlfile_size(c, n->file), time(NULL));
		return 0;
	default:
		break;
	}
	if (node_is_dot_channel(n))
		return -ENOENT;
	ret = cache_chan_lookup(c->cache, n->ch, &ci, err);
	if (ret)
		return ret;
	if ((n->type == N_SCRATCH || n->type == N_VOBJ) &&
	    scratch_getattr(c, path, st) == 0)
		return 0;
	switch (n->type) {
	case N_CHANFILE:
		return chanfile_getattr(c, n, &ci, st, err);
	case N_VOBJ:
		return vobj_getattr(c, n, &ci, st, err);
	case N_SCRATCH:
		return -ENOENT;
	case N_VOD:
		if (hide_vod_is(&c->hidden, n->ch))
			return -ENOENT;
		/* fall through */
	default:
		fill_dir(st, ci.mtime);
		return 0;
	}
}

int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct oss_error err = { 0 };
	struct node n;
	int ret;

	if (fi)
		return fs_file_getattr(fi, st);
	ret = node_parse(path, &n);
	if (ret)
		return ret;
	ret = fs_node_getattr(fs_ctx(), &n, path, st, &err);
	if (ret && ret != -ENOENT)
		return fs_fail("getattr", path, ret, NULL, &err);
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

	if (ch->name[0] == '.')
		return 0;               /* never a channel (node_is_dot_channel) */
	fill_dir(&st, ch->mtime);
	return f->filler(f->buf, ch->name, &st, 0, f->flags);
}

static int fill_vod(void *arg, const char *name, const struct obj_info *vi)
{
	struct fill_ctx *f = arg;
	struct stat st;

	if (hide_obj_is(&f->c->hidden, f->ci->name, name))
		return 0;
	fill_file(&st, vod_mode(f->ci, name), vi->size, vi->mtime);
	return f->filler(f->buf, name, &st, 0, f->flags);
}

static int fill_scratch(void *arg, const char *name, const struct stat *st)
{
	struct fill_ctx *f = arg;

	/* An open file that rm removed: libfuse's name, not the user's. */
	if (node_is_fuse_hidden(name))
		return 0;
	return f->filler(f->buf, name, st, 0, f->flags);
}

static int readdir_channel(struct fill_ctx *f, const char *path,
			   const char *ch)
{
	struct hide_table *h = &f->c->hidden;
	const struct chanfile *a;
	struct stat st;
	size_t i;

	/* Names and types only (no FUSE_FILL_DIR_PLUS): the exact sizes of
	 * channel files cost requests, which a plain ls need not pay; ls -l
	 * looks each name up. */
	for (i = 0; (a = chanfile_at(i)); i++) {
		if (hide_file_is(h, ch, chanfile_index(a)))
			continue;
		fill_file(&st, a->mode, 0, f->ci->mtime);
		if (f->filler(f->buf, a->name, &st, 0, 0))
			return 0;
	}
	if (!hide_vod_is(h, ch)) {
		fill_dir(&st, f->ci->mtime);
		if (f->filler(f->buf, "vod", &st, 0, f->flags))
			return 0;
	}
	scratch_foreach(&f->c->scratch, path, fill_scratch, f);
	return 0;
}

static int readdir_ctl(struct fill_ctx *f)
{
	const struct chanfile *a;
	struct stat st;

	for (size_t i = 0; (a = ctlfile_at(i)); i++) {
		fill_file(&st, a->mode, ctlfile_size(f->c, a), time(NULL));
		if (f->filler(f->buf, a->name, &st, 0, f->flags))
			break;
	}
	return 0;
}

static int readdir_root(struct fill_ctx *f, const char *path)
{
	struct oss_error err = { 0 };
	struct stat st;
	int ret;

	fill_dir_mode(&st, 0555, f->c->mounted_at);
	f->filler(f->buf, CTL_DIR, &st, 0, f->flags);
	ret = cache_chan_foreach(f->c->cache, fill_channel, f, &err);
	return ret ? fs_fail("readdir", path, ret, NULL, &err) : 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct fs_ctx *c = fs_ctx();
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
	ret = node_parse(path, &n);
	if (ret)
		return ret;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	if (n.type == N_ROOT)
		return readdir_root(&f, path);
	if (n.type == N_CTL)
		return readdir_ctl(&f);
	ret = cache_chan_lookup(c->cache, n.ch, &ci, &err);
	if (ret)
		return fs_fail("readdir", path, ret, NULL, &err);
	if (n.type == N_CHAN)
		return readdir_channel(&f, path, n.ch);
	if (n.type != N_VOD)
		return -ENOTDIR;
	ret = cache_obj_foreach(c->cache, n.ch, fill_vod, &f, &err);
	if (ret)
		return fs_fail("readdir", path, ret, NULL, &err);
	scratch_foreach(&c->scratch, path, fill_scratch, &f);
	return 0;
}

static int fs_mkdir(const char *path, mode_t mode)
{
	struct fs_ctx *c = fs_ctx();
	struct oss_error err = { 0 };
	struct live_config cfg;
	struct node n;
	int ret;

	(void)mode;
	/* Directories exist only at the top: one per channel. */
	ret = node_parse(path, &n);
	if (ret == -ENAMETOOLONG)
		return fs_fail("mkdir", path, ret, "a name is at most 255 bytes", NULL);
	if (ret == 0 && n.type == N_CTL)
		return fs_fail("mkdir", path, -EEXIST, "the mount's own directory", NULL);
	if (ret || n.type != N_CHAN)
		return fs_fail("mkdir", path, -EACCES, "only channel directories can be made", NULL);
	if (node_is_dot_channel(&n))
		return fs_fail("mkdir", path, -EINVAL, "names beginning with '.' are not channels", NULL);
	ret = live_name_check(n.ch);
	if (ret)
		return fs_fail("mkdir", path, ret, live_name_why(n.ch), NULL);
	/* PutLiveChannel would silently overwrite an existing channel. */
	ret = live_get_info(c->engine, n.ch, &cfg, &err);
	if (ret == 0)
		return fs_fail("mkdir", path, -EEXIST, "the channel exists", NULL);
	if (ret != -ENOENT)
		return fs_fail("mkdir", path, ret, NULL, &err);
	oss_error_clear(&err);
	live_config_default(&cfg, c->opt.frag_duration, c->opt.frag_count,
			    c->opt.playlist_name);
	ret = live_put(c->engine, n.ch, &cfg, NULL, &err);
	cache_chan_invalidate(c->cache);
	return ret ? fs_fail("mkdir", path, ret, NULL, &err) : 0;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* Without it the kernel sends one lookup or readdir of a directory
	 * at a time: a stalled lookup of one channel would hold up all. */
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	cfg->entry_timeout = 1;
	cfg->attr_timeout = 1;
	cfg->negative_timeout = 0;
	return fuse_get_context()->private_data;
}

int fs_ctx_new(struct req_engine *e, const struct fs_options *opt,
	       struct fs_ctx **out)
{
	struct fs_ctx *c = calloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	ret = cache_new(e, opt->cache_ttl, &c->cache);
	if (!ret)
		ret = fetch_pool_new(VOD_FETCH_WORKERS, VOD_MOUNT_BUDGET,
				     &c->fetch);
	if (!ret)
		ret = vod_prefetch_new(c);
	if (ret) {
		fetch_pool_free(c->fetch);
		cache_free(c->cache);
		free(c);
		return ret;
	}
	c->engine = e;
	c->opt = *opt;
	c->mounted_at = time(NULL);
	content_init(&c->content);
	scratch_init(&c->scratch);
	hide_init(&c->hidden);
	pthread_mutex_init(&c->pending_lock, NULL);
	pthread_mutex_init(&c->fhs_lock, NULL);
	*out = c;
	return 0;
}

void fs_ctx_free(struct fs_ctx *c)
{
	if (!c)
		return;
	/* Open files first: their readers use the fetch pool. */
	fh_free_all(c);
	vod_prefetch_free(c);
	fetch_pool_free(c->fetch);
	vod_prefetch_destroy(c);
	cache_free(c->cache);
	content_destroy(&c->content);
	scratch_clear(&c->scratch);
	hide_clear(&c->hidden);
	vod_pending_clear(c);
	pthread_mutex_destroy(&c->pending_lock);
	pthread_mutex_destroy(&c->fhs_lock);
	free(c);
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
	.fsync    = fs_fsync,
};

const struct fuse_operations *fs_operations(void)
{
	return &ops;
}
