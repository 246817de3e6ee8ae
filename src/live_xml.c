/* Response bodies of the LiveChannel and object calls -> C structs.
 * Transport-free so the unit tests can check them on the spec's samples. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "live_xml.h"
#include "xml.h"

/* --- times ----------------------------------------------------------- */

static int tm_to_time(struct tm *tm, time_t *out)
{
	if (tm->tm_mon < 0 || tm->tm_mon > 11 || tm->tm_mday < 1 ||
	    tm->tm_mday > 31 || tm->tm_hour > 23 || tm->tm_min > 59 ||
	    tm->tm_sec > 60)
		return -EINVAL;
	*out = timegm(tm);
	return 0;
}

int live_parse_time(const char *iso, time_t *out)
{
	struct tm tm = { 0 };
	int n = 0;

	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -EINVAL;
	/* Fractional seconds, then Z: what OSS sends. */
	iso += n;
	if (*iso == '.')
		iso += 1 + strspn(iso + 1, "0123456789");
	if (strcmp(iso, "Z") != 0)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return tm_to_time(&tm, out);
}

int live_parse_http_date(const char *s, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm = { 0 };
	char mon[4];
	const char *p;
	int n = 0;

	if (sscanf(s, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT%n", &tm.tm_mday, mon,
		   &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n == 0 || s[n] != '\0')
		return -EINVAL;
	p = strstr(months, mon);
	if (!p || strlen(mon) != 3 || (p - months) % 3)
		return -EINVAL;
	tm.tm_mon = (int)(p - months) / 3;
	tm.tm_year -= 1900;
	return tm_to_time(&tm, out);
}

/* --- shared helpers -------------------------------------------------- */

/* The document with the expected root, or -EIO. */
static int read_root(const char *xml, size_t len, const char *name,
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

/* Opaque values shown as OSS gives them: cut rather than fail. */
static void copy_text(const xmlNode *parent, const char *name, char *buf,
		      size_t size)
{
	char *s = xml_text_dup(xml_child(parent, name));

	snprintf(buf, size, "%s", s ? s : "");
	free(s);
}

static bool is_true(const xmlNode *parent, const char *name)
{
	char buf[8];

	if (xml_child_text(parent, name, buf, sizeof(buf)) < 0)
		return false;
	return strcmp(buf, "true") == 0;
}

/* The text of <parent><name><Url>..</Url></name>, malloc'd; NULL if absent. */
static char *url_of(const xmlNode *parent, const char *name, int *rc)
{
	xmlNodePtr url = xml_child(xml_child(parent, name), "Url");
	char *s;

	if (!url)
		return NULL;
	s = xml_text_dup(url);
	if (!s)
		*rc = -ENOMEM;
	return s;
}

static int grow(void **items, size_t n, size_t *cap, size_t size)
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
static int next_marker(const xmlNode *root, const char *fallback, char **next)
{
	char *s;

	*next = NULL;
	if (!is_true(root, "IsTruncated"))
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

/* --- LiveChannel ----------------------------------------------------- */

int live_parse_info(const char *xml, size_t len, struct live_config *out,
		    char *why, size_t whylen)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc;

	rc = read_root(xml, len, "LiveChannelConfiguration", &doc, &root);
	if (rc) {
		snprintf(why, whylen,
			 "the answer is not a LiveChannelConfiguration document");
		return rc;
	}
	rc = live_config_from_node(root, out, why, whylen);
	xmlFreeDoc(doc);
	return rc ? -EIO : 0;
}

int live_parse_create(const char *xml, size_t len, struct live_urls *out)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc;

	*out = (struct live_urls){ 0 };
	rc = read_root(xml, len, "CreateLiveChannelResult", &doc, &root);
	if (rc)
		return rc;
	out->publish_url = url_of(root, "PublishUrls", &rc);
	out->play_url = url_of(root, "PlayUrls", &rc);
	xmlFreeDoc(doc);
	if (rc)
		live_urls_free(out);
	return rc;
}

void live_urls_free(struct live_urls *u)
{
	free(u->publish_url);
	free(u->play_url);
	*u = (struct live_urls){ 0 };
}

static int parse_state(const xmlNode *root, enum live_state *state)
{
	char buf[16];

	if (xml_child_text(root, "Status", buf, sizeof(buf)) < 0)
		return -EIO;
	if (strcmp(buf, "Idle") == 0)
		*state = LIVE_IDLE;
	else if (strcmp(buf, "Live") == 0)
		*state = LIVE_LIVE;
	else if (strcmp(buf, "Disabled") == 0)
		*state = LIVE_DISABLED;
	else
		return -EIO;
	return 0;
}

int live_parse_stat(const char *xml, size_t len, struct live_stat *out)
{
	struct live_stat s = { 0 };
	xmlDocPtr doc;
	xmlNodePtr root, video, audio;
	int rc;

	*out = s;
	rc = read_root(xml, len, "LiveChannelStat", &doc, &root);
	if (rc)
		return rc;
	rc = parse_state(root, &s.state);
	if (rc || s.state != LIVE_LIVE)
		goto out;
	copy_text(root, "ConnectedTime", s.connected_time,
		  sizeof(s.connected_time));
	copy_text(root, "RemoteAddr", s.remote_addr, sizeof(s.remote_addr));
	video = xml_child(root, "Video");
	copy_text(video, "Width", s.video_width, sizeof(s.video_width));
	copy_text(video, "Height", s.video_height, sizeof(s.video_height));
	copy_text(video, "FrameRate", s.video_frame_rate,
		  sizeof(s.video_frame_rate));
	copy_text(video, "Bandwidth", s.video_bandwidth,
		  sizeof(s.video_bandwidth));
	copy_text(video, "Codec", s.video_codec, sizeof(s.video_codec));
	audio = xml_child(root, "Audio");
	copy_text(audio, "Bandwidth", s.audio_bandwidth,
		  sizeof(s.audio_bandwidth));
	copy_text(audio, "SampleRate", s.audio_sample_rate,
		  sizeof(s.audio_sample_rate));
	copy_text(audio, "Codec", s.audio_codec, sizeof(s.audio_codec));
out:
	xmlFreeDoc(doc);
	if (rc == 0)
		*out = s;
	return rc;
}

int live_parse_history(const char *xml, size_t len, struct live_history *out)
{
	const size_t max = sizeof(out->rec) / sizeof(out->rec[0]);
	xmlDocPtr doc;
	xmlNodePtr root, r;
	int rc, total, skip;

	*out = (struct live_history){ 0 };
	rc = read_root(xml, len, "LiveChannelHistory", &doc, &root);
	if (rc)
		return rc;
	/* Oldest first; should there be more than OSS keeps, keep the
	 * most recent ones. */
	total = xml_count(root, "LiveRecord");
	skip = total > (int)max ? total - (int)max : 0;
	for (r = xml_child(root, "LiveRecord"); r; r = xml_next(r, "LiveRecord")) {
		struct live_record *rec;

		if (skip > 0) {
			skip--;
			continue;
		}
		rec = &out->rec[out->n++];
		copy_text(r, "StartTime", rec->start, sizeof(rec->start));
		copy_text(r, "EndTime", rec->end, sizeof(rec->end));
		copy_text(r, "RemoteAddr", rec->remote_addr,
			  sizeof(rec->remote_addr));
	}
	xmlFreeDoc(doc);
	return 0;
}

static int list_entry(const xmlNode *lc, struct live_channel *ch)
{
	char buf[16];
	char ts[40];
	int rc = 0;

	*ch = (struct live_channel){ .enabled = true };
	if (xml_child_text(lc, "Name", ch->name, sizeof(ch->name)) <= 0)
		return 1;    /* no name, or too long to be a channel: skip */
	copy_text(lc, "Description", ch->description, sizeof(ch->description));
	if (xml_child_text(lc, "Status", buf, sizeof(buf)) >= 0 &&
	    strcmp(buf, "disabled") == 0)
		ch->enabled = false;
	copy_text(lc, "LastModified", ts, sizeof(ts));
	if (live_parse_time(ts, &ch->last_modified) < 0)
		ch->last_modified = 0;
	ch->publish_url = url_of(lc, "PublishUrls", &rc);
	ch->play_url = url_of(lc, "PlayUrls", &rc);
	if (rc) {
		free(ch->publish_url);
		free(ch->play_url);
	}
	return rc;
}

int live_parse_list(const char *xml, size_t len, struct live_list *out,
		    char **next)
{
	size_t cap = out->n;
	char *last = NULL;
	xmlDocPtr doc;
	xmlNodePtr root, lc;
	int rc;

	*next = NULL;
	rc = read_root(xml, len, "ListLiveChannelResult", &doc, &root);
	if (rc)
		return rc;
	for (lc = xml_child(root, "LiveChannel"); lc && rc == 0;
	     lc = xml_next(lc, "LiveChannel")) {
		free(last);
		last = xml_text_dup(xml_child(lc, "Name"));
		rc = grow((void **)&out->items, out->n, &cap,
			  sizeof(*out->items));
		if (rc)
			break;
		rc = list_entry(lc, &out->items[out->n]);
		if (rc == 0)
			out->n++;
		else if (rc == 1)
			rc = 0;
	}
	if (rc == 0)
		rc = next_marker(root, last, next);
	free(last);
	xmlFreeDoc(doc);
	return rc;
}

void live_channel_free(struct live_channel *c)
{
	free(c->publish_url);
	free(c->play_url);
	c->publish_url = NULL;
	c->play_url = NULL;
}

void live_list_free(struct live_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		live_channel_free(&l->items[i]);
	free(l->items);
	*l = (struct live_list){ 0 };
}

/* --- objects --------------------------------------------------------- */

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
	copy_text(c, "LastModified", buf, sizeof(buf));
	if (live_parse_time(buf, &e->mtime) < 0)
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

int obj_parse_list(const char *xml, size_t len, const char *prefix,
		   struct obj_list *out, char **next)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	size_t cap = out->n;
	char *last_key = NULL, *last_prefix = NULL;
	xmlDocPtr doc;
	xmlNodePtr root, c;
	int rc;

	*next = NULL;
	rc = read_root(xml, len, "ListBucketResult", &doc, &root);
	if (rc)
		return rc;
	for (c = xml_child(root, "Contents"); c && rc == 0;
	     c = xml_next(c, "Contents")) {
		free(last_key);
		last_key = xml_text_dup(xml_child(c, "Key"));
		if (!last_key) {
			rc = -ENOMEM;
			break;
		}
		rc = grow((void **)&out->items, out->n, &cap,
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
		last_prefix = xml_text_dup(xml_child(c, "Prefix"));
		if (!last_prefix)
			rc = -ENOMEM;
	}
	if (rc == 0)
		rc = next_marker(root, later(last_key, last_prefix), next);
	free(last_key);
	free(last_prefix);
	xmlFreeDoc(doc);
	return rc;
}

void obj_list_free(struct obj_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].name);
	free(l->items);
	*l = (struct obj_list){ 0 };
}
