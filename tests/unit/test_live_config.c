/* live_config_parse/format/default and live_name_check: the validation a
 * user meets when writing config.xml (design §1, spec §2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "oss/live.h"

#define MIN_DOC "<LiveChannelConfiguration><Target><Type>HLS</Type></Target></LiveChannelConfiguration>"

static int parse(const char *xml, struct live_config *c, char *why, size_t n)
{
	return live_config_parse(xml, strlen(xml), c, why, n);
}

/* A document with one Target body, for the field rules. */
static int parse_target(const char *target, char *why, size_t n)
{
	char doc[1024];
	struct live_config c;

	snprintf(doc, sizeof(doc),
		 "<LiveChannelConfiguration><Target>%s</Target></LiveChannelConfiguration>",
		 target);
	return parse(doc, &c, why, n);
}

static void test_minimal(void)
{
	struct live_config c;
	char why[200] = "";

	CHECK_INT(0, parse(MIN_DOC "\n", &c, why, sizeof(why)));
	CHECK_STR("", why);
	CHECK_STR("HLS", c.type);
	CHECK(c.enabled, "Status defaults to enabled");
	CHECK_INT(0, c.frag_duration);
	CHECK_INT(0, c.frag_count);
	CHECK_STR("", c.playlist_name);
	CHECK_STR("", c.description);
	CHECK(!c.snapshot.present, "no snapshot");
	/* exactly what `echo '<...>' > config.xml` writes */
	CHECK_INT(0, parse(MIN_DOC, &c, why, sizeof(why)));
	CHECK_INT(0, parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" MIN_DOC "\n\n  \n",
			   &c, why, sizeof(why)));
	CHECK_INT(0, parse("\xef\xbb\xbf" MIN_DOC, &c, why, sizeof(why)));
	CHECK_INT(0, parse(MIN_DOC "<!-- trailing comment -->\n", &c, why,
			   sizeof(why)));
}

static void test_full(void)
{
	const char *doc =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<LiveChannelConfiguration>\n"
		"  <Description>cam &amp; mic</Description>\n"
		"  <Status>disabled</Status>\n"
		"  <Unknown><X>1</X></Unknown>\n"
		"  <Target>\n"
		"    <Type>HLS</Type>\n"
		"    <FragDuration> 10 </FragDuration>\n"
		"    <FragCount>100</FragCount>\n"
		"    <PlaylistName>x.m3u8</PlaylistName>\n"
		"    <PlayListName>ignored.m3u8</PlayListName>\n"
		"  </Target>\n"
		"  <Snapshot>\n"
		"    <RoleName>role</RoleName>\n"
		"    <DestBucket>snaps</DestBucket>\n"
		"    <NotifyTopic>topic</NotifyTopic>\n"
		"    <Interval>1</Interval>\n"
		"  </Snapshot>\n"
		"</LiveChannelConfiguration>\n";
	struct live_config c;
	char why[200];

	CHECK_INT(0, parse(doc, &c, why, sizeof(why)));
	CHECK_STR("cam & mic", c.description);
	CHECK(!c.enabled, "disabled");
	CHECK_INT(10, c.frag_duration);
	CHECK_INT(100, c.frag_count);
	CHECK_STR("x.m3u8", c.playlist_name);
	CHECK(c.snapshot.present, "snapshot present");
	CHECK_STR("role", c.snapshot.role_name);
	CHECK_STR("snaps", c.snapshot.dest_bucket);
	CHECK_STR("topic", c.snapshot.notify_topic);
	CHECK_INT(1, c.snapshot.interval);
}

/* Every strict prefix of a valid document is -EAGAIN; the whole is 0. */
static void test_prefixes(void)
{
	const char *doc =
		"<?xml version=\"1.0\"?>\n<LiveChannelConfiguration>\n"
		"  <Description>d</Description>\n  <!-- c -->\n"
		"  <Target><Type>HLS</Type><FragDuration>5</FragDuration>"
		"<FragCount>3</FragCount></Target>\n"
		"</LiveChannelConfiguration>";
	size_t len = strlen(doc);
	struct live_config c;
	char why[200];
	int bad = 0;

	for (size_t i = 0; i < len; i++) {
		int rc = live_config_parse(doc, i, &c, why, sizeof(why));

		if (rc != -EAGAIN) {
			fprintf(stderr, "  prefix %zu: rc %d (%s)\n", i, rc, why);
			bad++;
		}
	}
	CHECK_INT(0, bad);
	live_config_parse(doc, 10, &c, why, sizeof(why));
	CHECK_STR("config.xml is incomplete: the root element is not closed",
		  why);
	CHECK_INT(0, live_config_parse(doc, len, &c, why, sizeof(why)));
	CHECK_INT(-EAGAIN, parse("", &c, why, sizeof(why)));
	CHECK_INT(-EAGAIN, parse("  \n", &c, why, sizeof(why)));
	CHECK_INT(-EAGAIN, parse("<Live", &c, why, sizeof(why)));

	/* cut inside a UTF-8 character: still a prefix */
	const char *utf8 = "<LiveChannelConfiguration><Description>caf\xc3\xa9</Description>"
			   "<Target><Type>HLS</Type></Target></LiveChannelConfiguration>";
	const char *cut = strchr(utf8, '\xc3') + 1;
	CHECK_INT(-EAGAIN, live_config_parse(utf8, (size_t)(cut - utf8), &c, why, sizeof(why)));
	CHECK_INT(0, parse(utf8, &c, why, sizeof(why)));
	CHECK_STR("caf\xc3\xa9", c.description);
	/* invalid UTF-8 is not well-formed */
	CHECK_INT(-EINVAL, parse("<LiveChannelConfiguration><Description>\xff</Description>",
				 &c, why, sizeof(why)));
}

static void test_malformed(void)
{
	static const char *docs[] = {
		"abc",                                  /* < 4 bytes: still caught */
		"x<LiveChannelConfiguration>",
		"<LiveChannelConfiguration><Target></Type>",
		"<LiveChannelConfiguration><a b=c>",
		MIN_DOC "<LiveChannelConfiguration/>",  /* second root */
		MIN_DOC "garbage",
		MIN_DOC "<",
		"<LiveChannelConfiguration>&undefined;",
		"<?xml version=\"1.0\"?><?xml version=\"1.0\"?>",
	};
	struct live_config c;
	char why[200];

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		why[0] = '\0';
		CHECK(parse(docs[i], &c, why, sizeof(why)) == -EINVAL,
		      "malformed doc %zu", i);
		CHECK(strncmp(why, "config.xml is not well-formed XML", 33) == 0,
		      "why for doc %zu: %s", i, why);
	}
}

static void test_root_and_dtd(void)
{
	struct live_config c;
	char why[200];

	CHECK_INT(-EINVAL, parse("<Foo/>", &c, why, sizeof(why)));
	CHECK_STR("the root element must be LiveChannelConfiguration", why);
	/* A wrong root is refused before it is closed. */
	CHECK_INT(-EINVAL, parse("<Foo><Target>", &c, why, sizeof(why)));
	CHECK_STR("the root element must be LiveChannelConfiguration", why);
	CHECK_INT(-EINVAL, parse("<livechannelconfiguration/>", &c, why,
				 sizeof(why)));
	CHECK_INT(-EINVAL,
		  parse("<!DOCTYPE LiveChannelConfiguration [<!ENTITY e \"x\">]>"
			MIN_DOC, &c, why, sizeof(why)));
	CHECK_STR("config.xml must not contain a DOCTYPE", why);
}

struct rule {
	const char *target;     /* Target body */
	int rc;
	const char *why;
};

static void test_target_rules(void)
{
	static const struct rule rules[] = {
		{ "", -EINVAL, "Target/Type is required" },
		{ "<Type>RTMP</Type>", -EINVAL, "Target/Type must be HLS" },
		{ "<Type>hls</Type>", -EINVAL, "Target/Type must be HLS" },
		{ "<Type>HLS</Type><Type>HLS</Type>", -EINVAL,
		  "Type must be given at most once" },
		{ "<Type> HLS\n</Type>", 0, "" },
		{ "<Type>HLS</Type><FragDuration>5</FragDuration>", -EINVAL,
		  "FragDuration and FragCount must be given together" },
		{ "<Type>HLS</Type><FragCount>3</FragCount>", -EINVAL,
		  "FragDuration and FragCount must be given together" },
		{ "<Type>HLS</Type><FragDuration>1</FragDuration><FragCount>1</FragCount>", 0, "" },
		{ "<Type>HLS</Type><FragDuration>100</FragDuration><FragCount>100</FragCount>", 0, "" },
		{ "<Type>HLS</Type><FragDuration>0</FragDuration><FragCount>3</FragCount>",
		  -EINVAL, "FragDuration must be an integer from 1 to 100" },
		{ "<Type>HLS</Type><FragDuration>101</FragDuration><FragCount>3</FragCount>",
		  -EINVAL, "FragDuration must be an integer from 1 to 100" },
		{ "<Type>HLS</Type><FragDuration>-5</FragDuration><FragCount>3</FragCount>",
		  -EINVAL, "FragDuration must be an integer from 1 to 100" },
		{ "<Type>HLS</Type><FragDuration>5s</FragDuration><FragCount>3</FragCount>",
		  -EINVAL, "FragDuration must be an integer from 1 to 100" },
		{ "<Type>HLS</Type><FragDuration></FragDuration><FragCount>3</FragCount>",
		  -EINVAL, "FragDuration must be an integer from 1 to 100" },
		{ "<Type>HLS</Type><FragDuration>99999999999999999999</FragDuration><FragCount>3</FragCount>",
		  -EINVAL, "FragDuration must be an integer from 1 to 100" },
		{ "<Type>HLS</Type><FragDuration>5</FragDuration><FragCount>0</FragCount>",
		  -EINVAL, "FragCount must be an integer from 1 to 100" },
		{ "<Type>HLS</Type><FragDuration>5</FragDuration><FragCount>199</FragCount>",
		  -EINVAL, "FragCount must be an integer from 1 to 100" },
		{ "<Type>HLS</Type><PlaylistName>a.m3u8</PlaylistName>", 0, "" },
		{ "<Type>HLS</Type><PlaylistName>.m3u8</PlaylistName>", -EINVAL,
		  "PlaylistName must be 6 to 128 bytes" },
		{ "<Type>HLS</Type><PlaylistName></PlaylistName>", -EINVAL,
		  "PlaylistName must be 6 to 128 bytes" },
		{ "<Type>HLS</Type><PlaylistName>abcdef.m3u</PlaylistName>", -EINVAL,
		  "PlaylistName must end in .m3u8" },
		{ "<Type>HLS</Type><PlaylistName>a/b.m3u8</PlaylistName>", -EINVAL,
		  "PlaylistName must not contain /" },
		{ "<Type>HLS</Type><PlaylistName>a<b/>.m3u8</PlaylistName>", -EINVAL,
		  "PlaylistName must contain only text" },
	};
	char why[200];

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		why[0] = '\0';
		CHECK(parse_target(rules[i].target, why, sizeof(why)) == rules[i].rc,
		      "rule %zu (%s): rc", i, rules[i].target);
		CHECK(strcmp(why, rules[i].why) == 0,
		      "rule %zu: why \"%s\", expected \"%s\"", i, why, rules[i].why);
	}
}

static void test_lengths(void)
{
	char name[200], doc[1024], why[200];
	struct live_config c;

	/* PlaylistName: 128 bytes is fine, 129 is not */
	memset(name, 'p', 123);
	strcpy(name + 123, ".m3u8");
	snprintf(doc, sizeof(doc), "<LiveChannelConfiguration><Target><Type>HLS</Type>"
		 "<PlaylistName>%s</PlaylistName></Target></LiveChannelConfiguration>", name);
	CHECK_INT(0, parse(doc, &c, why, sizeof(why)));
	CHECK_INT(128, strlen(c.playlist_name));
	memset(name, 'p', 124);
	strcpy(name + 124, ".m3u8");
	snprintf(doc, sizeof(doc), "<LiveChannelConfiguration><Target><Type>HLS</Type>"
		 "<PlaylistName>%s</PlaylistName></Target></LiveChannelConfiguration>", name);
	CHECK_INT(-EINVAL, parse(doc, &c, why, sizeof(why)));
	CHECK_STR("PlaylistName must be at most 128 bytes", why);

	/* Description: 128 bytes fine (counted after entity decoding), 129 not */
	memset(name, 'd', 127);
	name[127] = '\0';
	snprintf(doc, sizeof(doc), "<LiveChannelConfiguration><Description>&lt;%s"
		 "</Description><Target><Type>HLS</Type></Target></LiveChannelConfiguration>",
		 name);
	CHECK_INT(0, parse(doc, &c, why, sizeof(why)));
	CHECK_INT(128, strlen(c.description));
	CHECK(c.description[0] == '<', "entity decoded");
	snprintf(doc, sizeof(doc), "<LiveChannelConfiguration><Description>%sdd"
		 "</Description><Target><Type>HLS</Type></Target></LiveChannelConfiguration>",
		 name);
	CHECK_INT(-EINVAL, parse(doc, &c, why, sizeof(why)));
	CHECK_STR("Description must be at most 128 bytes", why);
	/* Empty Description is accepted (python sends <Description />) */
	CHECK_INT(0, parse("<LiveChannelConfiguration><Description /><Target>"
			   "<Type>HLS</Type></Target></LiveChannelConfiguration>",
			   &c, why, sizeof(why)));
	CHECK_STR("", c.description);
}

static void test_status_and_target(void)
{
	struct live_config c;
	char why[200];

	CHECK_INT(-EINVAL, parse("<LiveChannelConfiguration><Status>on</Status><Target>"
				 "<Type>HLS</Type></Target></LiveChannelConfiguration>",
				 &c, why, sizeof(why)));
	CHECK_STR("Status must be enabled or disabled", why);
	CHECK_INT(-EINVAL, parse("<LiveChannelConfiguration><Status>Enabled</Status><Target>"
				 "<Type>HLS</Type></Target></LiveChannelConfiguration>",
				 &c, why, sizeof(why)));
	CHECK_INT(-EINVAL, parse("<LiveChannelConfiguration><Status/><Target>"
				 "<Type>HLS</Type></Target></LiveChannelConfiguration>",
				 &c, why, sizeof(why)));
	CHECK_INT(0, parse("<LiveChannelConfiguration><Status>enabled</Status><Target>"
			   "<Type>HLS</Type></Target></LiveChannelConfiguration>",
			   &c, why, sizeof(why)));
	CHECK(c.enabled, "enabled");
	CHECK_INT(-EINVAL, parse("<LiveChannelConfiguration/>", &c, why, sizeof(why)));
	CHECK_STR("Target is required", why);
	CHECK_INT(-EINVAL, parse("<LiveChannelConfiguration><Target><Type>HLS</Type>"
				 "</Target><Target><Type>HLS</Type></Target>"
				 "</LiveChannelConfiguration>", &c, why, sizeof(why)));
	CHECK_STR("Target must be given at most once", why);
	CHECK_INT(-EINVAL, parse("<LiveChannelConfiguration><Snapshot><RoleName>r</RoleName>"
				 "<DestBucket>b</DestBucket><NotifyTopic>t</NotifyTopic>"
				 "<Interval>101</Interval></Snapshot><Target><Type>HLS</Type>"
				 "</Target></LiveChannelConfiguration>", &c, why, sizeof(why)));
	CHECK_STR("Interval must be an integer from 1 to 100", why);
	CHECK_INT(-EINVAL, parse("<LiveChannelConfiguration><Snapshot><RoleName>r</RoleName>"
				 "<NotifyTopic>t</NotifyTopic><Interval>1</Interval>"
				 "</Snapshot><Target><Type>HLS</Type></Target>"
				 "</LiveChannelConfiguration>", &c, why, sizeof(why)));
	CHECK_STR("Snapshot/DestBucket is required", why);
	/* a tiny why buffer is cut, never overrun */
	CHECK_INT(-EINVAL, parse("<Foo/>", &c, why, 5));
	CHECK_STR("the ", why);
	CHECK_INT(-EINVAL, parse("<Foo/>", &c, NULL, 0));
}

/* Field by field: bytes after a string's NUL do not matter. */
static int config_eq(const struct live_config *a, const struct live_config *b)
{
	const struct live_snapshot *x = &a->snapshot, *y = &b->snapshot;

	if (strcmp(a->description, b->description) || a->enabled != b->enabled ||
	    strcmp(a->type, b->type) || a->frag_duration != b->frag_duration ||
	    a->frag_count != b->frag_count ||
	    strcmp(a->playlist_name, b->playlist_name) || x->present != y->present)
		return 0;
	if (!x->present)
		return 1;
	return strcmp(x->role_name, y->role_name) == 0 &&
	       strcmp(x->dest_bucket, y->dest_bucket) == 0 &&
	       strcmp(x->notify_topic, y->notify_topic) == 0 &&
	       x->interval == y->interval;
}

static void test_format(void)
{
	struct live_config c, back;
	char *xml = NULL;
	char why[200];
	int len;

	live_config_default(&c, 5, 3, "playlist.m3u8");
	CHECK_STR("HLS", c.type);
	CHECK(c.enabled, "default enabled");
	len = live_config_format(&c, &xml);
	CHECK_STR("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		  "<LiveChannelConfiguration>\n"
		  "  <Description></Description>\n"
		  "  <Status>enabled</Status>\n"
		  "  <Target>\n"
		  "    <Type>HLS</Type>\n"
		  "    <FragDuration>5</FragDuration>\n"
		  "    <FragCount>3</FragCount>\n"
		  "    <PlaylistName>playlist.m3u8</PlaylistName>\n"
		  "  </Target>\n"
		  "</LiveChannelConfiguration>\n", xml);
	CHECK_INT(strlen(xml), len);
	CHECK_INT(0, live_config_parse(xml, (size_t)len, &back, why, sizeof(why)));
	CHECK(config_eq(&c, &back), "round trip default");
	free(xml);

	/* Everything, with characters that need escaping */
	c = (struct live_config){ .description = "a<b>&\"c\" é", .enabled = false,
				  .type = "HLS", .frag_duration = 100,
				  .frag_count = 1, .playlist_name = "x&y.m3u8" };
	c.snapshot = (struct live_snapshot){ .present = true, .role_name = "r",
					     .dest_bucket = "b", .notify_topic = "t",
					     .interval = 7 };
	len = live_config_format(&c, &xml);
	CHECK(len > 0, "format");
	CHECK(strstr(xml, "<Description>a&lt;b&gt;&amp;\"c\" é</Description>") != NULL,
	      "escaped description: %s", xml);
	CHECK(strstr(xml, "  <Snapshot>\n    <RoleName>r</RoleName>\n"
		      "    <DestBucket>b</DestBucket>\n"
		      "    <NotifyTopic>t</NotifyTopic>\n"
		      "    <Interval>7</Interval>\n  </Snapshot>\n") != NULL,
	      "snapshot last");
	CHECK(strstr(xml, "</Target>\n  <Snapshot>") != NULL, "order");
	memset(&back, 0x55, sizeof(back));
	CHECK_INT(0, live_config_parse(xml, (size_t)len, &back, why, sizeof(why)));
	CHECK_STR(c.description, back.description);
	CHECK(config_eq(&c, &back), "round trip everything");
	free(xml);

	/* Not given stays not given */
	c = (struct live_config){ .enabled = true, .type = "HLS" };
	len = live_config_format(&c, &xml);
	CHECK_STR("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		  "<LiveChannelConfiguration>\n"
		  "  <Description></Description>\n"
		  "  <Status>enabled</Status>\n"
		  "  <Target>\n"
		  "    <Type>HLS</Type>\n"
		  "  </Target>\n"
		  "</LiveChannelConfiguration>\n", xml);
	CHECK_INT(0, live_config_parse(xml, (size_t)len, &back, why, sizeof(why)));
	CHECK(config_eq(&c, &back), "round trip, nothing materialised");
	free(xml);
}

static void test_name_check(void)
{
	char name[80];

	CHECK_INT(0, live_name_check("ch1"));
	CHECK_INT(0, live_name_check("live channel 2"));
	CHECK_INT(0, live_name_check("caf\xc3\xa9"));
	CHECK_INT(-EINVAL, live_name_check(""));
	CHECK_INT(-EINVAL, live_name_check(NULL));
	CHECK_INT(-EINVAL, live_name_check("a/b"));
	CHECK_INT(-EINVAL, live_name_check("/a"));
	CHECK_INT(-EINVAL, live_name_check("\\a"));
	CHECK_INT(-EINVAL, live_name_check("."));
	CHECK_INT(-EINVAL, live_name_check(".."));
	CHECK_INT(-EINVAL, live_name_check("a\nb"));
	CHECK_INT(-EINVAL, live_name_check("bad\xff"));
	memset(name, 'a', 63);
	name[63] = '\0';
	CHECK_INT(0, live_name_check(name));
	name[63] = 'a';
	name[64] = '\0';
	CHECK_INT(-ENAMETOOLONG, live_name_check(name));
	memset(name, 'a', 70);
	name[70] = '\0';
	name[3] = '/';
	CHECK_INT(-ENAMETOOLONG, live_name_check(name));
}

/* Equal values written differently are equal; any field that differs is
 * not (what makes re-applying a configuration a no-op, issue 10). */
static void test_equal(void)
{
	const char *a = "<LiveChannelConfiguration><Description></Description>"
		"<Status>enabled</Status><Target><Type>HLS</Type>"
		"<FragDuration>5</FragDuration><FragCount>3</FragCount>"
		"<PlaylistName>playlist.m3u8</PlaylistName></Target>"
		"</LiveChannelConfiguration>";
	const char *b = "<?xml version=\"1.0\"?>\n<LiveChannelConfiguration>\n"
		"\t<Target><PlaylistName>playlist.m3u8</PlaylistName>"
		"<FragCount> 3 </FragCount><FragDuration>5</FragDuration>"
		"<Type>HLS</Type></Target>\n\t<Description/>\n"
		"</LiveChannelConfiguration>\n";
	struct live_config ca, cb;
	char why[256];

	CHECK_INT(0, live_config_parse(a, strlen(a), &ca, why, sizeof(why)));
	CHECK_INT(0, live_config_parse(b, strlen(b), &cb, why, sizeof(why)));
	CHECK(live_config_equal(&ca, &cb), "same values, other bytes");
	cb.frag_count = 4;
	CHECK(!live_config_equal(&ca, &cb), "FragCount differs");
	cb = ca;
	cb.enabled = false;
	CHECK(!live_config_equal(&ca, &cb), "Status differs");
	cb = ca;
	snprintf(cb.description, sizeof(cb.description), "x");
	CHECK(!live_config_equal(&ca, &cb), "Description differs");
	cb = ca;
	cb.snapshot.present = true;
	CHECK(!live_config_equal(&ca, &cb), "Snapshot differs");
}

int main(void)
{
	test_minimal();
	test_full();
	test_prefixes();
	test_malformed();
	test_root_and_dtd();
	test_target_rules();
	test_lengths();
	test_status_and_target();
	test_format();
	test_name_check();
	test_equal();
	return check_summary("test_live_config");
}
