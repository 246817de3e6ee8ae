/*
 * rename: editors and copy tools write a temporary file next to the
 * target and rename it over the target (sed -i, rsync, Ansible,
 * os.replace).  The temporary file is a scratch file; renaming it over
 * config.xml, enabled or a vod/ playlist is one write of its whole
 * content, checked and sent, and the write's result is rename's: on
 * failure nothing changed and the scratch file stays.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs_i.h"

static int rename_store(struct fs_ctx *c, const char *from,
			const struct node *to, struct scratch *s)
{
	struct fs_error e = { 0 };
	struct sbuf val = { 0 };
	int ret;

	ret = scratch_copy(&c->scratch, s, &val);
	if (ret == 0 && to->type == N_CHANFILE)
		ret = to->file->store(c, to->ch, &val, true, &e);
	else if (ret == 0)
		ret = vod_store(c, to, &val, true, &e);
	sbuf_free(&val);
	if (ret)
		return fs_fail("rename", from, ret, e.why, &e.oss);
	scratch_unlink(&c->scratch, from);
	if (to->type == N_CHANFILE)
		hide_file_undo(&c->hidden, to->ch, chanfile_index(to->file));
	return 0;
}

static int rename_to(struct fs_ctx *c, const char *from, const char *to,
		     const struct node *nt, struct scratch *s)
{
	struct oss_error err = { 0 };
	struct chan_info ci;
	int ret;

	if (nt->type == N_SCRATCH || scratch_exists(&c->scratch, to) ||
	    (nt->type == N_VOBJ && vod_is_scratch_name(nt->obj)))
		return scratch_rename(&c->scratch, from, to);
	if (nt->type == N_CHANFILE && (nt->file->mode & 0200))
		return rename_store(c, from, nt, s);
	if (nt->type == N_VOBJ) {
		ret = cache_chan_lookup(c->cache, nt->ch, &ci, &err);
		if (ret)
			return fs_fail("rename", from, ret, NULL, &err);
		if (vod_mode(&ci, nt->obj) & 0200)
			return rename_store(c, from, nt, s);
	}
	return fs_fail("rename", from, -EPERM, "only config.xml, enabled, vod/ "
		       "playlists and scratch files can be replaced", NULL);
}

int fs_rename(const char *from, const char *to, unsigned int flags)
{
	struct fs_ctx *c = fs_ctx();
	struct node nf, nt;
	struct scratch *s;
	struct stat st;
	int ret;

	if (node_parse(from, &nf) || node_parse(to, &nt))
		return -ENOENT;
	s = scratch_get(&c->scratch, from);
	/* libfuse removes a file that is still open by renaming it. */
	if (!s && node_is_fuse_hidden(to))
		return fs_unlink(from);
	if (!s)
		return fs_fail("rename", from, -EPERM, "only scratch files can be renamed", NULL);
	if (flags & RENAME_EXCHANGE)
		ret = fs_fail("rename", from, -EINVAL, "RENAME_EXCHANGE is not supported", NULL);
	else if ((flags & RENAME_NOREPLACE) && fs_getattr(to, &st, NULL) == 0)
		ret = -EEXIST;
	else
		ret = rename_to(c, from, to, &nt, s);
	scratch_put(&c->scratch, s);
	return ret;
}
