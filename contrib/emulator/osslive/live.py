"""The nine LiveChannel operations."""

from __future__ import annotations

import time

from .config import check_channel_name, config_xml, parse_config
from .errors import OssError, invalid
from .playlist import m3u8
from .request import Request, check_md5, max_keys_of
from .state import Emulator
from .store import HISTORY_MAX, Bucket
from .wire import Response, el, etag_of, iso_ms, uri_encode, xml_response


def urls(emu: Emulator, req: Request, channel: str, playlist: str) -> tuple[str, str]:
    """(PublishUrl, PlayUrl) of a channel: the RTMP server's when --rtmp runs one."""
    ch = uri_encode(channel)
    pl = uri_encode(playlist)
    pub = emu.rtmp.publish_url(channel) if emu.rtmp else "rtmp://%s/live/%s" % (req.host, ch)
    if req.virtual:
        return pub, "http://%s/%s/%s" % (req.host, ch, pl)
    return pub, "http://%s/%s/%s/%s" % (req.host, uri_encode(req.bucket_name or ""), ch, pl)


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
    pub, play = urls(emu, req, req.key, cfg["PlaylistName"])
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
        was_live = bool(ch.get("live"))
        if was_live:
            if status == "enabled":
                raise OssError(409, "ChannelStillLive", ec="0044-00000201")
            b.end_session(ch, time.time())
        if ch["config"]["Status"] != status:
            ch["config"]["Status"] = status
            ch["last_modified"] = time.time()
        b.save_channel(req.key)
    if was_live and emu.rtmp:
        emu.rtmp.channel_disabled(b, req.key)
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


def op_list_channels(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    prefix = req.q("prefix") or ""
    marker = req.q("marker") or ""
    if len(prefix.encode("utf-8")) > 1024:
        raise invalid("prefix is too long.", "0044-00000102")
    if len(marker.encode("utf-8")) > 1024:
        raise invalid("marker is too long.", "0044-00000103")
    max_keys = max_keys_of(req)
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
        pub, play = urls(emu, req, name, cfg["PlaylistName"])
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
