/* VOD time ranges as users type them, and the enabled booleans. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "util/timerange.h"

#define NOW ((time_t)1795428000)        /* 2026-11-23T10:00:00Z */

static int parse(const char *s, int final, time_t *a, time_t *b)
{
	char why[256] = "";

	return timerange_parse(s, strlen(s), final, NOW, a, b, why, sizeof(why));
}

static void test_formats(void)
{
	time_t a = 0, b = 0;

	CHECK_INT(0, parse("1700000000 1700003600\n", 0, &a, &b));
	CHECK_INT(1700000000, a);
	CHECK_INT(1700003600, b);
	CHECK_INT(0, parse("2026-11-23T09:00:00Z 2026-11-23T10:00:00.500Z\n", 0, &a, &b));
	CHECK_INT(NOW - 3600, a);
	CHECK_INT(NOW, b);
	CHECK_INT(0, parse("now-1h now\n", 0, &a, &b));
	CHECK_INT(NOW - 3600, a);
	CHECK_INT(NOW, b);
	CHECK_INT(0, parse("now-90m now-30\n", 0, &a, &b));
	CHECK_INT(NOW - 5400, a);
	CHECK_INT(NOW - 30, b);
	CHECK_INT(0, parse("  now-10s\tnow  ", 1, &a, &b));
	CHECK_INT(NOW - 10, a);
}

static void test_incomplete(void)
{
	time_t a, b;

	CHECK_INT(-EAGAIN, parse("", 0, &a, &b));
	CHECK_INT(-EAGAIN, parse("now-1", 0, &a, &b));
	CHECK_INT(-EAGAIN, parse("now-1h ", 0, &a, &b));
	CHECK_INT(-EAGAIN, parse("now-1h now", 0, &a, &b));
	/* At close the same text is complete. */
	CHECK_INT(0, parse("now-1h now", 1, &a, &b));
	CHECK_INT(-EINVAL, parse("now-1h", 1, &a, &b));
	CHECK_INT(-EINVAL, parse("", 1, &a, &b));
}

static void test_invalid(void)
{
	time_t a, b;
	char why[256] = "";

	CHECK_INT(-EINVAL, parse("bogus ", 0, &a, &b));
	CHECK_INT(-EINVAL, parse("now now-1h\n", 0, &a, &b));
	CHECK_INT(-EINVAL, parse("100 100\n", 0, &a, &b));
	CHECK_INT(-EINVAL, parse("0 86401\n", 0, &a, &b));
	CHECK_INT(0, parse("0 86400\n", 0, &a, &b));
	CHECK_INT(-EINVAL, parse("1 2 3", 0, &a, &b));
	CHECK_INT(-EINVAL, parse("now-1x now\n", 0, &a, &b));
	CHECK_INT(-EINVAL, parse("2026-11-23T09:00:00 now\n", 0, &a, &b));
	CHECK_INT(-EINVAL, parse("-5 now\n", 0, &a, &b));
	CHECK_INT(-EINVAL, timerange_parse("now now-1h\n", 11, 0, NOW, &a, &b,
					   why, sizeof(why)));
	CHECK_STR("START must be before END", why);
}

int main(void)
{
	test_formats();
	test_incomplete();
	test_invalid();
	return check_summary("test_timerange");
}
