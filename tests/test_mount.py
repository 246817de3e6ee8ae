"""The mount, driven the way users drive it: shell commands and file calls
through a real FUSE mount of the emulator (design §1, issue "The mount")."""

from __future__ import annotations

import errno
import http.client
import os
import socket
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from mountlib import LiveMount, Mount, mnt, one_mount, run_osslivefs  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(not os.access("/dev/fuse", os.W_OK),
                                reason="needs /dev/fuse (root)")

DEFAULT_CONFIG = """\
<?xml version="1.0" encoding="UTF-8"?>
<LiveChannelConfiguration>
  <Description></Description>
  <Status>enabled</Status>
  <Target>
    <Type>HLS</Type>
    <FragDuration>5</FragDuration>
    <FragCount>3</FragCount>
    <PlaylistName>playlist.m3u8</PlaylistName>
  </Target>
</LiveChannelConfiguration>
"""

FILES = ["config.xml", "enabled", "history", "play_url", "publish_url",
         "status", "vod"]


def sh(cmd: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True,
                          timeout=60, **kw)


def fast_client(m: LiveMount):
    """A harness client with TCP_NODELAY: http.client writes headers and body
    separately, and Nagle + delayed ACK would cost 40 ms per PUT."""
    c = m.emu.client()
    c.conn = http.client.HTTPConnection(c.host, c.port, timeout=30)
    c.conn.connect()
    c.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def info(m: LiveMount, ch: str) -> ET.Element:
    r = m.emu.client().request("GET", ch, {"live": None})
    assert r.status == 200, r.body
    return r.xml()


def stat_status(m: LiveMount, ch: str) -> str:
    r = m.emu.client().request("GET", ch, {"live": None, "comp": "stat"})
    assert r.status == 200, r.body
    return r.xml().findtext("Status")


def put_channel(m: LiveMount, ch: str, body: str | None = None) -> None:
    body = body or ("<LiveChannelConfiguration><Target><Type>HLS</Type>"
                    "</Target></LiveChannelConfiguration>")
    r = fast_client(m).request("PUT", ch, {"live": None}, body.encode())
    assert r.status == 200, r.body


def os_errno(fn) -> int:
    with pytest.raises(OSError) as e:
        fn()
    return e.value.errno


def channels(m: Mount) -> list[str]:
    """The channel directories: the root's entries but .osslivefs (which ls -a shows)."""
    return [n for n in os.listdir(m.mountpoint) if n != ".osslivefs"]


def requests(m: LiveMount) -> dict[str, int]:
    return {k: v for k, v in m.emu.stats().items() if v}


# ---- the root: listing, mkdir, rmdir ------------------------------------

def test_mkdir_creates_channel_with_default_config(mnt):
    os.mkdir(mnt.path("ch1"))
    assert sorted(channels(mnt)) == ["ch1"]
    assert sorted(os.listdir(mnt.path("ch1"))) == FILES
    assert mnt.path("ch1", "config.xml").read_text() == DEFAULT_CONFIG
    t = info(mnt, "ch1").find("Target")
    assert (t.findtext("FragDuration"), t.findtext("FragCount")) == ("5", "3")


def test_mkdir_uses_mount_options(emulator, tmp_path):
    m = LiveMount(emulator, tmp_path, extra=["frag_duration=7", "frag_count=4",
                                             "playlist_name=live.m3u8"])
    m.start()
    try:
        assert sh(f"mkdir {m.path('cam')}").returncode == 0
        t = info(m, "cam").find("Target")
        assert [t.findtext(k) for k in ("FragDuration", "FragCount", "PlaylistName")] \
            == ["7", "4", "live.m3u8"]
    finally:
        m.stop()
    assert m.unexpected_log() == []


def test_ls_lists_every_channel_in_byte_order(mnt):
    for ch in ["b", "a b", "Z", "频道1", "x+y~z*"]:
        put_channel(mnt, ch)
    r = sh(f"ls -1 {mnt.mountpoint}")
    assert r.stdout.splitlines() == sorted(["b", "a b", "Z", "频道1", "x+y~z*"],
                                           key=lambda s: s.encode())


def test_mkdir_errors(mnt):
    mnt.expect_log(r"^osslivefs: warn: mkdir /")
    put_channel(mnt, "exists")
    assert os_errno(lambda: os.mkdir(mnt.path("exists"))) == errno.EEXIST
    assert os_errno(lambda: os.mkdir(mnt.path("x" * 64))) == errno.ENAMETOOLONG
    os.mkdir(mnt.path("y" * 63))
    assert os_errno(lambda: os.mkdir(mnt.path("\\bad"))) == errno.EINVAL
    assert os_errno(lambda: os.mkdir(mnt.path("exists", "sub"))) == errno.EACCES
    r = sh(f"mkdir {mnt.path('exists')}")
    assert r.returncode != 0 and "File exists" in r.stderr
    # EEXIST was decided before PutLiveChannel could overwrite the channel.
    assert stat_status(mnt, "exists") == "Idle"


def test_names_cannot_forge_log_lines(mnt):
    mnt.expect_log(r"^osslivefs: warn: mkdir /x\\x0aosslivefs: err: forged: Invalid argument "
                   r"\(EINVAL\): a channel name cannot contain control characters$")
    assert os_errno(lambda: os.mkdir(mnt.path("x\nosslivefs: err: forged"))) == errno.EINVAL
    assert len(mnt.log().splitlines()) == 1


def test_mkdir_costs_info_and_put(mnt):
    mnt.emu.reset_stats()
    os.mkdir(mnt.path("new"))
    stats = requests(mnt)
    assert stats.get("GetLiveChannelInfo") == 1
    assert stats.get("PutLiveChannel") == 1


def test_rmdir_deletes_and_busy_while_live(mnt):
    mnt.expect_log(r"^osslivefs: warn: rmdir /live: Device or resource busy \(EBUSY\): "
                   r"OSS 409 ChannelStillLive \".*\" RequestId [0-9A-F]{24}$")
    put_channel(mnt, "gone")
    put_channel(mnt, "live")
    os.rmdir(mnt.path("gone"))
    assert channels(mnt) == ["live"]
    r = mnt.emu.client().request("GET", "gone", {"live": None})
    assert r.status == 404
    mnt.emu.control("/-/ingest/start", {"channel": "live"})
    r = sh(f"rmdir {mnt.path('live')}")
    assert r.returncode != 0 and "Device or resource busy" in r.stderr
    assert os.path.isdir(mnt.path("live"))
    assert os_errno(lambda: os.rmdir(mnt.path("nothere"))) == errno.ENOENT


def test_rmdir_of_channel_deleted_elsewhere_is_enoent(mnt):
    mnt.expect_log(r"^osslivefs: warn: rmdir /ch: No such file or directory \(ENOENT\): "
                   r"OSS 404 NoSuchLiveChannel")
    put_channel(mnt, "ch")
    assert os.path.isdir(mnt.path("ch"))
    r = mnt.emu.client().request("DELETE", "ch", {"live": None})
    assert r.status == 204
    assert os_errno(lambda: os.rmdir(mnt.path("ch"))) == errno.ENOENT


def test_files_cannot_be_created_or_renamed(mnt):
    mnt.expect_log(r"^osslivefs: warn: (create|rename|open) /")
    put_channel(mnt, "ch")
    assert os_errno(lambda: open(mnt.path("file"), "w")) == errno.EACCES
    assert os_errno(lambda: os.rename(mnt.path("ch"), mnt.path("ch2"))) == errno.EPERM
    assert os_errno(lambda: os.rename(mnt.path("ch", "enabled"),
                                      mnt.path("ch", "x"))) == errno.EPERM
    assert os_errno(lambda: open(mnt.path("ch", "status"), "w")) == errno.EACCES
    assert os_errno(lambda: open(mnt.path("ch", "nofile"))) == errno.ENOENT
    # Other names are scratch files (test_tools.py), and unlink of a
    # channel file only hides it for a moment: OSS sees none of it.
    mnt.emu.reset_stats()
    open(mnt.path("ch", "new"), "w").close()
    os.unlink(mnt.path("ch", "config.xml"))
    assert not set(requests(mnt)) & {"PutLiveChannel", "DeleteLiveChannel"}


def test_modes(mnt):
    put_channel(mnt, "ch")
    modes = {n: oct(os.stat(mnt.path("ch", n)).st_mode) for n in FILES}
    assert modes == {"config.xml": "0o100644", "enabled": "0o100644",
                     "history": "0o100444", "play_url": "0o100444",
                     "publish_url": "0o100444", "status": "0o100444",
                     "vod": "0o40755"}
    assert oct(os.stat(mnt.path("ch")).st_mode) == "0o40755"
    assert oct(os.stat(mnt.mountpoint).st_mode) == "0o40755"


# ---- enabled and status -------------------------------------------------

def test_enabled_write_disables_and_status_shows_it(mnt):
    put_channel(mnt, "ch")
    assert mnt.path("ch", "enabled").read_text() == "1\n"
    assert sh(f"echo 0 > {mnt.path('ch', 'enabled')}").returncode == 0
    assert stat_status(mnt, "ch") == "Disabled"
    assert mnt.path("ch", "status").read_text() == "status disabled\n"
    assert mnt.path("ch", "enabled").read_text() == "0\n"
    assert info(mnt, "ch").findtext("Status") == "disabled"


@pytest.mark.parametrize("word,value", [
    ("1", "1"), ("0", "0"), ("TRUE", "1"), ("false", "0"), ("Yes", "1"),
    ("no", "0"), (" on \n", "1"), ("OFF", "0"), ("Enabled", "1"), ("disabled\n", "0")])
def test_enabled_accepts_every_word(mnt, word, value):
    put_channel(mnt, "ch")
    with open(mnt.path("ch", "enabled"), "w") as f:
        f.write(word)
    assert mnt.path("ch", "enabled").read_text() == value + "\n"


def test_enabled_bogus_fails_in_write_and_changes_nothing(mnt):
    mnt.expect_log(r"^osslivefs: warn: write /ch/enabled: Invalid argument \(EINVAL\): "
                   r"expected one of 1 0 true false yes no on off enabled disabled$")
    put_channel(mnt, "ch")
    mnt.emu.reset_stats()
    r = sh(f"echo bogus > {mnt.path('ch', 'enabled')}")
    assert r.returncode != 0
    assert "Invalid argument" in r.stderr
    assert "PutLiveChannelStatus" not in requests(mnt)
    assert stat_status(mnt, "ch") == "Idle"
    assert len(mnt.log().splitlines()) == 1


def test_enabled_append_writes_like_truncate(mnt):
    put_channel(mnt, "ch")
    mnt.path("ch", "enabled").read_text()      # st_size is 2 now
    assert sh(f"echo 0 >> {mnt.path('ch', 'enabled')}").returncode == 0
    assert stat_status(mnt, "ch") == "Disabled"
    assert sh(f"echo on >> {mnt.path('ch', 'enabled')}").returncode == 0
    assert stat_status(mnt, "ch") == "Idle"


def test_enabled_incomplete_value_fails_at_close(mnt):
    mnt.expect_log(r"^osslivefs: warn: close /ch/enabled: Invalid argument \(EINVAL\)")
    put_channel(mnt, "ch")
    fd = os.open(mnt.path("ch", "enabled"), os.O_WRONLY | os.O_TRUNC)
    assert os.write(fd, b"of") == 2          # could still become "off"
    assert os_errno(lambda: os.close(fd)) == errno.EINVAL
    assert stat_status(mnt, "ch") == "Idle"


def test_enabled_value_is_sent_by_write_not_close(mnt):
    put_channel(mnt, "ch")
    fd = os.open(mnt.path("ch", "enabled"), os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, b"off\n")
        # Sent before close: bash's echo would not see an error from close.
        assert stat_status(mnt, "ch") == "Disabled"
    finally:
        os.close(fd)


def test_status_while_live_prints_every_key(mnt):
    put_channel(mnt, "ch")
    mnt.emu.control("/-/ingest/start", {
        "channel": "ch", "remote_addr": "10.1.2.3:47745",
        "video": {"width": 1280, "height": 536, "frame_rate": 24,
                  "bandwidth": 1000, "codec": "H264"},
        "audio": {"bandwidth": 64, "sample_rate": 44100, "codec": "AAC"}})
    lines = mnt.path("ch", "status").read_text().splitlines()
    keys = [line.split(" ", 1)[0] for line in lines]
    assert keys == ["status", "connected_time", "remote_addr", "video_width",
                    "video_height", "video_frame_rate", "video_bandwidth",
                    "video_codec", "audio_bandwidth", "audio_sample_rate",
                    "audio_codec"]
    values = dict(line.split(" ", 1) for line in lines)
    assert values["status"] == "live"
    assert values["remote_addr"] == "10.1.2.3:47745"
    assert values["video_width"] == "1280" and values["video_height"] == "536"
    assert values["video_frame_rate"] == "24" and values["video_codec"] == "H264"
    assert values["audio_sample_rate"] == "44100" and values["audio_codec"] == "AAC"
    r = mnt.emu.client().request("GET", "ch", {"live": None, "comp": "stat"})
    assert values["connected_time"] == r.xml().findtext("ConnectedTime")


def test_history_one_line_per_session(mnt):
    put_channel(mnt, "ch")
    assert mnt.path("ch", "history").read_text() == ""
    for port in (1111, 2222):
        mnt.emu.control("/-/ingest/start", {"channel": "ch",
                                             "remote_addr": f"10.0.0.1:{port}"})
        mnt.emu.control("/-/ingest/stop", {"channel": "ch"})
    lines = mnt.path("ch", "history").read_text().splitlines()
    r = mnt.emu.client().request("GET", "ch", {"live": None, "comp": "history"})
    expected = [f"{rec.findtext('StartTime')} {rec.findtext('EndTime')} "
                f"{rec.findtext('RemoteAddr')}" for rec in r.xml().iter("LiveRecord")]
    assert lines == expected
    assert [line.split()[2] for line in lines] == ["10.0.0.1:1111", "10.0.0.1:2222"]


# ---- config.xml ----------------------------------------------------------

NEW_CONFIG = """<LiveChannelConfiguration>
  <Description>lobby camera</Description>
  <Status>enabled</Status>
  <Target><Type>HLS</Type><FragDuration>10</FragDuration><FragCount>5</FragCount>
  <PlaylistName>lobby.m3u8</PlaylistName></Target>
</LiveChannelConfiguration>"""


def test_config_write_changes_the_channel(mnt):
    put_channel(mnt, "ch")
    os.listdir(mnt.path("ch"))           # the listing is cached now
    mnt.emu.reset_stats()
    r = sh(f"cat > {mnt.path('ch', 'config.xml')} <<'EOF'\n{NEW_CONFIG}\nEOF")
    assert r.returncode == 0, r.stderr
    # The lookup fetches the file for its exact size; the write compares
    # with that and sends the change.
    assert requests(mnt) == {"GetLiveChannelInfo": 1, "PutLiveChannel": 1}
    x = info(mnt, "ch")
    assert x.findtext("Description") == "lobby camera"
    assert x.find("Target").findtext("FragDuration") == "10"
    assert x.find("Target").findtext("PlaylistName") == "lobby.m3u8"
    text = mnt.path("ch", "config.xml").read_text()
    assert "<FragDuration>10</FragDuration>" in text and text.endswith("\n")


@pytest.mark.parametrize("doc,why", [
    ("<LiveChannelConfiguration><Target><Type>HLS</Type>", "ends before"),
    ("bogus\n", ""),
    ("<Other><Target><Type>HLS</Type></Target></Other>\n", "LiveChannelConfiguration"),
    ("<LiveChannelConfiguration><Target><Type>RTMP</Type></Target>"
     "</LiveChannelConfiguration>\n", "Type"),
    ("<LiveChannelConfiguration><Target><Type>HLS</Type><FragDuration>200</FragDuration>"
     "<FragCount>3</FragCount></Target></LiveChannelConfiguration>\n", "FragDuration"),
    ("<LiveChannelConfiguration><Target><Type>HLS</Type><FragDuration>5</FragDuration>"
     "</Target></LiveChannelConfiguration>\n", "FragCount"),
    ("<LiveChannelConfiguration><Description>" + "d" * 129 + "</Description><Target>"
     "<Type>HLS</Type></Target></LiveChannelConfiguration>\n", "Description"),
    ("<LiveChannelConfiguration><Target><Type>HLS</Type><PlaylistName>a/b.m3u8"
     "</PlaylistName></Target></LiveChannelConfiguration>\n", "PlaylistName"),
    ("<LiveChannelConfiguration><Status>paused</Status><Target><Type>HLS</Type>"
     "</Target></LiveChannelConfiguration>\n", "Status"),
    ("<LiveChannelConfiguration><Status>enabled</Status><Status>enabled</Status><Target>"
     "<Type>HLS</Type></Target></LiveChannelConfiguration>\n", "at most once"),
])
def test_config_invalid_is_einval_and_changes_nothing(mnt, doc, why):
    mnt.expect_log(r"^osslivefs: warn: (write|close) /ch/config.xml: Invalid argument "
                   r"\(EINVAL\)")
    put_channel(mnt, "ch")
    os.listdir(mnt.path("ch"))
    mnt.emu.reset_stats()
    r = sh(f"printf '%s' '{doc}' > {mnt.path('ch', 'config.xml')}")
    if doc.endswith("\n"):
        # Complete documents fail in write(2): even bash's printf sees it.
        assert r.returncode != 0 and "Invalid argument" in r.stderr
    fd = os.open(mnt.path("ch", "config.xml"), os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, doc.encode())
    except OSError as e:                 # a complete document: write(2) fails
        assert e.errno == errno.EINVAL and doc.endswith("\n")
        os.close(fd)
    else:                                # an incomplete one: close(2) fails
        assert os_errno(lambda: os.close(fd)) == errno.EINVAL
        assert not doc.endswith("\n")
    assert "PutLiveChannel" not in requests(mnt)
    assert info(mnt, "ch").find("Target").findtext("FragDuration") == "5"
    assert why in mnt.log()


def test_config_rejected_by_oss_while_live_is_ebusy(mnt):
    mnt.expect_log(r"^osslivefs: warn: write /ch/config.xml: Device or resource busy")
    put_channel(mnt, "ch")
    mnt.emu.control("/-/ingest/start", {"channel": "ch"})
    r = sh(f"cat > {mnt.path('ch', 'config.xml')} <<'EOF'\n{NEW_CONFIG}\nEOF")
    assert r.returncode != 0 and "Device or resource busy" in r.stderr


# ---- URLs -----------------------------------------------------------------

def test_publish_url_is_signed_and_verifies(mnt):
    put_channel(mnt, "ch")
    url = mnt.path("ch", "publish_url").read_text()
    assert url.endswith("\n") and url.startswith("rtmp://")
    assert f"OSSAccessKeyId={mnt.access_key_id}&" in url and "Signature=" in url
    assert (f"security-token={mnt.token}" in url) == (mnt.token is not None)
    expires = int(url.split("Expires=")[1].split("&")[0].strip())
    assert abs(expires - (time.time() + 3600)) < 60
    status, body = mnt.emu.control("/-/rtmp/verify", {"url": url.strip()})
    assert status == 200 and body["ok"], body
    tampered = url.strip().replace("/live/ch?", "/live/ch2?")
    status, body = mnt.emu.control("/-/rtmp/verify", {"url": tampered})
    assert not body["ok"]


def test_publish_url_names_configured_playlist(mnt):
    put_channel(mnt, "ch", "<LiveChannelConfiguration><Target><Type>HLS</Type>"
                "<PlaylistName>cam.m3u8</PlaylistName></Target></LiveChannelConfiguration>")
    url = mnt.path("ch", "publish_url").read_text().strip()
    assert "playlistName=cam.m3u8" in url
    status, body = mnt.emu.control("/-/rtmp/verify", {"url": url})
    assert status == 200 and body["ok"], body


def test_play_url_is_the_listing_url(mnt):
    put_channel(mnt, "ch")
    host = mnt.url.split("//", 1)[1]
    if "path_style" in mnt.options or host.startswith("127."):
        expected = f"http://{host}/testbucket/ch/playlist.m3u8"
    else:
        expected = f"http://testbucket.{host}/ch/playlist.m3u8"
    # The emulator names the host the request was addressed to, as OSS does.
    assert mnt.path("ch", "play_url").read_text() == expected + "\n"


# ---- request counts -----------------------------------------------------

@pytest.mark.parametrize("name,op", [
    ("config.xml", "GetLiveChannelInfo"), ("enabled", "GetLiveChannelInfo"),
    ("status", "GetLiveChannelStat"), ("history", "GetLiveChannelHistory")])
def test_one_cat_is_one_request(mnt, name, op):
    put_channel(mnt, "ch")
    os.listdir(mnt.path("ch"))           # the listing is cached now
    mnt.emu.reset_stats()
    assert sh(f"cat {mnt.path('ch', name)}").returncode == 0
    assert requests(mnt) == {op: 1}


def test_cold_cat_costs_two_requests_whatever_the_number_of_channels(mnt):
    c = fast_client(mnt)
    body = (b"<LiveChannelConfiguration><Target><Type>HLS</Type></Target>"
            b"</LiveChannelConfiguration>")
    for i in range(1500):
        assert c.request("PUT", f"ch-{i:04d}", {"live": None}, body).status == 200
    mnt.emu.reset_stats()
    # Nothing listed yet: the channel is looked up alone (prefix=name,
    # max-keys=1), not by listing all 1500.
    assert mnt.path("ch-0000", "status").read_text() == "status idle\n"
    assert requests(mnt) == {"ListLiveChannel": 1, "GetLiveChannelStat": 1}
    assert os_errno(lambda: mnt.path("ch-0000x", "status").read_text()) == errno.ENOENT
    assert requests(mnt) == {"ListLiveChannel": 2, "GetLiveChannelStat": 1}


def test_urls_cost_no_request_within_cache_ttl(mnt):
    put_channel(mnt, "ch")
    os.listdir(mnt.path("ch"))
    mnt.emu.reset_stats()
    sh(f"cat {mnt.path('ch', 'publish_url')} {mnt.path('ch', 'play_url')}")
    assert requests(mnt) == {}


def test_reading_twice_through_one_fd_takes_a_new_snapshot(mnt):
    put_channel(mnt, "ch")
    with open(mnt.path("ch", "status")) as f:
        assert f.read() == "status idle\n"
        mnt.emu.control("/-/ingest/start", {"channel": "ch"})
        f.seek(0)
        assert f.read().startswith("status live\n")


def test_size_is_exact_before_any_read(mnt):
    put_channel(mnt, "ch")
    assert os.stat(mnt.path("ch", "enabled")).st_size == 2
    assert os.stat(mnt.path("ch", "status")).st_size == len("status idle\n")


def put_many(m: LiveMount, n: int) -> list[str]:
    """Channels ch-0000 ... behind the mount's back, over one fast connection."""
    c = fast_client(m)
    body = (b"<LiveChannelConfiguration><Target><Type>HLS</Type></Target>"
            b"</LiveChannelConfiguration>")
    names = [f"ch-{i:04d}" for i in range(n)]
    for name in names:
        assert c.request("PUT", name, {"live": None}, body).status == 200
    return names


def test_2500_channels_list_with_3_requests(mnt):
    put_many(mnt, 2500)
    mnt.emu.reset_stats()
    r = sh(f"ls {mnt.mountpoint} | wc -l; ls -l {mnt.mountpoint} | tail -n +2 | wc -l")
    assert r.stdout.split() == ["2500", "2500"]
    assert requests(mnt) == {"ListLiveChannel": 3}


def test_listing_is_cached_and_refreshed_after_own_changes(mnt):
    put_channel(mnt, "a")
    assert channels(mnt) == ["a"]
    put_channel(mnt, "b")                  # behind the mount's back
    mnt.emu.reset_stats()
    assert channels(mnt) == ["a"]     # within cache_ttl
    assert requests(mnt) == {}
    os.mkdir(mnt.path("c"))                # own change: refreshed at once
    assert sorted(channels(mnt)) == ["a", "b", "c"]


# ---- variants, start-up, faults -------------------------------------------

def test_variants_full_cycle(mnt):
    os.mkdir(mnt.path("cam 1+~*"))
    assert channels(mnt) == ["cam 1+~*"]
    assert mnt.path("cam 1+~*", "config.xml").read_text() == DEFAULT_CONFIG
    url = mnt.path("cam 1+~*", "publish_url").read_text().strip()
    assert mnt.emu.control("/-/rtmp/verify", {"url": url})[0] == 200
    assert sh(f"echo off > '{mnt.path('cam 1+~*', 'enabled')}'").returncode == 0
    assert mnt.path("cam 1+~*", "status").read_text() == "status disabled\n"
    assert mnt.path("cam 1+~*", "history").read_text() == ""
    os.rmdir(mnt.path("cam 1+~*"))
    assert channels(mnt) == []


def test_wrong_secret_refuses_to_start(emulator, tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("AKID:WRONG\n")
    pw.chmod(0o600)
    (tmp_path / "m").mkdir()
    r = run_osslivefs(["testbucket", str(tmp_path / "m"), "-o",
                       f"url=http://localhost:{emulator.port},region=cn-hangzhou,"
                       f"passwd_file={pw}"])
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert "SignatureDoesNotMatch" in lines[0] and "testbucket" in lines[0]
    assert "hint: check the AccessKeySecret" in lines[0]
    assert "WRONG" not in r.stderr
    assert not os.path.ismount(tmp_path / "m")


@pytest.mark.parametrize("bucket,opts,needles", [
    ("nobucket", "url=http://localhost:{port},region=cn-hangzhou",
     ["OSS 404 NoSuchBucket", "hint: check the bucket name"]),
    ("testbucket", "url=http://localhost:{port},region=cn-shanghai",
     ["OSS 403", "hint:"]),
    ("testbucket", "url=http://localhost:1,region=cn-hangzhou,retries=0",
     ["NetworkError", "hint: check the endpoint URL and the network"]),
])
def test_wrong_bucket_region_or_endpoint_refuses_to_start(emulator, tmp_path, bucket,
                                                          opts, needles):
    pw = tmp_path / "pw"
    pw.write_text("AKID:SECRET\n")
    pw.chmod(0o600)
    (tmp_path / "m").mkdir()
    r = run_osslivefs([bucket, str(tmp_path / "m"), "-o",
                       opts.format(port=emulator.port) + f",passwd_file={pw}"])
    assert r.returncode == 1
    assert len(r.stderr.splitlines()) == 1, r.stderr
    for needle in needles:
        assert needle in r.stderr
    assert not os.path.ismount(tmp_path / "m")


def test_wrong_clock_refuses_to_start(tmp_path):
    from harness import Emulator
    emu = Emulator().start(tmp_path / "emu", "testbucket", "AKID:SECRET",
                           extra_args=["--clock-offset", "3600"])
    try:
        pw = tmp_path / "pw"
        pw.write_text("AKID:SECRET\n")
        pw.chmod(0o600)
        (tmp_path / "m").mkdir()
        r = run_osslivefs(["testbucket", str(tmp_path / "m"), "-o",
                           f"url=http://localhost:{emu.port},region=cn-hangzhou,"
                           f"passwd_file={pw}"])
    finally:
        emu.stop()
    assert r.returncode == 1
    assert "OSS 403 RequestTimeTooSkewed" in r.stderr
    assert "hint: the clock of this machine is off" in r.stderr


@pytest.mark.parametrize("opts,needle", [
    ("region=cn-hangzhou,bogus_option", "bogus_option"),
    ("region=cn-hangzhou,cache_ttl=abc", "cache_ttl=abc"),
    ("url=http://localhost:1", "region"),
])
def test_bad_options_refuse_to_start(emulator, tmp_path, opts, needle):
    (tmp_path / "m").mkdir()
    pw = tmp_path / "pw"
    pw.write_text("AKID:SECRET\n")
    pw.chmod(0o600)
    r = run_osslivefs(["testbucket", str(tmp_path / "m"), "-o",
                       f"{opts},passwd_file={pw}"])
    assert r.returncode == 1
    assert needle in r.stderr


def test_fstab_words_are_accepted(emulator, tmp_path):
    m = LiveMount(emulator, tmp_path, extra=["_netdev", "nofail", "noauto", "defaults",
                                             "x-systemd.automount"])
    m.start()
    m.stop()
    assert m.unexpected_log() == []


def test_503_is_retried(mnt):
    put_channel(mnt, "ch")
    os.listdir(mnt.path("ch"))
    mnt.emu.reset_stats()
    mnt.emu.control("/-/faults", {"count": 2, "operation": "GetLiveChannelStat",
                                   "status": 503})
    assert mnt.path("ch", "status").read_text() == "status idle\n"
    assert requests(mnt) == {"GetLiveChannelStat": 3}


def test_persistent_500_is_eio_without_hanging(mnt):
    mnt.expect_log(r"^osslivefs: warn: (getattr|open) /ch/status: Input/output error "
                   r"\(EIO\): OSS 500 ")
    put_channel(mnt, "ch")
    os.listdir(mnt.path("ch"))
    mnt.emu.reset_stats()
    mnt.emu.control("/-/faults", {"count": 100, "operation": "GetLiveChannelStat",
                                   "status": 500})
    t = time.monotonic()
    assert os_errno(lambda: mnt.path("ch", "status").read_text()) == errno.EIO
    assert time.monotonic() - t < 10
    assert requests(mnt) == {"GetLiveChannelStat": 4}    # 1 + retries=3
    mnt.emu.control("/-/faults/clear", {})


def daemon_threads(pid: int) -> set[int]:
    """The thread ids of the daemon that serve FUSE (libfuse names them after the program)."""
    tids = set()
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/comm", encoding="ascii") as f:
                if f.read().strip() == "osslivefs":
                    tids.add(int(t))
        except (FileNotFoundError, ProcessLookupError):
            pass            # the thread ended while we looked (ENOENT or ESRCH)
    return tids


def dev_fuse_fds(pid: int) -> int:
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            n += os.readlink(f"/proc/{pid}/fd/{fd}") == "/dev/fuse"
        except FileNotFoundError:
            pass
    return n


def test_fuse_workers_are_kept_not_made_per_request(m):
    """libfuse's worker threads stay for the next request, on the one /dev/fuse: a loop config
    read as libfuse's older struct once meant a new thread and a cloned /dev/fuse for each
    request (open+read+close of a file that sends nothing took 197 us instead of 60)."""
    put_channel(m, "ch")
    path = m.path("ch", "play_url")
    for _ in range(5):
        path.read_bytes()               # the workers that sequential reads need exist now
    before = daemon_threads(m.proc.pid)
    for _ in range(50):
        path.read_bytes()               # open, read, read (EOF), release: 4 requests each
    after = daemon_threads(m.proc.pid)
    assert before <= after, "FUSE workers ended after a request (a new one for each)"
    assert len(after - before) <= 2
    assert dev_fuse_fds(m.proc.pid) == 1
