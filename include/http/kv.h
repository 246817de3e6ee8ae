/* A query parameter or a header: the one key/value pair of the http layer. */
#ifndef OSSLIVEFS_HTTP_KV_H
#define OSSLIVEFS_HTTP_KV_H

/* Query values are raw (not yet encoded); a NULL value is a value-less
 * parameter such as "?live". */
struct http_kv {
	const char *key;
	const char *value;
};

#endif
