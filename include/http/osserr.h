/* OSS error replies and their errno. */
#ifndef OSSLIVEFS_OSSERR_H
#define OSSLIVEFS_OSSERR_H

#include <stddef.h>

/* What a failed request tells us.  status is 0 when no HTTP answer came
 * (network error, time-out); code then names the curl failure. */
struct oss_error {
	long status;
	char code[64];
	char message[256];
	char request_id[64];
};

/* The errno table of design §1 for one OSS answer: status + Code (+ Message
 * for "No ts file found").  Returns a negative errno. */
int oss_errno(long status, const char *code, const char *message);

/* An <Error> body into err's Code, Message and RequestId (a RequestId
 * already there stays when the body has none): 0, or -EINVAL when buf is
 * not an OSS error document. */
int oss_error_parse(const char *buf, size_t len, struct oss_error *err);
/* The same from the base64 x-oss-err header of a HEAD answer. */
int oss_error_parse_b64(const char *b64, struct oss_error *err);

/* Clear an error record. */
void oss_error_clear(struct oss_error *err);

#endif
