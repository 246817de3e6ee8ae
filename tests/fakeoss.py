"""A hostile OSS: answers just enough for a mount to start, then misbehaves
on purpose in ways the emulator never would (issue 12).

    srv = FakeOss(channels=["ch"], objects={"ch/big": data})
    srv.endless_listing = True     # ListObjects: NextMarker always advances
    srv.short_206 = True           # GetObject: 206 with fewer bytes than asked
    srv.html_502 = {"stat"}        # these operations answer an HTML 502
    srv.start(); srv.url; srv.counts["ListObjects"]; srv.stop()

No signature is checked: the mount under test signs, this server does not
care.  Path style only (mount it with an IP address URL).
"""

from __future__ import annotations

import socket
import threading
import urllib.parse
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

HTML_502 = (b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
            b"<body>\x1b[31mupstream went away</body></html>\n")


def _channel_xml(name: str, port: int) -> str:
    return ("<LiveChannel><Name>%s</Name><Description></Description>"
            "<Status>enabled</Status><LastModified>2026-11-23T08:00:00.000Z</LastModified>"
            "<PublishUrls><Url>rtmp://127.0.0.1/live/%s</Url></PublishUrls>"
            "<PlayUrls><Url>http://127.0.0.1:%d/%s/playlist.m3u8</Url></PlayUrls>"
            "</LiveChannel>" % (escape(name), escape(name), port, escape(name)))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "FakeOss"

    def log_message(self, *args: object) -> None:   # quiet
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle
        # and delayed ACKs cost 40 ms per answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, body: bytes, ctype: str = "application/xml",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-oss-request-id", "FAKE0001")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _xml(self, root: str, inner: str) -> None:
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<%s>%s</%s>\n'
                % (root, inner, root)).encode()
        self._send(200, body)

    def do_GET(self) -> None:      # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        parts = urllib.parse.unquote(url.path).lstrip("/").split("/", 1)
        key = parts[1] if len(parts) > 1 else ""
        srv = self.server
        if "live" in q and "comp" in q:
            op = q["comp"]
        elif "live" in q:
            op = "list" if not key else "info"
        else:
            op = "objects" if not key else "get"
        srv.count(op)
        if op in srv.html_502:
            self._send(502, HTML_502, "text/html")
        elif op == "list":
            self._list_channels(q)
        elif op == "objects":
            self._list_objects(q)
        elif op == "get":
            self._get(key)
        else:
            self._send(404, b"")

    def _list_channels(self, q: dict[str, str]) -> None:
        prefix = q.get("prefix", "")
        names = [n for n in sorted(self.server.channels) if n.startswith(prefix)]
        names = names[:int(q.get("max-keys", "100"))]
        self._xml("ListLiveChannelResult",
                  "<Prefix>%s</Prefix><Marker></Marker><MaxKeys>%s</MaxKeys>"
                  "<IsTruncated>false</IsTruncated>%s"
                  % (escape(prefix), q.get("max-keys", "100"),
                     "".join(_channel_xml(n, self.server.port) for n in names)))

    def _list_objects(self, q: dict[str, str]) -> None:
        prefix, marker = q.get("prefix", ""), q.get("marker", "")
        if self.server.endless_listing:
            # One new key per page, and a NextMarker that always advances.
            nxt = (marker or prefix) + "a"
            self._xml("ListBucketResult",
                      "<Name>b</Name><Prefix>%s</Prefix><IsTruncated>true</IsTruncated>"
                      "<NextMarker>%s</NextMarker><Contents><Key>%s</Key>"
                      "<LastModified>2026-11-23T08:00:00.000Z</LastModified>"
                      "<Size>1</Size></Contents>" % (escape(prefix), escape(nxt),
                                                     escape(nxt)))
            return
        items = "".join("<Contents><Key>%s</Key><LastModified>2026-11-23T08:00:00.000Z"
                        "</LastModified><Size>%d</Size></Contents>" % (escape(k), len(v))
                        for k, v in sorted(self.server.objects.items())
                        if k.startswith(prefix))
        self._xml("ListBucketResult", "<Name>b</Name><Prefix>%s</Prefix>"
                  "<IsTruncated>false</IsTruncated>%s" % (escape(prefix), items))

    def _get(self, key: str) -> None:
        data = self.server.objects.get(key)
        if data is None:
            self._send(404, b"")
            return
        rng = self.headers.get("Range", "")
        a, _, b = rng.removeprefix("bytes=").partition("-")
        start, end = int(a), min(int(b), len(data) - 1)
        body = data[start:end + 1]
        if self.server.short_206:
            body = body[:10]        # but Content-Range claims the whole range
        self._send(206, body, "application/octet-stream",
                   {"Content-Range": "bytes %d-%d/%d" % (start, end, len(data)),
                    "Last-Modified": formatdate(usegmt=True)})


class FakeOss(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, channels: list[str] | None = None,
                 objects: dict[str, bytes] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.channels = list(channels or [])
        self.objects = dict(objects or {})
        self.endless_listing = False
        self.short_206 = False
        self.html_502: set[str] = set()
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def count(self, op: str) -> None:
        with self._lock:
            self.counts[op] = self.counts.get(op, 0) + 1

    def start(self) -> "FakeOss":
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
