/*
 * OSS error answers: the <Error> body (or the base64 x-oss-err header of a
 * HEAD) parsed into a record, and the record's errno, the table of
 * design §1.  The Code decides when it is one we know; otherwise the HTTP
 * status does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "http/osserr.h"
#include "util/xml.h"

#define MAX_ERROR_XML ((size_t)64 << 10)     /* error bodies parsed at most */

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

int oss_error_parse(const char *buf, size_t len, struct oss_error *err)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	char rid[sizeof(err->request_id)];

	if (len == 0 || len > MAX_ERROR_XML)
		return -EINVAL;
	doc = xml_read(buf, len);
	root = doc ? xml_root(doc, "Error") : NULL;
	if (!root) {
		xmlFreeDoc(doc);
		return -EINVAL;
	}
	xml_child_copy(root, "Code", err->code, sizeof(err->code));
	xml_child_copy(root, "Message", err->message, sizeof(err->message));
	/* An empty RequestId keeps the one the header gave. */
	rid[0] = '\0';
	xml_child_copy(root, "RequestId", rid, sizeof(rid));
	if (rid[0])
		memcpy(err->request_id, rid, sizeof(rid));
	xmlFreeDoc(doc);
	return 0;
}

int oss_error_parse_b64(const char *b64, struct oss_error *err)
{
	size_t len = strlen(b64);
	unsigned char *xml;
	int n, rc;

	xml = malloc(len / 4 * 3 + 4);
	if (!xml)
		return -ENOMEM;
	n = EVP_DecodeBlock(xml, (const unsigned char *)b64, (int)len);
	if (n < 0) {
		free(xml);
		return -EINVAL;
	}
	/* EVP_DecodeBlock counts the '=' padding as zero bytes. */
	while (n > 0 && len > 0 && b64[len - 1] == '=') {
		n--;
		len--;
	}
	rc = oss_error_parse((const char *)xml, (size_t)n, err);
	free(xml);
	return rc;
}
