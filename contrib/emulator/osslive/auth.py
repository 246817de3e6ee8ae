"""Authentication like OSS: V1 and V4 header signatures, V1 presigned URLs, STS tokens, and
the RTMP publish-URL signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Optional

from .errors import OssError
from .request import V1_REDUCED, V1_SUBRESOURCES, Request
from .wire import iso_ms, uri_encode


MAX_SKEW = 15 * 60
# What anyone may do without a signature in a public-read bucket.
PUBLIC_READ_OPS = frozenset({"GetObject", "HeadObject", "ListObjects"})


def b64_hmac_sha1(secret: str, msg: str) -> str:
    mac = hmac.new(secret.encode("utf-8"), msg.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def v4_signing_key(secret: str, day: str, region: str, product: str = "oss") -> bytes:
    k = hmac256(("aliyun_v4" + secret).encode("utf-8"), day)
    k = hmac256(k, region)
    k = hmac256(k, product)
    return hmac256(k, "aliyun_v4_request")


@dataclass
class Credential:
    ak: str
    sk: str
    token: Optional[str]


class Auth:
    def __init__(self, creds: dict[str, Credential], region: str, clock_check: bool,
                 clock_offset: float = 0.0):
        self.creds = creds
        self.region = region
        self.clock_check = clock_check
        self.clock_offset = clock_offset

    # -- V1 ---------------------------------------------------------------------------------

    @staticmethod
    def v1_resource(req: Request, keys: Callable[[str], bool], bucket_slash: bool = True) -> str:
        if req.bucket_name is None:
            res = "/"
        elif req.key == "" and not bucket_slash:
            res = "/" + req.bucket_name
        else:
            res = "/" + req.bucket_name + "/" + req.key
        subs = sorted((k, v) for k, v, _ in req.query if keys(k))
        if subs:
            res += "?" + "&".join(k if v == "" else "%s=%s" % (k, v) for k, v in subs)
        return res

    @staticmethod
    def v1_string_to_sign(req: Request, date_line: str, resource: str) -> str:
        oss_headers = sorted({k.lower() for k in req.headers.keys()
                              if k.lower().startswith("x-oss-")})
        canon = "".join("%s:%s\n" % (h, req.header(h)) for h in oss_headers)
        return "\n".join([req.method, req.header("Content-MD5") or "",
                          req.header("Content-Type") or "", date_line]) + "\n" + canon + resource

    def v1_candidates(self, req: Request, date_line: str) -> list[str]:
        """The canonical StringToSign first, then the tolerated variants."""
        full = lambda k: k in V1_SUBRESOURCES  # noqa: E731
        variants = [self.v1_resource(req, full),
                    self.v1_resource(req, lambda k: full(k) or k.startswith("x-oss-")),
                    self.v1_resource(req, lambda k: k in V1_REDUCED)]
        if req.key == "" and req.bucket_name and not req.virtual:
            variants.append(self.v1_resource(req, full, bucket_slash=False))
        out: list[str] = []
        for res in variants:
            s = self.v1_string_to_sign(req, date_line, res)
            if s not in out:
                out.append(s)
        return out

    # -- V4 ---------------------------------------------------------------------------------

    @staticmethod
    def v4_query(req: Request, ali_oss_empty: bool) -> str:
        items = []
        for k, v, _ in req.query:
            ek, ev = uri_encode(k), uri_encode(v)
            if v == "" and not (ali_oss_empty and k not in V1_SUBRESOURCES):
                items.append((ek, None))
            else:
                items.append((ek, ev))
        items.sort(key=lambda kv: (kv[0], kv[1] or ""))
        return "&".join(k if v is None else "%s=%s" % (k, v) for k, v in items)

    @staticmethod
    def v4_canonical_request(req: Request, query: str, additional: list[str]) -> str:
        if req.bucket_name is None:
            uri = "/"
        else:
            uri = uri_encode("/" + req.bucket_name + "/" + req.key, keep_slash=True)
        names = {k.lower() for k in req.headers.keys()
                 if k.lower().startswith("x-oss-") or k.lower() in ("content-type", "content-md5")}
        names.update(additional)
        hdrs = "".join("%s:%s\n" % (h, req.header(h)) for h in sorted(names))
        payload = req.header("x-oss-content-sha256") or ""
        return "%s\n%s\n%s\n%s\n%s\n%s" % (req.method, uri, query, hdrs, ";".join(additional),
                                           payload)

    @staticmethod
    def v4_string_to_sign(date: str, scope: str, canonical: str) -> str:
        return "OSS4-HMAC-SHA256\n%s\n%s\n%s" % (
            date, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest())

    # -- entry point ------------------------------------------------------------------------

    def check_skew(self, when: Optional[datetime]) -> None:
        if not self.clock_check:
            return
        if when is None:
            raise OssError(403, "AccessDenied", "OSS authentication requires a valid Date.")
        now = time.time() + self.clock_offset
        t = when.timestamp()
        if abs(now - t) > MAX_SKEW:
            raise OssError(403, "RequestTimeTooSkewed", extra=[
                ("RequestTime", iso_ms(t)), ("ServerTime", iso_ms(now)),
                ("MaxAllowedSkewMilliseconds", str(MAX_SKEW * 1000))])

    def lookup(self, ak: str) -> Credential:
        cred = self.creds.get(ak)
        if cred is None:
            raise OssError(403, "InvalidAccessKeyId", extra=[("OSSAccessKeyId", ak)],
                           ec="0002-00000902")
        return cred

    @staticmethod
    def check_token(cred: Credential, token: Optional[str]) -> None:
        if (token or None) != cred.token:
            raise OssError(403, "InvalidSecurityToken")

    @staticmethod
    def mismatch(provided: str, sts: str, canonical: Optional[str] = None) -> OssError:
        extra = [("SignatureProvided", provided), ("StringToSign", sts),
                 ("StringToSignBytes", " ".join("%02x" % b for b in sts.encode("utf-8")))]
        if canonical is not None:
            extra.append(("CanonicalRequest", canonical))
        return OssError(403, "SignatureDoesNotMatch", extra=extra, ec="0002-00000040")

    def authenticate(self, req: Request, public_read: bool = False) -> str:
        """The AccessKeyId that signed req ("" for an anonymous read that a public-read
        bucket allows), or OssError."""
        auth = req.header("Authorization")
        if auth is None:
            if req.has("OSSAccessKeyId") and req.has("Signature"):
                return self._v1_presigned(req)
            if public_read and req.op in PUBLIC_READ_OPS:
                return ""
            raise OssError(403, "AccessDenied", ec="0003-00000001")
        if auth.startswith("OSS4-HMAC-SHA256 "):
            return self._v4(req, auth[len("OSS4-HMAC-SHA256 "):])
        if auth.startswith("OSS "):
            return self._v1(req, auth[4:])
        raise OssError(400, "InvalidArgument", "Authorization header is invalid.")

    def _v1(self, req: Request, rest: str) -> str:
        ak, sep, sig = rest.strip().rpartition(":")
        if not sep or not ak:
            raise OssError(400, "InvalidArgument", "Authorization header is invalid.")
        cred = self.lookup(ak)
        date_line = req.header("x-oss-date") or req.header("Date")
        if date_line is None:
            raise OssError(403, "AccessDenied", "OSS authentication requires a valid Date.")
        if self.clock_check:
            try:
                when = parsedate_to_datetime(date_line)
            except (TypeError, ValueError):
                when = None
            self.check_skew(when)
        cands = self.v1_candidates(req, date_line)
        if not any(hmac.compare_digest(b64_hmac_sha1(cred.sk, s), sig) for s in cands):
            raise self.mismatch(sig, cands[0])
        self.check_token(cred, req.header("x-oss-security-token"))
        return ak

    def _v1_presigned(self, req: Request) -> str:
        ak = req.q("OSSAccessKeyId") or ""
        sig = req.q("Signature") or ""
        expires = req.q("Expires") or ""
        cred = self.lookup(ak)
        try:
            exp = int(expires)
        except ValueError:
            raise OssError(403, "AccessDenied", "Expires is invalid.") from None
        if exp < time.time():
            raise OssError(403, "AccessDenied", "Request has expired.",
                           extra=[("Expires", iso_ms(exp)), ("ServerTime", iso_ms(time.time()))])
        cands = self.v1_candidates(req, expires)
        if not any(hmac.compare_digest(b64_hmac_sha1(cred.sk, s), sig) for s in cands):
            raise self.mismatch(sig, cands[0])
        self.check_token(cred, req.q("security-token"))
        return ak

    def _v4(self, req: Request, rest: str) -> str:
        fields: dict[str, str] = {}
        for part in rest.split(","):
            k, sep, v = part.strip().partition("=")
            if sep:
                fields[k.strip()] = v.strip()
        cred_s, sig = fields.get("Credential"), fields.get("Signature")
        if not cred_s or not sig:
            raise OssError(400, "InvalidArgument", "Authorization header is invalid.")
        parts = cred_s.split("/")
        if len(parts) != 5 or parts[4] != "aliyun_v4_request":
            raise OssError(400, "InvalidArgument", "Invalid credential in Authorization header.")
        ak, day, region, product = parts[0], parts[1], parts[2], parts[3]
        cred = self.lookup(ak)
        date = req.header("x-oss-date")
        if date is None:
            raise OssError(403, "AccessDenied", "OSS authentication requires a valid Date.")
        if self.clock_check:
            try:
                when = datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            except ValueError:
                when = None
            self.check_skew(when)
        if req.header("x-oss-content-sha256") is None:
            raise OssError(403, "AccessDenied", "Missing x-oss-content-sha256 header.")
        additional = sorted({h.strip().lower() for h in fields.get("AdditionalHeaders", "")
                             .split(";") if h.strip()})
        additional = [h for h in additional if req.header(h) is not None
                      and not h.startswith("x-oss-") and h not in ("content-type", "content-md5")]
        scope = "%s/%s/%s/aliyun_v4_request" % (day, region, product)
        canon = self.v4_canonical_request(req, self.v4_query(req, False), additional)
        sts = self.v4_string_to_sign(date, scope, canon)
        if region != self.region or product != "oss":
            raise OssError(403, "SignatureDoesNotMatch",
                           "Invalid signing region in Authorization header: the signing region "
                           "in credential is invalid, expected %s." % self.region,
                           extra=[("StringToSign", sts)], ec="0002-00000040")
        if day != date[:8]:
            raise OssError(403, "SignatureDoesNotMatch",
                           "Invalid signing date in Authorization header.",
                           extra=[("StringToSign", sts)], ec="0002-00000040")
        key = v4_signing_key(cred.sk, day, region, product)
        cands = [sts]
        alt = self.v4_query(req, True)
        if alt != self.v4_query(req, False):
            cands.append(self.v4_string_to_sign(date, scope,
                                                self.v4_canonical_request(req, alt, additional)))
        if not any(hmac.compare_digest(hmac.new(key, s.encode("utf-8"),
                                                hashlib.sha256).hexdigest(), sig.lower())
                   for s in cands):
            raise self.mismatch(sig, sts, canon)
        self.check_token(cred, req.header("x-oss-security-token"))
        return ak

    # -- RTMP publish URL (spec 9.6) --------------------------------------------------------

    def verify_rtmp(self, bucket: str, channel: str, params: list[tuple[str, str]]) -> None:
        """Raise ValueError(reason) unless the signed RTMP URL parameters are valid."""
        p = dict(params)
        ak, sig, expires = p.get("OSSAccessKeyId"), p.get("Signature"), p.get("Expires")
        if not ak or not sig or not expires:
            raise ValueError("missing OSSAccessKeyId, Expires or Signature")
        cred = self.creds.get(ak)
        if cred is None:
            raise ValueError("unknown OSSAccessKeyId")
        try:
            exp = int(expires)
        except ValueError:
            raise ValueError("Expires is not a number") from None
        if exp < time.time():
            raise ValueError("URL expired")
        extra = sorted((k, v) for k, v in params
                       if k not in ("OSSAccessKeyId", "Expires", "Signature"))
        variants = [extra, [kv for kv in extra if kv[0] != "security-token"]]
        for ex in variants:
            sts = expires + "\n" + "".join("%s:%s\n" % kv for kv in ex) + \
                "/%s/%s" % (bucket, channel)
            if hmac.compare_digest(b64_hmac_sha1(cred.sk, sts), sig):
                break
        else:
            raise ValueError("signature does not match")
        if cred.token is not None and p.get("security-token") != cred.token:
            raise ValueError("security-token missing or wrong")
