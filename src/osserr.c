/*
 * OSS error answers -> errno, the table of design §1.
 *
 * The Code decides when it is one we know; otherwise the HTTP status does.
 */
#include <errno.h>
#include <string.h>

#include "osserr.h"

struct code_errno {
	const char *code;
	int err;
};

static const struct code_errno code_table[] = {
	{ "InvalidArgument",       -EINVAL },
	{ "MalformedXML",          -EINVAL },
	{ "InvalidDigest",         -EINVAL },
	{ "InvalidObjectName",     -EINVAL },
	{ "InvalidBucketName",     -EINVAL },
	{ "NoSuchLiveChannel",     -ENOENT },
	{ "NoSuchKey",             -ENOENT },
	{ "NoSuchBucket",          -ENOENT },
	{ "ChannelStillLive",      -EBUSY },
	{ "AccessDenied",          -EACCES },
	{ "SignatureDoesNotMatch", -EACCES },
	{ "InvalidAccessKeyId",    -EACCES },
	{ "RequestTimeTooSkewed",  -EACCES },
	{ "SecurityTokenExpired",  -EACCES },
	{ "InvalidSecurityToken",  -EACCES },
};

/* PostVodPlaylist over a range without segments: 400 InvalidArgument with
 * this Message.  It is not a bad argument to the user, it is "no data". */
#define NO_TS_MESSAGE "No ts file found"

static int code_errno(const char *code)
{
	size_t i;

	if (!code || !*code)
		return 0;
	for (i = 0; i < sizeof(code_table) / sizeof(code_table[0]); i++)
		if (strcmp(code, code_table[i].code) == 0)
			return code_table[i].err;
	return 0;
}

int oss_errno(long status, const char *code, const char *message)
{
	int err;

	/* No HTTP answer (network, time-out): code names the curl failure. */
	if (status == 0)
		return -EIO;
	if (status >= 200 && status < 300)
		return 0;
	/* Server trouble and throttling are EIO whatever the body says. */
	if (status >= 500 || status == 429)
		return -EIO;
	if (message && strstr(message, NO_TS_MESSAGE))
		return -ENODATA;
	err = code_errno(code);
	if (err)
		return err;
	if (status == 403)
		return -EACCES;
	/* HEAD answers carry no body, so no Code: the status is all we have. */
	if (status == 404)
		return -ENOENT;
	return -EIO;
}

void oss_error_clear(struct oss_error *err)
{
	memset(err, 0, sizeof(*err));
}
