/* Small libxml2 helpers shared by the API layer (live.c, live_config.c,
 * obj.c) and usable by the request engine.  Documents are read with
 * network access off, no entity substitution, no DTD loading, and a
 * document that carries a DOCTYPE is refused: OSS never sends one. */
#ifndef OSSLIVEFS_XML_H
#define OSSLIVEFS_XML_H

#include <stddef.h>
#include <libxml/tree.h>

/* libxml2's own parser options for everything we read. */
#define XML_READ_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* Initialise libxml2 once (thread-safe); called by xml_read. */
void xml_init(void);

/* Parse a complete document; NULL when not well-formed or it has a DTD. */
xmlDocPtr xml_read(const char *buf, size_t len);

/* The root element if it is named root, else NULL. */
xmlNodePtr xml_root(xmlDocPtr doc, const char *root);

/* First element child of parent named name (NULL: any), or NULL. */
xmlNodePtr xml_child(const xmlNode *parent, const char *name);
/* Next element sibling after node named name (NULL: any), or NULL. */
xmlNodePtr xml_next(const xmlNode *node, const char *name);
/* Number of element children of parent named name. */
int xml_count(const xmlNode *parent, const char *name);

/*
 * The text of a leaf element (text and CDATA children, entity references
 * are never expanded) copied into buf.  Returns its length, -E2BIG when it
 * does not fit into size bytes with the NUL, -EINVAL when the element has
 * element children.  node NULL gives "".
 */
int xml_text(const xmlNode *node, char *buf, size_t size);
/* The same, malloc'd; NULL on ENOMEM or a non-leaf element. */
char *xml_text_dup(const xmlNode *node);
/* xml_text of the first child named name ("" when absent). */
int xml_child_text(const xmlNode *parent, const char *name, char *buf,
		   size_t size);

/* The same, cut to size rather than failing: for values shown as OSS
 * gives them ("" when absent or not a leaf). */
void xml_child_copy(const xmlNode *parent, const char *name, char *buf,
		    size_t size);

/* Add <name>text</name> to parent; NULL on ENOMEM. */
xmlNodePtr xml_add(xmlNodePtr parent, const char *name, const char *text);

/* Serialise doc indented, with the XML declaration, into a malloc'd
 * NUL-terminated string ending in a newline.  Returns length or -ENOMEM. */
int xml_format(xmlDocPtr doc, char **out);

/* XML 1.0 cannot carry C0 controls other than tab, newline and return,
 * yet a server may send them raw in a name (ListLiveChannel has no
 * encoding-type).  xml_protect_controls: *out a malloc'd copy of buf in
 * which each such byte is U+E000 + byte (a private-use character), so the
 * rest of the document parses; NULL when buf holds none.  0 or -ENOMEM.
 * xml_restore_controls: the bytes back, in place; how many. */
int xml_protect_controls(const char *buf, size_t len, char **out,
			 size_t *outlen);
int xml_restore_controls(char *s);

#endif
