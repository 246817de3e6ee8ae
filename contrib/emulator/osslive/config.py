"""LiveChannel configuration: parsing a PutLiveChannel body, writing it back, channel names."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Optional

from .errors import invalid
from .store import default_config
from .wire import el, parse_xml


def _text(parent: ET.Element, tag: str) -> Optional[str]:
    child = parent.find(tag)
    if child is None:
        return None
    return child.text or ""


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
