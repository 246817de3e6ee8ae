"""Ingest sessions and segments: what an encoder pushing RTMP causes (control API, nginx)."""

from __future__ import annotations

import time
from typing import Optional

from .errors import ControlError
from .playlist import m3u8
from .state import Emulator
from .store import Bucket


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


def ctl_channel(b: Bucket, body: dict) -> dict:
    name = body.get("channel")
    if not isinstance(name, str):
        raise ControlError(400, "channel is required")
    ch = b.channels.get(name)
    if ch is None:
        raise ControlError(404, "NoSuchLiveChannel")
    return ch


def ingest_start(emu: Emulator, b: Bucket, name: str, body: dict) -> dict:
    """The channel is Live from now (or body's "time") with body's figures."""
    with b.lock:
        ch = ctl_channel(b, {"channel": name})
        if ch["config"]["Status"] == "disabled":
            raise ControlError(409, "LiveChannelDisabled")
        if ch.get("live"):
            raise ControlError(409, "ChannelStillLive")
        ch["live"] = {"connected_time": float(body.get("time") or time.time()),
                      "remote_addr": str(body.get("remote_addr") or "127.0.0.1:1935"),
                      "video": body.get("video"), "audio": body.get("audio"),
                      "playlist_name": body.get("playlist_name")}
        if body.get("rtmp"):
            ch["live"]["rtmp"] = True
        b.save_channel(name)
        return {"ok": True, "status": "Live"}


def ingest_stop(emu: Emulator, b: Bucket, name: str, when: Optional[float] = None) -> dict:
    """Idle again: the session becomes a history record ending now (or at when)."""
    with b.lock:
        ch = ctl_channel(b, {"channel": name})
        if not ch.get("live"):
            raise ControlError(409, "channel is not live")
        b.end_session(ch, time.time() if when is None else when)
        b.save_channel(name)
        return {"ok": True, "status": b.stat_status(ch), "history": len(ch["history"])}


def store_segment(b: Bucket, name: str, fname: str, data: bytes, t: float, duration: float,
                  playlist: Optional[str] = None) -> str:
    """Store segment object <name>/<fname> that started at t, and rewrite the live playlist
    (playlist, else the session's or the configured PlaylistName) to the last FragCount
    segments.  Returns the key.  Without the channel (deleted) only the object is stored."""
    key = "%s/%s" % (name, fname)
    with b.lock:
        b.put_object(key, data, "video/MP2T")
        ch = b.channels.get(name)
        if ch is None:
            return key
        cfg = ch["config"]
        ch["segments"].append({"key": key, "time": t, "duration": duration})
        ch["seq"] = ch.get("seq", 0) + 1
        window = ch["segments"][-cfg["FragCount"]:]
        live = ch.get("live") or {}
        playlist = playlist or live.get("playlist_name") or cfg["PlaylistName"]
        b.put_object("%s/%s" % (name, playlist),
                     m3u8(window, name, ch["seq"] - len(window), False), "application/x-mpegURL")
        b.save_channel(name)
    return key


def ingest_segment(emu: Emulator, b: Bucket, body: dict) -> dict:
    """The control API's segment: a copy of sample.ts named for its start time."""
    if emu.sample_ts is None:
        raise ControlError(500, "sample.ts is missing next to the emulator")
    with b.lock:
        ch = ctl_channel(b, body)
        name = ch["name"]
        try:
            duration = float(body.get("duration") or ch["config"]["FragDuration"])
            t = float(body.get("time") or time.time())
        except (TypeError, ValueError):
            raise ControlError(400, "duration and time must be numbers") from None
        if duration <= 0:
            raise ControlError(400, "duration must be positive")
        ms = int(round(t * 1000))
        while "%s/%d.ts" % (name, ms) in b.objects:
            ms += 1
        key = store_segment(b, name, "%d.ts" % ms, emu.sample_ts, t, duration)
        etag = b.objects[key].etag
    return {"key": key, "etag": etag, "time": t, "duration": duration}
