"""OSS error answers (Code, Message, EC) and the control API's errors."""

from __future__ import annotations

from typing import Optional


ERROR_MESSAGES = {
    "AccessDenied": "You have no right to access this object because of bucket acl.",
    "InvalidAccessKeyId": "The OSS Access Key Id you provided does not exist in our records.",
    "SignatureDoesNotMatch": "The request signature we calculated does not match the signature "
                             "you provided. Check your key and signing method.",
    "InvalidSecurityToken": "The security token you provided is invalid.",
    "RequestTimeTooSkewed": "The difference between the request time and the current time is "
                            "too large.",
    "NoSuchBucket": "The specified bucket does not exist.",
    "NoSuchKey": "The specified key does not exist.",
    "NoSuchLiveChannel": "The specified live channel does not exist.",
    "ChannelStillLive": "The live channel is still live, it may not be deleted or updated.",
    "MalformedXML": "The XML you provided was not well-formed or did not validate against our "
                    "published schema.",
    "InvalidDigest": "The Content-MD5 you specified did not match what we received.",
    "InvalidRange": "The requested range cannot be satisfied.",
    "NotImplemented": "A header or query you provided implies functionality that is not "
                      "implemented.",
    "InternalError": "We encountered an internal error. Please try again.",
    "ServiceUnavailable": "Please reduce your request rate.",
    "InvalidObjectName": "The specified object is not valid.",
    "MethodNotAllowed": "The specified method is not allowed against this resource.",
}
STATUS_CODES = {500: "InternalError", 502: "BadGateway", 503: "ServiceUnavailable",
                504: "GatewayTimeout", 429: "TooManyRequests", 403: "AccessDenied",
                404: "NoSuchKey", 400: "InvalidArgument", 409: "Conflict"}


class OssError(Exception):
    """An OSS error answer: status, Code, Message, optional EC and extra children."""

    def __init__(self, status: int, code: str, message: Optional[str] = None, ec: str = "",
                 extra: Optional[list[tuple[str, str]]] = None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message if message is not None else ERROR_MESSAGES.get(code, code)
        self.ec = ec
        self.extra = extra or []


def invalid(message: str, ec: str = "") -> OssError:
    return OssError(400, "InvalidArgument", message, ec)


class ControlError(Exception):
    """A control API (/-/...) refusal: HTTP status and a reason for the JSON answer."""

    def __init__(self, status: int, error: str):
        super().__init__(error)
        self.status = status
        self.error = error
