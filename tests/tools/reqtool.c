/*
 * reqtool: one request (or one RTMP URL) through the request engine, for
 * tests/test_req.py.
 *
 *   reqtool --url URL --bucket B [--region R] [--path-style] [--sigv1]
 *           --ak AK --sk SK [--token T] [--retries N] [--connect-timeout S]
 *           [--timeout S] [--loglevel LEVEL]
 *           [--method M] [--key K] [--query K[=V]]... [--header 'N: V']...
 *           [--body-file F] [--max-response N] [--recv-buf N] [--out FILE] [--repeat N]
 *           [--threads T]
 *   reqtool ... --rtmp CHANNEL [--rtmp-base URL] [--playlist P] [--expires N]
 *
 * Prints "name value" lines on stdout: the engine's host, region and
 * addressing, then per request status, errno (a name such as EACCES),
 * the OSS code, message and request id, and the captured headers.
 * With --threads T, T threads share one engine and each makes --repeat
 * requests; only the totals "requests N" and "failures N" are printed.
 * Exit status: 0 when every request succeeded, 1 when one failed, 2 for
 * usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/creds.h"
#include "util/log.h"
#include "http/req.h"

#define MAX_ITEMS 32

struct opts {
	struct req_config cfg;
	struct creds creds;
	const char *loglevel;
	const char *method;
	const char *key;
	struct http_kv query[MAX_ITEMS];
	size_t nquery;
	struct http_kv headers[MAX_ITEMS];
	size_t nheaders;
	const char *body_file;
	const char *out_file;
	size_t max_response;
	size_t recv_buf;        /* a caller's buffer of this size for 2xx bodies */
	long repeat;
	long threads;
	const char *rtmp;
	const char *rtmp_base;
	const char *playlist;
	long expires;
};

enum {
	OPT_URL = 256, OPT_BUCKET, OPT_REGION, OPT_PATH_STYLE, OPT_SIGV1,
	OPT_AK, OPT_SK, OPT_TOKEN, OPT_RETRIES, OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT, OPT_LOGLEVEL, OPT_METHOD, OPT_KEY, OPT_QUERY, OPT_HEADER,
	OPT_BODY_FILE, OPT_MAX_RESPONSE, OPT_OUT, OPT_REPEAT, OPT_RTMP,
	OPT_PLAYLIST, OPT_EXPIRES, OPT_THREADS, OPT_RTMP_BASE, OPT_RECV_BUF,
};

static const struct option long_opts[] = {
	{ "url", required_argument, NULL, OPT_URL },
	{ "bucket", required_argument, NULL, OPT_BUCKET },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "path-style", no_argument, NULL, OPT_PATH_STYLE },
	{ "sigv1", no_argument, NULL, OPT_SIGV1 },
	{ "ak", required_argument, NULL, OPT_AK },
	{ "sk", required_argument, NULL, OPT_SK },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "loglevel", required_argument, NULL, OPT_LOGLEVEL },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "query", required_argument, NULL, OPT_QUERY },
	{ "header", required_argument, NULL, OPT_HEADER },
	{ "body-file", required_argument, NULL, OPT_BODY_FILE },
	{ "max-response", required_argument, NULL, OPT_MAX_RESPONSE },
	{ "recv-buf", required_argument, NULL, OPT_RECV_BUF },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "rtmp", required_argument, NULL, OPT_RTMP },
	{ "rtmp-base", required_argument, NULL, OPT_RTMP_BASE },
	{ "playlist", required_argument, NULL, OPT_PLAYLIST },
	{ "expires", required_argument, NULL, OPT_EXPIRES },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ NULL, 0, NULL, 0 },
};

static int usage(const char *why)
{
	fprintf(stderr, "reqtool: %s (see the comment at the top of "
		"tests/tools/reqtool.c)\n", why);
	return 2;
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno || end == s || *end) ? -EINVAL : 0;
}

/* "k=v" -> {k, v}; "k" -> {k, NULL}.  Edits arg in place. */
static void split_query(char *arg, struct http_kv *p)
{
	char *eq = strchr(arg, '=');

	p->key = arg;
	p->value = NULL;
	if (eq) {
		*eq = '\0';
		p->value = eq + 1;
	}
}

/* "Name: value" -> {Name, value}.  Edits arg in place. */
static int split_header(char *arg, struct http_kv *h)
{
	char *colon = strchr(arg, ':');

	if (!colon)
		return -EINVAL;
	*colon = '\0';
	h->key = arg;
	h->value = colon + 1;
	while (*h->value == ' ')
		h->value++;
	return 0;
}

static int parse_number_opt(int opt, const char *arg, struct opts *o)
{
	long v;

	if (parse_long(arg, &v) || v < 0)
		return -EINVAL;
	switch (opt) {
	case OPT_RETRIES: o->cfg.retries = (int)v; break;
	case OPT_CONNECT_TIMEOUT: o->cfg.connect_timeout = v; break;
	case OPT_TIMEOUT: o->cfg.timeout = v; break;
	case OPT_MAX_RESPONSE: o->max_response = (size_t)v; break;
	case OPT_RECV_BUF: o->recv_buf = (size_t)v; break;
	case OPT_REPEAT: o->repeat = v; break;
	case OPT_EXPIRES: o->expires = v; break;
	case OPT_THREADS: o->threads = v; break;
	}
	return 0;
}

static int parse_opt(int opt, char *arg, struct opts *o)
{
	switch (opt) {
	case OPT_URL: o->cfg.url = arg; return 0;
	case OPT_BUCKET: o->cfg.bucket = arg; return 0;
	case OPT_REGION: o->cfg.region = arg; return 0;
	case OPT_PATH_STYLE: o->cfg.path_style = true; return 0;
	case OPT_SIGV1: o->cfg.sigv1 = true; return 0;
	case OPT_AK: o->creds.access_key_id = arg; return 0;
	case OPT_SK: o->creds.access_key_secret = arg; return 0;
	case OPT_TOKEN: o->creds.security_token = arg; return 0;
	case OPT_LOGLEVEL: o->loglevel = arg; return 0;
	case OPT_METHOD: o->method = arg; return 0;
	case OPT_KEY: o->key = arg; return 0;
	case OPT_BODY_FILE: o->body_file = arg; return 0;
	case OPT_OUT: o->out_file = arg; return 0;
	case OPT_RTMP: o->rtmp = arg; return 0;
	case OPT_RTMP_BASE: o->rtmp_base = arg; return 0;
	case OPT_PLAYLIST: o->playlist = arg; return 0;
	case OPT_QUERY:
		if (o->nquery == MAX_ITEMS)
			return -E2BIG;
		split_query(arg, &o->query[o->nquery++]);
		return 0;
	case OPT_HEADER:
		if (o->nheaders == MAX_ITEMS)
			return -E2BIG;
		return split_header(arg, &o->headers[o->nheaders++]);
	default:
		return parse_number_opt(opt, arg, o);
	}
}

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	FILE *m;

	if (!f)
		return -errno;
	m = open_memstream(buf, len);
	if (!m) {
		fclose(f);
		return -ENOMEM;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	return fclose(m) == 0 ? 0 : -ENOMEM;
}

static int write_file(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int err = 0;

	if (!f)
		return -errno;
	if (len && fwrite(buf, 1, len, f) != len)
		err = -EIO;
	if (fclose(f) != 0 && !err)
		err = -EIO;
	return err;
}

static const char *errno_name(int err)
{
	const char *name;

	if (err == 0)
		return "0";
	name = strerrorname_np(-err);
	return name ? name : "unknown";
}

static void print_resp(int err, const struct req_resp *resp)
{
	printf("status %ld\n", resp->status);
	printf("errno %s\n", errno_name(err));
	printf("code %s\n", resp->err.code);
	printf("message %s\n", resp->err.message);
	printf("request_id %s\n", resp->err.request_id);
	printf("etag %s\n", resp->etag);
	printf("last_modified %s\n", resp->last_modified);
	printf("mtime %lld\n", (long long)resp->mtime);
	printf("content_range %s\n", resp->content_range);
	printf("content_length %lld\n", resp->content_length);
	printf("body_len %zu\n", resp->body_len);
	fflush(stdout);
}

static struct req make_req(const struct opts *o, const char *body,
			   size_t body_len)
{
	return (struct req){
		.method = o->method,
		.key = o->key,
		.query = o->query,
		.nquery = o->nquery,
		.headers = o->headers,
		.nheaders = o->nheaders,
		.body = body,
		.body_len = body_len,
		.max_response = o->max_response,
	};
}

static int do_requests(struct req_engine *e, const struct opts *o,
		       const char *body, size_t body_len)
{
	struct req r = make_req(o, body, body_len);
	int failed = 0;
	long i;

	/* --recv-buf: the body lands in the caller's buffer, resp.body
	 * stays NULL (as vod/ reads use it). */
	if (o->recv_buf) {
		r.recv_buf = malloc(o->recv_buf);
		r.recv_cap = o->recv_buf;
		if (!r.recv_buf)
			return 1;
	}
	for (i = 0; i < o->repeat; i++) {
		struct req_resp resp;
		int err = req_perform(e, &r, &resp);
		const char *got = r.recv_buf && !err ? r.recv_buf : resp.body;

		print_resp(err, &resp);
		printf("body_in_resp %d\n", resp.body != NULL);
		if (err)
			failed = 1;
		if (o->out_file && i == o->repeat - 1 &&
		    write_file(o->out_file, got, resp.body_len))
			failed = 1;
		req_resp_free(&resp);
	}
	free(r.recv_buf);
	return failed;
}

struct worker {
	pthread_t tid;
	struct req_engine *e;
	struct req r;
	long repeat;
	long failures;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	long i;

	for (i = 0; i < w->repeat; i++) {
		struct req_resp resp;

		if (req_perform(w->e, &w->r, &resp))
			w->failures++;
		req_resp_free(&resp);
	}
	return NULL;
}

/* --threads: many threads on one engine, as FUSE threads are. */
static int do_threads(struct req_engine *e, const struct opts *o,
		      const char *body, size_t body_len)
{
	struct worker *w = calloc((size_t)o->threads, sizeof(*w));
	long i, started = 0, failures = 0;

	if (!w)
		return 1;
	for (i = 0; i < o->threads; i++) {
		w[i] = (struct worker){ .e = e, .repeat = o->repeat,
					.r = make_req(o, body, body_len) };
		if (pthread_create(&w[i].tid, NULL, worker_run, &w[i]) != 0)
			break;
		started++;
	}
	for (i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		failures += w[i].failures;
	}
	free(w);
	printf("requests %ld\nfailures %ld\n", started * o->repeat, failures);
	return failures || started < o->threads;
}

static int do_rtmp(struct req_engine *e, const struct opts *o)
{
	char *url = NULL;
	int err = req_rtmp_url(e, o->rtmp_base, o->rtmp, o->playlist, o->expires,
			       &url);

	if (err) {
		printf("errno %s\n", errno_name(err));
		return 1;
	}
	printf("rtmp_url %s\n", url);
	free(url);
	return 0;
}

static int run(struct opts *o)
{
	struct req_engine *e = NULL;
	char msg[512] = "";
	char *body = NULL;
	size_t body_len = 0;
	int rc, err;

	err = req_engine_new(&o->cfg, &e, msg, sizeof(msg));
	if (err) {
		printf("engine_error %s\n", errno_name(err));
		printf("engine_message %s\n", msg);
		return 1;
	}
	printf("host %s\nregion %s\npath_style %d\n", req_engine_host(e),
	       req_engine_region(e), req_engine_path_style(e) ? 1 : 0);
	if (o->rtmp) {
		rc = do_rtmp(e, o);
	} else if (o->body_file && read_file(o->body_file, &body, &body_len)) {
		fprintf(stderr, "reqtool: cannot read %s\n", o->body_file);
		rc = 2;
	} else if (o->threads > 0) {
		rc = do_threads(e, o, body, body_len);
	} else {
		rc = do_requests(e, o, body, body_len);
	}
	free(body);
	req_engine_free(e);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.cfg = { .connect_timeout = 10, .timeout = 30 },
		.loglevel = "warn",
		.method = "GET",
		.repeat = 1,
		.expires = 3600,
	};
	enum log_level level;
	int opt;

	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (opt == '?')
			return usage("unknown option");
		if (parse_opt(opt, optarg, &o))
			return usage("bad option value");
	}
	if (optind != argc)
		return usage("unexpected argument");
	if (log_parse_level(o.loglevel, &level))
		return usage("bad --loglevel");
	log_init("reqtool", 1, level);
	o.cfg.creds = &o.creds;
	return run(&o);
}
