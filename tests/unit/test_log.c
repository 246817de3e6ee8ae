/*
 * Logging: stderr is redirected to a temporary file, and what lands there
 * is compared exactly: prefix, level filter, the secret scrub, whole lines
 * from concurrent threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "check.h"

static FILE *capture_file;
static int saved_stderr = -1;

static void capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	if (!capture_file || saved_stderr < 0 ||
	    dup2(fileno(capture_file), STDERR_FILENO) < 0) {
		perror("capture");
		exit(2);
	}
}

/* Everything written to stderr since capture_start(); malloc'd. */
static char *capture_end(void)
{
	char *text;
	long len;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	/* the fd was written through the dup: ask the kernel for the size */
	len = lseek(fileno(capture_file), 0, SEEK_END);
	text = calloc(1, (size_t)len + 1);
	if (!text || pread(fileno(capture_file), text, (size_t)len, 0) != len) {
		perror("capture read");
		exit(2);
	}
	fclose(capture_file);
	return text;
}

static void test_prefix_and_levels(void)
{
	char *got;

	log_init("osslivefs", 1, LOG_LVL_INFO);
	capture_start();
	log_err("cannot reach %s", "oss-cn-hangzhou.aliyuncs.com");
	log_warn("retrying %d", 2);
	log_info("mounted");
	log_debug("not shown at info");
	got = capture_end();
	CHECK_STR("osslivefs: err: cannot reach oss-cn-hangzhou.aliyuncs.com\n"
		  "osslivefs: warn: retrying 2\n"
		  "osslivefs: info: mounted\n", got);
	free(got);

	CHECK(log_enabled(LOG_LVL_INFO), "info enabled at info");
	CHECK(!log_enabled(LOG_LVL_DEBUG), "debug disabled at info");

	log_init("osslivefs", 1, LOG_LVL_ERR);
	capture_start();
	log_warn("hidden");
	log_err("shown");
	got = capture_end();
	CHECK_STR("osslivefs: err: shown\n", got);
	free(got);
}

static void test_parse_level(void)
{
	enum log_level l = LOG_LVL_WARN;

	CHECK_INT(0, log_parse_level("err", &l));
	CHECK_INT(LOG_LVL_ERR, l);
	CHECK_INT(0, log_parse_level("warn", &l));
	CHECK_INT(LOG_LVL_WARN, l);
	CHECK_INT(0, log_parse_level("info", &l));
	CHECK_INT(LOG_LVL_INFO, l);
	CHECK_INT(0, log_parse_level("debug", &l));
	CHECK_INT(LOG_LVL_DEBUG, l);
	CHECK_INT(-EINVAL, log_parse_level("verbose", &l));
	CHECK_INT(-EINVAL, log_parse_level("", &l));
	CHECK_INT(-EINVAL, log_parse_level(NULL, &l));
	CHECK_INT(LOG_LVL_DEBUG, l);
}

static void test_scrub(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "request: Authorization: OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=",
		  "request: Authorization: ***" },
		{ "authorization=OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request, Signature=e21d\nnext line",
		  "authorization=***\nnext line" },
		{ "url rtmp://b.h/live/ch?OSSAccessKeyId=ak&Expires=1&Signature=cAHU%2B%3D&playlistName=p.m3u8",
		  "url rtmp://b.h/live/ch?OSSAccessKeyId=ak&Expires=1&Signature=***&playlistName=p.m3u8" },
		{ "header x-oss-security-token: CAIS1234token sent",
		  "header x-oss-security-token: *** sent" },
		{ "X-OSS-SECURITY-TOKEN:tok", "X-OSS-SECURITY-TOKEN:***" },
		{ "?security-token=tok&versionId=v", "?security-token=***&versionId=v" },
		{ "OSSAccessKeySecret=verysecret, then", "OSSAccessKeySecret=***, then" },
		{ "{\"AccessKeySecret\": \"xyz\"}", "{\"AccessKeySecret\": \"***\"}" },
		{ "env OSS_ACCESS_KEY_SECRET=abc OK", "env OSS_ACCESS_KEY_SECRET=*** OK" },
		{ "Signature=\"abc\"", "Signature=\"***\"" },
		/* prose and error codes stay as they are */
		{ "403 SignatureDoesNotMatch: The request signature we calculated does not match",
		  "403 SignatureDoesNotMatch: The request signature we calculated does not match" },
		{ "authorization failed for bucket b", "authorization failed for bucket b" },
		{ "OSSAccessKeyId=ak is not a secret", "OSSAccessKeyId=ak is not a secret" },
		{ "Authorization:", "Authorization:***" },
	};
	size_t i;

	log_init("osslivefs", 1, LOG_LVL_DEBUG);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got, *want;

		capture_start();
		log_warn("%s", cases[i].in);
		got = capture_end();
		if (asprintf(&want, "osslivefs: warn: %s\n", cases[i].out) < 0)
			exit(2);
		CHECK(check_str_eq(cases[i].in, want, got), "scrub case %zu", i);
		free(want);
		free(got);
	}
}

#define THREADS 4
#define LINES 250

static void *writer(void *arg)
{
	long t = (long)arg;
	int i;

	for (i = 0; i < LINES; i++)
		log_warn("thread %ld line %d %s", t, i,
			 "padding padding padding padding padding padding");
	return NULL;
}

/* Every line must arrive whole: count each (thread, line) exactly once. */
static void test_threads(void)
{
	static int seen[THREADS][LINES];
	pthread_t th[THREADS];
	char *got, *line, *save = NULL;
	int bad = 0, total = 0;
	long t;

	log_init("osslivefs", 1, LOG_LVL_WARN);
	capture_start();
	for (t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, writer, (void *)t);
	for (t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	got = capture_end();

	for (line = strtok_r(got, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long lt;
		int li, end = 0;

		total++;
		if (sscanf(line, "osslivefs: warn: thread %ld line %d padding "
			   "padding padding padding padding padding%n",
			   &lt, &li, &end) != 2 || line[end] != '\0' ||
		    lt < 0 || lt >= THREADS || li < 0 || li >= LINES) {
			bad++;
			continue;
		}
		seen[lt][li]++;
	}
	for (t = 0; t < THREADS; t++)
		for (int i = 0; i < LINES; i++)
			if (seen[t][i] != 1)
				bad++;
	CHECK_INT(THREADS * LINES, total);
	CHECK_INT(0, bad);
	free(got);
}

/* In the background nothing goes to stderr (it goes to syslog). */
static void test_background(void)
{
	char *got;

	log_init("osslivefs-test", 1, LOG_LVL_WARN);
	capture_start();
	log_set_foreground(0);
	log_warn("test_log: this line goes to syslog, not to stderr");
	log_set_foreground(1);
	log_warn("back on stderr");
	got = capture_end();
	CHECK_STR("osslivefs-test: warn: back on stderr\n", got);
	free(got);
}

int main(void)
{
	test_prefix_and_levels();
	test_parse_level();
	test_scrub();
	test_threads();
	test_background();
	return check_summary("test_log");
}
