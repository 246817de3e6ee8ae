/*
 * osslivefs: mount the LiveChannels of an OSS bucket.
 *
 *   osslivefs BUCKET MOUNTPOINT [-o OPT[,OPT...]] [-f] [-d] [-s]
 *
 * Options, credentials and one signed probe happen before the process
 * daemonizes, so that a wrong region, key or clock fails the mount command
 * itself with one clear line and exit status 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/fs.h"
#include "http/req.h"
#include "oss/live.h"
#include "util/creds.h"
#include "util/log.h"
#include "util/str.h"

struct options {
	const char *bucket;
	int nonopts;
	char *region;
	char *url;
	char *passwd_file;
	char *loglevel;
	char *playlist_name;
	char *cache_ttl;
	char *retries;
	char *connect_timeout;
	char *timeout;
	char *publish_url_expires;
	char *frag_duration;
	char *frag_count;
	char *cafile;
	int path_style;
	int sigv1;
	int show_help;
	int show_version;
};

#define OPT(t, p) { t, offsetof(struct options, p), 1 }

enum { KEY_DISCARD, KEY_HELP, KEY_VERSION };

static const struct fuse_opt option_spec[] = {
	OPT("region=%s", region),
	OPT("url=%s", url),
	OPT("endpoint=%s", url),
	OPT("passwd_file=%s", passwd_file),
	OPT("loglevel=%s", loglevel),
	OPT("playlist_name=%s", playlist_name),
	OPT("cache_ttl=%s", cache_ttl),
	OPT("retries=%s", retries),
	OPT("connect_timeout=%s", connect_timeout),
	OPT("timeout=%s", timeout),
	OPT("publish_url_expires=%s", publish_url_expires),
	OPT("frag_duration=%s", frag_duration),
	OPT("frag_count=%s", frag_count),
	OPT("cafile=%s", cafile),
	OPT("path_style", path_style),
	OPT("sigv1", sigv1),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	/* Words that only mean something to mount(8) and fstab. */
	FUSE_OPT_KEY("_netdev", KEY_DISCARD),
	FUSE_OPT_KEY("nofail", KEY_DISCARD),
	FUSE_OPT_KEY("auto", KEY_DISCARD),
	FUSE_OPT_KEY("noauto", KEY_DISCARD),
	FUSE_OPT_KEY("user", KEY_DISCARD),
	FUSE_OPT_KEY("users", KEY_DISCARD),
	FUSE_OPT_KEY("defaults", KEY_DISCARD),
	FUSE_OPT_END
};

static void usage(const char *prog)
{
	printf("usage: %s BUCKET MOUNTPOINT [options]\n\n", prog);
	printf("Mounts the LiveChannels of an Alibaba Cloud OSS bucket.\n\n"
	       "osslivefs options:\n"
	       "    -o region=ID               region, e.g. cn-hangzhou (V4 scope, default endpoint)\n"
	       "    -o url=URL                 endpoint URL (alias endpoint=)\n"
	       "    -o path_style              use /BUCKET/KEY paths (automatic for IP hosts)\n"
	       "    -o sigv1                   sign with OSS V1 (HMAC-SHA1) instead of V4\n"
	       "    -o passwd_file=PATH        credentials file (AK:SK or BUCKET:AK:SK)\n"
	       "    -o cache_ttl=S             listing lifetime in seconds, 0..86400 (default 2)\n"
	       "    -o retries=N               retries (5xx, 429, network), 0..20 (default 3)\n"
	       "    -o connect_timeout=S       connect time-out, seconds, 1..3600 (default 10)\n"
	       "    -o timeout=S               request time-out, seconds, 1..86400 (default 30)\n"
	       "    -o publish_url_expires=S   validity of publish_url, seconds, 1..315360000\n"
	       "                               (ten years; default 3600)\n"
	       "    -o frag_duration=N         FragDuration of channels mkdir creates, 1..100\n"
	       "                               (default 5)\n"
	       "    -o frag_count=N            FragCount of channels mkdir creates, 1..100\n"
	       "                               (default 3)\n"
	       "    -o playlist_name=NAME      PlaylistName of channels mkdir creates\n"
	       "                               (default playlist.m3u8)\n"
	       "    -o loglevel=LEVEL          err, warn, info or debug (default warn)\n"
	       "    -o cafile=PATH             CA certificates (PEM) to trust for https besides\n"
	       "                               the system's (default: $CURL_CA_BUNDLE, else\n"
	       "                               $SSL_CERT_FILE); verification is always on\n"
	       "    -h, --help                 this help\n"
	       "    -V, --version              versions of osslivefs and its libraries\n\n");
}

/* What --version prints and .osslivefs/version reads (malloc'd). */
static char *version_text(void)
{
	const char *curl, *openssl, *libxml2;
	char *text = NULL;

	req_library_versions(&curl, &openssl, &libxml2);
	if (asprintf(&text, "osslivefs version %s\nlibfuse version %s\n"
		     "libcurl version %s\nOpenSSL version %s\n"
		     "libxml2 version %s\n", OSSLIVEFS_VERSION,
		     fuse_pkgversion(), curl, openssl, libxml2) < 0)
		return NULL;
	return text;
}

static void version(void)
{
	char *text = version_text();

	if (text)
		fputs(text, stdout);
	free(text);
}

/* libfuse's own messages go where ours go: to syslog once daemonized. */
static void fuse_log_ours(enum fuse_log_level level, const char *fmt,
			  va_list ap)
{
	enum log_level l = LOG_LVL_DEBUG;

	if (level <= FUSE_LOG_ERR)
		l = LOG_LVL_ERR;
	else if (level == FUSE_LOG_WARNING)
		l = LOG_LVL_WARN;
	else if (level <= FUSE_LOG_INFO)
		l = LOG_LVL_INFO;
	log_vmsg(l, fmt, ap);
}

static int opt_proc(void *data, const char *arg, int key,
		    struct fuse_args *outargs)
{
	struct options *o = data;

	(void)outargs;
	switch (key) {
	case KEY_DISCARD:
		return 0;
	case KEY_HELP:
		o->show_help = 1;
		return 0;
	case KEY_VERSION:
		o->show_version = 1;
		return 0;
	case FUSE_OPT_KEY_NONOPT:
		/* BUCKET is ours; MOUNTPOINT goes on to fuse_parse_cmdline. */
		if (o->nonopts++ == 0) {
			o->bucket = arg;
			return 0;
		}
		return 1;
	case FUSE_OPT_KEY_OPT:
		/* x-systemd.automount and friends are for systemd. */
		return strncmp(arg, "x-", 2) == 0 ? 0 : 1;
	default:
		return 1;
	}
}

/* A whole number within [min, max]; name is for the message. */
static int parse_num(const char *name, const char *s, long min, long max,
		     long dflt, long *out)
{
	char *end;
	long v;

	if (!s) {
		*out = dflt;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "osslivefs: option %s=%s: expected a whole number "
			"from %ld to %ld\n", name, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

struct numbers {
	long cache_ttl, retries, connect_timeout, timeout, expires;
	long frag_duration, frag_count;
};

static int parse_numbers(const struct options *o, struct numbers *n)
{
	return parse_num("cache_ttl", o->cache_ttl, 0, 86400, 2, &n->cache_ttl) ?:
	       parse_num("retries", o->retries, 0, 20, 3, &n->retries) ?:
	       parse_num("connect_timeout", o->connect_timeout, 1, 3600, 10,
			 &n->connect_timeout) ?:
	       parse_num("timeout", o->timeout, 1, 86400, 30, &n->timeout) ?:
	       parse_num("publish_url_expires", o->publish_url_expires, 1,
			 10L * 365 * 86400, 3600, &n->expires) ?:
	       parse_num("frag_duration", o->frag_duration, 1, 100, 5,
			 &n->frag_duration) ?:
	       parse_num("frag_count", o->frag_count, 1, 100, 3, &n->frag_count);
}

static int check_playlist_name(const char *name)
{
	char why[128];

	if (live_playlist_check(name, why, sizeof(why)) == 0)
		return 0;
	fprintf(stderr, "osslivefs: option playlist_name=%s: %s\n", name, why);
	return -EINVAL;
}

/* Hints for the probe's failure, by what OSS answered. */
static const char *probe_hint(const struct oss_error *err, bool sigv1)
{
	if (strcmp(err->code, "SignatureDoesNotMatch") == 0)
		return sigv1 ? "check the AccessKeySecret"
			     : "check the AccessKeySecret, and the region (V4 signs it)";
	if (strcmp(err->code, "InvalidAccessKeyId") == 0)
		return "check the AccessKeyId";
	if (strcmp(err->code, "RequestTimeTooSkewed") == 0)
		return "the clock of this machine is off; sync it (NTP)";
	if (strcmp(err->code, "NoSuchBucket") == 0)
		return "check the bucket name and the endpoint's region";
	if (strcmp(err->code, "AccessDenied") == 0)
		return "the key may not list LiveChannels of this bucket, or the "
		       "bucket is in another region";
	if (strcmp(err->code, "CertificateNotTrusted") == 0)
		return "the server's certificate is not signed by a CA this machine "
		       "trusts: give that CA's certificate with -o cafile=PATH (or "
		       "SSL_CERT_FILE), or check that the URL names the right host";
	if (strcmp(err->code, "InvalidSecurityToken") == 0 ||
	    strcmp(err->code, "SecurityTokenExpired") == 0)
		return "check OSS_SESSION_TOKEN";
	if (err->status == 0)
		return "check the endpoint URL and the network";
	return NULL;
}

static int probe(struct req_engine *e, const char *bucket, const char *url,
		 bool sigv1)
{
	struct oss_error err = { 0 };
	char code[4 * sizeof(err.code)], msg[4 * sizeof(err.message)];
	char rid[4 * sizeof(err.request_id)];
	const char *hint;
	int ret;

	ret = live_probe(e, &err);
	if (ret == 0)
		return 0;
	hint = probe_hint(&err, sigv1);
	fprintf(stderr, "osslivefs: cannot list LiveChannels of bucket '%s' at %s: ",
		bucket, url);
	/* What the server sent is not ours: escaped like every log field. */
	str_escape(err.code, code, sizeof(code));
	str_escape(err.message, msg, sizeof(msg));
	str_escape(err.request_id, rid, sizeof(rid));
	if (err.status)
		fprintf(stderr, "OSS %ld %s: %s (RequestId %s)", err.status,
			code, msg, rid[0] ? rid : "-");
	else
		fprintf(stderr, "%s: %s", code[0] ? code : "error",
			msg[0] ? msg : strerror(-ret));
	fprintf(stderr, "%s%s\n", hint ? "; hint: " : "", hint ? hint : "");
	return ret;
}

/* The endpoint URL: given, or https://oss-<region>.aliyuncs.com. */
static char *endpoint_url(const struct options *o)
{
	char *url = NULL;
	const char *r = o->region;

	if (o->url)
		return strdup(o->url);
	if (!r) {
		fprintf(stderr, "osslivefs: no region: give -o region=ID (e.g. "
			"cn-hangzhou) or -o url=https://oss-ID.aliyuncs.com\n");
		return NULL;
	}
	if (strncmp(r, "oss-", 4) == 0)
		r += 4;
	if (asprintf(&url, "https://oss-%s.aliyuncs.com", r) < 0)
		return NULL;
	return url;
}

struct mount_state {
	struct options opts;
	struct numbers num;
	struct creds creds;
	struct req_engine *engine;
	struct fs_ctx *ctx;
	char *url;
	char *version_text;
	char *options_text;
	const char *cafile;             /* NULL: the system's CAs only */
};

/* The extra CAs to trust: cafile=, else $CURL_CA_BUNDLE, else
 * $SSL_CERT_FILE (as curl(1) reads them); a file that cannot be read
 * fails the start rather than every request. */
static int ca_file(struct mount_state *m)
{
	static const char *const env[] = { "CURL_CA_BUNDLE", "SSL_CERT_FILE" };
	const char *from = "option cafile", *why;
	struct stat st;
	size_t i;

	m->cafile = m->opts.cafile;
	for (i = 0; !m->cafile && i < 2; i++) {
		m->cafile = getenv(env[i]);
		from = env[i];
		if (m->cafile && !m->cafile[0])
			m->cafile = NULL;
	}
	if (!m->cafile)
		return 0;
	if (stat(m->cafile, &st) != 0 || access(m->cafile, R_OK) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else
		return 0;
	fprintf(stderr, "osslivefs: %s=%s: %s\n", from, m->cafile, why);
	return -EINVAL;
}

static int setup(struct mount_state *m)
{
	char msg[512] = "";
	enum log_level lvl = LOG_LVL_WARN;
	struct req_config rc;
	int ret;

	if (m->opts.loglevel && log_parse_level(m->opts.loglevel, &lvl)) {
		fprintf(stderr, "osslivefs: option loglevel=%s: expected err, warn, "
			"info or debug\n", m->opts.loglevel);
		return -EINVAL;
	}
	log_init("osslivefs", 1, lvl);
	ret = parse_numbers(&m->opts, &m->num);
	if (ret)
		return ret;
	if (m->opts.playlist_name && check_playlist_name(m->opts.playlist_name))
		return -EINVAL;
	m->url = endpoint_url(&m->opts);
	if (!m->url || ca_file(m))
		return -EINVAL;
	ret = creds_load(&m->creds, m->opts.bucket, m->opts.passwd_file, msg,
			 sizeof(msg));
	if (ret) {
		fprintf(stderr, "osslivefs: %s\n", msg);
		return ret;
	}
	rc = (struct req_config){
		.url = m->url,
		.bucket = m->opts.bucket,
		.region = m->opts.region,
		.path_style = m->opts.path_style,
		.sigv1 = m->opts.sigv1,
		.creds = &m->creds,
		.retries = (int)m->num.retries,
		.connect_timeout = m->num.connect_timeout,
		.timeout = m->num.timeout,
		.cafile = m->cafile,
	};
	ret = req_engine_new(&rc, &m->engine, msg, sizeof(msg));
	if (ret) {
		fprintf(stderr, "osslivefs: %s\n", msg);
		return ret;
	}
	return probe(m->engine, m->opts.bucket, m->url, m->opts.sigv1);
}

static void teardown(struct mount_state *m)
{
	req_engine_free(m->engine);
	creds_free(&m->creds);
	free(m->url);
	free(m->version_text);
	free(m->options_text);
}

/*
 * .osslivefs/options: the effective options, one name=value a line.  The
 * URL is rebuilt from its scheme and the engine's host, so that nothing
 * else a user may have put into it (user:password@) shows; keys never do.
 */
static char *options_text(const struct mount_state *m)
{
	const struct numbers *n = &m->num;
	const char *sep = strstr(m->url, "://");
	char *text = NULL;

	if (asprintf(&text, "url=%.*s://%s\nregion=%s\npath_style=%d\n"
		     "sigv1=%d\ncredentials=%s\ncache_ttl=%ld\nretries=%ld\n"
		     "connect_timeout=%ld\ntimeout=%ld\npublish_url_expires=%ld\n"
		     "frag_duration=%ld\nfrag_count=%ld\nplaylist_name=%s\n"
		     "loglevel=%s\n%s%s%s",
		     sep ? (int)(sep - m->url) : 5, sep ? m->url : "https",
		     req_engine_host(m->engine), req_engine_region(m->engine),
		     req_engine_path_style(m->engine), m->opts.sigv1,
		     m->creds.source, n->cache_ttl, n->retries,
		     n->connect_timeout, n->timeout, n->expires,
		     n->frag_duration, n->frag_count,
		     m->opts.playlist_name ? m->opts.playlist_name
					   : LIVE_DEFAULT_PLAYLIST,
		     m->opts.loglevel ? m->opts.loglevel : "warn",
		     m->cafile ? "cafile=" : "", m->cafile ? m->cafile : "",
		     m->cafile ? "\n" : "") < 0)
		return NULL;
	return text;
}

/* The texts of .osslivefs/version and options, made once. */
static int texts_setup(struct mount_state *m)
{
	m->version_text = version_text();
	m->options_text = options_text(m);
	return m->version_text && m->options_text ? 0 : -ENOMEM;
}

static int ctx_setup(struct mount_state *m)
{
	const struct fs_options opt = {
		.cache_ttl = (unsigned)m->num.cache_ttl,
		.publish_url_expires = m->num.expires,
		.frag_duration = (int)m->num.frag_duration,
		.frag_count = (int)m->num.frag_count,
		.playlist_name = m->opts.playlist_name ? m->opts.playlist_name
						       : LIVE_DEFAULT_PLAYLIST,
		.version_text = m->version_text,
		.options_text = m->options_text,
	};

	return fs_ctx_new(m->engine, &opt, &m->ctx);
}

/* libfuse 3.14 ends its loop with the number of the signal that asked
 * for it: SIGTERM and SIGINT are the way to stop a mount, not a failure. */
static int loop_status(int ret)
{
	return ret == 0 || ret == SIGTERM || ret == SIGINT ? 0 : 1;
}

static int loop(struct fuse *fuse, struct fuse_cmdline_opts *cl)
{
	struct fuse_loop_config *lc;
	int ret;

	if (cl->singlethread)
		return loop_status(fuse_loop(fuse));
	lc = fuse_loop_cfg_create();
	if (!lc)
		return 1;
	fuse_loop_cfg_set_clone_fd(lc, cl->clone_fd);
	fuse_loop_cfg_set_max_threads(lc, cl->max_threads);
	/* libfuse 3.14.0 warns about its own "unset" value: skip it. */
	if (cl->max_idle_threads != UINT_MAX)
		fuse_loop_cfg_set_idle_threads(lc, cl->max_idle_threads);
	ret = loop_status(fuse_loop_mt(fuse, lc));
	fuse_loop_cfg_destroy(lc);
	return ret;
}

/* fuse_new first: it rejects unknown options before anything is sent. */
static int run(struct mount_state *m, struct fuse_args *args,
	       struct fuse_cmdline_opts *cl)
{
	struct fuse *fuse;
	int ret = 1;

	fuse = fuse_new(args, fs_operations(), sizeof(struct fuse_operations),
			&m->ctx);
	if (!fuse)
		return 1;
	if (setup(m) || texts_setup(m) || ctx_setup(m))
		goto out_fuse;
	if (fuse_mount(fuse, cl->mountpoint))
		goto out_ctx;
	if (fuse_daemonize(cl->foreground))
		goto out_unmount;
	log_set_foreground(cl->foreground);
	if (fuse_set_signal_handlers(fuse_get_session(fuse)))
		goto out_unmount;
	/* libfuse ends the loop on SIGHUP; a mount outlives its terminal. */
	signal(SIGHUP, SIG_IGN);
	ret = loop(fuse, cl);
	fuse_remove_signal_handlers(fuse_get_session(fuse));
out_unmount:
	fuse_unmount(fuse);
out_ctx:
	fs_ctx_free(m->ctx);
out_fuse:
	fuse_destroy(fuse);
	return ret;
}

/* fsname and subtype make the mount read "BUCKET on MNT type fuse.osslivefs". */
static int add_names(struct fuse_args *args, const char *bucket)
{
	char *opt = NULL;
	int ret;

	if (asprintf(&opt, "-osubtype=osslivefs,fsname=%s", bucket) < 0)
		return -ENOMEM;
	ret = fuse_opt_add_arg(args, opt);
	free(opt);
	return ret;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cl = { 0 };
	struct mount_state m = { 0 };
	int ret = 1;

	/* The FUSE threads mostly wait on the network: one malloc arena
	 * keeps what one thread frees usable by the others (make bench:
	 * 2 MiB less RSS with 10,000 channels listed). */
	mallopt(M_ARENA_MAX, 1);
	fuse_set_log_func(fuse_log_ours);
	if (fuse_opt_parse(&args, &m.opts, option_spec, opt_proc) == -1)
		return 1;
	if (m.opts.show_version) {
		version();
		ret = 0;
		goto out_args;
	}
	if (m.opts.show_help) {
		usage(argv[0]);
		printf("FUSE options:\n");
		fuse_cmdline_help();
		fuse_lib_help(&args);
		ret = 0;
		goto out_args;
	}
	if (fuse_parse_cmdline(&args, &cl) != 0)
		goto out_args;
	if (!m.opts.bucket || !cl.mountpoint) {
		fprintf(stderr, "usage: %s BUCKET MOUNTPOINT [-o OPT[,OPT...]] "
			"[-f] [-d] [-s]\n(%s --help for the options)\n",
			argv[0], argv[0]);
		goto out_cl;
	}
	if (cl.debug && !m.opts.loglevel)
		m.opts.loglevel = strdup("debug");
	if (add_names(&args, m.opts.bucket))
		goto out_state;
	ret = run(&m, &args, &cl);
out_state:
	teardown(&m);
out_cl:
	free(cl.mountpoint);
out_args:
	fuse_opt_free_args(&args);
	free(m.opts.region);
	free(m.opts.url);
	free(m.opts.passwd_file);
	free(m.opts.loglevel);
	free(m.opts.playlist_name);
	free(m.opts.cache_ttl);
	free(m.opts.retries);
	free(m.opts.connect_timeout);
	free(m.opts.timeout);
	free(m.opts.publish_url_expires);
	free(m.opts.frag_duration);
	free(m.opts.frag_count);
	free(m.opts.cafile);
	return ret;
}
