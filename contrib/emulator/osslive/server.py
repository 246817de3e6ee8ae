"""The HTTP server: one handler thread per connection, OSS requests and the control API."""

from __future__ import annotations

import base64
import json
import socket
import struct
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

from . import control
from .errors import STATUS_CODES, ControlError, OssError
from .live import (op_delete_channel, op_get_history, op_get_info, op_get_stat,
                   op_get_vod, op_list_channels, op_post_vod, op_put_live_channel,
                   op_put_status)
from .objects import (op_delete_object, op_get_object, op_head_object, op_list_objects,
                      op_put_object)
from .request import Request, classify
from .state import Emulator, Fault
from .wire import Response, el, is_loopback, parse_query, request_id, xml_doc


# OSS operation name -> its handler (see request.classify).
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
                self.send_file(*resp.file)
            else:
                self.wfile.write(resp.body)
        finally:
            if resp.file:
                resp.file[0].close()

    def send_file(self, f, off: int, n: int) -> None:
        """An object's bytes; with a window, one window a round trip, as TCP
        sends over a link with that latency (the first round trip is the
        request's own latency)."""
        latency = self.emu.latency_ms / 1000.0
        window = self.emu.window_bytes if latency else 0
        f.seek(off)
        while n > 0:
            chunk = f.read(min(n, window or 1 << 20))
            if not chunk:
                break
            self.wfile.write(chunk)
            n -= len(chunk)
            if window and n > 0:
                time.sleep(latency)

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
            self.serve_control(raw_path)
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
        self.emu.auth.authenticate(req, self.emu.public_read)
        handler = OPERATIONS.get(req.op)
        if handler is None or req.bucket is None:
            raise OssError(501, "NotImplemented")
        return handler(self.emu, req)

    # -- control API ------------------------------------------------------------------------

    def serve_control(self, path: str) -> None:
        body_raw = self.read_body()
        try:
            if not is_loopback(self.client_address[0]):
                raise ControlError(403, "the control API is for loopback clients only")
            result = control.call(self.emu, self.command, path, body_raw,
                                  self.headers.get("Content-Type") or "")
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


def garbage(n: int) -> bytes:
    pattern = b"\x00\xff<<garbage>>\xfe"
    return (pattern * (n // len(pattern) + 1))[:n] if n else b""


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class Server6(Server):
    address_family = socket.AF_INET6


def make_server(emu: Emulator, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"emu": emu})
    return (Server6 if ":" in host else Server)((host, port), handler)
