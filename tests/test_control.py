""".osslivefs/: the whole bucket at a glance and the mount's own metrics, as files
(design §1, issue 14).  Real mounts of the emulator; contents, request counts and counters
compared exactly; metrics checked by ``promtool check metrics`` and scraped through
``prometheus-node-exporter``'s textfile collector."""

from __future__ import annotations

import errno
import http.client
import os
import re
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from mountlib import LiveMount, mnt, one_mount, run_osslivefs  # noqa: F401  (fixtures mnt, m)
from test_mount import fast_client, os_errno, put_channel, put_many, requests, sh

pytestmark = pytest.mark.skipif(not os.access("/dev/fuse", os.W_OK),
                                reason="needs /dev/fuse (root)")

CTL = ".osslivefs"
CTL_FILES = ["channels", "metrics.prom", "options", "version"]
HEADER = "#name enabled state remote_addr connected_time video_bandwidth audio_bandwidth"
STALE_LOG = r"^osslivefs: warn: read /\.osslivefs/(channels|metrics\.prom): "


def ctl(mount: LiveMount, name: str) -> Path:
    return mount.path(CTL, name)


def go_live(mount: LiveMount, ch: str, addr: str = "192.0.2.10:51234",
            video_bw: int = 1500000, audio_bw: int = 64000) -> str:
    """Start a simulated ingest; returns ConnectedTime as OSS gives it."""
    status, body = mount.emu.control("/-/ingest/start", {
        "channel": ch, "remote_addr": addr,
        "video": {"width": 1280, "height": 720, "frame_rate": 25,
                  "bandwidth": video_bw, "codec": "H264"},
        "audio": {"bandwidth": audio_bw, "sample_rate": 44100, "codec": "AAC"}})
    assert status == 200, body
    r = mount.emu.client().request("GET", ch, {"live": None, "comp": "stat"})
    return r.xml().findtext("ConnectedTime")


def disable(mount: LiveMount, ch: str) -> None:
    r = fast_client(mount).request("PUT", ch, {"live": None, "status": "disabled"})
    assert r.status == 200, r.body


# ---- parsing the exposition format ---------------------------------------------------------

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(text: str) -> dict[tuple, float]:
    """{(name, ((label, value), ...)): value} of every sample line."""
    out: dict[tuple, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        mm = SAMPLE.match(line)
        assert mm, f"not a sample line: {line!r}"
        labels = tuple(sorted(LABEL.findall(mm[2] or "")))
        out[(mm[1], labels)] = float(mm[3])
    return out


def metric(s: dict[tuple, float], name: str, **labels: str) -> float:
    return s.get((name, tuple(sorted(labels.items()))), 0.0)


def delta(before: dict, after: dict, name: str, **labels: str) -> float:
    return metric(after, name, **labels) - metric(before, name, **labels)


def total_by_op(s: dict[tuple, float]) -> dict[str, float]:
    """osslivefs_requests_total summed over status, by operation."""
    out: dict[str, float] = {}
    for (name, labels), v in s.items():
        if name == "osslivefs_requests_total":
            op = dict(labels)["operation"]
            out[op] = out.get(op, 0) + v
    return out


def read_metrics(mount: LiveMount) -> dict[tuple, float]:
    return samples(ctl(mount, "metrics.prom").read_text())


# ---- the directory --------------------------------------------------------------------------

def test_control_dir_is_listed_by_ls_a_only(m):
    put_channel(m, "ch")
    assert sh(f"ls {m.mountpoint}").stdout.split() == ["ch"]
    assert sh(f"ls -a {m.mountpoint}").stdout.split() == [".", "..", CTL, "ch"]
    assert sorted(os.listdir(m.path(CTL))) == CTL_FILES
    assert stat.S_IMODE(os.stat(m.path(CTL)).st_mode) == 0o555
    for name in CTL_FILES:
        st = os.stat(ctl(m, name))
        assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o444, name


def test_control_files_are_read_only_and_send_nothing(m):
    m.expect_log(r"^osslivefs: warn: (open|create|mkdir|unlink|rmdir|rename) /\.")
    put_channel(m, "ch")
    m.emu.reset_stats()
    assert os_errno(lambda: open(ctl(m, "channels"), "w")) == errno.EACCES
    assert os_errno(lambda: open(ctl(m, "new"), "w")) == errno.EACCES
    assert os_errno(lambda: os.unlink(ctl(m, "version"))) == errno.EPERM
    assert os_errno(lambda: os.mkdir(ctl(m, "d"))) == errno.EACCES
    assert os_errno(lambda: os.rmdir(m.path(CTL))) == errno.EPERM
    assert os_errno(lambda: os.mkdir(m.path(CTL))) == errno.EEXIST
    assert os_errno(lambda: os.rename(ctl(m, "version"), ctl(m, "v"))) == errno.EPERM
    assert requests(m) == {}


def test_dot_names_are_never_channels(m):
    m.expect_log(r"^osslivefs: warn: mkdir /\.cam: Invalid argument \(EINVAL\): "
                 r"names beginning with '\.' are not channels$")
    m.emu.reset_stats()
    assert os_errno(lambda: os.mkdir(m.path(".cam"))) == errno.EINVAL
    assert requests(m) == {}                  # nothing sent
    put_channel(m, ".other")                  # made by another client
    put_channel(m, "ch")
    assert sh(f"ls -a {m.mountpoint}").stdout.split() == [".", "..", CTL, "ch"]
    assert os_errno(lambda: os.stat(m.path(".other"))) == errno.ENOENT
    lines = ctl(m, "channels").read_text().splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["ch"]


# ---- channels -------------------------------------------------------------------------------

def test_channels_table_idle_live_disabled(mnt):
    for ch in ("idle", "cam 1", "off"):
        put_channel(mnt, ch)
    connected = go_live(mnt, "cam 1")
    disable(mnt, "off")
    mnt.emu.reset_stats()
    text = ctl(mnt, "channels").read_text()
    assert text == (f"{HEADER}\n"
                    f"cam\\x201 1 live 192.0.2.10:51234 {connected} 1500000 64000\n"
                    "idle 1 idle - - - -\n"
                    "off 0 disabled - - - -\n")
    # One listing, one stat per enabled channel, nothing for the disabled one.
    assert requests(mnt) == {"ListLiveChannel": 1, "GetLiveChannelStat": 2}
    r = sh(f"awk '!/^#/ && $3 == \"live\" {{print $1, $6}}' {ctl(mnt, 'channels')}")
    assert r.stdout == "cam\\x201 1500000\n"
    r = sh(f"column -t {ctl(mnt, 'channels')} | awk '{{print NF}}' | sort -u")
    assert r.stdout == "7\n"


def test_channels_follow_the_bucket_at_every_open(m):
    put_channel(m, "a")
    assert ctl(m, "channels").read_text() == f"{HEADER}\na 1 idle - - - -\n"
    put_channel(m, "b")                       # behind the mount's back
    go_live(m, "a", addr="10.0.0.1:1", video_bw=10, audio_bw=20)
    lines = ctl(m, "channels").read_text().splitlines()
    assert lines[1].split()[:4] == ["a", "1", "live", "10.0.0.1:1"]
    assert lines[1].split()[5:] == ["10", "20"]
    assert lines[2] == "b 1 idle - - - -"


def test_channels_of_2500_cost_3_listings_and_one_stat_per_enabled_channel(m):
    names = put_many(m, 2500)
    for n in names[::100]:
        disable(m, n)
    m.emu.reset_stats()
    t0 = time.monotonic()
    lines = ctl(m, "channels").read_text().splitlines()
    took = time.monotonic() - t0
    assert requests(m) == {"ListLiveChannel": 3, "GetLiveChannelStat": 2475}
    assert len(lines) == 2501
    assert [line.split()[0] for line in lines[1:]] == names
    assert sum(1 for line in lines if line.endswith(" 0 disabled - - - -")) == 25
    print(f"2500 channels: {took:.2f} s")


# ---- metrics.prom ---------------------------------------------------------------------------

def test_metrics_pass_promtool_and_show_channels(mnt):
    for ch in ("idle", 'q"uote\\d', "off"):
        put_channel(mnt, ch)
    go_live(mnt, 'q"uote\\d', video_bw=1500000, audio_bw=64000)
    disable(mnt, "off")
    text = ctl(mnt, "metrics.prom").read_text()
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", ""), text
    s = samples(text)
    assert metric(s, "osslivefs_up") == 1
    assert metric(s, "osslivefs_channels") == 3
    q = 'q\\"uote\\\\d'                      # the label value, escaped as the format says
    assert f'osslivefs_channel_live{{channel="{q}"}} 1' in text.splitlines()
    assert metric(s, "osslivefs_channel_live", channel="idle") == 0
    assert metric(s, "osslivefs_channel_enabled", channel="off") == 0
    assert metric(s, "osslivefs_channel_enabled", channel="idle") == 1
    assert f'osslivefs_channel_video_bandwidth{{channel="{q}"}} 1500000' in text
    assert f'osslivefs_channel_audio_bandwidth{{channel="{q}"}} 64000' in text
    since = [v for (name, _), v in s.items() if name == "osslivefs_channel_live_since_seconds"]
    assert len(since) == 1 and abs(since[0] - time.time()) < 60
    assert metric(s, "osslivefs_requests_total", operation="ListLiveChannel",
                  status="200") >= 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port: int, proc: subprocess.Popen, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/metrics")
            body = conn.getresponse().read().decode()
            conn.close()
            return body
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_node_exporter_textfile_collector_exports_the_file(m, tmp_path):
    put_channel(m, "cam")
    go_live(m, "cam")
    port = free_port()
    log = open(tmp_path / "node-exporter.log", "wb")
    proc = subprocess.Popen(["prometheus-node-exporter", "--collector.disable-defaults",
                             "--collector.textfile",
                             f"--collector.textfile.directory={m.path(CTL)}",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        body = scrape(port, proc)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)
        log.close()
    lines = body.splitlines()
    assert "node_textfile_scrape_error 0" in lines, body
    assert 'osslivefs_channel_live{channel="cam"} 1' in lines
    assert "osslivefs_up 1" in lines
    assert any(line.startswith('osslivefs_requests_total{operation="GetLiveChannelStat",'
                               'status="200"} ') for line in lines)


def test_counters_move_by_exactly_what_was_done(m):
    put_channel(m, "ch")
    disable(m, "ch")          # the gathering of a disabled channel makes no stat request
    os.listdir(m.path("ch"))
    before = read_metrics(m)
    emu_before = m.emu.stats()
    for _ in range(3):
        assert sh(f"cat {m.path('ch', 'status')}").stdout == "status disabled\n"
    after = read_metrics(m)
    emu_after = m.emu.stats()
    assert delta(before, after, "osslivefs_requests_total", operation="GetLiveChannelStat",
                 status="200") == 3
    # Every request the emulator saw is counted once, by the same operation name.
    moved = {op: v - total_by_op(before).get(op, 0) for op, v in total_by_op(after).items()}
    seen = {op: n - emu_before.get(op, 0) for op, n in emu_after.items()}
    assert {k: v for k, v in moved.items() if v} == {k: v for k, v in seen.items() if v}
    # The histogram counts the same requests.
    assert delta(before, after, "osslivefs_request_duration_seconds_count") == \
        sum(moved.values())
    assert delta(before, after, "osslivefs_request_duration_seconds_bucket", le="+Inf") == \
        sum(moved.values())
    assert delta(before, after, "osslivefs_retries_total", operation="GetLiveChannelStat") == 0


def test_retries_and_failures_are_counted(m):
    m.expect_log(r"^osslivefs: warn: open /ch/status: Input/output error \(EIO\): OSS 500 ")
    put_channel(m, "ch")
    disable(m, "ch")
    os.listdir(m.path("ch"))
    before = read_metrics(m)
    m.emu.control("/-/faults", {"count": 2, "operation": "GetLiveChannelStat",
                                 "status": 503})
    assert m.path("ch", "status").read_text() == "status disabled\n"
    mid = read_metrics(m)
    assert delta(before, mid, "osslivefs_retries_total", operation="GetLiveChannelStat") == 2
    assert delta(before, mid, "osslivefs_requests_total", operation="GetLiveChannelStat",
                 status="503") == 2
    assert delta(before, mid, "osslivefs_requests_total", operation="GetLiveChannelStat",
                 status="200") == 1
    assert delta(before, mid, "osslivefs_failures_total", errno="EIO") == 0
    m.emu.control("/-/faults", {"count": 4, "operation": "GetLiveChannelStat",
                                 "status": 500})
    assert os_errno(lambda: m.path("ch", "status").read_text()) == errno.EIO
    after = read_metrics(m)
    assert delta(mid, after, "osslivefs_requests_total", operation="GetLiveChannelStat",
                 status="500") == 4
    assert delta(mid, after, "osslivefs_retries_total", operation="GetLiveChannelStat") == 3
    assert delta(mid, after, "osslivefs_failures_total", errno="EIO") == 1


def test_vod_bytes_cache_and_open_files(m):
    put_channel(m, "ch")
    status, seg = m.emu.control("/-/ingest/segment", {"channel": "ch"})
    assert status == 200, seg
    name = seg["key"].split("/", 1)[1]
    os.listdir(m.path("ch", "vod"))
    before = read_metrics(m)
    data = m.path("ch", "vod", name).read_bytes()
    with open(m.path("ch", "play_url")):
        held = read_metrics(m)
    # close(2) does not wait for FUSE's RELEASE: give it a moment.
    deadline = time.monotonic() + 2
    while metric(after := read_metrics(m), "osslivefs_open_files") != 1 and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(data) > 0
    assert delta(before, after, "osslivefs_vod_read_bytes_total") == len(data)
    # metrics.prom itself is open while it is read.
    assert metric(after, "osslivefs_open_files") == 1
    assert metric(held, "osslivefs_open_files") == 2
    assert delta(before, after, "osslivefs_cache_hits_total", cache="vod") >= 1
    hits = metric(after, "osslivefs_cache_hits_total", cache="channels")
    misses = metric(after, "osslivefs_cache_misses_total", cache="channels")
    assert hits >= 1 and misses >= 1


def test_scratch_memory_is_a_gauge(m):
    put_channel(m, "ch")
    assert metric(read_metrics(m), "osslivefs_scratch_bytes") == 0
    m.path("ch", "notes.txt").write_bytes(b"x" * 5000)      # a scratch file, in memory
    held = metric(read_metrics(m), "osslivefs_scratch_bytes")
    assert 5000 <= held <= 2 * 5000 + 256                    # its buffer, grown by doubling
    os.unlink(m.path("ch", "notes.txt"))
    assert metric(read_metrics(m), "osslivefs_scratch_bytes") == 0


# ---- failures -------------------------------------------------------------------------------

def test_reads_while_oss_fails_are_stale_not_errors(m):
    m.expect_log(STALE_LOG + r"Input/output error \(EIO\): ListLiveChannel failed: OSS 503 ")
    put_channel(m, "a")
    good = ctl(m, "channels").read_text()
    m.emu.control("/-/faults", {"count": 1000, "operation": "ListLiveChannel",
                                 "status": 503})
    t0 = time.monotonic()
    text = ctl(m, "channels").read_text()
    assert time.monotonic() - t0 < 5
    lines = text.splitlines()
    assert re.fullmatch(r"# stale: ListLiveChannel failed \(EIO, OSS 503 \S+\); channels as "
                        r"of \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lines[0]), lines[0]
    assert "\n".join(lines[1:]) + "\n" == good
    prom = ctl(m, "metrics.prom").read_text()
    s = samples(prom)
    assert metric(s, "osslivefs_up") == 0
    assert any(line.startswith("# stale: ") for line in prom.splitlines())
    assert metric(s, "osslivefs_channel_enabled", channel="a") == 1
    assert metric(s, "osslivefs_requests_total", operation="ListLiveChannel",
                  status="503") == 8                # two reads of 1 + retries=3
    r = subprocess.run(["promtool", "check", "metrics"], input=prom, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout
    m.emu.control("/-/faults/clear", {})
    s = read_metrics(m)
    assert metric(s, "osslivefs_up") == 1


def test_reading_never_waits_longer_than_the_request_timeouts(emulator, tmp_path):
    mount = LiveMount(emulator, tmp_path, extra=["timeout=1", "retries=0"])
    mount.expect_log(STALE_LOG + r"Input/output error \(EIO\): GetLiveChannelStat failed: "
                     r"OSS 0 RequestTimeout ")
    mount.start()
    try:
        for i in range(40):
            put_channel(mount, f"ch{i:02d}")
        emulator.control("/-/faults", {"count": 1000, "operation": "GetLiveChannelStat",
                                        "delay": 3})
        t0 = time.monotonic()
        text = ctl(mount, "channels").read_text()
        took = time.monotonic() - t0
        emulator.control("/-/faults/clear", {})
    finally:
        mount.stop()
    assert took < 2.5, took              # not 40 / 16 rounds of time-outs
    lines = text.splitlines()
    assert lines[0].startswith("# stale: GetLiveChannelStat failed")
    assert lines[1] == HEADER
    assert all(line.split()[2] == "-" for line in lines[2:]), text   # state unknown
    assert len(lines) == 42
    assert mount.unexpected_log() == []


# ---- version and options --------------------------------------------------------------------

def test_version_is_the_version_output(m):
    r = run_osslivefs(["--version"])
    assert ctl(m, "version").read_text() == r.stdout


def test_options_are_the_effective_ones_without_secrets(emulator, tmp_path):
    mount = LiveMount(emulator, tmp_path, "v4-sts", extra=["cache_ttl=7", "retries=2"])
    mount.start()
    try:
        text = ctl(mount, "options").read_text()
    finally:
        mount.stop()
    lines = text.splitlines()
    assert f"url=http://localhost:{emulator.port}" in lines
    assert "region=cn-hangzhou" in lines
    assert "cache_ttl=7" in lines and "retries=2" in lines
    assert "timeout=30" in lines and "connect_timeout=10" in lines
    assert "publish_url_expires=3600" in lines and "playlist_name=playlist.m3u8" in lines
    assert "credentials=environment" in lines
    assert all(re.fullmatch(r"[a-z0-9_]+=.*", line) for line in lines), text
    for secret in ("STSSECRET", "STSTOKEN", "SECRET"):
        assert secret not in text
    assert mount.unexpected_log() == []
