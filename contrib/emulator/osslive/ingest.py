"""Ingest sessions and segments: what an encoder pushing RTMP causes (control API, nginx)."""

from __future__ import annotations

import time

from .errors import ControlError
from .playlist import m3u8
from .state import Emulator
from .store import Bucket


def ctl_channel(b: Bucket, body: dict) -> dict:
    name = body.get("channel")
    if not isinstance(name, str):
        raise ControlError(400, "channel is required")
    ch = b.channels.get(name)
    if ch is None:
        raise ControlError(404, "NoSuchLiveChannel")
    return ch


def ingest_start(emu: Emulator, b: Bucket, name: str, body: dict) -> dict:
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
        b.save_channel(name)
        return {"ok": True, "status": "Live"}


def ingest_stop(emu: Emulator, b: Bucket, name: str) -> dict:
    with b.lock:
        ch = ctl_channel(b, {"channel": name})
        if not ch.get("live"):
            raise ControlError(409, "channel is not live")
        b.end_session(ch, time.time())
        b.save_channel(name)
        return {"ok": True, "status": b.stat_status(ch), "history": len(ch["history"])}


def ingest_segment(emu: Emulator, b: Bucket, body: dict) -> dict:
    if emu.sample_ts is None:
        raise ControlError(500, "sample.ts is missing next to the emulator")
    with b.lock:
        ch = ctl_channel(b, body)
        name = ch["name"]
        cfg = ch["config"]
        try:
            duration = float(body.get("duration") or cfg["FragDuration"])
            t = float(body.get("time") or time.time())
        except (TypeError, ValueError):
            raise ControlError(400, "duration and time must be numbers") from None
        if duration <= 0:
            raise ControlError(400, "duration must be positive")
        ms = int(round(t * 1000))
        while "%s/%d.ts" % (name, ms) in b.objects:
            ms += 1
        key = "%s/%d.ts" % (name, ms)
        meta = b.put_object(key, emu.sample_ts, "video/MP2T")
        ch["segments"].append({"key": key, "time": t, "duration": duration})
        ch["seq"] = ch.get("seq", 0) + 1
        window = ch["segments"][-cfg["FragCount"]:]
        live = ch.get("live") or {}
        playlist = live.get("playlist_name") or cfg["PlaylistName"]
        b.put_object("%s/%s" % (name, playlist),
                     m3u8(window, name, ch["seq"] - len(window), False), "application/x-mpegURL")
        b.save_channel(name)
    return {"key": key, "etag": meta.etag, "time": t, "duration": duration}
