"""Run osslivefs for real: a FUSE mount in the foreground, its stderr kept.

Used by the mount fixtures in conftest.py:

    m = Mount(bucket="testbucket", mountpoint=tmp / "mnt", url=emu.url,
              passwd=("AKID", "SECRET"), options=["sigv1"])
    m.start()            # returns once the mount is live, or raises
    ...
    log = m.stop()       # fusermount3 -u, waits for the daemon, its stderr
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

BUILD = Path(os.environ.get("OSSLIVEFS_BUILD",
                            Path(__file__).resolve().parent.parent / "build"))
BINARY = BUILD / "osslivefs"


def is_mounted(path: Path) -> bool:
    target = os.path.realpath(path)
    with open("/proc/self/mounts", encoding="utf-8") as f:
        return any(line.split()[1] == target for line in f)


class Mount:
    def __init__(self, bucket: str, mountpoint: Path, url: str,
                 passwd: tuple[str, str] | None = None,
                 options: list[str] | None = None,
                 env: dict[str, str] | None = None,
                 workdir: Path | None = None) -> None:
        self.bucket = bucket
        self.mountpoint = Path(mountpoint)
        self.url = url
        self.options = list(options or [])
        self.env = dict(env or {})
        self.workdir = Path(workdir or self.mountpoint.parent)
        self.passwd_file: Path | None = None
        if passwd is not None:
            self.passwd_file = self.workdir / f"passwd-{self.mountpoint.name}"
            self.passwd_file.write_text(f"{passwd[0]}:{passwd[1]}\n")
            self.passwd_file.chmod(0o600)
        self.stderr_path = self.workdir / f"osslivefs-{self.mountpoint.name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        opts = [f"url={self.url}"] + self.options
        if self.passwd_file is not None:
            opts.append(f"passwd_file={self.passwd_file}")
        return [str(BINARY), self.bucket, str(self.mountpoint), "-f",
                "-o", ",".join(opts)]

    def start(self, timeout: float = 10.0) -> None:
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("OSS_")}
        env.update(self.env)
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.argv(), stdout=subprocess.DEVNULL,
                                     stderr=self._stderr, env=env)
        deadline = time.monotonic() + timeout
        # The kernel shows the mount in /proc/self/mounts once FUSE_INIT is
        # done; there is no other signal from a foreground daemon.
        while not is_mounted(self.mountpoint):
            if self.proc.poll() is not None:
                self._stderr.close()
                raise RuntimeError("osslivefs exited with status "
                                   f"{self.proc.returncode}: {self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"osslivefs did not mount: {self.log()}")
            time.sleep(0.02)

    def log(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> str:
        if self.proc is None:
            return self.log()
        if is_mounted(self.mountpoint):
            subprocess.run(["fusermount3", "-u", str(self.mountpoint)],
                           check=False, capture_output=True)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            subprocess.run(["fusermount3", "-uz", str(self.mountpoint)],
                           check=False, capture_output=True)
        self._stderr.close()
        self.proc = None
        return self.log()

    def path(self, *parts: str) -> Path:
        return self.mountpoint.joinpath(*parts)


def run_osslivefs(args: list[str], env: dict[str, str] | None = None,
                  timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run the binary to completion (for start-up failures, --help, ...)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_")}
    full_env.update(env or {})
    return subprocess.run([str(BINARY)] + args, capture_output=True,
                          text=True, env=full_env, timeout=timeout)


# ---- pytest fixtures: import them into a test module to use them --------

import re  # noqa: E402

import pytest  # noqa: E402

# Mount variants: (options, credentials as passwd pair, or env for STS).
VARIANTS = {
    "v4-vhost": {"options": ["region=cn-hangzhou"], "url": "http://localhost:{port}"},
    "v1-vhost": {"options": ["region=cn-hangzhou", "sigv1"], "url": "http://localhost:{port}"},
    "v4-path": {"options": ["region=cn-hangzhou"], "url": "http://127.0.0.1:{port}"},
    "v1-path": {"options": ["sigv1", "path_style", "region=cn-hangzhou"],
                "url": "http://localhost:{port}"},
    "v4-sts": {"options": ["region=cn-hangzhou"], "url": "http://localhost:{port}",
               "env": {"OSS_ACCESS_KEY_ID": "STSKEY", "OSS_ACCESS_KEY_SECRET": "STSSECRET",
                       "OSS_SESSION_TOKEN": "STSTOKEN"}},
}


class LiveMount(Mount):
    """A Mount that also knows its emulator and which log lines to expect."""

    def __init__(self, emulator, tmp_path: Path, variant: str = "v4-vhost",
                 extra: list[str] | None = None) -> None:
        v = VARIANTS[variant]
        env = v.get("env")
        super().__init__(bucket="testbucket", mountpoint=tmp_path / "mnt",
                         url=v["url"].format(port=emulator.port),
                         passwd=None if env else ("AKID", "SECRET"),
                         options=v["options"] + list(extra or []),
                         env=env, workdir=tmp_path)
        self.emu = emulator
        self.variant = variant
        self.access_key_id = env["OSS_ACCESS_KEY_ID"] if env else "AKID"
        self.token = env.get("OSS_SESSION_TOKEN") if env else None
        self.expected: list[re.Pattern[str]] = []

    def expect_log(self, pattern: str) -> None:
        """Allow daemon stderr lines matching pattern (a regex)."""
        self.expected.append(re.compile(pattern))

    def unexpected_log(self) -> list[str]:
        return [line for line in self.log().splitlines()
                if line and not any(p.search(line) for p in self.expected)]


# OSSLIVEFS_VARIANTS=v4-vhost[,...] narrows them: the sanitized run
# (make test SANITIZE=1) looks for memory errors, which the signing variant
# does not change, so it runs the mount suites once.
RUN_VARIANTS = [v for v in os.environ.get("OSSLIVEFS_VARIANTS", "").split(",")
                if v in VARIANTS] or list(VARIANTS)


@pytest.fixture(params=RUN_VARIANTS)
def mnt(emulator, tmp_path, request):
    """A mounted testbucket: every test that uses it runs once per variant
    (V4 and V1, virtual-hosted and path style, an STS token)."""
    variant = request.param
    m = LiveMount(emulator, tmp_path, variant)
    m.start()
    yield m
    m.stop()
    unexpected = m.unexpected_log()
    assert not unexpected, "unexpected daemon stderr:\n" + "\n".join(unexpected)
