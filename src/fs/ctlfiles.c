/*
 * .osslivefs/: the mount's own files, one row each like the channel files
 * (chanfiles.c), read-only.  channels and metrics.prom (metrics_prom.c)
 * show one overview of every channel (cache/overview.h); when OSS fails
 * they still read, and say what is stale.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs_i.h"
#include "cache/overview.h"

#define HEADER "#name enabled state remote_addr connected_time " \
	       "video_bandwidth audio_bandwidth\n"

static const char *state_name(const struct chan_state *cs)
{
	if (!cs->known)
		return "-";
	switch (cs->state) {
	case LIVE_LIVE:
		return "live";
	case LIVE_DISABLED:
		return "disabled";
	default:
		return "idle";
	}
}

/* "OSS 503 ServiceUnavailable" or "RequestTimeout": what OSS said. */
static void said(const struct oss_error *err, char *buf, size_t len)
{
	if (err->status)
		snprintf(buf, len, "OSS %ld %s", err->status, err->code);
	else
		snprintf(buf, len, "%s", err->code[0] ? err->code : "no answer");
}

/* The comment line of a stale overview (nothing when it is fresh). */
int ctl_stale_line(const struct overview *o, struct sbuf *out)
{
	const char *name = strerrorname_np(-o->failed_errno);
	char what[128], when[32] = "";
	struct tm tm;

	if (!o->failed_op)
		return 0;
	said(&o->err, what, sizeof(what));
	if (sbuf_printf(out, "# stale: %s failed (%s, %s); ", o->failed_op,
			name ? name : "?", what))
		return -ENOMEM;
	if (strcmp(o->failed_op, "GetLiveChannelStat") == 0)
		return sbuf_printf(out, "state unknown for %zu of %zu channels\n",
				   o->unknown, o->n);
	if (!o->as_of)
		return sbuf_printf(out, "no channels read yet\n");
	gmtime_r(&o->as_of, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return sbuf_printf(out, "channels as of %s\n", when);
}

/* One line of the log per stale read, like any failed operation. */
static void log_stale(const struct overview *o, const char *file)
{
	char path[64], why[64];

	if (!o->failed_op)
		return;
	snprintf(path, sizeof(path), "/%s/%s", CTL_DIR, file);
	snprintf(why, sizeof(why), "%s failed", o->failed_op);
	fs_log_fail("read", path, o->failed_errno, why, &o->err);
}

/* One column after sep: "-" when empty; every value stays one awk field,
 * so space, control bytes and '\' become \xNN (names and OSS's values
 * alike). */
static int add_field(struct sbuf *out, const char *sep, const char *s)
{
	int ret = sbuf_add(out, sep, strlen(sep));

	if (!ret && !s[0])
		return sbuf_add(out, "-", 1);
	for (const unsigned char *p = (const unsigned char *)s; !ret && *p; p++)
		ret = *p <= ' ' || *p == 0x7f || *p == '\\' ?
		      sbuf_printf(out, "\\x%02x", *p) : sbuf_add(out, p, 1);
	return ret;
}

static int channel_line(struct sbuf *out, const struct chan_state *cs)
{
	return add_field(out, "", cs->name) ?:
	       add_field(out, " ", cs->enabled ? "1" : "0") ?:
	       add_field(out, " ", state_name(cs)) ?:
	       add_field(out, " ", cs->remote_addr) ?:
	       add_field(out, " ", cs->connected_time) ?:
	       add_field(out, " ", cs->video_bandwidth) ?:
	       add_field(out, " ", cs->audio_bandwidth) ?:
	       sbuf_add(out, "\n", 1);
}

int ctl_show_overview(struct fs_ctx *c, const char *file, struct sbuf *out,
		      int (*render)(struct fs_ctx *c, const struct overview *o,
				    struct sbuf *out))
{
	struct overview o;
	int ret;

	ret = cache_overview(c->cache, &o);
	if (ret)
		return ret;
	log_stale(&o, file);
	ret = render(c, &o, out);
	overview_free(&o);
	return ret;
}

static int channels_render(struct fs_ctx *c, const struct overview *o,
			   struct sbuf *out)
{
	int ret = ctl_stale_line(o, out) ?: sbuf_add(out, HEADER, strlen(HEADER));

	(void)c;
	for (size_t i = 0; !ret && i < o->n; i++)
		ret = channel_line(out, &o->items[i]);
	return ret;
}

static int channels_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
			 struct fs_error *e)
{
	(void)ch;
	(void)e;
	return ctl_show_overview(c, "channels", out, channels_render);
}

static int text_show(struct sbuf *out, const char *text)
{
	return sbuf_add(out, text, strlen(text));
}

static int version_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
			struct fs_error *e)
{
	(void)ch;
	(void)e;
	return text_show(out, c->opt.version_text);
}

static int options_show(struct fs_ctx *c, const char *ch, struct sbuf *out,
			struct fs_error *e)
{
	(void)ch;
	(void)e;
	return text_show(out, c->opt.options_text);
}

/* In the order readdir lists them; CTLFILE_MAX rows. */
static const struct chanfile ctl_files[CTLFILE_MAX] = {
	{ .name = "channels",     .mode = 0444, .show = channels_show },
	{ .name = "metrics.prom", .mode = 0444, .show = metrics_prom_show },
	{ .name = "options",      .mode = 0444, .show = options_show },
	{ .name = "version",      .mode = 0444, .show = version_show },
};

const struct chanfile *ctlfile_at(size_t i)
{
	if (i >= sizeof(ctl_files) / sizeof(ctl_files[0]))
		return NULL;
	return &ctl_files[i];
}

const struct chanfile *ctlfile_find(const char *name)
{
	return chanfile_find_in(ctlfile_at, name);
}

int ctlfile_content(struct fs_ctx *c, const struct chanfile *f,
		    struct sbuf *out, struct fs_error *e)
{
	int ret = f->show(c, CTL_DIR, out, e);

	if (ret == 0)
		atomic_store(&c->ctl_size[f - ctl_files], (long long)out->len);
	return ret;
}

off_t ctlfile_size(struct fs_ctx *c, const struct chanfile *f)
{
	return (off_t)atomic_load(&c->ctl_size[f - ctl_files]);
}
