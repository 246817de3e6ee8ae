/* ISO-8601 UTC times as OSS writes them and users type them. */
#ifndef OSSLIVEFS_UTIL_ISO8601_H
#define OSSLIVEFS_UTIL_ISO8601_H

#include <time.h>

/* "2026-11-23T10:00:00Z", optionally with a fraction of a second
 * ("...:15.000Z"), into Unix seconds.  A date that does not exist
 * (31 February) is -EINVAL, as is anything else that is not this form. */
int iso8601_parse(const char *s, time_t *out);

#endif
