/* What the XML answers of OSS have in common: the root element, booleans,
 * growing arrays of entries, and the marker of a listing's next page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "util/xml.h"

/* The document with the expected root, or -EIO. */
int answer_root(const char *xml, size_t len, const char *name,
		     xmlDocPtr *doc, xmlNodePtr *root)
{
	*doc = xml_read(xml, len);
	*root = xml_root(*doc, name);
	if (*root)
		return 0;
	xmlFreeDoc(*doc);
	*doc = NULL;
	return -EIO;
}

bool answer_is_true(const xmlNode *parent, const char *name)
{
	char buf[8];

	if (xml_child_text(parent, name, buf, sizeof(buf)) < 0)
		return false;
	return strcmp(buf, "true") == 0;
}

int answer_grow(void **items, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	p = realloc(*items, ncap * size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*cap = ncap;
	return 0;
}

/* The marker for the next page: NextMarker, else the fallback (the last
 * name of this page); -EIO when truncated with neither. */
int answer_next_marker(const xmlNode *root, const char *fallback, char **next)
{
	char *s;

	*next = NULL;
	if (!answer_is_true(root, "IsTruncated"))
		return 0;
	s = xml_text_dup(xml_child(root, "NextMarker"));
	if (s && !s[0] && fallback) {
		free(s);
		s = strdup(fallback);
	}
	if (!s)
		return -ENOMEM;
	if (!s[0]) {
		free(s);
		return -EIO;
	}
	*next = s;
	return 0;
}
