/* One log line per failed file operation: the operation, the path, the
 * errno, and why (a local check) or what OSS said. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_i.h"
#include "util/log.h"

/* Names and OSS messages are not ours: a newline in a channel name must
 * not start a forged log line.  Control bytes and '\\' become \xNN;
 * UTF-8 stays readable. */
static const char *escape(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; s && *s && o + 5 < outlen; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f || ch == '\\')
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	return out;
}

void fs_log_fail(const char *op, const char *path, int errnum,
		 const char *why, const struct oss_error *err)
{
	char epath[1024], ecode[128], emsg[512], eid[128];
	const char *name;
	char oss[900] = "";

	errnum = abs(errnum);
	name = strerrorname_np(errnum);
	if (err && err->code[0])
		snprintf(oss, sizeof(oss), ": OSS %ld %s \"%s\" RequestId %s",
			 err->status, escape(err->code, ecode, sizeof(ecode)),
			 escape(err->message, emsg, sizeof(emsg)),
			 err->request_id[0] ? escape(err->request_id, eid, sizeof(eid))
					    : "-");
	log_warn("%s %s: %s (%s)%s%s%s", op, escape(path, epath, sizeof(epath)),
		 strerror(errnum), name ? name : "?", why && why[0] ? ": " : "",
		 why ? why : "", oss);
}

int fs_fail(const char *op, const char *path, int ret, const char *why,
	    const struct oss_error *err)
{
	if (ret != -ENOENT || why || (err && err->code[0]))
		fs_log_fail(op, path, ret, why, err);
	return ret;
}
