"""RTMP publishing: the signed publish URL check, nginx-rtmp's callbacks, and (--rtmp) real
ingest through a private nginx: sessions, live figures from /stat, segments as objects."""

from __future__ import annotations

import os
import shutil
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Optional

from .errors import ControlError
from .ingest import ctl_bucket, ingest_start, ingest_stop, store_segment
from .nginx import Nginx, peer_ports
from .playlist import parse_m3u8
from .state import Emulator
from .store import Bucket
from .wire import parse_query

POLL_SECONDS = 0.5
# nginx has written its last piece when it reports on_publish_done; a margin all the same.
FINISH_SECONDS = 1.0
# Segments are due once they hold FragDuration less this (or a tenth of it): pieces that end
# at key frames every FragDuration seconds hold a few ms less or more (timestamp rounding).
CUT_MARGIN = 0.25
URL_PARAMS = ("OSSAccessKeyId", "Expires", "Signature", "playlistName", "security-token")


def rtmp_check(emu: Emulator, url: str, for_publish: bool) -> tuple[Bucket, str]:
    """Check an RTMP publish URL like OSS; ValueError(reason) when refused.  A URL whose host
    and path name no served bucket (rtmp://127.0.0.1:PORT/live/ch) is for the bucket whose
    key signed it."""
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
    params = [(k, v) for k, v, _ in parse_query(u.query)]
    first_error: Optional[ValueError] = None
    for name in [bucket_name] if bucket_name else list(emu.buckets):
        try:
            emu.auth.verify_rtmp(name, segs[1], params)
            bucket_name = name
            break
        except ValueError as e:
            first_error = first_error or e
    else:
        raise first_error or ValueError("no bucket")
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


def callback_url(body: dict) -> str:
    """The publish URL that an nginx-rtmp callback describes (name, and the URL query in args
    or as extra fields)."""
    name = str(body.get("name") or "")
    args = body.get("args") or ""
    extra = {k: v for k, v in body.items() if k in URL_PARAMS}
    query = args if args else urllib.parse.urlencode(extra, quote_via=urllib.parse.quote)
    return "rtmp://127.0.0.1/live/%s?%s" % (urllib.parse.quote(name, safe="%"), query)


def callback(emu: Emulator, path: str, body: dict) -> dict:
    """/-/rtmp/on_publish and on_publish_done: with --rtmp the private nginx's, else a
    session like /-/ingest/start and /-/ingest/stop."""
    if emu.rtmp is not None:
        return emu.rtmp.callback(path, body)
    name = str(body.get("name") or "")
    if path.endswith("_done"):
        b = ctl_bucket(emu, {})
        try:
            return ingest_stop(emu, b, name)
        except ControlError:
            return {"ok": True}
    if path != "/-/rtmp/on_publish":
        raise ControlError(404, "no such control endpoint")
    b, ch, playlist = check_publish(emu, body)
    return ingest_start(emu, b, ch, {"remote_addr": str(body.get("addr") or "127.0.0.1")
                                     + ":1935", "playlist_name": playlist})


def check_publish(emu: Emulator, body: dict) -> tuple[Bucket, str, Optional[str]]:
    """(bucket, channel, playlistName) of an on_publish callback; ControlError 403 refuses."""
    url = callback_url(body)
    try:
        b, ch = rtmp_check(emu, url, True)
    except ValueError as e:
        raise ControlError(403, str(e)) from None
    params = dict((k, v) for k, v, _ in parse_query(urllib.parse.urlsplit(url).query))
    return b, ch, params.get("playlistName")


@dataclass
class Stream:
    """One publisher's session as nginx runs it (name: nginx's stream name)."""
    name: str
    bucket: Bucket
    channel: str
    frag_duration: int
    playlist: Optional[str]
    started: float
    ended: Optional[float] = None
    # nginx's pieces (duration, file name, bytes) not yet in a segment
    pending: list[tuple[float, str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def segment_due(self) -> bool:
        """OSS starts a new segment at the first key frame after FragDuration: the pieces
        (each ends at a key frame) hold that much, to within a few frames of timestamp
        rounding."""
        held = sum(d for d, _, _ in self.pending)
        return held >= self.frag_duration - min(CUT_MARGIN, self.frag_duration / 10)


class RtmpIngest:
    """Real ingest: nginx's callbacks, and a thread that turns its HLS output and /stat into
    objects and channel state."""

    def __init__(self, emu: Emulator, prefix: str):
        self.emu = emu
        self.prefix = prefix
        self.nginx: Optional[Nginx] = None
        self.streams: dict[str, Stream] = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = False
        self.thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        return self.nginx.port if self.nginx else 0

    def publish_url(self, channel: str) -> str:
        return "rtmp://127.0.0.1:%d/live/%s" % (self.port, urllib.parse.quote(channel, safe=""))

    def start(self, emulator: str) -> None:
        """Start nginx; its callbacks go to the emulator at emulator (host:port)."""
        shutil.rmtree(self.prefix, ignore_errors=True)
        self.nginx = Nginx(self.prefix, "http://%s/-/rtmp" % emulator)
        self.nginx.start()
        self.thread = threading.Thread(target=self.run, name="rtmp", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop nginx (its publishers are cut), store what it wrote, end the sessions."""
        self.stopping = True
        self.wake.set()
        if self.thread:
            self.thread.join(10)
        if self.nginx:
            self.nginx.stop()
        with self.lock:
            streams = list(self.streams.values())
            self.streams.clear()
        for s in streams:
            self.publisher_left(s, time.time())
            self.finish(s)
        shutil.rmtree(self.prefix, ignore_errors=True)

    # -- callbacks --------------------------------------------------------------------------

    def callback(self, path: str, body: dict) -> dict:
        name = str(body.get("name") or "")
        if path == "/-/rtmp/on_publish":
            return self.on_publish(name, body)
        if path != "/-/rtmp/on_publish_done":
            raise ControlError(404, "no such control endpoint")
        with self.lock:
            s = self.streams.get(name)
        if s is not None:
            self.publisher_left(s, time.time())
        return {"ok": True}

    def on_publish(self, name: str, body: dict) -> dict:
        """Accept a publisher as OSS would (else 403): the channel is Live."""
        b, ch, playlist = check_publish(self.emu, body)
        with self.lock:
            old = self.streams.pop(name, None)
        if old is not None:                 # the last session's final pieces
            self.finish(old)
        assert self.nginx is not None
        shutil.rmtree(os.path.join(self.nginx.hls, name), ignore_errors=True)
        addr = str(body.get("addr") or "127.0.0.1")
        now = time.time()
        ingest_start(self.emu, b, ch, {"remote_addr": "%s:%d" % (addr, self.peer_port(addr)),
                                       "playlist_name": playlist, "rtmp": True, "time": now})
        with b.lock:
            frag = b.channels[ch]["config"]["FragDuration"]
        with self.lock:
            self.streams[name] = Stream(name, b, ch, frag, playlist, now)
        return {"ok": True, "bucket": b.name, "channel": ch}

    def peer_port(self, addr: str) -> int:
        """The publisher's port: its connection to nginx that no session has (the newest when
        several)."""
        assert self.nginx is not None
        taken = set()
        for b in self.emu.buckets.values():
            with b.lock:
                for ch in b.channels.values():
                    live = ch.get("live") or {}
                    taken.add(live.get("remote_addr"))
        found = [(inode, port) for inode, port in peer_ports(self.nginx.port, addr)
                 if "%s:%d" % (addr, port) not in taken]
        return max(found)[1] if found else 0

    def publisher_left(self, s: Stream, when: float) -> None:
        """The publisher is gone: the session becomes history (unless a disable ended it)."""
        if s.ended is not None:
            return
        s.ended = when
        with s.bucket.lock:
            ch = s.bucket.channels.get(s.channel)
            live = ch.get("live") if ch else None
            if live and live.get("rtmp") and live["connected_time"] == s.started:
                ingest_stop(self.emu, s.bucket, s.channel, when)
        self.wake.set()

    def channel_disabled(self, b: Bucket, channel: str) -> None:
        """PutLiveChannelStatus disabled ended the session: cut the publisher (OSS does so
        within about 10 s)."""
        with self.lock:
            streams = [s for s in self.streams.values()
                       if s.bucket is b and s.channel == channel and s.ended is None]
        for s in streams:
            s.ended = time.time()
            if self.nginx:
                threading.Thread(target=self.nginx.drop_publisher, args=(s.name,),
                                 daemon=True).start()

    # -- the watcher thread ---------------------------------------------------------------

    def run(self) -> None:
        while not self.stopping:
            self.wake.wait(POLL_SECONDS)
            self.wake.clear()
            if self.stopping:
                break
            with self.lock:
                streams = list(self.streams.values())
            if any(s.ended is None for s in streams):
                self.refresh_figures(streams)
            now = time.time()
            for s in streams:
                if s.ended is not None and now - s.ended >= FINISH_SECONDS:
                    with self.lock:
                        if self.streams.get(s.name) is s:
                            del self.streams[s.name]
                    self.finish(s)
                else:
                    self.import_pieces(s)

    def refresh_figures(self, streams: list[Stream]) -> None:
        """GetLiveChannelStat's figures from nginx's /stat."""
        assert self.nginx is not None
        stats = self.nginx.stat()
        now = time.time()
        for s in streams:
            st = stats.get(s.name)
            if s.ended is not None or st is None:
                continue
            with s.bucket.lock:
                ch = s.bucket.channels.get(s.channel)
                live = ch.get("live") if ch else None
                if live and live.get("rtmp") and live["connected_time"] == s.started:
                    live["video"], live["audio"], live["seen"] = st.video, st.audio, now

    def import_pieces(self, s: Stream, flush: bool = False) -> None:
        """Take the pieces nginx has finished (those its playlist lists) and store segments
        <ch>/<first piece>.ts of FragDuration with their real durations; flush: the rest too
        (the stream is over)."""
        assert self.nginx is not None
        d = os.path.join(self.nginx.hls, s.name)
        try:
            with open(os.path.join(d, "index.m3u8"), encoding="utf-8") as f:
                entries = parse_m3u8(f.read())
        except OSError:
            entries = []
        with s.lock:
            for duration, fname in entries:
                path = os.path.join(d, fname)
                if not fname.endswith(".ts") or not os.path.exists(path):
                    continue                 # taken already (and removed), or not ours
                with open(path, "rb") as f:
                    s.pending.append((duration, fname, f.read()))
                os.unlink(path)
                if s.segment_due():
                    self.store(s)
            if flush and s.pending:
                self.store(s)

    @staticmethod
    def store(s: Stream) -> None:
        """The pending pieces become one segment (MPEG-TS pieces of one stream join as they
        are: timestamps and continuity counters run on)."""
        first = s.pending[0][1]
        stem = first[:-3]
        t = int(stem) / 1000.0 if stem.isdigit() else time.time()
        duration = round(sum(d for d, _, _ in s.pending), 3)
        data = b"".join(p for _, _, p in s.pending)
        s.pending.clear()
        store_segment(s.bucket, s.channel, first, data, t, duration, s.playlist)

    def finish(self, s: Stream) -> None:
        """A stream is over: store its last pieces, forget nginx's files."""
        self.import_pieces(s, flush=True)
        if self.nginx:
            shutil.rmtree(os.path.join(self.nginx.hls, s.name), ignore_errors=True)
