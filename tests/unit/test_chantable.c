/*
 * The compact channel listing of the cache (cache/chantable.c): every
 * URL comes back exactly as listed, whether kept as a shape shared by
 * many channels or whole; names are found by binary search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../src/cache/cache_i.h"

#define PUB "rtmp://b.oss-cn-hangzhou.aliyuncs.com/live/"
#define PLAY "http://b.oss-cn-hangzhou.aliyuncs.com/"

static int add(struct chan_table *t, const char *name, const char *pub,
	       const char *play)
{
	struct live_channel ch = {
		.enabled = true,
		.last_modified = 1469843661,
		.publish_url = (char *)pub,
		.play_url = (char *)play,
	};

	snprintf(ch.name, sizeof(ch.name), "%s", name);
	return chan_table_add(t, &ch);
}

/* name's chan_info: publish and play URLs, playlist, compared. */
static void check_urls(const struct chan_table *t, const char *name,
		       const char *pub, const char *play, const char *playlist)
{
	const struct chan_entry *e = chan_table_find(t, name);
	struct chan_info ci;

	if (!CHECK(e != NULL, "%s found", name))
		return;
	chan_table_info(t, e, &ci);
	CHECK_STR(name, ci.name);
	CHECK_STR(pub, ci.publish_url);
	CHECK_STR(play, ci.play_url);
	CHECK_STR(playlist, ci.playlist_name);
	CHECK(ci.enabled, "enabled");
	CHECK_INT(1469843661, ci.mtime);
}

static void test_shapes(void)
{
	struct chan_table t = { 0 };
	char name[16], pub[128], play[128];

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "ch-%04d", i);
		snprintf(pub, sizeof(pub), PUB "%s", name);
		snprintf(play, sizeof(play), PLAY "%s/playlist.m3u8", name);
		CHECK_INT(0, add(&t, name, pub, play));
	}
	chan_table_done(&t);
	CHECK_INT(1000, t.n);
	CHECK_INT(2, t.nshapes);        /* one publish, one play shape */
	CHECK(t.len < 1000 * 9 + 200, "names and two shapes only: %zu", t.len);
	check_urls(&t, "ch-0000", PUB "ch-0000", PLAY "ch-0000/playlist.m3u8",
		   "playlist.m3u8");
	check_urls(&t, "ch-0999", PUB "ch-0999", PLAY "ch-0999/playlist.m3u8",
		   "playlist.m3u8");
	CHECK(chan_table_find(&t, "ch-1000") == NULL, "not listed");
	CHECK(chan_table_find(&t, "ch-") == NULL, "a prefix is not a name");
	chan_table_free(&t);
	CHECK(t.items == NULL && t.n == 0, "freed");
}

/* Sorted as OSS lists them; each URL of another form still comes back
 * exactly. */
static void test_odd_urls(void)
{
	struct chan_table t = { 0 };

	CHECK_INT(0, add(&t, "a", PUB "a", PLAY "a/my.m3u8"));
	CHECK_INT(0, add(&t, "b", NULL, NULL));
	CHECK_INT(0, add(&t, "c", "rtmp://elsewhere/x", PLAY "c/playlist.m3u8"));
	CHECK_INT(0, add(&t, "d", PUB "d?x=1", "http://h/dd/p.m3u8"));
	CHECK_INT(0, add(&t, "e", NULL, "http://e/e"));
	/* The name also in the host: the first whole path segment is it. */
	CHECK_INT(0, add(&t, "live", "rtmp://live/live/live", PLAY "live/"));
	CHECK_INT(0, add(&t, "m", PUB "m", PLAY "m/p/q.m3u8"));
	chan_table_done(&t);
	CHECK_INT(7, t.n);
	check_urls(&t, "a", PUB "a", PLAY "a/my.m3u8", "my.m3u8");
	check_urls(&t, "b", "", "", "");
	check_urls(&t, "c", "rtmp://elsewhere/x", PLAY "c/playlist.m3u8",
		   "playlist.m3u8");
	check_urls(&t, "d", PUB "d?x=1", "http://h/dd/p.m3u8", "p.m3u8");
	check_urls(&t, "e", "", "http://e/e", "e");
	check_urls(&t, "live", "rtmp://live/live/live", PLAY "live/", "");
	check_urls(&t, "m", PUB "m", PLAY "m/p/q.m3u8", "q.m3u8");
	chan_table_free(&t);
}

/* Past CHAN_SHAPES, URLs are kept whole: still exact. */
static void test_many_shapes(void)
{
	struct chan_table t = { 0 };
	char name[16], pub[128], play[128], playlist[32];

	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "c%03d", i);
		snprintf(pub, sizeof(pub), "rtmp://h%d/live/%s", i, name);
		snprintf(play, sizeof(play), PLAY "%s/p%d.m3u8", name, i);
		CHECK_INT(0, add(&t, name, pub, play));
	}
	chan_table_done(&t);
	CHECK_INT(CHAN_SHAPES, t.nshapes);
	for (int i = 0; i < 100; i += 7) {
		snprintf(name, sizeof(name), "c%03d", i);
		snprintf(pub, sizeof(pub), "rtmp://h%d/live/%s", i, name);
		snprintf(play, sizeof(play), PLAY "%s/p%d.m3u8", name, i);
		snprintf(playlist, sizeof(playlist), "p%d.m3u8", i);
		check_urls(&t, name, pub, play, playlist);
	}
	chan_table_free(&t);
}

static void test_empty(void)
{
	struct chan_table t = { 0 };

	chan_table_done(&t);
	CHECK(chan_table_find(&t, "a") == NULL, "nothing listed");
	chan_table_free(&t);
}

int main(void)
{
	test_shapes();
	test_odd_urls();
	test_many_shapes();
	test_empty();
	return check_summary("test_chantable");
}
