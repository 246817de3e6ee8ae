/* vod/: a time range written into NAME.m3u8 becomes a VOD playlist. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fs.h"
#include "timerange.h"

int vod_store(struct fs_ctx *c, const char *ch, const char *name,
	      const char *buf, size_t len, bool final, char *why,
	      size_t whylen, struct oss_error *err)
{
	time_t start, end;
	int ret;

	ret = timerange_parse(buf, len, final, time(NULL), &start, &end, why,
			      whylen);
	if (ret)
		return ret;
	ret = live_post_vod(c->engine, ch, name, start, end, err);
	vod_invalidate(c, ch);
	if (ret == -ENODATA)
		snprintf(why, whylen, "no segment starts between %lld and %lld",
			 (long long)start, (long long)end);
	return ret;
}
