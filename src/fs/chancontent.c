/*
 * The content of channel files, fetched once and shared: a lookup or stat
 * fetches the file when its content is not known from the last cache_ttl
 * seconds, so that st_size is the exact length a read returns (tar and
 * rsync trust it), and the open that follows reuses that same document, so
 * that cat is still one request.
 */
#include <errno.h>

#include "fs_i.h"

int chanfile_content(struct fs_ctx *c, const char *ch, time_t since,
		     const struct chanfile *f, enum chanfile_use use,
		     struct sbuf *out, time_t *mtime, struct fs_error *e)
{
	double max_age = use == CHANFILE_FOR_STAT ? (double)c->opt.cache_ttl
						  : CHANFILE_REUSE_SECS;
	struct content_hit hit = { .changed = since };
	int ret;

	if (use == CHANFILE_FRESH ||
	    content_get(&c->content, ch, f->name, max_age,
			use == CHANFILE_FOR_OPEN, out, &hit)) {
		sbuf_reset(out);
		ret = f->show(c, ch, out, e);
		if (ret)
			return ret;
		/* What a stat fetched is left for the open that follows. */
		content_put(&c->content, ch, f->name, out->data ? out->data : "",
			    out->len, since, use != CHANFILE_FOR_STAT);
		content_get(&c->content, ch, f->name, 1e9, false, NULL, &hit);
	}
	*mtime = f->tracked ? hit.changed : since;
	return 0;
}
