/* The LiveChannel calls (spec §5): one function per OSS operation on top of
 * the request engine.  Bodies are built and parsed in live_config.c and
 * live_xml.c; this file is requests and error records. */
#define _GNU_SOURCE        /* asprintf */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "live.h"
#include "api.h"
#include "live_xml.h"
#include "req.h"
#include "xml.h"

#define PAGE_KEYS "1000"

static void set_error(struct oss_error *err, long status, const char *code,
		      const char *fmt, const char *op)
{
	if (!err)
		return;
	oss_error_clear(err);
	err->status = status;
	snprintf(err->code, sizeof(err->code), "%s", code);
	snprintf(err->message, sizeof(err->message), fmt, op);
}

/* A channel name that would address something else never leaves here. */
static int check_name(const char *name, const char *op, struct oss_error *err)
{
	int rc = live_name_check(name);

	if (rc == -ENAMETOOLONG)
		set_error(err, 0, "InvalidArgument",
			  "%s: channel name must be shorter than 64 bytes", op);
	else if (rc)
		set_error(err, 0, "InvalidArgument",
			  "%s: invalid channel name", op);
	return rc;
}

/* A 2xx answer whose body is not what the operation returns. */
static int bad_body(const struct req_resp *resp, const char *op,
		    struct oss_error *err)
{
	return api_bad_answer(resp, op, "the answer is not the expected XML document",
			      err);
}

/* A call whose only output is its status. */
static int simple(struct req_engine *e, const struct req *r,
		  struct oss_error *err)
{
	struct req_resp resp;
	int rc = api_perform(e, r, &resp, err);

	req_resp_free(&resp);
	return rc;
}

/* --- ListLiveChannel ------------------------------------------------- */

static int list_page(struct req_engine *e, const char *prefix,
		     const char *marker, const char *max_keys,
		     struct live_list *out, char **next, struct oss_error *err)
{
	struct req_param q[4] = {
		{ "live", NULL },
		{ "max-keys", max_keys },
	};
	size_t nq = 2;
	struct req_resp resp;
	int rc;

	nq = api_add_paging(q, nq, prefix, marker);
	rc = api_perform(e, &(struct req){ .method = "GET", .query = q,
				       .nquery = nq }, &resp, err);
	out->requests++;
	if (rc == 0) {
		rc = live_parse_list(resp.body, resp.body_len, out, next);
		if (rc == -EIO)
			bad_body(&resp, "ListLiveChannel", err);
	}
	req_resp_free(&resp);
	return rc;
}

struct live_pages {
	struct req_engine *e;
	const char *prefix;
	struct live_list *out;
};

static int live_page(void *arg, const char *marker, char **next,
		     struct oss_error *err)
{
	struct live_pages *p = arg;

	return list_page(p->e, p->prefix, marker, PAGE_KEYS, p->out, next, err);
}

int live_list(struct req_engine *e, const char *prefix, struct live_list *out,
	      struct oss_error *err)
{
	struct live_pages p = { .e = e, .prefix = prefix, .out = out };
	int rc;

	*out = (struct live_list){ 0 };
	rc = api_page_all("ListLiveChannel", live_page, &p, err);
	if (rc) {
		int requests = out->requests;

		live_list_free(out);
		out->requests = requests;
	}
	return rc;
}

int live_probe(struct req_engine *e, struct oss_error *err)
{
	struct live_list l = { 0 };
	char *next = NULL;
	int rc = list_page(e, NULL, NULL, "1", &l, &next, err);

	free(next);
	live_list_free(&l);
	return rc;
}

/* The first name listed with prefix=name is name itself when it exists:
 * no other name with that prefix sorts before it.  One request, whatever
 * the number of channels. */
int live_lookup(struct req_engine *e, const char *name,
		struct live_channel *out, struct oss_error *err)
{
	struct live_list l = { 0 };
	char *next = NULL;
	int rc;

	rc = check_name(name, "ListLiveChannel", err);
	if (rc)
		return rc;
	rc = list_page(e, name, NULL, "1", &l, &next, err);
	free(next);
	if (rc == 0 && (l.n == 0 || strcmp(l.items[0].name, name) != 0))
		rc = -ENOENT;
	if (rc == 0) {
		*out = l.items[0];
		l.items[0] = (struct live_channel){ 0 };
	}
	live_list_free(&l);
	return rc;
}

/* --- one channel ----------------------------------------------------- */

static int put_body(const struct live_config *c, char **body)
{
	xmlDocPtr doc = live_config_doc(c, false);
	int rc;

	if (!doc)
		return -ENOMEM;
	rc = xml_format(doc, body);
	xmlFreeDoc(doc);
	return rc;
}

int live_put(struct req_engine *e, const char *name,
	     const struct live_config *c, struct live_urls *urls,
	     struct oss_error *err)
{
	static const struct req_header h[] = {
		{ "Content-Type", "application/xml" },
	};
	static const struct req_param q[] = { { "live", NULL } };
	struct req_resp resp;
	char *body = NULL;
	int rc, len;

	if (urls)
		*urls = (struct live_urls){ 0 };
	rc = check_name(name, "PutLiveChannel", err);
	if (rc)
		return rc;
	len = put_body(c, &body);
	if (len < 0)
		return len;
	rc = api_perform(e, &(struct req){ .method = "PUT", .key = name,
				       .query = q, .nquery = 1,
				       .headers = h, .nheaders = 1,
				       .body = body, .body_len = (size_t)len },
		     &resp, err);
	free(body);
	if (rc == 0 && urls) {
		rc = live_parse_create(resp.body, resp.body_len, urls);
		if (rc == -EIO)
			bad_body(&resp, "PutLiveChannel", err);
	}
	req_resp_free(&resp);
	return rc;
}

int live_get_info(struct req_engine *e, const char *name,
		  struct live_config *out, struct oss_error *err)
{
	static const struct req_param q[] = { { "live", NULL } };
	struct req_resp resp;
	char why[160];
	int rc;

	rc = check_name(name, "GetLiveChannelInfo", err);
	if (rc)
		return rc;
	rc = api_perform(e, &(struct req){ .method = "GET", .key = name,
				       .query = q, .nquery = 1 }, &resp, err);
	if (rc == 0) {
		rc = live_parse_info(resp.body, resp.body_len, out, why,
				     sizeof(why));
		if (rc == -EIO) {
			bad_body(&resp, "GetLiveChannelInfo", err);
			if (err)
				snprintf(err->message, sizeof(err->message),
					 "GetLiveChannelInfo: %s", why);
		}
	}
	req_resp_free(&resp);
	return rc;
}

int live_put_status(struct req_engine *e, const char *name, bool enabled,
		    struct oss_error *err)
{
	const struct req_param q[] = {
		{ "live", NULL },
		{ "status", enabled ? "enabled" : "disabled" },
	};
	int rc = check_name(name, "PutLiveChannelStatus", err);

	if (rc)
		return rc;
	return simple(e, &(struct req){ .method = "PUT", .key = name,
					.query = q, .nquery = 2 }, err);
}

int live_delete(struct req_engine *e, const char *name, struct oss_error *err)
{
	static const struct req_param q[] = { { "live", NULL } };
	int rc = check_name(name, "DeleteLiveChannel", err);

	if (rc)
		return rc;
	return simple(e, &(struct req){ .method = "DELETE", .key = name,
					.query = q, .nquery = 1 }, err);
}

int live_get_stat(struct req_engine *e, const char *name, struct live_stat *out,
		  struct oss_error *err)
{
	static const struct req_param q[] = {
		{ "live", NULL }, { "comp", "stat" },
	};
	struct req_resp resp;
	int rc;

	rc = check_name(name, "GetLiveChannelStat", err);
	if (rc)
		return rc;
	rc = api_perform(e, &(struct req){ .method = "GET", .key = name,
				       .query = q, .nquery = 2 }, &resp, err);
	if (rc == 0) {
		rc = live_parse_stat(resp.body, resp.body_len, out);
		if (rc == -EIO)
			bad_body(&resp, "GetLiveChannelStat", err);
	}
	req_resp_free(&resp);
	return rc;
}

int live_get_history(struct req_engine *e, const char *name,
		     struct live_history *out, struct oss_error *err)
{
	static const struct req_param q[] = {
		{ "live", NULL }, { "comp", "history" },
	};
	struct req_resp resp;
	int rc;

	rc = check_name(name, "GetLiveChannelHistory", err);
	if (rc)
		return rc;
	rc = api_perform(e, &(struct req){ .method = "GET", .key = name,
				       .query = q, .nquery = 2 }, &resp, err);
	if (rc == 0) {
		rc = live_parse_history(resp.body, resp.body_len, out);
		if (rc == -EIO)
			bad_body(&resp, "GetLiveChannelHistory", err);
	}
	req_resp_free(&resp);
	return rc;
}

/* --- VOD playlists --------------------------------------------------- */

int live_post_vod(struct req_engine *e, const char *name, const char *playlist,
		  time_t start, time_t end, struct oss_error *err)
{
	char s[24], t[24];
	const struct req_param q[] = {
		{ "vod", NULL }, { "startTime", s }, { "endTime", t },
	};
	char *key;
	int rc;

	rc = check_name(name, "PostVodPlaylist", err);
	if (rc)
		return rc;
	if (!playlist || !playlist[0] || strchr(playlist, '/')) {
		set_error(err, 0, "InvalidArgument", "%s: invalid playlist name",
			  "PostVodPlaylist");
		return -EINVAL;
	}
	snprintf(s, sizeof(s), "%" PRIdMAX, (intmax_t)start);
	snprintf(t, sizeof(t), "%" PRIdMAX, (intmax_t)end);
	if (asprintf(&key, "%s/%s", name, playlist) < 0)
		return -ENOMEM;
	/* Empty body: the engine sends Content-Length: 0. */
	rc = simple(e, &(struct req){ .method = "POST", .key = key,
				      .query = q, .nquery = 3 }, err);
	free(key);
	return rc;
}

int live_get_vod(struct req_engine *e, const char *name, time_t start,
		 time_t end, char **m3u8, size_t *len, struct oss_error *err)
{
	char s[24], t[24];
	const struct req_param q[] = {
		{ "vod", NULL }, { "startTime", s }, { "endTime", t },
	};
	struct req_resp resp;
	int rc;

	*m3u8 = NULL;
	*len = 0;
	rc = check_name(name, "GetVodPlaylist", err);
	if (rc)
		return rc;
	snprintf(s, sizeof(s), "%" PRIdMAX, (intmax_t)start);
	snprintf(t, sizeof(t), "%" PRIdMAX, (intmax_t)end);
	rc = api_perform(e, &(struct req){ .method = "GET", .key = name,
				       .query = q, .nquery = 3 }, &resp, err);
	if (rc == 0) {
		/* Hand the body over rather than copying it. */
		*m3u8 = resp.body ? resp.body : strdup("");
		*len = resp.body ? resp.body_len : 0;
		resp.body = NULL;
		if (!*m3u8)
			rc = -ENOMEM;
	}
	req_resp_free(&resp);
	return rc;
}

int live_publish_url(struct req_engine *e, const char *name,
		     const char *playlist, long expires_in, char **url)
{
	int rc = live_name_check(name);

	*url = NULL;
	if (rc)
		return rc;
	return req_rtmp_url(e, name, playlist, expires_in, url);
}
