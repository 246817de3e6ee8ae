/*
 * A listing of channels in a compact form: a bucket may hold tens of
 * thousands, kept for cache_ttl.  Each entry is 24 bytes; names live in
 * one block of strings.  OSS builds a channel's URLs from its name
 * (rtmp://<bucket>.<endpoint>/live/<name>, http://<bucket>.<endpoint>/
 * <name>/<playlist>), so a URL is kept as a shape, the parts before and
 * after the name, that thousands of channels share.  A URL of no shared
 * shape (or without the name) is kept whole: what is handed out is always
 * exactly what OSS listed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_i.h"

#define STR_MIN 4096
#define ITEMS_MIN 64

/* Appends s[0..n) and a NUL to the strings: its offset in *off. */
static int str_add(struct chan_table *t, const char *s, size_t n,
		   uint32_t *off)
{
	size_t need = t->len + n + 1, size = t->size ? t->size : STR_MIN;
	char *p;

	if (need > UINT32_MAX)
		return -ENOMEM;         /* offsets are 32 bits */
	while (size < need)
		size *= 2;
	if (size != t->size) {
		p = realloc(t->str, size);
		if (!p)
			return -ENOMEM;
		t->str = p;
		t->size = size;
	}
	memcpy(t->str + t->len, s, n);
	t->str[t->len + n] = '\0';
	*off = (uint32_t)t->len;
	t->len = need;
	return 0;
}

/* Where name stands in url as a whole path segment, or NULL. */
static const char *name_in(const char *url, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = strchr(url, '/'); p; p = strchr(p + 1, '/'))
		if (strncmp(p + 1, name, n) == 0 &&
		    (p[n + 1] == '/' || p[n + 1] == '\0'))
			return p + 1;
	return NULL;
}

static bool shape_is(const struct chan_table *t, const struct chan_shape *sh,
		     const char *url, size_t pre, const char *post)
{
	const char *s = t->str + sh->pre;

	return strncmp(s, url, pre) == 0 && s[pre] == '\0' &&
	       strcmp(t->str + sh->post, post) == 0;
}

/* The shape of url (url[0..pre) before the name, post after it), found
 * or added; CHAN_URL_WHOLE once there are CHAN_SHAPES. */
static int shape_of(struct chan_table *t, const char *url, size_t pre,
		    const char *post, uint16_t *how)
{
	struct chan_shape sh, *p;
	unsigned i;
	int rc;

	for (i = 0; i < t->nshapes; i++)
		if (shape_is(t, &t->shapes[i], url, pre, post)) {
			*how = (uint16_t)i;
			return 0;
		}
	*how = CHAN_URL_WHOLE;
	if (t->nshapes == CHAN_SHAPES)
		return 0;
	p = reallocarray(t->shapes, t->nshapes + 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	t->shapes = p;
	rc = str_add(t, url, pre, &sh.pre) ?:
	     str_add(t, post, strlen(post), &sh.post);
	if (rc)
		return rc;
	t->shapes[t->nshapes] = sh;
	*how = (uint16_t)t->nshapes++;
	return 0;
}

/* How url (NULL: not listed) is kept for the channel name. */
static int url_shape(struct chan_table *t, const char *url, const char *name,
		     uint16_t *how)
{
	const char *at = url ? name_in(url, name) : NULL;

	*how = url ? CHAN_URL_WHOLE : CHAN_URL_NONE;
	if (!at)
		return 0;
	return shape_of(t, url, (size_t)(at - url), at + strlen(name), how);
}

static int items_grow(struct chan_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : ITEMS_MIN;
	struct chan_entry *p;

	if (t->n < t->cap)
		return 0;
	p = reallocarray(t->items, cap, sizeof(*p));
	if (!p)
		return -ENOMEM;
	t->items = p;
	t->cap = cap;
	return 0;
}

/* A whole URL goes right after the name (the publish URL first). */
static int whole_add(struct chan_table *t, uint16_t how, const char *url)
{
	uint32_t off;

	return how == CHAN_URL_WHOLE ? str_add(t, url, strlen(url), &off) : 0;
}

int chan_table_add(struct chan_table *t, const struct live_channel *ch)
{
	struct chan_entry e = {
		.mtime = ch->last_modified,
		.enabled = ch->enabled,
	};
	int rc;

	/* Shapes first: their strings must not come between the name and
	 * the whole URLs that follow it. */
	rc = items_grow(t) ?:
	     url_shape(t, ch->publish_url, ch->name, &e.publish) ?:
	     url_shape(t, ch->play_url, ch->name, &e.play) ?:
	     str_add(t, ch->name, strlen(ch->name), &e.name) ?:
	     whole_add(t, e.publish, ch->publish_url) ?:
	     whole_add(t, e.play, ch->play_url);
	if (rc == 0)
		t->items[t->n++] = e;
	return rc;
}

void chan_table_done(struct chan_table *t)
{
	void *p;

	/* Room for growth is not needed any more. */
	if (t->n && t->n < t->cap && (p = reallocarray(t->items, t->n,
						       sizeof(*t->items)))) {
		t->items = p;
		t->cap = t->n;
	}
	if (t->len && t->len < t->size && (p = realloc(t->str, t->len))) {
		t->str = p;
		t->size = t->len;
	}
}

void chan_table_free(struct chan_table *t)
{
	free(t->items);
	free(t->str);
	free(t->shapes);
	*t = (struct chan_table){ 0 };
}

const char *chan_table_name(const struct chan_table *t,
			    const struct chan_entry *e)
{
	return t->str + e->name;
}

const struct chan_entry *chan_table_find(const struct chan_table *t,
					 const char *name)
{
	size_t lo = 0, hi = t->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, chan_table_name(t, &t->items[mid]));
		if (c == 0)
			return &t->items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* A URL as kept: three parts, end to end.  false: no such URL. */
static bool url_parts(const struct chan_table *t, const struct chan_entry *e,
		      bool play, const char *part[3])
{
	const char *name = chan_table_name(t, e), *s;
	uint16_t how = play ? e->play : e->publish;
	const struct chan_shape *sh;

	if (how == CHAN_URL_NONE)
		return false;
	if (how == CHAN_URL_WHOLE) {
		s = name + strlen(name) + 1;
		if (play && e->publish == CHAN_URL_WHOLE)
			s += strlen(s) + 1;
		part[0] = s;
		part[1] = part[2] = "";
		return true;
	}
	sh = &t->shapes[how];
	part[0] = t->str + sh->pre;
	part[1] = name;
	part[2] = t->str + sh->post;
	return true;
}

static void url_copy(const char *part[3], char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", part[0], part[1], part[2]);
}

/* What follows the last '/' of the URL, the playlist of a play URL. */
static void url_last(const char *part[3], char *buf, size_t size)
{
	const char *slash;
	int i;

	for (i = 2; i >= 0; i--) {
		slash = strrchr(part[i], '/');
		if (slash) {
			snprintf(buf, size, "%s%s%s", slash + 1,
				 i < 1 ? part[1] : "", i < 2 ? part[2] : "");
			return;
		}
	}
}

void chan_table_info(const struct chan_table *t, const struct chan_entry *e,
		     struct chan_info *out)
{
	const char *part[3];

	*out = (struct chan_info){
		.enabled = e->enabled,
		.mtime = e->mtime,
	};
	snprintf(out->name, sizeof(out->name), "%s", chan_table_name(t, e));
	if (url_parts(t, e, false, part))
		url_copy(part, out->publish_url, sizeof(out->publish_url));
	if (url_parts(t, e, true, part)) {
		url_copy(part, out->play_url, sizeof(out->play_url));
		url_last(part, out->playlist_name, sizeof(out->playlist_name));
	}
}
