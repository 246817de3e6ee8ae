/* OSS error replies and their errno. */
#ifndef OSSLIVEFS_OSSERR_H
#define OSSLIVEFS_OSSERR_H

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

/* Clear an error record. */
void oss_error_clear(struct oss_error *err);

#endif
