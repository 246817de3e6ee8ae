/*
 * Scratch files: any other name created in a channel directory or in
 * vod/.  Editors and copy tools write a temporary file next to the
 * target and rename it over the target (sed -i, rsync, Ansible, Python's
 * tempfile); the temporary file lives here, in memory, and never reaches
 * OSS by itself.  Bounded: SCRATCH_SIZE_MAX bytes each, SCRATCH_COUNT_MAX
 * per mount.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "scratch.h"

struct scratch {
	struct scratch *next;
	int refs;               /* the table's link, and each open handle */
	bool linked;            /* still in the table (not unlinked) */
	char *path;
	struct sbuf data;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec atime, mtime, ctime;
};

void scratch_init(struct scratch_table *t)
{
	*t = (struct scratch_table){ .count = 0 };
	pthread_mutex_init(&t->lock, NULL);
}

/* Called with lock held. */
static struct scratch *find(struct scratch_table *t, const char *path)
{
	struct scratch *s;

	for (s = t->head; s; s = s->next)
		if (strcmp(s->path, path) == 0)
			return s;
	return NULL;
}

/* Called with lock held: drops one reference. */
static void put_locked(struct scratch *s)
{
	if (--s->refs > 0)
		return;
	sbuf_free(&s->data);
	free(s->path);
	free(s);
}

/* Called with lock held: takes s out of the table. */
static void unlink_locked(struct scratch_table *t, struct scratch *s)
{
	struct scratch **pp;

	for (pp = &t->head; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->linked = false;
	t->count--;
	put_locked(s);
}

static void touch_times(struct scratch *s, bool modify)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	s->ctime = now;
	if (modify)
		s->mtime = now;
}

int scratch_create(struct scratch_table *t, const char *path, mode_t mode,
		   uid_t uid, gid_t gid, struct scratch **out)
{
	struct scratch *s;
	char *p;

	pthread_mutex_lock(&t->lock);
	s = find(t, path);
	if (s) {
		/* O_CREAT without O_EXCL of a name that exists: open it. */
		s->refs++;
		pthread_mutex_unlock(&t->lock);
		*out = s;
		return 0;
	}
	if (t->count >= SCRATCH_COUNT_MAX) {
		pthread_mutex_unlock(&t->lock);
		return -ENOSPC;
	}
	s = malloc(sizeof(*s));
	p = strdup(path);
	if (!s || !p) {
		free(s);
		free(p);
		pthread_mutex_unlock(&t->lock);
		return -ENOMEM;
	}
	/* Two references: the table's and the caller's open handle. */
	*s = (struct scratch){
		.next = t->head, .refs = 2, .linked = true, .path = p,
		.mode = mode & 07777, .uid = uid, .gid = gid,
	};
	touch_times(s, true);
	s->atime = s->mtime;
	t->head = s;
	t->count++;
	pthread_mutex_unlock(&t->lock);
	*out = s;
	return 0;
}

struct scratch *scratch_get(struct scratch_table *t, const char *path)
{
	struct scratch *s;

	pthread_mutex_lock(&t->lock);
	s = find(t, path);
	if (s)
		s->refs++;
	pthread_mutex_unlock(&t->lock);
	return s;
}

struct scratch *scratch_hold(struct scratch_table *t, struct scratch *s)
{
	pthread_mutex_lock(&t->lock);
	s->refs++;
	pthread_mutex_unlock(&t->lock);
	return s;
}

void scratch_put(struct scratch_table *t, struct scratch *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&t->lock);
	put_locked(s);
	pthread_mutex_unlock(&t->lock);
}

bool scratch_exists(struct scratch_table *t, const char *path)
{
	struct scratch *s = scratch_get(t, path);

	scratch_put(t, s);
	return s != NULL;
}

void scratch_stat(struct scratch_table *t, struct scratch *s, struct stat *st)
{
	pthread_mutex_lock(&t->lock);
	*st = (struct stat){
		.st_mode = S_IFREG | s->mode,
		.st_nlink = s->linked ? 1 : 0,
		.st_uid = s->uid,
		.st_gid = s->gid,
		.st_size = (off_t)s->data.len,
		.st_blksize = 4096,
		.st_blocks = (blkcnt_t)((s->data.len + 511) / 512),
		.st_atim = s->atime, .st_mtim = s->mtime, .st_ctim = s->ctime,
	};
	pthread_mutex_unlock(&t->lock);
}

int scratch_read(struct scratch_table *t, struct scratch *s, char *buf,
		 size_t size, off_t off)
{
	size_t n = 0;

	pthread_mutex_lock(&t->lock);
	if ((size_t)off < s->data.len) {
		n = s->data.len - (size_t)off;
		if (n > size)
			n = size;
		memcpy(buf, s->data.data + off, n);
	}
	pthread_mutex_unlock(&t->lock);
	return (int)n;
}

int scratch_write(struct scratch_table *t, struct scratch *s, const char *buf,
		  size_t size, off_t off, bool append)
{
	int ret;

	pthread_mutex_lock(&t->lock);
	if (append)
		off = (off_t)s->data.len;
	if ((size_t)off + size > SCRATCH_SIZE_MAX) {
		pthread_mutex_unlock(&t->lock);
		return -EFBIG;
	}
	ret = sbuf_write_at(&s->data, (size_t)off, buf, size);
	touch_times(s, true);
	pthread_mutex_unlock(&t->lock);
	return ret ? ret : (int)size;
}

int scratch_truncate(struct scratch_table *t, struct scratch *s, off_t size)
{
	int ret = 0;

	if (size < 0)
		return -EINVAL;
	if ((size_t)size > SCRATCH_SIZE_MAX)
		return -EFBIG;
	pthread_mutex_lock(&t->lock);
	if ((size_t)size > s->data.len)
		ret = sbuf_write_at(&s->data, (size_t)size, "", 0);
	if (ret == 0)
		s->data.len = (size_t)size;
	touch_times(s, true);
	pthread_mutex_unlock(&t->lock);
	return ret;
}

int scratch_chmod(struct scratch_table *t, struct scratch *s, mode_t mode)
{
	pthread_mutex_lock(&t->lock);
	s->mode = mode & 07777;
	touch_times(s, false);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

int scratch_chown(struct scratch_table *t, struct scratch *s, uid_t uid,
		  gid_t gid)
{
	pthread_mutex_lock(&t->lock);
	if (uid != (uid_t)-1)
		s->uid = uid;
	if (gid != (gid_t)-1)
		s->gid = gid;
	touch_times(s, false);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static void set_time(struct timespec *t, const struct timespec *v,
		     const struct timespec *now)
{
	if (v->tv_nsec == UTIME_OMIT)
		return;
	*t = v->tv_nsec == UTIME_NOW ? *now : *v;
}

int scratch_utimens(struct scratch_table *t, struct scratch *s,
		    const struct timespec tv[2])
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	pthread_mutex_lock(&t->lock);
	if (tv) {
		set_time(&s->atime, &tv[0], &now);
		set_time(&s->mtime, &tv[1], &now);
	} else {
		s->atime = s->mtime = now;
	}
	s->ctime = now;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

int scratch_copy(struct scratch_table *t, struct scratch *s,
		 struct sbuf *out)
{
	int ret;

	pthread_mutex_lock(&t->lock);
	ret = sbuf_add(out, s->data.data ? s->data.data : "", s->data.len);
	pthread_mutex_unlock(&t->lock);
	return ret;
}

int scratch_unlink(struct scratch_table *t, const char *path)
{
	struct scratch *s;

	pthread_mutex_lock(&t->lock);
	s = find(t, path);
	if (s)
		unlink_locked(t, s);
	pthread_mutex_unlock(&t->lock);
	return s ? 0 : -ENOENT;
}

int scratch_rename(struct scratch_table *t, const char *from, const char *to)
{
	struct scratch *s, *old;
	char *p = strdup(to);

	if (!p)
		return -ENOMEM;
	pthread_mutex_lock(&t->lock);
	s = find(t, from);
	old = find(t, to);
	if (!s) {
		pthread_mutex_unlock(&t->lock);
		free(p);
		return -ENOENT;
	}
	if (old && old != s)
		unlink_locked(t, old);
	free(s->path);
	s->path = p;
	touch_times(s, false);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* dir/name with no further '/'. */
static const char *child_of(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) != 0 || path[n] != '/')
		return NULL;
	return strchr(path + n + 1, '/') ? NULL : path + n + 1;
}

int scratch_foreach(struct scratch_table *t, const char *dir,
		    int (*fn)(void *arg, const char *name, const struct stat *st),
		    void *arg)
{
	struct scratch *s;
	const char *name;
	struct stat st;
	int ret = 0;

	/* A listing is short (SCRATCH_COUNT_MAX): copy nothing, hold the
	 * lock, and stat under it. */
	pthread_mutex_lock(&t->lock);
	for (s = t->head; s && ret == 0; s = s->next) {
		name = child_of(s->path, dir);
		if (!name)
			continue;
		st = (struct stat){
			.st_mode = S_IFREG | s->mode, .st_nlink = 1,
			.st_uid = s->uid, .st_gid = s->gid,
			.st_size = (off_t)s->data.len,
			.st_mtim = s->mtime, .st_atim = s->atime, .st_ctim = s->ctime,
		};
		ret = fn(arg, name, &st);
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

bool scratch_any_in(struct scratch_table *t, const char *dir)
{
	struct scratch *s;
	bool found = false;

	pthread_mutex_lock(&t->lock);
	for (s = t->head; s && !found; s = s->next)
		found = child_of(s->path, dir) != NULL;
	pthread_mutex_unlock(&t->lock);
	return found;
}

void scratch_drop_under(struct scratch_table *t, const char *dir)
{
	struct scratch *s, *next;
	size_t n = strlen(dir);

	pthread_mutex_lock(&t->lock);
	for (s = t->head; s; s = next) {
		next = s->next;
		if (strncmp(s->path, dir, n) == 0 && s->path[n] == '/')
			unlink_locked(t, s);
	}
	pthread_mutex_unlock(&t->lock);
}

void scratch_clear(struct scratch_table *t)
{
	pthread_mutex_lock(&t->lock);
	while (t->head)
		unlink_locked(t, t->head);
	pthread_mutex_unlock(&t->lock);
	pthread_mutex_destroy(&t->lock);
}
