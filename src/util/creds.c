/*
 * Credentials (design §2), first found wins:
 *   passwd_file=PATH, the environment (OSS_ACCESS_KEY_ID,
 *   OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN), ~/.passwd-ossfs,
 *   /etc/passwd-ossfs.
 * File lines are "AK:SK" or "BUCKET:AK:SK"; '#' starts a comment line.
 *
 * Messages name the file, the line number and the rule, never a line's
 * content: it may hold a secret.
 */
#define _GNU_SOURCE    /* explicit_bzero */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/creds.h"
#include "util/str.h"

#define ETC_PASSWD_FILE "/etc/passwd-ossfs"
#define HOME_PASSWD_FILE ".passwd-ossfs"

static void wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void creds_free(struct creds *c)
{
	wipe_free(c->access_key_id);
	wipe_free(c->access_key_secret);
	wipe_free(c->security_token);
	c->access_key_id = NULL;
	c->access_key_secret = NULL;
	c->security_token = NULL;
	c->source[0] = '\0';
}

static int creds_set(struct creds *c, const char *ak, const char *sk,
		     const char *token, const char *source)
{
	c->access_key_id = strdup(ak);
	c->access_key_secret = strdup(sk);
	c->security_token = token ? strdup(token) : NULL;
	snprintf(c->source, sizeof(c->source), "%s", source);
	if (!c->access_key_id || !c->access_key_secret ||
	    (token && !c->security_token)) {
		creds_free(c);
		return -ENOMEM;
	}
	return 0;
}

/* The mode rule: no access at all for others; the group may read
 * /etc/passwd-ossfs (allow_group) but never write it. */
static int check_mode(const char *path, mode_t mode, int allow_group,
		      char *msg, size_t msglen)
{
	mode_t bad = S_IRWXO | (allow_group ? (S_IWGRP | S_IXGRP) : S_IRWXG);

	if (!(mode & bad))
		return 0;
	if (allow_group)
		snprintf(msg, msglen, "credentials file %s has mode %04o: it must "
			 "not be writable by its group nor accessible by others "
			 "(chmod 640 %s)", path, (unsigned)(mode & 07777), path);
	else
		snprintf(msg, msglen, "credentials file %s has mode %04o: it must "
			 "not be accessible by group or others (chmod 600 %s)",
			 path, (unsigned)(mode & 07777), path);
	return -EACCES;
}

/* A field is a non-empty run without white space. */
static int field_ok(const char *f)
{
	return *f && !strpbrk(f, " \t");
}

/*
 * Split "AK:SK" or "BUCKET:AK:SK" in place.  bucket is NULL for a bare
 * line.  Returns 0, or -EINVAL for anything else.
 */
static int split_line(char *line, char **bucket, char **ak, char **sk)
{
	char *f[3];
	int n = 0;
	char *p = line;

	for (;;) {
		char *colon = strchr(p, ':');

		if (n == 3)
			return -EINVAL;
		f[n++] = p;
		if (!colon)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	if (n < 2)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (!field_ok(f[i]))
			return -EINVAL;
	*bucket = n == 3 ? f[0] : NULL;
	*ak = f[n - 2];
	*sk = f[n - 1];
	return 0;
}

struct file_scan {
	char *ak, *sk;          /* the best line so far, owned */
	int bucket_line;        /* it named our bucket */
};

static void scan_free(struct file_scan *s)
{
	wipe_free(s->ak);
	wipe_free(s->sk);
}

/* Keep the line if it is for us and beats what we have: a line naming
 * our bucket wins over a bare one; otherwise the first one wins. */
static int scan_take(struct file_scan *s, const char *want_bucket,
		     const char *bucket, const char *ak, const char *sk)
{
	int named = bucket != NULL;

	if (named && (!want_bucket || strcmp(bucket, want_bucket) != 0))
		return 0;
	if (s->ak && (s->bucket_line || !named))
		return 0;
	scan_free(s);
	s->ak = strdup(ak);
	s->sk = strdup(sk);
	s->bucket_line = named;
	return s->ak && s->sk ? 0 : -ENOMEM;
}

static int scan_file(FILE *f, const char *path, const char *bucket,
		     struct file_scan *s, char *msg, size_t msglen)
{
	char *buf = NULL, *line, *b, *ak, *sk;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, err = 0;

	while (!err && (len = getline(&buf, &cap, f)) >= 0) {
		lineno++;
		line = str_trim(buf);
		if (*line == '\0' || *line == '#')
			continue;
		if (split_line(line, &b, &ak, &sk)) {
			snprintf(msg, msglen, "credentials file %s, line %d: "
				 "malformed, expected AK:SK or BUCKET:AK:SK",
				 path, lineno);
			err = -EINVAL;
			break;
		}
		err = scan_take(s, bucket, b, ak, sk);
	}
	if (buf) {
		explicit_bzero(buf, cap);
		free(buf);
	}
	if (!err && ferror(f)) {
		snprintf(msg, msglen, "credentials file %s: read error",
			 path);
		err = -EIO;
	}
	return err;
}

/* The file opened for reading, NULL with *err and msg when it cannot be
 * or is not a regular file.  O_NONBLOCK: opening a FIFO must not wait for
 * a writer; fstat the open file, so the mode checked is the file read. */
static FILE *open_regular(const char *path, struct stat *st, char *msg,
			  size_t msglen, int *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f;

	if (fd < 0) {
		*err = -errno;
		snprintf(msg, msglen, "cannot read credentials file %s: %s",
			 path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		snprintf(msg, msglen, "credentials file %s is not a regular file",
			 path);
		close(fd);
		*err = -EINVAL;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		*err = -errno;
		snprintf(msg, msglen, "cannot read credentials file %s: %s",
			 path, strerror(errno));
		close(fd);
	}
	return f;
}

int creds_load_file(struct creds *c, const char *bucket, const char *path,
		    int allow_group, char *msg, size_t msglen)
{
	struct file_scan s = { 0 };
	struct stat st;
	FILE *f;
	int err;

	*c = (struct creds){ 0 };
	f = open_regular(path, &st, msg, msglen, &err);
	if (!f)
		return err;
	err = check_mode(path, st.st_mode, allow_group, msg, msglen);
	if (!err)
		err = scan_file(f, path, bucket, &s, msg, msglen);
	fclose(f);
	if (!err && !s.ak) {
		snprintf(msg, msglen, "credentials file %s has no AK:SK line "
			 "and no %s:AK:SK line", path, bucket ? bucket : "BUCKET");
		err = -ENOENT;
	}
	if (!err)
		err = creds_set(c, s.ak, s.sk, NULL, path);
	scan_free(&s);
	return err;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* 1: found, 0: not set, <0: half set. */
static int creds_from_env(struct creds *c, char *msg, size_t msglen)
{
	const char *ak = env_nonempty("OSS_ACCESS_KEY_ID");
	const char *sk = env_nonempty("OSS_ACCESS_KEY_SECRET");
	int err;

	if (!ak && !sk)
		return 0;
	if (!ak || !sk) {
		snprintf(msg, msglen, "%s is set in the environment but %s is "
			 "not", ak ? "OSS_ACCESS_KEY_ID" : "OSS_ACCESS_KEY_SECRET",
			 ak ? "OSS_ACCESS_KEY_SECRET" : "OSS_ACCESS_KEY_ID");
		return -EINVAL;
	}
	err = creds_set(c, ak, sk, env_nonempty("OSS_SESSION_TOKEN"),
			"environment");
	return err ? err : 1;
}

/*
 * A default location: missing is fine (note says so), no line for the
 * bucket is fine; anything else (mode, malformed line, unreadable) stops.
 * Returns 1 when found, 0 to go on, <0 on a refusal.
 */
static int creds_from_default(struct creds *c, const char *bucket,
			      const char *path, int allow_group,
			      char *note, size_t notelen,
			      char *msg, size_t msglen)
{
	struct stat st;
	int err;

	if (stat(path, &st) != 0 && errno == ENOENT) {
		snprintf(note, notelen, "%s (not found)", path);
		return 0;
	}
	err = creds_load_file(c, bucket, path, allow_group, msg, msglen);
	if (err == -ENOENT) {
		snprintf(note, notelen, "%s (no line for this bucket)", path);
		return 0;
	}
	return err ? err : 1;
}

int creds_load(struct creds *c, const char *bucket, const char *passwd_file,
	       char *msg, size_t msglen)
{
	char home_path[4096], home_note[4200], etc_note[128];
	const char *home = getenv("HOME");
	int ret;

	*c = (struct creds){ 0 };
	/* Named by the user: it must be there and usable. */
	if (passwd_file)
		return creds_load_file(c, bucket, passwd_file, 0, msg, msglen);

	ret = creds_from_env(c, msg, msglen);
	if (ret)
		return ret < 0 ? ret : 0;

	if (home && *home) {
		snprintf(home_path, sizeof(home_path), "%s/%s", home,
			 HOME_PASSWD_FILE);
		ret = creds_from_default(c, bucket, home_path, 0, home_note,
					 sizeof(home_note), msg, msglen);
		if (ret)
			return ret < 0 ? ret : 0;
	} else {
		snprintf(home_note, sizeof(home_note),
			 "~/" HOME_PASSWD_FILE " (HOME not set)");
	}

	ret = creds_from_default(c, bucket, ETC_PASSWD_FILE, 1, etc_note,
				 sizeof(etc_note), msg, msglen);
	if (ret)
		return ret < 0 ? ret : 0;

	snprintf(msg, msglen, "no credentials for bucket %s: looked in "
		 "passwd_file= (not given), the environment "
		 "(OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET not set), %s, %s",
		 bucket ? bucket : "(none)", home_note, etc_note);
	return -ENOENT;
}
