"""The control API under /-/ (loopback only, unsigned, JSON in and out)."""

from __future__ import annotations

import json
from typing import Optional

from . import rtmp
from .errors import ControlError
from .ingest import ctl_bucket, ingest_segment, ingest_start, ingest_stop
from .state import Emulator, Fault
from .wire import parse_query


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
            window = int(body.get("window", 0))
        except (TypeError, ValueError):
            raise ControlError(400, "ms and window must be integers") from None
        emu.latency_ms = max(0, ms)
        emu.window_bytes = max(0, window)
        return {"ok": True, "ms": emu.latency_ms, "window": emu.window_bytes}
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
            b, ch = rtmp.rtmp_check(emu, url, False)
        except ValueError as e:
            raise ControlError(403, str(e)) from None
        return {"ok": True, "bucket": b.name, "channel": ch}
    if path.startswith("/-/rtmp/on_"):
        return rtmp.callback(emu, path, body)
    raise ControlError(404, "no such control endpoint")
