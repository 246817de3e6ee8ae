/* LiveChannelConfiguration documents: defaults, validation of what a user
 * writes into config.xml, formatting, and channel name rules (spec §2). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>

#include "oss/live_config.h"
#include "live_xml.h"
#include "util/str.h"
#include "util/xml.h"

#define CONFIG_ROOT   "LiveChannelConfiguration"
#define CONFIG_MAX    (64 * 1024)   /* a real one is a few hundred bytes */

static void why_set(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

void live_config_default(struct live_config *c, int frag_duration,
			 int frag_count, const char *playlist_name)
{
	*c = (struct live_config){ .enabled = true, .type = "HLS" };
	c->frag_duration = frag_duration;
	c->frag_count = frag_count;
	if (playlist_name)
		snprintf(c->playlist_name, sizeof(c->playlist_name), "%s",
			 playlist_name);
}

const char *live_name_why(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0)
		return "a channel name cannot be empty";
	if (len > LIVE_NAME_MAX)
		return "a channel name must be shorter than 64 bytes";
	if (name[0] == '\\')
		return "a channel name cannot start with \\";
	if (strchr(name, '/'))
		return "a channel name cannot contain /";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "a channel name cannot be . or ..";
	/* Control characters cannot travel in the XML of a listing. */
	switch (str_name_flaw(name)) {
	case STR_CONTROL:
		return "a channel name cannot contain control characters";
	case STR_NOT_UTF8:
		return "a channel name must be UTF-8";
	default:
		return NULL;
	}
}

int live_name_check(const char *name)
{
	if (!live_name_why(name))
		return 0;
	return name && strlen(name) > LIVE_NAME_MAX ? -ENAMETOOLONG : -EINVAL;
}

/* --- validation ------------------------------------------------------ */

/*
 * The one child called name of parent: 0 with *node NULL when absent,
 * -EINVAL when given twice (which value would OSS take?).
 */
static int unique_child(const xmlNode *parent, const char *name,
			xmlNodePtr *node, char *why, size_t whylen)
{
	*node = xml_child(parent, name);
	if (*node && xml_next(*node, name)) {
		why_set(why, whylen, "%s must be given at most once", name);
		return -EINVAL;
	}
	return 0;
}

/* Text of a leaf that must fit into size bytes (max = size - 1). */
static int leaf_text(const xmlNode *node, const char *name, char *buf,
		     size_t size, char *why, size_t whylen)
{
	int rc = xml_text(node, buf, size);

	if (rc == -EINVAL)
		why_set(why, whylen, "%s must contain only text", name);
	else if (rc == -E2BIG)
		why_set(why, whylen, "%s must be at most %zu bytes", name,
			size - 1);
	return rc < 0 ? -EINVAL : 0;
}

static int get_leaf(const xmlNode *parent, const char *name, xmlNodePtr *node,
		    char *buf, size_t size, char *why, size_t whylen)
{
	int rc = unique_child(parent, name, node, why, whylen);

	if (rc)
		return rc;
	buf[0] = '\0';
	if (!*node)
		return 0;
	return leaf_text(*node, name, buf, size, why, whylen);
}

/* An integer from 1 to 100 (surrounding white space allowed). */
static int get_range_int(const xmlNode *parent, const char *name, int *out,
			 char *why, size_t whylen)
{
	char buf[32];
	xmlNodePtr node;
	const char *s;
	char *end;
	long v;

	*out = 0;
	if (unique_child(parent, name, &node, why, whylen))
		return -EINVAL;
	if (!node)
		return 0;
	if (xml_text(node, buf, sizeof(buf)) < 0)
		goto bad;
	s = str_trim(buf);
	if (*s < '0' || *s > '9')
		goto bad;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 100)
		goto bad;
	*out = (int)v;
	return 0;
bad:
	why_set(why, whylen, "%s must be an integer from 1 to 100", name);
	return -EINVAL;
}

int live_playlist_check(const char *p, char *why, size_t whylen)
{
	size_t len = strlen(p);

	if (len < 6 || len > LIVE_PLAYLIST_MAX) {
		why_set(why, whylen, "PlaylistName must be 6 to %d bytes",
			LIVE_PLAYLIST_MAX);
		return -EINVAL;
	}
	if (strcmp(p + len - 5, ".m3u8") != 0) {
		why_set(why, whylen, "PlaylistName must end in .m3u8");
		return -EINVAL;
	}
	if (strchr(p, '/')) {
		why_set(why, whylen, "PlaylistName must not contain /");
		return -EINVAL;
	}
	return 0;
}

static int parse_status(const xmlNode *root, bool *enabled, char *why,
			size_t whylen)
{
	char buf[16];
	xmlNodePtr node;
	const char *s;

	*enabled = true;
	if (get_leaf(root, "Status", &node, buf, sizeof(buf), why, whylen) < 0)
		return -EINVAL;         /* why says what: given twice, too long */
	if (!node)
		return 0;
	s = str_trim(buf);
	if (strcmp(s, "enabled") == 0)
		return 0;
	if (strcmp(s, "disabled") == 0) {
		*enabled = false;
		return 0;
	}
	why_set(why, whylen, "Status must be enabled or disabled");
	return -EINVAL;
}

static int parse_target(const xmlNode *root, struct live_config *c, char *why,
			size_t whylen)
{
	char type[16];
	xmlNodePtr target, node;
	int rc;

	rc = unique_child(root, "Target", &target, why, whylen);
	if (rc)
		return rc;
	if (!target) {
		why_set(why, whylen, "Target is required");
		return -EINVAL;
	}
	rc = unique_child(target, "Type", &node, why, whylen);
	if (rc)
		return rc;
	if (!node) {
		why_set(why, whylen, "Target/Type is required");
		return -EINVAL;
	}
	if (xml_text(node, type, sizeof(type)) < 0 ||
	    strcmp(str_trim(type), "HLS") != 0) {
		why_set(why, whylen, "Target/Type must be HLS");
		return -EINVAL;
	}
	snprintf(c->type, sizeof(c->type), "HLS");
	rc = get_range_int(target, "FragDuration", &c->frag_duration, why,
			   whylen);
	if (rc)
		return rc;
	rc = get_range_int(target, "FragCount", &c->frag_count, why, whylen);
	if (rc)
		return rc;
	if (!c->frag_duration != !c->frag_count) {
		why_set(why, whylen,
			"FragDuration and FragCount must be given together");
		return -EINVAL;
	}
	rc = get_leaf(target, "PlaylistName", &node, c->playlist_name,
		      sizeof(c->playlist_name), why, whylen);
	if (rc || !node)
		return rc;
	return live_playlist_check(c->playlist_name, why, whylen);
}

/* Snapshot: all four children, non-empty, Interval 1..100 (spec §2). */
static int parse_snapshot(const xmlNode *root, struct live_snapshot *s,
			  char *why, size_t whylen)
{
	static const char *names[] = { "RoleName", "DestBucket",
				       "NotifyTopic" };
	char *bufs[] = { s->role_name, s->dest_bucket, s->notify_topic };
	size_t sizes[] = { sizeof(s->role_name), sizeof(s->dest_bucket),
			   sizeof(s->notify_topic) };
	xmlNodePtr snap, node;
	int rc;

	*s = (struct live_snapshot){ 0 };
	rc = unique_child(root, "Snapshot", &snap, why, whylen);
	if (rc || !snap)
		return rc;
	for (size_t i = 0; i < 3; i++) {
		rc = get_leaf(snap, names[i], &node, bufs[i], sizes[i], why,
			      whylen);
		if (rc)
			return rc;
		if (bufs[i][0] == '\0') {
			why_set(why, whylen, "Snapshot/%s is required",
				names[i]);
			return -EINVAL;
		}
	}
	rc = get_range_int(snap, "Interval", &s->interval, why, whylen);
	if (rc)
		return rc;
	if (!s->interval) {
		why_set(why, whylen, "Snapshot/Interval is required");
		return -EINVAL;
	}
	s->present = true;
	return 0;
}

int live_config_from_node(const xmlNode *root, struct live_config *out,
			  char *why, size_t whylen)
{
	struct live_config c = { .enabled = true };
	xmlNodePtr node;
	int rc;

	if (!root || xml_root(root->doc, CONFIG_ROOT) != root) {
		why_set(why, whylen, "the root element must be %s",
			CONFIG_ROOT);
		return -EINVAL;
	}
	rc = get_leaf(root, "Description", &node, c.description,
		      sizeof(c.description), why, whylen);
	if (rc)
		return rc;
	rc = parse_status(root, &c.enabled, why, whylen);
	if (rc)
		return rc;
	rc = parse_target(root, &c, why, whylen);
	if (rc)
		return rc;
	rc = parse_snapshot(root, &c.snapshot, why, whylen);
	if (rc)
		return rc;
	*out = c;
	return 0;
}

/* --- the push parser: complete, prefix or broken --------------------- */

/* Every XML document starts with '<' after an optional BOM and white
 * space; libxml2 needs 4 bytes before it can tell, we do not. */
static int starts_badly(const char *xml, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(xml, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (xml[i] == ' ' || xml[i] == '\t' ||
			   xml[i] == '\n' || xml[i] == '\r'))
		i++;
	return i < len && xml[i] != '<';
}

static int not_well_formed(xmlParserCtxtPtr ctxt, char *why, size_t whylen)
{
	const xmlError *e = xmlCtxtGetLastError(ctxt);

	if (e && e->message) {
		char msg[160];

		snprintf(msg, sizeof(msg), "%s", e->message);
		msg[strcspn(msg, "\n")] = '\0';
		why_set(why, whylen, "config.xml is not well-formed XML (line %d: %s)",
			e->line, msg);
	} else {
		why_set(why, whylen, "config.xml is not well-formed XML");
	}
	return -EINVAL;
}

/*
 * Feed the bytes to a push parser without terminating: a syntax error shows
 * at once, and the parser reaches its epilog state exactly when the root
 * element has been closed.  Only then is the document terminated (so junk
 * after the root is caught) and validated.
 */
static int push_parse(const char *xml, size_t len, xmlDocPtr *doc, char *why,
		      size_t whylen)
{
	xmlParserCtxtPtr ctxt;
	xmlNodePtr root;
	int rc = 0;

	*doc = NULL;
	xml_init();
	ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
	if (!ctxt)
		return -ENOMEM;
	xmlCtxtUseOptions(ctxt, XML_READ_OPTIONS);
	if (xmlParseChunk(ctxt, xml, (int)len, 0) != 0 || !ctxt->wellFormed) {
		rc = not_well_formed(ctxt, why, whylen);
		goto out;
	}
	if (ctxt->myDoc && (ctxt->myDoc->intSubset || ctxt->myDoc->extSubset)) {
		why_set(why, whylen, "config.xml must not contain a DOCTYPE");
		rc = -EINVAL;
		goto out;
	}
	/* A wrong root can never become right: say so now. */
	root = ctxt->myDoc ? xmlDocGetRootElement(ctxt->myDoc) : NULL;
	if (root && strcmp((const char *)root->name, CONFIG_ROOT) != 0) {
		why_set(why, whylen, "the root element must be %s", CONFIG_ROOT);
		rc = -EINVAL;
		goto out;
	}
	if (ctxt->instate != XML_PARSER_EPILOG) {
		why_set(why, whylen,
			"config.xml is incomplete: the root element is not closed");
		rc = -EAGAIN;
		goto out;
	}
	if (xmlParseChunk(ctxt, NULL, 0, 1) != 0 || !ctxt->wellFormed) {
		rc = not_well_formed(ctxt, why, whylen);
		goto out;
	}
	*doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
out:
	if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

int live_config_parse(const char *xml, size_t len, struct live_config *out,
		      char *why, size_t whylen)
{
	xmlDocPtr doc;
	int rc;

	if (why && whylen)
		why[0] = '\0';
	if (len > CONFIG_MAX) {
		why_set(why, whylen, "config.xml must be at most %d bytes",
			CONFIG_MAX);
		return -EINVAL;
	}
	if (starts_badly(xml, len)) {
		why_set(why, whylen,
			"config.xml is not well-formed XML (it must start with <)");
		return -EINVAL;
	}
	rc = push_parse(xml, len, &doc, why, whylen);
	if (rc)
		return rc;
	rc = live_config_from_node(xmlDocGetRootElement(doc), out, why, whylen);
	xmlFreeDoc(doc);
	return rc;
}

static bool snapshot_equal(const struct live_snapshot *a,
			   const struct live_snapshot *b)
{
	if (a->present != b->present)
		return false;
	return !a->present ||
	       (strcmp(a->role_name, b->role_name) == 0 &&
		strcmp(a->dest_bucket, b->dest_bucket) == 0 &&
		strcmp(a->notify_topic, b->notify_topic) == 0 &&
		a->interval == b->interval);
}

bool live_config_equal(const struct live_config *a,
		       const struct live_config *b)
{
	return strcmp(a->description, b->description) == 0 &&
	       a->enabled == b->enabled &&
	       strcmp(a->type, b->type) == 0 &&
	       a->frag_duration == b->frag_duration &&
	       a->frag_count == b->frag_count &&
	       strcmp(a->playlist_name, b->playlist_name) == 0 &&
	       snapshot_equal(&a->snapshot, &b->snapshot);
}

/* --- building -------------------------------------------------------- */

static int add_int(xmlNodePtr parent, const char *name, int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", v);
	return xml_add(parent, name, buf) ? 0 : -ENOMEM;
}

static int add_snapshot(xmlNodePtr root, const struct live_snapshot *s)
{
	xmlNodePtr snap = xmlNewChild(root, NULL, BAD_CAST "Snapshot", NULL);

	if (!snap || !xml_add(snap, "RoleName", s->role_name) ||
	    !xml_add(snap, "DestBucket", s->dest_bucket) ||
	    !xml_add(snap, "NotifyTopic", s->notify_topic))
		return -ENOMEM;
	return add_int(snap, "Interval", s->interval);
}

static int add_target(xmlNodePtr root, const struct live_config *c)
{
	xmlNodePtr target = xmlNewChild(root, NULL, BAD_CAST "Target", NULL);

	if (!target || !xml_add(target, "Type", c->type[0] ? c->type : "HLS"))
		return -ENOMEM;
	if (c->frag_duration && add_int(target, "FragDuration", c->frag_duration))
		return -ENOMEM;
	if (c->frag_count && add_int(target, "FragCount", c->frag_count))
		return -ENOMEM;
	if (c->playlist_name[0] &&
	    !xml_add(target, "PlaylistName", c->playlist_name))
		return -ENOMEM;
	return 0;
}

static int fill_doc(xmlDocPtr doc, const struct live_config *c, bool full)
{
	xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST CONFIG_ROOT, NULL);

	if (!root)
		return -ENOMEM;
	xmlDocSetRootElement(doc, root);
	if ((full || c->description[0]) &&
	    !xml_add(root, "Description", c->description))
		return -ENOMEM;
	if ((full || !c->enabled) &&
	    !xml_add(root, "Status", c->enabled ? "enabled" : "disabled"))
		return -ENOMEM;
	if (add_target(root, c))
		return -ENOMEM;
	if (c->snapshot.present && add_snapshot(root, &c->snapshot))
		return -ENOMEM;
	return 0;
}

xmlDocPtr live_config_doc(const struct live_config *c, bool full)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");

	if (!doc)
		return NULL;
	if (fill_doc(doc, c, full)) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static int format_doc(const struct live_config *c, bool full, char **xml)
{
	xmlDocPtr doc = live_config_doc(c, full);
	int rc;

	*xml = NULL;
	if (!doc)
		return -ENOMEM;
	rc = xml_format(doc, xml);
	xmlFreeDoc(doc);
	return rc;
}

int live_config_format(const struct live_config *c, char **xml)
{
	return format_doc(c, true, xml);
}

int live_config_put_body(const struct live_config *c, char **xml)
{
	return format_doc(c, false, xml);
}
