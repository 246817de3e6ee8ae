/* OSS request signatures: V1 (HMAC-SHA1), V4 (OSS4-HMAC-SHA256), RTMP URL. */
#ifndef OSSLIVEFS_SIGN_H
#define OSSLIVEFS_SIGN_H

#include <stddef.h>
#include <time.h>

#include "http/kv.h"

struct sign_req {
	const char *method;              /* "GET", "PUT", ... */
	const char *bucket;              /* NULL: no bucket */
	const char *key;                 /* raw object key; NULL or "" for bucket level */
	const struct http_kv *query;
	size_t nquery;
	const struct http_kv *headers;   /* every header that will be sent (name: value) */
	size_t nheaders;
	const char *const *additional;   /* V4 AdditionalHeaders names (lower-case), or NULL */
	size_t nadditional;
};

/* All out strings are malloc'd and NUL-terminated; callers free them.
 * Functions return 0 or a negative errno (-ENOMEM, -EINVAL). */

/* V1: the StringToSign, and "OSS <ak>:<signature>". */
int sign_v1_string(const struct sign_req *r, char **sts);
int sign_v1_authorization(const struct sign_req *r, const char *ak,
			  const char *sk, char **sts, char **authorization);

/* V4: region is bare ("cn-hangzhou"; an "oss-" prefix is stripped), product
 * is "oss" (or "oss-cloudbox"), t is the signing time that x-oss-date holds.
 * canonical and sts may be NULL when not wanted. */
int sign_v4_authorization(const struct sign_req *r, const char *ak,
			  const char *sk, const char *region,
			  const char *product, time_t t, char **canonical,
			  char **sts, char **authorization);

/* "YYYYMMDDTHHMMSSZ" and RFC 1123 "Wed, 28 Dec 2022 10:27:41 GMT". */
void sign_iso8601_basic(time_t t, char out[17]);
void sign_http_date(time_t t, char out[30]);

/* RTMP publish URL signature (spec §9.6): base64 (not URL-encoded).
 * playlist and token (STS) may be NULL or ""; a token is signed as the
 * python and Java SDKs do (spec §8.2). */
int sign_rtmp(const char *bucket, const char *channel, const char *playlist,
	      const char *token, long expires, const char *sk, char **sts,
	      char **signature);

/* RFC 3986 percent-encoding: unreserved kept, everything else %XX upper hex;
 * keep_slash keeps '/' (for paths). */
char *sign_uri_encode(const char *s, int keep_slash);

#endif
