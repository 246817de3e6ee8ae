/*
 * The request engine (design §3, the http layer): its life cycle and a
 * pool of curl handles sharing one connection cache.  URLs are url.c's,
 * signed headers headers.c's, one request with its retries perform.c's,
 * answers response.c's and OSS error bodies osserr.c's.  Only the http
 * layer talks to libcurl.
 *
 * Threads: an engine is shared by all FUSE threads.  Each request takes an
 * easy handle from a small free list; every handle is attached to one
 * CURLSH that shares the DNS cache, the connection cache and TLS sessions,
 * so a kept-alive connection opened by one thread is reused by the next.
 *
 * Lifetimes: the engine keeps cfg->creds by pointer (it must outlive the
 * engine) and copies everything else.  curl_global_init runs with the
 * first live engine and curl_global_cleanup with the last req_engine_free.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>

#include "engine_i.h"
#include "util/xml.h"

/* ---- process-wide initialisation ------------------------------------ */

/*
 * curl_global_init/cleanup are paired by a count of live engines, so the
 * last req_engine_free releases everything curl holds (ASan sees no leak).
 */
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned global_users;

static int global_get(void)
{
	CURLcode rc = CURLE_OK;

	xml_init();
	pthread_mutex_lock(&global_lock);
	if (global_users == 0)
		rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc == CURLE_OK)
		global_users++;
	pthread_mutex_unlock(&global_lock);
	return rc == CURLE_OK ? 0 : -ENOMEM;
}

static void global_put(void)
{
	pthread_mutex_lock(&global_lock);
	if (global_users > 0 && --global_users == 0)
		curl_global_cleanup();
	pthread_mutex_unlock(&global_lock);
}

static void share_lock_cb(CURL *h, curl_lock_data data,
			  curl_lock_access access, void *userptr)
{
	struct req_engine *e = userptr;

	(void)h;
	(void)access;
	pthread_mutex_lock(&e->share_lock[data]);
}

static void share_unlock_cb(CURL *h, curl_lock_data data, void *userptr)
{
	struct req_engine *e = userptr;

	(void)h;
	pthread_mutex_unlock(&e->share_lock[data]);
}

static int share_init(struct req_engine *e)
{
	int i;

	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&e->share_lock[i], NULL);
	pthread_mutex_init(&e->pool_lock, NULL);
	e->share = curl_share_init();
	if (!e->share)
		return -ENOMEM;
	curl_share_setopt(e->share, CURLSHOPT_LOCKFUNC, share_lock_cb);
	curl_share_setopt(e->share, CURLSHOPT_UNLOCKFUNC, share_unlock_cb);
	curl_share_setopt(e->share, CURLSHOPT_USERDATA, e);
	curl_share_setopt(e->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(e->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(e->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

static int check_config(const struct req_config *cfg, char *msg, size_t msglen)
{
	const struct creds *c = cfg->creds;

	if (!cfg->url || !*cfg->url) {
		snprintf(msg, msglen, "no url= given");
		return -EINVAL;
	}
	if (!url_bucket_ok(cfg->bucket)) {
		snprintf(msg, msglen, "bucket name '%s' is not valid",
			 cfg->bucket ? cfg->bucket : "");
		return -EINVAL;
	}
	if (!c || !c->access_key_id || !*c->access_key_id ||
	    !c->access_key_secret || !*c->access_key_secret) {
		snprintf(msg, msglen, "no credentials");
		return -EINVAL;
	}
	if (cfg->retries < 0 || cfg->connect_timeout < 0 || cfg->timeout < 0) {
		snprintf(msg, msglen, "retries, connect_timeout and timeout "
			 "must not be negative");
		return -EINVAL;
	}
	return 0;
}

int req_engine_new(const struct req_config *cfg, struct req_engine **out,
		   char *msg, size_t msglen)
{
	struct req_engine *e;
	char *hostname = NULL;
	int err;

	*out = NULL;
	err = check_config(cfg, msg, msglen);
	if (err)
		return err;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	err = global_get();
	if (err) {
		free(e);
		snprintf(msg, msglen, "cannot initialise libcurl");
		return err;
	}
	err = share_init(e);
	if (!err)
		err = url_parse(e, cfg->url, &hostname, msg, msglen);
	if (!err)
		err = url_find_region(cfg->region, hostname, &e->region, msg, msglen);
	if (!err) {
		e->bucket = strdup(cfg->bucket);
		if (!e->bucket)
			err = -ENOMEM;
	}
	if (!err) {
		e->path_style = cfg->path_style ||
				url_host_is_ip(hostname);
		e->sigv1 = cfg->sigv1;
		e->creds = cfg->creds;
		e->retries = cfg->retries;
		e->connect_timeout = cfg->connect_timeout;
		e->timeout = cfg->timeout;
		if (cfg->cafile && !(e->cafile = strdup(cfg->cafile)))
			err = -ENOMEM;
	}
	free(hostname);
	if (err) {
		if (err == -ENOMEM)
			snprintf(msg, msglen, "out of memory");
		req_engine_free(e);
		return err;
	}
	*out = e;
	return 0;
}

void req_engine_free(struct req_engine *e)
{
	size_t i;
	int j;

	if (!e)
		return;
	/* Easy handles first: the share may only go once nothing uses it. */
	for (i = 0; i < e->npool; i++)
		curl_easy_cleanup(e->pool[i]);
	if (e->share)
		curl_share_cleanup(e->share);
	for (j = 0; j < CURL_LOCK_DATA_LAST; j++)
		pthread_mutex_destroy(&e->share_lock[j]);
	pthread_mutex_destroy(&e->pool_lock);
	free(e->scheme);
	free(e->host);
	free(e->bucket);
	free(e->region);
	free(e->cafile);
	free(e);
	global_put();
}

const char *req_engine_region(const struct req_engine *e)
{
	return e->region;
}

const char *req_engine_host(const struct req_engine *e)
{
	return e->host;
}

bool req_engine_path_style(const struct req_engine *e)
{
	return e->path_style;
}

/* ---- the handle pool ------------------------------------------------- */

CURL *pool_get(struct req_engine *e)
{
	CURL *c = NULL;

	pthread_mutex_lock(&e->pool_lock);
	if (e->npool > 0)
		c = e->pool[--e->npool];
	pthread_mutex_unlock(&e->pool_lock);
	if (c)
		return c;
	c = curl_easy_init();
	/* curl_easy_reset keeps the share, so this is set once. */
	if (c)
		curl_easy_setopt(c, CURLOPT_SHARE, e->share);
	return c;
}

void pool_put(struct req_engine *e, CURL *c)
{
	pthread_mutex_lock(&e->pool_lock);
	if (e->npool < POOL_MAX) {
		e->pool[e->npool++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&e->pool_lock);
	if (c)
		curl_easy_cleanup(c);
}

/* ---- versions ----------------------------------------------------------- */

void req_library_versions(const char **curl, const char **openssl,
			  const char **libxml2)
{
	static char xml[32];
	int v = atoi(xmlParserVersion);     /* "20914" is 2.9.14 */

	snprintf(xml, sizeof(xml), "%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
	*curl = curl_version_info(CURLVERSION_NOW)->version;
	*openssl = OpenSSL_version(OPENSSL_VERSION);
	*libxml2 = xml;
}
