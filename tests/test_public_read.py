"""--public-read (issue 13): the bucket's ACL is public-read, as OSS offers it.  Anonymous
GetObject, HeadObject and ListObjects are allowed; writes and LiveChannel calls still need a
signature (403 AccessDenied); an HLS player opens play_url without credentials."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from conftest import EMU_BUCKET, EMU_CREDENTIALS
from harness import Emulator
from mountlib import LiveMount

LIVE = {"live": None}
CONFIG = (b"<LiveChannelConfiguration><Target><Type>HLS</Type></Target>"
          b"</LiveChannelConfiguration>")


@pytest.fixture
def public(tmp_path):
    emu = Emulator().start(tmp_path / "emulator", EMU_BUCKET, EMU_CREDENTIALS,
                           extra_args=["--public-read"])
    yield emu
    emu.stop()


def test_anonymous_reads_are_allowed(public):
    c = public.client()
    assert c.request("PUT", "ch/a.ts", body=b"0123456789").status == 200
    anon = public.client()
    r = anon.request("GET", "ch/a.ts", sign=False)
    assert (r.status, r.body) == (200, b"0123456789")
    r = anon.request("GET", "ch/a.ts", headers={"Range": "bytes=2-4"}, sign=False)
    assert (r.status, r.body) == (206, b"234")
    r = anon.request("HEAD", "ch/a.ts", sign=False)
    assert r.status == 200 and r.header("Content-Length") == "10"
    r = anon.request("GET", "", {"prefix": "ch/", "delimiter": "/"}, sign=False)
    assert r.status == 200 and r.xml().findtext("Contents/Key") == "ch/a.ts"
    assert anon.request("GET", "ch/missing.ts", sign=False).status == 404
    # virtual-hosted too
    vh = public.client(virtual_host=True)
    assert vh.request("GET", "ch/a.ts", sign=False).body == b"0123456789"


@pytest.mark.parametrize("method,key,query,body", [
    ("PUT", "ch/b.ts", None, b"x"),
    ("DELETE", "ch/a.ts", None, b""),
    ("GET", "", LIVE, b""),
    ("PUT", "ch", LIVE, CONFIG),
    ("GET", "ch", LIVE, b""),
    ("GET", "ch", {"live": None, "comp": "stat"}, b""),
    ("PUT", "ch", {"live": None, "status": "disabled"}, b""),
    ("POST", "ch/v.m3u8", {"vod": None, "startTime": "1", "endTime": "2"}, b""),
    ("DELETE", "ch", LIVE, b""),
])
def test_anonymous_writes_and_live_calls_are_refused(public, method, key, query, body):
    c = public.client()
    assert c.request("PUT", "ch/a.ts", body=b"data").status == 200
    assert c.request("PUT", "ch", LIVE, CONFIG).status == 200
    r = public.client().request(method, key, query, body, sign=False)
    assert (r.status, r.code()) == (403, "AccessDenied")
    assert c.request("GET", "ch/a.ts").body == b"data"
    assert c.request("GET", "ch", LIVE).status == 200


def test_signed_requests_are_still_verified(public):
    bad = public.client()
    bad.sk = "WRONG"
    r = bad.request("GET", "ch/a.ts")
    assert (r.status, r.code()) == (403, "SignatureDoesNotMatch")


def test_private_bucket_refuses_anonymous_reads(emulator):
    assert emulator.client().request("PUT", "ch/a.ts", body=b"x").status == 200
    r = emulator.client().request("GET", "ch/a.ts", sign=False)
    assert (r.status, r.code()) == (403, "AccessDenied")
    r = emulator.client().request("GET", "", sign=False)
    assert (r.status, r.code()) == (403, "AccessDenied")


@pytest.mark.skipif(not os.access("/dev/fuse", os.W_OK), reason="needs /dev/fuse (root)")
@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="needs ffprobe (ffmpeg)")
def test_ffprobe_opens_play_url(public, tmp_path):
    """play_url of a path-style mount (http://127.0.0.1:PORT/bucket/ch/playlist.m3u8):
    ffprobe reads the live playlist and its segments without credentials."""
    m = LiveMount(public, tmp_path, "v4-path")
    m.start()
    try:
        os.mkdir(m.path("ch"))
        now = int(time.time())
        for t in (now - 15, now - 10, now - 5):
            status, body = public.control("/-/ingest/segment",
                                          {"channel": "ch", "duration": 5, "time": t})
            assert status == 200, body
        url = m.path("ch", "play_url").read_text().strip()
        assert url == "http://127.0.0.1:%d/%s/ch/playlist.m3u8" % (public.port, EMU_BUCKET)
        r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                            "-of", "csv=p=0", url], capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        assert sorted(set(r.stdout.split())) == ["aac", "h264"]
    finally:
        m.stop()
    assert not m.unexpected_log(), m.log()
