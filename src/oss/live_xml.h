/* Internal to the API layer: the XML side of the LiveChannel and object
 * calls, kept apart from the transport so the unit tests can feed the
 * parsers the spec's sample bodies.  All parsers return 0, -ENOMEM, or
 * -EIO for a body that is not the expected document (why says what). */
#ifndef OSSLIVEFS_LIVE_XML_H
#define OSSLIVEFS_LIVE_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

#include "oss/live.h"

/* Validate a LiveChannelConfiguration root element into out (-EINVAL with
 * why for a broken rule).  Used for user documents and GetLiveChannelInfo. */
int live_config_from_node(const xmlNode *root, struct live_config *out,
			  char *why, size_t whylen);

/*
 * Build the document for c.  full: every field, for config.xml; else the
 * PutLiveChannel body, which carries only what was given (Description when
 * not empty, Status when disabled, Type, FragDuration/FragCount when set,
 * PlaylistName when set, Snapshot when present).  NULL on ENOMEM.
 */
xmlDocPtr live_config_doc(const struct live_config *c, bool full);


int live_parse_info(const char *xml, size_t len, struct live_config *out,
		    char *why, size_t whylen);
int live_parse_create(const char *xml, size_t len, struct live_urls *out);
int live_parse_stat(const char *xml, size_t len, struct live_stat *out);
int live_parse_history(const char *xml, size_t len, struct live_history *out);

/* One page of a listing, each channel handed to w->fn; *next is the
 * marker to resume from (malloc'd) or NULL when this was the last page. */
int live_parse_list_walk(const char *xml, size_t len, struct live_walk *w,
			 char **next);
/* The same, appended to out. */
int live_parse_list(const char *xml, size_t len, struct live_list *out,
		    char **next);

/* A walk's fn that appends each channel to l (taking its URLs); cap is
 * what l->items has room for. */
struct live_collect {
	struct live_list *l;
	size_t cap;
};
int live_collect(void *arg, struct live_channel *ch);
/* The walk's page count and skipped channels into l. */
void live_walk_counts(struct live_list *l, const struct live_walk *w);

#endif
