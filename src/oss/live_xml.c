/* Response bodies of the LiveChannel and object calls -> C structs.
 * Transport-free so the unit tests can check them on the spec's samples. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "answer.h"
#include "live_xml.h"
#include "oss/live_config.h"
#include "util/iso8601.h"
#include "util/xml.h"

/* --- LiveChannel ----------------------------------------------------- */

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

int live_parse_info(const char *xml, size_t len, struct live_config *out,
		    char *why, size_t whylen)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc;

	rc = answer_root(xml, len, "LiveChannelConfiguration", &doc, &root);
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
	rc = answer_root(xml, len, "CreateLiveChannelResult", &doc, &root);
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
	rc = answer_root(xml, len, "LiveChannelStat", &doc, &root);
	if (rc)
		return rc;
	rc = parse_state(root, &s.state);
	if (rc || s.state != LIVE_LIVE)
		goto out;
	xml_child_copy(root, "ConnectedTime", s.connected_time,
		  sizeof(s.connected_time));
	if (iso8601_parse(s.connected_time, &s.connected_at) < 0)
		s.connected_at = 0;
	xml_child_copy(root, "RemoteAddr", s.remote_addr, sizeof(s.remote_addr));
	video = xml_child(root, "Video");
	xml_child_copy(video, "Width", s.video_width, sizeof(s.video_width));
	xml_child_copy(video, "Height", s.video_height, sizeof(s.video_height));
	xml_child_copy(video, "FrameRate", s.video_frame_rate,
		  sizeof(s.video_frame_rate));
	xml_child_copy(video, "Bandwidth", s.video_bandwidth,
		  sizeof(s.video_bandwidth));
	xml_child_copy(video, "Codec", s.video_codec, sizeof(s.video_codec));
	audio = xml_child(root, "Audio");
	xml_child_copy(audio, "Bandwidth", s.audio_bandwidth,
		  sizeof(s.audio_bandwidth));
	xml_child_copy(audio, "SampleRate", s.audio_sample_rate,
		  sizeof(s.audio_sample_rate));
	xml_child_copy(audio, "Codec", s.audio_codec, sizeof(s.audio_codec));
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
	rc = answer_root(xml, len, "LiveChannelHistory", &doc, &root);
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
		xml_child_copy(r, "StartTime", rec->start, sizeof(rec->start));
		xml_child_copy(r, "EndTime", rec->end, sizeof(rec->end));
		xml_child_copy(r, "RemoteAddr", rec->remote_addr,
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
	/* A name no call could address: left out, and counted. */
	if (xml_restore_controls(ch->name) || live_name_check(ch->name))
		return 2;
	xml_child_copy(lc, "Description", ch->description, sizeof(ch->description));
	if (xml_child_text(lc, "Status", buf, sizeof(buf)) >= 0 &&
	    strcmp(buf, "disabled") == 0)
		ch->enabled = false;
	xml_child_copy(lc, "LastModified", ts, sizeof(ts));
	if (iso8601_parse(ts, &ch->last_modified) < 0)
		ch->last_modified = 0;
	ch->publish_url = url_of(lc, "PublishUrls", &rc);
	ch->play_url = url_of(lc, "PlayUrls", &rc);
	if (rc)
		live_channel_free(ch);
	return rc;
}

/* One LiveChannel entry handed to w: 0, -ENOMEM, or what w->fn said. */
static int walk_entry(const xmlNode *lc, struct live_walk *w)
{
	struct live_channel ch;
	int rc = list_entry(lc, &ch);

	if (rc == 2 && w->skipped++ == 0)
		snprintf(w->first_skipped, sizeof(w->first_skipped), "%s",
			 ch.name);
	if (rc == 0)
		rc = w->fn(w->arg, &ch);
	live_channel_free(&ch);
	return rc < 0 ? rc : 0;
}

static int parse_list(const char *xml, size_t len, struct live_walk *w,
		      char **next)
{
	char *last = NULL;
	xmlDocPtr doc;
	xmlNodePtr root, lc;
	int rc;

	rc = answer_root(xml, len, "ListLiveChannelResult", &doc, &root);
	if (rc)
		return rc;
	for (lc = xml_child(root, "LiveChannel"); lc && rc == 0;
	     lc = xml_next(lc, "LiveChannel")) {
		free(last);
		last = xml_text_dup(xml_child(lc, "Name"));
		rc = walk_entry(lc, w);
	}
	if (rc == 0)
		rc = answer_next_marker(root, last, next);
	if (*next)
		xml_restore_controls(*next);
	free(last);
	xmlFreeDoc(doc);
	return rc;
}

/* ListLiveChannel has no encoding-type: a name with a control character
 * comes raw, and XML cannot carry it.  The page is read with such bytes
 * protected (xml_protect_controls), and their channels left out, so that
 * one odd name never fails the whole listing. */
int live_parse_list_walk(const char *xml, size_t len, struct live_walk *w,
			 char **next)
{
	char *safe;
	size_t safe_len;
	int rc;

	*next = NULL;
	rc = xml_protect_controls(xml, len, &safe, &safe_len);
	if (rc)
		return rc;
	rc = parse_list(safe ? safe : xml, safe_len, w, next);
	free(safe);
	return rc;
}

int live_collect(void *arg, struct live_channel *ch)
{
	struct live_collect *c = arg;
	struct live_list *l = c->l;
	int rc;

	rc = answer_grow((void **)&l->items, l->n, &c->cap, sizeof(*l->items));
	if (rc)
		return rc;
	l->items[l->n++] = *ch;
	ch->publish_url = NULL;
	ch->play_url = NULL;
	return 0;
}

void live_walk_counts(struct live_list *l, const struct live_walk *w)
{
	l->requests = w->requests;
	l->skipped = w->skipped;
	memcpy(l->first_skipped, w->first_skipped, sizeof(l->first_skipped));
}

int live_parse_list(const char *xml, size_t len, struct live_list *out,
		    char **next)
{
	/* How much room follows out->n items is not known: grow from n. */
	struct live_collect c = { .l = out, .cap = out->n };
	struct live_walk w = {
		.fn = live_collect,
		.arg = &c,
		.requests = out->requests,
		.skipped = out->skipped,
	};
	int rc;

	memcpy(w.first_skipped, out->first_skipped, sizeof(w.first_skipped));
	rc = live_parse_list_walk(xml, len, &w, next);
	live_walk_counts(out, &w);
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
