"""The emulator's control API (/-/): faults, latency, stats, ingest, RTMP URL checks; real
MPEG-TS segments and VOD playlists checked by ffprobe; command line and signals."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse

import pytest

from harness import EMULATOR, PYTHON, Emulator, rtmp_signature, rtmp_url

MINIMAL = b"<LiveChannelConfiguration><Target><Type>HLS</Type></Target></LiveChannelConfiguration>"
LIVE = {"live": None}


def make_channel(emu: Emulator, name: str = "ch") -> None:
    r = emu.client().request("PUT", name, LIVE, MINIMAL)
    assert r.status == 200, r.body


def fault(emu: Emulator, **spec) -> None:
    status, body = emu.control("/-/faults", spec)
    assert status == 200, body


def plain_get(emu: Emulator, method: str, key: str, query, body: bytes = b""):
    """One signed request on a fresh connection, without the harness's retry."""
    c = emu.client()
    headers = c.signed_headers(method, key, query)
    headers["Host"] = c.host_header()
    headers["Content-Length"] = str(len(body))
    qs = urllib.parse.urlencode([(k, v or "") for k, v in query.items()])
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    try:
        conn.request(method, c.path(key) + "?" + qs, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


# -- faults, latency, stats ---------------------------------------------------------------


def test_fault_503_then_success(emulator):
    make_channel(emulator)
    c = emulator.client()
    emulator.reset_stats()
    fault(emulator, count=2, method="GET", subresource="live", status=503)
    assert c.request("GET", "x-object").status == 404  # does not match: no ?live
    for _ in range(2):
        r = c.request("GET", "", LIVE)
        assert (r.status, r.code()) == (503, "ServiceUnavailable")
        assert len(r.xml().findtext("RequestId")) == 24
    r = c.request("GET", "", LIVE)
    assert r.status == 200
    assert emulator.stats() == {"GetObject": 1, "ListLiveChannel": 3}


def test_fault_by_operation_with_code(emulator):
    make_channel(emulator)
    c = emulator.client()
    fault(emulator, operation="GetLiveChannelStat", status=500, code="InternalError")
    assert c.request("GET", "ch", LIVE).status == 200
    r = c.request("GET", "ch", {"live": None, "comp": "stat"})
    assert (r.status, r.code()) == (500, "InternalError")
    assert c.request("GET", "ch", {"live": None, "comp": "stat"}).status == 200


def test_fault_503_does_not_apply_the_request(emulator):
    c = emulator.client()
    fault(emulator, method="PUT", status=503)
    assert c.request("PUT", "ch", LIVE, MINIMAL).status == 503
    assert c.request("GET", "ch", LIVE).status == 404


def test_fault_reset(emulator):
    make_channel(emulator)
    fault(emulator, method="GET", subresource="live", reset=True)
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected,
                        BrokenPipeError)):
        plain_get(emulator, "GET", "ch", {"live": None})
    assert plain_get(emulator, "GET", "ch", {"live": None})[0] == 200
    assert emulator.stats()["GetLiveChannelInfo"] == 2


def test_fault_garbage_body(emulator):
    make_channel(emulator)
    c = emulator.client()
    good = c.request("GET", "ch", LIVE)
    fault(emulator, subresource="live", body="garbage")
    r = c.request("GET", "ch", LIVE)
    assert r.status == 200
    assert len(r.body) == len(good.body) and r.body != good.body
    assert r.code() is None  # not XML
    assert c.request("GET", "ch", LIVE).body == good.body


def test_fault_truncated_body(emulator):
    c = emulator.client()
    data = os.urandom(10000)
    assert c.request("PUT", "obj", body=data).status == 200
    fault(emulator, method="GET", subresource="", body="truncated")
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    h = c.signed_headers("GET", "obj", None)
    h["Host"] = c.host_header()
    conn.request("GET", c.path("obj"), headers=h)
    r = conn.getresponse()
    assert r.status == 200 and r.getheader("Content-Length") == "10000"
    with pytest.raises(http.client.IncompleteRead) as exc:
        r.read()
    assert exc.value.partial == data[:5000]
    conn.close()
    assert c.request("GET", "obj").body == data


def test_fault_delay_and_latency(emulator):
    make_channel(emulator)
    c = emulator.client()
    fault(emulator, method="GET", delay=0.4)
    t = time.monotonic()
    assert c.request("GET", "ch", LIVE).status == 200
    assert time.monotonic() - t >= 0.4
    t = time.monotonic()
    assert c.request("GET", "ch", LIVE).status == 200
    assert time.monotonic() - t < 0.3
    status, body = emulator.control("/-/latency", {"ms": 150})
    assert (status, body["ms"]) == (200, 150)
    t = time.monotonic()
    for _ in range(3):
        assert c.request("GET", "ch", LIVE).status == 200
    assert time.monotonic() - t >= 0.45
    emulator.control("/-/latency", {"ms": 0})
    t = time.monotonic()
    assert c.request("GET", "ch", LIVE).status == 200
    assert time.monotonic() - t < 0.3


def test_latency_window_sends_one_window_a_round_trip(emulator):
    """3 MiB with a 1 MiB window and 200 ms: the request's round trip and two
    more, one after each window but the last; the bytes are exact."""
    c = emulator.client()
    data = os.urandom(3 << 20)
    assert c.request("PUT", "big", body=data).status == 200
    status, body = emulator.control("/-/latency", {"ms": 200, "window": 1 << 20})
    assert (status, body["ms"], body["window"]) == (200, 200, 1 << 20)
    t = time.monotonic()
    r = c.request("GET", "big")
    took = time.monotonic() - t
    assert r.status == 200 and r.body == data
    assert took >= 0.6
    # Without a window the same object pays the one round trip only.
    emulator.control("/-/latency", {"ms": 200})
    t = time.monotonic()
    assert c.request("GET", "big").body == data
    assert time.monotonic() - t < 0.55
    assert emulator.control("/-/latency", {"ms": 0, "window": "x"})[0] == 400


def test_faults_list_and_clear(emulator):
    fault(emulator, count=3, status=503)
    status, body = emulator.control("/-/faults", method="GET")
    assert status == 200 and body["faults"][0]["count"] == 3
    assert emulator.control("/-/faults/clear", {})[0] == 200
    assert emulator.control("/-/faults", method="GET")[1]["faults"] == []
    assert emulator.control("/-/faults", {"body": "weird"})[0] == 400


def test_stats_count_every_operation_including_failures(emulator):
    c = emulator.client()
    v1 = emulator.client(version=1)
    emulator.reset_stats()
    assert emulator.stats() == {}
    c.request("PUT", "ch", LIVE, MINIMAL)
    v1.request("PUT", "ch", {"live": None, "status": "disabled"})
    c.request("GET", "ch", LIVE)
    c.request("GET", "ch", {"live": None, "comp": "stat"})
    c.request("GET", "ch", {"live": None, "comp": "history"})
    c.request("GET", "", LIVE)
    c.request("GET", "ch", {"vod": None, "startTime": "1", "endTime": "2"})
    c.request("POST", "ch/v.m3u8", {"vod": None, "startTime": "1", "endTime": "2"})
    c.request("PUT", "o", body=b"1")
    c.request("GET", "o")
    c.request("HEAD", "o")
    c.request("GET", "", {"prefix": "o"})
    c.request("DELETE", "o")
    c.request("DELETE", "ch", LIVE)
    c.request("GET", "ch", LIVE, sign=False)          # AccessDenied: counted
    c.sk = "WRONG"
    c.request("GET", "", LIVE)                        # SignatureDoesNotMatch: counted
    assert emulator.stats() == {
        "PutLiveChannel": 1, "PutLiveChannelStatus": 1, "GetLiveChannelInfo": 2,
        "GetLiveChannelStat": 1, "GetLiveChannelHistory": 1, "ListLiveChannel": 2,
        "GetVodPlaylist": 1, "PostVodPlaylist": 1, "PutObject": 1, "GetObject": 1,
        "HeadObject": 1, "ListObjects": 1, "DeleteObject": 1, "DeleteLiveChannel": 1}
    emulator.control("/-/ingest/segment", {"channel": "nope"})  # control calls: not counted
    assert sum(emulator.stats().values()) == 16
    emulator.reset_stats()
    assert emulator.stats() == {}


# -- ingest and RTMP URLs ------------------------------------------------------------------


def test_ingest_control_errors(emulator):
    assert emulator.control("/-/ingest/start", {"channel": "nope"})[0] == 404
    assert emulator.control("/-/ingest/segment", {"channel": "nope"})[0] == 404
    assert emulator.control("/-/ingest/stop", {"channel": "nope"})[0] == 404
    assert emulator.control("/-/ingest/start", {"bucket": "other", "channel": "x"})[0] == 404
    assert emulator.control("/-/nothing", {})[0] == 404


def test_rtmp_signature_helper_matches_published_vectors():
    # ali-oss getRtmpUrl captures and the derived vectors H.1 (signature-vectors.md)
    assert rtmp_signature("SECRETEXAMPLE", "examplebucket", "mychannel", 1705311000,
                          {"playlistName": "playlist.m3u8"}) == "lJ9botwN0eaJ79+hF6d6KLNZ/Dw="
    assert rtmp_signature("SECRETEXAMPLE", "examplebucket", "mychannel",
                          1705311000) == "IuRhZ2w/ogvp4dGJvZkavlcvcdA="
    assert rtmp_signature("sk", "examplebucket", "test-channel", 1700000000,
                          {"playlistName": "playlist.m3u8"}) == "cAHUdVBQABVO77Y+6lhBJxUKmrk="


def test_rtmp_verify(emulator):
    make_channel(emulator, "my ch")
    host = "testbucket.localhost:%d" % emulator.port
    exp = int(time.time()) + 3600

    def verify(url):
        return emulator.control("/-/rtmp/verify", {"url": url})

    for params in (None, {"playlistName": "other.m3u8"}):
        url = rtmp_url(host, "AKID", "SECRET", "testbucket", "my ch", exp, params)
        assert verify(url) == (200, {"ok": True, "bucket": "testbucket", "channel": "my ch"})
    ok = rtmp_url("127.0.0.1:1935", "AKID", "SECRET", "testbucket", "my ch", exp)
    assert verify(ok)[0] == 200
    # the signature covers Expires, the bucket, the channel and playlistName
    bad = ok.replace("Expires=%d" % exp, "Expires=%d" % (exp + 1))
    status, body = verify(bad)
    assert (status, body["ok"]) == (403, False) and "signature" in body["reason"]
    pl = rtmp_url(host, "AKID", "SECRET", "testbucket", "my ch", exp, {"playlistName": "a.m3u8"})
    assert verify(pl.replace("a.m3u8", "b.m3u8"))[0] == 403
    assert verify(rtmp_url(host, "AKID", "WRONG", "testbucket", "my ch", exp))[0] == 403
    status, body = verify(rtmp_url(host, "NOBODY", "SECRET", "testbucket", "my ch", exp))
    assert status == 403 and "OSSAccessKeyId" in body["reason"]
    status, body = verify(rtmp_url(host, "AKID", "SECRET", "testbucket", "my ch",
                                   int(time.time()) - 1))
    assert status == 403 and "expired" in body["reason"]
    status, body = verify(rtmp_url(host, "AKID", "SECRET", "testbucket", "nope", exp))
    assert status == 403 and "no such" in body["reason"]
    assert emulator.client().request("PUT", "my ch", {"live": None,
                                                      "status": "disabled"}).status == 200
    status, body = verify(ok)
    assert status == 403 and "disabled" in body["reason"]


def test_nginx_on_publish_callbacks(emulator):
    make_channel(emulator, "ch")
    c = emulator.client()
    exp = int(time.time()) + 600
    sig = rtmp_signature("SECRET", "testbucket", "ch", exp)
    form = urllib.parse.urlencode({"app": "live", "name": "ch", "addr": "10.0.0.9",
                                   "OSSAccessKeyId": "AKID", "Expires": str(exp),
                                   "Signature": sig})

    def post(path, body):
        conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
        conn.request("POST", path, body=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        r.read()
        conn.close()
        return r.status

    assert post("/-/rtmp/on_publish", form) == 200
    stat = c.request("GET", "ch", {"live": None, "comp": "stat"}).xml()
    assert stat.findtext("Status") == "Live"
    assert stat.findtext("RemoteAddr").startswith("10.0.0.9:")
    assert post("/-/rtmp/on_publish", form) == 403  # already live
    assert post("/-/rtmp/on_publish_done", "name=ch") == 200
    assert c.request("GET", "ch", {"live": None, "comp": "history"}).xml().findtext(
        "LiveRecord/RemoteAddr").startswith("10.0.0.9:")
    assert post("/-/rtmp/on_publish", form.replace("Expires=", "Expires=1")) == 403


def test_segments_are_real_mpegts_and_vod_plays(emulator, tmp_path):
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        pytest.skip("ffprobe is not installed")
    make_channel(emulator, "tv")
    assert emulator.control("/-/ingest/start", {"channel": "tv"})[0] == 200
    t0 = int(time.time()) - 100
    keys = []
    for i in range(4):
        status, body = emulator.control("/-/ingest/segment", {"channel": "tv", "duration": 2,
                                                              "time": t0 + 2 * i})
        assert status == 200, body
        keys.append(body["key"])
    c = emulator.client()
    live = c.request("GET", "tv/playlist.m3u8").body.decode()
    assert "#EXT-X-ENDLIST" not in live
    assert [ln for ln in live.splitlines() if ln.endswith(".ts")] == [
        k.split("/")[1] for k in keys[-3:]]
    r = c.request("POST", "tv/vod.m3u8", {"vod": None, "startTime": str(t0),
                                          "endTime": str(t0 + 4)})
    assert r.status == 200, r.body
    out = tmp_path / "tv"
    out.mkdir()
    playlist = c.request("GET", "tv/vod.m3u8").body
    (out / "vod.m3u8").write_bytes(playlist)
    assert playlist.decode().endswith("#EXT-X-ENDLIST\n")
    assert playlist.count(b"#EXTINF:2.000,") == 3
    for k in keys:
        (out / k.split("/")[1]).write_bytes(c.request("GET", k).body)
    for path in (out / keys[0].split("/")[1], out / "vod.m3u8"):
        p = subprocess.run([ffprobe, "-v", "error", "-show_entries", "stream=codec_name",
                            "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                           timeout=30)
        assert p.returncode == 0, p.stderr
        assert sorted(set(p.stdout.split())) == ["aac", "h264"]


# -- command line ----------------------------------------------------------------------------


def test_port_file_signals_and_help(tmp_path):
    port_file = tmp_path / "port"
    for sig in (signal.SIGTERM, signal.SIGINT):
        emu = Emulator().start(tmp_path / "d", extra_args=["--port-file", str(port_file)])
        assert emu.url == "http://127.0.0.1:%d" % emu.port
        assert port_file.read_text() == "%d\n" % emu.port
        os.kill(emu.proc.pid, sig)
        assert emu.proc.wait(10) == 0
        emu.stop()
    helptext = subprocess.run([PYTHON, str(EMULATOR), "--help"], capture_output=True,
                              text=True, timeout=30).stdout
    assert "--no-clock-check" in helptext and "--credentials" in helptext


def test_control_api_is_loopback_only():
    import importlib.util
    spec = importlib.util.spec_from_file_location("osslive_emulator", EMULATOR)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    assert mod.is_loopback("127.0.0.1") and mod.is_loopback("127.8.9.1")
    assert mod.is_loopback("::1") and mod.is_loopback("::ffff:127.0.0.1")
    assert not mod.is_loopback("192.0.2.2") and not mod.is_loopback("::ffff:10.0.0.1")
    assert not mod.is_loopback("localhost")


def test_several_buckets(tmp_path):
    with Emulator().start(tmp_path / "d", "one", "AKID:SECRET",
                          extra_args=["--bucket", "two"]) as emu:
        c1 = emu.client()
        assert c1.request("PUT", "ch", LIVE, MINIMAL).status == 200
        c2 = emu.client()
        c2.bucket = "two"
        assert c2.request("GET", "ch", LIVE).status == 404
        assert emu.control("/-/ingest/start", {"channel": "ch"})[0] == 400
        assert emu.control("/-/ingest/start", {"bucket": "one", "channel": "ch"})[0] == 200
        assert c2.request("PUT", "ch", LIVE, MINIMAL).status == 200
        stat = c1.request("GET", "ch", {"live": None, "comp": "stat"}).xml().findtext("Status")
        assert stat == "Live"
        assert c2.request("GET", "ch", {"live": None, "comp": "stat"}).xml().findtext(
            "Status") == "Idle"
