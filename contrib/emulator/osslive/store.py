"""Storage: one Bucket per served bucket, persisted under DIR/<bucket>/ (channels and objects)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional

from .errors import OssError
from .wire import etag_of, uri_encode

HISTORY_MAX = 10


@dataclass
class ObjMeta:
    key: str
    size: int
    etag: str
    mtime: int
    content_type: str
    fname: str


def content_type_for(key: str) -> str:
    if key.endswith(".m3u8"):
        return "application/x-mpegURL"
    if key.endswith(".ts"):
        return "video/MP2T"
    if key.endswith(".xml"):
        return "application/xml"
    return "application/octet-stream"


def default_config() -> dict:
    return {"Description": "", "Status": "enabled", "FragDuration": 5, "FragCount": 3,
            "PlaylistName": "playlist.m3u8", "Snapshot": None}


class Bucket:
    def __init__(self, name: str, root: str):
        self.name = name
        self.root = os.path.join(root, name)
        self.chan_dir = os.path.join(self.root, "channels")
        self.obj_dir = os.path.join(self.root, "objects")
        os.makedirs(self.chan_dir, exist_ok=True)
        os.makedirs(self.obj_dir, exist_ok=True)
        self.lock = threading.RLock()
        self.channels: dict[str, dict] = {}
        self.objects: dict[str, ObjMeta] = {}
        self._load()

    # -- persistence ------------------------------------------------------------------------

    def _load(self) -> None:
        for fn in os.listdir(self.chan_dir):
            if not fn.endswith(".json"):
                continue
            with open(os.path.join(self.chan_dir, fn), encoding="utf-8") as f:
                ch = json.load(f)
            self.channels[ch["name"]] = ch
            live = ch.get("live")
            if live and live.get("rtmp"):   # its nginx is gone: the session ended then
                self.end_session(ch, live.get("seen") or live["connected_time"])
                self.save_channel(ch["name"])
        for fn in os.listdir(self.obj_dir):
            if not fn.endswith(".meta"):
                continue
            with open(os.path.join(self.obj_dir, fn), encoding="utf-8") as f:
                m = json.load(f)
            data = os.path.join(self.obj_dir, fn[:-5])
            if not os.path.exists(data):
                continue
            self.objects[m["key"]] = ObjMeta(m["key"], os.path.getsize(data), m["etag"],
                                             m["mtime"], m["content_type"], fn[:-5])

    @staticmethod
    def _write_atomic(path: str, data: bytes) -> None:
        tmp = "%s.tmp.%d.%d" % (path, os.getpid(), threading.get_ident())
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def _chan_path(self, name: str) -> str:
        return os.path.join(self.chan_dir, uri_encode(name) + ".json")

    def save_channel(self, name: str) -> None:
        ch = self.channels[name]
        self._write_atomic(self._chan_path(name),
                           json.dumps(ch, ensure_ascii=False).encode("utf-8"))

    def drop_channel(self, name: str) -> None:
        del self.channels[name]
        try:
            os.unlink(self._chan_path(name))
        except FileNotFoundError:
            pass

    @staticmethod
    def _obj_fname(key: str) -> str:
        q = uri_encode(key)
        if len(q) <= 180:
            return "k-" + q
        return "h-" + hashlib.sha256(key.encode("utf-8")).hexdigest()

    def put_object(self, key: str, data: bytes, ctype: Optional[str]) -> ObjMeta:
        with self.lock:
            fname = self._obj_fname(key)
            meta = ObjMeta(key, len(data), etag_of(data), int(time.time()),
                           ctype or content_type_for(key), fname)
            path = os.path.join(self.obj_dir, fname)
            self._write_atomic(path, data)
            self._write_atomic(path + ".meta", json.dumps({
                "key": key, "etag": meta.etag, "mtime": meta.mtime,
                "content_type": meta.content_type}, ensure_ascii=False).encode("utf-8"))
            self.objects[key] = meta
            return meta

    def delete_object(self, key: str) -> None:
        with self.lock:
            meta = self.objects.pop(key, None)
            if meta is None:
                return
            for suffix in (".meta", ""):
                try:
                    os.unlink(os.path.join(self.obj_dir, meta.fname + suffix))
                except FileNotFoundError:
                    pass

    def open_object(self, key: str) -> tuple[ObjMeta, Any]:
        """The object's metadata and an open file, taken together under the lock."""
        with self.lock:
            meta = self.objects.get(key)
            if meta is None:
                raise OssError(404, "NoSuchKey", extra=[("Key", key)])
            return meta, open(os.path.join(self.obj_dir, meta.fname), "rb")

    def read_object(self, key: str) -> bytes:
        meta, f = self.open_object(key)
        with f:
            return f.read()

    # -- channel helpers --------------------------------------------------------------------

    def channel(self, name: str) -> dict:
        ch = self.channels.get(name)
        if ch is None:
            raise OssError(404, "NoSuchLiveChannel", ec="0026-00000021")
        return ch

    def stat_status(self, ch: dict) -> str:
        if ch["config"]["Status"] == "disabled":
            return "Disabled"
        return "Live" if ch.get("live") else "Idle"

    def end_session(self, ch: dict, now: float) -> None:
        live = ch.get("live")
        if not live:
            return
        ch["history"].append({"start": live["connected_time"], "end": now,
                              "remote_addr": live["remote_addr"]})
        ch["history"] = ch["history"][-HISTORY_MAX:]
        ch["live"] = None
