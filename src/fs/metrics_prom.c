/*
 * .osslivefs/metrics.prom: the Prometheus text exposition format.  First
 * the gauges of every channel, from one overview (cache/overview.h); then
 * the mount's own counters (util/metrics.h), taken after that gathering so
 * that they count it too.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fs_i.h"
#include "cache/overview.h"
#include "util/metrics.h"

/* A label value as the text format wants it: \\, \" and \n escaped. */
static int add_label(struct sbuf *out, const char *v)
{
	int ret = 0;

	for (; !ret && *v; v++)
		ret = *v == '\\' ? sbuf_add(out, "\\\\", 2) :
		      *v == '"' ? sbuf_add(out, "\\\"", 2) :
		      *v == '\n' ? sbuf_add(out, "\\n", 2) : sbuf_add(out, v, 1);
	return ret;
}

static int family(struct sbuf *out, const char *name, const char *help)
{
	return sbuf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help,
			   name);
}

/* The sample value of a channel gauge; false when it has none. */
typedef bool (*gauge_fn)(const struct chan_state *cs, double *v);

/* OSS's figures are decimal: anything else (strtod's "nan", hex) is
 * left out rather than exposed. */
static bool is_number(const char *s, double *v)
{
	if (!s[0] || strspn(s, "0123456789.") != strlen(s))
		return false;
	*v = strtod(s, NULL);
	return true;
}

static bool g_enabled(const struct chan_state *cs, double *v)
{
	*v = cs->enabled;
	return true;
}

static bool g_live(const struct chan_state *cs, double *v)
{
	*v = cs->state == LIVE_LIVE;
	return cs->known;
}

static bool g_video(const struct chan_state *cs, double *v)
{
	return cs->known && cs->state == LIVE_LIVE &&
	       is_number(cs->video_bandwidth, v);
}

static bool g_audio(const struct chan_state *cs, double *v)
{
	return cs->known && cs->state == LIVE_LIVE &&
	       is_number(cs->audio_bandwidth, v);
}

static bool g_since(const struct chan_state *cs, double *v)
{
	*v = (double)cs->connected_at;
	return cs->known && cs->state == LIVE_LIVE && cs->connected_at > 0;
}

static const struct {
	const char *name;
	const char *help;
	gauge_fn value;
} channel_gauges[] = {
	{ "osslivefs_channel_enabled", "1 when the channel is enabled.", g_enabled },
	{ "osslivefs_channel_live", "1 while an encoder publishes to the channel.", g_live },
	{ "osslivefs_channel_video_bandwidth",
	  "Video bandwidth of a live channel, as OSS gives it.", g_video },
	{ "osslivefs_channel_audio_bandwidth",
	  "Audio bandwidth of a live channel, as OSS gives it.", g_audio },
	{ "osslivefs_channel_live_since_seconds",
	  "Start of a live channel's ingest session, Unix time.", g_since },
};

#define NGAUGES (sizeof(channel_gauges) / sizeof(channel_gauges[0]))

static int channel_gauge(struct sbuf *out, const struct overview *o, size_t g)
{
	int ret = family(out, channel_gauges[g].name, channel_gauges[g].help);

	for (size_t i = 0; !ret && i < o->n; i++) {
		double v;

		if (!channel_gauges[g].value(&o->items[i], &v))
			continue;
		ret = sbuf_printf(out, "%s{channel=\"", channel_gauges[g].name) ?:
		      add_label(out, o->items[i].name) ?:
		      sbuf_printf(out, "\"} %.17g\n", v);
	}
	return ret;
}

static int overview_gauges(struct fs_ctx *c, struct sbuf *out,
			   const struct overview *o)
{
	int ret = ctl_stale_line(o, out) ?:
		  family(out, "osslivefs_up", "1 when the channel gauges were "
			 "gathered now, 0 when OSS failed and they are stale.") ?:
		  sbuf_printf(out, "osslivefs_up %d\n", !o->failed_op) ?:
		  family(out, "osslivefs_channels", "Channels listed.") ?:
		  sbuf_printf(out, "osslivefs_channels %zu\n", o->n);

	for (size_t g = 0; !ret && g < NGAUGES; g++)
		ret = channel_gauge(out, o, g);
	return ret ?:
	       family(out, "osslivefs_start_time_seconds",
		      "When the mount started, Unix time.") ?:
	       sbuf_printf(out, "osslivefs_start_time_seconds %lld\n",
			   (long long)c->mounted_at);
}

/* The counters after the gathering: they include its requests. */
static int render(struct fs_ctx *c, const struct overview *o, struct sbuf *out)
{
	return overview_gauges(c, out, o) ?: metrics_format(out);
}

int metrics_prom_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
		      struct fs_error *e)
{
	(void)ch;
	(void)e;
	return ctl_show_overview(c, "metrics.prom", out, render);
}
