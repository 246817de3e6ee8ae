/* The response parsers of the API layer on the spec's sample bodies
 * (spec §5, §10), and the PutLiveChannel body. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "check.h"
#include "../../src/oss/live_xml.h"
#include "../../src/oss/obj_xml.h"
#include "util/iso8601.h"
#include "util/xml.h"

#define S(x) (x), strlen(x)

static void test_times(void)
{
	time_t t = 0;

	CHECK_INT(0, iso8601_parse("2016-08-25T06:25:15.000Z", &t));
	CHECK_INT(1472106315, t);
	CHECK_INT(0, iso8601_parse("1970-01-01T00:00:00Z", &t));
	CHECK_INT(0, t);
	CHECK_INT(-EINVAL, iso8601_parse("2016-08-25 06:25:15", &t));
	CHECK_INT(-EINVAL, iso8601_parse("2016-08-25T06:25:15.000+01:00", &t));
	CHECK_INT(-EINVAL, iso8601_parse("", &t));
	/* A day that does not exist is not the next month's. */
	CHECK_INT(-EINVAL, iso8601_parse("2026-02-31T00:00:00Z", &t));
	CHECK_INT(-EINVAL, iso8601_parse("2026-11-23T10:00:00.Z", &t));
}

static void test_info(void)
{
	const char *body =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<LiveChannelConfiguration>\n"
		"  <Description></Description>\n"
		"  <Status>enabled</Status>\n"
		"  <Target>\n"
		"    <Type>HLS</Type>\n"
		"    <FragDuration>2</FragDuration>\n"
		"    <FragCount>3</FragCount>\n"
		"    <PlaylistName>playlist.m3u8</PlaylistName>\n"
		"  </Target>\n"
		"</LiveChannelConfiguration>\n";
	struct live_config c;
	char why[160];

	CHECK_INT(0, live_parse_info(S(body), &c, why, sizeof(why)));
	CHECK_STR("", c.description);
	CHECK(c.enabled, "enabled");
	CHECK_STR("HLS", c.type);
	CHECK_INT(2, c.frag_duration);
	CHECK_INT(3, c.frag_count);
	CHECK_STR("playlist.m3u8", c.playlist_name);
	CHECK_INT(-EIO, live_parse_info(S("<Error><Code>x</Code></Error>"), &c,
					why, sizeof(why)));
	CHECK_INT(-EIO, live_parse_info(S("<LiveChannelConfiguration><Target>"),
					&c, why, sizeof(why)));
	CHECK_INT(-EIO, live_parse_info(NULL, 0, &c, why, sizeof(why)));
}

static void test_create(void)
{
	const char *body =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<CreateLiveChannelResult>\n"
		"  <PublishUrls>\n"
		"    <Url>rtmp://examplebucket.oss-cn-hangzhou.aliyuncs.com/live/test-channel</Url>\n"
		"  </PublishUrls>\n"
		"  <PlayUrls>\n"
		"    <Url>http://examplebucket.oss-cn-hangzhou.aliyuncs.com/test-channel/playlist.m3u8</Url>\n"
		"  </PlayUrls>\n"
		"</CreateLiveChannelResult>\n";
	struct live_urls u;

	CHECK_INT(0, live_parse_create(S(body), &u));
	CHECK_STR("rtmp://examplebucket.oss-cn-hangzhou.aliyuncs.com/live/test-channel",
		  u.publish_url);
	CHECK_STR("http://examplebucket.oss-cn-hangzhou.aliyuncs.com/test-channel/playlist.m3u8",
		  u.play_url);
	live_urls_free(&u);
	CHECK(u.publish_url == NULL && u.play_url == NULL, "freed and cleared");
	CHECK_INT(0, live_parse_create(S("<CreateLiveChannelResult/>"), &u));
	CHECK(u.publish_url == NULL && u.play_url == NULL, "absent urls are NULL");
	CHECK_INT(-EIO, live_parse_create(S("garbage"), &u));
}

static void test_stat(void)
{
	const char *idle =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<LiveChannelStat>\n  <Status>Idle</Status>\n</LiveChannelStat>\n";
	const char *live =
		"<LiveChannelStat>\n"
		"  <Status>Live</Status>\n"
		"  <ConnectedTime>2016-08-25T06:25:15.000Z</ConnectedTime>\n"
		"  <RemoteAddr>10.1.2.3:47745</RemoteAddr>\n"
		"  <Video>\n"
		"    <Width>1280</Width><Height>536</Height><FrameRate>24</FrameRate>\n"
		"    <Bandwidth>0</Bandwidth><Codec>H264</Codec>\n"
		"  </Video>\n"
		"  <Audio>\n"
		"    <Bandwidth>0</Bandwidth><SampleRate>44100</SampleRate><Codec>AAC</Codec>\n"
		"  </Audio>\n"
		"</LiveChannelStat>\n";
	struct live_stat s;

	CHECK_INT(0, live_parse_stat(S(idle), &s));
	CHECK_INT(LIVE_IDLE, s.state);
	CHECK_STR("", s.connected_time);
	CHECK_STR("", s.video_codec);
	CHECK_INT(0, live_parse_stat(S("<LiveChannelStat><Status>Disabled</Status></LiveChannelStat>"), &s));
	CHECK_INT(LIVE_DISABLED, s.state);
	CHECK_INT(0, live_parse_stat(S(live), &s));
	CHECK_INT(LIVE_LIVE, s.state);
	CHECK_STR("2016-08-25T06:25:15.000Z", s.connected_time);
	CHECK_STR("10.1.2.3:47745", s.remote_addr);
	CHECK_STR("1280", s.video_width);
	CHECK_STR("536", s.video_height);
	CHECK_STR("24", s.video_frame_rate);
	CHECK_STR("0", s.video_bandwidth);
	CHECK_STR("H264", s.video_codec);
	CHECK_STR("0", s.audio_bandwidth);
	CHECK_STR("44100", s.audio_sample_rate);
	CHECK_STR("AAC", s.audio_codec);
	/* Live with no media yet: no Video/Audio */
	CHECK_INT(0, live_parse_stat(S("<LiveChannelStat><Status>Live</Status>"
				       "<RemoteAddr>1.2.3.4:5</RemoteAddr></LiveChannelStat>"), &s));
	CHECK_STR("1.2.3.4:5", s.remote_addr);
	CHECK_STR("", s.video_width);
	CHECK_STR("", s.audio_codec);
	CHECK_INT(-EIO, live_parse_stat(S("<LiveChannelStat><Status>idle</Status></LiveChannelStat>"), &s));
	CHECK_INT(-EIO, live_parse_stat(S("<LiveChannelStat/>"), &s));
	CHECK_INT(-EIO, live_parse_stat(S("<LiveChannelStat><Status>Idle</Status>"), &s));
}

static void test_history(void)
{
	const char *body =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<LiveChannelHistory>\n"
		"  <LiveRecord>\n"
		"    <StartTime>2016-07-30T01:53:21.000Z</StartTime>\n"
		"    <EndTime>2016-07-30T01:53:31.000Z</EndTime>\n"
		"    <RemoteAddr>10.101.194.148:56861</RemoteAddr>\n"
		"  </LiveRecord>\n"
		"  <LiveRecord>\n"
		"    <StartTime>2016-07-30T01:54:21.000Z</StartTime>\n"
		"    <EndTime>2016-07-30T01:54:31.000Z</EndTime>\n"
		"    <RemoteAddr>10.101.194.148:56862</RemoteAddr>\n"
		"  </LiveRecord>\n"
		"</LiveChannelHistory>\n";
	struct live_history h;
	char big[4096];
	size_t pos;

	CHECK_INT(0, live_parse_history(S(body), &h));
	CHECK_INT(2, h.n);
	CHECK_STR("2016-07-30T01:53:21.000Z", h.rec[0].start);
	CHECK_STR("2016-07-30T01:53:31.000Z", h.rec[0].end);
	CHECK_STR("10.101.194.148:56861", h.rec[0].remote_addr);
	CHECK_STR("2016-07-30T01:54:21.000Z", h.rec[1].start);
	CHECK_STR("10.101.194.148:56862", h.rec[1].remote_addr);
	CHECK_INT(0, live_parse_history(S("<LiveChannelHistory/>"), &h));
	CHECK_INT(0, h.n);
	CHECK_INT(-EIO, live_parse_history(S("<LiveChannelStat/>"), &h));

	/* 12 records: the 10 most recent (the last ones) are kept, in order */
	pos = (size_t)snprintf(big, sizeof(big), "<LiveChannelHistory>");
	for (int i = 0; i < 12; i++)
		pos += (size_t)snprintf(big + pos, sizeof(big) - pos,
					"<LiveRecord><StartTime>s%d</StartTime>"
					"<EndTime>e%d</EndTime><RemoteAddr>r%d</RemoteAddr>"
					"</LiveRecord>", i, i, i);
	snprintf(big + pos, sizeof(big) - pos, "</LiveChannelHistory>");
	CHECK_INT(0, live_parse_history(S(big), &h));
	CHECK_INT(10, h.n);
	CHECK_STR("s2", h.rec[0].start);
	CHECK_STR("r11", h.rec[9].remote_addr);
}

static void test_list(void)
{
	const char *page1 =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListLiveChannelResult>\n"
		"  <Prefix></Prefix>\n"
		"  <Marker></Marker>\n"
		"  <MaxKeys>1</MaxKeys>\n"
		"  <IsTruncated>true</IsTruncated>\n"
		"  <NextMarker>channel-0</NextMarker>\n"
		"  <LiveChannel>\n"
		"    <Name>channel-0</Name>\n"
		"    <Description></Description>\n"
		"    <Status>disabled</Status>\n"
		"    <LastModified>2016-07-30T01:54:21.000Z</LastModified>\n"
		"    <PublishUrls><Url>rtmp://test-bucket.oss-cn-hangzhou.aliyuncs.com/live/channel-0</Url></PublishUrls>\n"
		"    <PlayUrls><Url>http://test-bucket.oss-cn-hangzhou.aliyuncs.com/channel-0/playlist.m3u8</Url></PlayUrls>\n"
		"  </LiveChannel>\n"
		"</ListLiveChannelResult>\n";
	const char *page2 =
		"<ListLiveChannelResult><Prefix></Prefix><Marker>channel-0</Marker>"
		"<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
		"<LiveChannel><Name>channel 1</Name><Description>d &amp; e</Description>"
		"<Status>enabled</Status><LastModified>2016-07-30T01:54:22.000Z</LastModified>"
		"<PublishUrls><Url>rtmp://x/live/channel%201</Url></PublishUrls>"
		"<PlayUrls><Url>http://x/channel%201/playlist.m3u8</Url></PlayUrls></LiveChannel>"
		"<LiveChannel><Name>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</Name>"
		"</LiveChannel>"
		"</ListLiveChannelResult>";
	struct live_list l = { 0 };
	char *next = NULL;

	CHECK_INT(0, live_parse_list(S(page1), &l, &next));
	CHECK_STR("channel-0", next);
	free(next);
	CHECK_INT(1, l.n);
	CHECK_STR("channel-0", l.items[0].name);
	CHECK(!l.items[0].enabled, "disabled");
	CHECK_INT(1469843661, l.items[0].last_modified);
	CHECK_STR("rtmp://test-bucket.oss-cn-hangzhou.aliyuncs.com/live/channel-0",
		  l.items[0].publish_url);
	CHECK_STR("http://test-bucket.oss-cn-hangzhou.aliyuncs.com/channel-0/playlist.m3u8",
		  l.items[0].play_url);
	CHECK_INT(0, live_parse_list(S(page2), &l, &next));
	CHECK(next == NULL, "last page: no marker");
	CHECK_INT(2, l.n);    /* a 64-byte name cannot be a channel: skipped */
	CHECK_STR("channel 1", l.items[1].name);
	CHECK_STR("d & e", l.items[1].description);
	CHECK(l.items[1].enabled, "enabled");
	CHECK_STR("channel-0", l.items[0].name);
	live_list_free(&l);
	CHECK(l.items == NULL && l.n == 0, "list freed");

	/* Truncated without NextMarker: resume after the last name */
	CHECK_INT(0, live_parse_list(S("<ListLiveChannelResult><IsTruncated>true</IsTruncated>"
				       "<LiveChannel><Name>a</Name></LiveChannel>"
				       "<LiveChannel><Name>b</Name></LiveChannel>"
				       "</ListLiveChannelResult>"), &l, &next));
	CHECK_STR("b", next);
	CHECK_INT(2, l.n);
	CHECK(l.items[0].publish_url == NULL, "no url");
	free(next);
	live_list_free(&l);
	/* Truncated with nothing to resume from */
	CHECK_INT(-EIO, live_parse_list(S("<ListLiveChannelResult><IsTruncated>true"
					  "</IsTruncated></ListLiveChannelResult>"), &l, &next));
	live_list_free(&l);
	CHECK_INT(-EIO, live_parse_list(S("<Error/>"), &l, &next));
	CHECK_INT(-EIO, live_parse_list(S("<!DOCTYPE x [<!ENTITY a \"b\">]><ListLiveChannelResult/>"),
					&l, &next));

	/* 2500 channels in one document: the array grows */
	{
		size_t cap = 2500 * 60 + 200, pos;
		char *big = malloc(cap);

		pos = (size_t)snprintf(big, cap, "<ListLiveChannelResult>");
		for (int i = 0; i < 2500; i++)
			pos += (size_t)snprintf(big + pos, cap - pos,
						"<LiveChannel><Name>c%04d</Name></LiveChannel>", i);
		snprintf(big + pos, cap - pos, "</ListLiveChannelResult>");
		CHECK_INT(0, live_parse_list(big, strlen(big), &l, &next));
		CHECK_INT(2500, l.n);
		CHECK_STR("c2499", l.items[2499].name);
		free(big);
		live_list_free(&l);
	}
}

struct walked {
	int calls, stop_at;
	char *kept;                     /* a URL fn took */
};

static int walk_fn(void *arg, struct live_channel *ch)
{
	struct walked *w = arg;

	if (++w->calls == w->stop_at)
		return -ENOMEM;
	if (!w->kept) {
		w->kept = ch->play_url;
		ch->play_url = NULL;
	}
	return 0;
}

/* The walk hands over each channel in order; fn may take a URL, and its
 * error ends the page. */
static void test_list_walk(void)
{
	static const char page[] =
		"<ListLiveChannelResult><IsTruncated>true</IsTruncated>"
		"<NextMarker>c</NextMarker>"
		"<LiveChannel><Name>a</Name><PlayUrls><Url>http://h/a/p.m3u8</Url>"
		"</PlayUrls></LiveChannel>"
		"<LiveChannel><Name>b\x01</Name></LiveChannel>"
		"<LiveChannel><Name>c</Name><PlayUrls><Url>http://h/c/p.m3u8</Url>"
		"</PlayUrls></LiveChannel>"
		"</ListLiveChannelResult>";
	struct walked got = { 0 };
	struct live_walk w = { .fn = walk_fn, .arg = &got };
	char *next = NULL;

	CHECK_INT(0, live_parse_list_walk(S(page), &w, &next));
	CHECK_INT(2, got.calls);
	CHECK_INT(1, w.skipped);
	CHECK_STR("b\x01", w.first_skipped);
	CHECK_STR("c", next);
	CHECK_STR("http://h/a/p.m3u8", got.kept);
	free(next);
	free(got.kept);

	got = (struct walked){ .stop_at = 1 };
	w = (struct live_walk){ .fn = walk_fn, .arg = &got };
	CHECK_INT(-ENOMEM, live_parse_list_walk(S(page), &w, &next));
	CHECK_INT(1, got.calls);
	CHECK(next == NULL, "no marker after a failed page");
}

static void test_obj_list(void)
{
	const char *body =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListBucketResult>\n"
		"  <Name>b</Name><Prefix>ch/</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys>\n"
		"  <Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>\n"
		"  <NextMarker>ch/sub/</NextMarker>\n"
		"  <Contents><Key>ch/</Key><LastModified>2016-07-30T01:54:21.000Z</LastModified>"
		"<ETag>\"X\"</ETag><Type>Normal</Type><Size>0</Size><StorageClass>Standard</StorageClass></Contents>\n"
		"  <Contents><Key>ch/1543895706266.ts</Key><LastModified>2018-12-04T03:55:06.000Z</LastModified>"
		"<ETag>\"Y\"</ETag><Type>Normal</Type><Size>1234567</Size><StorageClass>Standard</StorageClass>"
		"<Owner><ID>1</ID><DisplayName>1</DisplayName></Owner></Contents>\n"
		"  <Contents><Key>ch/playlist.m3u8</Key><LastModified>2018-12-04T03:55:07.123Z</LastModified>"
		"<Size>99</Size></Contents>\n"
		"  <CommonPrefixes><Prefix>ch/sub/</Prefix></CommonPrefixes>\n"
		"</ListBucketResult>\n";
	struct obj_list l = { 0 };
	char *next = NULL;

	CHECK_INT(0, obj_parse_list(S(body), "ch/", &l, &next));
	CHECK_STR("ch/sub/", next);
	free(next);
	CHECK_INT(2, l.n);
	CHECK_STR("1543895706266.ts", l.items[0].name);
	CHECK_INT(1234567, l.items[0].size);
	CHECK_INT(1543895706, l.items[0].mtime);
	CHECK_STR("playlist.m3u8", l.items[1].name);
	CHECK_INT(99, l.items[1].size);
	obj_list_free(&l);

	/* No NextMarker: the later of the last key and the last prefix */
	CHECK_INT(0, obj_parse_list(S("<ListBucketResult><IsTruncated>true</IsTruncated>"
				      "<Contents><Key>ch/a</Key><Size>1</Size></Contents>"
				      "<CommonPrefixes><Prefix>ch/b/</Prefix></CommonPrefixes>"
				      "</ListBucketResult>"), "ch/", &l, &next));
	CHECK_STR("ch/b/", next);
	free(next);
	obj_list_free(&l);
	CHECK_INT(0, obj_parse_list(S("<ListBucketResult><IsTruncated>false</IsTruncated>"
				      "<Contents><Key>ch/a</Key><Size>1</Size></Contents>"
				      "</ListBucketResult>"), "ch/", &l, &next));
	CHECK(next == NULL, "not truncated");
	CHECK_INT(1, l.n);
	obj_list_free(&l);
	CHECK_INT(-EIO, obj_parse_list(S("<ListBucketResult><Contents><Key>ch/a</Key>"
					 "<Size>x</Size></Contents></ListBucketResult>"),
				       "ch/", &l, &next));
	obj_list_free(&l);
	CHECK_INT(-EIO, obj_parse_list(S("<ListLiveChannelResult/>"), "ch/", &l, &next));
}

/* The PutLiveChannel body carries only what was given (plus Type). */
static void test_put_body(void)
{
	struct live_config c;
	xmlDocPtr doc;
	char *s = NULL;

	live_config_default(&c, 0, 0, NULL);
	doc = live_config_doc(&c, false);
	CHECK(xml_format(doc, &s) > 0, "format");
	CHECK_STR("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		  "<LiveChannelConfiguration>\n"
		  "  <Target>\n"
		  "    <Type>HLS</Type>\n"
		  "  </Target>\n"
		  "</LiveChannelConfiguration>\n", s);
	free(s);
	xmlFreeDoc(doc);

	live_config_default(&c, 5, 3, "playlist.m3u8");
	c.enabled = false;
	snprintf(c.description, sizeof(c.description), "my <cam>");
	doc = live_config_doc(&c, false);
	CHECK(xml_format(doc, &s) > 0, "format");
	CHECK_STR("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		  "<LiveChannelConfiguration>\n"
		  "  <Description>my &lt;cam&gt;</Description>\n"
		  "  <Status>disabled</Status>\n"
		  "  <Target>\n"
		  "    <Type>HLS</Type>\n"
		  "    <FragDuration>5</FragDuration>\n"
		  "    <FragCount>3</FragCount>\n"
		  "    <PlaylistName>playlist.m3u8</PlaylistName>\n"
		  "  </Target>\n"
		  "</LiveChannelConfiguration>\n", s);
	free(s);
	xmlFreeDoc(doc);
}

static void test_xml_helpers(void)
{
	xmlDocPtr doc = xml_read(S("<a><b>x<![CDATA[<y>]]>z</b><c><d/></c><b>2</b></a>"));
	xmlNodePtr root = xml_root(doc, "a");
	char buf[8];
	char *s;

	CHECK(root != NULL, "root");
	CHECK(xml_root(doc, "b") == NULL, "wrong root name");
	CHECK_INT(2, xml_count(root, "b"));
	CHECK_INT(5, xml_child_text(root, "b", buf, sizeof(buf)));
	CHECK_STR("x<y>z", buf);
	CHECK_INT(-E2BIG, xml_child_text(root, "b", buf, 5));
	CHECK_INT(-EINVAL, xml_child_text(root, "c", buf, sizeof(buf)));
	CHECK_INT(0, xml_child_text(root, "missing", buf, sizeof(buf)));
	CHECK_STR("", buf);
	s = xml_text_dup(xml_next(xml_child(root, "b"), "b"));
	CHECK_STR("2", s);
	free(s);
	xmlFreeDoc(doc);
	/* entities: predefined ones decoded, declared ones refused */
	doc = xml_read(S("<a>&lt;&#65;</a>"));
	CHECK_INT(2, xml_text(xml_root(doc, "a"), buf, sizeof(buf)));
	CHECK_STR("<A", buf);
	xmlFreeDoc(doc);
	CHECK(xml_read(S("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>")) == NULL, "DTD refused");
	CHECK(xml_read(S("<!DOCTYPE a SYSTEM \"http://127.0.0.1:1/x.dtd\"><a/>")) == NULL,
	      "external DTD refused");
	CHECK(xml_read(S("<a>")) == NULL, "truncated");
	CHECK(xml_read(S("")) == NULL, "empty");
}

int main(void)
{
	test_times();
	test_info();
	test_create();
	test_stat();
	test_history();
	test_list();
	test_list_walk();
	test_obj_list();
	test_put_body();
	test_xml_helpers();
	xmlCleanupParser();
	return check_summary("test_live_xml");
}
