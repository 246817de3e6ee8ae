"""The front door: --help, --version, the man page, make install, mount(8) and
fstab, the background daemon (syslog, SIGHUP), and make demo in a fresh clone.

The tests that mount need root and /dev/fuse and are skipped without them.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from mountlib import BINARY, is_mounted, run_osslivefs

ROOT = Path(__file__).resolve().parent.parent
MAN_PAGE = ROOT / "contrib" / "osslivefs.1"

# Design §2: every option of osslivefs.
DESIGN_OPTIONS = {"region", "url", "endpoint", "path_style", "sigv1", "passwd_file",
                  "cache_ttl", "retries", "connect_timeout", "timeout",
                  "publish_url_expires", "frag_duration", "frag_count", "playlist_name",
                  "loglevel", "cafile"}

needs_binary = pytest.mark.skipif(not BINARY.exists(), reason=f"{BINARY} is not built")
needs_fuse = pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/dev/fuse"),
                                reason="needs root and /dev/fuse")


def clean_env() -> dict[str, str]:
    """The environment without credentials and without the make that runs us
    (make exports its command-line variables, such as SANITIZE=1)."""
    drop = ("OSS_", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "OSSLIVEFS_BUILD")
    return {k: v for k, v in os.environ.items()
            if not k.startswith(drop) and k not in ("SANITIZE", "BUILD")}


# --- --help, --version, the man page -------------------------------------------------------

def help_text() -> str:
    r = run_osslivefs(["--help"])
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


def our_help_section(text: str) -> str:
    """--help up to the options of libfuse."""
    assert "FUSE options:" in text
    return text.split("FUSE options:", 1)[0]


def help_options(text: str) -> set[str]:
    section = our_help_section(text)
    names = set(re.findall(r"^\s+-o (\w+)", section, re.M))
    names |= set(re.findall(r"\balias (\w+)=", section))
    return names


def man_section(roff: str, heading: str) -> str:
    """The text of a .SS subsection, up to the next .SS or .SH."""
    m = re.search(r'^\.SS "?%s"?\n(.*?)^\.S[SH] ' % re.escape(heading), roff, re.M | re.S)
    assert m, f"no .SS {heading} in {MAN_PAGE}"
    return m.group(1)


def man_options(roff: str) -> set[str]:
    return set(re.findall(r"\\-o (\w+)", man_section(roff, "osslivefs options")))


@needs_binary
def test_help_lists_every_option_and_exits_0() -> None:
    text = help_text()
    ours = our_help_section(text)
    assert help_options(text) == DESIGN_OPTIONS
    for flag in ("-h, --help", "-V, --version"):
        assert flag in ours
    # Then libfuse's: its command-line options and its mount options.
    fuse = text.split("FUSE options:", 1)[1]
    for opt in ("-f ", "-d ", "-s ", "allow_other", "max_idle_threads"):
        assert opt in fuse
    assert run_osslivefs(["-h"]).stdout == text


def pkg_version(pkg: str) -> str | None:
    if shutil.which("pkg-config") is None:
        return None
    r = subprocess.run(["pkg-config", "--modversion", pkg], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


@needs_binary
def test_version_prints_five_lines() -> None:
    r = run_osslivefs(["--version"])
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert len(lines) == 5, r.stdout
    version = re.search(r"^VERSION\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert version
    assert lines[0] == f"osslivefs version {version.group(1)}"
    patterns = [r"libfuse version (\S+)", r"libcurl version (\S+)",
                r"OpenSSL version OpenSSL (\S+)( .*)?", r"libxml2 version (\S+)"]
    packages = ["fuse3", "libcurl", "openssl", "libxml-2.0"]
    for line, pattern, pkg in zip(lines[1:], patterns, packages):
        m = re.fullmatch(pattern, line)
        assert m, line
        expected = pkg_version(pkg)
        if expected:
            assert m.group(1).startswith(expected), (line, expected)
    assert run_osslivefs(["-V"]).stdout == r.stdout


@needs_binary
def test_help_and_man_page_list_the_same_options() -> None:
    roff = MAN_PAGE.read_text()
    assert man_options(roff) == help_options(help_text())
    # The flags too.
    for flag in (r"\-f", r"\-d", r"\-s", r"\-h", r"\-\-help", r"\-V", r"\-\-version"):
        assert flag in roff


def test_man_page_renders_without_warnings() -> None:
    if shutil.which("groff") is None:
        pytest.skip("groff is not installed (Debian package groff-base)")
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(MAN_PAGE)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    if shutil.which("man") is None:
        return
    r = subprocess.run(["man", "--warnings", "-l", str(MAN_PAGE)], capture_output=True,
                       text=True, env={**os.environ, "MANWIDTH": "80", "MANPAGER": "cat",
                                       "PAGER": "cat"})
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith("OSSLIVEFS(1)")
    assert "mount the LiveChannels of an Alibaba Cloud OSS bucket" in r.stdout


# --- make install --------------------------------------------------------------------------

def make(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True,
                          text=True, env=clean_env(), timeout=timeout)


def installed_files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mode & 0o7777
            for p in root.rglob("*") if not p.is_dir()}


def make_install(destdir: Path, prefix: str) -> None:
    r = make(f"BUILD={BINARY.parent}", "install", f"DESTDIR={destdir}", f"PREFIX={prefix}")
    assert r.returncode == 0, r.stdout + r.stderr


@needs_binary
def test_make_install_and_uninstall(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    make_install(dest, "/usr")
    assert installed_files(dest) == {"usr/bin/osslivefs": 0o755,
                                     "usr/share/man/man1/osslivefs.1": 0o644}
    assert (dest / "usr/bin/osslivefs").read_bytes() == BINARY.read_bytes()
    assert (dest / "usr/share/man/man1/osslivefs.1").read_bytes() == MAN_PAGE.read_bytes()

    r = make(f"BUILD={BINARY.parent}", "uninstall", f"DESTDIR={dest}", "PREFIX=/usr")
    assert r.returncode == 0, r.stdout + r.stderr
    assert installed_files(dest) == {}


# --- mount(8) and fstab --------------------------------------------------------------------

def write_passwd(path: Path, ak: str = "AKID", sk: str = "SECRET") -> Path:
    path.write_text(f"{ak}:{sk}\n")
    path.chmod(0o600)
    return path


def mount_options(emulator, passwd: Path) -> str:
    return f"url={emulator.url},region=cn-hangzhou,passwd_file={passwd}"


def run_in_mount_namespace(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run script in a private mount namespace where /usr/local/bin holds only
    `make install`'s osslivefs: mount(8) runs mount.fuse3 with its own fixed
    PATH, so this is how the installed binary is found without touching the
    system.  Whatever the script mounts lives and dies in that namespace."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    dest = tmp_path / "dest"
    make_install(dest, "/usr/local")
    full = f"""set -eu
mount --bind {dest}/usr/local/bin /usr/local/bin
{script}"""
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", full],
                          capture_output=True, text=True, env=clean_env(), timeout=60)


MOUNT_CHECK = """
trap 'fusermount3 -u {mnt} 2>/dev/null || true' EXIT
grep " {mnt} " /proc/self/mounts
mkdir {mnt}/viamount
ls {mnt}
umount {mnt}
if grep -q " {mnt} " /proc/self/mounts; then echo STILL-MOUNTED; fi
"""


def check_mount_output(r: subprocess.CompletedProcess[str], mnt: Path, emulator) -> None:
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["testbucket", str(mnt), "fuse.osslivefs"], r.stdout
    assert lines[1:] == ["viamount"], r.stdout
    assert emulator.stats().get("PutLiveChannel") == 1


@needs_binary
@needs_fuse
def test_mount_t_fuse_osslivefs(tmp_path: Path, emulator) -> None:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    passwd = write_passwd(tmp_path / "passwd")
    opts = mount_options(emulator, passwd) + ",_netdev,nofail,x-systemd.automount"
    r = run_in_mount_namespace(
        tmp_path, f"mount -t fuse.osslivefs testbucket {mnt} -o {opts}\n"
        + MOUNT_CHECK.format(mnt=mnt))
    check_mount_output(r, mnt, emulator)


@needs_binary
@needs_fuse
def test_fstab_line_mounts(tmp_path: Path, emulator) -> None:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    passwd = write_passwd(tmp_path / "passwd")
    fstab = tmp_path / "fstab"
    fstab.write_text("# as in contrib/fstab.example\n"
                     f"testbucket {mnt} fuse.osslivefs _netdev,nofail,"
                     f"x-systemd.mount-timeout=30,{mount_options(emulator, passwd)} 0 0\n")
    r = run_in_mount_namespace(tmp_path, f"mount --fstab {fstab} {mnt}\n"
                               + MOUNT_CHECK.format(mnt=mnt))
    check_mount_output(r, mnt, emulator)


# --- the background daemon -----------------------------------------------------------------

def daemon_pid(argv: list[str]) -> int:
    """The pid of the detached daemon: the process whose command line is argv."""
    want = ("\0".join(argv) + "\0").encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if f.read() == want:
                    return int(entry)
        except OSError:
            continue
    raise AssertionError(f"no process {argv}")


def alive(pid: int) -> bool:
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Background:
    """osslivefs mounted in the background (no -f): it detaches."""

    def __init__(self, emulator, mnt: Path, passwd: Path, extra: str = "") -> None:
        mnt.mkdir(exist_ok=True)
        self.mnt = mnt
        opts = mount_options(emulator, passwd) + (f",{extra}" if extra else "")
        self.argv = [str(BINARY), "testbucket", str(mnt), "-o", opts]
        r = subprocess.run(self.argv, capture_output=True, text=True, env=clean_env(),
                           timeout=30)
        assert r.returncode == 0, r.stderr
        assert is_mounted(mnt)
        self.pid = daemon_pid(self.argv)

    def stop(self) -> None:
        if is_mounted(self.mnt):
            subprocess.run(["fusermount3", "-u", str(self.mnt)], capture_output=True)
        deadline = time.monotonic() + 10
        while alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if alive(self.pid):
            os.kill(self.pid, signal.SIGKILL)
            subprocess.run(["fusermount3", "-uz", str(self.mnt)], capture_output=True)


def pending_signals(pid: int) -> int:
    """Signals pending for the process or any of its threads, as a mask."""
    mask = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("SigPnd:", "ShdPnd:")):
                        mask |= int(line.split()[1], 16)
        except OSError:
            continue
    return mask


@needs_binary
@needs_fuse
def test_sighup_does_not_stop_a_background_mount(tmp_path: Path, emulator) -> None:
    bg = Background(emulator, tmp_path / "mnt", write_passwd(tmp_path / "passwd"))
    try:
        os.mkdir(bg.mnt / "hup")
        os.kill(bg.pid, signal.SIGHUP)
        # Wait until the signal has been delivered (or discarded as ignored).
        deadline = time.monotonic() + 5
        while alive(bg.pid) and pending_signals(bg.pid) & (1 << (signal.SIGHUP - 1)):
            assert time.monotonic() < deadline, "SIGHUP stays pending"
            time.sleep(0.01)
        # A daemon told to exit leaves its loop and unmounts at once; watch a
        # second of requests to see that it does not.
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            assert is_mounted(bg.mnt), "SIGHUP stopped the daemon and unmounted"
            assert sorted(os.listdir(bg.mnt)) == [".osslivefs", "hup"]
            assert alive(bg.pid)
            time.sleep(0.05)
    finally:
        bg.stop()
    assert not alive(bg.pid)
    assert not is_mounted(bg.mnt)


class SyslogSocket:
    """A stand-in for the syslog daemon: a datagram socket on /dev/log."""

    PATH = "/dev/log"

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.PATH)

    def close(self) -> None:
        self.sock.close()
        os.unlink(self.PATH)

    def messages(self, pid: int, timeout: float) -> list[str]:
        """Messages from pid: wait up to timeout for the first, then take
        whatever else is queued."""
        out: list[str] = []
        self.sock.settimeout(timeout)
        while True:
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, BlockingIOError):
                return out
            self.sock.setblocking(False)
            msg = data.decode(errors="replace")
            if f"osslivefs[{pid}]:" in msg:
                out.append(msg)


def write_once(path: Path, data: bytes) -> int:
    """One write(2), then close(2): the errno of the first that fails, or 0."""
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, data)
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)
    return 0


@needs_binary
@needs_fuse
def test_background_logs_to_syslog_and_loglevel_works(tmp_path: Path, emulator) -> None:
    if os.path.exists(SyslogSocket.PATH):
        pytest.skip("a syslog daemon owns /dev/log here")
    log = SyslogSocket()
    try:
        passwd = write_passwd(tmp_path / "passwd")
        bg = Background(emulator, tmp_path / "mnt", passwd)
        try:
            os.mkdir(bg.mnt / "ch")
            assert write_once(bg.mnt / "ch" / "enabled", b"bogus\n") == errno.EINVAL
            msgs = log.messages(bg.pid, timeout=10)
        finally:
            bg.stop()
        # LOG_DAEMON | LOG_WARNING = <28>, the program name and pid, the line of fs_log.
        assert len(msgs) == 1, msgs
        assert re.match(r"<28>.*osslivefs\[%d\]: write /ch/enabled: Invalid argument "
                        r"\(EINVAL\): expected one of " % bg.pid, msgs[0]), msgs[0]

        # loglevel=err drops the warning.
        bg = Background(emulator, tmp_path / "mnt2", passwd, "loglevel=err")
        try:
            assert write_once(bg.mnt / "ch" / "enabled", b"bogus\n") == errno.EINVAL
        finally:
            bg.stop()       # the daemon has exited: all it logged is queued
        assert log.messages(bg.pid, timeout=0) == []
    finally:
        log.close()


# --- make demo in a fresh clone ------------------------------------------------------------

def stop_recorded(pid: int | None, name: bytes) -> None:
    """SIGTERM pid if it is still the process demo.sh recorded."""
    try:
        if pid and alive(pid) and name in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGTERM)
    except OSError:
        pass


@needs_fuse
def test_make_demo_and_demo_stop_in_a_fresh_clone(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    clone = tmp_path / "clone"
    r = subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    demo = clone / "build" / "demo"
    mnt = demo / "mnt"
    log = demo / "osslivefs.log"
    emulator_pid = daemon = None
    try:
        r = make("-j2", "demo", cwd=clone, timeout=240)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "Tour" in r.stdout and "make demo-stop" in r.stdout, r.stdout
        assert f"tail -f {log}" in r.stdout, r.stdout
        assert is_mounted(mnt)
        emulator_pid = int((demo / "emulator.pid").read_text())
        assert alive(emulator_pid)
        # osslivefs runs in the foreground of its own session, its log in a file.
        daemon = int((demo / "osslivefs.pid").read_text())
        assert alive(daemon)
        cmdline = Path(f"/proc/{daemon}/cmdline").read_bytes().split(b"\0")
        assert cmdline[:4] == [str(clone / "build" / "osslivefs").encode(), b"demo-bucket",
                               str(mnt).encode(), b"-f"], cmdline
        assert os.getsid(daemon) == daemon
        assert sorted(os.listdir(mnt)) == [".osslivefs", "demo"]
        assert (mnt / "demo" / "status").read_text() == "status idle\n"
        assert (mnt / "demo" / "vod" / "lasthour.m3u8").read_text().startswith("#EXTM3U\n")
        # A failed operation (the tour's "echo maybe > demo/enabled") lands in the log.
        assert log.read_text() == ""
        assert write_once(mnt / "demo" / "enabled", b"maybe\n") == errno.EINVAL
        assert log.read_text() == ("osslivefs: warn: write /demo/enabled: Invalid argument "
                                   "(EINVAL): expected one of 1 0 true false yes no on off "
                                   "enabled disabled\n")

        r = make("demo-stop", cwd=clone, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert not is_mounted(mnt)
        assert not alive(emulator_pid)
        assert not alive(daemon)
        assert not demo.exists()
    finally:
        if is_mounted(mnt):
            subprocess.run(["fusermount3", "-u", str(mnt)], capture_output=True)
        stop_recorded(daemon, b"osslivefs")
        stop_recorded(emulator_pid, b"osslive_emulator.py")
