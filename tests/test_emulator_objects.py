"""HTTP-level tests of the emulator's object calls (spec oss-livechannel-api.md section 10)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import pytest


def test_put_get_head_list_agree(emulator):
    c = emulator.client()
    data = os.urandom(5000)
    r = c.request("PUT", "ch/seg 1+é.ts", body=data,
                  headers={"Content-MD5": base64.b64encode(hashlib.md5(data).digest()).decode()})
    assert r.status == 200, r.body
    etag = '"%s"' % hashlib.md5(data).hexdigest().upper()
    assert r.header("ETag") == etag
    g = c.request("GET", "ch/seg 1+é.ts")
    assert (g.status, g.body, g.header("ETag")) == (200, data, etag)
    assert g.header("Content-Length") == "5000"
    h = c.request("HEAD", "ch/seg 1+é.ts")
    assert (h.status, h.body, h.header("Content-Length"), h.header("ETag")) == (
        200, b"", "5000", etag)
    assert h.header("Last-Modified") == g.header("Last-Modified")
    assert h.header("x-oss-object-type") == "Normal"
    doc = c.request("GET", "", {"prefix": "ch/"}).xml()
    (item,) = doc.findall("Contents")
    assert [e.tag for e in item] == ["Key", "LastModified", "ETag", "Type", "Size",
                                     "StorageClass", "Owner"]
    assert item.findtext("Key") == "ch/seg 1+é.ts"
    assert item.findtext("ETag") == etag
    assert item.findtext("Size") == "5000"
    lm = item.findtext("LastModified")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", lm)
    listed = datetime.strptime(lm, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=timezone.utc)
    assert listed == parsedate_to_datetime(h.header("Last-Modified"))


def test_missing_objects(emulator):
    c = emulator.client(version=1)
    r = c.request("GET", "no/such")
    assert r.status == 404
    assert r.xml().findtext("Code") == "NoSuchKey"
    assert r.xml().findtext("Key") == "no/such"
    h = c.request("HEAD", "no/such")
    assert (h.status, h.body, h.header("Content-Length")) == (404, b"", "0")
    assert len(h.header("x-oss-request-id")) == 24
    d = c.request("DELETE", "no/such")
    assert (d.status, d.header("Content-Length")) == (204, None)


def test_delete_object(emulator):
    c = emulator.client()
    assert c.request("PUT", "a/b", body=b"x").status == 200
    assert c.request("DELETE", "a/b").status == 204
    assert c.request("GET", "a/b").status == 404
    assert c.request("GET", "", {"prefix": "a/"}).xml().find("Contents") is None


RANGES = [
    ("bytes=0-0", 0, 0), ("bytes=10-19", 10, 19), ("bytes=1000-", 1000, 2999),
    ("bytes=-7", 2993, 2999), ("bytes=0-2999", 0, 2999), ("bytes=2999-2999", 2999, 2999),
]
IGNORED = ["bytes=5-2", "bytes=3000-", "bytes=3000-3005", "bytes=0-3000", "bytes=-3001",
           "items=0-1", "bytes=0-1,4-5", "bytes=a-b", "bytes=-0", "bytes=-"]


@pytest.fixture
def obj(emulator):
    c = emulator.client()
    data = bytes(range(256)) * 11 + b"tail" * 46  # 3000 bytes
    assert len(data) == 3000
    assert c.request("PUT", "r/obj", body=data).status == 200
    return c, data


@pytest.mark.parametrize("spec,first,last", RANGES)
def test_valid_range(obj, spec, first, last):
    c, data = obj
    r = c.request("GET", "r/obj", headers={"Range": spec})
    assert r.status == 206
    assert r.body == data[first:last + 1]
    assert r.header("Content-Length") == str(last - first + 1)
    assert r.header("Content-Range") == "bytes %d-%d/3000" % (first, last)


@pytest.mark.parametrize("spec", IGNORED)
def test_invalid_range_ignored(obj, spec):
    c, data = obj
    r = c.request("GET", "r/obj", headers={"Range": spec})
    assert (r.status, r.body, r.header("Content-Range")) == (200, data, None)
    assert r.header("Content-Length") == "3000"


def test_standard_range_behavior(obj):
    c, data = obj
    std = {"x-oss-range-behavior": "standard"}
    r = c.request("GET", "r/obj", headers=dict(std, Range="bytes=2990-5000"))
    assert (r.status, r.body, r.header("Content-Range")) == (206, data[2990:],
                                                             "bytes 2990-2999/3000")
    r = c.request("GET", "r/obj", headers=dict(std, Range="bytes=3000-"))
    assert r.status == 416
    assert r.xml().findtext("Code") == "InvalidRange"


def test_large_object_read_in_ranges(emulator):
    c = emulator.client()
    data = os.urandom(3 * 1024 * 1024 + 123)
    assert c.request("PUT", "big/obj", body=data).status == 200
    got = b""
    step = 1 << 20
    for off in range(0, len(data), step):
        r = c.request("GET", "big/obj", headers={"Range": "bytes=%d-%d"
                                                 % (off, min(off + step, len(data)) - 1)})
        assert r.status == 206
        got += r.body
    assert got == data
    assert c.request("GET", "big/obj").body == data


def test_list_objects_delimiter_marker_pagination(emulator):
    c = emulator.client()
    keys = ["ch/%d.ts" % i for i in range(1, 8)] + ["ch/playlist.m3u8", "ch/sub/a",
                                                     "ch/sub/b", "ch/sub2/x", "ch2/z", "top"]
    for k in keys:
        assert c.request("PUT", k, body=k.encode()).status == 200
    doc = c.request("GET", "", {"prefix": "ch/", "delimiter": "/"}).xml()
    assert [e.tag for e in doc][:6] == ["Name", "Prefix", "Marker", "MaxKeys", "Delimiter",
                                        "IsTruncated"]
    assert [e.text for e in doc.iter("Key")] == sorted(
        k for k in keys if k.startswith("ch/") and k.count("/") == 1)
    assert [e.text for e in doc.findall("CommonPrefixes/Prefix")] == ["ch/sub/", "ch/sub2/"]
    assert doc.findtext("IsTruncated") == "false"
    assert doc.find("NextMarker") is None
    # pages of 3: every key and common prefix exactly once
    seen, marker, pages = [], "", 0
    while True:
        doc = c.request("GET", "", {"prefix": "ch/", "delimiter": "/", "max-keys": "3",
                                    "marker": marker}).xml()
        pages += 1
        page = [e.text for e in doc.iter("Key")] + [e.text for e in
                                                      doc.findall("CommonPrefixes/Prefix")]
        assert len(page) <= 3
        seen += page
        if doc.findtext("IsTruncated") == "false":
            break
        marker = doc.findtext("NextMarker")
        assert marker == max(page)
    assert sorted(seen) == sorted(set(seen))
    assert len(seen) == 10 and pages == 4
    # no delimiter: everything, in byte order
    doc = c.request("GET", "", {"max-keys": "1000"}).xml()
    assert [e.text for e in doc.iter("Key")] == sorted(keys)
    # encoding-type=url
    assert c.request("PUT", "sp ace/é", body=b"1").status == 200
    doc = c.request("GET", "", {"prefix": "sp ace/", "encoding-type": "url"}).xml()
    assert doc.findtext("Contents/Key") == "sp%20ace%2F%C3%A9"
    assert doc.findtext("Prefix") == "sp%20ace%2F"


def test_list_objects_max_keys_limits(emulator):
    c = emulator.client()
    for mk in ("0", "1001", "x"):
        r = c.request("GET", "", {"max-keys": mk})
        assert (r.status, r.code()) == (400, "InvalidArgument")
    assert c.request("GET", "").xml().findtext("MaxKeys") == "100"


def test_keep_alive_and_content_length(emulator):
    c = emulator.client()
    assert c.request("PUT", "k", body=b"abc").status == 200
    sock = None
    for i in range(20):
        r = c.request("GET", "k") if i % 2 else c.request("GET", "", {"live": None})
        assert r.status == 200
        assert r.header("Content-Length") == str(len(r.body))
        if sock is None:
            sock = c.conn.sock
        assert c.conn is not None and c.conn.sock is sock
    r = c.request("GET", "nope", {"live": None})
    assert r.status == 404 and r.header("Content-Length") == str(len(r.body))
    assert c.conn.sock is sock


def test_chunked_upload(emulator):
    c = emulator.client()
    data = os.urandom(70000)
    h = c.signed_headers("PUT", "chunked", None)
    h["Transfer-Encoding"] = "chunked"
    body = b""
    for off in range(0, len(data), 30000):
        part = data[off:off + 30000]
        body += b"%x\r\n" % len(part) + part + b"\r\n"
    body += b"0\r\n\r\n"
    r = c.raw("PUT", c.path("chunked"), h, body)
    assert r.status == 200, r.body
    assert c.request("GET", "chunked").body == data


def test_unsupported_calls_are_501(emulator):
    c = emulator.client()
    for method, key, query in (("GET", "", {"acl": None}), ("POST", "obj", None),
                               ("PUT", "", None), ("GET", "ch", {"live": None,
                                                                 "comp": "other"})):
        r = c.request(method, key, query)
        assert (r.status, r.code()) == (501, "NotImplemented"), (method, key, query)


def test_common_response_headers(emulator):
    r = emulator.client().request("GET", "", {"live": None})
    assert r.header("Server") == "AliyunOSS"
    assert r.header("Date").endswith(" GMT")
    assert r.header("x-oss-server-time").isdigit()
    assert r.header("Content-Type") == "application/xml"


def test_concurrent_ranged_readers(emulator):
    import threading
    data = os.urandom(2 * 1024 * 1024)
    assert emulator.client().request("PUT", "cc/obj", body=data).status == 200
    errors: list[str] = []

    def reader(n: int) -> None:
        c = emulator.client()
        for i in range(20):
            off = (n * 7919 + i * 104729) % (len(data) - 65536)
            r = c.request("GET", "cc/obj", headers={"Range": "bytes=%d-%d" % (off, off + 65535)})
            if r.status != 206 or r.body != data[off:off + 65536]:
                errors.append("reader %d request %d: %d" % (n, i, r.status))
        c.close()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert emulator.stats()["GetObject"] == 160
