/* The rules of vod/: which objects are ours to write, the playlists being
 * created, and a time range written into NAME.m3u8 becoming a VOD playlist. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs_i.h"
#include "oss/live.h"
#include "util/str.h"
#include "util/timerange.h"

struct vod_pending {
	struct vod_pending *next;
	char ch[NAME_MAX + 1];
	char obj[NAME_MAX + 1];
};

bool vod_is_m3u8(const char *obj)
{
	size_t n = strlen(obj);

	return n > 5 && strcmp(obj + n - 5, ".m3u8") == 0;
}

/* A name that OSS would store but no user could type back. */
const char *vod_name_why(const char *obj)
{
	switch (str_name_flaw(obj)) {
	case STR_CONTROL:
		return "a VOD playlist name cannot contain control characters";
	case STR_NOT_UTF8:
		return "a VOD playlist name must be UTF-8";
	default:
		return NULL;
	}
}

bool vod_is_live_playlist(const struct chan_info *ci, const char *obj)
{
	return strcmp(ci->playlist_name[0] ? ci->playlist_name
					   : LIVE_DEFAULT_PLAYLIST, obj) == 0;
}

/* Segments and the live playlist are OSS's; VOD playlists are ours. */
mode_t vod_mode(const struct chan_info *ci, const char *obj)
{
	return vod_is_m3u8(obj) && !vod_is_live_playlist(ci, obj) ? 0644 : 0444;
}

bool vod_is_scratch_name(const char *obj)
{
	return obj[0] == '.' || !vod_is_m3u8(obj);
}

bool vod_is_pending(struct fs_ctx *c, const char *ch, const char *obj)
{
	struct vod_pending *p;
	bool found = false;

	pthread_mutex_lock(&c->pending_lock);
	for (p = c->pending; p && !found; p = p->next)
		found = strcmp(p->ch, ch) == 0 && strcmp(p->obj, obj) == 0;
	pthread_mutex_unlock(&c->pending_lock);
	return found;
}

int vod_pending_add(struct fs_ctx *c, const char *ch, const char *obj)
{
	struct vod_pending *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	snprintf(p->ch, sizeof(p->ch), "%s", ch);
	snprintf(p->obj, sizeof(p->obj), "%s", obj);
	pthread_mutex_lock(&c->pending_lock);
	p->next = c->pending;
	c->pending = p;
	pthread_mutex_unlock(&c->pending_lock);
	return 0;
}

void vod_pending_del(struct fs_ctx *c, const char *ch, const char *obj)
{
	struct vod_pending **pp, *p;

	pthread_mutex_lock(&c->pending_lock);
	for (pp = &c->pending; (p = *pp); pp = &p->next) {
		if (strcmp(p->ch, ch) == 0 && strcmp(p->obj, obj) == 0) {
			*pp = p->next;
			free(p);
			break;
		}
	}
	pthread_mutex_unlock(&c->pending_lock);
}

void vod_pending_clear(struct fs_ctx *c)
{
	struct vod_pending *p, *pn;

	for (p = c->pending; p; p = pn) {
		pn = p->next;
		free(p);
	}
	c->pending = NULL;
}

/* The range as the user can read it: ISO-8601 UTC, and the Unix seconds
 * that were sent. */
static void no_segment_why(struct fs_error *e, time_t start, time_t end)
{
	char a[32], b[32];
	struct tm tm;

	strftime(a, sizeof(a), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&start, &tm));
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&end, &tm));
	snprintf(e->why, sizeof(e->why),
		 "no segment starts between %s and %s (%lld-%lld)", a, b,
		 (long long)start, (long long)end);
}

int vod_store(struct fs_ctx *c, const struct node *n,
	      const struct sbuf *value, bool final, struct fs_error *e)
{
	time_t start, end;
	int ret;

	ret = timerange_parse(value->data, value->len, final, time(NULL),
			      &start, &end, e->why, sizeof(e->why));
	if (ret)
		return ret;
	ret = live_post_vod(c->engine, n->ch, n->obj, start, end, &e->oss);
	cache_obj_invalidate(c->cache, n->ch);
	if (ret == -ENODATA)
		no_segment_why(e, start, end);
	return ret;
}
