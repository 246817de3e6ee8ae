/*
 * The content cache of channel files (cache/content.c): what a stat
 * fetched is handed once to the open that follows, a stat reuses it
 * within its age, and a change of content moves the time it changed.
 */
#include <errno.h>
#include <time.h>

#include "cache/content.h"
#include "check.h"

static void test_get_put_take(void)
{
	struct content_cache cc;
	struct sbuf out = { 0 };
	struct content_hit hit;

	content_init(&cc);
	CHECK_INT(-ENOENT, content_get(&cc, "ch", "status", 10, false, &out, &hit));
	content_put(&cc, "ch", "status", "status idle\n", 12, 1000, false);
	CHECK_INT(0, content_get(&cc, "ch", "status", 10, false, &out, &hit));
	CHECK_STR("status idle\n", out.data);
	CHECK_INT(12, (long)hit.len);
	CHECK_INT(1000, (long)hit.changed);
	/* The open takes it once; a second open fetches. */
	CHECK_INT(0, content_get(&cc, "ch", "status", 10, true, NULL, NULL));
	CHECK_INT(-ENOENT, content_get(&cc, "ch", "status", 10, true, NULL, NULL));
	/* A stat still reuses it; too old, nobody does. */
	CHECK_INT(0, content_get(&cc, "ch", "status", 10, false, NULL, NULL));
	CHECK_INT(-ENOENT, content_get(&cc, "ch", "status", 0, false, NULL, NULL));
	/* Another channel's file of the same name is another entry. */
	CHECK_INT(-ENOENT, content_get(&cc, "c", "status", 10, false, NULL, NULL));
	CHECK_INT(-ENOENT, content_get(&cc, "ch", "stat", 10, false, NULL, NULL));
	sbuf_free(&out);
	content_destroy(&cc);
}

static void test_changed_and_drop(void)
{
	struct content_cache cc;
	struct content_hit hit;
	time_t before = time(NULL);

	content_init(&cc);
	content_put(&cc, "ch", "status", "status idle\n", 12, 1000, false);
	content_put(&cc, "ch", "status", "status idle\n", 12, 2000, false);
	content_get(&cc, "ch", "status", 10, false, NULL, &hit);
	CHECK_INT(1000, (long)hit.changed);             /* same content */
	content_put(&cc, "ch", "status", "status live\n", 12, 2000, false);
	content_get(&cc, "ch", "status", 10, false, NULL, &hit);
	CHECK(hit.changed >= before, "changed %ld", (long)hit.changed);
	content_put(&cc, "ch", "enabled", "1\n", 2, 1000, false);
	content_drop(&cc, "ch", "enabled");
	CHECK_INT(-ENOENT, content_get(&cc, "ch", "enabled", 10, false, NULL, NULL));
	CHECK_INT(0, content_get(&cc, "ch", "status", 10, false, NULL, NULL));
	content_drop(&cc, "ch", NULL);
	CHECK_INT(-ENOENT, content_get(&cc, "ch", "status", 10, false, NULL, NULL));
	content_destroy(&cc);
}

static void test_bounded(void)
{
	struct content_cache cc;
	char name[32];

	content_init(&cc);
	for (int i = 0; i < CONTENT_MAX + 10; i++) {
		snprintf(name, sizeof(name), "ch-%d", i);
		content_put(&cc, name, "status", "x", 1, 0, false);
	}
	CHECK_INT(CONTENT_MAX, (long)cc.n);
	/* The newest stays. */
	snprintf(name, sizeof(name), "ch-%d", CONTENT_MAX + 9);
	CHECK_INT(0, content_get(&cc, name, "status", 10, false, NULL, NULL));
	content_destroy(&cc);
}

int main(void)
{
	test_get_put_take();
	test_changed_and_drop();
	test_bounded();
	return check_summary("test_content");
}
