"""The tools a user would pick instead of osslivefs, run by bench.py on the same emulator.

* ``S3fs``: Debian's s3fs (FUSE), ``-o public_bucket=1`` on the public-read bucket;
* ``Rclone``: ``rclone mount`` of an anonymous S3 remote (provider Other, path style);
* ``ffmpeg_copy``: ``ffmpeg -c copy`` of an HLS playlist, from a file or over HTTP.

A peer that cannot run here says why (``unavailable``), and bench.py shows that reason in its
row instead of a figure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Optional

from mountlib import is_mounted


class PeerMount:
    """A FUSE mount of the whole bucket by another program, in the foreground."""

    name = "peer"
    binary = ""

    def __init__(self, work: Path, port: int, bucket: str, cache_ttl: int) -> None:
        self.work = work
        self.port = port
        self.bucket = bucket
        self.cache_ttl = cache_ttl
        self.mountpoint = work / f"mnt-{self.name}"
        self.log_path = work / f"{self.name}.log"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def unavailable(self, public_read: bool) -> Optional[str]:
        if not shutil.which(self.binary):
            return f"{self.binary} is not installed"
        if not public_read:
            return ("needs the emulator's --public-read (it signs with AWS signatures, "
                    "which the emulator does not verify)")
        return None

    def argv(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def start(self, timeout: float = 15) -> None:
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv(), stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL, env=self.env())
        deadline = time.monotonic() + timeout
        while not is_mounted(self.mountpoint):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not mount: {self.log()[-500:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None:
            return
        if is_mounted(self.mountpoint):
            subprocess.run(["fusermount3", "-u", str(self.mountpoint)], capture_output=True)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            subprocess.run(["fusermount3", "-uz", str(self.mountpoint)], capture_output=True)
        self.proc = None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def channel(self, ch: str) -> Path:
        """Where a channel's objects appear: the key prefix ch/ is a directory."""
        return self.mountpoint / ch


class S3fs(PeerMount):
    name = "s3fs"
    binary = "s3fs"

    def argv(self) -> list[str]:
        opts = [f"url=http://127.0.0.1:{self.port}", "use_path_request_style",
                "public_bucket=1", f"stat_cache_expire={self.cache_ttl}"]
        return ["s3fs", self.bucket, str(self.mountpoint), "-f", "-o", ",".join(opts)]


class Rclone(PeerMount):
    name = "rclone"
    binary = "rclone"

    def env(self) -> dict[str, str]:
        # No AWS_* from the caller: keys would not be anonymous, and rclone's AWS SDK refuses
        # AWS_CA_BUNDLE with its own HTTP transport.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        # An anonymous S3 remote: no keys, no env_auth.
        env.update({
            "RCLONE_CONFIG": "/dev/null",
            "RCLONE_CONFIG_EMU_TYPE": "s3",
            "RCLONE_CONFIG_EMU_PROVIDER": "Other",
            "RCLONE_CONFIG_EMU_ENDPOINT": f"http://127.0.0.1:{self.port}",
            "RCLONE_CONFIG_EMU_FORCE_PATH_STYLE": "true",
        })
        return env

    def argv(self) -> list[str]:
        ttl = f"{self.cache_ttl}s"
        return ["rclone", "mount", f"emu:{self.bucket}", str(self.mountpoint), "--read-only",
                "--vfs-cache-mode", "off", "--dir-cache-time", ttl, "--attr-timeout", ttl]


def ffmpeg_copy(source: str, out: Path, timeout: float = 300) -> None:
    """ffmpeg -c copy of an HLS playlist (a path or an http:// URL) into one .ts file."""
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", source, "-map", "0",
                        "-c", "copy", "-f", "mpegts", str(out)],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise RuntimeError(f"ffmpeg -i {source}: {r.returncode} {r.stderr[-500:]}")
