/* The LiveChannel API: one typed call per OSS operation.  XML in and out
 * is built and parsed with libxml2 here; callers see only C structs. */
#ifndef OSSLIVEFS_LIVE_H
#define OSSLIVEFS_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "http/osserr.h"

struct req_engine;

#include "oss/live_config.h"

struct live_channel {
	char name[LIVE_NAME_MAX + 1];
	char description[LIVE_DESC_MAX + 1];
	bool enabled;
	time_t last_modified;
	char *publish_url;             /* malloc'd */
	char *play_url;                /* malloc'd */
};

struct live_list {
	struct live_channel *items;
	size_t n;
	int requests;                  /* pages fetched */
	/* Channels left out: their names hold characters that XML cannot
	 * carry (ListLiveChannel has no encoding-type). */
	size_t skipped;
	char first_skipped[LIVE_NAME_MAX + 1];
};

/* Every channel (prefix may be NULL), all pages with max-keys=1000. */
int live_list(struct req_engine *e, const char *prefix, struct live_list *out,
	      struct oss_error *err);

/* The same listing handed over one channel at a time, for a caller that
 * keeps it in a form of its own: only one page is in memory at once. */
struct live_walk {
	/* Called in listing order; 0 goes on, a negative errno (not -EIO)
	 * ends the walk with it.  fn may take ch's URLs (setting them to
	 * NULL); ch is gone when fn returns. */
	int (*fn)(void *arg, struct live_channel *ch);
	void *arg;
	int requests;                  /* as in struct live_list */
	size_t skipped;
	char first_skipped[LIVE_NAME_MAX + 1];
};
int live_list_walk(struct req_engine *e, const char *prefix,
		   struct live_walk *w, struct oss_error *err);
/* One channel's listing entry (one ListLiveChannel, prefix=name,
 * max-keys=1): 0, -ENOENT or another negative errno.  Free out's URLs
 * with live_channel_free(). */
int live_lookup(struct req_engine *e, const char *name,
		struct live_channel *out, struct oss_error *err);
void live_channel_free(struct live_channel *c);
/* One ListLiveChannel with max-keys=1: the start-up probe. */
int live_probe(struct req_engine *e, struct oss_error *err);
void live_list_free(struct live_list *l);

struct live_urls {
	char *publish_url;
	char *play_url;
};
void live_urls_free(struct live_urls *u);

int live_put(struct req_engine *e, const char *name,
	     const struct live_config *c, struct live_urls *urls /* may be NULL */,
	     struct oss_error *err);
int live_get_info(struct req_engine *e, const char *name,
		  struct live_config *out, struct oss_error *err);
int live_put_status(struct req_engine *e, const char *name, bool enabled,
		    struct oss_error *err);
int live_delete(struct req_engine *e, const char *name, struct oss_error *err);

enum live_state { LIVE_IDLE, LIVE_LIVE, LIVE_DISABLED };

/* Values as OSS gives them (strings); empty when absent. */
struct live_stat {
	enum live_state state;
	char connected_time[40];
	time_t connected_at;           /* connected_time parsed; 0 when absent */
	char remote_addr[64];
	char video_width[16], video_height[16], video_frame_rate[16];
	char video_bandwidth[24], video_codec[16];
	char audio_bandwidth[24], audio_sample_rate[16], audio_codec[16];
};
int live_get_stat(struct req_engine *e, const char *name, struct live_stat *out,
		  struct oss_error *err);

struct live_record {
	char start[40];
	char end[40];
	char remote_addr[64];
};
struct live_history {
	struct live_record rec[10];    /* OSS keeps at most 10 */
	size_t n;
};
int live_get_history(struct req_engine *e, const char *name,
		     struct live_history *out, struct oss_error *err);

/* PostVodPlaylist: writes object <name>/<playlist>. */
int live_post_vod(struct req_engine *e, const char *name, const char *playlist,
		  time_t start, time_t end, struct oss_error *err);
/* GetVodPlaylist: the m3u8 text (malloc'd) without storing it. */
int live_get_vod(struct req_engine *e, const char *name, time_t start,
		 time_t end, char **m3u8, size_t *len, struct oss_error *err);

/* Signed RTMP publish URL, valid expires_in seconds from now, made from
 * base: the channel's PublishUrl as OSS returned it (NULL: from the
 * endpoint). */
int live_publish_url(struct req_engine *e, const char *name, const char *base,
		     const char *playlist, long expires_in, char **url);

#endif
