/* Credentials, found in the order of design §2. */
#ifndef OSSLIVEFS_CREDS_H
#define OSSLIVEFS_CREDS_H

#include <stddef.h>

struct creds {
	char *access_key_id;
	char *access_key_secret;
	char *security_token;   /* NULL unless STS */
	char source[256];       /* where they came from, for messages: a path or "environment" */
};

/*
 * Find credentials for bucket: passwd_file (when not NULL), then the
 * environment, then ~/.passwd-ossfs, then /etc/passwd-ossfs.  On failure
 * returns a negative errno and writes one precise sentence into msg
 * (naming the file, the line and the rule).  Never puts a secret in msg.
 */
int creds_load(struct creds *c, const char *bucket, const char *passwd_file,
	       char *msg, size_t msglen);
/* Parse one credentials file (used by creds_load, exposed for tests). */
int creds_load_file(struct creds *c, const char *bucket, const char *path,
		    int allow_group, char *msg, size_t msglen);
void creds_free(struct creds *c);

#endif
