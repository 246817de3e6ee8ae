#!/usr/bin/python3
"""make bench: the performance targets of design.md section 6, measured against the emulator.

Everything is taken in one run, as ratios against the same emulator on the same machine, and
printed as one table: each target, the value measured, PASS or FAIL (``info`` rows are context,
not targets).  The exit status is 1 when a target is missed, 2 when the bench itself broke.

    OSSLIVEFS_BUILD=$PWD/build /usr/bin/python3 bench/bench.py [--keep]

What is measured, and how:

* Requests, counted by the emulator's ``/-/stats``: ``ls -l`` of 2,500 and of 10,000 channels
  (each on a fresh mount) and again within cache_ttl; one ``cat <ch>/status`` with the channel
  listing cached (1 request), and cold (a fresh mount, or the listing expired: what a
  monitoring agent sees; 2 requests whatever the number of channels: the lookup of <ch> is one
  ListLiveChannel with prefix=<ch> and max-keys=1); ``ls -l <ch>/vod`` with 2,500 objects; reading a 15 KB segment and a 32 MiB object.
  The first mount talks to the emulator through a small TCP relay that notes the ``Range``
  header of every request, so the size of each ranged GET is checked too.
* Time: ``cat <ch>/status`` as 200 fresh open+read+close from Python, against the same signed
  GetLiveChannelStat over a kept-alive http.client connection with TCP_NODELAY (signed afresh
  each time, as a client must), interleaved, medians.  Throughput of reading a 64 MiB object
  through ``vod/`` against a direct GET of the same size, for a ``.ts`` name (opened with
  keep_cache: the kernel page cache and readahead) and another name (direct_io); every run
  reads a different object, so no run is served from the page cache of an earlier one (the
  emulator's own files sit in its page cache for both paths alike).  Eight threads reading
  eight different objects at once against one reader, every byte checked (CRC-32).
* Memory: VmRSS of the daemon after ``ls -l`` of 10,000 channels.
* Context rows (``info``, not targets): the cost of open+read+close of a file that makes no
  request (FUSE's own share), and the status and throughput ratios again with 2 ms of latency
  added by the emulator to every request, closer to a real network.

The emulator's data lives under /dev/shm when possible (no disk writeback during the timing).
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from harness import Emulator, OssClient, pipe  # noqa: E402
from mountlib import Mount  # noqa: E402

BUCKET = "testbucket"
AK, SK = "AKID", "SECRET"
CACHE_TTL = 5                  # seconds; long enough for two ls -l of 10,000 channels
MIB = 1 << 20
CHANNEL_BODY = (b"<LiveChannelConfiguration><Target><Type>HLS</Type></Target>"
                b"</LiveChannelConfiguration>")

N_SMALL, N_LARGE = 2500, 10000
M_OBJECTS = 2500
STATUS_RUNS = 200
BIG_SIZE = 64 * MIB            # the throughput objects
BIG_RUNS = 3                   # per path, interleaved
PAR_READERS = 8
SINGLE_RUNS = 3                # the one-reader baseline: median of this many
LATENCY_MS = 2                 # added by the emulator for the context row
PAR_SIZE = 32 * MIB            # each concurrent reader's object
RANGED_SIZE = 32 * MIB         # the object whose ranged GETs are counted
RSS_LIMIT_KIB = 20 * 1024

CH_VOD = "ch-00001"            # 2,500 small objects
CH_SEG = "ch-00002"            # the 15 KB segment and the 32 MiB object
CH_BIG = "ch-00003"            # the throughput objects
CH_STATUS = "ch-00007"


# ---- results ---------------------------------------------------------------------------------

@dataclass
class Row:
    what: str
    target: str
    measured: str
    ok: Optional[bool]          # None: information, not a target


ROWS: list[Row] = []


def row(what: str, target: str, measured: str, ok: Optional[bool]) -> None:
    ROWS.append(Row(what, target, measured, ok))
    mark = "info" if ok is None else ("PASS" if ok else "FAIL")
    print(f"  {mark:4}  {what}: {measured}", flush=True)


def print_table() -> None:
    heads = ("measurement", "target", "measured", "result")
    cells = [(r.what, r.target, r.measured,
              "info" if r.ok is None else ("PASS" if r.ok else "FAIL")) for r in ROWS]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    line = "+".join("-" * (w + 2) for w in widths)
    print()
    print("osslivefs bench (design.md section 6), against the emulator")
    print(line)
    print(" | ".join(h.ljust(w) for h, w in zip(heads, widths)))
    print(line)
    for c in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(c, widths)))
    print(line)


def fmt_requests(stats: dict[str, int]) -> str:
    got = {k: v for k, v in sorted(stats.items()) if v}
    return ", ".join(f"{k} {v}" for k, v in got.items()) or "no request"


def step(msg: str) -> None:
    print(f"-- {msg}", flush=True)


# ---- a relay that notes Range headers --------------------------------------------------------

class RangeRelay:
    """A TCP relay to the emulator that records the Range header of every request it passes.

    Requests are parsed just enough to find each head and skip its body (Content-Length);
    the bytes are forwarded unchanged in both directions."""

    HEAD_END = b"\r\n\r\n"

    def __init__(self, port: int) -> None:
        self.target = ("127.0.0.1", port)
        self.ranges: list[tuple[str, int, int]] = []    # (path, first, last)
        self.lock = threading.Lock()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.conns += [client, server]
            threading.Thread(target=self._up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()

    _pipe = staticmethod(pipe)

    def _up(self, src: socket.socket, dst: socket.socket) -> None:
        buf, skip = b"", 0
        try:
            while data := src.recv(1 << 16):
                dst.sendall(data)
                buf += data
                while True:
                    if skip:
                        n = min(skip, len(buf))
                        buf, skip = buf[n:], skip - n
                        if skip:
                            break
                    end = buf.find(self.HEAD_END)
                    if end < 0:
                        break
                    head, buf = buf[:end].decode("latin-1"), buf[end + 4:]
                    skip = self._note(head)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _note(self, head: str) -> int:
        lines = head.split("\r\n")
        path = lines[0].split(" ")[1] if " " in lines[0] else ""
        length = 0
        for h in lines[1:]:
            name, _, value = h.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "range":
                m = re.fullmatch(r"bytes=(\d+)-(\d+)", value)
                if m:
                    with self.lock:
                        self.ranges.append((path, int(m[1]), int(m[2])))
            elif name == "content-length":
                length = int(value)
        return length

    def take(self) -> list[tuple[str, int, int]]:
        with self.lock:
            got, self.ranges = self.ranges, []
        return got

    def close(self) -> None:
        self.sock.close()
        with self.lock:
            for s in self.conns:
                try:
                    s.close()
                except OSError:
                    pass


# ---- helpers ----------------------------------------------------------------------------------

def fast_client(emu: Emulator) -> OssClient:
    """A signed client whose kept-alive connection has TCP_NODELAY (else 40 ms per PUT)."""
    c = emu.client()
    c.conn = http.client.HTTPConnection(c.host, c.port, timeout=60)
    c.conn.connect()
    c.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def put_channels(emu: Emulator, names: list[str]) -> None:
    """PutLiveChannel for every name, on two connections at once."""
    errors: list[str] = []

    def work(part: list[str]) -> None:
        c = fast_client(emu)
        for n in part:
            r = c.request("PUT", n, {"live": None}, CHANNEL_BODY)
            if r.status != 200:
                errors.append(f"{n}: {r.status}")
        c.close()

    threads = [threading.Thread(target=work, args=(names[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError("PutLiveChannel failed: " + ", ".join(errors[:5]))


def put_object(c: OssClient, key: str, data: bytes) -> None:
    r = c.request("PUT", key, None, data)
    if r.status != 200:
        raise RuntimeError(f"PutObject {key}: {r.status} {r.body[:200]!r}")


def object_data(index: int, size: int, block: bytes) -> bytes:
    """size bytes, each MiB stamped with (index, MiB number) so objects all differ."""
    return b"".join(struct.pack("<QQ", index, i) + block[16:] for i in range(size // MIB))


def sh(cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)


def ls_l(path: Path) -> int:
    """Run ls -l; the number of entries it printed."""
    r = sh(f"ls -l '{path}'")
    if r.returncode != 0:
        raise RuntimeError(f"ls -l {path}: {r.stderr.strip()}")
    return len(r.stdout.splitlines()) - 1          # the "total" line


def proc_status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/PID/status (VmRSS, RssAnon, RssFile...)."""
    out = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if value.strip().endswith(" kB"):
                out[key] = int(value.split()[0])
    return out


def read_file(path: Path, buf: memoryview, check: bool = False) -> tuple[int, int]:
    """Read a whole file through buf: (bytes, crc32 or 0)."""
    total, crc = 0, 0
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            if check:
                crc = zlib.crc32(buf[:n], crc)
            total += n
    return total, crc


class DirectGetter:
    """Whole-object signed GETs over one kept-alive connection with TCP_NODELAY."""

    def __init__(self, emu: Emulator) -> None:
        self.client = emu.client()
        self.conn = http.client.HTTPConnection(emu.host, emu.port, timeout=60)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def get(self, key: str, buf: memoryview, check: bool = False) -> tuple[int, int]:
        h = self.client.signed_headers("GET", key, None)
        h["Host"] = self.client.host_header()
        self.conn.putrequest("GET", self.client.path(key), skip_host=True,
                             skip_accept_encoding=True)
        for k, v in h.items():
            self.conn.putheader(k, v)
        self.conn.endheaders()
        r = self.conn.getresponse()
        if r.status != 200:
            raise RuntimeError(f"GET {key}: {r.status} {r.read()[:200]!r}")
        total, crc = 0, 0
        while n := r.readinto(buf):
            if check:
                crc = zlib.crc32(buf[:n], crc)
            total += n
        return total, crc

    def close(self) -> None:
        self.conn.close()


def run_parallel(fn: Callable[[int], tuple[int, int]], n: int) -> tuple[float, list]:
    """Run fn(0..n-1) in n threads started together: (seconds, results or exceptions)."""
    results: list = [None] * n
    barrier = threading.Barrier(n + 1)

    def work(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as e:      # reported, not raised: errors are what we count
            results[i] = e

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, results


def mbps(nbytes: int, seconds: float) -> float:
    return nbytes / MIB / seconds


# ---- the bench -------------------------------------------------------------------------------

class Bench:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.emu = Emulator()
        self.relay: Optional[RangeRelay] = None
        self.mounts: list[Mount] = []

    def mount(self, name: str, port: int) -> Mount:
        m = Mount(BUCKET, self.work / name, f"http://localhost:{port}", passwd=(AK, SK),
                  options=["region=cn-hangzhou", f"cache_ttl={CACHE_TTL}"],
                  workdir=self.work)
        self.mounts.append(m)
        m.start()
        return m

    def unmount(self, m: Mount) -> None:
        log = m.stop()
        self.mounts.remove(m)
        if log.strip():
            print(f"   daemon stderr ({m.mountpoint.name}):\n{log}", flush=True)

    def close(self) -> None:
        for m in list(self.mounts):
            try:
                self.unmount(m)
            except Exception:          # keep tearing down the rest
                traceback.print_exc()
        if self.relay:
            self.relay.close()
        self.emu.stop()

    def stats(self) -> dict[str, int]:
        return {k: v for k, v in self.emu.stats().items() if v}

    # -- requests ---------------------------------------------------------------------------

    def ls_twice(self, m: Mount, n: int) -> None:
        want = {"ListLiveChannel": math.ceil(n / 1000)}
        self.emu.reset_stats()
        t0 = time.monotonic()
        entries = ls_l(m.mountpoint)
        got = self.stats()
        row(f"ls -l of {n} channels", fmt_requests(want),
            f"{fmt_requests(got)} ({entries} entries, {time.monotonic() - t0:.2f} s)",
            got == want and entries == n)
        self.emu.reset_stats()
        entries = ls_l(m.mountpoint)
        again = self.stats()
        within = time.monotonic() - t0 < CACHE_TTL
        row(f"ls -l of {n} channels again within cache_ttl={CACHE_TTL}", "no request",
            fmt_requests(again) + ("" if within else " (took longer than cache_ttl!)"),
            again == {} and entries == n and within)

    def cat_requests(self, m: Mount) -> dict[str, int]:
        self.emu.reset_stats()
        text = m.path(CH_STATUS, "status").read_text()
        if not text.startswith("status "):
            raise RuntimeError(f"status reads {text!r}")
        return self.stats()

    def vod_requests(self, m: Mount) -> None:
        want = {"ListObjects": math.ceil(M_OBJECTS / 1000)}
        self.emu.reset_stats()
        entries = ls_l(m.path(CH_VOD, "vod"))
        got = self.stats()
        row(f"ls -l <ch>/vod with {M_OBJECTS} objects", fmt_requests(want) + ", no HEAD",
            f"{fmt_requests(got)} ({entries} entries)", got == want and entries == M_OBJECTS)
        self.emu.reset_stats()
        ls_l(m.path(CH_VOD, "vod"))
        got = self.stats()
        row("ls -l <ch>/vod again within cache_ttl", "no request", fmt_requests(got),
            got == {})

    def segment_requests(self, m: Mount, seg_key: str, seg_size: int) -> None:
        assert self.relay
        ls_l(m.path(CH_SEG, "vod"))               # the listing is cached: only reads count
        buf = memoryview(bytearray(MIB))
        for name, size, limit in ((seg_key.split("/", 1)[1], seg_size, 1),
                                  ("ranged.bin", RANGED_SIZE, RANGED_SIZE // MIB)):
            self.emu.reset_stats()
            self.relay.take()
            n, _ = read_file(m.path(CH_SEG, "vod", name), buf)
            got = self.stats()
            ranges = [(a, b) for p, a, b in self.relay.take() if p.endswith("/" + name)]
            gets = got.get("GetObject", 0)
            small = [(a, b) for a, b in ranges if b - a + 1 < MIB and b + 1 < size]
            sizes = sorted({(b - a + 1) // 1024 for a, b in ranges})
            ok = n == size and 1 <= gets <= limit and not small and \
                set(got) == {"GetObject"} and len(ranges) == gets
            row(f"read a {size // 1024 if size < MIB else size // MIB} "
                f"{'KB segment' if size < MIB else 'MiB object'}",
                f"GetObject {'1' if limit == 1 else f'<= {limit}'}, ranges >= 1 MiB or whole",
                f"{fmt_requests(got)}; Range sizes (KiB) {sizes}"
                + (f"; {len(small)} ranges < 1 MiB" if small else "")
                + ("" if n == size else f"; read {n} of {size} bytes"), ok)

    # -- time -------------------------------------------------------------------------------

    def status_time(self, m: Mount, runs: int, latency_ms: int = 0) -> None:
        """Fresh open+read+close of status against the same signed request made directly,
        interleaved so that both see the same machine; medians."""
        path = m.path(CH_STATUS, "status")
        client = fast_client(self.emu)
        query = {"live": None, "comp": "stat"}
        path.read_text()                        # the channel listing, cached
        fs: list[float] = []
        direct: list[float] = []
        clock = time.perf_counter
        for _ in range(runs):
            t0 = clock()
            with open(path, "rb") as f:
                data = f.read()
            t1 = clock()
            r = client.request("GET", CH_STATUS, query)
            t2 = clock()
            if not data.startswith(b"status ") or r.status != 200:
                raise RuntimeError(f"status: {data!r}, direct {r.status}")
            fs.append(t1 - t0)
            direct.append(t2 - t1)
        client.close()
        f_med, d_med = statistics.median(fs), statistics.median(direct)
        ratio = f_med / d_med
        what = f"cat <ch>/status vs direct GetLiveChannelStat, median of {runs}"
        measured = f"{ratio:.2f}x ({f_med * 1e6:.0f} us vs {d_med * 1e6:.0f} us)"
        if latency_ms:
            row(f"{what}, {latency_ms} ms emulator latency", "(context)", measured, None)
        else:
            row(what, "<= 1.2x", measured, ratio <= 1.2)

    def fuse_floor(self, m: Mount, runs: int) -> None:
        """The same open+read+close of a file that costs no request: FUSE's own share."""
        path = m.path(CH_STATUS, "play_url")
        path.read_text()
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            with open(path, "rb") as f:
                f.read()
            times.append(time.perf_counter() - t0)
        row("open+read+close of <ch>/play_url (no request)", "(context)",
            f"{statistics.median(times) * 1e6:.0f} us", None)

    def throughput(self, m: Mount, keys: list[str], label: str) -> None:
        """One reader, mount against direct GET, interleaved, a different object each time."""
        buf = memoryview(bytearray(MIB))
        getter = DirectGetter(self.emu)
        fs_t: list[float] = []
        direct_t: list[float] = []
        for i in range(len(keys) // 2):
            t0 = time.perf_counter()
            n, _ = getter.get(keys[2 * i], buf)
            t1 = time.perf_counter()
            n2, _ = read_file(m.path(CH_BIG, "vod", keys[2 * i + 1].split("/", 1)[1]), buf)
            t2 = time.perf_counter()
            if n != BIG_SIZE or n2 != BIG_SIZE:
                raise RuntimeError(f"read {n} and {n2} of {BIG_SIZE} bytes")
            direct_t.append(t1 - t0)
            fs_t.append(t2 - t1)
        getter.close()
        d = mbps(BIG_SIZE, statistics.median(direct_t))
        f = mbps(BIG_SIZE, statistics.median(fs_t))
        runs = f"median of {len(fs_t)}" if len(fs_t) > 1 else "one run"
        row(f"read {BIG_SIZE // MIB} MiB {label} through vod/ vs direct GET ({runs})",
            ">= 90%" if "latency" not in label else "(context)",
            f"{f / d * 100:.0f}% ({f:.0f} vs {d:.0f} MiB/s)",
            f >= 0.9 * d if "latency" not in label else None)

    def concurrency(self, m: Mount, keys: list[str], crcs: dict[str, int]) -> None:
        def reader(k: str) -> tuple[int, int]:
            return read_file(m.path(CH_BIG, "vod", k.split("/", 1)[1]),
                             memoryview(bytearray(MIB)), check=True)

        def errors(results: list, ks: list[str]) -> int:
            return sum(1 for r, k in zip(results, ks)
                       if isinstance(r, Exception) or r != (PAR_SIZE, crcs[k]))

        ones = [run_parallel(lambda i, k=k: reader(k), 1) for k in keys[:SINGLE_RUNS]]
        par_t, par = run_parallel(lambda i: reader(keys[SINGLE_RUNS + i]), PAR_READERS)
        one = [r for _, rs in ones for r in rs]
        bad = errors(one, keys[:SINGLE_RUNS]) + errors(par, keys[SINGLE_RUNS:])
        for r in one + par:
            if isinstance(r, Exception):
                print(f"   reader error: {r!r}", flush=True)
        single = mbps(PAR_SIZE, statistics.median(t for t, _ in ones))
        agg = mbps(PAR_SIZE * PAR_READERS, par_t)
        row(f"{PAR_READERS} concurrent readers of different {PAR_SIZE // MIB} MiB objects",
            "no error; aggregate >= 1 reader", f"{bad} errors; {agg:.0f} MiB/s aggregate vs "
            f"{single:.0f} MiB/s one reader (median of {SINGLE_RUNS}), {agg / single:.2f}x",
            bad == 0 and agg >= single)
        # The emulator's own scaling, for context: the same reads as direct GETs.
        getters = [DirectGetter(self.emu) for _ in range(PAR_READERS)]
        dpar_t, dpar = run_parallel(
            lambda i: getters[i].get(keys[SINGLE_RUNS + i], memoryview(bytearray(MIB)),
                                     check=True), PAR_READERS)
        for g in getters:
            g.close()
        dbad = errors(dpar, keys[SINGLE_RUNS:])
        row(f"{PAR_READERS} concurrent direct GETs of the same objects", "(context)",
            f"{mbps(PAR_SIZE * PAR_READERS, dpar_t):.0f} MiB/s aggregate"
            + (f", {dbad} errors" if dbad else ""), None)

    # -- the whole run ----------------------------------------------------------------------

    def run(self) -> None:
        step("starting the emulator")
        self.emu.start(self.work / "emulator", BUCKET, f"{AK}:{SK}")
        self.relay = RangeRelay(self.emu.port)
        client = fast_client(self.emu)

        step(f"creating {N_SMALL} channels, {M_OBJECTS} objects, a segment, a "
             f"{RANGED_SIZE // MIB} MiB object")
        put_channels(self.emu, [f"ch-{i:05d}" for i in range(N_SMALL)])
        for i in range(M_OBJECTS):
            put_object(client, f"{CH_VOD}/obj-{i:05d}.ts", b"x" * 188)
        status, seg = self.emu.control("/-/ingest/segment", {"channel": CH_SEG})
        if status != 200:
            raise RuntimeError(f"ingest/segment: {status} {seg}")
        seg_size = len(client.request("GET", seg["key"]).body)
        block = os.urandom(MIB)
        put_object(client, f"{CH_SEG}/ranged.bin", object_data(0, RANGED_SIZE, block))

        step(f"mount A (through the Range relay), {N_SMALL} channels")
        a = self.mount("mnt-a", self.relay.port)
        got = self.cat_requests(a)
        want = {"GetLiveChannelStat": 1}
        # Cold, the kernel's lookup of <ch> must learn that the channel
        # exists: one ListLiveChannel (prefix=<ch>, max-keys=1), whatever N.
        cold = {"GetLiveChannelStat": 1, "ListLiveChannel": 1}
        row(f"cat <ch>/status, cold (fresh mount, {N_SMALL} channels)",
            "lookup + 1 request", fmt_requests(got), got == cold)
        time.sleep(CACHE_TTL)                   # let the listing that cat fetched expire
        self.ls_twice(a, N_SMALL)
        got = self.cat_requests(a)
        row("cat <ch>/status, channel listing cached", "1 request", fmt_requests(got),
            got == want)
        self.vod_requests(a)
        self.segment_requests(a, seg["key"], seg_size)
        self.unmount(a)

        step(f"creating {N_LARGE - N_SMALL} more channels")
        put_channels(self.emu, [f"ch-{i:05d}" for i in range(N_SMALL, N_LARGE)])

        step(f"mount B, {N_LARGE} channels")
        b = self.mount("mnt-b", self.emu.port)
        assert b.proc
        start = proc_status(b.proc.pid)
        self.ls_twice(b, N_LARGE)
        now = proc_status(b.proc.pid)
        rss = now["VmRSS"]
        row(f"daemon VmRSS after ls -l of {N_LARGE} channels", f"< {RSS_LIMIT_KIB // 1024} MiB",
            f"{rss / 1024:.1f} MiB (anon {now['RssAnon'] / 1024:.1f} + files "
            f"{now['RssFile'] / 1024:.1f}); {start['VmRSS'] / 1024:.1f} MiB after mounting "
            f"(anon {start['RssAnon'] / 1024:.1f})", rss < RSS_LIMIT_KIB)
        time.sleep(CACHE_TTL)
        got = self.cat_requests(b)
        row(f"cat <ch>/status, listing expired ({N_LARGE} channels)",
            "lookup + 1 request", fmt_requests(got), got == cold)

        step("timing cat <ch>/status")
        self.status_time(b, STATUS_RUNS)
        self.fuse_floor(b, STATUS_RUNS)
        self.emu.control("/-/latency", {"ms": LATENCY_MS})
        try:
            self.status_time(b, STATUS_RUNS // 4, LATENCY_MS)
        finally:
            self.emu.control("/-/latency", {"ms": 0})

        step(f"putting {4 * BIG_RUNS + 2} objects of {BIG_SIZE // MIB} MiB and "
             f"{PAR_READERS + SINGLE_RUNS} of {PAR_SIZE // MIB} MiB")
        big = {ext: [f"{CH_BIG}/big-{i}.{ext}" for i in range(2 * BIG_RUNS)]
               for ext in ("ts", "bin")}
        big["lat"] = [f"{CH_BIG}/lat-{i}.bin" for i in range(2)]
        for i, k in enumerate(big["ts"] + big["bin"] + big["lat"]):
            put_object(client, k, object_data(100 + i, BIG_SIZE, block))
        par = [f"{CH_BIG}/par-{i}.ts" for i in range(SINGLE_RUNS + PAR_READERS)]
        crcs = {}
        for i, k in enumerate(par):
            data = object_data(200 + i, PAR_SIZE, block)
            crcs[k] = zlib.crc32(data)
            put_object(client, k, data)
        del data
        client.close()

        step("timing reads")
        ls_l(b.path(CH_BIG, "vod"))
        self.throughput(b, big["ts"], ".ts (page cache)")
        self.throughput(b, big["bin"], ".bin (direct_io)")
        self.emu.control("/-/latency", {"ms": LATENCY_MS})
        try:
            self.throughput(b, big["lat"], f".bin, {LATENCY_MS} ms emulator latency")
        finally:
            self.emu.control("/-/latency", {"ms": 0})
        self.concurrency(b, par, crcs)
        self.unmount(b)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    if not os.access("/dev/fuse", os.W_OK):
        print("bench: needs /dev/fuse (root)", file=sys.stderr)
        return 2
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    work = Path(tempfile.mkdtemp(prefix="osslivefs-bench-", dir=base))
    bench = Bench(work)
    t0 = time.monotonic()
    broke = False
    try:
        bench.run()
    except Exception:
        traceback.print_exc()
        broke = True
    finally:
        bench.close()
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_table()
    failed = [r for r in ROWS if r.ok is False]
    print(f"{len(ROWS) - len(failed)} rows passed or informational, {len(failed)} failed; "
          f"{time.monotonic() - t0:.0f} s")
    if broke:
        print("bench: did not complete (see the traceback above)")
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
