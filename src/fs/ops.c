/*
 * The fuse_operations table, and the operations on names: attributes,
 * directories, mkdir/rmdir of channels, unlink of vod/ objects.  Open
 * files are file.c's.  Everything below goes through the cache and the
 * API layer.
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

static int vobj_getattr(struct fs_ctx *c, const struct node *n,
			const struct chan_info *ci, struct stat *st,
			struct oss_error *err)
{
	struct obj_info vi;
	int ret;

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

static int node_getattr(struct fs_ctx *c, const struct node *n,
			struct stat *st, struct oss_error *err)
{
	struct chan_info ci;
	int ret;

	if (n->type == N_ROOT) {
		fill_dir(st, c->mounted_at);
		return 0;
	}
	ret = cache_chan_lookup(c->cache, n->ch, &ci, err);
	if (ret)
		return ret;
	switch (n->type) {
	case N_CHANFILE:
		fill_file(st, n->file->mode, size_get(c, n->ch, n->file->name),
			  ci.mtime);
		return 0;
	case N_VOBJ:
		return vobj_getattr(c, n, &ci, st, err);
	default:
		fill_dir(st, ci.mtime);
		return 0;
	}
}

int fs_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct oss_error err = { 0 };
	struct node n;
	int ret;

	(void)fi;
	ret = node_parse(path, &n);
	if (ret)
		return ret;
	ret = node_getattr(fs_ctx(), &n, st, &err);
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

	fill_dir(&st, ch->mtime);
	return f->filler(f->buf, ch->name, &st, 0, f->flags);
}

static int fill_vod(void *arg, const char *name, const struct obj_info *vi)
{
	struct fill_ctx *f = arg;
	struct stat st;

	fill_file(&st, vod_mode(f->ci, name), vi->size, vi->mtime);
	return f->filler(f->buf, name, &st, 0, f->flags);
}

static int readdir_channel(struct fill_ctx *f, const char *ch)
{
	const struct chanfile *a;
	struct stat st;
	size_t i;

	for (i = 0; (a = chanfile_at(i)); i++) {
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
	if (n.type == N_ROOT) {
		ret = cache_chan_foreach(c->cache, fill_channel, &f, &err);
		return ret ? fs_fail("readdir", path, ret, NULL, &err) : 0;
	}
	ret = cache_chan_lookup(c->cache, n.ch, &ci, &err);
	if (ret)
		return fs_fail("readdir", path, ret, NULL, &err);
	if (n.type == N_CHAN)
		return readdir_channel(&f, n.ch);
	if (n.type != N_VOD)
		return -ENOTDIR;
	ret = cache_obj_foreach(c->cache, n.ch, fill_vod, &f, &err);
	return ret ? fs_fail("readdir", path, ret, NULL, &err) : 0;
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
	if (ret || n.type != N_CHAN)
		return fs_fail("mkdir", path, -EACCES, "only channel directories can be made", NULL);
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

static int fs_rmdir(const char *path)
{
	struct fs_ctx *c = fs_ctx();
	struct oss_error err = { 0 };
	struct node n;
	int ret;

	ret = node_parse(path, &n);
	if (ret)
		return ret;
	if (n.type != N_CHAN)
		return fs_fail("rmdir", path, -EPERM, "only channel directories can be removed", NULL);
	ret = live_delete(c->engine, n.ch, &err);
	cache_chan_invalidate(c->cache);
	return ret ? fs_fail("rmdir", path, ret, NULL, &err) : 0;
}

static int fs_unlink(const char *path)
{
	struct fs_ctx *c = fs_ctx();
	struct oss_error err = { 0 };
	char key[2 * NAME_MAX + 2];
	struct node n;
	int ret;

	ret = node_parse(path, &n);
	if (ret)
		return ret;
	if (n.type != N_VOBJ)
		return fs_fail("unlink", path, -EPERM, "only vod/ objects can be removed", NULL);
	/* DeleteObject answers 204 for a missing key: ask the listing. */
	ret = cache_obj_lookup(c->cache, n.ch, n.obj, NULL, &err);
	if (ret)
		return fs_fail("unlink", path, ret, NULL, &err);
	node_key(&n, key, sizeof(key));
	ret = obj_delete(c->engine, key, &err);
	cache_obj_invalidate(c->cache, n.ch);
	return ret ? fs_fail("unlink", path, ret, NULL, &err) : 0;
}

static int fs_rename(const char *from, const char *to, unsigned int flags)
{
	(void)to;
	(void)flags;
	return fs_fail("rename", from, -EPERM, "nothing can be renamed", NULL);
}

static int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)mode;
	(void)fi;
	return fs_fail("chmod", path, -EPERM, "modes are fixed", NULL);
}

static int fs_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	(void)uid;
	(void)gid;
	(void)fi;
	return fs_fail("chown", path, -EPERM, "owners are fixed", NULL);
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
	pthread_mutex_init(&c->sizes_lock, NULL);
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
	sizes_clear(c);
	vod_pending_clear(c);
	pthread_mutex_destroy(&c->sizes_lock);
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
};

const struct fuse_operations *fs_operations(void)
{
	return &ops;
}
