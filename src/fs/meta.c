/*
 * chmod, chown and utimens.  Modes and owners of the mount's files are
 * fixed, but a call that changes nothing succeeds, so that cp -p,
 * shutil.copy2, rsync -a and tar xf finish with status 0; scratch files
 * keep what they are given.
 */
#include <errno.h>

#include "fs_i.h"

/* A reference to the scratch file the call is about, or NULL. */
static struct scratch *scratch_of(struct fs_ctx *c, const char *path,
				  struct fuse_file_info *fi)
{
	return fi ? fs_file_scratch(fi) : scratch_get(&c->scratch, path);
}

/* install and tar create a file with a temporary mode and fchmod it
 * before the final chmod: while config.xml or enabled created again is
 * open, mode and owner calls on it are accepted and change nothing. */
static bool being_created(struct fs_ctx *c, const char *path)
{
	struct node n;

	return path && node_parse(path, &n) == 0 && n.type == N_CHANFILE &&
	       hide_file_creating(&c->hidden, n.ch, chanfile_index(n.file));
}

int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct scratch *s = scratch_of(c, path, fi);
	struct stat st;
	int ret;

	if (s) {
		ret = scratch_chmod(&c->scratch, s, mode);
		scratch_put(&c->scratch, s);
		return ret;
	}
	ret = fs_getattr(path, &st, fi);
	if (ret || (st.st_mode & 07777) == (mode & 07777) || being_created(c, path))
		return ret;
	return fs_fail("chmod", path, -EPERM, "modes are fixed", NULL);
}

static bool same_owner(const struct stat *st, uid_t uid, gid_t gid)
{
	return (uid == (uid_t)-1 || uid == st->st_uid) &&
	       (gid == (gid_t)-1 || gid == st->st_gid);
}

int fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct scratch *s = scratch_of(c, path, fi);
	struct stat st;
	int ret;

	if (s) {
		ret = scratch_chown(&c->scratch, s, uid, gid);
		scratch_put(&c->scratch, s);
		return ret;
	}
	ret = fs_getattr(path, &st, fi);
	if (ret || same_owner(&st, uid, gid) || being_created(c, path))
		return ret;
	return fs_fail("chown", path, -EPERM, "owners are fixed", NULL);
}

int fs_utimens(const char *path, const struct timespec tv[2],
	       struct fuse_file_info *fi)
{
	struct fs_ctx *c = fs_ctx();
	struct scratch *s = scratch_of(c, path, fi);
	struct stat st;
	int ret;

	if (s) {
		ret = scratch_utimens(&c->scratch, s, tv);
		scratch_put(&c->scratch, s);
		return ret;
	}
	/* touch(1) of an existing file: nothing to store, nothing to fail. */
	return fs_getattr(path, &st, fi);
}
