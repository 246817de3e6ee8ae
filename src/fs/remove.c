/*
 * unlink and rmdir.  rm of a channel file sends nothing: it only hides
 * the name for a moment (hide.c), so that install, mv and tar xf can
 * create it again.  A channel tree (rm -r, find -delete) goes all or
 * nothing: once every channel file is hidden, rm in vod/ only notes the
 * objects, and rmdir of the channel deletes them after OSS agreed to
 * delete the channel; if it refuses, everything shows again.
 */
#include <errno.h>
#include <stdio.h>

#include "fs_i.h"
#include "oss/live.h"
#include "oss/obj.h"

struct obj_deleter {
	struct fs_ctx *c;
	const char *ch;
	const char *path;
	int ret;
};

static void delete_noted(void *arg, const char *name)
{
	struct obj_deleter *d = arg;
	struct node n = { .type = N_VOBJ };
	struct oss_error err = { 0 };
	char key[2 * NAME_MAX + 2];
	int ret;

	snprintf(n.ch, sizeof(n.ch), "%s", d->ch);
	snprintf(n.obj, sizeof(n.obj), "%s", name);
	node_key(&n, key, sizeof(key));
	ret = obj_delete(d->c->engine, key, &err);
	/* Never success while something remains. */
	if (ret && !d->ret)
		d->ret = fs_fail("rmdir", d->path, ret, name, &err);
}

static int rmdir_channel(struct fs_ctx *c, const char *path, const char *ch)
{
	struct obj_deleter d = { .c = c, .ch = ch, .path = path };
	struct hide_table *h = &c->hidden;
	struct oss_error err = { 0 };
	int ret;

	if (hide_removing(h, ch) &&
	    (!hide_vod_is(h, ch) || scratch_any_in(&c->scratch, path)))
		return fs_fail("rmdir", path, -ENOTEMPTY, "vod/ or scratch files remain", NULL);
	ret = live_delete(c->engine, ch, &err);
	cache_chan_invalidate(c->cache);
	if (ret) {
		/* Nothing was deleted: what rm hid shows again. */
		hide_end(h, ch, NULL, NULL);
		return fs_fail("rmdir", path, ret, NULL, &err);
	}
	hide_end(h, ch, delete_noted, &d);
	scratch_drop_under(&c->scratch, path);
	content_drop(&c->content, ch, NULL);
	cache_obj_invalidate(c->cache, ch);
	return d.ret;
}

struct visible {
	struct fs_ctx *c;
	const char *ch;
	size_t n;
};

static int count_visible(void *arg, const char *name, const struct obj_info *oi)
{
	struct visible *v = arg;

	(void)oi;
	v->n += !hide_obj_is(&v->c->hidden, v->ch, name);
	return 0;
}

/* rmdir <ch>/vod once it is empty (rm -r <ch>/vod, or every object noted
 * in a tree deletion): like a channel file, it is only hidden. */
static int rmdir_vod(struct fs_ctx *c, const char *path, const struct node *n)
{
	struct visible v = { .c = c, .ch = n->ch };
	struct oss_error err = { 0 };
	int ret;

	ret = cache_obj_foreach(c->cache, n->ch, count_visible, &v, &err);
	if (ret)
		return fs_fail("rmdir", path, ret, NULL, &err);
	if (v.n || scratch_any_in(&c->scratch, path))
		return -ENOTEMPTY;
	ret = hide_vod(&c->hidden, n->ch);
	return ret ? fs_fail("rmdir", path, ret, NULL, NULL) : 0;
}

int fs_rmdir(const char *path)
{
	struct node n;
	int ret;

	ret = node_parse(path, &n);
	if (ret)
		return ret;
	if (n.type == N_VOD)
		return rmdir_vod(fs_ctx(), path, &n);
	if (n.type != N_CHAN)
		return fs_fail("rmdir", path, -EPERM, "only channel directories can be removed", NULL);
	return rmdir_channel(fs_ctx(), path, n.ch);
}

static int unlink_chanfile(struct fs_ctx *c, const char *path,
			   const struct node *n)
{
	unsigned idx = chanfile_index(n->file);
	struct oss_error err = { 0 };
	int ret;

	if (hide_file_is(&c->hidden, n->ch, idx))
		return -ENOENT;
	ret = cache_chan_lookup(c->cache, n->ch, NULL, &err);
	if (ret)
		return fs_fail("unlink", path, ret, NULL, &err);
	ret = hide_file(&c->hidden, n->ch, idx, chanfile_count());
	return ret ? fs_fail("unlink", path, ret, NULL, NULL) : 0;
}

static int unlink_vobj(struct fs_ctx *c, const char *path, const struct node *n)
{
	struct oss_error err = { 0 };
	char key[2 * NAME_MAX + 2];
	int ret;

	if (hide_obj_is(&c->hidden, n->ch, n->obj))
		return -ENOENT;
	/* DeleteObject answers 204 for a missing key: ask the listing. */
	ret = cache_obj_lookup(c->cache, n->ch, n->obj, NULL, &err);
	if (ret)
		return fs_fail("unlink", path, ret, NULL, &err);
	/* In a tree deletion the object goes with the channel, or stays. */
	if (hide_removing(&c->hidden, n->ch)) {
		ret = hide_obj(&c->hidden, n->ch, n->obj);
		return ret ? fs_fail("unlink", path, ret, "too many objects noted", NULL) : 0;
	}
	node_key(n, key, sizeof(key));
	ret = obj_delete(c->engine, key, &err);
	cache_obj_invalidate(c->cache, n->ch);
	return ret ? fs_fail("unlink", path, ret, NULL, &err) : 0;
}

int fs_unlink(const char *path)
{
	struct fs_ctx *c = fs_ctx();
	struct node n;
	int ret;

	ret = node_parse(path, &n);
	if (ret)
		return ret;
	if ((n.type == N_SCRATCH || n.type == N_VOBJ) &&
	    scratch_unlink(&c->scratch, path) == 0)
		return 0;
	switch (n.type) {
	case N_CHANFILE:
		return unlink_chanfile(c, path, &n);
	case N_VOBJ:
		return unlink_vobj(c, path, &n);
	case N_SCRATCH:
		return -ENOENT;
	default:
		return fs_fail("unlink", path, -EPERM, "only files can be removed", NULL);
	}
}
