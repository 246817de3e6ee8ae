/* The endpoint (url=, region=, bucket) checked once, and the URL of each
 * request: virtual-hosted or path style, the key and query RFC 3986
 * encoded as the signature has them. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine_i.h"

bool url_host_is_ip(const char *hostname)
{
	struct in_addr a4;

	if (hostname[0] == '[')         /* curl keeps IPv6 literals bracketed */
		return true;
	return inet_pton(AF_INET, hostname, &a4) == 1;
}

static bool region_chars_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

/*
 * The bare region: region= (an "oss-" prefix dropped), else from an
 * "oss-<region>.aliyuncs.com" or "oss-<region>-internal.aliyuncs.com" host.
 */
int url_find_region(const char *cfg_region, const char *hostname,
		       char **out, char *msg, size_t msglen)
{
	const char *start, *dot;
	size_t len;

	if (cfg_region && *cfg_region) {
		if (strncmp(cfg_region, "oss-", 4) == 0)
			cfg_region += 4;
		if (!region_chars_ok(cfg_region, strlen(cfg_region))) {
			snprintf(msg, msglen, "region=%s is not a region id "
				 "(expected e.g. cn-hangzhou)", cfg_region);
			return -EINVAL;
		}
		*out = strdup(cfg_region);
		return *out ? 0 : -ENOMEM;
	}
	start = hostname + 4;
	dot = strchr(hostname, '.');
	if (strncasecmp(hostname, "oss-", 4) != 0 || !dot ||
	    strcasecmp(dot, ".aliyuncs.com") != 0) {
		snprintf(msg, msglen, "cannot tell the region from host %s: "
			 "give region=ID (e.g. region=cn-hangzhou)", hostname);
		return -EINVAL;
	}
	len = (size_t)(dot - start);
	if (len > 9 && strncasecmp(dot - 9, "-internal", 9) == 0)
		len -= 9;
	if (!region_chars_ok(start, len)) {
		snprintf(msg, msglen, "cannot tell the region from host %s: "
			 "give region=ID", hostname);
		return -EINVAL;
	}
	*out = strndup(start, len);
	return *out ? 0 : -ENOMEM;
}

bool url_bucket_ok(const char *b)
{
	const char *p;

	if (!b || !*b)
		return false;
	for (p = b; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

static bool is_default_port(const char *scheme, const char *port)
{
	return (strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0) ||
	       (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0);
}

/* url as it may be shown: "user:password@" becomes "***@", wherever the
 * authority starts (curl reads "AK:SK@host" as a host too). */
static const char *url_shown(const char *url, char *out, size_t outlen)
{
	const char *s = strstr(url, "://"), *at, *end;

	s = s ? s + 3 : url;
	end = s + strcspn(s, "/?#");
	at = memrchr(s, '@', (size_t)(end - s));
	if (!at)
		return url;
	snprintf(out, outlen, "%.*s***%s", (int)(s - url), url, at);
	return out;
}

/* Refuses what url= must not hold: user information (credentials belong
 * in passwd_file or the environment, and would be printed and sent), a
 * scheme other than http and https, a path or a query. */
static int url_check(CURLU *u, const char *shown, const char *scheme,
		     char *msg, size_t msglen)
{
	char *user = NULL, *path = NULL, *query = NULL;
	int err = -EINVAL;

	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		snprintf(msg, msglen, "url=%s: user information is not allowed "
			 "in the URL; give credentials in passwd_file or the "
			 "environment", shown);
	else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		snprintf(msg, msglen, "url=%s: only http and https are supported",
			 shown);
	else if ((curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
		  strcmp(path, "/") != 0) ||
		 curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK)
		snprintf(msg, msglen, "url=%s: give only scheme, host and port "
			 "(no path or query)", shown);
	else
		err = 0;
	curl_free(user);
	curl_free(path);
	curl_free(query);
	return err;
}

/* Split url= into scheme and host[:port] with curl's URL parser. */
int url_parse(struct req_engine *e, const char *url, char **hostname,
		     char *msg, size_t msglen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	char shown_buf[1024];
	const char *shown = url_shown(url, shown_buf, sizeof(shown_buf));
	int err = -EINVAL;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(msg, msglen, "url=%s is not a URL "
			 "(expected http[s]://host[:port])", shown);
		goto out;
	}
	if (url_check(u, shown, scheme, msg, msglen))
		goto out;
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK ||
	    is_default_port(scheme, port)) {
		curl_free(port);
		port = NULL;
	}
	err = -ENOMEM;
	e->scheme = strdup(scheme);
	*hostname = strdup(host);
	if (port) {
		if (asprintf(&e->host, "%s:%s", host, port) < 0)
			e->host = NULL;
	} else {
		e->host = strdup(host);
	}
	if (e->scheme && e->host && *hostname)
		err = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return err;
}

/*
 * The parameters that go on the wire and into the signature: an ordinary
 * parameter with an empty value is dropped, because servers disagree on
 * how to sign it (spec §8.5); a NULL value is a bare sub-resource.
 */
int url_filter_query(const struct req *r, struct http_kv **out, size_t *n)
{
	struct http_kv *q;
	size_t i;

	*out = NULL;
	*n = 0;
	if (r->nquery == 0)
		return 0;
	q = calloc(r->nquery, sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (i = 0; i < r->nquery; i++) {
		const struct http_kv *p = &r->query[i];

		if (!p->key || !*p->key) {
			free(q);
			return -EINVAL;
		}
		if (p->value && !*p->value)
			continue;
		q[(*n)++] = (struct http_kv){ .key = p->key, .value = p->value };
	}
	*out = q;
	return 0;
}

static int put_encoded(FILE *f, const char *s, int keep_slash)
{
	char *enc = sign_uri_encode(s, keep_slash);

	if (!enc)
		return -ENOMEM;
	fputs(enc, f);
	free(enc);
	return 0;
}

int url_build(const struct req_engine *e, const char *key,
		     const struct http_kv *q, size_t nq, char **url)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	int err = 0;

	if (!f)
		return -ENOMEM;
	if (e->path_style)
		fprintf(f, "%s://%s/%s/", e->scheme, e->host, e->bucket);
	else
		fprintf(f, "%s://%s.%s/", e->scheme, e->bucket, e->host);
	if (key && *key)
		err = put_encoded(f, key, 1);
	for (i = 0; i < nq && !err; i++) {
		fputc(i == 0 ? '?' : '&', f);
		err = put_encoded(f, q[i].key, 0);
		if (!err && q[i].value) {
			fputc('=', f);
			err = put_encoded(f, q[i].value, 0);
		}
	}
	if (fclose(f) != 0 && !err)
		err = -ENOMEM;
	if (err) {
		free(buf);
		return err;
	}
	*url = buf;
	return 0;
}

