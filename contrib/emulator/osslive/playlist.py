"""HLS playlists as OSS writes them (live window and VOD)."""

from __future__ import annotations

import math
from typing import Optional


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


def parse_m3u8(text: str) -> list[tuple[float, str]]:
    """(duration, URI) of every segment of a media playlist, in order."""
    out = []
    duration: Optional[float] = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXTINF:"):
            try:
                duration = float(line[8:].split(",", 1)[0])
            except ValueError:
                duration = None
        elif line and not line.startswith("#"):
            if duration is not None:
                out.append((duration, line))
            duration = None
    return out
