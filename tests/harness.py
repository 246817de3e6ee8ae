"""Test harness: run the OSS LiveChannel emulator and talk to it.

Import it from any test under tests/ (pytest puts this directory on sys.path)::

    from harness import Emulator, OssClient

    emu = Emulator().start(tmp_path / "data", bucket="testbucket",
                           credentials="AKID:SECRET,STSKEY:STSSECRET:STSTOKEN")
    emu.url            # "http://127.0.0.1:PORT"
    emu.port           # PORT
    emu.control("/-/ingest/start", {"channel": "ch"})   # -> (status, parsed JSON)
    emu.stats()        # {"ListLiveChannel": 3, ...}
    emu.reset_stats()
    c = emu.client()   # OssClient signed with the first key (V4, path style)
    r = c.request("GET", "", query={"live": None})
    r.status, r.headers, r.body, r.xml()
    emu.stop()         # SIGTERM by pid, then waits; also done by the context manager

Emulator.start() runs ``/usr/bin/python3 contrib/emulator/osslive_emulator.py --port 0`` and waits
for its first stdout line ``listening on http://127.0.0.1:PORT`` (no sleeps); with ``--rtmp`` in
extra_args also for the second, ``rtmp on rtmp://127.0.0.1:PORT/live`` (``emu.rtmp_url``).  Its stderr goes to
``emu.log_path`` (``<data_dir>.log``); ``emu.log()`` returns it.

OssClient makes signed requests (V1 or V4 header signatures, STS token, path-style or
virtual-hosted addressing through ``Host: <bucket>.localhost:PORT``) over one kept-alive
connection.  The signing functions (``sign_v1``, ``sign_v4``, ``rtmp_signature``) are usable on
their own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Iterable, Optional, Union

ROOT = Path(__file__).resolve().parent.parent
EMULATOR = ROOT / "contrib" / "emulator" / "osslive_emulator.py"
PYTHON = "/usr/bin/python3"

# Query keys that enter the V1 CanonicalizedResource (the LiveChannel ones and common others).
V1_SUBRESOURCES = {"acl", "uploads", "location", "cors", "logging", "website", "referer",
                   "lifecycle", "delete", "append", "tagging", "objectMeta", "uploadId",
                   "partNumber", "security-token", "position", "img", "style", "styleName",
                   "replication", "replicationProgress", "replicationLocation", "cname",
                   "bucketInfo", "comp", "qos", "live", "status", "vod", "startTime", "endTime",
                   "symlink", "x-oss-process", "response-content-type", "response-expires",
                   "response-content-language", "response-cache-control",
                   "response-content-disposition", "response-content-encoding", "restore",
                   "callback", "callback-var", "stat", "versions", "versioning", "versionId"}

Query = Union[dict, Iterable[tuple[str, Optional[str]]], None]


def _items(query: Query) -> list[tuple[str, Optional[str]]]:
    if query is None:
        return []
    if isinstance(query, dict):
        return list(query.items())
    return list(query)


def uri_encode(s: str, keep_slash: bool = False) -> str:
    return urllib.parse.quote(s, safe="/" if keep_slash else "")


def query_string(query: Query) -> str:
    """Wire form: ``k`` for a None value, ``k=v`` otherwise, RFC 3986 encoded, in given order."""
    return "&".join(uri_encode(k) if v is None else "%s=%s" % (uri_encode(k), uri_encode(v))
                    for k, v in _items(query))


def sign_v1(secret: str, method: str, bucket: Optional[str], key: str, query: Query,
            headers: dict[str, str], date: str) -> tuple[str, str]:
    """(signature, StringToSign) of an OSS V1 header signature."""
    low = {k.lower(): v.strip() for k, v in headers.items()}
    canon = "".join("%s:%s\n" % (k, low[k]) for k in sorted(low) if k.startswith("x-oss-"))
    res = "/" if bucket is None else "/%s/%s" % (bucket, key)
    subs = sorted((k, v or "") for k, v in _items(query) if k in V1_SUBRESOURCES)
    if subs:
        res += "?" + "&".join(k if v == "" else "%s=%s" % (k, v) for k, v in subs)
    sts = "%s\n%s\n%s\n%s\n%s%s" % (method, low.get("content-md5", ""),
                                    low.get("content-type", ""), date, canon, res)
    sig = base64.b64encode(hmac.new(secret.encode(), sts.encode(), hashlib.sha1).digest())
    return sig.decode(), sts


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sign_v4(secret: str, method: str, bucket: Optional[str], key: str, query: Query,
            headers: dict[str, str], date: str, region: str,
            additional: Iterable[str] = ()) -> tuple[str, str]:
    """(hex signature, StringToSign) of an OSS4-HMAC-SHA256 header signature.

    ``date`` is the x-oss-date value (``YYYYMMDDTHHMMSSZ``); headers must already hold
    x-oss-date and x-oss-content-sha256.  Empty query values are signed as the bare key."""
    low = {k.lower(): v.strip() for k, v in headers.items()}
    add = sorted({a.lower() for a in additional})
    names = sorted({k for k in low if k.startswith("x-oss-") or k in ("content-type",
                                                                       "content-md5")} | set(add))
    uri = "/" if bucket is None else uri_encode("/%s/%s" % (bucket, key), keep_slash=True)
    q = sorted((uri_encode(k), uri_encode(v or "")) for k, v in _items(query))
    cq = "&".join(k if v == "" else "%s=%s" % (k, v) for k, v in q)
    hdrs = "".join("%s:%s\n" % (n, low[n]) for n in names)
    canon = "%s\n%s\n%s\n%s\n%s\n%s" % (method, uri, cq, hdrs, ";".join(add),
                                        low.get("x-oss-content-sha256", "UNSIGNED-PAYLOAD"))
    scope = "%s/%s/oss/aliyun_v4_request" % (date[:8], region)
    sts = "OSS4-HMAC-SHA256\n%s\n%s\n%s" % (date, scope,
                                             hashlib.sha256(canon.encode()).hexdigest())
    k = _hmac256(("aliyun_v4" + secret).encode(), date[:8])
    for part in (region, "oss", "aliyun_v4_request"):
        k = _hmac256(k, part)
    return hmac.new(k, sts.encode(), hashlib.sha256).hexdigest(), sts


def rtmp_signature(secret: str, bucket: str, channel: str, expires: int,
                   params: Optional[dict[str, str]] = None) -> str:
    """Base64 OSS RTMP publish-URL signature (spec 9.6)."""
    extra = "".join("%s:%s\n" % kv for kv in sorted((params or {}).items()))
    sts = "%d\n%s/%s/%s" % (expires, extra, bucket, channel)
    return base64.b64encode(hmac.new(secret.encode(), sts.encode(), hashlib.sha1).digest()).decode()


def rtmp_url(host: str, ak: str, secret: str, bucket: str, channel: str, expires: int,
             params: Optional[dict[str, str]] = None) -> str:
    q = {"OSSAccessKeyId": ak, "Expires": str(expires),
         "Signature": rtmp_signature(secret, bucket, channel, expires, params)}
    q.update(params or {})
    return "rtmp://%s/live/%s?%s" % (host, uri_encode(channel), query_string(q))


@dataclass
class HttpResponse:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name)

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)

    def code(self) -> Optional[str]:
        """The OSS error Code of an error body (None when there is none)."""
        try:
            return self.xml().findtext("Code")
        except ET.ParseError:
            return None


class OssClient:
    """Signed requests against one emulator bucket over a kept-alive connection."""

    def __init__(self, host: str, port: int, bucket: str, ak: str, sk: str,
                 token: Optional[str] = None, region: str = "cn-hangzhou", version: int = 4,
                 virtual_host: bool = False, timeout: float = 30):
        self.host, self.port, self.bucket = host, port, bucket
        self.ak, self.sk, self.token, self.region = ak, sk, token, region
        self.version, self.virtual_host, self.timeout = version, virtual_host, timeout
        self.conn: Optional[http.client.HTTPConnection] = None
        self.last_string_to_sign = ""

    def close(self) -> None:
        if self.conn:
            self.conn.close()
            self.conn = None

    def host_header(self) -> str:
        if self.virtual_host:
            return "%s.localhost:%d" % (self.bucket, self.port)
        return "%s:%d" % (self.host, self.port)

    def path(self, key: str) -> str:
        if self.virtual_host:
            return "/" + uri_encode(key, keep_slash=True)
        return "/%s/%s" % (self.bucket, uri_encode(key, keep_slash=True))

    def signed_headers(self, method: str, key: str, query: Query,
                       headers: Optional[dict[str, str]] = None,
                       now: Optional[float] = None) -> dict[str, str]:
        """The headers of a signed request (x-oss-date, Authorization, token...)."""
        h = dict(headers or {})
        t = time.time() if now is None else now
        if self.token:
            h["x-oss-security-token"] = self.token
        if self.version == 1:
            date = formatdate(t, usegmt=True)
            h["Date"] = date
            sig, sts = sign_v1(self.sk, method, self.bucket, key, query, h, date)
            h["Authorization"] = "OSS %s:%s" % (self.ak, sig)
        else:
            date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
            h["x-oss-date"] = date
            h["x-oss-content-sha256"] = "UNSIGNED-PAYLOAD"
            sig, sts = sign_v4(self.sk, method, self.bucket, key, query, h, date, self.region)
            h["Authorization"] = ("OSS4-HMAC-SHA256 Credential=%s/%s/%s/oss/aliyun_v4_request,"
                                  "Signature=%s" % (self.ak, date[:8], self.region, sig))
        self.last_string_to_sign = sts
        return h

    def request(self, method: str, key: str = "", query: Query = None, body: bytes = b"",
                headers: Optional[dict[str, str]] = None, sign: bool = True,
                now: Optional[float] = None) -> HttpResponse:
        """One request; query values None are value-less sub-resources (``?live``)."""
        h = self.signed_headers(method, key, query, headers, now) if sign else dict(headers or {})
        qs = query_string(query)
        return self.raw(method, self.path(key) + ("?" + qs if qs else ""), h, body)

    def raw(self, method: str, target: str, headers: dict[str, str],
            body: bytes = b"") -> HttpResponse:
        """Send exactly this request line target and these headers (Host added if absent)."""
        h = dict(headers)
        if not any(k.lower() == "host" for k in h):
            h["Host"] = self.host_header()
        if (body or method in ("PUT", "POST")) and \
                not any(k.lower() == "content-length" for k in h):
            h["Content-Length"] = str(len(body))
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=self.timeout)
            try:
                self.conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for k, v in h.items():
                    self.conn.putheader(k, v)
                self.conn.endheaders(body or None)
                r = self.conn.getresponse()
                data = r.read()
                if r.will_close:
                    self.close()
                return HttpResponse(r.status, r.headers, data)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection closed by the server: retry once on a new one.
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")


class Emulator:
    """The emulator as a child process (see the module docstring)."""

    def __init__(self) -> None:
        self.proc: Optional[subprocess.Popen] = None
        self.host = "127.0.0.1"
        self.port = 0
        self.url = ""
        self.rtmp_url = ""      # rtmp://127.0.0.1:PORT/live with --rtmp
        self.bucket = ""
        self.region = "cn-hangzhou"
        self.data_dir = Path()
        self.log_path = Path()
        self.credentials: list[tuple[str, str, Optional[str]]] = []

    def start(self, data_dir: Union[str, os.PathLike], bucket: str = "testbucket",
              credentials: str = "AKID:SECRET", region: str = "cn-hangzhou",
              clock_check: bool = True, extra_args: Iterable[str] = (),
              timeout: float = 15) -> "Emulator":
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = Path(str(self.data_dir) + ".log")
        self.bucket, self.region = bucket, region
        self.credentials = []
        for item in credentials.split(","):
            parts = item.split(":", 2)
            self.credentials.append((parts[0], parts[1], parts[2] if len(parts) > 2 else None))
        cmd = [PYTHON, str(EMULATOR), "--port", "0", "--bucket", bucket,
               "--credentials", credentials, "--data", str(self.data_dir), "--region", region]
        if not clock_check:
            cmd.append("--no-clock-check")
        cmd += list(extra_args)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log,
                                         stdin=subprocess.DEVNULL)
        lines = self._first_lines(2 if "--rtmp" in cmd else 1, timeout)
        line = lines[0] if lines else ""
        prefix = "listening on http://"
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError("emulator did not start: %r; log:\n%s" % (line, self.log()))
        self.url = line.strip()[len("listening on "):]
        self.port = int(self.url.rsplit(":", 1)[1])
        if "--rtmp" in cmd:
            if len(lines) < 2 or not lines[1].startswith("rtmp on rtmp://"):
                self.stop()
                raise RuntimeError("no rtmp line: %r; log:\n%s" % (lines, self.log()))
            self.rtmp_url = lines[1].strip()[len("rtmp on "):]
        return self

    def _first_lines(self, n: int, timeout: float) -> list[str]:
        assert self.proc and self.proc.stdout
        result: list[str] = []

        def read() -> None:
            for _ in range(n):
                result.append(self.proc.stdout.readline().decode())  # type: ignore

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if len(result) < n:
            return result
        # Nothing else is ever printed on stdout: close our end.
        self.proc.stdout.close()
        return result

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> Optional[int]:
        """SIGTERM by pid, wait; SIGKILL if it does not exit.  Returns the exit status."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc.stdout and not proc.stdout.closed:
            proc.stdout.close()
        return proc.returncode

    def restart(self, **kwargs: object) -> "Emulator":
        """Stop and start again on the same data dir (a new port)."""
        self.stop()
        cred = ",".join(":".join(p for p in c if p) for c in self.credentials)
        return self.start(self.data_dir, self.bucket, cred, self.region, **kwargs)  # type: ignore

    # -- control API ----------------------------------------------------------------------

    def control(self, path: str, body: Optional[dict] = None,
                method: Optional[str] = None) -> tuple[int, dict]:
        """Call the control API (``/-/...``): (status, parsed JSON answer)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            data = json.dumps(body).encode() if body is not None else b""
            m = method or ("POST" if body is not None or path != "/-/stats" else "GET")
            conn.request(m, path, body=data, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            return r.status, json.loads(r.read() or b"{}")
        finally:
            conn.close()

    def stats(self) -> dict[str, int]:
        status, body = self.control("/-/stats", method="GET")
        assert status == 200, body
        return body

    def reset_stats(self) -> None:
        status, body = self.control("/-/stats/reset", {})
        assert status == 200, body

    def client(self, ak: Optional[str] = None, version: int = 4, virtual_host: bool = False,
               **kwargs: object) -> OssClient:
        """A signed client for the first credential (or the one named ``ak``)."""
        cred = next(c for c in self.credentials if ak is None or c[0] == ak)
        return OssClient(self.host, self.port, self.bucket, cred[0], cred[1], cred[2],
                         self.region, version, virtual_host, **kwargs)  # type: ignore
