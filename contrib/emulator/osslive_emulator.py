#!/usr/bin/python3
"""A local emulator of the Alibaba Cloud OSS LiveChannel API (and the object calls around it).

Python 3 standard library only.  Run it with Debian's interpreter:

    /usr/bin/python3 contrib/emulator/osslive_emulator.py --port 0 --bucket NAME \\
        --credentials AK:SK[:TOKEN][,...] --data DIR [--region cn-hangzhou] [--port-file FILE]

The first line on stdout, printed once the socket accepts connections, is
``listening on http://HOST:PORT``.  Nothing else is written to stdout; ``-v`` logs one line per
request on stderr.  SIGTERM and SIGINT stop it cleanly (exit status 0).

What it implements (see /work/shared/spec/oss-livechannel-api.md for the protocol facts):

* The nine LiveChannel operations: PutLiveChannel, PutLiveChannelStatus, GetLiveChannelInfo,
  GetLiveChannelStat, GetLiveChannelHistory, ListLiveChannel, DeleteLiveChannel,
  PostVodPlaylist, GetVodPlaylist; element names and order as OSS, defaults materialised,
  204 for deletes, the error table of spec section 6 with OSS error bodies.
* The object calls: ListObjects (prefix, delimiter, marker, max-keys, encoding-type=url),
  GetObject (Range; an invalid range is ignored and the whole object returned with 200, unless
  ``x-oss-range-behavior: standard``), HeadObject, PutObject (Content-MD5 checked), DeleteObject
  (204 even when missing).
* Authentication like OSS: V1 (HMAC-SHA1) and V4 (OSS4-HMAC-SHA256) header signatures, V1
  presigned URLs, STS tokens.  Anonymous requests get 403 AccessDenied.  A key given with a
  TOKEN is an STS key: its requests must carry exactly that ``x-oss-security-token`` (403
  InvalidSecurityToken otherwise); a key given without a token refuses requests that carry one
  (403 InvalidSecurityToken).  A bad signature gives 403 SignatureDoesNotMatch with the expected
  StringToSign (and, for V4, the CanonicalRequest) in the body.  The V4 scope must name the
  emulator's region.  Tolerances (all legitimate SDK renderings): ``?live`` and ``?live=``; in V4
  an empty ordinary parameter signed either as ``k`` or as ``k=`` (ali-oss); in V1 the reduced
  sub-resource set of the go-sdk-v2 fork, ``x-oss-*`` query parameters, and ``/bucket`` without
  the trailing slash for bucket-level path-style requests (C SDK).
* Clock skew: by default a request whose date is more than 15 minutes away from the emulator's
  clock gets 403 RequestTimeTooSkewed.  ``--no-clock-check`` turns that off (needed to replay
  captured requests).

Addressing.  ``Host: <bucket>.<anything>`` (for example ``testbucket.localhost:PORT``) is
virtual-hosted style when ``<bucket>`` is a bucket served here; otherwise the first path segment
names the bucket (path style, ``/<bucket>/<key>``).  A host that is neither (a DNS name whose first
label is not served and whose path does not start with a served bucket) is taken as virtual-hosted
for an unknown bucket: 404 NoSuchBucket.  Paths are percent-decoded as UTF-8, so channel names
with spaces, ``+``, ``~``, ``*`` or non-ASCII characters work, and ``%2F`` in a key is a ``/``.

URLs in PutLiveChannel and ListLiveChannel answers are built from the request's Host header, with
the channel and playlist names percent-encoded (RFC 3986 unreserved characters kept):

* virtual-hosted (Host ``b.h``): ``rtmp://b.h/live/<ch>`` and ``http://b.h/<ch>/<PlaylistName>``;
* path style (Host ``h``): ``rtmp://h/live/<ch>`` and ``http://h/<bucket>/<ch>/<PlaylistName>``.

The RTMP URL therefore carries the emulator's HTTP host and port; there is no RTMP server here.

Channel state.  Stat is ``Disabled`` when the config status is disabled, ``Live`` while an ingest
session runs (control API below, or nginx on_publish), ``Idle`` otherwise.  PutLiveChannel on an
existing idle channel overwrites its configuration and keeps its history and segments; while
Live it gives 409 ChannelStillLive, as does DeleteLiveChannel.  PutLiveChannelStatus ``disabled``
on a Live channel ends the session at once (OSS drops the publisher after about 10 s) and adds a
history record; ``enabled`` while Live gives 409 ChannelStillLive.  History keeps the last 10
sessions.  PostVodPlaylist/GetVodPlaylist on a missing channel answer 400 InvalidArgument "No ts
file found in specified time span." (what the real service answered ali-oss); segment objects
deleted with DeleteObject are left out of VOD playlists.

Persistence.  Under ``--data DIR``: ``DIR/<bucket>/channels/<quoted name>.json`` (config, live
session, history, segment records) and ``DIR/<bucket>/objects/k-<quoted key>`` (the object's
bytes) with ``.meta`` (JSON: key, ETag, mtime, Content-Type) beside it (keys longer than 180
quoted characters are stored under ``h-<sha256>``).  A restart loses nothing.

Control API under ``/-/`` (loopback clients only, unsigned, JSON in and out; ``bucket`` may be
left out when one bucket is served):

* ``POST /-/ingest/start`` ``{"bucket","channel","remote_addr":"ip:port","playlist_name",
  "video":{"width","height","frame_rate","bandwidth","codec"},
  "audio":{"bandwidth","sample_rate","codec"}}``: the channel is Live (404 when missing, 409 when
  disabled or already live).
* ``POST /-/ingest/segment`` ``{"bucket","channel","duration":SECONDS,"time":UNIX_SECONDS}``
  (duration defaults to FragDuration, time to now): writes a real MPEG-TS object
  ``<ch>/<unix-ms>.ts`` (a copy of ``sample.ts`` next to this file, whatever the duration),
  records its start and duration, and rewrites the live playlist ``<ch>/<PlaylistName>`` to the
  last FragCount segments (no ENDLIST).  Works whether or not the channel is Live.
  Answer: ``{"key","etag","time","duration"}``.
* ``POST /-/ingest/stop`` ``{"bucket","channel"}``: Idle again, one history record (409 when not
  Live).
* ``POST /-/faults`` ``{"count":N,"method":"GET","subresource":"live","operation":"GetObject",
  "status":503,"code":"...","message":"...","delay":SECONDS,"reset":false,
  "body":"garbage"|"truncated"}``: the next N OSS requests that match (every given matcher:
  method, a query key present -- ``"subresource": ""`` means none of live/vod/comp/status --
  and operation name) misbehave: ``delay`` sleeps first; ``reset`` drops the connection with a TCP
  RST without doing anything; ``status`` answers that status with an OSS error body without doing
  anything; ``body`` performs the request but sends garbage (same length) or only half of the
  body then closes the connection.  ``GET /-/faults`` lists the pending faults,
  ``POST /-/faults/clear`` removes them.
* ``POST /-/latency`` ``{"ms":N}``: added to every OSS request.
* ``GET /-/stats`` -> ``{"ListLiveChannel": 3, "GetObject": 1, ...}``: every OSS request that
  reached the handler, counted by operation name whatever its outcome (bad signatures and
  injected faults included); ``POST /-/stats/reset`` zeroes the counters.
* ``POST /-/rtmp/verify`` ``{"url":"rtmp://..."}`` -> 200 ``{"ok":true,"bucket","channel"}`` or
  403 ``{"ok":false,"reason":...}``: the OSS RTMP publish-URL signature (spec 9.6, with
  playlistName when present; security-token accepted signed or unsigned), a known
  OSSAccessKeyId, Expires not past, and the channel existing and enabled.
* ``POST /-/rtmp/on_publish`` and ``/-/rtmp/on_publish_done`` accept nginx-rtmp's form-encoded
  callbacks (``name`` = channel, the URL query in ``args`` or as extra fields): on_publish checks
  the URL like verify (and that the channel is not already Live) and starts a session,
  on_publish_done stops it.

Regenerating sample.ts (about 15 KiB; 1 s, H.264 + AAC):
    ffmpeg -f lavfi -i testsrc=size=160x120:rate=10 -f lavfi -i sine=frequency=440:sample_rate=22050
        -t 1 -c:v libx264 -preset veryfast -g 10 -pix_fmt yuv420p -c:a aac -b:a 32k -ac 1
        -f mpegts sample.ts
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import ipaddress
import json
import math
import os
import secrets
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from xml.sax.saxutils import escape as xml_escape

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE_TS = os.path.join(HERE, "sample.ts")

MAX_SKEW = 15 * 60
HISTORY_MAX = 10
OWNER_ID = "1234567890123456"

# V1 CanonicalizedResource sub-resources (spec 9.2).
V1_SUBRESOURCES = frozenset("""
acl uploads location cors logging website referer lifecycle delete append tagging objectMeta
uploadId partNumber security-token position img style styleName replication replicationProgress
replicationLocation cname bucketInfo comp qos live status vod startTime endTime symlink
x-oss-process response-content-type x-oss-traffic-limit response-content-language
response-expires response-cache-control response-content-disposition response-content-encoding
udf udfName udfImage udfId udfImageDesc udfApplication udfApplicationLog restore callback
callback-var qosInfo policy stat encryption versions versioning versionId requestPayment
x-oss-request-payer sequential inventory inventoryId continuation-token asyncFetch worm wormId
wormExtend resourceGroup
""".split())
# The go-sdk-v2 LiveChannel fork signs only these (spec 8.1); tolerated.
V1_REDUCED = frozenset({"live", "comp", "vod"})
# Sub-resources this emulator implements; any other one is 501 NotImplemented.
IMPLEMENTED_SUBRESOURCES = frozenset({"live", "status", "comp", "vod", "startTime", "endTime"})
# Query keys that mark a LiveChannel request (used by fault matching with "subresource": "").
LIVE_KEYS = ("live", "vod", "comp", "status")

ERROR_MESSAGES = {
    "AccessDenied": "You have no right to access this object because of bucket acl.",
    "InvalidAccessKeyId": "The OSS Access Key Id you provided does not exist in our records.",
    "SignatureDoesNotMatch": "The request signature we calculated does not match the signature "
                             "you provided. Check your key and signing method.",
    "InvalidSecurityToken": "The security token you provided is invalid.",
    "RequestTimeTooSkewed": "The difference between the request time and the current time is "
                            "too large.",
    "NoSuchBucket": "The specified bucket does not exist.",
    "NoSuchKey": "The specified key does not exist.",
    "NoSuchLiveChannel": "The specified live channel does not exist.",
    "ChannelStillLive": "The live channel is still live, it may not be deleted or updated.",
    "MalformedXML": "The XML you provided was not well-formed or did not validate against our "
                    "published schema.",
    "InvalidDigest": "The Content-MD5 you specified did not match what we received.",
    "InvalidRange": "The requested range cannot be satisfied.",
    "NotImplemented": "A header or query you provided implies functionality that is not "
                      "implemented.",
    "InternalError": "We encountered an internal error. Please try again.",
    "ServiceUnavailable": "Please reduce your request rate.",
    "InvalidObjectName": "The specified object is not valid.",
    "MethodNotAllowed": "The specified method is not allowed against this resource.",
}
STATUS_CODES = {500: "InternalError", 502: "BadGateway", 503: "ServiceUnavailable",
                504: "GatewayTimeout", 429: "TooManyRequests", 403: "AccessDenied",
                404: "NoSuchKey", 400: "InvalidArgument", 409: "Conflict"}


# ---------------------------------------------------------------------------------------------
# Small helpers


def iso_ms(t: float) -> str:
    """ISO 8601 UTC with milliseconds, as OSS writes timestamps in XML."""
    dt = datetime.fromtimestamp(t, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def http_date(t: float) -> str:
    return formatdate(t, usegmt=True)


def request_id() -> str:
    return secrets.token_hex(12).upper()


def uri_encode(s: str, keep_slash: bool = False) -> str:
    """RFC 3986 encoding: unreserved characters kept, everything else %XX (UTF-8, upper hex)."""
    return urllib.parse.quote(s, safe="/" if keep_slash else "", encoding="utf-8")


def etag_of(data: bytes) -> str:
    return '"%s"' % hashlib.md5(data).hexdigest().upper()


def xml_doc(root: str, body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<%s>%s</%s>\n'
            % (root, body, root)).encode("utf-8")


def el(tag: str, text: Any) -> str:
    return "<%s>%s</%s>" % (tag, xml_escape(str(text)), tag)


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


def is_loopback(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def parse_query(raw: str) -> list[tuple[str, str, bool]]:
    """Split a raw query string into (key, value, had '=') with %XX decoded ('+' stays '+')."""
    out = []
    for part in raw.split("&"):
        if part == "":
            continue
        k, eq, v = part.partition("=")
        out.append((urllib.parse.unquote(k), urllib.parse.unquote(v), bool(eq)))
    return out


class OssError(Exception):
    """An OSS error answer: status, Code, Message, optional EC and extra children."""

    def __init__(self, status: int, code: str, message: Optional[str] = None, ec: str = "",
                 extra: Optional[list[tuple[str, str]]] = None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message if message is not None else ERROR_MESSAGES.get(code, code)
        self.ec = ec
        self.extra = extra or []


def invalid(message: str, ec: str = "") -> OssError:
    return OssError(400, "InvalidArgument", message, ec)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Streamed file body: (open file, offset, length); takes precedence over body.
    file: Optional[tuple[Any, int, int]] = None

    def length(self) -> int:
        return self.file[2] if self.file else len(self.body)


def xml_response(root: str, inner: str, status: int = 200) -> Response:
    return Response(status, xml_doc(root, inner), [("Content-Type", "application/xml")])


# ---------------------------------------------------------------------------------------------
# Storage: one Bucket per served bucket, persisted under DIR/<bucket>/.


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


# ---------------------------------------------------------------------------------------------
# Channel configuration parsing (PutLiveChannel body).


def _text(parent: ET.Element, tag: str) -> Optional[str]:
    child = parent.find(tag)
    if child is None:
        return None
    return child.text or ""


def _strip_ns(root: ET.Element) -> None:
    for e in root.iter():
        if isinstance(e.tag, str) and e.tag.startswith("{"):
            e.tag = e.tag.split("}", 1)[1]


def parse_xml(body: bytes, root_tag: str) -> ET.Element:
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise OssError(400, "MalformedXML")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise OssError(400, "MalformedXML") from None
    _strip_ns(root)
    if root.tag != root_tag:
        raise OssError(400, "MalformedXML")
    return root


def _int_in(value: str, lo: int, hi: int) -> Optional[int]:
    try:
        n = int(value.strip())
    except ValueError:
        return None
    return n if lo <= n <= hi else None


def parse_config(body: bytes) -> dict:
    root = parse_xml(body, "LiveChannelConfiguration")
    cfg = default_config()
    desc = _text(root, "Description")
    if desc is not None:
        if len(desc.encode("utf-8")) > 128:
            raise invalid("Description is too long, it must be at most 128 bytes.",
                          "0044-00000001")
        cfg["Description"] = desc
    status = _text(root, "Status")
    if status is not None:
        if status.strip() not in ("enabled", "disabled"):
            raise invalid("Status must be enabled or disabled.", "0044-00000002")
        cfg["Status"] = status.strip()
    target = root.find("Target")
    if target is None:
        raise invalid("Target is required.", "0044-00000013")
    ttype = _text(target, "Type")
    if ttype is None or ttype.strip() != "HLS":
        raise invalid("Target Type is invalid, only HLS is supported.", "0044-00000013")
    dur, cnt = _text(target, "FragDuration"), _text(target, "FragCount")
    if (dur is None) != (cnt is None):
        raise invalid("FragDuration and FragCount must be given together.",
                      "0044-00000014" if dur is None else "0044-00000015")
    if dur is not None and cnt is not None:
        d = _int_in(dur, 1, 100)
        if d is None:
            raise invalid("FragDuration must be an integer in [1, 100].", "0044-00000014")
        c = _int_in(cnt, 1, 100)
        if c is None:
            raise invalid("FragCount must be an integer in [1, 100].", "0044-00000015")
        cfg["FragDuration"], cfg["FragCount"] = d, c
    pl = _text(target, "PlaylistName")
    if pl is not None:
        pl = pl.strip()
        if "/" in pl:
            raise invalid("PlaylistName must not contain '/'.", "0044-00000016")
        if not 6 <= len(pl.encode("utf-8")) <= 128:
            raise invalid("PlaylistName must be 6 to 128 bytes long.", "0044-00000017")
        if not pl.endswith(".m3u8"):
            raise invalid("PlaylistName must end with .m3u8.", "0044-00000018")
        cfg["PlaylistName"] = pl
    snap = root.find("Snapshot")
    if snap is not None:
        s = {}
        for tag in ("RoleName", "DestBucket", "NotifyTopic", "Interval"):
            v = _text(snap, tag)
            if not v or not v.strip():
                raise invalid("Snapshot %s must not be empty." % tag, "0044-00000006")
            s[tag] = v.strip()
        if _int_in(s["Interval"], 1, 100) is None:
            raise invalid("Snapshot Interval must be an integer in [1, 100].", "0044-00000008")
        cfg["Snapshot"] = s
    return cfg


def config_xml(cfg: dict) -> str:
    out = [el("Description", cfg["Description"]), el("Status", cfg["Status"]),
           "<Target>", el("Type", "HLS"), el("FragDuration", cfg["FragDuration"]),
           el("FragCount", cfg["FragCount"]), el("PlaylistName", cfg["PlaylistName"]),
           "</Target>"]
    snap = cfg.get("Snapshot")
    if snap:
        out.append("<Snapshot>" + "".join(el(k, snap[k]) for k in
                   ("RoleName", "DestBucket", "NotifyTopic", "Interval")) + "</Snapshot>")
    return "".join(out)


def check_channel_name(name: str, vod: bool = False) -> None:
    """Channel name rules (spec 2); VOD calls report every violation as EC 0044-00000302."""
    if name == "":
        raise invalid("The live channel name is empty.",
                      "0044-00000302" if vod else "0017-00000257")
    if len(name.encode("utf-8")) >= 64:
        raise invalid("The live channel name must be shorter than 64 bytes.",
                      "0044-00000302" if vod else "0017-00000258")
    if "/" in name or name.startswith("\\"):
        raise invalid("The live channel name is invalid.",
                      "0044-00000302" if vod else "0017-00000258")


# ---------------------------------------------------------------------------------------------
# Playlists


def m3u8(segments: list[dict], channel: str, media_sequence: int, endlist: bool) -> bytes:
    prefix = channel + "/"
    target = max((s["duration"] for s in segments), default=1)
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-MEDIA-SEQUENCE:%d" % media_sequence,
             "#EXT-X-TARGETDURATION:%d" % max(1, math.ceil(target))]
    for s in segments:
        lines.append("#EXTINF:%.3f," % s["duration"])
        lines.append(s["key"][len(prefix):] if s["key"].startswith(prefix) else s["key"])
    if endlist:
        lines.append("#EXT-X-ENDLIST")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# The request as the handlers see it.


@dataclass
class Request:
    method: str
    raw_path: str
    raw_query: str
    query: list[tuple[str, str, bool]]
    headers: Any  # http.client.HTTPMessage
    body: bytes
    host: str
    bucket_name: Optional[str]
    key: str
    virtual: bool
    op: str = "Unknown"
    bucket: Optional[Bucket] = None

    def q(self, name: str) -> Optional[str]:
        for k, v, _ in self.query:
            if k == name:
                return v
        return None

    def has(self, name: str) -> bool:
        return any(k == name for k, _, _ in self.query)

    def header(self, name: str) -> Optional[str]:
        vals = self.headers.get_all(name)
        if not vals:
            return None
        return ",".join(v.strip() for v in vals)

    def host_no_port(self) -> str:
        h = self.host
        if h.startswith("["):
            return h.split("]", 1)[0] + "]"
        return h.rsplit(":", 1)[0] if ":" in h else h


def classify(req: Request) -> str:
    """The OSS operation name of a request (used for stats, faults and dispatch)."""
    m = req.method
    if req.bucket_name is None:
        return "ListBuckets" if m == "GET" else "Unsupported"
    if req.has("live"):
        if req.key == "":
            if m == "GET":
                return "ListLiveChannel"
            if m == "PUT":
                return "PutLiveChannel"
            return "Unsupported"
        if m == "PUT":
            return "PutLiveChannelStatus" if req.has("status") else "PutLiveChannel"
        if m == "GET":
            comp = req.q("comp")
            if comp == "stat":
                return "GetLiveChannelStat"
            if comp == "history":
                return "GetLiveChannelHistory"
            return "GetLiveChannelInfo" if comp is None else "Unsupported"
        if m == "DELETE":
            return "DeleteLiveChannel"
        return "Unsupported"
    if req.has("vod"):
        if m == "POST" and req.key:
            return "PostVodPlaylist"
        if m == "GET" and req.key:
            return "GetVodPlaylist"
        return "Unsupported"
    if any(k in V1_SUBRESOURCES and k not in IMPLEMENTED_SUBRESOURCES
           for k, _, _ in req.query):
        return "Unsupported"
    if req.key == "":
        return "ListObjects" if m == "GET" else "Unsupported"
    return {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject",
            "DELETE": "DeleteObject"}.get(m, "Unsupported")


# ---------------------------------------------------------------------------------------------
# Authentication


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

    def authenticate(self, req: Request) -> str:
        auth = req.header("Authorization")
        if auth is None:
            if req.has("OSSAccessKeyId") and req.has("Signature"):
                return self._v1_presigned(req)
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


# ---------------------------------------------------------------------------------------------
# The emulator: state shared by all handler threads.


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
        self.lock = threading.Lock()
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


# ---------------------------------------------------------------------------------------------
# OSS operations


def urls(req: Request, channel: str, playlist: str) -> tuple[str, str]:
    ch = uri_encode(channel)
    pl = uri_encode(playlist)
    if req.virtual:
        return ("rtmp://%s/live/%s" % (req.host, ch), "http://%s/%s/%s" % (req.host, ch, pl))
    return ("rtmp://%s/live/%s" % (req.host, ch),
            "http://%s/%s/%s/%s" % (req.host, uri_encode(req.bucket_name or ""), ch, pl))


def check_md5(req: Request) -> None:
    md5 = req.header("Content-MD5")
    if md5 is None:
        return
    if base64.b64encode(hashlib.md5(req.body).digest()).decode() != md5:
        raise OssError(400, "InvalidDigest")


def op_put_live_channel(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    check_channel_name(req.key)
    check_md5(req)
    cfg = parse_config(req.body)
    now = time.time()
    with b.lock:
        ch = b.channels.get(req.key)
        if ch is not None and ch.get("live"):
            raise OssError(409, "ChannelStillLive", ec="0044-00000201")
        if ch is None:
            ch = {"name": req.key, "history": [], "segments": [], "live": None, "seq": 0}
            b.channels[req.key] = ch
        ch["config"] = cfg
        ch["last_modified"] = now
        b.save_channel(req.key)
    pub, play = urls(req, req.key, cfg["PlaylistName"])
    return xml_response("CreateLiveChannelResult",
                        "<PublishUrls>%s</PublishUrls><PlayUrls>%s</PlayUrls>"
                        % (el("Url", pub), el("Url", play)))


def op_put_status(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    status = req.q("status")
    if status not in ("enabled", "disabled"):
        raise invalid("The status must be enabled or disabled.", "0017-00000255")
    with b.lock:
        ch = b.channel(req.key)
        if ch.get("live"):
            if status == "enabled":
                raise OssError(409, "ChannelStillLive", ec="0044-00000201")
            b.end_session(ch, time.time())
        if ch["config"]["Status"] != status:
            ch["config"]["Status"] = status
            ch["last_modified"] = time.time()
        b.save_channel(req.key)
    return Response(200)


def op_get_info(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    with b.lock:
        cfg = dict(b.channel(req.key)["config"])
    return xml_response("LiveChannelConfiguration", config_xml(cfg))


def op_get_stat(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    with b.lock:
        ch = b.channel(req.key)
        status = b.stat_status(ch)
        live = dict(ch["live"]) if ch.get("live") else None
    out = [el("Status", status)]
    if status == "Live" and live:
        out += [el("ConnectedTime", iso_ms(live["connected_time"])),
                el("RemoteAddr", live["remote_addr"])]
        v = live.get("video")
        if v:
            out.append("<Video>%s%s%s%s%s</Video>" % (
                el("Width", v.get("width", 0)), el("Height", v.get("height", 0)),
                el("FrameRate", v.get("frame_rate", 0)), el("Bandwidth", v.get("bandwidth", 0)),
                el("Codec", v.get("codec", "H264"))))
        a = live.get("audio")
        if a:
            out.append("<Audio>%s%s%s</Audio>" % (
                el("Bandwidth", a.get("bandwidth", 0)), el("SampleRate", a.get("sample_rate", 0)),
                el("Codec", a.get("codec", "AAC"))))
    return xml_response("LiveChannelStat", "".join(out))


def op_get_history(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    with b.lock:
        hist = list(b.channel(req.key)["history"])[-HISTORY_MAX:]
    inner = "".join("<LiveRecord>%s%s%s</LiveRecord>" % (
        el("StartTime", iso_ms(r["start"])), el("EndTime", iso_ms(r["end"])),
        el("RemoteAddr", r["remote_addr"])) for r in hist)
    return xml_response("LiveChannelHistory", inner)


def _max_keys(req: Request) -> int:
    raw = req.q("max-keys")
    if raw is None or raw == "":
        return 100
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise invalid("max-keys must be an integer in [1, 1000].", "0044-00000101")
    return int(raw)


def op_list_channels(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    prefix = req.q("prefix") or ""
    marker = req.q("marker") or ""
    if len(prefix.encode("utf-8")) > 1024:
        raise invalid("prefix is too long.", "0044-00000102")
    if len(marker.encode("utf-8")) > 1024:
        raise invalid("marker is too long.", "0044-00000103")
    max_keys = _max_keys(req)
    with b.lock:
        # Code-point order of str is the byte order of UTF-8.
        names = sorted(n for n in b.channels if n.startswith(prefix) and n > marker)
        page = [(n, dict(b.channels[n]["config"]), b.channels[n]["last_modified"])
                for n in names[:max_keys]]
    truncated = len(names) > max_keys
    out = [el("Prefix", prefix), el("Marker", marker), el("MaxKeys", max_keys),
           el("IsTruncated", "true" if truncated else "false")]
    if truncated:
        out.append(el("NextMarker", page[-1][0]))
    for name, cfg, mtime in page:
        pub, play = urls(req, name, cfg["PlaylistName"])
        out.append("<LiveChannel>%s%s%s%s<PublishUrls>%s</PublishUrls><PlayUrls>%s</PlayUrls>"
                   "</LiveChannel>" % (el("Name", name), el("Description", cfg["Description"]),
                                       el("Status", cfg["Status"]),
                                       el("LastModified", iso_ms(mtime)),
                                       el("Url", pub), el("Url", play)))
    return xml_response("ListLiveChannelResult", "".join(out))


def op_delete_channel(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    with b.lock:
        ch = b.channel(req.key)
        if ch.get("live"):
            raise OssError(409, "ChannelStillLive", ec="0044-00000201")
        b.drop_channel(req.key)
    return Response(204)


def _vod_range(req: Request) -> tuple[int, int]:
    def num(name: str, ec: str) -> int:
        raw = req.q(name)
        if raw is None or not raw.strip().lstrip("-").isdigit():
            raise invalid("%s is missing or invalid." % name, ec)
        return int(raw)
    start = num("startTime", "0044-00000304")
    end = num("endTime", "0044-00000305")
    if start >= end:
        raise invalid("endTime must be greater than startTime.", "0044-00000306")
    if end - start > 86400:
        raise invalid("The time span must not be longer than one day.", "0044-00000307")
    return start, end


def _vod_segments(b: Bucket, channel: str, start: int, end: int) -> list[dict]:
    with b.lock:
        ch = b.channels.get(channel)
        segs = [dict(s) for s in (ch["segments"] if ch else [])
                if start <= s["time"] <= end and s["key"] in b.objects]
    if not segs:
        raise invalid("No ts file found in specified time span.", "0044-00000308")
    return segs


def op_post_vod(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    channel, sep, playlist = req.key.partition("/")
    if not sep or playlist == "":
        raise invalid("The playlist name is missing.", "0044-00000403")
    if not playlist.endswith(".m3u8"):
        raise invalid("PlaylistName must end with .m3u8.", "0044-00000403")
    check_channel_name(channel, vod=True)
    start, end = _vod_range(req)
    segs = _vod_segments(b, channel, start, end)
    meta = b.put_object(req.key, m3u8(segs, channel, 0, True), "application/x-mpegURL")
    return Response(200, b"", [("ETag", meta.etag)])


def op_get_vod(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    check_channel_name(req.key, vod=True)
    start, end = _vod_range(req)
    body = m3u8(_vod_segments(b, req.key, start, end), req.key, 0, True)
    return Response(200, body, [("Content-Type", "application/x-mpegURL"),
                                ("ETag", etag_of(body))])


def op_list_objects(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    prefix = req.q("prefix") or ""
    marker = req.q("marker") or ""
    delim = req.q("delimiter") or ""
    encode = req.q("encoding-type") == "url"
    max_keys = _max_keys(req)
    with b.lock:
        keys = sorted(k for k in b.objects if k.startswith(prefix) and k > marker)
        metas = {k: b.objects[k] for k in keys}
    contents: list[ObjMeta] = []
    prefixes: list[str] = []
    last = ""
    i, n, truncated = 0, len(keys), False
    while i < n:
        if len(contents) + len(prefixes) >= max_keys:
            truncated = True
            break
        k = keys[i]
        rest = k[len(prefix):]
        pos = rest.find(delim) if delim else -1
        if pos >= 0:
            cp = prefix + rest[:pos + len(delim)]
            while i < n and keys[i].startswith(cp):
                i += 1
            if cp <= marker:
                continue
            prefixes.append(cp)
            last = cp
            continue
        contents.append(metas[k])
        last = k
        i += 1
    enc = (lambda s: urllib.parse.quote(s, safe="")) if encode else (lambda s: s)
    out = [el("Name", b.name), el("Prefix", enc(prefix)), el("Marker", enc(marker)),
           el("MaxKeys", max_keys), el("Delimiter", enc(delim))]
    if encode:
        out.append(el("EncodingType", "url"))
    out.append(el("IsTruncated", "true" if truncated else "false"))
    if truncated:
        out.append(el("NextMarker", enc(last)))
    for m in contents:
        out.append("<Contents>%s%s%s%s%s%s<Owner>%s%s</Owner></Contents>" % (
            el("Key", enc(m.key)), el("LastModified", iso_ms(m.mtime)), el("ETag", m.etag),
            el("Type", "Normal"), el("Size", m.size), el("StorageClass", "Standard"),
            el("ID", OWNER_ID), el("DisplayName", OWNER_ID)))
    for cp in prefixes:
        out.append("<CommonPrefixes>%s</CommonPrefixes>" % el("Prefix", enc(cp)))
    return xml_response("ListBucketResult", "".join(out))


def parse_range(spec: Optional[str], size: int, standard: bool) -> Optional[tuple[int, int]]:
    """(first, last) inclusive, or None for the whole object; OssError 416 when standard."""
    if spec is None:
        return None
    spec = spec.strip()
    if not spec.startswith("bytes=") or "," in spec:
        return None
    a, sep, z = spec[6:].strip().partition("-")
    a, z = a.strip(), z.strip()
    if not sep or (a and not a.isdigit()) or (z and not z.isdigit()) or (not a and not z):
        return None
    if size == 0:
        return None
    if not a:
        n = int(z)
        if n == 0:
            return None
        if n > size:
            return (0, size - 1) if standard else None
        return size - n, size - 1
    first = int(a)
    last = int(z) if z else size - 1
    if z and first > last:
        return None
    if first >= size:
        if standard:
            raise OssError(416, "InvalidRange")
        return None
    if last >= size:
        if not standard:
            return None
        last = size - 1
    return first, last


def object_headers(m: ObjMeta) -> list[tuple[str, str]]:
    return [("Content-Type", m.content_type), ("ETag", m.etag),
            ("Last-Modified", http_date(m.mtime)), ("Accept-Ranges", "bytes"),
            ("x-oss-object-type", "Normal"), ("x-oss-storage-class", "Standard")]


def op_get_object(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    meta, f = b.open_object(req.key)
    try:
        standard = (req.header("x-oss-range-behavior") or "").lower() == "standard"
        rng = parse_range(req.header("Range"), meta.size, standard)
    except OssError:
        f.close()
        raise
    hdrs = object_headers(meta)
    if rng is None:
        return Response(200, headers=hdrs, file=(f, 0, meta.size))
    first, last = rng
    hdrs.append(("Content-Range", "bytes %d-%d/%d" % (first, last, meta.size)))
    return Response(206, headers=hdrs, file=(f, first, last - first + 1))


def op_head_object(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    meta, f = b.open_object(req.key)
    f.close()
    return Response(200, headers=object_headers(meta) + [("Content-Length", str(meta.size))])


def op_put_object(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    if len(req.key.encode("utf-8")) > 1023 or req.key.startswith(("/", "\\")):
        raise OssError(400, "InvalidObjectName")
    check_md5(req)
    meta = b.put_object(req.key, req.body, req.header("Content-Type"))
    return Response(200, headers=[("ETag", meta.etag)])


def op_delete_object(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    b.delete_object(req.key)
    return Response(204)


OPERATIONS: dict[str, Callable[[Emulator, Request], Response]] = {
    "PutLiveChannel": op_put_live_channel,
    "PutLiveChannelStatus": op_put_status,
    "GetLiveChannelInfo": op_get_info,
    "GetLiveChannelStat": op_get_stat,
    "GetLiveChannelHistory": op_get_history,
    "ListLiveChannel": op_list_channels,
    "DeleteLiveChannel": op_delete_channel,
    "PostVodPlaylist": op_post_vod,
    "GetVodPlaylist": op_get_vod,
    "ListObjects": op_list_objects,
    "GetObject": op_get_object,
    "HeadObject": op_head_object,
    "PutObject": op_put_object,
    "DeleteObject": op_delete_object,
}


# ---------------------------------------------------------------------------------------------
# Control API (/-/...)


class ControlError(Exception):
    def __init__(self, status: int, error: str):
        super().__init__(error)
        self.status = status
        self.error = error


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


# ---------------------------------------------------------------------------------------------
# HTTP handler


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AliyunOSS"
    emu: Emulator  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.emu.verbose:
            sys.stderr.write("emulator: %s %s\n" % (self.address_string(), format % args))

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to many responses.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.dispatch()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_GET

    # -- plumbing ---------------------------------------------------------------------------

    def read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, resp: Response, rid: str, body_fault: Optional[str] = None) -> None:
        self.send_response(resp.status)
        have = {k.lower() for k, _ in resp.headers}
        for k, v in resp.headers:
            self.send_header(k, v)
        self.send_header("x-oss-request-id", rid)
        self.send_header("x-oss-server-time", str(int(time.time() * 1000)))
        head = self.command == "HEAD"
        if resp.status != 204 and "content-length" not in have:
            self.send_header("Content-Length", "0" if head else str(resp.length()))
        self.end_headers()
        try:
            if head or resp.status == 204:
                return
            if body_fault is not None:
                data = self.body_bytes(resp)
                if body_fault == "garbage":
                    data = garbage(len(data))
                    self.wfile.write(data)
                else:
                    self.wfile.write(data[:len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if resp.file:
                f, off, n = resp.file
                f.seek(off)
                while n > 0:
                    chunk = f.read(min(n, 1 << 20))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    n -= len(chunk)
            else:
                self.wfile.write(resp.body)
        finally:
            if resp.file:
                resp.file[0].close()

    @staticmethod
    def body_bytes(resp: Response) -> bytes:
        if not resp.file:
            return resp.body
        f, off, n = resp.file
        f.seek(off)
        return f.read(n)

    def error_response(self, e: OssError, req: Optional[Request], rid: str) -> Response:
        host = req.host_no_port() if req else (self.headers.get("Host") or "")
        parts = [el("Code", e.code), el("Message", e.message), el("RequestId", rid),
                 el("HostId", host)]
        if e.code == "NoSuchBucket" and req and req.bucket_name:
            parts.append(el("BucketName", req.bucket_name))
        parts += [el(k, v) for k, v in e.extra]
        if e.ec:
            parts.append(el("EC", e.ec))
        body = xml_doc("Error", "".join(parts))
        hdrs = [("Content-Type", "application/xml")]
        if e.ec:
            hdrs.append(("x-oss-ec", e.ec))
        if self.command == "HEAD":
            hdrs.append(("x-oss-err", base64.b64encode(body).decode()))
        return Response(e.status, body, hdrs)

    def reset_connection(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    # -- dispatch ---------------------------------------------------------------------------

    def dispatch(self) -> None:
        raw_path, _, raw_query = self.path.partition("?")
        if raw_path.startswith("/-/"):
            self.control(raw_path, raw_query)
            return
        rid = request_id()
        req: Optional[Request] = None
        fault: Optional[Fault] = None
        try:
            body = self.read_body()
            host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
            bucket_name, key, virtual = self.emu.route(host, raw_path)
            req = Request(self.command, raw_path, raw_query, parse_query(raw_query),
                          self.headers, body, host, bucket_name, key, virtual)
            req.op = classify(req)
            self.emu.count(req.op)
            if self.emu.latency_ms:
                time.sleep(self.emu.latency_ms / 1000.0)
            fault = self.emu.take_fault(req)
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.reset:
                self.reset_connection()
                return
            if fault and fault.status:
                code = fault.code or STATUS_CODES.get(fault.status, "InjectedFault")
                raise OssError(fault.status, code, fault.message)
            resp = self.handle_oss(req)
        except OssError as e:
            resp = self.error_response(e, req, rid)
        except Exception:  # noqa: BLE001 - answer 500, keep serving
            traceback.print_exc(file=sys.stderr)
            resp = self.error_response(OssError(500, "InternalError"), req, rid)
            fault = None
        try:
            self.send(resp, rid, fault.body if fault else None)
        except OSError:
            self.close_connection = True

    def handle_oss(self, req: Request) -> Response:
        if req.bucket_name is not None:
            req.bucket = self.emu.buckets.get(req.bucket_name)
            if req.bucket is None:
                raise OssError(404, "NoSuchBucket", ec="0015-00000101")
        self.emu.auth.authenticate(req)
        handler = OPERATIONS.get(req.op)
        if handler is None or req.bucket is None:
            raise OssError(501, "NotImplemented")
        return handler(self.emu, req)

    # -- control API ------------------------------------------------------------------------

    def control(self, path: str, raw_query: str) -> None:
        body_raw = self.read_body()
        try:
            if not is_loopback(self.client_address[0]):
                raise ControlError(403, "the control API is for loopback clients only")
            result = self.control_call(path, body_raw)
            status = 200
        except ControlError as e:
            result, status = {"ok": False, "error": e.error, "reason": e.error}, e.status
        except Exception as e:  # noqa: BLE001
            traceback.print_exc(file=sys.stderr)
            result, status = {"ok": False, "error": repr(e)}, 500
        data = (json.dumps(result, ensure_ascii=False) + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def json_body(self, raw: bytes) -> dict:
        if not raw.strip():
            return {}
        ctype = (self.headers.get("Content-Type") or "").lower()
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

    def control_call(self, path: str, raw: bytes) -> dict:
        emu = self.emu
        m = self.command
        if m == "GET" and path == "/-/stats":
            with emu.lock:
                return dict(emu.stats)
        if m == "GET" and path == "/-/faults":
            with emu.lock:
                return {"faults": [f.describe() for f in emu.faults], "latency_ms": emu.latency_ms}
        if m != "POST":
            raise ControlError(405, "use POST")
        body = self.json_body(raw)
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
            return self.nginx_callback(path, body)
        raise ControlError(404, "no such control endpoint")

    def nginx_callback(self, path: str, body: dict) -> dict:
        name = str(body.get("name") or "")
        args = body.get("args") or ""
        extra = {k: v for k, v in body.items() if k in
                 ("OSSAccessKeyId", "Expires", "Signature", "playlistName", "security-token")}
        query = args if args else urllib.parse.urlencode(extra, quote_via=urllib.parse.quote)
        url = "rtmp://%s/live/%s?%s" % ("127.0.0.1", uri_encode(name), query)
        if path.endswith("_done"):
            b = ctl_bucket(self.emu, {})
            try:
                return ingest_stop(self.emu, b, name)
            except ControlError:
                return {"ok": True}
        try:
            b, ch = rtmp_check(self.emu, url, True)
        except ValueError as e:
            raise ControlError(403, str(e)) from None
        addr = str(body.get("addr") or "127.0.0.1")
        params = dict((k, v) for k, v, _ in parse_query(query))
        return ingest_start(self.emu, b, ch, {"remote_addr": addr + ":1935",
                                              "playlist_name": params.get("playlistName")})


def garbage(n: int) -> bytes:
    pattern = b"\x00\xff<<garbage>>\xfe"
    return (pattern * (n // len(pattern) + 1))[:n] if n else b""


# ---------------------------------------------------------------------------------------------
# Command line


def parse_credentials(spec: str) -> dict[str, Credential]:
    creds = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        parts = item.split(":", 2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise argparse.ArgumentTypeError("credentials must be AK:SK[:TOKEN][,...]")
        creds[parts[0]] = Credential(parts[0], parts[1], parts[2] if len(parts) == 3 else None)
    if not creds:
        raise argparse.ArgumentTypeError("no credentials given")
    return creds


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Local emulator of the Alibaba Cloud OSS LiveChannel API and object calls. "
                    "Prints 'listening on http://HOST:PORT' as its first stdout line once ready.",
        epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    p.add_argument("--port-file", help="write the bound port to this file")
    p.add_argument("--bucket", action="append", required=True,
                   help="bucket to serve (repeat for several)")
    p.add_argument("--credentials", required=True, type=parse_credentials,
                   help="AK:SK[:TOKEN][,...]; a key with a TOKEN is an STS key whose requests "
                        "must carry that x-oss-security-token")
    p.add_argument("--data", required=True, help="directory holding objects and channel state")
    p.add_argument("--region", default="cn-hangzhou",
                   help="region of the V4 signing scope (default cn-hangzhou; 'oss-' prefix ok)")
    p.add_argument("--no-clock-check", dest="clock_check", action="store_false",
                   help="accept any request date (the check, on by default, answers 403 "
                        "RequestTimeTooSkewed beyond 15 minutes of skew)")
    p.add_argument("--clock-offset", type=float, default=0.0, metavar="SECONDS",
                   help="pretend the server clock is this far ahead (negative: behind), to "
                        "show how a client with a wrong clock is refused")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request on stderr")
    return p


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class Server6(Server):
    address_family = socket.AF_INET6


def make_server(emu: Emulator, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"emu": emu})
    return (Server6 if ":" in host else Server)((host, port), handler)


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    region = args.region[4:] if args.region.startswith("oss-") else args.region
    os.makedirs(args.data, exist_ok=True)
    emu = Emulator(args.bucket, args.data, Auth(args.credentials, region, args.clock_check,
                                                   args.clock_offset),
                   args.verbose)
    server = make_server(emu, args.host, args.port)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="serve",
                              daemon=True)
    thread.start()
    host = "[%s]" % args.host if ":" in args.host else args.host
    sys.stdout.write("listening on http://%s:%d\n" % (host, port))
    sys.stdout.flush()
    while not stop.wait(3600):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
