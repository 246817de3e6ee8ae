/*
 * The requests live.c and obj.c send and how they read the answers, with
 * the request engine replaced by a script: each req_perform() records the
 * request and plays the next canned answer.  (The real engine is tested
 * against the emulator in tests/test_live_api.py.)
 */
#define _GNU_SOURCE        /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "check.h"
#include "oss/live.h"
#include "oss/obj.h"
#include "http/req.h"

struct answer {
	long status;
	const char *body;
	const char *code;
	const char *message;
	const char *content_range;
	const char *last_modified;
	const char *etag;
	long long content_length;
};

#define MAX_CALLS 8

static struct answer script[MAX_CALLS];
static int nscript, ncalls;
static char seen[MAX_CALLS][1024];    /* "METHOD key?query | headers | body" */

static void play(const struct answer *a, int n)
{
	memset(script, 0, sizeof(script));
	if (n)
		memcpy(script, a, sizeof(*a) * (size_t)n);
	nscript = n;
	ncalls = 0;
	memset(seen, 0, sizeof(seen));
}

static void record(const struct req *r, char *out, size_t size)
{
	size_t pos = 0;

	pos += (size_t)snprintf(out + pos, size - pos, "%s %s", r->method,
				r->key ? r->key : "");
	for (size_t i = 0; i < r->nquery; i++)
		pos += (size_t)snprintf(out + pos, size - pos, "%c%s%s%s",
					i ? '&' : '?', r->query[i].key,
					r->query[i].value ? "=" : "",
					r->query[i].value ? r->query[i].value : "");
	pos += (size_t)snprintf(out + pos, size - pos, " |");
	for (size_t i = 0; i < r->nheaders; i++)
		pos += (size_t)snprintf(out + pos, size - pos, " %s: %s",
					r->headers[i].key, r->headers[i].value);
	snprintf(out + pos, size - pos, " | %.*s", (int)r->body_len,
		 r->body ? r->body : "");
}

/* --- the engine, scripted -------------------------------------------- */

static size_t last_recv_cap;

/* A 2xx body into the caller's buffer, as the engine writes it. */
static int recv_into(const struct req *r, const char *body, struct req_resp *resp)
{
	size_t n = strlen(body);

	if (n > r->recv_cap) {
		snprintf(resp->err.code, sizeof(resp->err.code), "ResponseTooLarge");
		return -EIO;
	}
	memcpy(r->recv_buf, body, n);
	resp->body_len = n;
	return 0;
}

int req_perform(struct req_engine *e, const struct req *r, struct req_resp *resp)
{
	const struct answer *a;

	(void)e;
	if (ncalls >= nscript) {
		fprintf(stderr, "unexpected request %d\n", ncalls);
		exit(1);
	}
	record(r, seen[ncalls], sizeof(seen[ncalls]));
	last_recv_cap = r->recv_buf ? r->recv_cap : 0;
	a = &script[ncalls++];
	*resp = (struct req_resp){ .status = a->status,
				   .content_length = a->content_length };
	if (a->body && r->recv_buf && a->status >= 200 && a->status < 300) {
		if (recv_into(r, a->body, resp))
			return -EIO;
	} else if (a->body) {
		resp->body = strdup(a->body);
		resp->body_len = strlen(a->body);
	}
	snprintf(resp->content_range, sizeof(resp->content_range), "%s",
		 a->content_range ? a->content_range : "");
	snprintf(resp->last_modified, sizeof(resp->last_modified), "%s",
		 a->last_modified ? a->last_modified : "");
	resp->mtime = a->last_modified ? curl_getdate(a->last_modified, NULL) : -1;
	snprintf(resp->etag, sizeof(resp->etag), "%s", a->etag ? a->etag : "");
	if (a->status >= 200 && a->status < 300)
		return 0;
	resp->err.status = a->status;
	snprintf(resp->err.code, sizeof(resp->err.code), "%s", a->code ? a->code : "");
	snprintf(resp->err.message, sizeof(resp->err.message), "%s",
		 a->message ? a->message : "");
	snprintf(resp->err.request_id, sizeof(resp->err.request_id), "RID%d", ncalls);
	return oss_errno(a->status, a->code, a->message);
}

void req_resp_free(struct req_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
}

int req_rtmp_url(struct req_engine *e, const char *base, const char *channel,
		 const char *playlist, long expires_in, char **url)
{
	(void)e;
	if (!base)
		base = "rtmp://x/live/";
	return asprintf(url, "%s%s?e=%ld%s%s", base, channel, expires_in,
			playlist ? "&playlistName=" : "", playlist ? playlist : "") < 0 ?
		-ENOMEM : 0;
}

/* --- tests ----------------------------------------------------------- */

#define E ((struct req_engine *)0x1)
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void test_list_pages(void)
{
	const struct answer a[] = {
		{ .status = 200, .body = "<ListLiveChannelResult><IsTruncated>true</IsTruncated>"
		       "<NextMarker>b</NextMarker><LiveChannel><Name>a</Name></LiveChannel>"
		       "<LiveChannel><Name>b</Name></LiveChannel></ListLiveChannelResult>" },
		{ .status = 200, .body = "<ListLiveChannelResult><IsTruncated>true</IsTruncated>"
		       "<LiveChannel><Name>c d</Name></LiveChannel></ListLiveChannelResult>" },
		{ .status = 200, .body = "<ListLiveChannelResult><IsTruncated>false</IsTruncated>"
		       "<LiveChannel><Name>e</Name></LiveChannel></ListLiveChannelResult>" },
	};
	struct live_list l;
	struct oss_error err;

	play(a, N(a));
	CHECK_INT(0, live_list(E, "p", &l, &err));
	CHECK_INT(3, ncalls);
	CHECK_INT(3, l.requests);
	CHECK_INT(4, l.n);
	CHECK_STR("c d", l.items[2].name);
	CHECK_STR("GET ?live&max-keys=1000&prefix=p | | ", seen[0]);
	CHECK_STR("GET ?live&max-keys=1000&prefix=p&marker=b | | ", seen[1]);
	CHECK_STR("GET ?live&max-keys=1000&prefix=p&marker=c d | | ", seen[2]);
	live_list_free(&l);

	/* no prefix: none sent (never an empty ordinary parameter) */
	play(a + 2, 1);
	CHECK_INT(0, live_list(E, "", &l, &err));
	CHECK_STR("GET ?live&max-keys=1000 | | ", seen[0]);
	live_list_free(&l);

	/* a marker that does not advance stops with EIO */
	const struct answer loop[] = {
		{ .status = 200, .body = "<ListLiveChannelResult><IsTruncated>true</IsTruncated>"
		       "<NextMarker>b</NextMarker></ListLiveChannelResult>" },
		{ .status = 200, .body = "<ListLiveChannelResult><IsTruncated>true</IsTruncated>"
		       "<NextMarker>b</NextMarker></ListLiveChannelResult>" },
	};
	play(loop, N(loop));
	CHECK_INT(-EIO, live_list(E, NULL, &l, &err));
	CHECK_INT(2, l.requests);
	CHECK(l.items == NULL && l.n == 0, "nothing half-listed");
	CHECK_STR("InvalidResponse", err.code);

	/* an error on page 2: the errno, the record, nothing half-listed */
	const struct answer fail[] = {
		a[0],
		{ .status = 403, .body = "", .code = "AccessDenied", .message = "denied" },
	};
	play(fail, N(fail));
	CHECK_INT(-EACCES, live_list(E, NULL, &l, &err));
	CHECK_INT(0, l.n);
	CHECK_INT(403, err.status);
	CHECK_STR("AccessDenied", err.code);
	CHECK_STR("RID2", err.request_id);

	/* the probe: one page of one */
	play(a + 2, 1);
	CHECK_INT(0, live_probe(E, &err));
	CHECK_STR("GET ?live&max-keys=1 | | ", seen[0]);
}

static void test_channel_calls(void)
{
	const struct answer created[] = {
		{ .status = 200, .body = "<CreateLiveChannelResult><PublishUrls><Url>rtmp://h/live/ch</Url>"
		       "</PublishUrls><PlayUrls><Url>http://h/ch/p.m3u8</Url></PlayUrls>"
		       "</CreateLiveChannelResult>" },
	};
	const struct answer empty[] = { { .status = 200 } };
	const struct answer deleted[] = { { .status = 204 } };
	struct live_config c;
	struct live_urls u;
	struct oss_error err;

	live_config_default(&c, 5, 3, "p.m3u8");
	play(created, 1);
	CHECK_INT(0, live_put(E, "ch", &c, &u, &err));
	CHECK_STR("PUT ch?live | Content-Type: application/xml | "
		  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		  "<LiveChannelConfiguration>\n  <Target>\n    <Type>HLS</Type>\n"
		  "    <FragDuration>5</FragDuration>\n    <FragCount>3</FragCount>\n"
		  "    <PlaylistName>p.m3u8</PlaylistName>\n  </Target>\n"
		  "</LiveChannelConfiguration>\n", seen[0]);
	CHECK_STR("rtmp://h/live/ch", u.publish_url);
	CHECK_STR("http://h/ch/p.m3u8", u.play_url);
	live_urls_free(&u);
	play(created, 1);
	CHECK_INT(0, live_put(E, "ch", &c, NULL, &err));

	const struct answer garbage[] = { { .status = 200, .body = "\x00\xff<<garbage>>" } };
	play(garbage, 1);
	CHECK_INT(-EIO, live_put(E, "ch", &c, &u, &err));
	CHECK_STR("InvalidResponse", err.code);
	CHECK(u.publish_url == NULL, "no url");

	play(empty, 1);
	CHECK_INT(0, live_put_status(E, "ch", false, &err));
	CHECK_STR("PUT ch?live&status=disabled | | ", seen[0]);
	play(empty, 1);
	CHECK_INT(0, live_put_status(E, "ch", true, &err));
	CHECK_STR("PUT ch?live&status=enabled | | ", seen[0]);
	play(deleted, 1);
	CHECK_INT(0, live_delete(E, "ch", &err));
	CHECK_STR("DELETE ch?live | | ", seen[0]);

	const struct answer busy[] = { { .status = 409, .body = "", .code = "ChannelStillLive", .message = "live" } };
	play(busy, 1);
	CHECK_INT(-EBUSY, live_delete(E, "ch", &err));
	CHECK_STR("ChannelStillLive", err.code);

	const struct answer info[] = {
		{ .status = 200, .body = "<LiveChannelConfiguration><Description/><Status>disabled</Status>"
		       "<Target><Type>HLS</Type><FragDuration>2</FragDuration>"
		       "<FragCount>3</FragCount><PlaylistName>playlist.m3u8</PlaylistName>"
		       "</Target></LiveChannelConfiguration>" },
	};
	play(info, 1);
	CHECK_INT(0, live_get_info(E, "my ch", &c, &err));
	CHECK_STR("GET my ch?live | | ", seen[0]);
	CHECK(!c.enabled && c.frag_duration == 2, "info parsed");
	const struct answer bad_info[] = {
		{ .status = 200, .body = "<LiveChannelConfiguration><Target><Type>RTMP</Type></Target>"
		       "</LiveChannelConfiguration>" },
	};
	play(bad_info, 1);
	CHECK_INT(-EIO, live_get_info(E, "ch", &c, &err));
	CHECK_STR("GetLiveChannelInfo: Target/Type must be HLS", err.message);

	const struct answer stat[] = {
		{ .status = 200, .body = "<LiveChannelStat><Status>Idle</Status></LiveChannelStat>" },
	};
	struct live_stat st;
	play(stat, 1);
	CHECK_INT(0, live_get_stat(E, "ch", &st, &err));
	CHECK_STR("GET ch?live&comp=stat | | ", seen[0]);
	CHECK_INT(LIVE_IDLE, st.state);

	const struct answer hist[] = { { .status = 200, .body = "<LiveChannelHistory/>" } };
	struct live_history h;
	play(hist, 1);
	CHECK_INT(0, live_get_history(E, "ch", &h, &err));
	CHECK_STR("GET ch?live&comp=history | | ", seen[0]);
	CHECK_INT(0, h.n);

	/* names are checked before anything is sent */
	play(NULL, 0);
	CHECK_INT(-ENAMETOOLONG, live_get_stat(E, "0123456789012345678901234567890123456789"
					       "012345678901234567890123", &st, &err));
	CHECK_INT(-EINVAL, live_get_info(E, "a/b", &c, &err));
	CHECK_INT(-EINVAL, live_put(E, "", &c, NULL, &err));
	CHECK_STR("InvalidArgument", err.code);
	CHECK_INT(0, ncalls);
}

static void test_vod(void)
{
	const struct answer empty[] = { { .status = 200 } };
	const struct answer m3u8[] = { { .status = 200, .body = "#EXTM3U\n#EXT-X-ENDLIST\n" } };
	const struct answer nots[] = {
		{ .status = 400, .body = "", .code = "InvalidArgument", .message = "No ts file found in specified time span." },
	};
	struct oss_error err;
	char *text, *url;
	size_t len;

	play(empty, 1);
	CHECK_INT(0, live_post_vod(E, "ch", "v.m3u8", 1700000000, 1700003600, &err));
	CHECK_STR("POST ch/v.m3u8?vod&startTime=1700000000&endTime=1700003600 | | ", seen[0]);
	play(nots, 1);
	CHECK_INT(-ENODATA, live_post_vod(E, "ch", "v.m3u8", 1, 2, &err));
	play(NULL, 0);
	CHECK_INT(-EINVAL, live_post_vod(E, "ch", "a/v.m3u8", 1, 2, &err));
	CHECK_INT(0, ncalls);

	play(m3u8, 1);
	CHECK_INT(0, live_get_vod(E, "ch", 10, 20, &text, &len, &err));
	CHECK_STR("GET ch?vod&startTime=10&endTime=20 | | ", seen[0]);
	CHECK_STR("#EXTM3U\n#EXT-X-ENDLIST\n", text);
	CHECK_INT(strlen(text), len);
	free(text);

	CHECK_INT(0, live_publish_url(E, "ch", NULL, "p.m3u8", 60, &url));
	CHECK_STR("rtmp://x/live/ch?e=60&playlistName=p.m3u8", url);
	free(url);
	CHECK_INT(0, live_publish_url(E, "ch", "rtmp://127.0.0.1:1935/live/", NULL, 60, &url));
	CHECK_STR("rtmp://127.0.0.1:1935/live/ch?e=60", url);
	free(url);
	CHECK_INT(-ENAMETOOLONG, live_publish_url(E, "0123456789012345678901234567890123456789"
						  "012345678901234567890123", NULL, NULL, 60,
						  &url));
	CHECK(url == NULL, "no url");
}

static void test_obj(void)
{
	const struct answer pages[] = {
		{ .status = 200, .body = "<ListBucketResult><IsTruncated>true</IsTruncated>"
		       "<Contents><Key>ch/</Key><Size>0</Size></Contents>"
		       "<Contents><Key>ch/a.ts</Key><Size>5</Size>"
		       "<LastModified>2016-08-25T06:25:15.000Z</LastModified></Contents>"
		       "</ListBucketResult>" },
		{ .status = 200, .body = "<ListBucketResult><IsTruncated>false</IsTruncated>"
		       "<Contents><Key>ch/b.ts</Key><Size>7</Size></Contents>"
		       "<CommonPrefixes><Prefix>ch/x/</Prefix></CommonPrefixes>"
		       "</ListBucketResult>" },
	};
	struct obj_list l;
	struct oss_error err;

	play(pages, N(pages));
	CHECK_INT(0, obj_list(E, "ch/", &l, &err));
	CHECK_STR("GET ?delimiter=/&max-keys=1000&prefix=ch/&encoding-type=url | | ", seen[0]);
	/* no NextMarker: resume after the last key */
	CHECK_STR("GET ?delimiter=/&max-keys=1000&prefix=ch/&marker=ch/a.ts&encoding-type=url | | ", seen[1]);
	CHECK_INT(2, l.requests);
	CHECK_INT(2, l.n);
	CHECK_STR("a.ts", l.items[0].name);
	CHECK_INT(5, l.items[0].size);
	CHECK_INT(1472106315, l.items[0].mtime);
	CHECK_STR("b.ts", l.items[1].name);
	obj_list_free(&l);
}

static void test_get_range(void)
{
	const struct answer partial[] = {
		{ .status = 206, .body = "0123", .content_range = "bytes 10-13/100",
		  .etag = "\"5B3C\"", .last_modified = "Fri, 25 Aug 2016 06:25:15 GMT" },
	};
	const struct answer whole[] = { { .status = 200, .body = "abcdefghij" } };
	const struct answer past[] = { { .status = 416, .body = "", .code = "InvalidRange", .message = "range" } };
	const struct answer wrong[] = {
		{ .status = 206, .body = "0123", .content_range = "bytes 0-3/100" },
	};
	const struct answer missing[] = { { .status = 404, .body = "", .code = "NoSuchKey", .message = "no" } };
	struct oss_error err;
	struct obj_version ver, other;
	char buf[16];
	size_t got;

	play(partial, 1);
	CHECK_INT(0, obj_get_range(E, "ch/a.ts", 10, 4, buf, &got, &ver, &err));
	/* the version of the bytes: what a reader checks its next ranges by */
	CHECK_STR("\"5B3C\"", ver.etag);
	CHECK_INT(1472106315, ver.mtime);
	other = ver;
	CHECK(!obj_version_differs(&ver, &other), "same version");
	snprintf(other.etag, sizeof(other.etag), "\"5B3D\"");
	CHECK(obj_version_differs(&ver, &other), "another ETag");
	other.etag[0] = '\0';          /* no ETag: Last-Modified decides */
	CHECK(!obj_version_differs(&ver, &other), "no ETag, same Last-Modified");
	other.mtime++;
	CHECK(obj_version_differs(&ver, &other), "no ETag, another Last-Modified");
	CHECK_STR("GET ch/a.ts | Range: bytes=10-13 x-oss-range-behavior: standard | ",
		  seen[0]);
	CHECK_INT(4, got);
	CHECK(memcmp(buf, "0123", 4) == 0, "bytes");
	/* curl writes into the caller's buffer, never more than asked for */
	CHECK_INT(4, last_recv_cap);
	/* the Range ignored: the object from its start is right at offset 0 */
	play(whole, 1);
	CHECK_INT(0, obj_get_range(E, "k", 0, 16, buf, &got, NULL, &err));
	CHECK_INT(10, got);
	CHECK(memcmp(buf, "abcdefghij", 10) == 0, "whole");
	/* ...and a bad answer elsewhere: its bytes are not the ones asked for */
	play(whole, 1);
	CHECK_INT(-EIO, obj_get_range(E, "k", 3, 16, buf, &got, NULL, &err));
	CHECK_INT(0, got);
	/* longer than asked for: refused, nothing written past the buffer */
	play(whole, 1);
	CHECK_INT(-EIO, obj_get_range(E, "k", 0, 4, buf, &got, NULL, &err));
	play(past, 1);
	CHECK_INT(0, obj_get_range(E, "k", 100, 16, buf, &got, NULL, &err));
	CHECK_INT(0, got);
	play(wrong, 1);
	CHECK_INT(-EIO, obj_get_range(E, "k", 10, 4, buf, &got, NULL, &err));
	play(missing, 1);
	CHECK_INT(-ENOENT, obj_get_range(E, "k", 0, 4, buf, &got, NULL, &err));
	CHECK_STR("NoSuchKey", err.code);
	play(NULL, 0);
	CHECK_INT(0, obj_get_range(E, "k", 0, 0, buf, &got, NULL, &err));
	CHECK_INT(0, ncalls);
}

static void test_head_delete(void)
{
	const struct answer head[] = {
		{ .status = 200, .content_length = 3072,
		  .last_modified = "Fri, 25 Aug 2016 06:25:15 GMT" },
	};
	const struct answer gone[] = { { .status = 404, .content_length = -1 } };
	const struct answer deleted[] = { { .status = 204 } };
	struct oss_error err;
	off_t size;
	time_t mtime;

	play(head, 1);
	CHECK_INT(0, obj_head(E, "ch/a.ts", &size, &mtime, &err));
	CHECK_STR("HEAD ch/a.ts | | ", seen[0]);
	CHECK_INT(3072, size);
	CHECK_INT(1472106315, mtime);
	play(gone, 1);
	CHECK_INT(-ENOENT, obj_head(E, "ch/a.ts", &size, &mtime, &err));
	CHECK_INT(404, err.status);
	play(deleted, 1);
	CHECK_INT(0, obj_delete(E, "ch/a.ts", &err));
	CHECK_STR("DELETE ch/a.ts | | ", seen[0]);
}

int main(void)
{
	test_list_pages();
	test_channel_calls();
	test_vod();
	test_obj();
	test_get_range();
	test_head_delete();
	return check_summary("test_live_calls");
}
