/* The OSS operation a request is, from its method, whether it names a key,
 * and its sub-resources: one table, in the API reference's names (which
 * are also the emulator's /-/stats names), for the metrics. */
#include <stdbool.h>
#include <string.h>

#include "http/req.h"

struct op_row {
	const char *method;
	bool key;                       /* a channel or object key is named */
	const char *sub;                /* sub-resource present; NULL: none */
	const char *param;              /* another parameter present, or NULL */
	const char *value;              /* its value, or NULL for any */
	const char *name;
};

/* The first row that matches wins: the more precise rows come first. */
static const struct op_row op_rows[] = {
	{ "GET",    false, "live", NULL,     NULL,      "ListLiveChannel" },
	{ "PUT",    true,  "live", "status", NULL,      "PutLiveChannelStatus" },
	{ "PUT",    true,  "live", NULL,     NULL,      "PutLiveChannel" },
	{ "GET",    true,  "live", "comp",   "stat",    "GetLiveChannelStat" },
	{ "GET",    true,  "live", "comp",   "history", "GetLiveChannelHistory" },
	{ "GET",    true,  "live", "comp",   NULL,      "Other" },
	{ "GET",    true,  "live", NULL,     NULL,      "GetLiveChannelInfo" },
	{ "DELETE", true,  "live", NULL,     NULL,      "DeleteLiveChannel" },
	{ "POST",   true,  "vod",  NULL,     NULL,      "PostVodPlaylist" },
	{ "GET",    true,  "vod",  NULL,     NULL,      "GetVodPlaylist" },
	{ "GET",    false, NULL,   NULL,     NULL,      "ListObjects" },
	{ "GET",    true,  NULL,   NULL,     NULL,      "GetObject" },
	{ "HEAD",   true,  NULL,   NULL,     NULL,      "HeadObject" },
	{ "PUT",    true,  NULL,   NULL,     NULL,      "PutObject" },
	{ "DELETE", true,  NULL,   NULL,     NULL,      "DeleteObject" },
};

static const struct http_kv *param_of(const struct req *r, const char *key)
{
	for (size_t i = 0; i < r->nquery; i++)
		if (r->query[i].key && strcmp(r->query[i].key, key) == 0)
			return &r->query[i];
	return NULL;
}

static bool row_matches(const struct op_row *o, const struct req *r)
{
	const struct http_kv *p;

	if (strcmp(o->method, r->method) != 0 ||
	    o->key != (r->key && r->key[0]))
		return false;
	if (o->sub ? !param_of(r, o->sub)
		   : param_of(r, "live") || param_of(r, "vod"))
		return false;
	if (!o->param)
		return true;
	p = param_of(r, o->param);
	return p && (!o->value || (p->value && strcmp(p->value, o->value) == 0));
}

const char *req_op_name(const struct req *r)
{
	for (size_t i = 0; i < sizeof(op_rows) / sizeof(op_rows[0]); i++)
		if (row_matches(&op_rows[i], r))
			return op_rows[i].name;
	return "Other";
}
