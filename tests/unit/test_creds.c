/*
 * Credentials lookup (design §2): files in a temporary directory with
 * chmod, the environment with setenv, HOME pointed at the temporary
 * directory.  Messages are compared exactly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/creds.h"
#include "check.h"

static char dir[64];

static const char *path_in(const char *name)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

/* Write a file with a mode; returns its path. */
static const char *put_file(const char *name, const char *text, mode_t mode)
{
	const char *p = path_in(name);
	FILE *f = fopen(p, "w");

	if (!f) {
		perror(p);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	return p;
}

static void clear_env(void)
{
	unsetenv("OSS_ACCESS_KEY_ID");
	unsetenv("OSS_ACCESS_KEY_SECRET");
	unsetenv("OSS_SESSION_TOKEN");
}

static char *expect_msg(const char *fmt, const char *path)
{
	char *s = NULL;

	if (asprintf(&s, fmt, path, path) < 0)
		exit(2);
	return s;
}

static void test_file_basic(void)
{
	struct creds c;
	char msg[512] = "";
	const char *p = put_file("basic", "AK1:SK1\n", 0600);

	CHECK_INT(0, creds_load_file(&c, "mybucket", p, 0, msg, sizeof(msg)));
	CHECK_STR("AK1", c.access_key_id);
	CHECK_STR("SK1", c.access_key_secret);
	CHECK(c.security_token == NULL, "no token from a file");
	CHECK_STR(p, c.source);
	creds_free(&c);
	CHECK(c.access_key_id == NULL && c.access_key_secret == NULL,
	      "creds_free clears the fields");
}

static void test_bucket_line_wins(void)
{
	struct creds c;
	char msg[512] = "";
	const char *p = put_file("wins",
		"# default keys\n"
		"\n"
		"DEFAULTAK:DEFAULTSK\n"
		"other:OTHERAK:OTHERSK\n"
		"  mybucket:MYAK:MYSK  \r\n"
		"mybucket:SECONDAK:SECONDSK\n", 0600);

	CHECK_INT(0, creds_load_file(&c, "mybucket", p, 0, msg, sizeof(msg)));
	CHECK_STR("MYAK", c.access_key_id);
	CHECK_STR("MYSK", c.access_key_secret);
	creds_free(&c);

	/* Another bucket: the bare line. */
	CHECK_INT(0, creds_load_file(&c, "third", p, 0, msg, sizeof(msg)));
	CHECK_STR("DEFAULTAK", c.access_key_id);
	creds_free(&c);
}

static void test_other_buckets_only(void)
{
	struct creds c;
	char msg[512] = "";
	const char *p = put_file("others", "# comment\nother:OAK:OSK\nx:Y:Z\n", 0600);
	char *want = expect_msg("credentials file %s has no AK:SK line and no "
				"mybucket:AK:SK line", p);

	CHECK_INT(-ENOENT, creds_load_file(&c, "mybucket", p, 0, msg, sizeof(msg)));
	CHECK_STR(want, msg);
	CHECK(c.access_key_id == NULL, "nothing set on failure");
	free(want);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"JUSTONEFIELDSECRET", "a:b:c:SECRETd", "AK::", ":SECRETSK",
		"b:AK:", "AK:SEC RET", "AK:",
	};
	struct creds c;
	char msg[512], text[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *p;
		char *want;

		snprintf(text, sizeof(text), "# keys\n\nGOODAK:GOODSK\n%s\n", bad[i]);
		p = put_file("malformed", text, 0600);
		want = expect_msg("credentials file %s, line 4: malformed, expected "
				  "AK:SK or BUCKET:AK:SK", p);
		msg[0] = '\0';
		CHECK_INT(-EINVAL, creds_load_file(&c, "b", p, 0, msg, sizeof(msg)));
		CHECK_STR(want, msg);
		CHECK(!strstr(msg, "SECRET") && !strstr(msg, "GOOD"),
		      "message shows no line content (case %zu)", i);
		free(want);
	}
}

static void test_modes(void)
{
	static const mode_t refused[] = { 0644, 0640, 0604, 0620, 0602, 0610, 0601 };
	struct creds c;
	char msg[512];
	size_t i;
	const char *p = put_file("mode", "AK:SK\n", 0600);

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char fmt[256], *want;

		chmod(p, refused[i]);
		snprintf(fmt, sizeof(fmt), "credentials file %%s has mode %04o: it "
			 "must not be accessible by group or others (chmod 600 %%s)",
			 (unsigned)refused[i]);
		want = expect_msg(fmt, p);
		CHECK_INT(-EACCES, creds_load_file(&c, "b", p, 0, msg, sizeof(msg)));
		CHECK_STR(want, msg);
		free(want);
	}

	/* /etc/passwd-ossfs rule: group may read, not write; others nothing. */
	chmod(p, 0640);
	CHECK_INT(0, creds_load_file(&c, "b", p, 1, msg, sizeof(msg)));
	CHECK_STR("AK", c.access_key_id);
	creds_free(&c);
	chmod(p, 0400);
	CHECK_INT(0, creds_load_file(&c, "b", p, 0, msg, sizeof(msg)));
	creds_free(&c);
	chmod(p, 0660);
	{
		char *want = expect_msg("credentials file %s has mode 0660: it must "
					"not be writable by its group nor accessible by "
					"others (chmod 640 %s)", p);

		CHECK_INT(-EACCES, creds_load_file(&c, "b", p, 1, msg, sizeof(msg)));
		CHECK_STR(want, msg);
		free(want);
	}
	chmod(p, 0644);
	CHECK_INT(-EACCES, creds_load_file(&c, "b", p, 1, msg, sizeof(msg)));
}

static void test_passwd_file_option(void)
{
	struct creds c;
	char msg[512];
	const char *missing = path_in("does-not-exist");
	const char *good = put_file("option", "OPTAK:OPTSK\n", 0600);
	char *want;

	clear_env();
	want = expect_msg("cannot read credentials file %s: No such file or directory",
			  missing);
	CHECK_INT(-ENOENT, creds_load(&c, "b", missing, msg, sizeof(msg)));
	CHECK_STR(want, msg);
	free(want);

	want = expect_msg("credentials file %s is not a regular file", dir);
	CHECK_INT(-EINVAL, creds_load(&c, "b", dir, msg, sizeof(msg)));
	CHECK_STR(want, msg);
	free(want);

	/* passwd_file= comes before the environment. */
	setenv("OSS_ACCESS_KEY_ID", "ENVAK", 1);
	setenv("OSS_ACCESS_KEY_SECRET", "ENVSK", 1);
	CHECK_INT(0, creds_load(&c, "b", good, msg, sizeof(msg)));
	CHECK_STR("OPTAK", c.access_key_id);
	CHECK_STR(good, c.source);
	creds_free(&c);
	clear_env();
}

static void test_environment(void)
{
	struct creds c;
	char msg[512];

	/* A HOME file exists but the environment comes first. */
	put_file(".passwd-ossfs", "HOMEAK:HOMESK\n", 0600);
	setenv("HOME", dir, 1);
	setenv("OSS_ACCESS_KEY_ID", "ENVAK", 1);
	setenv("OSS_ACCESS_KEY_SECRET", "ENVSK", 1);
	CHECK_INT(0, creds_load(&c, "b", NULL, msg, sizeof(msg)));
	CHECK_STR("ENVAK", c.access_key_id);
	CHECK_STR("ENVSK", c.access_key_secret);
	CHECK(c.security_token == NULL, "no token without OSS_SESSION_TOKEN");
	CHECK_STR("environment", c.source);
	creds_free(&c);

	setenv("OSS_SESSION_TOKEN", "STSTOKEN", 1);
	CHECK_INT(0, creds_load(&c, "b", NULL, msg, sizeof(msg)));
	CHECK_STR("STSTOKEN", c.security_token);
	creds_free(&c);

	unsetenv("OSS_ACCESS_KEY_SECRET");
	CHECK_INT(-EINVAL, creds_load(&c, "b", NULL, msg, sizeof(msg)));
	CHECK_STR("OSS_ACCESS_KEY_ID is set in the environment but "
		  "OSS_ACCESS_KEY_SECRET is not", msg);
	clear_env();
	setenv("OSS_ACCESS_KEY_SECRET", "ENVSK", 1);
	CHECK_INT(-EINVAL, creds_load(&c, "b", NULL, msg, sizeof(msg)));
	CHECK_STR("OSS_ACCESS_KEY_SECRET is set in the environment but "
		  "OSS_ACCESS_KEY_ID is not", msg);
	clear_env();
	unlink(path_in(".passwd-ossfs"));
}

static void test_home(void)
{
	struct creds c;
	char msg[1024];
	const char *p;
	char *want;
	int etc_exists = access("/etc/passwd-ossfs", F_OK) == 0;

	clear_env();
	setenv("HOME", dir, 1);
	p = put_file(".passwd-ossfs", "b:HOMEAK:HOMESK\n", 0600);
	CHECK_INT(0, creds_load(&c, "b", NULL, msg, sizeof(msg)));
	CHECK_STR("HOMEAK", c.access_key_id);
	CHECK_STR(p, c.source);
	creds_free(&c);

	/* A refused HOME file stops the search. */
	chmod(p, 0644);
	want = expect_msg("credentials file %s has mode 0644: it must not be "
			  "accessible by group or others (chmod 600 %s)", p);
	CHECK_INT(-EACCES, creds_load(&c, "b", NULL, msg, sizeof(msg)));
	CHECK_STR(want, msg);
	free(want);

	if (etc_exists) {
		printf("test_creds: /etc/passwd-ossfs exists, skipping the "
		       "nothing-found messages\n");
		unlink(p);
		return;
	}

	/* No line for this bucket: the search goes on, then fails. */
	chmod(p, 0600);
	if (asprintf(&want, "no credentials for bucket mine: looked in "
		     "passwd_file= (not given), the environment "
		     "(OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET not set), "
		     "%s (no line for this bucket), /etc/passwd-ossfs (not found)",
		     p) < 0)
		exit(2);
	CHECK_INT(-ENOENT, creds_load(&c, "mine", NULL, msg, sizeof(msg)));
	CHECK_STR(want, msg);
	free(want);

	unlink(p);
	if (asprintf(&want, "no credentials for bucket mine: looked in "
		     "passwd_file= (not given), the environment "
		     "(OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET not set), "
		     "%s (not found), /etc/passwd-ossfs (not found)", p) < 0)
		exit(2);
	CHECK_INT(-ENOENT, creds_load(&c, "mine", NULL, msg, sizeof(msg)));
	CHECK_STR(want, msg);
	free(want);

	unsetenv("HOME");
	CHECK_INT(-ENOENT, creds_load(&c, "mine", NULL, msg, sizeof(msg)));
	CHECK_STR("no credentials for bucket mine: looked in passwd_file= (not "
		  "given), the environment (OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET "
		  "not set), ~/.passwd-ossfs (HOME not set), /etc/passwd-ossfs "
		  "(not found)", msg);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_creds.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_file_basic();
	test_bucket_line_wins();
	test_other_buckets_only();
	test_malformed();
	test_modes();
	test_passwd_file_option();
	test_environment();
	test_home();

	unlink(path_in("basic"));
	unlink(path_in("wins"));
	unlink(path_in("others"));
	unlink(path_in("malformed"));
	unlink(path_in("mode"));
	unlink(path_in("option"));
	rmdir(dir);
	return check_summary("test_creds");
}
