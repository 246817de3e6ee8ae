/*
 * Paths as nodes, and their stat:
 *
 *   /                       one directory per channel
 *   /<ch>/<file>            the channel files of chanfiles.c
 *   /<ch>/vod/<object>      the objects under the key prefix "<ch>/"
 *   /.osslivefs/<file>      the mount's own files of ctlfiles.c
 *   /<ch>/<other>           scratch files (scratch.c); in vod/ too
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs_i.h"

struct fs_ctx *fs_ctx(void)
{
	struct fs_ctx **c = fuse_get_context()->private_data;

	return *c;
}

static int copy_component(char *dst, const char *src, size_t n)
{
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	if (n == 0)
		return -ENOENT;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

/* The part after "/<ch>/". */
static int parse_in_channel(const char *p, struct node *n)
{
	const char *s = strchr(p, '/');

	if (!s) {
		if (strcmp(p, "vod") == 0) {
			n->type = N_VOD;
			return 0;
		}
		n->file = chanfile_find(p);
		n->type = n->file ? N_CHANFILE : N_SCRATCH;
		return n->file ? 0 : copy_component(n->obj, p, strlen(p));
	}
	if ((size_t)(s - p) != 3 || strncmp(p, "vod", 3) != 0)
		return -ENOENT;
	n->type = N_VOBJ;
	if (strchr(s + 1, '/'))
		return -ENOENT;
	return copy_component(n->obj, s + 1, strlen(s + 1));
}

/* s: what follows "/.osslivefs" (NULL: nothing). */
static int parse_ctl(const char *s, struct node *n)
{
	n->type = N_CTL;
	if (!s)
		return 0;
	n->type = N_CTLFILE;
	n->file = strchr(s + 1, '/') ? NULL : ctlfile_find(s + 1);
	return n->file ? 0 : -ENOENT;
}

int node_parse(const char *path, struct node *n)
{
	const char *p = path + 1, *s;
	int ret;

	*n = (struct node){ .type = N_ROOT };
	if (!*p)
		return 0;
	s = strchr(p, '/');
	ret = copy_component(n->ch, p, s ? (size_t)(s - p) : strlen(p));
	if (ret)
		return ret;
	if (strcmp(n->ch, CTL_DIR) == 0)
		return parse_ctl(s, n);
	n->type = N_CHAN;
	if (!s)
		return 0;
	return parse_in_channel(s + 1, n);
}

void node_key(const struct node *n, char *key, size_t size)
{
	snprintf(key, size, "%s/%s", n->ch, n->obj);
}

bool node_is_dot_channel(const struct node *n)
{
	return n->type != N_ROOT && n->ch[0] == '.';
}

bool node_is_fuse_hidden(const char *name)
{
	const char *base = strrchr(name, '/');

	return strncmp(base ? base + 1 : name, ".fuse_hidden", 12) == 0;
}

void fill_dir_mode(struct stat *st, mode_t mode, time_t t)
{
	*st = (struct stat){
		.st_mode = S_IFDIR | mode,
		.st_nlink = 2,
		.st_uid = getuid(),
		.st_gid = getgid(),
		.st_mtime = t, .st_ctime = t, .st_atime = t,
	};
}

void fill_dir(struct stat *st, time_t t)
{
	fill_dir_mode(st, 0755, t);
}

void fill_file(struct stat *st, mode_t mode, off_t size, time_t t)
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
