"""Reading vod/ objects: several ranges in flight for a forward reader, one GET for a segment,
exact bytes whatever the seeks, a failed read-ahead not fetched twice, bounded memory that an
idle mount gives back (issue 13; README "Reading recordings").

The mounts here talk to the emulator through tests/relay.py, which sees every request: its
Range, and how many wait for an answer at once."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import threading
import time

import pytest

from mountlib import LiveMount
from relay import Relay
from test_mount import fast_client, os_errno, put_channel

pytestmark = pytest.mark.skipif(not os.access("/dev/fuse", os.W_OK),
                                reason="needs /dev/fuse (root)")

MIB = 1 << 20
READER_SLOTS = 6            # ranges per open file (README)
RANGE_AHEAD = 4 * MIB       # the size of each read-ahead range (README)


@pytest.fixture
def relay(emulator):
    r = Relay(emulator.port)
    yield r
    r.close()


def relayed_mount(emulator, tmp_path, relay: Relay, extra: list[str] | None = None) -> LiveMount:
    m = LiveMount(emulator, tmp_path, "v4-path", extra)
    m.url = f"http://127.0.0.1:{relay.port}"
    return m


@pytest.fixture
def rmnt(emulator, tmp_path, relay):
    m = relayed_mount(emulator, tmp_path, relay)
    m.start()
    put_channel(m, "ch")
    yield m
    m.stop()
    unexpected = m.unexpected_log()
    assert not unexpected, "unexpected daemon stderr:\n" + "\n".join(unexpected)


def put(m: LiveMount, key: str, data: bytes) -> None:
    assert fast_client(m).request("PUT", key, body=data).status == 200


def gets(relay: Relay, name: str) -> list[tuple[int, int]]:
    return [(a, b) for meth, path, a, b in relay.requests()
            if meth == "GET" and path.endswith("/" + name)]


def proc_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def test_segment_of_a_few_mib_is_one_get(rmnt, relay):
    data = os.urandom(3 * MIB + 4321)
    put(rmnt, "ch/seg.ts", data)
    os.listdir(rmnt.path("ch", "vod"))            # the listing, with the size, is cached
    relay.requests()
    rmnt.emu.reset_stats()
    assert rmnt.path("ch", "vod", "seg.ts").read_bytes() == data
    assert {k: v for k, v in rmnt.emu.stats().items() if v} == {"GetObject": 1}
    # One byte past the listed size: the short answer shows the end.
    assert gets(relay, "seg.ts") == [(0, len(data))]


def test_forward_read_keeps_several_ranges_in_flight(rmnt, relay):
    data = os.urandom(40 * MIB + 17)
    put(rmnt, "ch/big.bin", data)
    os.listdir(rmnt.path("ch", "vod"))
    relay.requests()
    relay.reset_inflight()
    # With 100 ms before every answer, ranges fetched one after the other never overlap.
    rmnt.emu.control("/-/latency", {"ms": 100})
    try:
        got = rmnt.path("ch", "vod", "big.bin").read_bytes()
    finally:
        rmnt.emu.control("/-/latency", {"ms": 0})
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    ranges = gets(relay, "big.bin")
    # Every byte asked for once, in ranges of at most 4 MiB, the last one past the end.
    covered = sorted(ranges)
    assert covered[0][0] == 0 and covered[-1][1] == len(data)
    assert all(b + 1 == c for (_, b), (c, _) in zip(covered, covered[1:]))
    assert all(b - a + 1 <= RANGE_AHEAD for a, b in covered)
    assert 3 <= relay.max_inflight <= READER_SLOTS


def test_reads_with_seeks_are_byte_exact(rmnt, relay):
    data = os.urandom(11 * MIB + 333)
    put(rmnt, "ch/seek.bin", data)
    rnd = random.Random(13)
    path = rmnt.path("ch", "vod", "seek.bin")
    fd = os.open(path, os.O_RDONLY)
    errors: list[str] = []

    def reader(seed: int) -> None:
        r = random.Random(seed)
        for _ in range(60):
            off = r.randrange(0, len(data) + 1000)
            size = r.choice([1, 4096, 131072, 700000, 2 * MIB])
            if os.pread(fd, size, off) != data[off:off + size]:
                errors.append(f"pread({size}, {off})")

    try:
        # Forward, then seeks back and forth on the same descriptor, then four threads at once.
        pos = 0
        while pos < len(data):
            size = rnd.choice([65536, 131072, MIB])
            assert os.pread(fd, size, pos) == data[pos:pos + size]
            pos += size
            if rnd.random() < 0.2:
                pos = rnd.randrange(0, len(data))
        threads = [threading.Thread(target=reader, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert os.pread(fd, 100, len(data)) == b""
        assert os.pread(fd, 100, len(data) - 10) == data[-10:]
        # Reads of one descriptor at far-apart offsets wait for their ranges side by side: no
        # lock is held across a request.
        rmnt.emu.control("/-/latency", {"ms": 200})
        relay.reset_inflight()
        try:
            offsets = [i * 2 * MIB + 12345 for i in range(4)]
            threads = [threading.Thread(target=lambda o=o: errors.extend(
                [f"pread at {o}"] if os.pread(fd, 4096, o) != data[o:o + 4096] else []))
                for o in offsets]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            rmnt.emu.control("/-/latency", {"ms": 0})
        assert relay.max_inflight >= 2
    finally:
        os.close(fd)
    assert not errors


def test_failed_read_ahead_is_not_fetched_again(emulator, tmp_path, relay):
    m = relayed_mount(emulator, tmp_path, relay, ["retries=0"])
    m.expect_log(r"read /ch/vod/fail\.bin: Input/output error \(EIO\): OSS 503 ServiceUnavailable")
    m.start()
    try:
        put_channel(m, "ch")
        data = os.urandom(12 * MIB)
        put(m, "ch/fail.bin", data)
        os.listdir(m.path("ch", "vod"))
        relay.fail_ranges = {MIB}               # the first read-ahead range breaks
        relay.requests()
        fd = os.open(m.path("ch", "vod", "fail.bin"), os.O_RDONLY)
        try:
            assert os.pread(fd, MIB, 0) == data[:MIB]
            time.sleep(0.5)                     # the read-ahead has failed by now
            assert os_errno(lambda: os.pread(fd, 65536, MIB)) == 5
            # The read that needed the failed range got its error: no second request for it.
            assert [a for a, _ in gets(relay, "fail.bin")].count(MIB) == 1
            # The next read fetches afresh.
            assert os.pread(fd, MIB, MIB) == data[MIB:2 * MIB]
            assert MIB in [a for a, _ in gets(relay, "fail.bin")]
        finally:
            os.close(fd)
    finally:
        m.stop()
    assert not m.unexpected_log(), m.log()


def test_read_ahead_memory_is_bounded_and_given_back(rmnt, relay):
    data = os.urandom(48 * MIB)
    put(rmnt, "ch/mem.bin", data)
    os.listdir(rmnt.path("ch", "vod"))
    pid = rmnt.proc.pid
    # Under AddressSanitizer (make test SANITIZE=1) RSS says more about ASan than about us.
    with open(f"/proc/{pid}/maps", encoding="ascii", errors="replace") as f:
        measure = "libasan" not in f.read()
    base_rss = proc_kib(pid, "RssAnon")
    relay.reset_inflight()
    with open(rmnt.path("ch", "vod", "mem.bin"), "rb", buffering=0) as f:
        assert f.read(8 * MIB) == data[:8 * MIB]
        time.sleep(0.5)                     # the window is full and waits for the reader
        held = proc_kib(pid, "RssAnon") - base_rss
        if measure:
            assert held > 4 * 1024              # read-ahead buffers are in use...
            # ...within the bound: the ranges, and curl's 512 KiB receive buffer per request
            assert held <= READER_SLOTS * RANGE_AHEAD // 1024 + 8 * 1024
        assert f.read() == data[8 * MIB:]
    assert relay.max_inflight <= READER_SLOTS
    # Closed: the buffers go back to the mount's pool for the next reader; when its fetch
    # workers have had nothing to do for 5 s they end and the pool unmaps the buffers.
    # What stays is libfuse's: a 1 MiB receive buffer per FUSE thread it keeps, and malloc's
    # cache of FUSE reply buffers.
    assert fetch_workers(pid) > 0
    deadline = time.monotonic() + 15
    while (fetch_workers(pid) or measure and proc_kib(pid, "RssAnon") - base_rss >= 8 * 1024) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert fetch_workers(pid) == 0
    assert not measure or proc_kib(pid, "RssAnon") - base_rss < 8 * 1024


def fetch_workers(pid: int) -> int:
    """The daemon's threads named vod-fetch (the read-ahead workers)."""
    n = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/comm", encoding="ascii") as f:
                n += f.read().strip() == "vod-fetch"
        except (FileNotFoundError, ProcessLookupError):
            pass            # the thread ended while we looked (ENOENT or ESRCH)
    return n


def test_segments_read_in_order_are_fetched_before_they_are_opened(rmnt, relay):
    """cp of a channel's segments, ffmpeg playing a VOD playlist: once one segment was read
    whole and the next one opened, the ones after it are already on their way; still one GET
    per segment."""
    names = []
    for i in range(8):
        status, body = rmnt.emu.control("/-/ingest/segment", {
            "channel": "ch", "duration": 5, "time": 1795420800 + 5 * i})
        assert status == 200, body
        names.append(body["key"].split("/", 1)[1])
    vod = rmnt.path("ch", "vod")
    os.listdir(vod)
    relay.requests()
    rmnt.emu.control("/-/latency", {"ms": 200})
    relay.reset_inflight()
    try:
        got = [(vod / n).read_bytes() for n in names]
    finally:
        rmnt.emu.control("/-/latency", {"ms": 0})
    c = rmnt.emu.client()
    assert got == [c.request("GET", f"ch/{n}").body for n in names]
    assert sorted(p.rsplit("/", 1)[1] for m, p, _, _ in relay.requests() if m == "GET") == names
    assert relay.max_inflight >= 2


def test_object_written_again_while_read_is_eio_never_a_mix(rmnt, relay):
    """A reader gets the bytes of one version of an object or an error: a range answered from a
    newer version (another ETag) fails with EIO and one log line; opening it again reads the
    new version."""
    rmnt.expect_log(r"^osslivefs: warn: read /ch/vod/big\.bin: Input/output error \(EIO\): "
                    r"the object was written again while it was read")
    old, new = os.urandom(24 * MIB), os.urandom(24 * MIB)
    put(rmnt, "ch/big.bin", old)
    os.listdir(rmnt.path("ch", "vod"))
    got = bytearray()
    with open(rmnt.path("ch", "vod", "big.bin"), "rb", buffering=0) as f:
        got += f.read(MIB)                  # and one range ahead, [1, 5) MiB, is fetched
        time.sleep(0.5)
        put(rmnt, "ch/big.bin", new)
        with pytest.raises(OSError) as e:
            while chunk := f.read(MIB):
                got += chunk
    assert e.value.errno == errno.EIO
    assert len(got) >= MIB and bytes(got) == old[:len(got)]
    assert rmnt.path("ch", "vod", "big.bin").read_bytes() == new


def test_object_fetched_ahead_then_written_again_is_read_afresh(rmnt, relay):
    """Segments read in order are fetched ahead of their open; one written again since (a new
    Last-Modified, the same size) is fetched afresh by its open once the listing shows it."""
    vod = rmnt.path("ch", "vod")
    for i in range(4):
        put(rmnt, f"ch/s{i}.ts", b"old %d\n" % i)
    os.listdir(vod)
    relay.requests()
    assert (vod / "s0.ts").read_bytes() == b"old 0\n"
    assert (vod / "s1.ts").read_bytes() == b"old 1\n"      # s2 and s3 are fetched ahead
    seen: list[str] = []
    deadline = time.monotonic() + 5
    while "s3.ts" not in seen and time.monotonic() < deadline:
        seen += [p.rsplit("/", 1)[1] for m, p, _, _ in relay.requests() if m == "GET"]
        time.sleep(0.05)
    assert "s2.ts" in seen and "s3.ts" in seen
    time.sleep(1.1)                         # Last-Modified has whole seconds
    put(rmnt, "ch/s2.ts", b"new 2\n")
    time.sleep(2.2)                         # cache_ttl=2: the open looks the listing up again
    relay.requests()
    assert (vod / "s2.ts").read_bytes() == b"new 2\n"
    assert len(gets(relay, "s2.ts")) == 1
    assert (vod / "s3.ts").read_bytes() == b"old 3\n"       # unchanged: no request
    assert gets(relay, "s3.ts") == []
