/* The errno table of design §1, row by row. */
#include <errno.h>

#include "http/osserr.h"
#include "check.h"

struct row {
	long status;
	const char *code;
	const char *message;
	int err;
};

static const struct row rows[] = {
	/* invalid values */
	{ 400, "InvalidArgument", "The value of FragCount is invalid.", -EINVAL },
	{ 400, "MalformedXML", "The XML you provided was not well-formed.", -EINVAL },
	{ 400, "InvalidDigest", "The Content-MD5 you specified is not valid.", -EINVAL },
	{ 400, "InvalidObjectName", "The specified object is not valid.", -EINVAL },
	/* a VOD range without segments */
	{ 400, "InvalidArgument", "No ts file found in specified time span.", -ENODATA },
	{ 400, "InvalidArgument", "No ts file found", -ENODATA },
	/* not found */
	{ 404, "NoSuchLiveChannel", "The specified live channel does not exist.", -ENOENT },
	{ 404, "NoSuchKey", "The specified key does not exist.", -ENOENT },
	{ 404, "NoSuchBucket", "The specified bucket does not exist.", -ENOENT },
	{ 404, "", "", -ENOENT },          /* HEAD: no body */
	{ 404, NULL, NULL, -ENOENT },
	/* busy */
	{ 409, "ChannelStillLive", "The live channel is still live.", -EBUSY },
	/* access */
	{ 403, "AccessDenied", "You have no right to access this object.", -EACCES },
	{ 403, "SignatureDoesNotMatch", "The request signature we calculated does not match", -EACCES },
	{ 403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.", -EACCES },
	{ 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", -EACCES },
	{ 403, "UserDisable", "UserDisable", -EACCES },   /* any other 403 */
	{ 403, NULL, NULL, -EACCES },
	/* server side, throttling, network */
	{ 500, "InternalError", "We encountered an internal error. Please try again.", -EIO },
	{ 502, NULL, NULL, -EIO },
	{ 503, "ServiceUnavailable", "Please reduce your request rate.", -EIO },
	{ 503, "NoSuchKey", "nonsense from a proxy", -EIO },
	{ 429, "Throttled", "Too many requests", -EIO },
	{ 0, "OperationTimedout", "Timeout was reached", -EIO },
	{ 0, "CouldntConnect", "Couldn't connect to server", -EIO },
	{ 0, NULL, NULL, -EIO },
	/* other 4xx: EIO unless the code says otherwise */
	{ 409, "BucketNotEmpty", "The bucket you tried to delete is not empty.", -EIO },
	{ 405, "MethodNotAllowed", "The specified method is not allowed.", -EIO },
	{ 400, "SomethingNew", "An error we do not know", -EIO },
	{ 409, "NoSuchLiveChannel", "code wins over status", -ENOENT },
	/* redirects are not followed */
	{ 301, "PermanentRedirect", "use the endpoint", -EIO },
	/* a success is not an error */
	{ 200, NULL, NULL, 0 },
	{ 204, NULL, NULL, 0 },
};

int main(void)
{
	struct oss_error e = { .status = 404, .code = "NoSuchKey",
			       .message = "m", .request_id = "r" };
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(oss_errno(rows[i].status, rows[i].code, rows[i].message) == rows[i].err,
		      "oss_errno(%ld, %s, %s) = %d, want %d", rows[i].status,
		      rows[i].code ? rows[i].code : "NULL",
		      rows[i].message ? rows[i].message : "NULL",
		      oss_errno(rows[i].status, rows[i].code, rows[i].message),
		      rows[i].err);

	oss_error_clear(&e);
	CHECK_INT(0, e.status);
	CHECK_STR("", e.code);
	CHECK_STR("", e.message);
	CHECK_STR("", e.request_id);
	return check_summary("test_osserr");
}
