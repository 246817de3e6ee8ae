"""Everyday file tools on the mount (design §1 "Everyday tools must work",
issue 10): safe saves through scratch files and rename, exact sizes and
times, metadata calls that change nothing, idempotent writes, no stray
channels, all-or-nothing deletion of a channel tree.

Every test runs the real command through a real FUSE mount and checks its
exit status, what reads back through the mount, and the emulator: the state
of the channel and which requests were (or were not) sent.
"""

from __future__ import annotations

import errno
import math
import os
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mountlib import LiveMount
from test_mount import DEFAULT_CONFIG, fast_client, info, os_errno, put_channel, requests, sh

pytestmark = pytest.mark.skipif(not os.access("/dev/fuse", os.W_OK),
                                reason="needs /dev/fuse (root)")

T0 = 1795420800          # 2026-11-23T08:00:00Z
FILES = ["config.xml", "enabled", "history", "play_url", "publish_url", "status", "vod"]
WRITES = {"PutLiveChannel", "PutLiveChannelStatus", "PostVodPlaylist", "DeleteObject",
          "DeleteLiveChannel", "PutObject"}
HIDE_SECS = 5            # README: an unlinked channel file is hidden this long


@pytest.fixture
def m(emulator, tmp_path):
    """One mount (V4, virtual-hosted): these tests are about the tools, not
    the signing variants."""
    mt = LiveMount(emulator, tmp_path)
    mt.start()
    yield mt
    mt.stop()
    unexpected = mt.unexpected_log()
    assert not unexpected, "unexpected daemon stderr:\n" + "\n".join(unexpected)


def writes(m: LiveMount) -> dict[str, int]:
    """The requests that change something in OSS."""
    return {k: v for k, v in requests(m).items() if k in WRITES}


def frag_count(m: LiveMount, ch: str = "ch") -> str:
    return info(m, ch).find("Target").findtext("FragCount")


def config_with(frag_count: int, status: str = "enabled") -> str:
    return DEFAULT_CONFIG.replace("<FragCount>3<", f"<FragCount>{frag_count}<") \
        .replace("<Status>enabled<", f"<Status>{status}<")


def ls(path: Path) -> list[str]:
    return sorted(os.listdir(path))


def channels(m: LiveMount) -> list[str]:
    """The root's directories, without the mount's own .osslivefs/."""
    return [n for n in ls(m.mountpoint) if n != ".osslivefs"]


def objects(m: LiveMount, prefix: str) -> list[str]:
    r = m.emu.client().request("GET", "", {"prefix": prefix})
    assert r.status == 200, r.body
    ns = ""
    root = r.xml()
    if root.tag.startswith("{"):
        ns = root.tag.split("}")[0] + "}"
    return sorted(k.text for k in root.iter(f"{ns}Key"))


def ingest(m: LiveMount, ch: str, times: list[int]) -> list[str]:
    names = []
    for t in times:
        status, body = m.emu.control("/-/ingest/segment", {"channel": ch, "time": t,
                                                           "duration": 2.0})
        assert status == 200, body
        names.append(body["key"].split("/", 1)[1])
    return names


@pytest.fixture
def ch(m):
    put_channel(m, "ch", DEFAULT_CONFIG)
    os.listdir(m.mountpoint)             # the channel listing is cached
    m.emu.reset_stats()
    return m.path("ch")


# ---- 1. safe saves: a temporary file renamed over the target ---------------

def test_sed_i_changes_config_in_one_put(m, ch):
    r = sh(f"sed -i 's/<FragCount>3</<FragCount>5</' {ch}/config.xml")
    assert r.returncode == 0, r.stderr
    assert (ch / "config.xml").read_text() == config_with(5)
    assert frag_count(m) == "5"
    assert writes(m) == {"PutLiveChannel": 1}
    assert ls(ch) == FILES                       # no temporary file left


def test_perl_pi_changes_config(m, ch):
    r = sh(f"perl -pi -e 's/<FragCount>3</<FragCount>6</' {ch}/config.xml")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert frag_count(m) == "6"
    assert (ch / "config.xml").read_text() == config_with(6)
    assert writes(m) == {"PutLiveChannel": 1}
    assert ls(ch) == FILES


@pytest.mark.parametrize("inplace", [False, True])
def test_rsync_a_applies_a_config_tree(m, ch, tmp_path, inplace):
    src = tmp_path / "configs"
    (src / "ch").mkdir(parents=True)
    (src / "ch" / "config.xml").write_text(config_with(7, "disabled"))
    (src / "ch" / "enabled").write_text("0\n")
    os.chmod(src / "ch", 0o755)
    os.chmod(src, 0o755)
    r = sh(f"rsync -a {'--inplace ' if inplace else ''}{src}/ {m.mountpoint}/")
    assert r.returncode == 0, r.stderr
    assert frag_count(m) == "7"
    assert info(m, "ch").findtext("Status") == "disabled"
    assert (ch / "enabled").read_text() == "0\n"
    assert ls(ch) == FILES
    assert channels(m) == ["ch"]
    # Once more: the same content is already there, so nothing is sent.
    m.emu.reset_stats()
    os.utime(src / "ch" / "config.xml", (1, 1))   # force rsync to look again
    r = sh(f"rsync -a {'--inplace ' if inplace else ''}{src}/ {m.mountpoint}/")
    assert r.returncode == 0, r.stderr
    assert writes(m) == {}


def ansible(tmp_path: Path, module: str, args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
               ANSIBLE_REMOTE_TEMP=str(tmp_path / "ansible-remote"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3",
               ANSIBLE_CONFIG=str(tmp_path / "none.cfg"), HOME=str(tmp_path))
    return subprocess.run(["ansible", "localhost", "-i", "localhost,", "-c", "local",
                           "-m", module, "-a", args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=tmp_path)


def test_ansible_copy_and_template(m, ch, tmp_path):
    (tmp_path / "my.xml").write_text(config_with(8))
    r = ansible(tmp_path, "copy", f"src={tmp_path}/my.xml dest={ch}/config.xml")
    assert r.returncode == 0 and "CHANGED" in r.stdout, r.stdout + r.stderr
    assert frag_count(m) == "8"
    assert writes(m) == {"PutLiveChannel": 1}
    m.emu.reset_stats()
    r = ansible(tmp_path, "copy", f"src={tmp_path}/my.xml dest={ch}/config.xml")
    assert r.returncode == 0 and "SUCCESS" in r.stdout, r.stdout + r.stderr
    assert writes(m) == {}
    (tmp_path / "cfg.j2").write_text(config_with(8).replace(">8<", ">{{ 4 + 5 }}<"))
    r = ansible(tmp_path, "template", f"src={tmp_path}/cfg.j2 dest={ch}/config.xml")
    assert r.returncode == 0 and "CHANGED" in r.stdout, r.stdout + r.stderr
    assert frag_count(m) == "9"
    assert ls(ch) == FILES


def test_mkstemp_and_os_replace(m, ch):
    fd, tmp = tempfile.mkstemp(dir=ch)
    os.write(fd, config_with(4).encode())
    os.close(fd)
    assert os.path.basename(tmp) in os.listdir(ch)
    assert writes(m) == {}                       # a scratch file sends nothing
    os.replace(tmp, ch / "config.xml")
    assert frag_count(m) == "4"
    assert (ch / "config.xml").read_text() == config_with(4)
    assert ls(ch) == FILES


def test_install_m_644(m, ch, tmp_path):
    (tmp_path / "my.xml").write_text(config_with(9))
    r = sh(f"install -m 644 {tmp_path}/my.xml {ch}/config.xml")
    assert r.returncode == 0, r.stderr
    assert frag_count(m) == "9"
    assert (ch / "config.xml").read_text() == config_with(9)
    assert writes(m) == {"PutLiveChannel": 1}
    r = sh(f"install -m 600 {tmp_path}/my.xml {ch}/config.xml")   # a real mode change
    m.expect_log(r"^osslivefs: warn: chmod /ch/config.xml: Operation not permitted")
    assert r.returncode != 0


def test_mv_from_another_filesystem(m, ch, tmp_path):
    (tmp_path / "my.xml").write_text(config_with(2))
    os.chmod(tmp_path / "my.xml", 0o644)
    r = sh(f"mv {tmp_path}/my.xml {ch}/config.xml")
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "my.xml").exists()
    assert frag_count(m) == "2"
    assert ls(ch) == FILES


@pytest.mark.parametrize("flags", ["", "--overwrite"])
def test_tar_xf_over_existing_config(m, ch, tmp_path, flags):
    src = tmp_path / "backup"
    (src / "ch").mkdir(parents=True)
    (src / "ch" / "config.xml").write_text(config_with(11))
    os.chmod(src / "ch" / "config.xml", 0o644)
    os.chmod(src / "ch", 0o755)
    assert sh(f"tar cf {tmp_path}/b.tar -C {src} ch").returncode == 0
    r = sh(f"tar xf {tmp_path}/b.tar {flags} -C {m.mountpoint}")
    assert r.returncode == 0, r.stderr
    assert frag_count(m) == "11"
    assert (ch / "config.xml").read_text() == config_with(11)
    assert writes(m) == {"PutLiveChannel": 1}


def test_cp_p_and_copy2(m, ch, tmp_path):
    (tmp_path / "a.xml").write_text(config_with(12))
    os.chmod(tmp_path / "a.xml", 0o644)
    r = sh(f"cp -p {tmp_path}/a.xml {ch}/config.xml")
    assert r.returncode == 0, r.stderr
    assert frag_count(m) == "12"
    (tmp_path / "b.xml").write_text(config_with(13))
    os.chmod(tmp_path / "b.xml", 0o644)
    shutil.copy2(tmp_path / "b.xml", ch / "config.xml")
    assert frag_count(m) == "13"
    assert writes(m) == {"PutLiveChannel": 2}


@pytest.mark.parametrize("vim", ["vim.tiny", "vim.basic"])
def test_vim_edits_config(m, ch, vim):
    if not shutil.which(vim):
        pytest.skip(f"{vim} not installed")
    r = subprocess.run([vim, "-u", "NONE", "-es", "-c", "%s/<FragCount>3</<FragCount>14</",
                        "-c", "wq", str(ch / "config.xml")],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    assert frag_count(m) == "14"
    assert (ch / "config.xml").read_text() == config_with(14)
    assert writes(m) == {"PutLiveChannel": 1}
    assert ls(ch) == FILES


# ---- scratch files: bounds, failures, vod/ ---------------------------------

def test_scratch_file_lives_in_memory_only(m, ch, tmp_path):
    p = ch / "notes.txt"
    p.write_text("hello\n")
    os.chmod(p, 0o600)
    os.utime(p, (T0, T0))
    st = os.stat(p)
    assert (st.st_size, oct(st.st_mode), st.st_mtime) == (6, "0o100600", T0)
    with open(p, "r+") as f:
        f.write("HE")
        f.truncate(4)
        os.fsync(f.fileno())
    assert p.read_text() == "HEll"
    assert "notes.txt" in ls(ch)
    assert writes(m) == {}
    os.unlink(p)
    assert ls(ch) == FILES
    p.write_text("again\n")
    m.stop()
    m.start()
    assert ls(m.path("ch")) == FILES             # gone after unmount


def test_open_files_survive_rm(m, ch):
    """libfuse renames an open file to .fuse_hidden* instead of removing
    it: a scratch file stays readable through its descriptor, and rm of an
    open channel file only hides it, as rm does."""
    (ch / "t.txt").write_text("keep\n")
    with open(ch / "t.txt") as scratch, open(ch / "config.xml") as cfg:
        os.unlink(ch / "t.txt")
        os.unlink(ch / "config.xml")
        assert ls(ch) == [n for n in FILES if n != "config.xml"]
        assert scratch.read() == "keep\n"
        assert cfg.read() == DEFAULT_CONFIG
    assert writes(m) == {}
    time.sleep(HIDE_SECS + 1.2)
    assert ls(ch) == FILES


def test_scratch_bounds(m, ch):
    m.expect_log(r"^osslivefs: warn: write /ch/big: File too large \(EFBIG\): "
                 r"a scratch file holds at most 1 MiB$")
    m.expect_log(r"^osslivefs: warn: create /ch/s64: No space left on device \(ENOSPC\): "
                 r"at most 64 scratch files per mount$")
    fd = os.open(ch / "big", os.O_WRONLY | os.O_CREAT, 0o644)
    assert os.write(fd, b"x" * (1 << 20)) == 1 << 20
    assert os_errno(lambda: os.write(fd, b"x")) == errno.EFBIG
    os.close(fd)
    assert os.stat(ch / "big").st_size == 1 << 20
    os.unlink(ch / "big")
    for i in range(64):
        (ch / f"s{i}").write_text("x")
    assert os_errno(lambda: open(ch / "s64", "w")) == errno.ENOSPC
    os.unlink(ch / "s0")
    (ch / "s64").write_text("x")
    assert writes(m) == {}


def test_rename_of_invalid_scratch_fails_and_changes_nothing(m, ch):
    m.expect_log(r"^osslivefs: warn: rename /ch/tmp.xml: Invalid argument \(EINVAL\): ")
    (ch / "tmp.xml").write_text("<LiveChannelConfiguration><Target><Type>RTMP</Type>"
                                "</Target></LiveChannelConfiguration>\n")
    assert os_errno(lambda: os.rename(ch / "tmp.xml", ch / "config.xml")) == errno.EINVAL
    assert (ch / "tmp.xml").exists()                   # the scratch stays
    assert (ch / "config.xml").read_text() == DEFAULT_CONFIG
    assert writes(m) == {}
    (ch / "e").write_text("maybe\n")
    assert os_errno(lambda: os.rename(ch / "e", ch / "enabled")) == errno.EINVAL
    m.expect_log(r"^osslivefs: warn: rename /ch/e: Invalid argument")
    os.rename(ch / "tmp.xml", ch / "tmp2.xml")        # scratch to scratch
    assert "tmp2.xml" in ls(ch) and "tmp.xml" not in ls(ch)
    m.expect_log(r"^osslivefs: warn: rename /ch/(tmp2.xml|config.xml): Operation not permitted")
    assert os_errno(lambda: os.rename(ch / "tmp2.xml", ch / "status")) == errno.EPERM
    assert os_errno(lambda: os.rename(ch / "config.xml", ch / "x")) == errno.EPERM
    assert writes(m) == {}


def test_rename_scratch_onto_enabled(m, ch):
    (ch / ".enabled.tmp").write_text("off\n")
    os.rename(ch / ".enabled.tmp", ch / "enabled")
    assert info(m, "ch").findtext("Status") == "disabled"
    assert writes(m) == {"PutLiveChannelStatus": 1}


def test_vod_rename_of_a_time_range_creates_the_playlist(m, ch):
    names = ingest(m, "ch", [T0])
    vod = ch / "vod"
    (vod / ".clip.m3u8.tmp").write_text(f"{T0 - 1} {T0 + 1}\n")
    assert ".clip.m3u8.tmp" in os.listdir(vod)
    assert "clip.m3u8" not in os.listdir(vod)
    m.emu.reset_stats()
    os.rename(vod / ".clip.m3u8.tmp", vod / "clip.m3u8")
    assert writes(m) == {"PostVodPlaylist": 1}
    assert names[0] in (vod / "clip.m3u8").read_text()
    assert ".clip.m3u8.tmp" not in os.listdir(vod)


def test_rsync_of_a_playlist_range_into_vod(m, ch, tmp_path):
    names = ingest(m, "ch", [T0])
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "r.m3u8").write_text(f"{T0 - 1} {T0 + 1}\n")
    r = sh(f"rsync -r {tmp_path}/v/ {ch}/vod/")
    assert r.returncode == 0, r.stderr
    assert names[0] in (ch / "vod" / "r.m3u8").read_text()


def test_unlink_then_create_again(m, ch):
    os.unlink(ch / "config.xml")
    assert "config.xml" not in ls(ch)
    assert writes(m) == {}
    assert frag_count(m) == "3"                 # nothing changed in OSS
    (ch / "config.xml").write_text(config_with(5))
    assert frag_count(m) == "5"
    assert "config.xml" in ls(ch)
    os.unlink(ch / "enabled")
    time.sleep(HIDE_SECS + 1.2)                 # hidden only for a short time
    assert ls(ch) == FILES
    assert (ch / "enabled").read_text() == "1\n"
    assert writes(m) == {"PutLiveChannel": 1}


# ---- 2. sizes and times ----------------------------------------------------

def test_stat_gives_exact_sizes_and_cat_is_one_request(m, ch):
    m.emu.control("/-/ingest/start", {"channel": "ch", "remote_addr": "10.0.0.1:5000"})
    sizes = {n: os.stat(ch / n).st_size for n in FILES if n != "vod"}
    texts = {n: (ch / n).read_bytes() for n in sizes}
    assert sizes == {n: len(t) for n, t in texts.items()}
    assert sizes["enabled"] == 2 and sizes["config.xml"] == len(DEFAULT_CONFIG)
    time.sleep(1.1)                              # the kernel forgets the attributes
    m.emu.reset_stats()
    assert sh(f"cat {ch}/status").returncode == 0
    assert requests(m) == {"GetLiveChannelStat": 1}


def test_request_counts_of_ls(m, ch):
    os.listdir(m.mountpoint)
    m.emu.reset_stats()
    r = sh(f"ls -l {ch}")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 8, r.stdout
    got = requests(m)
    assert sum(got.values()) <= 3, got
    sizes = {line.split()[-1]: int(line.split()[4]) for line in r.stdout.splitlines()[1:]}
    assert sizes["enabled"] == 2 and sizes["status"] == len("status idle\n")
    assert sizes["config.xml"] == len(DEFAULT_CONFIG)
    c = fast_client(m)
    for i in range(1200):
        assert c.request("PUT", f"c{i:04d}", {"live": None},
                         DEFAULT_CONFIG.encode()).status == 200
    time.sleep(2.1)                              # cache_ttl: the listing expires
    m.emu.reset_stats()
    r = sh(f"ls -l {m.mountpoint}")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 1202
    assert requests(m) == {"ListLiveChannel": math.ceil(1201 / 1000)}


def test_tar_of_a_never_read_channel_has_exact_files(m, ch, tmp_path):
    ingest(m, "ch", [T0])
    r = subprocess.run(["tar", "cf", str(tmp_path / "c.tar"), "-C", str(m.mountpoint), "ch"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    out = tmp_path / "out"
    out.mkdir()
    assert sh(f"tar xf {tmp_path}/c.tar -C {out}").returncode == 0
    got = (out / "ch" / "config.xml").read_bytes()
    assert got == DEFAULT_CONFIG.encode() and b"\0" not in got
    for n in ("enabled", "status", "history", "play_url"):
        assert (out / "ch" / n).read_bytes() == (ch / n).read_bytes()
    assert writes(m) == {}


def test_rsync_a_of_a_channel_out(m, ch, tmp_path):
    ingest(m, "ch", [T0])
    r = sh(f"rsync -a {ch} {tmp_path}/copy/")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "copy" / "ch" / "config.xml").read_text() == DEFAULT_CONFIG
    assert (tmp_path / "copy" / "ch" / "status").read_text() == "status idle\n"
    assert sorted(os.listdir(tmp_path / "copy" / "ch" / "vod")) == ls(ch / "vod")
    assert writes(m) == {}


def test_find_newer_sees_status_change(m, ch, tmp_path):
    (ch / "status").read_text()
    before = os.stat(ch / "status").st_mtime
    time.sleep(1.1)
    ref = tmp_path / "ref"
    ref.write_text("")
    time.sleep(1.1)
    assert sh(f"find {ch} -newer {ref} -name status").stdout == ""
    m.emu.control("/-/ingest/start", {"channel": "ch"})
    time.sleep(2.2)                              # cache_ttl and the kernel's attributes
    r = sh(f"find {ch} -newer {ref} -name status")
    assert r.stdout.strip() == f"{ch}/status", r.stdout
    assert os.stat(ch / "status").st_mtime > before
    # config.xml and enabled carry the channel's last change.
    assert abs(os.stat(ch / "config.xml").st_mtime - os.stat(ch).st_mtime) < 1
    assert writes(m) == {}


# ---- 3. metadata that changes nothing ----------------------------------------

def test_metadata_to_current_values_succeeds(m, ch):
    m.expect_log(r"^osslivefs: warn: (chmod|chown|truncate) /ch/config.xml: ")
    os.chmod(ch / "config.xml", 0o644)
    os.chown(ch / "config.xml", os.getuid(), os.getgid())
    os.chown(ch / "config.xml", -1, -1)
    os.utime(ch / "config.xml", (T0, T0))
    assert os_errno(lambda: os.chmod(ch / "config.xml", 0o600)) == errno.EPERM
    assert os_errno(lambda: os.chown(ch / "config.xml", 4242, -1)) == errno.EPERM
    with open(ch / "config.xml", "r+b") as f:
        f.write(config_with(3).encode())
        f.truncate(len(config_with(3)))          # to the buffered length
        f.flush()
        assert os_errno(lambda: f.truncate(5)) in (errno.EINVAL, errno.EPERM)
    assert writes(m) == {}                       # and the same value: nothing sent
    assert oct(os.stat(ch / "config.xml").st_mode) == "0o100644"


# ---- 4. writing what is there -------------------------------------------------

def test_rewriting_current_values_on_a_live_channel(m, ch, tmp_path):
    m.expect_log(r"^osslivefs: warn: write /ch/config.xml: Device or resource busy \(EBUSY\)")
    m.emu.control("/-/ingest/start", {"channel": "ch"})
    same = tmp_path / "same.xml"
    # The same values, written differently: compared parsed, not as bytes.
    same.write_text(DEFAULT_CONFIG.replace("  ", "\t").replace("<Description></Description>",
                                                                "<Description/>"))
    r = sh(f"cp {same} {ch}/config.xml && echo 1 > {ch}/enabled && echo ' on' > {ch}/enabled")
    assert r.returncode == 0, r.stderr
    assert writes(m) == {}
    (tmp_path / "new.xml").write_text(config_with(5))
    r = sh(f"cp {tmp_path}/new.xml {ch}/config.xml")
    assert r.returncode != 0 and "Device or resource busy" in r.stderr
    assert frag_count(m) == "3"


# ---- 5. no stray channels, no half deletions ----------------------------------

def test_git_init_at_the_root_makes_no_channel(m, tmp_path):
    m.expect_log(r"^osslivefs: warn: mkdir /\.git: Invalid argument \(EINVAL\): "
                 r"names beginning with '\.' are not channels$")
    r = sh(f"git init -q {m.mountpoint}")
    assert r.returncode != 0
    assert channels(m) == []
    assert requests(m).get("PutLiveChannel") is None
    repo = tmp_path / "repo"
    (repo / "cam").mkdir(parents=True)
    (repo / "cam" / "notes").write_text("x\n")
    assert sh(f"git init -q {repo}").returncode == 0
    r = sh(f"cp -r {repo}/. {m.mountpoint}/")
    assert r.returncode != 0 and ".git" in r.stderr
    assert channels(m) == ["cam"]
    ch_names = [c.findtext("Name") for c in
                m.emu.client().request("GET", "", {"live": None}).xml().iter("LiveChannel")]
    assert ch_names == ["cam"]


@pytest.mark.parametrize("cmd", ["rm -r {ch}", "find {ch} -delete"])
def test_deleting_an_idle_channel_tree_removes_all(m, ch, cmd):
    segs = ingest(m, "ch", [T0, T0 + 10])
    assert len(objects(m, "ch/")) == len(segs) + 1
    r = sh(cmd.format(ch=ch))
    assert r.returncode == 0, r.stderr
    assert channels(m) == []
    assert objects(m, "ch/") == []
    assert m.emu.client().request("GET", "ch", {"live": None}).status == 404


@pytest.mark.parametrize("cmd", ["rm -r {ch}", "find {ch} -delete"])
def test_deleting_a_live_channel_tree_removes_nothing(m, ch, cmd):
    m.expect_log(r"^osslivefs: warn: rmdir /ch: Device or resource busy \(EBUSY\)")
    segs = ingest(m, "ch", [T0, T0 + 10])
    before = objects(m, "ch/")
    m.emu.control("/-/ingest/start", {"channel": "ch"})
    r = sh(cmd.format(ch=ch))
    assert r.returncode != 0 and "Device or resource busy" in r.stderr
    assert objects(m, "ch/") == before
    assert ls(ch) == FILES
    assert sorted(os.listdir(ch / "vod")) == sorted(segs + ["playlist.m3u8"])
    assert writes(m) == {"DeleteLiveChannel": 1}      # tried first, refused: EBUSY


def test_rm_r_of_vod_deletes_the_recordings_and_succeeds(m, ch):
    segs = ingest(m, "ch", [T0, T0 + 10])
    r = sh(f"rm -r {ch}/vod")
    assert r.returncode == 0, r.stderr
    assert objects(m, "ch/") == []
    assert writes(m) == {"DeleteObject": len(segs) + 1}
    assert info(m, "ch").findtext("Status") == "enabled"   # the channel stays
    time.sleep(HIDE_SECS + 1.2)
    assert ls(ch) == FILES and os.listdir(ch / "vod") == []


def test_empty_or_incomplete_vod_file_stays_as_a_scratch_file(m, ch):
    m.expect_log(r"^osslivefs: warn: close /ch/vod/y.m3u8: Invalid argument \(EINVAL\): "
                 r"expected two times")
    names = ingest(m, "ch", [T0])
    m.emu.reset_stats()
    vod = ch / "vod"
    r = sh(f"touch {vod}/x.m3u8")
    assert r.returncode == 0, r.stderr
    assert "x.m3u8" in os.listdir(vod) and os.stat(vod / "x.m3u8").st_size == 0
    # bash ignores close(2): the incomplete range stays visible instead.
    r = sh(f"echo now-1h > {vod}/y.m3u8")
    assert (vod / "y.m3u8").read_text() == "now-1h\n"
    assert writes(m) == {}
    # A range written into it makes the playlist.
    r = sh(f"echo '{T0 - 1} {T0 + 1}' > {vod}/x.m3u8")
    assert r.returncode == 0, r.stderr
    assert writes(m) == {"PostVodPlaylist": 1}
    assert names[0] in (vod / "x.m3u8").read_text()
    assert [o for o in objects(m, "ch/") if o.endswith(".m3u8")] == \
        ["ch/playlist.m3u8", "ch/x.m3u8"]


def test_dot_names_are_never_channels(m):
    m.expect_log(r"^osslivefs: warn: mkdir /\.hidden: Invalid argument \(EINVAL\): ")
    m.emu.reset_stats()
    assert os_errno(lambda: os.mkdir(m.path(".hidden"))) == errno.EINVAL
    assert requests(m) == {}
    put_channel(m, ".other")                      # made by another client
    assert channels(m) == []
    assert os_errno(lambda: os.stat(m.path(".other"))) == errno.ENOENT
