"""Real RTMP ingest (issue 11): ffmpeg publishes to `cat ch/publish_url` of a mount on the
emulator started with --rtmp (a private nginx with the RTMP module), and the mount shows it.

Each test publishes a few seconds of ffmpeg's lavfi test pattern and tone, with a key frame
every FragDuration seconds (-g = fps x FragDuration).  Run once (V4, virtual-hosted): the
signing variants are covered by test_mount.py.  The measured figures (time from publish to
`status live`, segment durations) are printed: `pytest -s tests/test_rtmp.py`.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

import pytest

from conftest import EMU_BUCKET, EMU_CREDENTIALS
from harness import Emulator, rtmp_url
from mountlib import LiveMount
from test_mount import os_errno, sh

NGINX_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
FPS = 25
FRAG = 2                     # FragDuration of the channels made here (mount option)

pytestmark = [
    pytest.mark.skipif(not os.access("/dev/fuse", os.W_OK), reason="needs /dev/fuse (root)"),
    pytest.mark.skipif(shutil.which("nginx") is None and not os.path.exists("/usr/sbin/nginx")
                       or not os.path.exists(NGINX_MODULE),
                       reason="needs nginx with the RTMP module (nginx-light, "
                              "libnginx-mod-rtmp)"),
]


@pytest.fixture
def live(tmp_path):
    """A mount (frag_duration=2) on an emulator with --rtmp; afterwards nothing of either
    is left running."""
    data = tmp_path / "emulator"
    emu = Emulator().start(data, EMU_BUCKET, EMU_CREDENTIALS, extra_args=["--rtmp"])
    m = LiveMount(emu, tmp_path, "v4-vhost", extra=[f"frag_duration={FRAG}"])
    nginx = nginx_pids(data)
    assert nginx, "no nginx under %s" % data
    try:
        m.start()
        yield m
    finally:
        m.stop()
        assert emu.stop() == 0, emu.log()
    left = [pid for pid in nginx if os.path.exists(f"/proc/{pid}")]
    assert not left and not processes_under(data), "left running: %s" % left
    unexpected = m.unexpected_log()
    assert not unexpected, "unexpected daemon stderr:\n" + "\n".join(unexpected)


def processes_under(path: Path) -> list[str]:
    """Command lines that name path (nginx -p PATH/.rtmp/ ...)."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path("/proc", pid, "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(path) in cmd:
            out.append(f"{pid}: {cmd}")
    return out


def nginx_pids(data: Path) -> list[str]:
    """The emulator's nginx: its master (named by its prefix) and the master's children."""
    masters = [line.split(":", 1)[0] for line in processes_under(data)
               if "nginx" in line]
    pids = list(masters)
    for pid in masters:
        try:
            pids += Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            pass
    return pids


def publish(url: str, seconds: float, size: str = "320x240") -> subprocess.Popen:
    """ffmpeg pushing a test pattern and a tone, in real time."""
    return subprocess.Popen(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
         "-f", "lavfi", "-i", f"testsrc=size={size}:rate={FPS}",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", str(seconds),
         "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
         "-g", str(FPS * FRAG), "-c:a", "aac", "-f", "flv", url],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def refused(url: str) -> subprocess.CompletedProcess[bytes]:
    """A 5 s publish that must be refused: ffmpeg ends at once, non-zero."""
    p = publish(url, 5)
    try:
        _, err = p.communicate(timeout=4)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise AssertionError("ffmpeg was not refused: %s" % url)
    return subprocess.CompletedProcess(p.args, p.returncode, b"", err)


def wait_for(what: Callable[[], Optional[object]], timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(step)


def status(m: LiveMount, ch: str = "ch") -> dict[str, str]:
    return dict(line.split(" ", 1) for line in
                m.path(ch, "status").read_text().splitlines())


def publish_url(m: LiveMount, ch: str = "ch") -> str:
    return m.path(ch, "publish_url").read_text().strip()


def iso(s: str) -> float:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def duration_of(path: Path) -> float:
    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                        "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    return float(r.stdout.strip())


def recorded(m: LiveMount, since: int, ch: str = "ch") -> float:
    """Seconds of segments stored since then (GetVodPlaylist, not through the mount)."""
    r = m.emu.client().request("GET", ch, {"vod": None, "startTime": str(since),
                                           "endTime": str(int(time.time()) + 1)})
    return sum(float(x) for x in re.findall(rb"#EXTINF:([0-9.]+),", r.body))


def test_status_live_with_the_published_figures_then_history(live):
    os.mkdir(live.path("ch"))
    url = publish_url(live)
    assert url.startswith("rtmp://127.0.0.1:%d/live/ch?" % int(
        live.emu.rtmp_url.rsplit(":", 1)[1].split("/")[0]))
    t0 = time.time()
    p = publish(url, 6, "320x240")
    wait_for(lambda: status(live)["status"] == "live", 5, 0.02)
    to_live = time.time() - t0
    s = wait_for(lambda: (lambda s: s if "video_width" in s else None)(status(live)), 5)
    to_figures = time.time() - t0
    print("\nmeasured: publish -> status live %.2f s, -> video figures %.2f s"
          % (to_live, to_figures))
    assert s["video_width"] == "320" and s["video_height"] == "240"
    assert s["video_codec"] == "H264" and s["audio_codec"] == "AAC"
    assert s["video_frame_rate"] == str(FPS) and s["audio_sample_rate"] == "44100"
    assert re.fullmatch(r"127\.0\.0\.1:[1-9][0-9]*", s["remote_addr"]), s
    assert abs(iso(s["connected_time"]) - t0) < 2
    assert p.wait(20) == 0, p.stderr.read() if p.stderr else ""
    t1 = time.time()
    wait_for(lambda: status(live) == {"status": "idle"}, 5)
    (line,) = live.path("ch", "history").read_text().splitlines()
    start, end, addr = line.split()
    assert addr == s["remote_addr"]
    assert abs(iso(start) - iso(s["connected_time"])) < 0.01
    assert t1 - 2 < iso(end) <= t1 + 1 and 5 < iso(end) - iso(start) < 8


def test_segments_in_vod_and_a_vod_playlist_that_plays(live):
    pushed = 8
    os.mkdir(live.path("ch"))
    t0 = int(time.time())
    p = publish(publish_url(live), pushed)
    assert p.wait(20) == 0, p.stderr.read() if p.stderr else ""
    vod = live.path("ch", "vod")
    # The last piece is stored about 1 s after the publisher has left.
    wait_for(lambda: recorded(live, t0 - 1) >= pushed - 0.5, 5)
    names = sorted(n for n in os.listdir(vod) if n.endswith(".ts"))
    durations = [duration_of(vod / n) for n in names]
    print("\nmeasured: %d segments, durations %s, sum %.3f s for %d s pushed"
          % (len(names), " ".join("%.3f" % d for d in durations), sum(durations), pushed))
    assert all(re.fullmatch(r"\d{13}\.ts", n) for n in names)
    assert abs(sum(durations) - pushed) <= FRAG
    assert all(d <= FRAG + 0.5 for d in durations)
    live_playlist = (vod / "playlist.m3u8").read_text()
    assert [ln for ln in live_playlist.splitlines() if ln.endswith(".ts")] == names[-3:]
    r = sh(f"echo '{t0 - 1} now' > {vod}/rec.m3u8")
    assert r.returncode == 0, r.stderr
    text = (vod / "rec.m3u8").read_text()
    extinf = [float(x) for x in re.findall(r"#EXTINF:([0-9.]+),", text)]
    assert len(extinf) == len(names)
    assert [round(x, 1) for x in extinf] == [round(d, 1) for d in durations]
    played = duration_of(vod / "rec.m3u8")
    print("measured: EXTINF %s; VOD playlist over the ingest window: ffprobe %.3f s"
          % (" ".join("%.3f" % x for x in extinf), played))
    assert abs(played - pushed) <= FRAG


def test_publishers_that_oss_would_refuse(live):
    os.mkdir(live.path("ch"))
    url = publish_url(live)
    sig = re.search(r"Signature=([^&]+)", url).group(1)
    assert refused(url.replace(sig, "A" + sig[1:] if sig[0] != "A" else "B" + sig[1:]))\
        .returncode != 0
    base = live.emu.rtmp_url.split("//", 1)[1].rsplit("/", 1)[0]     # 127.0.0.1:PORT
    expired = rtmp_url(base, "AKID", "SECRET", EMU_BUCKET, "ch", int(time.time()) - 5)
    assert refused(expired).returncode != 0
    assert sh(f"echo 0 > {live.path('ch', 'enabled')}").returncode == 0
    assert refused(publish_url(live)).returncode != 0
    assert live.path("ch", "history").read_text() == ""
    assert status(live) == {"status": "disabled"}


def test_second_publisher_rmdir_busy_and_disable_cuts_the_stream(live):
    live.expect_log(r"^osslivefs: warn: rmdir /ch: Device or resource busy \(EBUSY\): "
                    r"OSS 409 ChannelStillLive")
    os.mkdir(live.path("ch"))
    first = publish(publish_url(live), 20)
    try:
        wait_for(lambda: status(live)["status"] == "live", 5)
        assert refused(publish_url(live)).returncode != 0
        assert status(live)["status"] == "live" and first.poll() is None
        assert os_errno(lambda: os.rmdir(live.path("ch"))) == errno.EBUSY
        t0 = time.time()
        assert sh(f"echo 0 > {live.path('ch', 'enabled')}").returncode == 0
        rc = first.wait(10)
        print("\nmeasured: disable -> publisher cut %.2f s" % (time.time() - t0))
        assert rc != 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert status(live) == {"status": "disabled"}
    assert len(live.path("ch", "history").read_text().splitlines()) == 1
