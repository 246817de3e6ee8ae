/* One log line per failed file operation: the operation, the path, the
 * errno, and why (a local check) or what OSS said. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_i.h"
#include "util/log.h"
#include "util/str.h"

void fs_log_fail(const char *op, const char *path, int errnum,
		 const char *why, const struct oss_error *err)
{
	char epath[1024], ecode[128], emsg[512], eid[128], ewhy[1024];
	const char *name;
	char oss[900] = "";

	errnum = abs(errnum);
	name = strerrorname_np(errnum);
	if (err && err->code[0])
		snprintf(oss, sizeof(oss), ": OSS %ld %s \"%s\" RequestId %s",
			 err->status, str_escape(err->code, ecode, sizeof(ecode)),
			 str_escape(err->message, emsg, sizeof(emsg)),
			 err->request_id[0] ? str_escape(err->request_id, eid, sizeof(eid))
					    : "-");
	log_warn("%s %s: %s (%s)%s%s%s", op, str_escape(path, epath, sizeof(epath)),
		 strerror(errnum), name ? name : "?", why && why[0] ? ": " : "",
		 str_escape(why, ewhy, sizeof(ewhy)), oss);
}

int fs_fail(const char *op, const char *path, int ret, const char *why,
	    const struct oss_error *err)
{
	if (ret != -ENOENT || why || (err && err->code[0]))
		fs_log_fail(op, path, ret, why, err);
	return ret;
}
