"""vod/: the channel's objects, and VOD playlists from a time range written
into a file (design §1, issue "vod/")."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import time

import pytest

from mountlib import mnt  # noqa: F401  (fixture)
from test_mount import fast_client, os_errno, put_channel, requests, sh

pytestmark = pytest.mark.skipif(not os.access("/dev/fuse", os.W_OK),
                                reason="needs /dev/fuse (root)")

T0 = 1795420800          # 2026-11-23T08:00:00Z


def ingest(m, ch: str, times: list[int], duration: float = 2.0) -> list[str]:
    """Segments at these start times; returns their object names."""
    names = []
    for t in times:
        status, body = m.emu.control("/-/ingest/segment", {"channel": ch, "time": t,
                                                            "duration": duration})
        assert status == 200, body
        names.append(body["key"].split("/", 1)[1])
    return names


def get_object(m, key: str) -> bytes:
    r = m.emu.client().request("GET", key)
    assert r.status == 200, r.body
    return r.body


def playlist_segments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.fixture
def ch(mnt):
    put_channel(mnt, "ch")
    return mnt.path("ch", "vod")


def test_ls_vod_lists_objects_with_sizes_in_one_request(mnt, ch):
    names = ingest(mnt, "ch", [T0, T0 + 10, T0 + 20])
    os.listdir(mnt.path("ch"))           # the channel listing is cached now
    mnt.emu.reset_stats()
    listing = {e.name: e.stat().st_size for e in os.scandir(ch)}
    assert requests(mnt) == {"ListObjects": 1}
    expected = {n: len(get_object(mnt, f"ch/{n}")) for n in names + ["playlist.m3u8"]}
    assert listing == expected
    r = sh(f"ls -l {ch}")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 5   # "total" + 4


def test_cat_segment_is_the_object_in_one_request(mnt, ch):
    (name,) = ingest(mnt, "ch", [T0])
    os.listdir(ch)
    mnt.emu.reset_stats()
    r = subprocess.run(["cat", str(ch / name)], capture_output=True, check=True)
    assert requests(mnt) == {"GetObject": 1}
    assert hashlib.sha256(r.stdout).hexdigest() == \
        hashlib.sha256(get_object(mnt, f"ch/{name}")).hexdigest()


def test_large_object_reads_in_few_ranged_requests(mnt, ch):
    data = os.urandom(5 * 1024 * 1024 + 123)
    assert fast_client(mnt).request("PUT", "ch/big.bin", body=data).status == 200
    os.listdir(ch)
    mnt.emu.reset_stats()
    got = (ch / "big.bin").read_bytes()
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    # Ranged GETs of at least 1 MiB, growing while sequential: 1+2+4 MiB.
    assert 1 <= requests(mnt)["GetObject"] <= 3


def test_vod_playlist_from_unix_seconds(mnt, ch):
    names = ingest(mnt, "ch", [T0, T0 + 10, T0 + 20, T0 + 30])
    r = sh(f"echo '{T0 + 5} {T0 + 25}' > {ch}/mid.m3u8")
    assert r.returncode == 0, r.stderr
    text = (ch / "mid.m3u8").read_text()
    assert playlist_segments(text) == names[1:3]
    assert text.rstrip().endswith("#EXT-X-ENDLIST")
    assert text == get_object(mnt, "ch/mid.m3u8").decode()


def test_vod_playlist_from_iso8601(mnt, ch):
    names = ingest(mnt, "ch", [T0, T0 + 60, T0 + 120])
    r = sh(f"echo '2026-11-23T08:00:30Z 2026-11-23T08:02:00Z' > {ch}/iso.m3u8")
    assert r.returncode == 0, r.stderr
    assert playlist_segments((ch / "iso.m3u8").read_text()) == names[1:]


def test_vod_playlist_from_now_minus_1h_is_listed_at_once(mnt, ch):
    now = int(time.time())
    names = ingest(mnt, "ch", [now - 7200, now - 1800, now - 600])
    assert "lasthour.m3u8" not in os.listdir(ch)      # the listing is cached
    mnt.emu.reset_stats()
    r = sh(f"echo 'now-1h now' > {ch}/lasthour.m3u8")
    assert r.returncode == 0, r.stderr
    assert requests(mnt) == {"PostVodPlaylist": 1}
    assert "lasthour.m3u8" in os.listdir(ch)
    text = (ch / "lasthour.m3u8").read_text()
    assert playlist_segments(text) == names[1:]
    assert text.rstrip().endswith("#EXT-X-ENDLIST")


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="needs ffprobe (ffmpeg)")
def test_ffprobe_plays_a_vod_playlist_through_the_mount(mnt, ch):
    ingest(mnt, "ch", [T0, T0 + 2, T0 + 4], duration=2)
    assert sh(f"echo '{T0} {T0 + 10}' > {ch}/clip.m3u8").returncode == 0
    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                        "format=format_name:stream=codec_name",
                        "-of", "default=nw=1", str(ch / "clip.m3u8")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "format_name=hls" in r.stdout
    assert "codec_name=h264" in r.stdout


@pytest.mark.parametrize("text", ["now now-1h", "bogus now", f"{T0} {T0 + 86401}",
                                  "1 2 3", f"{T0} {T0}"])
def test_bad_range_is_einval_in_write(mnt, ch, text):
    mnt.expect_log(r"^osslivefs: warn: write /ch/vod/x.m3u8: Invalid argument \(EINVAL\): ")
    ingest(mnt, "ch", [T0])
    mnt.emu.reset_stats()
    r = sh(f"echo '{text}' > {ch}/x.m3u8")
    assert r.returncode != 0 and "Invalid argument" in r.stderr
    assert "PostVodPlaylist" not in requests(mnt)
    assert "x.m3u8" not in os.listdir(ch)


def test_incomplete_range_fails_at_close(mnt, ch):
    mnt.expect_log(r"^osslivefs: warn: close /ch/vod/x.m3u8: Invalid argument \(EINVAL\): "
                   r"expected two times")
    fd = os.open(ch / "x.m3u8", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    assert os.write(fd, b"now-1h") == 6
    assert os_errno(lambda: os.close(fd)) == errno.EINVAL


def test_range_without_newline_is_sent_at_close(mnt, ch):
    names = ingest(mnt, "ch", [T0])
    fd = os.open(ch / "x.m3u8", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.write(fd, f"{T0 - 1} {T0 + 1}".encode())
    os.close(fd)
    assert playlist_segments((ch / "x.m3u8").read_text()) == names


def test_range_without_segments_is_enodata(mnt, ch):
    mnt.expect_log(r"^osslivefs: warn: write /ch/vod/empty.m3u8: No data available "
                   r"\(ENODATA\): .*OSS 400 InvalidArgument \"No ts file found")
    ingest(mnt, "ch", [T0])
    r = sh(f"echo '{T0 + 100} {T0 + 200}' > {ch}/empty.m3u8")
    assert r.returncode != 0 and "No data available" in r.stderr
    assert "empty.m3u8" not in os.listdir(ch)


def test_segments_and_live_playlist_are_not_writable(mnt, ch):
    mnt.expect_log(r"^osslivefs: warn: (open|create) /ch/vod/")
    (name,) = ingest(mnt, "ch", [T0])
    assert os_errno(lambda: open(ch / name, "w")) == errno.EACCES
    assert os_errno(lambda: open(ch / "playlist.m3u8", "w")) == errno.EACCES
    assert sh(f"echo '{T0} {T0 + 10}' > {ch}/playlist.m3u8").returncode != 0
    open(ch / "clip.txt", "w").close()          # a scratch file (test_tools.py)
    assert oct(os.stat(ch / name).st_mode) == "0o100444"


def test_rm_deletes_an_object(mnt, ch):
    mnt.expect_log(r"^osslivefs: warn: unlink /ch/vod/")
    names = ingest(mnt, "ch", [T0, T0 + 10])
    os.unlink(ch / names[0])
    assert names[0] not in os.listdir(ch)
    r = mnt.emu.client().request("GET", f"ch/{names[0]}")
    assert r.status == 404
    assert os_errno(lambda: os.unlink(ch / names[0])) == errno.ENOENT
    assert sh(f"rm {ch}/{names[1]}").returncode == 0
    assert os_errno(lambda: os.unlink(ch / "nothere.ts")) == errno.ENOENT


def test_listing_of_2500_objects_costs_3_requests(mnt, ch):
    c = fast_client(mnt)
    for i in range(2500):
        assert c.request("PUT", f"ch/obj-{i:04d}.ts", body=b"x" * (i % 7)).status == 200
    os.listdir(mnt.path("ch"))
    mnt.emu.reset_stats()
    r = sh(f"ls -l {ch} | tail -n +2 | wc -l")
    assert r.stdout.split() == ["2500"]
    # Only the listing: no HEAD, no GET per object.  (A ListLiveChannel
    # may come on top when the channel's own entry went stale meanwhile,
    # as it does on a loaded machine under ASan.)
    stats = requests(mnt)
    stats.pop("ListLiveChannel", None)
    assert stats == {"ListObjects": 3}


def test_rejected_playlist_can_be_written_again_at_once(mnt, ch):
    mnt.expect_log(r"^osslivefs: warn: write /ch/vod/c.m3u8: Invalid argument")
    names = ingest(mnt, "ch", [T0])
    assert sh(f"echo 'now now-1h' > {ch}/c.m3u8").returncode != 0
    # The kernel may still remember the name: no ENOENT, no waiting.
    r = sh(f"echo '{T0 - 1} {T0 + 1}' > {ch}/c.m3u8")
    assert r.returncode == 0, r.stderr
    assert playlist_segments((ch / "c.m3u8").read_text()) == names
