"""What goes on the wire: encodings, dates, XML in and out, the Response the handlers return."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import formatdate
from typing import Any, Optional
from xml.sax.saxutils import escape as xml_escape

from .errors import OssError


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
