#!/usr/bin/python3
"""make bench: the performance targets of design.md section 6, measured against the emulator.

Everything is taken in one run, as ratios against the same emulator on the same machine, and
printed as one table: each target, the value measured, PASS or FAIL (``info`` rows are context,
not targets).  The exit status is 1 when a target is missed, 2 when the bench itself broke.

    OSSLIVEFS_BUILD=$PWD/build /usr/bin/python3 bench/bench.py [--keep]

What is measured, and how:

* Requests, counted by the emulator's ``/-/stats``: ``ls -l`` of 2,500 and of 10,000 channels
  (each on a fresh mount) and again within cache_ttl; one ``cat <ch>/status`` with the channel
  listing cached (1 request), ``ls -l <ch>`` (at most 3: the exact sizes of its files), and
  cold (a fresh mount, or the listing expired: what a monitoring agent sees; 2 requests
  whatever the number of channels: the lookup of <ch> is one ListLiveChannel with prefix=<ch>
  and max-keys=1); ``ls -l <ch>/vod`` with 2,500 objects; reading a 15 KB segment and a
  32 MiB object.
  The first mount talks to the emulator through tests/relay.py, which notes the ``Range``
  header of every request, so the size of each ranged GET is checked too.
* Time: ``cat <ch>/status`` as 200 fresh open+read+close from Python, against the same signed
  GetLiveChannelStat over a kept-alive http.client connection with TCP_NODELAY (signed afresh
  each time, as a client must), interleaved, medians.  Throughput of reading a 64 MiB object
  through ``vod/`` against a direct GET of the same size at 0, 2 and 20 ms of latency added by
  the emulator to every request, interleaved, a different object each run, with the CPU
  seconds of the daemon, the emulator and the reader on each path, and how many of the
  machine's cores were busy meanwhile (/proc/stat: what limits the mount on this machine).
  Eight threads reading eight different objects at once against one reader at 2 ms, every
  byte checked (CRC-32), and the same eight as direct GETs for context.
* A recorded hour: 720 segments of 5 s ingested through ``/-/ingest/segment`` and a VOD playlist
  written through the mount; copied out at 2 ms with ``cp`` of the segments and with
  ``ffmpeg -c copy`` of the playlist through the mount, against ffmpeg reading the same
  playlist over HTTP from the emulator (``--public-read``).
* The peers, each on a fresh mount of the same public-read bucket at 2 ms (bench/peers.py):
  osslivefs, Debian's s3fs (``-o public_bucket=1``) and ``rclone mount`` (anonymous S3
  remote), for ``ls -l`` of the recorded hour's channel cold and again (median of 5),
  reading one segment (median of 15), a 64 MiB object (median of 3 different ones), and
  ``cp`` of the recorded hour: requests and seconds.  A peer that cannot run here (not
  installed, or an emulator without ``--public-read``) shows why in its rows.  The peers
  read anonymously while osslivefs signs every request (the emulator checks each signature:
  about 0.25 ms a request at 2 ms).
* Memory: VmRSS of the daemon after ``ls -l`` of 10,000 channels.
* The overview: ``cat .osslivefs/channels`` of 1,000 channels with 2 ms of emulator latency (its
  requests counted: one listing and one GetLiveChannelStat per channel, 16 at once) against the
  sequential shell loop ``for c in */; do cat $c/status; done`` that it replaces, on an emulator
  bucket of its own, last; for context, the same stats sent directly over 16 connections at
  once (the emulator's own limit on two cores).
* Context rows (``info``, not targets): the cost of open+read+close of a file that makes no
  request (FUSE's own share), and the status ratio again with 2 ms of latency.

The emulator's data lives under /dev/shm when possible (no disk writeback during the timing).
"""

from __future__ import annotations

import argparse
import http.client
import math
import mmap
import os
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

from harness import EMULATOR, PYTHON, Emulator, OssClient  # noqa: E402
from mountlib import Mount  # noqa: E402
from peers import PeerMount, Rclone, S3fs, ffmpeg_copy  # noqa: E402
from relay import Relay  # noqa: E402

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
LATENCIES = (0, 2, 20)         # ms added by the emulator to every request
BIG_RUNS = (5, 5, 3)           # per latency and path, interleaved
SEGMENT_RUNS, SEGMENT_STRIDE = 15, 45  # the peers' "read one segment" row
PEER_BIG_RUNS = 3              # the peers' "read the 64 MiB object" row: median of this many
PAR_READERS = 8
SINGLE_RUNS = 3                # the one-reader baseline: median of this many
LATENCY_MS = 2                 # the latency of the concurrency, recorded-hour and peer rows
# A TCP connection carries at most one window a round trip.  With latency,
# the 64 MiB rows give each connection Linux's default largest receive
# window (net.ipv4.tcp_rmem's maximum, 6 MiB), so that one stream pays its
# round trips as it would on a real link, not one delay and then loopback.
TCP_WINDOW = 6 * MIB
HOUR_SEGMENTS = 720            # a recorded hour of 5 s segments
HOUR_T0 = 1795420800           # 2026-11-23T08:00:00Z: when the recorded hour starts
PAR_SIZE = 32 * MIB            # each concurrent reader's object
RANGED_SIZE = 32 * MIB         # the object whose ranged GETs are counted
RSS_LIMIT_KIB = 20 * 1024
N_OVERVIEW = 1000              # channels of the .osslivefs/channels row
OVERVIEW_RUNS = 3
OVERVIEW_SPEEDUP = 4           # at least this much faster than the shell loop

CH_VOD = "ch-00001"            # 2,500 small objects
CH_SEG = "ch-00002"            # the 15 KB segment and the 32 MiB object
CH_BIG = "ch-00003"            # the throughput objects
CH_HOUR = "ch-00004"           # the recorded hour
CH_STATUS = "ch-00007"
CH_LS = "ch-00008"             # ls -l <ch>: a channel none of the other rows read


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


def emulator_has_public_read() -> bool:
    """Whether this tree's emulator offers --public-read (for ffmpeg over HTTP and the peers)."""
    r = subprocess.run([PYTHON, str(EMULATOR), "--help"], capture_output=True, text=True,
                       timeout=30)
    return "--public-read" in r.stdout


def check_sh(cmd: str) -> None:
    r = sh(cmd)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd}: {r.stderr.strip()[:300]}")


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


def page_buffer(size: int) -> memoryview:
    """A page-aligned buffer, as cat, cp and dd read into: with an unaligned one the kernel
    splits each read of a direct_io file at the page boundary (one more FUSE request)."""
    return memoryview(mmap.mmap(-1, size))


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


def machine_jiffies() -> tuple[int, int]:
    """(busy, all) clock ticks of the whole machine so far (/proc/stat): softirq and the
    kernel's own threads included, which no process's CPU time shows."""
    with open("/proc/stat", encoding="ascii") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    idle = ticks[3] + ticks[4]              # idle, iowait
    return sum(ticks) - idle, sum(ticks)


class CoresBusy:
    """How many of the machine's cores were busy over the spans measured with it."""

    def __init__(self) -> None:
        self.busy = self.all = 0
        self._start = (0, 0)

    def __enter__(self) -> "CoresBusy":
        self._start = machine_jiffies()
        return self

    def __exit__(self, *exc: object) -> None:
        busy, all_ = machine_jiffies()
        self.busy += busy - self._start[0]
        self.all += all_ - self._start[1]

    def __str__(self) -> str:
        n = os.cpu_count() or 1
        return f"{n * self.busy / self.all:.1f} of {n}" if self.all else "-"


def cpu_times(pids: tuple[int, ...]) -> list[float]:
    """User+system CPU seconds of each process so far (all its threads)."""
    out = []
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        out.append((int(fields[11]) + int(fields[12])) / tick)
    return out


def mbps(nbytes: int, seconds: float) -> float:
    return nbytes / MIB / seconds


# ---- the bench -------------------------------------------------------------------------------

class Bench:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.emu = Emulator()
        self.relay: Optional[Relay] = None
        self.public_read = False
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

    def channel_requests(self, m: Mount) -> None:
        """ls -l <ch>: exact sizes of its files at most 3 requests (GetLiveChannelInfo for
        config.xml and enabled, GetLiveChannelStat, GetLiveChannelHistory)."""
        self.emu.reset_stats()
        entries = ls_l(m.path(CH_LS))
        got = self.stats()
        row("ls -l <ch>, channel listing cached", "<= 3 requests",
            f"{fmt_requests(got)} ({entries} entries)",
            sum(got.values()) <= 3 and entries == 7)

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
        buf = page_buffer(MIB)
        for name, size, limit in ((seg_key.split("/", 1)[1], seg_size, 1),
                                  ("ranged.bin", RANGED_SIZE, RANGED_SIZE // MIB)):
            self.emu.reset_stats()
            self.relay.requests()
            n, _ = read_file(m.path(CH_SEG, "vod", name), buf)
            got = self.stats()
            ranges = [(a, b) for _, p, a, b in self.relay.requests()
                      if p.endswith("/" + name)]
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

    def latency(self, ms: int, window: int = 0) -> None:
        status, _ = self.emu.control("/-/latency", {"ms": ms, "window": window})
        if status != 200:
            raise RuntimeError(f"/-/latency: {status}")

    def throughput(self, m: Mount, keys: list[str], latency_ms: int) -> None:
        """One reader, mount against direct GET, interleaved, a different object each time."""
        buf = page_buffer(MIB)
        getter = DirectGetter(self.emu)
        fs_t: list[float] = []
        direct_t: list[float] = []
        # CPU seconds of (daemon, emulator, this process) on each path: what limits the mount.
        cpu_fs, cpu_direct = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
        busy_fs, busy_direct = CoresBusy(), CoresBusy()
        assert m.proc and self.emu.proc
        pids = (m.proc.pid, self.emu.proc.pid, os.getpid())
        self.latency(latency_ms, TCP_WINDOW if latency_ms else 0)
        try:
            for i in range(len(keys) // 2):
                c0 = cpu_times(pids)
                t0 = time.perf_counter()
                with busy_direct:
                    n, _ = getter.get(keys[2 * i], buf)
                t1 = time.perf_counter()
                c1 = cpu_times(pids)
                with busy_fs:
                    n2, _ = read_file(m.path(CH_BIG, "vod", keys[2 * i + 1].split("/", 1)[1]),
                                      buf)
                t2 = time.perf_counter()
                c2 = cpu_times(pids)
                if n != BIG_SIZE or n2 != BIG_SIZE:
                    raise RuntimeError(f"read {n} and {n2} of {BIG_SIZE} bytes")
                direct_t.append(t1 - t0)
                fs_t.append(t2 - t1)
                for k in range(3):
                    cpu_direct[k] += c1[k] - c0[k]
                    cpu_fs[k] += c2[k] - c1[k]
        finally:
            self.latency(0)
            getter.close()
        d = mbps(BIG_SIZE, statistics.median(direct_t))
        f = mbps(BIG_SIZE, statistics.median(fs_t))
        runs = f"median of {len(fs_t)}" if len(fs_t) > 1 else "one run"
        want = 0.9 if latency_ms == 0 else 1.0
        runs_n = len(fs_t)
        window = f", {TCP_WINDOW // MIB} MiB TCP window" if latency_ms else ""
        row(f"read {BIG_SIZE // MIB} MiB through vod/ vs direct GET, {latency_ms} ms "
            f"latency{window} ({runs})", f">= {want * 100:.0f}%",
            f"{f:.0f} vs {d:.0f} MiB/s: {f / d * 100:.0f}%; CPU s per read (daemon+emulator+"
            f"reader): {sum(cpu_fs) / runs_n:.2f} ({cpu_fs[0] / runs_n:.2f}+"
            f"{cpu_fs[1] / runs_n:.2f}+{cpu_fs[2] / runs_n:.2f}) vs {sum(cpu_direct) / runs_n:.2f};"
            f" cores busy {busy_fs} vs {busy_direct}", f >= want * d)

    def concurrency(self, m: Mount, keys: list[str], crcs: dict[str, int]) -> None:
        def reader(k: str) -> tuple[int, int]:
            return read_file(m.path(CH_BIG, "vod", k.split("/", 1)[1]),
                             page_buffer(MIB), check=True)

        def errors(results: list, ks: list[str]) -> int:
            return sum(1 for r, k in zip(results, ks)
                       if isinstance(r, Exception) or r != (PAR_SIZE, crcs[k]))

        busy_one, busy_par = CoresBusy(), CoresBusy()
        self.latency(LATENCY_MS)
        try:
            with busy_one:
                ones = [run_parallel(lambda i, k=k: reader(k), 1) for k in keys[:SINGLE_RUNS]]
            with busy_par:
                par_t, par = run_parallel(lambda i: reader(keys[SINGLE_RUNS + i]), PAR_READERS)
            # The emulator's own scaling, for context: the same reads as direct GETs.
            getters = [DirectGetter(self.emu) for _ in range(PAR_READERS)]
            dpar_t, dpar = run_parallel(
                lambda i: getters[i].get(keys[SINGLE_RUNS + i], page_buffer(MIB),
                                         check=True), PAR_READERS)
            for g in getters:
                g.close()
        finally:
            self.latency(0)
        one = [r for _, rs in ones for r in rs]
        bad = errors(one, keys[:SINGLE_RUNS]) + errors(par, keys[SINGLE_RUNS:])
        for r in one + par:
            if isinstance(r, Exception):
                print(f"   reader error: {r!r}", flush=True)
        single = mbps(PAR_SIZE, statistics.median(t for t, _ in ones))
        agg = mbps(PAR_SIZE * PAR_READERS, par_t)
        row(f"{PAR_READERS} concurrent readers vs one, {PAR_SIZE // MIB} MiB objects, "
            f"{LATENCY_MS} ms latency", "0 errors, >= 1.5x",
            f"{agg:.0f} vs {single:.0f} MiB/s (one: median of {SINGLE_RUNS}): "
            f"{agg / single:.2f}x, {bad} errors; cores busy {busy_par} vs {busy_one} (every byte "
            f"checked with CRC-32 in the bench)", bad == 0 and agg >= 1.5 * single)
        dbad = errors(dpar, keys[SINGLE_RUNS:])
        row(f"{PAR_READERS} concurrent direct GETs of the same objects", "(context)",
            f"{mbps(PAR_SIZE * PAR_READERS, dpar_t):.0f} MiB/s aggregate"
            + (f", {dbad} errors" if dbad else ""), None)

    # -- a recorded hour --------------------------------------------------------------------

    def record_hour(self) -> list[str]:
        """HOUR_SEGMENTS segments of 5 s in CH_HOUR, as the ingest writes them."""
        names = []
        for i in range(HOUR_SEGMENTS):
            status, seg = self.emu.control("/-/ingest/segment", {
                "channel": CH_HOUR, "duration": 5, "time": HOUR_T0 + 5 * i})
            if status != 200:
                raise RuntimeError(f"ingest/segment: {status} {seg}")
            names.append(seg["key"].split("/", 1)[1])
        return names

    def timed(self, fn: Callable[[], object]) -> tuple[float, dict[str, int]]:
        """Seconds and requests of fn()."""
        self.emu.reset_stats()
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0, self.stats()

    def hour_copy(self, m: Mount, segments: list[str]) -> None:
        vod = m.path(CH_HOUR, "vod")
        check_sh(f"echo '{HOUR_T0} {HOUR_T0 + 3600}' > '{vod}/hour.m3u8'")
        listed = [ln for ln in (vod / "hour.m3u8").read_text().splitlines()
                  if ln and not ln.startswith("#")]
        if len(listed) != len(segments):
            raise RuntimeError(f"hour.m3u8 lists {len(listed)} of {len(segments)} segments")
        out = self.work / "hour-out"
        url = f"http://127.0.0.1:{self.emu.port}/{BUCKET}/{CH_HOUR}/hour.m3u8"
        self.latency(LATENCY_MS)
        try:
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            cp_t, cp_req = self.timed(lambda: check_sh(f"cp '{vod}'/*.ts '{out}/'"))
            copied = len(list(out.glob("*.ts")))
            fm_t, fm_req = self.timed(lambda: ffmpeg_copy(str(vod / "hour.m3u8"),
                                                          self.work / "hour-mount.ts"))
            http = None
            if self.public_read:
                http = self.timed(lambda: ffmpeg_copy(url, self.work / "hour-http.ts"))
        finally:
            self.latency(0)
        if copied != len(segments):
            raise RuntimeError(f"cp copied {copied} of {len(segments)} segments")
        what = f"copy a recorded hour ({len(segments)} segments), {LATENCY_MS} ms latency"
        for label, t, req in (("cp", cp_t, cp_req), ("ffmpeg -c copy", fm_t, fm_req)):
            if http is None:
                row(f"{what}: {label} through vod/ vs ffmpeg over HTTP", "<= 1.0x time",
                    f"{t:.2f} s ({fmt_requests(req)}) vs - : ffmpeg over HTTP needs the "
                    "emulator's --public-read", None)
                continue
            row(f"{what}: {label} through vod/ vs ffmpeg over HTTP", "<= 1.0x time",
                f"{t:.2f} vs {http[0]:.2f} s: {t / http[0]:.2f}x ({fmt_requests(req)} vs "
                f"{fmt_requests(http[1])})", t <= http[0])

    # -- the peers ----------------------------------------------------------------------------

    def peer_figures(self, vod: Path, bigs: list[Path], out: Path) -> dict[str, tuple[float, int]]:
        """Seconds and requests of each peer row for one tool; vod shows CH_HOUR's objects."""
        figures: dict[str, tuple[float, int]] = {}
        segs: list[str] = []
        buf = page_buffer(MIB)

        def note(name: str, fn: Callable[[], object]) -> None:
            t, req = self.timed(fn)
            figures[name] = (t, sum(req.values()))

        def note_median(name: str, paths: list[Path]) -> None:
            """Each path read once: the median time, the requests of one."""
            runs = [self.timed(lambda p=p: read_file(p, buf)) for p in paths]
            figures[name] = (statistics.median(t for t, _ in runs),
                             round(statistics.mean(sum(r.values()) for _, r in runs)))

        def listing() -> None:
            segs[:] = sorted(p.name for p in vod.iterdir() if p.name.endswith(".ts"))
            ls_l(vod)

        note("ls -l of a channel's objects, cold", listing)
        # Again: the median of five, the requests of all of them.
        again = [self.timed(listing) for _ in range(5)]
        figures["ls -l of a channel's objects, again"] = (
            statistics.median(t for t, _ in again), sum(sum(r.values()) for _, r in again))
        # Segments one by one, last first (a forward walk would start osslivefs's
        # read-ahead of the next segments).
        note_median("read one segment",
                    [vod / n for n in segs[::-SEGMENT_STRIDE][:SEGMENT_RUNS]])
        # Different objects: a peer that reads through the page cache must not find one there.
        note_median(f"read the {BIG_SIZE // MIB} MiB object", bigs)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        note("cp of the recorded hour", lambda: check_sh(f"cp '{vod}'/*.ts '{out}/'"))
        return figures

    def peers(self, big_keys: list[str]) -> None:
        """osslivefs and each peer on the same bucket at LATENCY_MS, each on a fresh mount."""
        self.latency(LATENCY_MS)
        try:
            c = self.mount("mnt-c", self.emu.port)
            try:
                ours = self.peer_figures(c.path(CH_HOUR, "vod"),
                                         [c.path(CH_BIG, "vod", k.split("/", 1)[1])
                                          for k in big_keys],
                                         self.work / "peer-out-osslivefs")
            finally:
                self.unmount(c)
            for cls in (S3fs, Rclone):
                self.peer(cls(self.work, self.emu.port, BUCKET, CACHE_TTL), ours, big_keys)
        finally:
            self.latency(0)

    def peer(self, p: PeerMount, ours: dict[str, tuple[float, int]],
             big_keys: list[str]) -> None:
        why = p.unavailable(self.public_read)
        theirs: dict[str, tuple[float, int]] = {}
        if why is None:
            try:
                p.start()
                try:
                    theirs = self.peer_figures(p.channel(CH_HOUR),
                                               [p.mountpoint / k for k in big_keys],
                                               self.work / f"peer-out-{p.name}")
                finally:
                    p.stop()
            except Exception as e:          # a peer that breaks here is a reason, not a crash
                why = f"{p.name} failed: {str(e).splitlines()[0][:160]}"
        for name, (t, req) in ours.items():
            what = f"{name}: osslivefs vs {p.name}, {LATENCY_MS} ms latency"
            if why:
                row(what, "fewer requests, less time", f"{req} requests, {t:.3f} s vs - : {why}",
                    None)
                continue
            pt, preq = theirs[name]
            measured = f"{req} vs {preq} requests, {t:.3f} vs {pt:.3f} s: {t / pt:.2f}x"
            if name.startswith("read the") and req > preq and t <= pt:
                # The reason: bounded memory and parallel ranges, by design.
                row(what, "fewer requests, less time", measured + "; more requests by "
                    "design: 4 MiB ranges, several in flight, 24 MiB per reader at most", None)
                continue
            if t > pt and req <= preq:
                measured += ("; slower with no more requests: osslivefs signs each request, the "
                             "peer reads anonymously (the emulator checks signatures)")
            row(what, "fewer requests, less time", measured, req <= preq and t <= pt)

    # -- the overview -----------------------------------------------------------------------

    def direct_stats(self, names: list[str]) -> float:
        """Seconds for GetLiveChannelStat of every name, signed, 16 connections at once: what
        the emulator itself can serve (its Python is the bound on 2 cores, not the mount)."""
        def work(i: int) -> tuple[int, int]:
            c = fast_client(self.emu)
            for n in names[i::16]:
                if c.request("GET", n, {"live": None, "comp": "stat"}).status != 200:
                    raise RuntimeError(f"GetLiveChannelStat {n}")
            c.close()
            return 0, 0

        took, results = run_parallel(work, 16)
        bad = [r for r in results if isinstance(r, Exception)]
        if bad:
            raise bad[0]
        return took

    def overview(self, m: Mount, names: list[str]) -> None:
        """cat .osslivefs/channels against the shell loop over */status, 2 ms latency."""
        ctl = m.path(".osslivefs", "channels")
        want = {"ListLiveChannel": math.ceil(N_OVERVIEW / 1000),
                "GetLiveChannelStat": N_OVERVIEW}
        self.latency(LATENCY_MS)
        try:
            times, got = [], {}
            for _ in range(OVERVIEW_RUNS):
                self.emu.reset_stats()
                t0 = time.perf_counter()
                r = sh(f"cat '{ctl}'")
                times.append(time.perf_counter() - t0)
                got = self.stats()
                lines = r.stdout.splitlines()
                if r.returncode or len(lines) != N_OVERVIEW + 1 or \
                        any(line.startswith("# stale") for line in lines):
                    raise RuntimeError(f"cat {ctl}: {r.returncode} {r.stderr} {lines[:2]}")
            t0 = time.perf_counter()
            r = sh(f"cd '{m.mountpoint}' && for c in */; do cat $c/status; done | wc -l")
            loop = time.perf_counter() - t0
            if r.stdout.strip() != str(N_OVERVIEW):
                raise RuntimeError(f"shell loop: {r.stdout!r} {r.stderr}")
            direct = self.direct_stats(names)
        finally:
            self.latency(0)
        row(f"cat .osslivefs/channels of {N_OVERVIEW} channels, {LATENCY_MS} ms latency",
            fmt_requests(want), fmt_requests(got), got == want)
        med = statistics.median(times)
        row(f"cat .osslivefs/channels vs `for c in */; do cat $c/status; done`, "
            f"{N_OVERVIEW} channels, {LATENCY_MS} ms latency",
            f">= {OVERVIEW_SPEEDUP}x faster",
            f"{loop / med:.1f}x ({med:.2f} s, median of {OVERVIEW_RUNS}, vs {loop:.2f} s)",
            loop / med >= OVERVIEW_SPEEDUP)
        row(f"the same {N_OVERVIEW} GetLiveChannelStat made directly, 16 connections at once, "
            f"{LATENCY_MS} ms latency", "(context)", f"{direct:.2f} s", None)

    def run_overview(self) -> None:
        step(f"a bucket of {N_OVERVIEW} channels: .osslivefs/channels")
        self.emu.stop()
        self.emu.start(self.work / "emulator-overview", BUCKET, f"{AK}:{SK}")
        names = [f"ov-{i:04d}" for i in range(N_OVERVIEW)]
        put_channels(self.emu, names)
        c = self.mount("mnt-c", self.emu.port)
        self.overview(c, names)
        self.unmount(c)

    # -- the whole run ----------------------------------------------------------------------

    def run(self) -> None:
        step("starting the emulator")
        self.public_read = emulator_has_public_read()
        self.emu.start(self.work / "emulator", BUCKET, f"{AK}:{SK}",
                       extra_args=["--public-read"] if self.public_read else [])
        self.relay = Relay(self.emu.port)
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
        self.channel_requests(a)
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

        step(f"putting {2 * sum(BIG_RUNS)} objects of {BIG_SIZE // MIB} MiB and "
             f"{PAR_READERS + SINGLE_RUNS} of {PAR_SIZE // MIB} MiB")
        # Per latency: as many objects read directly as through the mount.
        big = [[f"{CH_BIG}/big-{ms}-{i}.bin" for i in range(2 * runs)]
               for ms, runs in zip(LATENCIES, BIG_RUNS)]
        for i, k in enumerate(k for keys in big for k in keys):
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
        for ms, keys in zip(LATENCIES, big):
            self.throughput(b, keys, ms)
        self.concurrency(b, par, crcs)

        step(f"a recorded hour: {HOUR_SEGMENTS} segments of 5 s")
        segments = self.record_hour()
        self.hour_copy(b, segments)
        self.unmount(b)

        step("the peers: s3fs and rclone mount on the same bucket")
        self.peers(big[0][:PEER_BIG_RUNS])

        self.run_overview()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--only", choices=["overview"],
                    help="run only these rows (overview: .osslivefs/channels)")
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
        if args.only == "overview":
            bench.run_overview()
        else:
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
