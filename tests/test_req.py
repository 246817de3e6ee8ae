"""The request engine (src/req.c) through tests/tools/reqtool, against a
recording HTTP server that lives in this file.

The expected V1 and V4 Authorization values are computed here by an
independent implementation of spec oss-livechannel-api.md §9 from what the
server recorded (Date / x-oss-date), so a test fails on any byte the client
signs differently from what it sends.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("OSSLIVEFS_BUILD", REPO / "build"))
REQTOOL = BUILD / "tools" / "reqtool"

AK = "LTAIexampleAK"
SK = "SECRETsk-do-not-log-9f3a"
TOKEN = "STStoken-do-not-log-77c1"
BUCKET = "examplebucket"
REGION = "cn-hangzhou"
# Space, '+', '~', '*' and non-ASCII: every encoding rule at once.
CHANNEL = "my ch+a~b*c\u00e9\u4e2d"

ERROR_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n'
    "  <Code>{code}</Code>\n  <Message>{message}</Message>\n"
    "  <RequestId>{rid}</RequestId>\n"
    "  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>\n</Error>\n"
)


# ---- independent signatures (spec §9) -----------------------------------

V1_SUBRESOURCES = {
    "acl", "uploads", "location", "cors", "logging", "website", "referer",
    "lifecycle", "delete", "append", "tagging", "objectMeta", "uploadId",
    "partNumber", "security-token", "position", "img", "style", "styleName",
    "replication", "replicationProgress", "replicationLocation", "cname",
    "bucketInfo", "comp", "qos", "live", "status", "vod", "startTime",
    "endTime", "symlink", "x-oss-process", "response-content-type",
    "x-oss-traffic-limit", "response-content-language", "response-expires",
    "response-cache-control", "response-content-disposition",
    "response-content-encoding", "restore", "callback", "callback-var",
    "qosInfo", "policy", "stat", "encryption", "versions", "versioning",
    "versionId", "requestPayment", "x-oss-request-payer", "sequential",
    "inventory", "inventoryId", "continuation-token", "asyncFetch", "worm",
    "wormId", "wormExtend",
}

Query = list[tuple[str, "str | None"]]


def uri_encode(s: str, keep_slash: bool) -> str:
    return urllib.parse.quote(s.encode(), safe="/" if keep_slash else "")


def parse_query(raw: str) -> Query:
    """The wire query decoded: "live&comp=stat" -> [("live", None), ...]."""
    out: Query = []
    for item in raw.split("&") if raw else []:
        k, eq, v = item.partition("=")
        out.append((urllib.parse.unquote(k), urllib.parse.unquote(v) if eq else None))
    return out


def v1_authorization(method: str, headers: dict[str, str], key: str,
                     query: Query, sk: str = SK, ak: str = AK) -> str:
    date = headers.get("x-oss-date") or headers["date"]
    oss = sorted((k, v.strip()) for k, v in headers.items() if k.startswith("x-oss-"))
    resource = f"/{BUCKET}/{key}"
    subs = sorted((k, v) for k, v in query if k in V1_SUBRESOURCES)
    if subs:
        resource += "?" + "&".join(k if not v else f"{k}={v}" for k, v in subs)
    sts = (f"{method}\n{headers.get('content-md5', '')}\n"
           f"{headers.get('content-type', '')}\n{date}\n"
           + "".join(f"{k}:{v}\n" for k, v in oss) + resource)
    sig = base64.b64encode(hmac.new(sk.encode(), sts.encode(), hashlib.sha1).digest())
    return f"OSS {ak}:{sig.decode()}"


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def v4_authorization(method: str, headers: dict[str, str], key: str,
                     query: Query, sk: str = SK, ak: str = AK,
                     region: str = REGION) -> str:
    uri = uri_encode(f"/{BUCKET}/{key}", keep_slash=True)
    items = sorted((uri_encode(k, False), uri_encode(v, False) if v else "")
                   for k, v in query)
    canon_query = "&".join(f"{k}={v}" if v else k for k, v in items)
    signed = sorted((k, v.strip()) for k, v in headers.items()
                    if k.startswith("x-oss-") or k in ("content-type", "content-md5"))
    canonical = (f"{method}\n{uri}\n{canon_query}\n"
                 + "".join(f"{k}:{v}\n" for k, v in signed)
                 + "\n\nUNSIGNED-PAYLOAD")
    iso = headers["x-oss-date"]
    scope = f"{iso[:8]}/{region}/oss/aliyun_v4_request"
    sts = ("OSS4-HMAC-SHA256\n" + iso + "\n" + scope + "\n"
           + hashlib.sha256(canonical.encode()).hexdigest())
    k = _hmac256(("aliyun_v4" + sk).encode(), iso[:8])
    for part in (region, "oss", "aliyun_v4_request"):
        k = _hmac256(k, part)
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return f"OSS4-HMAC-SHA256 Credential={ak}/{scope},Signature={sig}"


def rtmp_signature(expires: int, channel: str, playlist: str | None) -> str:
    sts = f"{expires}\n" + (f"playlistName:{playlist}\n" if playlist else "")
    sts += f"/{BUCKET}/{channel}"
    return base64.b64encode(hmac.new(SK.encode(), sts.encode(), hashlib.sha1).digest()).decode()


# ---- the recording server ------------------------------------------------

@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    method: str
    target: str                      # the raw request-target
    headers: list[tuple[str, str]]   # in wire order, names as sent
    body: bytes

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def lower_headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers}

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.target).path

    @property
    def raw_query(self) -> str:
        return urllib.parse.urlsplit(self.target).query


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.replies: list[Reply] = []     # consumed in order, then default
        self.default = Reply(200, b"ok", {"x-oss-request-id": "5C3D8D2A0ACA54D87B430000"})
        self.connections = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def next_reply(self, rec: Recorded) -> Reply:
        with self.lock:
            self.requests.append(rec)
            return self.replies.pop(0) if self.replies else self.default


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 15
    server: Recorder

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle_any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        rec = Recorded(self.command, self.path, list(self.headers.items()), body)
        reply = self.server.next_reply(rec)
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


@pytest.fixture
def server():
    srv = Recorder()
    srv.thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@dataclass
class Result:
    rc: int
    out: dict[str, str]
    stdout: str
    stderr: str
    elapsed: float


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(extra)
    return env


def reqtool(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> Result:
    if not REQTOOL.exists():
        pytest.fail(f"{REQTOOL} is missing: build it (make BUILD=... tools) "
                    "and set OSSLIVEFS_BUILD")
    t0 = time.monotonic()
    p = subprocess.run([str(REQTOOL), *args], capture_output=True, text=True,
                       env=env or clean_env(), timeout=timeout)
    elapsed = time.monotonic() - t0
    out: dict[str, str] = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition(" ")
        out[k] = v                       # with --repeat the last one wins
    return Result(p.returncode, out, p.stdout, p.stderr, elapsed)


def creds_args(token: bool = False) -> list[str]:
    args = ["--bucket", BUCKET, "--ak", AK, "--sk", SK]
    return args + (["--token", TOKEN] if token else [])


def local(srv: Recorder, *args: str) -> list[str]:
    """Path-style against the recorder: an IP host."""
    return ["--url", f"http://127.0.0.1:{srv.port}", "--region", "oss-" + REGION,
            *creds_args(), *args]


# ---- signatures, headers and addressing ----------------------------------

STAT_QUERY = [("live", None), ("comp", "stat")]


@pytest.mark.parametrize("sigv1", [False, True], ids=["v4", "v1"])
@pytest.mark.parametrize("style", ["path", "virtual"])
def test_signed_request_matches_spec(server: Recorder, style: str, sigv1: bool) -> None:
    """GetLiveChannelStat of an awkward name with an STS token: the exact
    path, query, header set and Authorization the spec predicts."""
    enc = uri_encode(CHANNEL, keep_slash=True)
    args = [*creds_args(token=True), "--key", CHANNEL, "--query", "live",
            "--query", "comp=stat", "--retries", "0"]
    args += ["--sigv1"] if sigv1 else []
    if style == "path":
        res = reqtool("--url", f"http://127.0.0.1:{server.port}",
                      "--region", REGION, *args)
        want_host = f"127.0.0.1:{server.port}"
        want_path = f"/{BUCKET}/{enc}"
    else:
        # A virtual-hosted name cannot resolve here: send it through the
        # recorder as an HTTP proxy, which sees the absolute URL and Host.
        # The region comes from the oss-<region> host.
        host = f"oss-{REGION}.aliyuncs.com:{server.port}"
        res = reqtool("--url", f"http://{host}", *args,
                      env=clean_env(http_proxy=f"http://127.0.0.1:{server.port}"))
        want_host = f"{BUCKET}.{host}"
        want_path = f"/{enc}"
        assert res.out["region"] == REGION
    assert res.rc == 0, res.stdout + res.stderr
    assert res.out["path_style"] == ("1" if style == "path" else "0")
    assert len(server.requests) == 1
    rec = server.requests[0]
    assert rec.method == "GET"
    if style == "virtual":
        assert rec.target == f"http://{want_host}{want_path}?live&comp=stat"
    assert rec.path == want_path
    assert rec.raw_query == "live&comp=stat"
    assert parse_query(rec.raw_query) == STAT_QUERY
    h = rec.lower_headers()
    assert h["host"] == want_host
    assert h["x-oss-security-token"] == TOKEN
    oss_headers = {k for k in h if k.startswith("x-oss-")}
    time.strptime(h["date"], "%a, %d %b %Y %H:%M:%S GMT")
    if sigv1:
        assert oss_headers == {"x-oss-security-token"}
        want = v1_authorization("GET", h, CHANNEL, STAT_QUERY)
    else:
        assert oss_headers == {"x-oss-date", "x-oss-content-sha256", "x-oss-security-token"}
        assert h["x-oss-content-sha256"] == "UNSIGNED-PAYLOAD"
        assert time.strftime("%Y%m%dT%H%M%SZ", time.strptime(
            h["date"], "%a, %d %b %Y %H:%M:%S GMT")) == h["x-oss-date"]
        want = v4_authorization("GET", h, CHANNEL, STAT_QUERY)
    assert h["authorization"] == want
    assert "content-type" not in h and "expect" not in h
    assert h["user-agent"].startswith("osslivefs/")


def test_v1_vector_h2_shape(server: Recorder) -> None:
    """V1 bucket-level ListLiveChannel: unsigned ordinary parameters stay
    out of the resource, an empty-valued one is not sent at all."""
    res = reqtool(*local(server, "--sigv1", "--query", "live", "--query", "prefix=",
                         "--query", "max-keys=1", "--query", "marker=a b"))
    assert res.rc == 0, res.stdout + res.stderr
    rec = server.requests[0]
    assert rec.path == f"/{BUCKET}/"
    assert rec.raw_query == "live&max-keys=1&marker=a%20b"
    h = rec.lower_headers()
    assert "x-oss-date" not in h and "x-oss-security-token" not in h
    assert h["authorization"] == v1_authorization("GET", h, "", parse_query(rec.raw_query))


def test_put_with_body_and_content_type(server: Recorder, tmp_path: Path) -> None:
    """PutLiveChannel: the body arrives whole, Content-Type is signed as
    sent, and curl adds no Expect (a large body would trigger it)."""
    body = b"<LiveChannelConfiguration>" + b"x" * 1_500_000 + b"</LiveChannelConfiguration>"
    f = tmp_path / "body.xml"
    f.write_bytes(body)
    res = reqtool(*local(server, "--method", "PUT", "--key", "ch 1", "--query", "live",
                         "--header", "Content-Type: application/xml",
                         "--body-file", str(f)))
    assert res.rc == 0, res.stdout + res.stderr
    rec = server.requests[0]
    assert rec.method == "PUT" and rec.body == body
    h = rec.lower_headers()
    assert h["content-length"] == str(len(body))
    assert h["content-type"] == "application/xml"
    assert "expect" not in h
    assert h["authorization"] == v4_authorization("PUT", h, "ch 1", [("live", None)])


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_empty_put_post_send_length_zero_no_type(server: Recorder, method: str) -> None:
    """PutLiveChannelStatus / PostVodPlaylist: Content-Length: 0 and no
    Content-Type that curl would invent (it is signed when present)."""
    query = ["--query", "live", "--query", "status=disabled"] if method == "PUT" else \
            ["--query", "vod", "--query", "startTime=1472020031", "--query", "endTime=1472020226"]
    key = "test-channel" if method == "PUT" else "test-channel/vod.m3u8"
    res = reqtool(*local(server, "--method", method, "--key", key, *query))
    assert res.rc == 0, res.stdout + res.stderr
    rec = server.requests[0]
    h = rec.lower_headers()
    assert rec.method == method and rec.body == b""
    assert h["content-length"] == "0"
    assert "content-type" not in h and "expect" not in h
    assert h["authorization"] == v4_authorization(method, h, key, parse_query(rec.raw_query))
    v1 = reqtool(*local(server, "--sigv1", "--method", method, "--key", key, *query))
    assert v1.rc == 0
    h = server.requests[1].lower_headers()
    assert h["authorization"] == v1_authorization(method, h, key,
                                                  parse_query(server.requests[1].raw_query))


def test_dot_segments_are_part_of_the_key(server: Recorder) -> None:
    """An object key is not a file path: "." and ".." are sent as given."""
    key = "ch/../x/./y.ts"
    res = reqtool(*local(server, "--key", key))
    assert res.rc == 0
    rec = server.requests[0]
    assert rec.path == f"/{BUCKET}/{key}"
    h = rec.lower_headers()
    assert h["authorization"] == v4_authorization("GET", h, key, [])


def test_response_headers_captured(server: Recorder) -> None:
    server.replies = [Reply(206, b"0123456789", {
        "ETag": '"5B3C1A2E053D763E1B002CC607C5A0FE"',
        "Last-Modified": "Wed, 24 Aug 2016 11:11:28 GMT",
        "Content-Range": "bytes 10-19/100",
        "x-oss-request-id": "57BD8419B92475920B0002F1"})]
    res = reqtool(*local(server, "--key", "ch/1.ts", "--header", "Range: bytes=10-19"))
    assert res.rc == 0
    assert res.out["status"] == "206"
    assert res.out["etag"] == '"5B3C1A2E053D763E1B002CC607C5A0FE"'
    assert res.out["last_modified"] == "Wed, 24 Aug 2016 11:11:28 GMT"
    assert res.out["mtime"] == "1472037088"  # curl_getdate
    assert res.out["content_range"] == "bytes 10-19/100"
    assert res.out["content_length"] == "10"
    assert res.out["body_len"] == "10"
    assert res.out["request_id"] == "57BD8419B92475920B0002F1"
    assert server.requests[0].header("Range") == "bytes=10-19"


def test_body_written_and_size_cap(server: Recorder, tmp_path: Path) -> None:
    server.default = Reply(200, b"A" * 5000)
    out = tmp_path / "out"
    res = reqtool(*local(server, "--key", "k", "--out", str(out)))
    assert res.rc == 0 and out.read_bytes() == b"A" * 5000
    res = reqtool(*local(server, "--key", "k", "--max-response", "4096", "--retries", "3"))
    assert res.rc == 1
    assert res.out["errno"] == "EIO"
    assert res.out["code"] == "ResponseTooLarge"
    assert len(server.requests) == 2          # not retried


def test_body_into_the_callers_buffer(server: Recorder, tmp_path: Path) -> None:
    """recv_buf: curl writes a 2xx body straight into the caller's buffer (vod/ ranges), no
    longer than it; an error body still goes where its Code can be read."""
    data = bytes(range(256)) * 40
    server.default = Reply(206, data, {"Content-Range": f"bytes 0-{len(data) - 1}/99999"})
    out = tmp_path / "out"
    res = reqtool(*local(server, "--key", "k", "--recv-buf", str(len(data)), "--out", str(out)))
    assert res.rc == 0 and res.out["body_len"] == str(len(data))
    assert res.out["body_in_resp"] == "0" and out.read_bytes() == data
    res = reqtool(*local(server, "--key", "k", "--recv-buf", str(len(data) - 1), "--retries", "3"))
    assert res.rc == 1 and res.out["code"] == "ResponseTooLarge"
    server.default = error_reply(404, "NoSuchKey", "The specified key does not exist.",
                                 "5C3D8D2A0ACA54D87B43ABCE")
    res = reqtool(*local(server, "--key", "k", "--recv-buf", "16"))
    assert res.rc == 1
    assert (res.out["errno"], res.out["code"]) == ("ENOENT", "NoSuchKey")


# ---- errors and retries ------------------------------------------------------

def test_error_body_read_past_small_limit(server: Recorder) -> None:
    """A small ranged read still gets the Code of a larger error body."""
    server.replies = [error_reply(416, "InvalidRange", "The requested range is not valid. " * 4,
                                  "5C3D8D2A0ACA54D87B43ABCD")]
    res = reqtool(*local(server, "--key", "ch/1.ts", "--header", "Range: bytes=900-999",
                         "--max-response", "100"))
    assert res.rc == 1
    assert (res.out["status"], res.out["code"]) == ("416", "InvalidRange")
    assert res.out["message"].startswith("The requested range is not valid.")


def error_reply(status: int, code: str, message: str, rid: str) -> Reply:
    body = ERROR_XML.format(code=code, message=message, rid=rid).encode()
    return Reply(status, body, {"Content-Type": "application/xml", "x-oss-request-id": rid})


def test_503_retried_then_fails(server: Recorder) -> None:
    server.default = error_reply(503, "ServiceUnavailable", "Please reduce your request rate.",
                                 "AAAAAAAAAAAAAAAAAAAAAAA1")
    res = reqtool(*local(server, "--key", "c", "--query", "live", "--retries", "2"))
    assert res.rc == 1
    assert len(server.requests) == 3
    assert res.out["status"] == "503"
    assert res.out["errno"] == "EIO"
    assert res.out["code"] == "ServiceUnavailable"
    # Each attempt is signed afresh (the signature covers its own date).
    for rec in server.requests:
        h = rec.lower_headers()
        assert h["authorization"] == v4_authorization("GET", h, "c", [("live", None)])


def test_429_retried_403_not(server: Recorder) -> None:
    server.replies = [Reply(429, b""), Reply(429, b"")]
    res = reqtool(*local(server, "--key", "c", "--retries", "1"))
    assert res.rc == 1 and len(server.requests) == 2 and res.out["status"] == "429"

    server.requests.clear()
    server.replies = [error_reply(403, "AccessDenied", "You have no right to access this object.",
                                  "5C3D8D2A0ACA54D87B43AAAA")]
    res = reqtool(*local(server, "--key", "c", "--retries", "3"))
    assert res.rc == 1
    assert len(server.requests) == 1
    assert res.out["errno"] == "EACCES"


def test_503_then_200_succeeds(server: Recorder) -> None:
    server.replies = [error_reply(503, "ServiceUnavailable", "busy", "R1")]
    res = reqtool(*local(server, "--key", "c", "--retries", "1"))
    assert res.rc == 0, res.stdout
    assert res.out["status"] == "200" and res.out["errno"] == "0"
    assert len(server.requests) == 2


def test_error_body_parsed(server: Recorder) -> None:
    server.replies = [error_reply(404, "NoSuchLiveChannel",
                                  "The specified live channel does not exist.",
                                  "5C3D8D2A0ACA54D87B43ABCD")]
    res = reqtool(*local(server, "--key", "nochan", "--query", "live"))
    assert res.rc == 1
    assert res.out["status"] == "404"
    assert res.out["errno"] == "ENOENT"
    assert res.out["code"] == "NoSuchLiveChannel"
    assert res.out["message"] == "The specified live channel does not exist."
    assert res.out["request_id"] == "5C3D8D2A0ACA54D87B43ABCD"


def test_error_body_with_entities_not_expanded(server: Recorder) -> None:
    """A DTD with entities is refused: status and header still count."""
    evil = (b'<?xml version="1.0"?><!DOCTYPE Error [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<Error><Code>&b;</Code><Message>m</Message></Error>")
    server.replies = [Reply(403, evil, {"x-oss-request-id": "RIDHEADER"})]
    res = reqtool(*local(server, "--key", "c"))
    assert res.out["status"] == "403"
    assert res.out["errno"] == "EACCES"
    assert "aaaa" not in res.out["code"]
    assert res.out["request_id"] == "RIDHEADER"


def test_head_error_from_headers(server: Recorder) -> None:
    xml = ERROR_XML.format(code="NoSuchKey", message="The specified key does not exist.",
                           rid="5C3D8D2A0ACA54D87B43EEEE")
    server.replies = [
        Reply(404, b"", {"x-oss-request-id": "5C3D8D2A0ACA54D87B43EEEE",
                         "x-oss-err": base64.b64encode(xml.encode()).decode()}),
        Reply(404, b"", {"x-oss-request-id": "5C3D8D2A0ACA54D87B43FFFF"}),
    ]
    res = reqtool(*local(server, "--method", "HEAD", "--key", "ch/x.ts"))
    assert res.rc == 1
    assert server.requests[0].method == "HEAD"
    assert (res.out["status"], res.out["errno"], res.out["code"]) == ("404", "ENOENT", "NoSuchKey")
    assert res.out["message"] == "The specified key does not exist."
    assert res.out["request_id"] == "5C3D8D2A0ACA54D87B43EEEE"
    res = reqtool(*local(server, "--method", "HEAD", "--key", "ch/y.ts"))
    assert (res.out["status"], res.out["errno"]) == ("404", "ENOENT")
    assert res.out["request_id"] == "5C3D8D2A0ACA54D87B43FFFF"


class HungServer:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join()
        for c in self.accepted:
            c.close()


def test_timeout_ends_hung_request() -> None:
    hung = HungServer()
    try:
        res = reqtool("--url", f"http://127.0.0.1:{hung.port}", "--region", REGION,
                      *creds_args(), "--key", "c", "--timeout", "1", "--retries", "1")
    finally:
        hung.close()
    assert res.rc == 1
    assert res.elapsed < 5
    assert res.out["status"] == "0"
    assert res.out["errno"] == "EIO"
    assert res.out["code"] == "RequestTimeout"
    assert len(hung.accepted) == 2            # a time-out is retried


def test_connection_refused_is_network_error() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                 # nothing listens there now
    res = reqtool("--url", f"http://127.0.0.1:{port}", "--region", REGION,
                  *creds_args(), "--key", "c", "--retries", "0")
    assert res.rc == 1
    assert (res.out["status"], res.out["errno"], res.out["code"]) == ("0", "EIO", "NetworkError")
    assert res.out["message"]


# ---- connections and logging ----------------------------------------------

def test_keepalive_one_connection(server: Recorder) -> None:
    res = reqtool(*local(server, "--key", "c", "--query", "live", "--repeat", "5"))
    assert res.rc == 0
    assert len(server.requests) == 5
    assert server.connections == 1


def test_keepalive_survives_error_answers(server: Recorder) -> None:
    server.default = error_reply(404, "NoSuchKey", "gone", "R")
    res = reqtool(*local(server, "--key", "c", "--repeat", "3"))
    assert res.rc == 1
    assert len(server.requests) == 3
    assert server.connections == 1


def test_debug_log_has_no_secret(server: Recorder) -> None:
    server.replies = [error_reply(503, "ServiceUnavailable", "busy", "RID503")]
    res = reqtool("--url", f"http://127.0.0.1:{server.port}", "--region", REGION,
                  *creds_args(token=True), "--key", CHANNEL, "--query", "live",
                  "--query", "comp=stat", "--retries", "1", "--loglevel", "debug")
    assert res.rc == 0, res.stderr
    auth = [r.header("Authorization") for r in server.requests]
    assert len(auth) == 2 and all(auth)
    lines = [ln for ln in res.stderr.splitlines() if "req: GET" in ln and "->" in ln]
    assert len(lines) == 2, res.stderr        # one line per attempt
    assert "503" in lines[0] and "RID503" in lines[0] and "ms" in lines[0]
    for secret in [SK, TOKEN, *auth, *(a.rsplit("=", 1)[-1] for a in auth)]:
        assert secret not in res.stderr
        assert secret not in res.stdout
    assert "Authorization" not in res.stderr


# ---- configuration and RTMP -------------------------------------------------

@pytest.mark.parametrize("url,region,want", [
    ("https://oss-cn-hangzhou.aliyuncs.com", None, "cn-hangzhou"),
    ("https://oss-cn-shanghai-internal.aliyuncs.com", None, "cn-shanghai"),
    ("https://oss-cn-hangzhou.aliyuncs.com", "oss-cn-beijing", "cn-beijing"),
    ("http://127.0.0.1:9000", "us-west-1", "us-west-1"),
])
def test_region(url: str, region: str | None, want: str) -> None:
    args = ["--url", url, *creds_args(), "--rtmp", "c"]
    res = reqtool(*args, *(["--region", region] if region else []))
    assert res.rc == 0, res.stdout
    assert res.out["region"] == want


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000", "https://example.com",
                                 "ftp://oss-cn-hangzhou.aliyuncs.com", "not a url"])
def test_bad_config(url: str) -> None:
    res = reqtool("--url", url, *creds_args(), "--rtmp", "c")
    assert res.rc == 1
    assert res.out["engine_error"] == "EINVAL"
    assert res.out["engine_message"]


def test_addressing_style() -> None:
    def style(url: str, *extra: str) -> str:
        return reqtool("--url", url, "--region", REGION, *creds_args(), "--rtmp", "c",
                       *extra).out["path_style"]
    assert style("http://127.0.0.1:1") == "1"
    assert style("http://[::1]:1") == "1"
    # Only IP hosts are automatic (design §2): *.localhost resolves locally.
    assert style("http://localhost:1") == "0"
    assert style("https://oss-cn-hangzhou.aliyuncs.com") == "0"
    assert style("https://oss-cn-hangzhou.aliyuncs.com", "--path-style") == "1"


def split_rtmp(url: str) -> tuple[str, dict[str, str]]:
    base, _, q = url.partition("?")
    return base, {k: urllib.parse.unquote(v) for k, _, v in
                  (p.partition("=") for p in q.split("&"))}


@pytest.mark.parametrize("playlist", [None, "playlist.m3u8"])
def test_rtmp_url_virtual_hosted(playlist: str | None) -> None:
    now = int(time.time())
    res = reqtool("--url", "https://oss-cn-hangzhou.aliyuncs.com", *creds_args(),
                  "--rtmp", "test-channel", "--expires", "600",
                  *(["--playlist", playlist] if playlist else []))
    assert res.rc == 0
    url = res.out["rtmp_url"]
    base, q = split_rtmp(url)
    assert base == f"rtmp://{BUCKET}.oss-cn-hangzhou.aliyuncs.com/live/test-channel"
    assert list(q) == ["OSSAccessKeyId", "Expires", "Signature"] + (
        ["playlistName"] if playlist else [])
    expires = int(q["Expires"])
    assert now + 600 <= expires <= int(time.time()) + 600
    assert q["OSSAccessKeyId"] == AK
    assert q["Signature"] == rtmp_signature(expires, "test-channel", playlist)
    assert "%2B" in url or "+" not in q["Signature"]      # the signature is encoded
    if playlist:
        assert q["playlistName"] == playlist


def test_rtmp_url_path_style() -> None:
    res = reqtool("--url", "http://127.0.0.1:9000", "--region", REGION, *creds_args(),
                  "--rtmp", CHANNEL)
    assert res.rc == 0
    base, q = split_rtmp(res.out["rtmp_url"])
    assert base == "rtmp://127.0.0.1:9000/live/" + uri_encode(CHANNEL, keep_slash=False)
    assert q["Signature"] == rtmp_signature(int(q["Expires"]), CHANNEL, None)


@pytest.mark.parametrize("base,sep", [("rtmp://127.0.0.1:1935/live/c", "?"),
                                      ("rtmp://b.example.com/live/c?x=1", "&")])
def test_rtmp_url_from_the_listed_publish_url(base: str, sep: str) -> None:
    """The URL OSS listed for the channel is signed as it is (the emulator's --rtmp names
    its own RTMP port there, not the HTTP endpoint's)."""
    res = reqtool("--url", "https://oss-cn-hangzhou.aliyuncs.com", *creds_args(),
                  "--rtmp", "c", "--rtmp-base", base, "--playlist", "p.m3u8")
    assert res.rc == 0
    url = res.out["rtmp_url"]
    assert url.startswith(base + sep + "OSSAccessKeyId=")
    q = dict(p.split("=", 1) for p in url[len(base) + 1:].split("&"))
    assert urllib.parse.unquote(q["Signature"]) == rtmp_signature(int(q["Expires"]), "c",
                                                                  "p.m3u8")


def test_threads_share_one_engine(server: Recorder) -> None:
    """Four threads on one engine: every request succeeds and idle
    connections are reused across threads (at most one per thread)."""
    res = reqtool(*local(server, "--key", "c", "--query", "live",
                         "--threads", "4", "--repeat", "25"))
    assert res.rc == 0, res.stdout + res.stderr
    assert (res.out["requests"], res.out["failures"]) == ("100", "0")
    assert len(server.requests) == 100
    assert 1 <= server.connections <= 4
    for rec in server.requests[::10]:
        h = rec.lower_headers()
        assert h["authorization"] == v4_authorization("GET", h, "c", [("live", None)])


# ---- against the project's emulator (it verifies signatures like OSS) -------

CONFIG_XML = b"<LiveChannelConfiguration><Target><Type>HLS</Type></Target></LiveChannelConfiguration>"


def emu_args(emulator, ak: str = "AKID", sk: str = "SECRET", token: str | None = None,
             sigv1: bool = False) -> list[str]:
    args = ["--url", emulator.url, "--bucket", emulator.bucket, "--region", emulator.region,
            "--ak", ak, "--sk", sk, "--retries", "0"]
    return args + (["--token", token] if token else []) + (["--sigv1"] if sigv1 else [])


@pytest.mark.parametrize("sigv1", [False, True], ids=["v4", "v1"])
@pytest.mark.parametrize("sts", [False, True], ids=["ak", "sts"])
def test_emulator_accepts_signatures(emulator, tmp_path: Path, sigv1: bool, sts: bool) -> None:
    creds = dict(ak="STSKEY", sk="STSSECRET", token="STSTOKEN") if sts else {}
    args = emu_args(emulator, sigv1=sigv1, **creds)
    body = tmp_path / "config.xml"
    body.write_bytes(CONFIG_XML)
    put = reqtool(*args, "--method", "PUT", "--key", CHANNEL, "--query", "live",
                  "--header", "Content-Type: application/xml", "--body-file", str(body))
    assert (put.rc, put.out["status"]) == (0, "200"), put.stdout
    out = tmp_path / "stat.xml"
    stat = reqtool(*args, "--key", CHANNEL, "--query", "live", "--query", "comp=stat",
                   "--out", str(out))
    assert (stat.rc, stat.out["status"]) == (0, "200"), stat.stdout
    assert b"<Status>Idle</Status>" in out.read_bytes()
    listing = reqtool(*args, "--query", "live", "--query", "prefix=my ch",
                      "--query", "marker=", "--query", "max-keys=5", "--out", str(out))
    assert listing.rc == 0, listing.stdout
    assert f"<Name>{CHANNEL}</Name>".encode() in out.read_bytes()
    status = reqtool(*args, "--method", "PUT", "--key", CHANNEL, "--query", "live",
                     "--query", "status=disabled")
    assert status.rc == 0, status.stdout
    delete = reqtool(*args, "--method", "DELETE", "--key", CHANNEL, "--query", "live")
    assert (delete.rc, delete.out["status"]) == (0, "204"), delete.stdout


def test_emulator_errors(emulator) -> None:
    bad = reqtool(*emu_args(emulator, sk="WRONG"), "--key", "c", "--query", "live")
    assert (bad.out["status"], bad.out["errno"], bad.out["code"]) == \
        ("403", "EACCES", "SignatureDoesNotMatch")
    assert len(bad.out["request_id"]) == 24
    head = reqtool(*emu_args(emulator), "--method", "HEAD", "--key", "nochannel/x.ts")
    assert (head.out["status"], head.out["errno"], head.out["code"]) == \
        ("404", "ENOENT", "NoSuchKey")
    vod = reqtool(*emu_args(emulator), "--method", "POST", "--key", "nochan/v.m3u8",
                  "--query", "vod", "--query", "startTime=1", "--query", "endTime=100")
    assert vod.rc == 1 and vod.out["status"] == "400"


def test_emulator_faults_retried(emulator) -> None:
    status, _ = emulator.control("/-/faults", {"count": 2, "method": "GET", "status": 503})
    assert status == 200
    emulator.control("/-/stats/reset", {})
    res = reqtool(*emu_args(emulator)[:-2], "--retries", "2", "--query", "live")
    assert res.rc == 0, res.stdout
    assert emulator.stats().get("ListLiveChannel") == 3
