/* libxml2 helpers: safe reading, leaf text, building, formatting. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/xml.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void)
{
	xmlInitParser();
}

void xml_init(void)
{
	pthread_once(&xml_once, xml_init_once);
}

xmlDocPtr xml_read(const char *buf, size_t len)
{
	xmlDocPtr doc;

	if (!buf || len > (size_t)INT32_MAX)
		return NULL;
	xml_init();
	doc = xmlReadMemory(buf, (int)len, NULL, NULL, XML_READ_OPTIONS);
	if (!doc)
		return NULL;
	/* An internal subset could declare entities; nothing we talk to
	 * sends one, so refuse rather than reason about expansion. */
	if (doc->intSubset || doc->extSubset) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static int name_is(const xmlNode *n, const char *name)
{
	if (n->type != XML_ELEMENT_NODE)
		return 0;
	return !name || strcmp((const char *)n->name, name) == 0;
}

xmlNodePtr xml_root(xmlDocPtr doc, const char *root)
{
	xmlNodePtr n = doc ? xmlDocGetRootElement(doc) : NULL;

	/* <x:Name xmlns:x=...> is another element than <Name>. */
	if (!n || !name_is(n, root) || (n->ns && n->ns->prefix))
		return NULL;
	return n;
}

xmlNodePtr xml_child(const xmlNode *parent, const char *name)
{
	if (!parent)
		return NULL;
	for (xmlNodePtr n = parent->children; n; n = n->next)
		if (name_is(n, name))
			return n;
	return NULL;
}

xmlNodePtr xml_next(const xmlNode *node, const char *name)
{
	if (!node)
		return NULL;
	for (xmlNodePtr n = node->next; n; n = n->next)
		if (name_is(n, name))
			return n;
	return NULL;
}

int xml_count(const xmlNode *parent, const char *name)
{
	int count = 0;

	for (xmlNodePtr n = xml_child(parent, name); n; n = xml_next(n, name))
		count++;
	return count;
}

/* Length of the leaf text, or -EINVAL when an element child is found.
 * Entity reference nodes are skipped: we never expand them. */
static long text_len(const xmlNode *node)
{
	size_t len = 0;

	for (xmlNodePtr n = node->children; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			return -EINVAL;
		if ((n->type == XML_TEXT_NODE ||
		     n->type == XML_CDATA_SECTION_NODE) && n->content)
			len += strlen((const char *)n->content);
	}
	return (long)len;
}

static void text_copy(const xmlNode *node, char *buf)
{
	size_t pos = 0;

	for (xmlNodePtr n = node->children; n; n = n->next) {
		size_t l;

		if ((n->type != XML_TEXT_NODE &&
		     n->type != XML_CDATA_SECTION_NODE) || !n->content)
			continue;
		l = strlen((const char *)n->content);
		memcpy(buf + pos, n->content, l);
		pos += l;
	}
	buf[pos] = '\0';
}

int xml_text(const xmlNode *node, char *buf, size_t size)
{
	long len;

	if (size == 0)
		return -E2BIG;
	buf[0] = '\0';
	if (!node)
		return 0;
	len = text_len(node);
	if (len < 0)
		return (int)len;
	if ((size_t)len >= size || len > INT32_MAX)
		return -E2BIG;
	text_copy(node, buf);
	return (int)len;
}

char *xml_text_dup(const xmlNode *node)
{
	long len = node ? text_len(node) : 0;
	char *s;

	if (len < 0)
		return NULL;
	s = malloc((size_t)len + 1);
	if (!s)
		return NULL;
	s[0] = '\0';
	if (node)
		text_copy(node, s);
	return s;
}

int xml_child_text(const xmlNode *parent, const char *name, char *buf,
		   size_t size)
{
	return xml_text(xml_child(parent, name), buf, size);
}

void xml_child_copy(const xmlNode *parent, const char *name, char *buf,
		    size_t size)
{
	char *s = xml_text_dup(xml_child(parent, name));

	snprintf(buf, size, "%s", s ? s : "");
	free(s);
}

xmlNodePtr xml_add(xmlNodePtr parent, const char *name, const char *text)
{
	/* xmlNewTextChild escapes the text; xmlNewChild would not. */
	return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

int xml_format(xmlDocPtr doc, char **out)
{
	xmlChar *mem = NULL;
	int size = 0;
	char *s;

	*out = NULL;
	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	if (!mem || size <= 0) {
		xmlFree(mem);
		return -ENOMEM;
	}
	/* Hand out plain malloc memory: callers free() it. */
	s = malloc((size_t)size + 1);
	if (!s) {
		xmlFree(mem);
		return -ENOMEM;
	}
	memcpy(s, mem, (size_t)size);
	s[size] = '\0';
	xmlFree(mem);
	*out = s;
	return size;
}

static bool is_xml_control(unsigned char c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

int xml_protect_controls(const char *buf, size_t len, char **out,
			 size_t *outlen)
{
	size_t i, n = 0, o = 0;
	char *p;

	*out = NULL;
	*outlen = len;
	for (i = 0; i < len; i++)
		n += is_xml_control((unsigned char)buf[i]);
	if (n == 0)
		return 0;
	p = malloc(len + 2 * n + 1);
	if (!p)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (!is_xml_control(c)) {
			p[o++] = (char)c;
			continue;
		}
		p[o++] = (char)0xee;
		p[o++] = (char)0x80;
		p[o++] = (char)(0x80 + c);
	}
	p[o] = '\0';
	*out = p;
	*outlen = o;
	return 0;
}

int xml_restore_controls(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;
	int n = 0;

	while (*r) {
		if (r[0] == 0xee && r[1] == 0x80 && r[2] >= 0x80 && r[2] < 0xa0) {
			*w++ = (unsigned char)(r[2] - 0x80);
			r += 3;
			n++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	return n;
}
