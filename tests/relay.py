"""A TCP relay in front of the emulator that sees every HTTP request passing through.

It notes each request's path and Range, counts how many requests wait for an answer at once
(``max_inflight``: a request waits from its head until the first byte of its answer), and can
fail chosen requests (``fail_ranges``: the first bytes of Ranges answered by the relay itself
with 503 ServiceUnavailable, each once, instead of being forwarded).  Bytes are forwarded
unchanged.  Used by tests/test_vod_read.py and bench/bench.py.

    relay = Relay(emu.port)        # then mount url=http://127.0.0.1:{relay.port}
    ...
    relay.requests()               # [(method, path, first, last)], Range or (-1, -1)
    relay.close()
"""

from __future__ import annotations

import re
import socket
import threading

HEAD_END = b"\r\n\r\n"
FAILURE_BODY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>'
                b"<Message>injected by the test relay</Message><RequestId>RELAY</RequestId></Error>")
FAILURE = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\n"
           b"x-oss-request-id: RELAY\r\nContent-Length: %d\r\n\r\n" % len(FAILURE_BODY)
           + FAILURE_BODY)


class Relay:
    def __init__(self, port: int) -> None:
        self.target = ("127.0.0.1", port)
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str, int, int]] = []
        self.inflight = 0
        self.max_inflight = 0
        self.fail_ranges: set[int] = set()       # Range starts to fail, each once
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    # -- results ----------------------------------------------------------------------------

    def requests(self) -> list[tuple[str, str, int, int]]:
        """The requests seen since the last call."""
        with self.lock:
            got, self.seen = self.seen, []
        return got

    def reset_inflight(self) -> None:
        with self.lock:
            self.max_inflight = self.inflight

    # -- relaying ---------------------------------------------------------------------------

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            state = {"waiting": False}
            with self.lock:
                self.conns += [client, server]
            threading.Thread(target=self._up, args=(client, server, state), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, state), daemon=True).start()

    @staticmethod
    def _shut(*socks: socket.socket) -> None:
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _answered(self, state: dict) -> None:
        with self.lock:
            if state["waiting"]:
                state["waiting"] = False
                self.inflight -= 1

    def _down(self, src: socket.socket, dst: socket.socket, state: dict) -> None:
        try:
            while data := src.recv(1 << 16):
                self._answered(state)
                dst.sendall(data)
        except OSError:
            pass
        self._answered(state)
        self._shut(src, dst)

    def _up(self, src: socket.socket, dst: socket.socket, state: dict) -> None:
        buf = b""
        try:
            while data := src.recv(1 << 16):
                buf += data
                while (end := buf.find(HEAD_END)) >= 0:
                    head = buf[:end].decode("latin-1")
                    length, fail = self._note(head, state)
                    while len(buf) < end + 4 + length:
                        more = src.recv(1 << 16)
                        if not more:
                            raise OSError("closed")
                        buf += more
                    if fail:
                        src.sendall(FAILURE)
                    else:
                        dst.sendall(buf[:end + 4 + length])
                    buf = buf[end + 4 + length:]
        except OSError:
            pass
        self._answered(state)
        self._shut(src, dst)

    def _note(self, head: str, state: dict) -> tuple[int, bool]:
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        method, path = (parts[0], parts[1]) if len(parts) > 2 else ("", "")
        length, first, last = 0, -1, -1
        for h in lines[1:]:
            name, _, value = h.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "range" and (m := re.fullmatch(r"bytes=(\d+)-(\d+)", value)):
                first, last = int(m[1]), int(m[2])
            elif name == "content-length":
                length = int(value)
        with self.lock:
            self.seen.append((method, path, first, last))
            if first in self.fail_ranges:
                self.fail_ranges.discard(first)
                return length, True
            state["waiting"] = True
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        return length, False

    def close(self) -> None:
        self.sock.close()
        with self.lock:
            for s in self.conns:
                try:
                    s.close()
                except OSError:
                    pass
