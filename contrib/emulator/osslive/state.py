"""The emulator: state shared by all handler threads (buckets, stats, faults, latency)."""

from __future__ import annotations

import ipaddress
import os
import threading
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .auth import Auth
from .request import LIVE_KEYS, Request
from .store import Bucket

if TYPE_CHECKING:
    from .rtmp import RtmpIngest

# The content of every emulated segment, next to the entry point osslive_emulator.py.
SAMPLE_TS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sample.ts")


@dataclass
class Fault:
    count: int
    method: Optional[str]
    subresource: Optional[str]
    operation: Optional[str]
    status: Optional[int]
    code: Optional[str]
    message: Optional[str]
    delay: float
    reset: bool
    body: Optional[str]

    def matches(self, req: Request) -> bool:
        if self.method and self.method.upper() != req.method:
            return False
        if self.operation and self.operation != req.op:
            return False
        if self.subresource is not None:
            if self.subresource == "":
                if any(req.has(k) for k in LIVE_KEYS):
                    return False
            elif not req.has(self.subresource):
                return False
        return True

    def describe(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False, 0, 0.0)} | {
            "count": self.count}


class Emulator:
    def __init__(self, buckets: list[str], data: str, auth: Auth, verbose: bool = False):
        self.buckets = {b: Bucket(b, data) for b in buckets}
        self.auth = auth
        self.verbose = verbose
        self.stats: dict[str, int] = {}
        self.faults: list[Fault] = []
        self.latency_ms = 0
        # With latency: at most this many body bytes a round trip on one
        # connection (a TCP window); 0: no limit.
        self.window_bytes = 0
        self.lock = threading.Lock()
        self.rtmp: Optional[RtmpIngest] = None     # real ingest (--rtmp)
        self.public_read = False                   # the buckets' ACL is public-read
        try:
            with open(SAMPLE_TS, "rb") as f:
                self.sample_ts: Optional[bytes] = f.read()
        except OSError:
            self.sample_ts = None

    def count(self, op: str) -> None:
        with self.lock:
            self.stats[op] = self.stats.get(op, 0) + 1

    def take_fault(self, req: Request) -> Optional[Fault]:
        with self.lock:
            for f in self.faults:
                if f.count > 0 and f.matches(req):
                    f.count -= 1
                    if f.count == 0:
                        self.faults.remove(f)
                    return f
        return None

    # -- addressing -------------------------------------------------------------------------

    def route(self, host: str, raw_path: str) -> tuple[Optional[str], str, bool]:
        """(bucket name or None, decoded key, virtual-hosted?) for a Host header and raw path."""
        hostname = host.rsplit(":", 1)[0] if ":" in host and not host.endswith("]") else host
        first = hostname.split(".", 1)[0] if "." in hostname else None
        path = raw_path[1:] if raw_path.startswith("/") else raw_path
        if first is not None and first in self.buckets:
            return first, urllib.parse.unquote(path), True
        seg, _, rest = path.partition("/")
        seg = urllib.parse.unquote(seg)
        if seg in self.buckets:
            return seg, urllib.parse.unquote(rest), False
        if first is not None and not _is_ip(hostname):
            return first, urllib.parse.unquote(path), True
        if seg == "":
            return None, "", False
        return seg, urllib.parse.unquote(rest), False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False
