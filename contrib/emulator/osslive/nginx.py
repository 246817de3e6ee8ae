"""A private nginx with the RTMP module (--rtmp): its configuration, its process, /stat and
rtmp_control.

One RTMP server on a free port of 127.0.0.1 with the application ``live`` (the app name of OSS
publish URLs).  on_publish asks the emulator, which answers 403 to refuse a stream.  nginx cuts
HLS at every key frame (``hls_fragment`` is short) into ``PREFIX/hls/<stream>/``, pieces named
for the wall clock in ms as OSS names its segments; the emulator joins the pieces into segments
of the channel's FragDuration (rtmp.py), since nginx's ``hls_fragment`` is one value for all
streams of an application.  An HTTP server on a second port serves ``/stat`` and ``/control``.
"""

from __future__ import annotations

import ctypes
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Optional

MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
PACKAGES = "nginx-light libnginx-mod-rtmp"
# nginx closes a piece at the first key frame once it holds this much media: with any usual
# key frame interval, at every key frame.
PIECE_MS = 250
# Without a key frame, OSS forces a cut after max(2 x FragDuration, 60 s).
FORCED_CUT_S = 60


def missing() -> Optional[str]:
    """Why --rtmp cannot run on this machine (one line), or None."""
    if nginx_binary() is None or not os.path.exists(MODULE):
        return ("--rtmp needs nginx with the RTMP module: apt-get install %s" % PACKAGES)
    return None


def nginx_binary() -> Optional[str]:
    for path in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if path and os.access(path, os.X_OK):
            return path
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class StreamStat:
    """What /stat says about one stream of the application live."""
    name: str
    address: str
    video: Optional[dict]
    audio: Optional[dict]


class Nginx:
    def __init__(self, prefix: str, callbacks: str):
        self.prefix = prefix                # nginx -p
        self.callbacks = callbacks          # http://127.0.0.1:EMU_PORT/-/rtmp
        self.hls = os.path.join(prefix, "hls")
        self.proc: Optional[subprocess.Popen] = None
        self.port = self.http_port = 0

    # -- configuration ----------------------------------------------------------------------

    def config(self) -> str:
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "".join("    %s_temp_path \"%s/tmp/%s\";\n" % (k, self.prefix, k) for k in
                       ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        if '"' in self.prefix or "\\" in self.prefix:
            raise RuntimeError("nginx cannot take the directory %r" % self.prefix)
        return """load_module %(module)s;
daemon off;
%(user)sworker_processes 1;
pid "%(prefix)s/nginx.pid";
error_log "%(prefix)s/logs/error.log" warn;
events { worker_connections 1024; }
rtmp {
    server {
        listen 127.0.0.1:%(port)d;
        notify_method post;
        application live {
            live on;
            hls on;
            hls_path "%(prefix)s/hls";
            hls_nested on;
            hls_fragment %(piece)dms;
            hls_max_fragment %(forced)ds;
            hls_playlist_length 60s;
            hls_cleanup off;
            hls_fragment_naming system;
            on_publish %(cb)s/on_publish;
            on_publish_done %(cb)s/on_publish_done;
        }
    }
}
http {
    access_log off;
%(temp)s    server {
        listen 127.0.0.1:%(http)d;
        location /stat { rtmp_stat all; }
        location /control { rtmp_control all; }
    }
}
""" % {"module": MODULE, "user": user, "prefix": self.prefix, "port": self.port,
       "piece": PIECE_MS, "forced": FORCED_CUT_S, "cb": self.callbacks, "temp": temp,
       "http": self.http_port}

    # -- process ----------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        """Start nginx on two free ports; RuntimeError with its log when it does not run."""
        for sub in ("conf", "logs", "hls", "tmp"):
            os.makedirs(os.path.join(self.prefix, sub), exist_ok=True)
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError(missing() or "nginx is missing")
        why = ""
        for _ in range(3):             # a free port may be taken before nginx binds it
            self.port, self.http_port = free_port(), free_port()
            with open(os.path.join(self.prefix, "conf", "nginx.conf"), "w") as f:
                f.write(self.config())
            log = open(os.path.join(self.prefix, "logs", "stderr.log"), "ab")
            self.proc = subprocess.Popen(
                [binary, "-p", self.prefix + "/", "-c", "conf/nginx.conf",
                 "-e", os.path.join(self.prefix, "logs", "error.log")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                preexec_fn=_die_with_parent)
            log.close()
            why = self._wait_ready(timeout)
            if not why:
                return
            self.stop()
        raise RuntimeError("nginx did not start: %s" % why)

    def _wait_ready(self, timeout: float) -> str:
        """Empty once /stat answers, else what went wrong."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return "exit status %d: %s" % (self.proc.returncode, self.log_tail())
            try:
                self.get("/stat")
                return ""
            except OSError:
                time.sleep(0.05)
        return "no answer on port %d within %g s: %s" % (self.http_port, timeout,
                                                         self.log_tail())

    def log_tail(self) -> str:
        lines: list[str] = []
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.prefix, "logs", name), errors="replace") as f:
                    lines += f.read().splitlines()
            except OSError:
                pass
        return " | ".join(lines[-3:])

    def stop(self) -> None:
        """SIGTERM to the master (it stops its worker), SIGKILL to the group if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # its worker, whatever became of the master
        except ProcessLookupError:
            pass
        proc.wait()

    # -- HTTP: /stat and /control -----------------------------------------------------------

    def get(self, path: str) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=5)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            data = r.read()
            if r.status != 200:
                raise OSError("nginx answered %d to %s" % (r.status, path))
            return data
        finally:
            conn.close()

    def drop_publisher(self, name: str) -> bool:
        """Disconnect the publisher of live/<name> (rtmp_control); False when there was none."""
        q = urllib.parse.urlencode({"app": "live", "name": name})
        try:
            return self.get("/control/drop/publisher?" + q).strip() not in (b"", b"0")
        except OSError:
            return False

    def stat(self) -> dict[str, StreamStat]:
        """The publishing streams of the application live, by name."""
        try:
            root = ET.fromstring(self.get("/stat"))
        except (OSError, ET.ParseError):
            return {}
        out = {}
        for app in root.iter("application"):
            if app.findtext("name") != "live":
                continue
            for s in app.iter("stream"):
                pub = [c for c in s.findall("client") if c.find("publishing") is not None]
                if not pub:
                    continue
                name = s.findtext("name") or ""
                out[name] = StreamStat(name, pub[0].findtext("address") or "",
                                       _video(s), _audio(s))
        return out


def _num(e: ET.Element, path: str) -> int:
    try:
        return int(float(e.findtext(path) or 0))
    except ValueError:
        return 0


def _video(s: ET.Element) -> Optional[dict]:
    v = s.find("meta/video")
    if v is None or not v.findtext("codec"):
        return None
    return {"width": _num(v, "width"), "height": _num(v, "height"),
            "frame_rate": _num(v, "frame_rate"), "bandwidth": _num(s, "bw_video"),
            "codec": v.findtext("codec")}


def _audio(s: ET.Element) -> Optional[dict]:
    a = s.find("meta/audio")
    if a is None or not a.findtext("codec"):
        return None
    return {"bandwidth": _num(s, "bw_audio"), "sample_rate": _num(a, "sample_rate"),
            "codec": a.findtext("codec")}


def peer_ports(port: int, ip: str) -> list[tuple[int, int]]:
    """(socket inode, remote port) of the established TCP connections from ip to
    127.0.0.1:port (nginx's /stat gives a publisher's address without its port)."""
    want_ip = socket.inet_aton(ip)[::-1].hex().upper() if _is_ipv4(ip) else None
    out = []
    try:
        with open("/proc/net/tcp") as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return []
    for row in rows:
        cols = row.split()
        local, remote, state, inode = cols[1], cols[2], cols[3], cols[9]
        rip, rport = remote.split(":")
        if state == "01" and int(local.split(":")[1], 16) == port and rip == want_ip:
            out.append((int(inode), int(rport, 16)))
    return out


def _is_ipv4(ip: str) -> bool:
    try:
        socket.inet_aton(ip)
        return ip.count(".") == 3
    except OSError:
        return False


try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the emulator dies, even by SIGKILL."""
    if _prctl is not None:
        _prctl(1, signal.SIGTERM)      # PR_SET_PDEATHSIG
