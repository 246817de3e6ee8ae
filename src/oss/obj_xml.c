/* ListBucketResult: one page of a channel's objects. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "obj_xml.h"
#include "util/iso8601.h"
#include "util/str.h"
#include "util/xml.h"

/* One Contents: 0 added, 1 skipped (the prefix itself, a deeper key). */
static int obj_entry(const xmlNode *c, const char *prefix, size_t plen,
		     const char *key, struct obj_entry *e)
{
	char buf[40];
	char *end;
	long long size;

	if (strncmp(key, prefix, plen) != 0 || !key[plen] ||
	    strchr(key + plen, '/'))
		return 1;
	if (xml_child_text(c, "Size", buf, sizeof(buf)) <= 0)
		return -EIO;
	errno = 0;
	size = strtoll(buf, &end, 10);
	if (errno || *end || size < 0)
		return -EIO;
	*e = (struct obj_entry){ .size = (off_t)size };
	xml_child_copy(c, "LastModified", buf, sizeof(buf));
	if (iso8601_parse(buf, &e->mtime) < 0)
		e->mtime = 0;
	e->name = strdup(key + plen);
	return e->name ? 0 : -ENOMEM;
}

/* The last name of a page in byte order: keys and common prefixes are
 * merged in one sequence, and either may end it. */
static const char *later(const char *a, const char *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return strcmp(a, b) > 0 ? a : b;
}

static bool child_is(const xmlNode *parent, const char *name,
		     const char *text)
{
	char *s = xml_text_dup(xml_child(parent, name));
	bool is = s && strcmp(s, text) == 0;

	free(s);
	return is;
}

/* The text of child name, percent-decoded when the page is url-encoded;
 * NULL for no memory, "" (never a name here) when it does not decode. */
static char *name_dup(const xmlNode *parent, const char *name, bool encoded)
{
	char *s = xml_text_dup(xml_child(parent, name));

	if (s && encoded && str_url_decode(s))
		s[0] = '\0';
	return s;
}

int obj_parse_list(const char *xml, size_t len, const char *prefix,
		   struct obj_list *out, char **next)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	size_t cap = out->n;
	char *last_key = NULL, *last_prefix = NULL;
	xmlDocPtr doc;
	xmlNodePtr root, c;
	bool encoded;
	int rc;

	*next = NULL;
	rc = answer_root(xml, len, "ListBucketResult", &doc, &root);
	if (rc)
		return rc;
	encoded = child_is(root, "EncodingType", "url");
	for (c = xml_child(root, "Contents"); c && rc == 0;
	     c = xml_next(c, "Contents")) {
		free(last_key);
		last_key = name_dup(c, "Key", encoded);
		if (!last_key) {
			rc = -ENOMEM;
			break;
		}
		rc = answer_grow((void **)&out->items, out->n, &cap,
			  sizeof(*out->items));
		if (rc)
			break;
		rc = obj_entry(c, prefix ? prefix : "", plen, last_key,
			       &out->items[out->n]);
		if (rc == 0)
			out->n++;
		else if (rc == 1)
			rc = 0;
	}
	for (c = xml_child(root, "CommonPrefixes"); c && rc == 0;
	     c = xml_next(c, "CommonPrefixes")) {
		free(last_prefix);
		last_prefix = name_dup(c, "Prefix", encoded);
		if (!last_prefix)
			rc = -ENOMEM;
	}
	if (rc == 0)
		rc = answer_next_marker(root, later(last_key, last_prefix), next);
	/* NextMarker is encoded; the fallback (a name) is decoded already. */
	if (rc == 0 && *next && encoded && !child_is(root, "NextMarker", "") &&
	    str_url_decode(*next))
		rc = -EIO;
	free(last_key);
	free(last_prefix);
	xmlFreeDoc(doc);
	return rc;
}
