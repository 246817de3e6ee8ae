/* The FUSE adapter (design §3, the top layer): what main.c needs to mount. */
#ifndef OSSLIVEFS_FS_FS_H
#define OSSLIVEFS_FS_FS_H

struct req_engine;
struct fs_ctx;
struct fuse_operations;

struct fs_options {
	unsigned cache_ttl;             /* seconds */
	long publish_url_expires;       /* seconds */
	int frag_duration;              /* the config mkdir creates */
	int frag_count;
	const char *playlist_name;
};

/* The mount's state; e must outlive it. */
int fs_ctx_new(struct req_engine *e, const struct fs_options *opt,
	       struct fs_ctx **out);
void fs_ctx_free(struct fs_ctx *c);

/*
 * The operations table.  fuse_new() takes the address of the caller's
 * struct fs_ctx pointer as user_data: fuse_new comes first, so that it
 * refuses bad options before anything is sent, and the context is made
 * after the start-up probe.
 */
const struct fuse_operations *fs_operations(void);

#endif
