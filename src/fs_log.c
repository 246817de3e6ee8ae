/* One log line per failed file operation: the operation, the path, the
 * errno, and why (a local check) or what OSS said. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "log.h"

void fs_log_fail(const char *op, const char *path, int errnum,
		 const char *why, const struct oss_error *err)
{
	const char *name;
	char oss[512] = "";

	errnum = abs(errnum);
	name = strerrorname_np(errnum);
	if (err && err->code[0])
		snprintf(oss, sizeof(oss), ": OSS %ld %s \"%s\" RequestId %s",
			 err->status, err->code, err->message,
			 err->request_id[0] ? err->request_id : "-");
	log_warn("%s %s: %s (%s)%s%s%s", op, path, strerror(errnum),
		 name ? name : "?", why && why[0] ? ": " : "",
		 why ? why : "", oss);
}
