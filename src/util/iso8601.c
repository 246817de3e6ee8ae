/* The one ISO-8601 parser: strptime for the fields, timegm for the
 * seconds, and a round trip through gmtime_r so that 2026-02-31 is refused
 * rather than read as 3 March. */
#define _GNU_SOURCE    /* strptime, timegm */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "util/iso8601.h"

int iso8601_parse(const char *s, time_t *out)
{
	struct tm tm = { 0 }, back;
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	time_t t;

	if (!p || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (strcmp(p, "Z") != 0)
		return -EINVAL;
	back = tm;              /* timegm normalises its argument */
	t = timegm(&back);
	if (!gmtime_r(&t, &back) || back.tm_mday != tm.tm_mday ||
	    back.tm_mon != tm.tm_mon || back.tm_year != tm.tm_year)
		return -EINVAL;
	*out = t;
	return 0;
}
