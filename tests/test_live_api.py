"""The API layer (src/live.c, src/obj.c) end to end against the emulator.

Each call is made by tests/tools/livetool.c, one process per call, so what is
checked is exactly what the FUSE layer gets: the C structs (printed as
lines), the negative errno (the exit status), and the requests sent (the
emulator's per-operation counters).
"""

from __future__ import annotations

import errno
import http.client
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from harness import Emulator, OssClient

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("OSSLIVEFS_BUILD", ROOT / "build"))
LIVETOOL = BUILD / "tools" / "livetool"
BUCKET = "testbucket"
AK, SK = "AKID", "SECRET"      # the keys of the conftest emulator

# The document of a channel made with defaults, as config.xml shows it.
from test_mount import DEFAULT_CONFIG  # noqa: E402


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    """The shared emulator fixture (tests/conftest.py): testbucket, AKID:SECRET."""
    return emulator


def ctl(emu: Emulator, path: str, body: dict) -> dict:
    status, answer = emu.control(path, body)
    assert status == 200, (path, status, answer)
    return answer


def fast_client(emu: Emulator) -> OssClient:
    """A harness client with TCP_NODELAY: http.client sends headers and body in
    two writes, and Nagle + delayed ACK would cost 40 ms per PUT with a body."""
    c = emu.client()
    c.conn = http.client.HTTPConnection(c.host, c.port, timeout=30)
    c.conn.connect()
    assert c.conn.sock is not None
    c.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def put_object(client: OssClient, key: str, data: bytes) -> None:
    r = client.request("PUT", key, body=data)
    assert r.status == 200, r.body


def put_channel(client: OssClient, name: str) -> None:
    doc = b"<LiveChannelConfiguration><Target><Type>HLS</Type></Target></LiveChannelConfiguration>"
    r = client.request("PUT", name, {"live": None}, doc, {"Content-Type": "application/xml"})
    assert r.status == 200, r.body


def tool(emu: Emulator, *args: str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    argv = [str(LIVETOOL), "--url", emu.url, "--bucket", BUCKET, "--ak", AK, "--sk", SK,
            *extra, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def ok(emu: Emulator, *args: str, extra: tuple[str, ...] = ()) -> str:
    r = tool(emu, *args, extra=extra)
    assert r.returncode == 0, (args, r.returncode, r.stderr)
    return r.stdout


def fails(emu: Emulator, err: int, *args: str, extra: tuple[str, ...] = ()) -> str:
    r = tool(emu, *args, extra=extra)
    assert r.returncode == err, (args, r.returncode, r.stderr)
    assert r.stderr.startswith(f"error {errno.errorcode[err]} "), r.stderr
    return r.stderr


def test_probe_is_one_list_request(emu: Emulator) -> None:
    emu.reset_stats()
    assert ok(emu, "probe") == "ok\n"
    assert emu.stats() == {"ListLiveChannel": 1}


def test_probe_with_a_wrong_secret_is_eacces(emu: Emulator) -> None:
    r = subprocess.run([str(LIVETOOL), "--url", emu.url, "--bucket", BUCKET, "--ak", AK,
                        "--sk", "wrong", "probe"], capture_output=True, text=True, timeout=60)
    assert r.returncode == errno.EACCES, r.stderr
    assert "status=403 code=SignatureDoesNotMatch" in r.stderr
    assert "wrong" not in r.stderr


@pytest.mark.parametrize("sig", [(), ("--sigv1",)])
def test_put_info_list_delete(emu: Emulator, sig: tuple[str, ...]) -> None:
    host = f"127.0.0.1:{emu.port}"
    emu.reset_stats()
    assert ok(emu, "put", "ch 1", extra=sig) == (
        f"publish rtmp://{host}/live/ch%201\n"
        f"play http://{host}/{BUCKET}/ch%201/playlist.m3u8\n")
    assert ok(emu, "info", "ch 1", extra=sig) == DEFAULT_CONFIG
    lines = ok(emu, "list", extra=sig).splitlines()
    assert lines[0] == "requests 1"
    name, enabled, mtime, desc, pub, play = lines[1].split("\t")
    assert (name, enabled, desc) == ("ch 1", "1", "")
    assert abs(int(mtime) - int(time.time())) < 60
    assert pub == f"rtmp://{host}/live/ch%201"
    assert play == f"http://{host}/{BUCKET}/ch%201/playlist.m3u8"
    assert ok(emu, "delete", "ch 1", extra=sig) == ""
    err = fails(emu, errno.ENOENT, "info", "ch 1", extra=sig)
    assert "status=404 code=NoSuchLiveChannel" in err
    fails(emu, errno.ENOENT, "delete", "ch 1", extra=sig)
    assert ok(emu, "list", extra=sig) == "requests 1\n"
    assert emu.stats() == {"PutLiveChannel": 1, "GetLiveChannelInfo": 2,
                           "ListLiveChannel": 2, "DeleteLiveChannel": 2}


def test_put_sends_the_users_config(emu: Emulator, tmp_path: Path) -> None:
    cfg = tmp_path / "config.xml"
    cfg.write_text("<LiveChannelConfiguration><Description>cam &amp; mic</Description>"
                   "<Status>disabled</Status><Target><Type>HLS</Type>"
                   "<FragDuration>2</FragDuration><FragCount>4</FragCount>"
                   "<PlaylistName>index.m3u8</PlaylistName></Target>"
                   "</LiveChannelConfiguration>\n")
    out = ok(emu, "put", "cam", str(cfg))
    assert out.endswith(f"/{BUCKET}/cam/index.m3u8\n")
    assert ok(emu, "info", "cam") == DEFAULT_CONFIG.replace(
        "<Description></Description>", "<Description>cam &amp; mic</Description>").replace(
        "enabled", "disabled").replace(">5<", ">2<").replace(">3<", ">4<").replace(
        "playlist.m3u8", "index.m3u8")
    assert ok(emu, "stat", "cam") == "status disabled\n"
    # Only Type given: OSS materialises the defaults
    cfg.write_text("<LiveChannelConfiguration><Target><Type>HLS</Type></Target>"
                   "</LiveChannelConfiguration>")
    ok(emu, "put", "cam", str(cfg))
    assert ok(emu, "info", "cam") == DEFAULT_CONFIG


def test_local_checks_send_nothing(emu: Emulator, tmp_path: Path) -> None:
    cfg = tmp_path / "config.xml"
    cfg.write_text("<LiveChannelConfiguration><Target><Type>HLS</Type>"
                   "<FragDuration>200</FragDuration><FragCount>3</FragCount></Target>"
                   "</LiveChannelConfiguration>")
    emu.reset_stats()
    err = fails(emu, errno.EINVAL, "put", "ch", str(cfg))
    assert "FragDuration must be an integer from 1 to 100" in err
    fails(emu, errno.ENAMETOOLONG, "put", "a" * 64)
    fails(emu, errno.ENAMETOOLONG, "info", "a" * 64)
    fails(emu, errno.EINVAL, "stat", "a/b")
    fails(emu, errno.EINVAL, "vod", "ch", "x/y.m3u8", "1", "2")
    assert emu.stats() == {}
    ok(emu, "put", "a" * 63)
    assert ok(emu, "info", "a" * 63) == DEFAULT_CONFIG


def test_status_stat_history(emu: Emulator) -> None:
    ok(emu, "put", "ch")
    assert ok(emu, "stat", "ch") == "status idle\n"
    assert ok(emu, "history", "ch") == ""
    ctl(emu, "/-/ingest/start", {
        "channel": "ch", "remote_addr": "10.1.2.3:47745", "time": 1472106315,
        "video": {"width": 1280, "height": 536, "frame_rate": 24, "bandwidth": 0,
                  "codec": "H264"},
        "audio": {"bandwidth": 0, "sample_rate": 44100, "codec": "AAC"}})
    assert ok(emu, "stat", "ch") == (
        "status live\nconnected_time 2016-08-25T06:25:15.000Z\n"
        "remote_addr 10.1.2.3:47745\nvideo_width 1280\nvideo_height 536\n"
        "video_frame_rate 24\nvideo_bandwidth 0\nvideo_codec H264\n"
        "audio_bandwidth 0\naudio_sample_rate 44100\naudio_codec AAC\n")
    # Updating or deleting a live channel: ChannelStillLive
    err = fails(emu, errno.EBUSY, "delete", "ch")
    assert "status=409 code=ChannelStillLive" in err
    fails(emu, errno.EBUSY, "put", "ch")
    ctl(emu, "/-/ingest/stop", {"channel": "ch"})
    hist = ok(emu, "history", "ch").splitlines()
    assert len(hist) == 1
    start, end, addr = hist[0].split(" ")
    assert (start, addr) == ("2016-08-25T06:25:15.000Z", "10.1.2.3:47745")
    assert end.endswith("Z")
    ok(emu, "status", "ch", "disabled")
    assert ok(emu, "stat", "ch") == "status disabled\n"
    assert "<Status>disabled</Status>" in ok(emu, "info", "ch")
    ok(emu, "status", "ch", "enabled")
    assert ok(emu, "stat", "ch") == "status idle\n"
    fails(emu, errno.ENOENT, "stat", "nope")
    fails(emu, errno.ENOENT, "history", "nope")


def test_history_keeps_the_last_ten_oldest_first(emu: Emulator) -> None:
    ok(emu, "put", "ch")
    for i in range(12):
        ctl(emu, "/-/ingest/start", {"channel": "ch", "remote_addr": f"10.0.0.{i}:1",
                                        "time": 1700000000 + 100 * i})
        ctl(emu, "/-/ingest/stop", {"channel": "ch"})
    addrs = [line.split(" ")[2] for line in ok(emu, "history", "ch").splitlines()]
    assert addrs == [f"10.0.0.{i}:1" for i in range(2, 12)]


def test_vod(emu: Emulator) -> None:
    ok(emu, "put", "ch")
    t0 = 1700000000
    keys = [ctl(emu, "/-/ingest/segment", {"channel": "ch", "duration": 5,
                                              "time": t0 + 5 * i})["key"] for i in range(3)]
    assert ok(emu, "vod", "ch", "v.m3u8", str(t0), str(t0 + 5)) == ""
    m3u8 = ok(emu, "getvod", "ch", str(t0), str(t0 + 5))
    assert m3u8.startswith("#EXTM3U\n")
    assert m3u8.endswith("#EXT-X-ENDLIST\n")
    names = [k.split("/", 1)[1] for k in keys]
    assert [line for line in m3u8.splitlines() if line.endswith(".ts")] == names[:2]
    stored = ok(emu, "get", "ch/v.m3u8", "0", "100000")
    assert stored == m3u8
    err = fails(emu, errno.ENODATA, "vod", "ch", "w.m3u8", str(t0 - 100), str(t0 - 50))
    assert "No ts file found" in err
    fails(emu, errno.ENODATA, "getvod", "ch", str(t0 - 100), str(t0 - 50))
    fails(emu, errno.EINVAL, "vod", "ch", "w.m3u8", str(t0 + 5), str(t0))
    listing = ok(emu, "ls", "ch/").splitlines()
    assert listing[0] == "requests 1"
    assert sorted(line.split(" ")[0] for line in listing[1:]) == sorted(
        names + ["playlist.m3u8", "v.m3u8"])


def test_objects_list_get_head_delete(emu: Emulator) -> None:
    data = bytes(range(256)) * 12            # 3072 bytes
    c = fast_client(emu)
    put_object(c, "ch/seg.ts", data)
    put_object(c, "ch/", b"")               # the "folder" key itself: not listed
    put_object(c, "ch/sub/deeper.ts", b"x")  # a common prefix: not listed
    put_object(c, "chx", b"x")              # outside the prefix
    emu.reset_stats()
    lines = ok(emu, "ls", "ch/").splitlines()
    assert lines[0] == "requests 1"
    assert len(lines) == 2
    name, size, mtime = lines[1].split(" ")
    assert (name, size) == ("seg.ts", "3072")
    assert ok(emu, "head", "ch/seg.ts") == f"3072 {mtime}\n"

    def get(off: int, n: int) -> bytes:
        r = subprocess.run([str(LIVETOOL), "--url", emu.url, "--bucket", BUCKET, "--ak", AK,
                            "--sk", SK, "get", "ch/seg.ts", str(off), str(n)],
                           capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert r.stderr == f"got {len(r.stdout)}\n".encode()
        return r.stdout

    assert get(0, 100) == data[:100]
    assert get(1000, 2000) == data[1000:3000]
    assert get(3000, 1000) == data[3000:]     # clipped at the end
    assert get(3072, 10) == b""               # 416: EOF
    assert get(1 << 40, 10) == b""
    assert emu.stats() == {"ListObjects": 1, "HeadObject": 1, "GetObject": 5}
    fails(emu, errno.ENOENT, "get", "ch/none.ts", "0", "10")
    err = fails(emu, errno.ENOENT, "head", "ch/none.ts")
    assert "status=404" in err
    assert ok(emu, "rm", "ch/seg.ts") == ""
    fails(emu, errno.ENOENT, "head", "ch/seg.ts")
    assert ok(emu, "rm", "ch/seg.ts") == ""   # OSS: 204 also when missing
    assert ok(emu, "ls", "ch/") == "requests 1\n"


def test_object_listing_pages(emu: Emulator) -> None:
    c = fast_client(emu)
    for i in range(1001):
        put_object(c, f"p/{i:04d}.ts", b"")
    put_object(c, "p/", b"")
    put_object(c, "p/sub/x", b"")
    emu.reset_stats()
    lines = ok(emu, "ls", "p/").splitlines()
    assert lines[0] == "requests 2"
    assert [line.split(" ")[0] for line in lines[1:]] == [f"{i:04d}.ts" for i in range(1001)]
    assert emu.stats() == {"ListObjects": 2}


def test_channel_listing_pages(emu: Emulator) -> None:
    names = [f"c{i:04d}" for i in range(1001)]
    c = fast_client(emu)
    for n in names:
        put_channel(c, n)
    put_channel(c, "other")
    emu.reset_stats()
    lines = ok(emu, "list").splitlines()
    assert lines[0] == "requests 2"
    assert [line.split("\t")[0] for line in lines[1:]] == names + ["other"]
    lines = ok(emu, "list", "c1").splitlines()
    assert lines[0] == "requests 1"
    assert [line.split("\t")[0] for line in lines[1:]] == ["c1000"]
    assert emu.stats() == {"ListLiveChannel": 3}


def test_faults_are_eio(emu: Emulator) -> None:
    ok(emu, "put", "ch")
    ctl(emu, "/-/faults", {"count": 1, "operation": "GetLiveChannelStat", "status": 503})
    err = fails(emu, errno.EIO, "stat", "ch")
    assert "status=503" in err
    ctl(emu, "/-/faults", {"count": 1, "operation": "GetLiveChannelStat",
                              "body": "garbage"})
    err = fails(emu, errno.EIO, "stat", "ch")
    assert "code=InvalidResponse" in err
    ctl(emu, "/-/faults", {"count": 1, "operation": "ListLiveChannel",
                              "body": "truncated"})
    fails(emu, errno.EIO, "list")
    assert ok(emu, "stat", "ch") == "status idle\n"


def test_publish_url_verifies(emu: Emulator) -> None:
    ok(emu, "put", "cam 1")
    emu.reset_stats()
    for args in (("publish", "cam 1"), ("publish", "cam 1", "other.m3u8")):
        url = ok(emu, *args).rstrip("\n")
        assert url.startswith(f"rtmp://127.0.0.1:{emu.port}/live/cam%201?")
        assert ("playlistName=other.m3u8" in url) == (len(args) == 3)
        status, answer = emu.control("/-/rtmp/verify", {"url": url})
        assert (status, answer.get("channel")) == (200, "cam 1"), answer
    assert emu.stats() == {}     # signed locally: no request
    fails(emu, errno.ENAMETOOLONG, "publish", "x" * 64)
