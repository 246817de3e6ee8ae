"""The request as the handlers see it, and which OSS operation it is."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from .errors import OssError, invalid

if TYPE_CHECKING:
    from .store import Bucket


# V1 CanonicalizedResource sub-resources (spec 9.2).
V1_SUBRESOURCES = frozenset("""
acl uploads location cors logging website referer lifecycle delete append tagging objectMeta
uploadId partNumber security-token position img style styleName replication replicationProgress
replicationLocation cname bucketInfo comp qos live status vod startTime endTime symlink
x-oss-process response-content-type x-oss-traffic-limit response-content-language
response-expires response-cache-control response-content-disposition response-content-encoding
udf udfName udfImage udfId udfImageDesc udfApplication udfApplicationLog restore callback
callback-var qosInfo policy stat encryption versions versioning versionId requestPayment
x-oss-request-payer sequential inventory inventoryId continuation-token asyncFetch worm wormId
wormExtend resourceGroup
""".split())
# The go-sdk-v2 LiveChannel fork signs only these (spec 8.1); tolerated.
V1_REDUCED = frozenset({"live", "comp", "vod"})
# Sub-resources this emulator implements; any other one is 501 NotImplemented.
IMPLEMENTED_SUBRESOURCES = frozenset({"live", "status", "comp", "vod", "startTime", "endTime"})
# Query keys that mark a LiveChannel request (used by fault matching with "subresource": "").
LIVE_KEYS = ("live", "vod", "comp", "status")


@dataclass
class Request:
    method: str
    raw_path: str
    raw_query: str
    query: list[tuple[str, str, bool]]
    headers: Any  # http.client.HTTPMessage
    body: bytes
    host: str
    bucket_name: Optional[str]
    key: str
    virtual: bool
    op: str = "Unknown"
    bucket: Optional[Bucket] = None

    def q(self, name: str) -> Optional[str]:
        for k, v, _ in self.query:
            if k == name:
                return v
        return None

    def has(self, name: str) -> bool:
        return any(k == name for k, _, _ in self.query)

    def header(self, name: str) -> Optional[str]:
        vals = self.headers.get_all(name)
        if not vals:
            return None
        return ",".join(v.strip() for v in vals)

    def host_no_port(self) -> str:
        h = self.host
        if h.startswith("["):
            return h.split("]", 1)[0] + "]"
        return h.rsplit(":", 1)[0] if ":" in h else h


def classify(req: Request) -> str:
    """The OSS operation name of a request (used for stats, faults and dispatch)."""
    m = req.method
    if req.bucket_name is None:
        return "ListBuckets" if m == "GET" else "Unsupported"
    if req.has("live"):
        if req.key == "":
            if m == "GET":
                return "ListLiveChannel"
            if m == "PUT":
                return "PutLiveChannel"
            return "Unsupported"
        if m == "PUT":
            return "PutLiveChannelStatus" if req.has("status") else "PutLiveChannel"
        if m == "GET":
            comp = req.q("comp")
            if comp == "stat":
                return "GetLiveChannelStat"
            if comp == "history":
                return "GetLiveChannelHistory"
            return "GetLiveChannelInfo" if comp is None else "Unsupported"
        if m == "DELETE":
            return "DeleteLiveChannel"
        return "Unsupported"
    if req.has("vod"):
        if m == "POST" and req.key:
            return "PostVodPlaylist"
        if m == "GET" and req.key:
            return "GetVodPlaylist"
        return "Unsupported"
    if any(k in V1_SUBRESOURCES and k not in IMPLEMENTED_SUBRESOURCES
           for k, _, _ in req.query):
        return "Unsupported"
    if req.key == "":
        return "ListObjects" if m == "GET" else "Unsupported"
    return {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject",
            "DELETE": "DeleteObject"}.get(m, "Unsupported")


def max_keys_of(req: Request) -> int:
    """The max-keys of a listing: 100 when absent, InvalidArgument outside 1..1000."""
    raw = req.q("max-keys")
    if raw is None or raw == "":
        return 100
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise invalid("max-keys must be an integer in [1, 1000].", "0044-00000101")
    return int(raw)


def check_md5(req: Request) -> None:
    md5 = req.header("Content-MD5")
    if md5 is None:
        return
    if base64.b64encode(hashlib.md5(req.body).digest()).decode() != md5:
        raise OssError(400, "InvalidDigest")
