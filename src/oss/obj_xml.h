/* Internal to the API layer: the ListBucketResult parser, apart from the
 * transport so that the unit tests can feed it the spec's sample bodies. */
#ifndef OSSLIVEFS_OSS_OBJ_XML_H
#define OSSLIVEFS_OSS_OBJ_XML_H

#include <stddef.h>

#include "oss/obj.h"

/* One page of a listing, appended to out: objects directly under prefix
 * (deeper keys and the prefix itself are skipped); *next is the marker to
 * resume from (malloc'd) or NULL when this was the last page.  0, -ENOMEM
 * or -EIO. */
int obj_parse_list(const char *xml, size_t len, const char *prefix,
		   struct obj_list *out, char **next);

#endif
