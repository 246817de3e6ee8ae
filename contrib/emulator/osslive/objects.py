"""The object operations: ListObjects, GetObject (Range), HeadObject, PutObject, DeleteObject."""

from __future__ import annotations

import urllib.parse
from typing import Optional

from .errors import OssError
from .request import Request, check_md5, max_keys_of
from .state import Emulator
from .store import ObjMeta
from .wire import Response, el, http_date, iso_ms, xml_response


OWNER_ID = "1234567890123456"


def op_list_objects(emu: Emulator, req: Request) -> Response:
    b = req.bucket
    assert b is not None
    prefix = req.q("prefix") or ""
    marker = req.q("marker") or ""
    delim = req.q("delimiter") or ""
    encode = req.q("encoding-type") == "url"
    max_keys = max_keys_of(req)
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
