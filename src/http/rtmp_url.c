/* The signed RTMP publish URL of a channel (spec §9.6). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_i.h"

int req_rtmp_url(struct req_engine *e, const char *base, const char *channel,
		 const char *playlist, long expires_in, char **url)
{
	long expires = (long)time(NULL) + expires_in;
	char *sts = NULL, *sig = NULL, *ech = NULL, *esig = NULL;
	char *eak = NULL, *epl = NULL;
	const char *token = e->creds->security_token;
	bool has_pl = playlist && *playlist, has_tok = token && *token;
	char *etok = NULL, *prefix = NULL;
	int err, n;

	*url = NULL;
	if (!channel || !*channel)
		return -EINVAL;
	/* An STS key's URL carries its token, signed as python and Java do
	 * (spec §8.2): without it OSS cannot know the temporary key. */
	err = sign_rtmp(e->bucket, channel, has_pl ? playlist : NULL, token,
			expires, e->creds->access_key_secret, &sts, &sig);
	if (err)
		return err;
	err = -ENOMEM;
	ech = sign_uri_encode(channel, 0);
	esig = sign_uri_encode(sig, 0);
	eak = sign_uri_encode(e->creds->access_key_id, 0);
	epl = has_pl ? sign_uri_encode(playlist, 0) : NULL;
	etok = has_tok ? sign_uri_encode(token, 0) : NULL;
	if (!ech || !esig || !eak || (has_pl && !epl) || (has_tok && !etok))
		goto out;
	/* The URL OSS gave for the channel, else one made from the endpoint. */
	if (base && *base)
		n = asprintf(&prefix, "%s%c", base, strchr(base, '?') ? '&' : '?');
	else
		n = asprintf(&prefix, "rtmp://%s%s%s/live/%s?",
			     e->path_style ? "" : e->bucket,
			     e->path_style ? "" : ".", e->host, ech);
	if (n < 0) {
		prefix = NULL;
		goto out;
	}
	n = asprintf(url, "%sOSSAccessKeyId=%s&Expires=%ld&Signature=%s%s%s%s%s",
		     prefix, eak, expires, esig,
		     has_pl ? "&playlistName=" : "", has_pl ? epl : "",
		     has_tok ? "&security-token=" : "", has_tok ? etok : "");
	if (n < 0)
		*url = NULL;
	else
		err = 0;
out:
	free(prefix);
	free(sts);
	free(sig);
	free(ech);
	free(esig);
	free(eak);
	free(epl);
	free(etok);
	return err;
}

