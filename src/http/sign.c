/*
 * OSS request signatures (spec oss-livechannel-api.md §9):
 *   V1  "OSS ak:base64(HMAC-SHA1(sk, StringToSign))"
 *   V4  "OSS4-HMAC-SHA256 Credential=..,[AdditionalHeaders=..,]Signature=hex"
 *   the RTMP publish-URL signature (always V1-style).
 *
 * The strings are built with open_memstream(); the crypto is OpenSSL's.
 */
#define _GNU_SOURCE    /* asprintf, open_memstream */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "http/sign.h"
#include "util/str.h"

#define V4_ALGORITHM "OSS4-HMAC-SHA256"
#define V4_TERMINATOR "aliyun_v4_request"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

/*
 * V1 sub-resources: the query keys that enter the CanonicalizedResource.
 * The official list (spec §9.2), as the Go SDK's signKeyList has it.
 * Everything else (prefix, marker, max-keys, delimiter, encoding-type and
 * unknown parameters) is not signed in V1.
 */
static const char *const v1_subresources[] = {
	"acl", "uploads", "location", "cors", "logging", "website", "referer",
	"lifecycle", "delete", "append", "tagging", "objectMeta", "uploadId",
	"partNumber", "security-token", "position", "img", "style", "styleName",
	"replication", "replicationProgress", "replicationLocation", "cname",
	"bucketInfo", "comp", "qos", "live", "status", "vod", "startTime",
	"endTime", "symlink", "x-oss-process", "x-oss-traffic-limit",
	"response-content-type", "response-content-language",
	"response-expires", "response-cache-control",
	"response-content-disposition", "response-content-encoding",
	"udf", "udfName", "udfImage", "udfId", "udfImageDesc", "udfApplication",
	"udfApplicationLog", "restore", "callback", "callback-var", "qosInfo",
	"policy", "stat", "encryption", "versions", "versioning", "versionId",
	"requestPayment", "x-oss-request-payer", "sequential", "inventory",
	"inventoryId", "continuation-token", "asyncFetch", "worm", "wormId",
	"wormExtend", "withHashContext", "x-oss-enable-md5", "x-oss-enable-sha1",
	"x-oss-enable-sha256", "x-oss-hash-ctx", "x-oss-md5-ctx",
	"transferAcceleration", "regionList", "cloudboxes", "x-oss-ac-source-ip",
	"x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-ac-forward-allow",
	"metaQuery", "resourceGroup", "rtc", "x-oss-async-process",
	"responseHeader",
};

static int is_v1_subresource(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(v1_subresources) / sizeof(v1_subresources[0]); i++)
		if (strcmp(key, v1_subresources[i]) == 0)
			return 1;
	return 0;
}

/* ---- small string helpers ------------------------------------------- */

static const char *find_header(const struct sign_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (r->headers[i].key && strcasecmp(r->headers[i].key, name) == 0)
			return r->headers[i].value ? r->headers[i].value : "";
	return NULL;
}

static char *lower_dup(const char *s)
{
	char *d = strdup(s);
	char *p;

	if (!d)
		return NULL;
	for (p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Header values are signed without surrounding white space. */
static void put_trimmed(FILE *f, const char *v)
{
	size_t b, n = str_trim_span(v, strlen(v), &b);

	fwrite(v + b, 1, n, f);
}

/* Close a memstream and hand its buffer over, or free it on error. */
static int memstream_finish(FILE *f, char **buf, char **out)
{
	int failed = ferror(f);

	if (fclose(f) != 0 || failed) {
		free(*buf);
		*buf = NULL;
		return -ENOMEM;
	}
	*out = *buf;
	return 0;
}

static void to_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- canonical header blocks (shared by V1 and V4) --------------------- */

struct hdr {
	char *name;          /* lower-case copy */
	const char *value;
	size_t order;        /* position in the request, keeps the sort stable */
};

static int hdr_cmp(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void hdrs_free(struct hdr *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(h[i].name);
	free(h);
}

/* Names a V4 AdditionalHeaders list may keep: not signed by default. */
static int v4_default_signed(const char *lname)
{
	return strcmp(lname, "content-type") == 0 ||
	       strcmp(lname, "content-md5") == 0 ||
	       strncmp(lname, "x-oss-", 6) == 0;
}

static int in_list(const char *lname, char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(lname, list[i]) == 0)
			return 1;
	return 0;
}

/*
 * The headers that are signed, lower-cased and sorted by name: x-oss-*
 * always; for V4 (v4 != 0) also content-type, content-md5 and the names in
 * extra[] (the effective AdditionalHeaders).
 */
static int collect_headers(const struct sign_req *r, int v4,
			   char *const *extra, size_t nextra,
			   struct hdr **out, size_t *nout)
{
	struct hdr *h;
	size_t i, n = 0;

	*out = NULL;
	*nout = 0;
	if (r->nheaders == 0)
		return 0;
	h = calloc(r->nheaders, sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (i = 0; i < r->nheaders; i++) {
		char *lname;
		int want;

		if (!r->headers[i].key)
			continue;
		lname = lower_dup(r->headers[i].key);
		if (!lname) {
			hdrs_free(h, n);
			return -ENOMEM;
		}
		if (v4)
			want = v4_default_signed(lname) ||
			       in_list(lname, extra, nextra);
		else
			want = strncmp(lname, "x-oss-", 6) == 0;
		if (!want) {
			free(lname);
			continue;
		}
		h[n++] = (struct hdr){
			.name = lname,
			.value = r->headers[i].value ? r->headers[i].value : "",
			.order = i,
		};
	}
	qsort(h, n, sizeof(*h), hdr_cmp);
	*out = h;
	*nout = n;
	return 0;
}

/* "name:value\n" per header; a repeated header's values joined by ",". */
static void put_headers(FILE *f, const struct hdr *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
			fputc(',', f);
		} else {
			if (i > 0)
				fputc('\n', f);
			fprintf(f, "%s:", h[i].name);
		}
		put_trimmed(f, h[i].value);
	}
	if (n > 0)
		fputc('\n', f);
}

/* ---- query ordering ------------------------------------------------------ */

struct qitem {
	const char *key;
	const char *value;   /* NULL or "" render as a bare key */
	char *ekey;          /* V4: encoded copies, owned */
	char *evalue;
};

static int qitem_cmp(const void *a, const void *b)
{
	const struct qitem *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return strcmp(x->value ? x->value : "", y->value ? y->value : "");
}

static void put_query_item(FILE *f, const char *k, const char *v, int first)
{
	if (!first)
		fputc('&', f);
	fputs(k, f);
	if (v && *v)
		fprintf(f, "=%s", v);
}

/* ---- V1 ------------------------------------------------------------------- */

static int v1_put_resource(FILE *f, const struct sign_req *r)
{
	struct qitem *q;
	size_t i, n = 0;

	if (!r->bucket || !*r->bucket)
		fputc('/', f);
	else
		fprintf(f, "/%s/%s", r->bucket, r->key ? r->key : "");
	if (r->nquery == 0)
		return 0;
	q = calloc(r->nquery, sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (i = 0; i < r->nquery; i++)
		if (r->query[i].key && is_v1_subresource(r->query[i].key))
			q[n++] = (struct qitem){
				.key = r->query[i].key,
				.value = r->query[i].value,
			};
	qsort(q, n, sizeof(*q), qitem_cmp);
	for (i = 0; i < n; i++) {
		fputc(i == 0 ? '?' : '&', f);
		put_query_item(f, q[i].key, q[i].value, 1);
	}
	free(q);
	return 0;
}

int sign_v1_string(const struct sign_req *r, char **sts)
{
	const char *md5, *type, *date;
	struct hdr *h;
	size_t nh, len;
	char *buf = NULL;
	FILE *f;
	int err;

	*sts = NULL;
	if (!r || !r->method)
		return -EINVAL;
	md5 = find_header(r, "Content-MD5");
	type = find_header(r, "Content-Type");
	/* x-oss-date, when sent, takes the place of Date. */
	date = find_header(r, "x-oss-date");
	if (!date)
		date = find_header(r, "Date");

	err = collect_headers(r, 0, NULL, 0, &h, &nh);
	if (err)
		return err;
	f = open_memstream(&buf, &len);
	if (!f) {
		hdrs_free(h, nh);
		return -ENOMEM;
	}
	fprintf(f, "%s\n%s\n%s\n%s\n", r->method, md5 ? md5 : "",
		type ? type : "", date ? date : "");
	put_headers(f, h, nh);
	hdrs_free(h, nh);
	err = v1_put_resource(f, r);
	if (err) {
		fclose(f);
		free(buf);
		return err;
	}
	return memstream_finish(f, &buf, sts);
}

static int hmac_base64(const EVP_MD *md, const char *key, const char *data,
		       char **out)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char *b64;

	*out = NULL;
	if (!HMAC(md, key, (int)strlen(key), (const unsigned char *)data,
		  strlen(data), mac, &maclen))
		return -ENOMEM;
	b64 = malloc(4 * ((maclen + 2) / 3) + 1);
	if (!b64)
		return -ENOMEM;
	EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
	*out = b64;
	return 0;
}

int sign_v1_authorization(const struct sign_req *r, const char *ak,
			  const char *sk, char **sts, char **authorization)
{
	char *s = NULL, *sig = NULL;
	int err;

	*authorization = NULL;
	if (sts)
		*sts = NULL;
	if (!ak || !sk)
		return -EINVAL;
	err = sign_v1_string(r, &s);
	if (err)
		return err;
	err = hmac_base64(EVP_sha1(), sk, s, &sig);
	if (!err && asprintf(authorization, "OSS %s:%s", ak, sig) < 0) {
		*authorization = NULL;
		err = -ENOMEM;
	}
	free(sig);
	if (!err && sts)
		*sts = s;
	else
		free(s);
	return err;
}

/* ---- V4 ------------------------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strs_free(char **s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

/*
 * The effective AdditionalHeaders: lower-cased, sorted, de-duplicated names
 * of headers that are present and not signed by default anyway.
 */
static int v4_additional(const struct sign_req *r, char ***out, size_t *nout)
{
	char **names;
	size_t i, n = 0;

	*out = NULL;
	*nout = 0;
	if (!r->additional || r->nadditional == 0)
		return 0;
	names = calloc(r->nadditional, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (i = 0; i < r->nadditional; i++) {
		char *l;

		if (!r->additional[i] || !find_header(r, r->additional[i]))
			continue;
		l = lower_dup(r->additional[i]);
		if (!l) {
			strs_free(names, n);
			return -ENOMEM;
		}
		if (v4_default_signed(l) || in_list(l, names, n)) {
			free(l);
			continue;
		}
		names[n++] = l;
	}
	qsort(names, n, sizeof(*names), str_cmp);
	*out = names;
	*nout = n;
	return 0;
}

char *sign_uri_encode(const char *s, int keep_slash)
{
	char *esc, *out;
	size_t i, j;

	if (!s)
		return NULL;
	/* curl keeps exactly the RFC 3986 unreserved set (curl >= 7.82
	 * accepts a NULL handle here). */
	esc = curl_easy_escape(NULL, s, 0);
	if (!esc)
		return NULL;
	out = malloc(strlen(esc) + 1);
	if (!out) {
		curl_free(esc);
		return NULL;
	}
	for (i = 0, j = 0; esc[i]; ) {
		if (keep_slash && strncmp(esc + i, "%2F", 3) == 0) {
			out[j++] = '/';
			i += 3;
		} else if (esc[i] == '%') {
			/* copy the whole escape, so "%252F" stays intact */
			memcpy(out + j, esc + i, 3);
			i += 3;
			j += 3;
		} else {
			out[j++] = esc[i++];
		}
	}
	out[j] = '\0';
	curl_free(esc);
	return out;
}

static void qitems_free(struct qitem *q, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(q[i].ekey);
		free(q[i].evalue);
	}
	free(q);
}

/* Every query parameter, key and value encoded, sorted by encoded key. */
static int v4_put_query(FILE *f, const struct sign_req *r)
{
	struct qitem *q;
	size_t i, n = 0;

	if (r->nquery == 0)
		return 0;
	q = calloc(r->nquery, sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (i = 0; i < r->nquery; i++) {
		if (!r->query[i].key)
			continue;
		q[n].ekey = sign_uri_encode(r->query[i].key, 0);
		if (r->query[i].value)
			q[n].evalue = sign_uri_encode(r->query[i].value, 0);
		n++;
		if (!q[n - 1].ekey || (r->query[i].value && !q[n - 1].evalue)) {
			qitems_free(q, n);
			return -ENOMEM;
		}
		q[n - 1].key = q[n - 1].ekey;
		q[n - 1].value = q[n - 1].evalue;
	}
	qsort(q, n, sizeof(*q), qitem_cmp);
	for (i = 0; i < n; i++)
		put_query_item(f, q[i].key, q[i].value, i == 0);
	qitems_free(q, n);
	return 0;
}

static int v4_canonical_uri(const struct sign_req *r, char **out)
{
	char *path;

	if (r->bucket && *r->bucket) {
		if (asprintf(&path, "/%s/%s", r->bucket, r->key ? r->key : "") < 0)
			return -ENOMEM;
	} else {
		if (asprintf(&path, "/%s", r->key ? r->key : "") < 0)
			return -ENOMEM;
	}
	*out = sign_uri_encode(path, 1);
	free(path);
	return *out ? 0 : -ENOMEM;
}

static int v4_canonical_request(const struct sign_req *r, char *const *add,
				size_t nadd, char **out)
{
	const char *payload = find_header(r, "x-oss-content-sha256");
	struct hdr *h = NULL;
	size_t nh = 0, len, i;
	char *uri = NULL, *buf = NULL;
	FILE *f;
	int err;

	*out = NULL;
	err = v4_canonical_uri(r, &uri);
	if (err)
		return err;
	err = collect_headers(r, 1, add, nadd, &h, &nh);
	if (err) {
		free(uri);
		return err;
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		free(uri);
		hdrs_free(h, nh);
		return -ENOMEM;
	}
	fprintf(f, "%s\n%s\n", r->method, uri);
	free(uri);
	err = v4_put_query(f, r);
	fputc('\n', f);
	put_headers(f, h, nh);
	hdrs_free(h, nh);
	fputc('\n', f);
	for (i = 0; i < nadd; i++)
		fprintf(f, "%s%s", i ? ";" : "", add[i]);
	fprintf(f, "\n%s", payload ? payload : UNSIGNED_PAYLOAD);
	if (err) {
		fclose(f);
		free(buf);
		return err;
	}
	return memstream_finish(f, &buf, out);
}

static int hmac256(const unsigned char *key, size_t keylen, const char *data,
		   unsigned char out[32])
{
	unsigned int len = 0;

	if (!HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
		  strlen(data), out, &len) || len != 32)
		return -ENOMEM;
	return 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("aliyun_v4" + sk, day), region), product),
 *                 "aliyun_v4_request") */
static int v4_signing_key(const char *sk, const char *day, const char *region,
			  const char *product, unsigned char key[32])
{
	char *secret;
	int err;

	if (asprintf(&secret, "aliyun_v4%s", sk) < 0)
		return -ENOMEM;
	err = hmac256((unsigned char *)secret, strlen(secret), day, key);
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	if (!err)
		err = hmac256(key, 32, region, key);
	if (!err)
		err = hmac256(key, 32, product, key);
	if (!err)
		err = hmac256(key, 32, V4_TERMINATOR, key);
	return err;
}

static int sha256_hex(const char *s, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL))
		return -ENOMEM;
	to_hex(md, len, out);
	return 0;
}

/* Everything after the canonical request: StringToSign and Authorization. */
static int v4_finish(const char *canonical, char *const *add, size_t nadd,
		     const char *ak, const char *sk, const char *region,
		     const char *product, time_t t, char **sts_out,
		     char **authorization)
{
	char iso[17], day[9], hash[65], sighex[65], *sts = NULL;
	char *auth = NULL;
	unsigned char key[32], sig[32];
	size_t len, i;
	FILE *f;
	int err;

	sign_iso8601_basic(t, iso);
	memcpy(day, iso, 8);
	day[8] = '\0';
	err = sha256_hex(canonical, hash);
	if (err)
		return err;
	if (asprintf(&sts, V4_ALGORITHM "\n%s\n%s/%s/%s/" V4_TERMINATOR "\n%s",
		     iso, day, region, product, hash) < 0)
		return -ENOMEM;
	err = v4_signing_key(sk, day, region, product, key);
	if (!err)
		err = hmac256(key, 32, sts, sig);
	OPENSSL_cleanse(key, sizeof(key));
	if (err) {
		free(sts);
		return err;
	}
	to_hex(sig, 32, sighex);

	f = open_memstream(&auth, &len);
	if (!f) {
		free(sts);
		return -ENOMEM;
	}
	fprintf(f, V4_ALGORITHM " Credential=%s/%s/%s/%s/" V4_TERMINATOR,
		ak, day, region, product);
	if (nadd > 0) {
		fputs(",AdditionalHeaders=", f);
		for (i = 0; i < nadd; i++)
			fprintf(f, "%s%s", i ? ";" : "", add[i]);
	}
	fprintf(f, ",Signature=%s", sighex);
	err = memstream_finish(f, &auth, authorization);
	if (err || !sts_out)
		free(sts);
	else
		*sts_out = sts;
	return err;
}

int sign_v4_authorization(const struct sign_req *r, const char *ak,
			  const char *sk, const char *region,
			  const char *product, time_t t, char **canonical,
			  char **sts, char **authorization)
{
	char **add = NULL, *creq = NULL;
	size_t nadd = 0;
	int err;

	*authorization = NULL;
	if (canonical)
		*canonical = NULL;
	if (sts)
		*sts = NULL;
	if (!r || !r->method || !ak || !sk || !region || !*region)
		return -EINVAL;
	/* The scope names the bare region: "oss-cn-hangzhou" -> "cn-hangzhou". */
	if (strncmp(region, "oss-", 4) == 0)
		region += 4;
	if (!product || !*product)
		product = "oss";

	err = v4_additional(r, &add, &nadd);
	if (err)
		return err;
	err = v4_canonical_request(r, add, nadd, &creq);
	if (!err)
		err = v4_finish(creq, add, nadd, ak, sk, region, product, t,
				sts, authorization);
	strs_free(add, nadd);
	if (!err && canonical)
		*canonical = creq;
	else
		free(creq);
	return err;
}

/* ---- dates ---------------------------------------------------------------- */

void sign_iso8601_basic(time_t t, char out[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) == 0)
		out[0] = '\0';
}

/* The names are filled in by hand rather than with strftime("%a", "%b") so
 * that the locale never changes a signed string; numeric fields are
 * locale-independent. */
void sign_http_date(time_t t, char out[30])
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, 30, "Day, %d Mon %Y %H:%M:%S GMT", &tm) == 0) {
		out[0] = '\0';
		return;
	}
	memcpy(out, days[tm.tm_wday], 3);
	memcpy(out + 8, months[tm.tm_mon], 3);
}

/* ---- RTMP ----------------------------------------------------------------- */

int sign_rtmp(const char *bucket, const char *channel, const char *playlist,
	      const char *token, long expires, const char *sk, char **sts,
	      char **signature)
{
	bool pl = playlist && *playlist, tok = token && *token;
	char *s = NULL;
	int n, err;

	*signature = NULL;
	if (sts)
		*sts = NULL;
	if (!bucket || !channel || !sk)
		return -EINVAL;
	/* The extra parameters, sorted by name: playlistName, security-token.
	 * Empty ones are never sent (spec §8.3). */
	n = asprintf(&s, "%ld\n%s%s%s%s%s%s/%s/%s", expires,
		     pl ? "playlistName:" : "", pl ? playlist : "", pl ? "\n" : "",
		     tok ? "security-token:" : "", tok ? token : "", tok ? "\n" : "",
		     bucket, channel);
	if (n < 0)
		return -ENOMEM;
	err = hmac_base64(EVP_sha1(), sk, s, signature);
	if (!err && sts)
		*sts = s;
	else
		free(s);
	return err;
}
