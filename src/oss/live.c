/* The LiveChannel calls (spec §5): one function per OSS operation on top of
 * call.c.  Bodies are built in live_config.c and read in live_xml.c; this
 * file is the requests. */
#define _GNU_SOURCE        /* asprintf */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "live_xml.h"
#include "oss/live.h"

#define PAGE_KEYS "1000"

static const struct http_kv q_live[] = { { "live", NULL } };

/* --- ListLiveChannel ------------------------------------------------- */

static int parse_list(struct req_resp *resp, const char *prefix,
		      void *out, char **next)
{
	(void)prefix;
	return live_parse_list(resp->body, resp->body_len, out, next);
}

static int parse_walk(struct req_resp *resp, const char *prefix,
		      void *out, char **next)
{
	(void)prefix;
	return live_parse_list_walk(resp->body, resp->body_len, out, next);
}

static struct call_listing listing(const char *prefix, const char *max_keys,
				   int (*parse)(struct req_resp *, const char *,
						void *, char **),
				   void *out, int *requests)
{
	return (struct call_listing){
		.op = "ListLiveChannel",
		.what = { "live", NULL },
		.prefix = prefix,
		.max_keys = max_keys,
		.parse = parse,
		.out = out,
		.requests = requests,
	};
}

int live_list_walk(struct req_engine *e, const char *prefix,
		   struct live_walk *w, struct oss_error *err)
{
	struct call_listing l = listing(prefix, PAGE_KEYS, parse_walk, w,
					&w->requests);

	return call_list_all(e, &l, err);
}

int live_list(struct req_engine *e, const char *prefix, struct live_list *out,
	      struct oss_error *err)
{
	struct live_collect c = { .l = out };
	struct live_walk w = { .fn = live_collect, .arg = &c };
	int rc;

	*out = (struct live_list){ 0 };
	rc = live_list_walk(e, prefix, &w, err);
	if (rc)
		live_list_free(out);
	live_walk_counts(out, &w);
	return rc;
}

/* One page of max_keys entries, the marker it would resume from dropped. */
static int list_one_page(struct req_engine *e, const char *prefix,
			 const char *max_keys, struct live_list *out,
			 struct oss_error *err)
{
	struct call_listing l = listing(prefix, max_keys, parse_list, out,
					&out->requests);
	char *next = NULL;
	int rc = call_list_page(e, &l, NULL, &next, err);

	free(next);
	return rc;
}

int live_probe(struct req_engine *e, struct oss_error *err)
{
	struct live_list l = { 0 };
	int rc = list_one_page(e, NULL, "1", &l, err);

	live_list_free(&l);
	return rc;
}

/* The first name listed with prefix=name is name itself when it exists:
 * no other name with that prefix sorts before it.  One request, whatever
 * the number of channels. */
int live_lookup(struct req_engine *e, const char *name,
		struct live_channel *out, struct oss_error *err)
{
	struct live_list l = { 0 };
	int rc;

	rc = call_check_name("ListLiveChannel", name, err);
	if (rc)
		return rc;
	rc = list_one_page(e, name, "1", &l, err);
	if (rc == 0 && (l.n == 0 || strcmp(l.items[0].name, name) != 0))
		rc = -ENOENT;
	if (rc == 0) {
		*out = l.items[0];
		l.items[0] = (struct live_channel){ 0 };
	}
	live_list_free(&l);
	return rc;
}

/* --- one channel ----------------------------------------------------- */

static int parse_create(struct req_resp *resp, void *out)
{
	return live_parse_create(resp->body, resp->body_len, out);
}

int live_put(struct req_engine *e, const char *name,
	     const struct live_config *c, struct live_urls *urls,
	     struct oss_error *err)
{
	static const struct http_kv h[] = {
		{ "Content-Type", "application/xml" },
	};
	char *body = NULL;
	int rc, len;

	if (urls)
		*urls = (struct live_urls){ 0 };
	len = live_config_put_body(c, &body);
	if (len < 0)
		return len;
	rc = call_channel(e, "PutLiveChannel", name,
			  &(struct req){ .method = "PUT", .key = name,
					 .query = q_live, .nquery = 1,
					 .headers = h, .nheaders = 1,
					 .body = body, .body_len = (size_t)len },
			  urls ? parse_create : NULL, urls, err);
	free(body);
	return rc;
}

struct info_out {
	struct live_config *cfg;
	char why[160];
};

static int parse_info(struct req_resp *resp, void *out)
{
	struct info_out *o = out;

	return live_parse_info(resp->body, resp->body_len, o->cfg, o->why,
			       sizeof(o->why));
}

int live_get_info(struct req_engine *e, const char *name,
		  struct live_config *out, struct oss_error *err)
{
	struct info_out o = { .cfg = out };
	int rc;

	rc = call_channel(e, "GetLiveChannelInfo", name,
			  &(struct req){ .method = "GET", .key = name,
					 .query = q_live, .nquery = 1 },
			  parse_info, &o, err);
	/* Say which rule OSS's document broke. */
	if (rc == -EIO && o.why[0] && err &&
	    strcmp(err->code, "InvalidResponse") == 0)
		snprintf(err->message, sizeof(err->message),
			 "GetLiveChannelInfo: %s", o.why);
	return rc;
}

int live_put_status(struct req_engine *e, const char *name, bool enabled,
		    struct oss_error *err)
{
	const struct http_kv q[] = {
		{ "live", NULL },
		{ "status", enabled ? "enabled" : "disabled" },
	};

	return call_channel(e, "PutLiveChannelStatus", name,
			    &(struct req){ .method = "PUT", .key = name,
					   .query = q, .nquery = 2 },
			    NULL, NULL, err);
}

int live_delete(struct req_engine *e, const char *name, struct oss_error *err)
{
	return call_channel(e, "DeleteLiveChannel", name,
			    &(struct req){ .method = "DELETE", .key = name,
					   .query = q_live, .nquery = 1 },
			    NULL, NULL, err);
}

static int parse_stat(struct req_resp *resp, void *out)
{
	return live_parse_stat(resp->body, resp->body_len, out);
}

int live_get_stat(struct req_engine *e, const char *name, struct live_stat *out,
		  struct oss_error *err)
{
	static const struct http_kv q[] = {
		{ "live", NULL }, { "comp", "stat" },
	};

	return call_channel(e, "GetLiveChannelStat", name,
			    &(struct req){ .method = "GET", .key = name,
					   .query = q, .nquery = 2 },
			    parse_stat, out, err);
}

static int parse_history(struct req_resp *resp, void *out)
{
	return live_parse_history(resp->body, resp->body_len, out);
}

int live_get_history(struct req_engine *e, const char *name,
		     struct live_history *out, struct oss_error *err)
{
	static const struct http_kv q[] = {
		{ "live", NULL }, { "comp", "history" },
	};

	return call_channel(e, "GetLiveChannelHistory", name,
			    &(struct req){ .method = "GET", .key = name,
					   .query = q, .nquery = 2 },
			    parse_history, out, err);
}

/* --- VOD playlists --------------------------------------------------- */

struct vod_range {
	char start[24], end[24];
};

static void vod_range(struct vod_range *r, time_t start, time_t end)
{
	snprintf(r->start, sizeof(r->start), "%" PRIdMAX, (intmax_t)start);
	snprintf(r->end, sizeof(r->end), "%" PRIdMAX, (intmax_t)end);
}

int live_post_vod(struct req_engine *e, const char *name, const char *playlist,
		  time_t start, time_t end, struct oss_error *err)
{
	struct vod_range t;
	const struct http_kv q[] = {
		{ "vod", NULL }, { "startTime", t.start }, { "endTime", t.end },
	};
	char *key;
	int rc;

	if (!playlist || !playlist[0] || strchr(playlist, '/'))
		return call_refuse(err, -EINVAL, "PostVodPlaylist",
				   "invalid playlist name");
	vod_range(&t, start, end);
	if (asprintf(&key, "%s/%s", name, playlist) < 0)
		return -ENOMEM;
	/* Empty body: the engine sends Content-Length: 0. */
	rc = call_channel(e, "PostVodPlaylist", name,
			  &(struct req){ .method = "POST", .key = key,
					 .query = q, .nquery = 3 },
			  NULL, NULL, err);
	free(key);
	return rc;
}

struct m3u8_out {
	char **text;
	size_t *len;
};

/* Hands the body over rather than copying it. */
static int take_body(struct req_resp *resp, void *out)
{
	struct m3u8_out *o = out;

	*o->text = resp->body ? resp->body : strdup("");
	*o->len = resp->body ? resp->body_len : 0;
	resp->body = NULL;
	return *o->text ? 0 : -ENOMEM;
}

int live_get_vod(struct req_engine *e, const char *name, time_t start,
		 time_t end, char **m3u8, size_t *len, struct oss_error *err)
{
	struct vod_range t;
	const struct http_kv q[] = {
		{ "vod", NULL }, { "startTime", t.start }, { "endTime", t.end },
	};
	struct m3u8_out o = { .text = m3u8, .len = len };

	*m3u8 = NULL;
	*len = 0;
	vod_range(&t, start, end);
	return call_channel(e, "GetVodPlaylist", name,
			    &(struct req){ .method = "GET", .key = name,
					   .query = q, .nquery = 3 },
			    take_body, &o, err);
}

int live_publish_url(struct req_engine *e, const char *name, const char *base,
		     const char *playlist, long expires_in, char **url)
{
	int rc = live_name_check(name);

	*url = NULL;
	if (rc)
		return rc;
	return req_rtmp_url(e, base, name, playlist, expires_in, url);
}
