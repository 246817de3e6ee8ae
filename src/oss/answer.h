/* Internal to the API layer: what the XML answers of OSS have in common.
 * Parsers return 0, -ENOMEM, or -EIO for a body that is not the expected
 * document. */
#ifndef OSSLIVEFS_OSS_ANSWER_H
#define OSSLIVEFS_OSS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/* The document with the expected root element, or -EIO. */
int answer_root(const char *xml, size_t len, const char *name,
		xmlDocPtr *doc, xmlNodePtr *root);
/* Whether parent's child name says "true". */
bool answer_is_true(const xmlNode *parent, const char *name);
/* Room for one more of n items of size bytes (capacity *cap). */
int answer_grow(void **items, size_t n, size_t *cap, size_t size);
/* The marker for a listing's next page: NextMarker, else fallback (the
 * last name of this page), NULL when not truncated; -EIO when truncated
 * with neither. */
int answer_next_marker(const xmlNode *root, const char *fallback, char **next);

#endif
