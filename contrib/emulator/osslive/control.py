"""The control API under /-/ (loopback only, unsigned, JSON in and out)."""

from __future__ import annotations

import json
import urllib.parse
from typing import Optional

from .errors import ControlError
from .ingest import ingest_segment, ingest_start, ingest_stop
from .state import Emulator, Fault
from .store import Bucket
from .wire import parse_query, uri_encode


def ctl_bucket(emu: Emulator, body: dict) -> Bucket:
    name = body.get("bucket")
    if name is None:
        if len(emu.buckets) != 1:
            raise ControlError(400, "bucket is required when several buckets are served")
        return next(iter(emu.buckets.values()))
    b = emu.buckets.get(name)
    if b is None:
        raise ControlError(404, "NoSuchBucket")
    return b


def make_fault(body: dict) -> Fault:
    def opt_str(k: str) -> Optional[str]:
        v = body.get(k)
        return None if v is None else str(v)
    status = body.get("status")
    fault = Fault(count=int(body.get("count", 1)), method=opt_str("method"),
                  subresource=opt_str("subresource"), operation=opt_str("operation"),
                  status=int(status) if status is not None else None, code=opt_str("code"),
                  message=opt_str("message"), delay=float(body.get("delay") or 0),
                  reset=bool(body.get("reset")), body=opt_str("body"))
    if fault.body not in (None, "garbage", "truncated"):
        raise ControlError(400, "body must be garbage or truncated")
    if fault.count < 1:
        raise ControlError(400, "count must be at least 1")
    return fault


def rtmp_check(emu: Emulator, url: str, for_publish: bool) -> tuple[Bucket, str]:
    """Check an RTMP publish URL like OSS; ValueError(reason) when refused."""
    u = urllib.parse.urlsplit(url)
    if u.scheme != "rtmp":
        raise ValueError("not an rtmp:// URL")
    host = (u.hostname or "")
    segs = [urllib.parse.unquote(s) for s in u.path.split("/")[1:]]
    bucket_name = None
    if host.split(".", 1)[0] in emu.buckets and "." in host:
        bucket_name = host.split(".", 1)[0]
    if len(segs) >= 3 and segs[0] in emu.buckets and segs[1] == "live":
        bucket_name, segs = segs[0], segs[1:]
    if len(segs) != 2 or segs[0] != "live" or segs[1] == "":
        raise ValueError("path must be /live/<channel>")
    if bucket_name is None:
        if len(emu.buckets) != 1:
            raise ValueError("cannot tell the bucket from the URL")
        bucket_name = next(iter(emu.buckets))
    params = [(k, v) for k, v, _ in parse_query(u.query)]
    emu.auth.verify_rtmp(bucket_name, segs[1], params)
    b = emu.buckets[bucket_name]
    with b.lock:
        ch = b.channels.get(segs[1])
        if ch is None:
            raise ValueError("no such live channel")
        if ch["config"]["Status"] != "enabled":
            raise ValueError("live channel is disabled")
        if for_publish and ch.get("live"):
            raise ValueError("live channel is already live")
    return b, segs[1]


def json_body(raw: bytes, content_type: str) -> dict:
    """The JSON object of a control call (a form-encoded body gives its fields)."""
    if not raw.strip():
        return {}
    ctype = content_type.lower()
    # curl -d sends JSON as form-urlencoded: a body that looks like JSON is JSON.
    if "x-www-form-urlencoded" in ctype and not raw.lstrip().startswith(b"{"):
        return {k: v for k, v, _ in parse_query(raw.decode("utf-8").replace("+", " "))}
    try:
        v = json.loads(raw)
    except ValueError:
        raise ControlError(400, "body is not JSON") from None
    if not isinstance(v, dict):
        raise ControlError(400, "body must be a JSON object")
    return v


def call(emu: Emulator, m: str, path: str, raw: bytes, content_type: str) -> dict:
    """Perform one control call; its JSON answer, or ControlError."""
    if m == "GET" and path == "/-/stats":
        with emu.lock:
            return dict(emu.stats)
    if m == "GET" and path == "/-/faults":
        with emu.lock:
            return {"faults": [f.describe() for f in emu.faults], "latency_ms": emu.latency_ms}
    if m != "POST":
        raise ControlError(405, "use POST")
    body = json_body(raw, content_type)
    if path == "/-/stats/reset":
        with emu.lock:
            emu.stats.clear()
        return {"ok": True}
    if path == "/-/faults":
        fault = make_fault(body)
        with emu.lock:
            emu.faults.append(fault)
        return {"ok": True}
    if path == "/-/faults/clear":
        with emu.lock:
            emu.faults.clear()
        return {"ok": True}
    if path == "/-/latency":
        try:
            ms = int(body.get("ms", 0))
        except (TypeError, ValueError):
            raise ControlError(400, "ms must be an integer") from None
        emu.latency_ms = max(0, ms)
        return {"ok": True, "ms": emu.latency_ms}
    if path == "/-/ingest/start":
        b = ctl_bucket(emu, body)
        return ingest_start(emu, b, str(body.get("channel")), body)
    if path == "/-/ingest/stop":
        b = ctl_bucket(emu, body)
        return ingest_stop(emu, b, str(body.get("channel")))
    if path == "/-/ingest/segment":
        return ingest_segment(emu, ctl_bucket(emu, body), body)
    if path == "/-/rtmp/verify":
        url = body.get("url")
        if not isinstance(url, str):
            raise ControlError(400, "url is required")
        try:
            b, ch = rtmp_check(emu, url, False)
        except ValueError as e:
            raise ControlError(403, str(e)) from None
        return {"ok": True, "bucket": b.name, "channel": ch}
    if path in ("/-/rtmp/on_publish", "/-/rtmp/on_publish_done"):
        return nginx_callback(emu, path, body)
    raise ControlError(404, "no such control endpoint")


def nginx_callback(emu: Emulator, path: str, body: dict) -> dict:
    """nginx-rtmp's on_publish / on_publish_done (form fields; the URL query in args or as
    extra fields)."""
    name = str(body.get("name") or "")
    args = body.get("args") or ""
    extra = {k: v for k, v in body.items() if k in
             ("OSSAccessKeyId", "Expires", "Signature", "playlistName", "security-token")}
    query = args if args else urllib.parse.urlencode(extra, quote_via=urllib.parse.quote)
    url = "rtmp://%s/live/%s?%s" % ("127.0.0.1", uri_encode(name), query)
    if path.endswith("_done"):
        b = ctl_bucket(emu, {})
        try:
            return ingest_stop(emu, b, name)
        except ControlError:
            return {"ok": True}
    try:
        b, ch = rtmp_check(emu, url, True)
    except ValueError as e:
        raise ControlError(403, str(e)) from None
    addr = str(body.get("addr") or "127.0.0.1")
    params = dict((k, v) for k, v, _ in parse_query(query))
    return ingest_start(emu, b, ch, {"remote_addr": addr + ":1935",
                                     "playlist_name": params.get("playlistName")})
