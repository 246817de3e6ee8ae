/* The files of a channel directory, one row each in the style of sysfs
 * attributes: show() renders the whole file, store() sends a value. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fs_i.h"
#include "oss/live.h"
#include "util/str.h"

/* GetLiveChannelInfo answers for config.xml and enabled at once: both are
 * recorded, so that ls -l pays one request for the two. */
static int info_show(struct fs_ctx *c, const char *ch, bool want_xml,
		     struct sbuf *out, struct fs_error *e)
{
	struct live_config cfg;
	const char *en;
	char *xml = NULL;
	int ret;

	ret = live_get_info(c->engine, ch, &cfg, &e->oss);
	if (ret)
		return ret;
	ret = live_config_format(&cfg, &xml);
	if (ret < 0)
		return ret;
	en = cfg.enabled ? "1\n" : "0\n";
	content_put(&c->content, ch, "config.xml", xml, (size_t)ret, 0, false);
	content_put(&c->content, ch, "enabled", en, 2, 0, false);
	ret = want_xml ? sbuf_add(out, xml, (size_t)ret) : sbuf_add(out, en, 2);
	free(xml);
	return ret;
}

static int config_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
		       struct fs_error *e)
{
	return info_show(c, ch, true, out, e);
}

static int enabled_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
			struct fs_error *e)
{
	return info_show(c, ch, false, out, e);
}

/* The channel's configuration as known within cache_ttl (the lookup
 * before every open fetched it), else fetched. */
static int config_current(struct fs_ctx *c, const char *ch,
			  struct live_config *cur, struct oss_error *err)
{
	struct sbuf doc = { 0 };
	char why[128];
	int ret = -ENOENT;

	if (content_get(&c->content, ch, "config.xml", c->opt.cache_ttl, false,
			&doc, NULL) == 0)
		ret = live_config_parse(doc.data, doc.len, cur, why, sizeof(why));
	sbuf_free(&doc);
	if (ret == 0)
		return 0;
	return live_get_info(c->engine, ch, cur, err);
}

/* After a change of ours: the next stat or open fetches again. */
static void info_changed(struct fs_ctx *c, const char *ch)
{
	content_drop(&c->content, ch, "config.xml");
	content_drop(&c->content, ch, "enabled");
	cache_chan_invalidate(c->cache);
}

static int config_store(struct fs_ctx *c, const char *ch,
			const struct sbuf *value, bool final, struct fs_error *e)
{
	struct live_config cfg, cur;
	int ret;

	ret = live_config_parse(value->data, value->len, &cfg, e->why,
				sizeof(e->why));
	if (ret == -EAGAIN && final) {
		snprintf(e->why, sizeof(e->why),
			 "the document ends before its root element is closed");
		return -EINVAL;
	}
	if (ret)
		return ret;
	/* Re-applying the configuration a channel has is not a change, not
	 * even while it is live (where PutLiveChannel would be EBUSY). */
	if (config_current(c, ch, &cur, &e->oss) == 0 &&
	    live_config_equal(&cfg, &cur))
		return 0;
	oss_error_clear(&e->oss);
	ret = live_put(c->engine, ch, &cfg, NULL, &e->oss);
	info_changed(c, ch);
	return ret;
}

static const struct {
	const char *word;
	bool value;
} bool_words[] = {
	{ "1", true }, { "0", false }, { "true", true }, { "false", false },
	{ "yes", true }, { "no", false }, { "on", true }, { "off", false },
	{ "enabled", true }, { "disabled", false },
};

int chanfile_parse_bool(const char *buf, size_t len, bool final, bool *out)
{
	size_t i, b, n = str_trim_span(buf, len, &b);
	/* A word is complete only when white space or close follows it:
	 * "1" may still become "10", which is no word. */
	bool complete = final || b + n < len;
	bool prefix = n == 0;

	for (i = 0; i < sizeof(bool_words) / sizeof(bool_words[0]); i++) {
		const char *w = bool_words[i].word;

		if (strlen(w) < n || strncasecmp(w, buf + b, n) != 0)
			continue;
		if (strlen(w) == n && complete) {
			*out = bool_words[i].value;
			return 0;
		}
		prefix = true;
	}
	return prefix && !complete ? -EAGAIN : -EINVAL;
}

static int enabled_store(struct fs_ctx *c, const char *ch,
			 const struct sbuf *value, bool final, struct fs_error *e)
{
	struct live_config cur;
	bool on;
	int ret;

	ret = chanfile_parse_bool(value->data, value->len, final, &on);
	if (ret == -EINVAL)
		snprintf(e->why, sizeof(e->why), "expected one of 1 0 true false "
			 "yes no on off enabled disabled");
	if (ret)
		return ret;
	if (config_current(c, ch, &cur, &e->oss) == 0 && cur.enabled == on)
		return 0;
	oss_error_clear(&e->oss);
	ret = live_put_status(c->engine, ch, on, &e->oss);
	info_changed(c, ch);
	return ret;
}

static const char *state_name(enum live_state s)
{
	switch (s) {
	case LIVE_LIVE:
		return "live";
	case LIVE_DISABLED:
		return "disabled";
	default:
		return "idle";
	}
}

/* "key value\n", left out when OSS did not give the value. */
static int add_key(struct sbuf *out, const char *key, const char *value)
{
	if (!value[0])
		return 0;
	return sbuf_printf(out, "%s %s\n", key, value);
}

static int status_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
		       struct fs_error *e)
{
	struct live_stat st;
	int ret;

	ret = live_get_stat(c->engine, ch, &st, &e->oss);
	if (ret)
		return ret;
	ret = sbuf_printf(out, "status %s\n", state_name(st.state));
	if (ret || st.state != LIVE_LIVE)
		return ret;
	return add_key(out, "connected_time", st.connected_time) ?:
	       add_key(out, "remote_addr", st.remote_addr) ?:
	       add_key(out, "video_width", st.video_width) ?:
	       add_key(out, "video_height", st.video_height) ?:
	       add_key(out, "video_frame_rate", st.video_frame_rate) ?:
	       add_key(out, "video_bandwidth", st.video_bandwidth) ?:
	       add_key(out, "video_codec", st.video_codec) ?:
	       add_key(out, "audio_bandwidth", st.audio_bandwidth) ?:
	       add_key(out, "audio_sample_rate", st.audio_sample_rate) ?:
	       add_key(out, "audio_codec", st.audio_codec);
}

static int history_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
			struct fs_error *e)
{
	struct live_history h;
	size_t i;
	int ret;

	ret = live_get_history(c->engine, ch, &h, &e->oss);
	for (i = 0; ret == 0 && i < h.n; i++)
		ret = sbuf_printf(out, "%s %s %s\n", h.rec[i].start,
				  h.rec[i].end, h.rec[i].remote_addr);
	return ret;
}

static int publish_url_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
			    struct fs_error *e)
{
	struct chan_info ci;
	const char *playlist = NULL;
	char *url = NULL;
	int ret;

	/* The listing gives the URL to sign, and the configured PlaylistName
	 * (from the play URL). */
	ret = cache_chan_lookup(c->cache, ch, &ci, &e->oss);
	if (ret)
		return ret;
	if (ci.playlist_name[0] && strcmp(ci.playlist_name, LIVE_DEFAULT_PLAYLIST) != 0)
		playlist = ci.playlist_name;
	ret = live_publish_url(c->engine, ch, ci.publish_url, playlist,
			       c->opt.publish_url_expires, &url);
	if (ret)
		return ret;
	ret = sbuf_printf(out, "%s\n", url);
	free(url);
	return ret;
}

static int play_url_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
			 struct fs_error *e)
{
	struct chan_info ci;
	int ret;

	ret = cache_chan_lookup(c->cache, ch, &ci, &e->oss);
	if (ret)
		return ret;
	return sbuf_printf(out, "%s\n", ci.play_url);
}

static const struct chanfile chanfiles[] = {
	{ .name = "config.xml",  .mode = 0644, .show = config_show,  .store = config_store },
	{ .name = "enabled",     .mode = 0644, .show = enabled_show, .store = enabled_store },
	{ .name = "status",      .mode = 0444, .show = status_show,  .tracked = true },
	{ .name = "history",     .mode = 0444, .show = history_show, .tracked = true },
	{ .name = "publish_url", .mode = 0444, .show = publish_url_show },
	{ .name = "play_url",    .mode = 0444, .show = play_url_show },
};

const struct chanfile *chanfile_at(size_t i)
{
	if (i >= sizeof(chanfiles) / sizeof(chanfiles[0]))
		return NULL;
	return &chanfiles[i];
}

const struct chanfile *chanfile_find_in(const struct chanfile *(*at)(size_t),
					 const char *name)
{
	const struct chanfile *a;
	size_t i;

	for (i = 0; (a = at(i)); i++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

const struct chanfile *chanfile_find(const char *name)
{
	return chanfile_find_in(chanfile_at, name);
}

unsigned chanfile_index(const struct chanfile *f)
{
	return (unsigned)(f - chanfiles);
}

unsigned chanfile_count(void)
{
	return sizeof(chanfiles) / sizeof(chanfiles[0]);
}
