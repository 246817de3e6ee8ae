/*
 * livetool: one API-layer call per invocation, for the integration tests.
 *
 *   livetool --url URL --bucket B --ak AK --sk SK [--token T] [--region R]
 *            [--sigv1] [--path-style] [--retries N] COMMAND ARGS...
 *
 * Commands: probe | list [PREFIX] | put NAME [CONFIG_FILE] | info NAME |
 * status NAME enabled|disabled | stat NAME | history NAME | delete NAME |
 * vod NAME PLAYLIST START END | getvod NAME START END |
 * publish NAME [PLAYLIST] | ls PREFIX | get KEY OFF LEN | head KEY | rm KEY
 *
 * Output is plain lines on stdout (get: the raw bytes).  On failure one
 * line "error <errno name> status=S code=C message=M" on stderr and the
 * exit status is the errno.
 */
#define _GNU_SOURCE       /* strerrorname_np */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/creds.h"
#include "oss/live.h"
#include "oss/obj.h"
#include "http/req.h"

struct tool {
	struct req_engine *e;
	struct oss_error err;
};

static int fail(struct tool *t, int rc)
{
	fprintf(stderr, "error %s status=%ld code=%s message=%s\n",
		strerrorname_np(-rc) ? strerrorname_np(-rc) : "?",
		t->err.status, t->err.code, t->err.message);
	return -rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: livetool --url URL --bucket B --ak AK --sk SK "
		"[--token T] [--region R] [--sigv1] [--path-style] COMMAND ARGS\n");
	return 2;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		char *p = realloc(buf, cap + 4096);

		if (!p)
			break;
		buf = p;
		cap += 4096;
		size_t n = fread(buf + *len, 1, cap - *len, f);

		*len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	return buf;
}

static int cmd_list(struct tool *t, const char *prefix)
{
	struct live_list l;
	int rc = live_list(t->e, prefix, &l, &t->err);

	if (rc)
		return fail(t, rc);
	printf("requests %d\n", l.requests);
	for (size_t i = 0; i < l.n; i++)
		printf("%s\t%d\t%lld\t%s\t%s\t%s\n", l.items[i].name,
		       l.items[i].enabled, (long long)l.items[i].last_modified,
		       l.items[i].description,
		       l.items[i].publish_url ? l.items[i].publish_url : "-",
		       l.items[i].play_url ? l.items[i].play_url : "-");
	live_list_free(&l);
	return 0;
}

static int cmd_put(struct tool *t, const char *name, const char *file)
{
	struct live_config c;
	struct live_urls u;
	char why[200];
	int rc;

	live_config_default(&c, 5, 3, "playlist.m3u8");
	if (file) {
		size_t len;
		char *xml = read_file(file, &len);

		if (!xml)
			return fail(t, -errno);
		rc = live_config_parse(xml, len, &c, why, sizeof(why));
		free(xml);
		if (rc) {
			snprintf(t->err.message, sizeof(t->err.message), "%s", why);
			return fail(t, rc);
		}
	}
	rc = live_put(t->e, name, &c, &u, &t->err);
	if (rc)
		return fail(t, rc);
	printf("publish %s\nplay %s\n", u.publish_url ? u.publish_url : "-",
	       u.play_url ? u.play_url : "-");
	live_urls_free(&u);
	return 0;
}

static int cmd_info(struct tool *t, const char *name)
{
	struct live_config c;
	char *xml;
	int rc = live_get_info(t->e, name, &c, &t->err);

	if (rc)
		return fail(t, rc);
	rc = live_config_format(&c, &xml);
	if (rc < 0)
		return fail(t, rc);
	fputs(xml, stdout);
	free(xml);
	return 0;
}

static int cmd_stat(struct tool *t, const char *name)
{
	static const char *states[] = { "idle", "live", "disabled" };
	struct live_stat s;
	int rc = live_get_stat(t->e, name, &s, &t->err);

	if (rc)
		return fail(t, rc);
	printf("status %s\n", states[s.state]);
	if (s.state != LIVE_LIVE)
		return 0;
	printf("connected_time %s\nremote_addr %s\nvideo_width %s\n"
	       "video_height %s\nvideo_frame_rate %s\nvideo_bandwidth %s\n"
	       "video_codec %s\naudio_bandwidth %s\naudio_sample_rate %s\n"
	       "audio_codec %s\n", s.connected_time, s.remote_addr,
	       s.video_width, s.video_height, s.video_frame_rate,
	       s.video_bandwidth, s.video_codec, s.audio_bandwidth,
	       s.audio_sample_rate, s.audio_codec);
	return 0;
}

static int cmd_history(struct tool *t, const char *name)
{
	struct live_history h;
	int rc = live_get_history(t->e, name, &h, &t->err);

	if (rc)
		return fail(t, rc);
	for (size_t i = 0; i < h.n; i++)
		printf("%s %s %s\n", h.rec[i].start, h.rec[i].end,
		       h.rec[i].remote_addr);
	return 0;
}

static int cmd_getvod(struct tool *t, const char *name, const char *s,
		      const char *e)
{
	char *m3u8;
	size_t len;
	int rc = live_get_vod(t->e, name, atoll(s), atoll(e), &m3u8, &len,
			      &t->err);

	if (rc)
		return fail(t, rc);
	fwrite(m3u8, 1, len, stdout);
	free(m3u8);
	return 0;
}

static int cmd_publish(struct tool *t, const char *name, const char *playlist)
{
	char *url;
	int rc = live_publish_url(t->e, name, NULL, playlist, 3600, &url);

	if (rc)
		return fail(t, rc);
	printf("%s\n", url);
	free(url);
	return 0;
}

static int cmd_ls(struct tool *t, const char *prefix)
{
	struct obj_list l;
	int rc = obj_list(t->e, prefix, &l, &t->err);

	if (rc)
		return fail(t, rc);
	printf("requests %d\n", l.requests);
	for (size_t i = 0; i < l.n; i++)
		printf("%s %lld %lld\n", l.items[i].name,
		       (long long)l.items[i].size, (long long)l.items[i].mtime);
	obj_list_free(&l);
	return 0;
}

static int cmd_get(struct tool *t, const char *key, const char *off,
		   const char *len)
{
	size_t n = strtoull(len, NULL, 10), got;
	char *buf = malloc(n ? n : 1);
	int rc;

	if (!buf)
		return fail(t, -ENOMEM);
	rc = obj_get_range(t->e, key, strtoll(off, NULL, 10), n, buf, &got,
			   NULL, &t->err);
	if (rc == 0) {
		fwrite(buf, 1, got, stdout);
		fprintf(stderr, "got %zu\n", got);
	}
	free(buf);
	return rc ? fail(t, rc) : 0;
}

static int cmd_head(struct tool *t, const char *key)
{
	off_t size;
	time_t mtime;
	int rc = obj_head(t->e, key, &size, &mtime, &t->err);

	if (rc)
		return fail(t, rc);
	printf("%lld %lld\n", (long long)size, (long long)mtime);
	return 0;
}

static int run(struct tool *t, int argc, char **argv)
{
	const char *cmd = argv[0];
	const char *a1 = argc > 1 ? argv[1] : NULL;
	const char *a2 = argc > 2 ? argv[2] : NULL;
	int rc;

	if (!strcmp(cmd, "probe")) {
		rc = live_probe(t->e, &t->err);
		if (rc)
			return fail(t, rc);
		printf("ok\n");
		return 0;
	}
	if (!strcmp(cmd, "list"))
		return cmd_list(t, a1);
	if (!a1)
		return usage();
	if (!strcmp(cmd, "put"))
		return cmd_put(t, a1, a2);
	if (!strcmp(cmd, "info"))
		return cmd_info(t, a1);
	if (!strcmp(cmd, "stat"))
		return cmd_stat(t, a1);
	if (!strcmp(cmd, "history"))
		return cmd_history(t, a1);
	if (!strcmp(cmd, "publish"))
		return cmd_publish(t, a1, a2);
	if (!strcmp(cmd, "ls"))
		return cmd_ls(t, a1);
	if (!strcmp(cmd, "head"))
		return cmd_head(t, a1);
	if (!strcmp(cmd, "delete") || !strcmp(cmd, "rm")) {
		rc = !strcmp(cmd, "rm") ? obj_delete(t->e, a1, &t->err) :
					  live_delete(t->e, a1, &t->err);
		return rc ? fail(t, rc) : 0;
	}
	if (!strcmp(cmd, "status") && a2) {
		rc = live_put_status(t->e, a1, !strcmp(a2, "enabled"), &t->err);
		return rc ? fail(t, rc) : 0;
	}
	if (!strcmp(cmd, "getvod") && argc == 4)
		return cmd_getvod(t, a1, argv[2], argv[3]);
	if (!strcmp(cmd, "get") && argc == 4)
		return cmd_get(t, a1, argv[2], argv[3]);
	if (!strcmp(cmd, "vod") && argc == 5) {
		rc = live_post_vod(t->e, a1, argv[2], atoll(argv[3]),
				   atoll(argv[4]), &t->err);
		return rc ? fail(t, rc) : 0;
	}
	return usage();
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "bucket", required_argument, NULL, 'b' },
		{ "ak", required_argument, NULL, 'a' },
		{ "sk", required_argument, NULL, 's' },
		{ "token", required_argument, NULL, 't' },
		{ "region", required_argument, NULL, 'r' },
		{ "retries", required_argument, NULL, 'n' },
		{ "sigv1", no_argument, NULL, '1' },
		{ "path-style", no_argument, NULL, 'p' },
		{ 0 },
	};
	struct creds creds = { .source = "command line" };
	struct req_config cfg = { .region = "cn-hangzhou", .creds = &creds,
				  .retries = 0, .connect_timeout = 5,
				  .timeout = 30 };
	struct tool t = { 0 };
	char msg[256];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'u': cfg.url = optarg; break;
		case 'b': cfg.bucket = optarg; break;
		case 'a': creds.access_key_id = optarg; break;
		case 's': creds.access_key_secret = optarg; break;
		case 't': creds.security_token = optarg; break;
		case 'r': cfg.region = optarg; break;
		case 'n': cfg.retries = atoi(optarg); break;
		case '1': cfg.sigv1 = true; break;
		case 'p': cfg.path_style = true; break;
		default: return usage();
		}
	}
	if (!cfg.url || !cfg.bucket || !creds.access_key_id ||
	    !creds.access_key_secret || optind >= argc)
		return usage();
	rc = req_engine_new(&cfg, &t.e, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "error engine: %s\n", msg);
		return -rc;
	}
	rc = run(&t, argc - optind, argv + optind);
	req_engine_free(t.e);
	return rc;
}
