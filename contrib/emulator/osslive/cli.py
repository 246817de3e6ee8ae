"""The command line: arguments, start-up, the first stdout line, clean stop on signals."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Optional

import osslive

from . import nginx
from .auth import Auth, Credential
from .rtmp import RtmpIngest
from .server import make_server
from .state import Emulator


def parse_credentials(spec: str) -> dict[str, Credential]:
    creds = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        parts = item.split(":", 2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise argparse.ArgumentTypeError("credentials must be AK:SK[:TOKEN][,...]")
        creds[parts[0]] = Credential(parts[0], parts[1], parts[2] if len(parts) == 3 else None)
    if not creds:
        raise argparse.ArgumentTypeError("no credentials given")
    return creds


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Local emulator of the Alibaba Cloud OSS LiveChannel API and object calls. "
                    "Prints 'listening on http://HOST:PORT' as its first stdout line once ready.",
        epilog=osslive.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    p.add_argument("--port-file", help="write the bound port to this file")
    p.add_argument("--bucket", action="append", required=True,
                   help="bucket to serve (repeat for several)")
    p.add_argument("--credentials", required=True, type=parse_credentials,
                   help="AK:SK[:TOKEN][,...]; a key with a TOKEN is an STS key whose requests "
                        "must carry that x-oss-security-token")
    p.add_argument("--data", required=True, help="directory holding objects and channel state")
    p.add_argument("--region", default="cn-hangzhou",
                   help="region of the V4 signing scope (default cn-hangzhou; 'oss-' prefix ok)")
    p.add_argument("--no-clock-check", dest="clock_check", action="store_false",
                   help="accept any request date (the check, on by default, answers 403 "
                        "RequestTimeTooSkewed beyond 15 minutes of skew)")
    p.add_argument("--clock-offset", type=float, default=0.0, metavar="SECONDS",
                   help="pretend the server clock is this far ahead (negative: behind), to "
                        "show how a client with a wrong clock is refused")
    p.add_argument("--rtmp", action="store_true",
                   help="real RTMP ingest: run a private nginx with the RTMP module (Debian "
                        "nginx-light, libnginx-mod-rtmp) on a free port of 127.0.0.1; "
                        "PublishUrls name it")
    p.add_argument("--public-read", action="store_true",
                   help="the buckets' ACL is public-read: anonymous GetObject, HeadObject "
                        "and ListObjects are allowed (everything else is still signed)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request on stderr")
    return p


def callback_host(host: str) -> str:
    """Where nginx reaches the control API of an emulator bound to host."""
    if host in ("", "0.0.0.0") or host.startswith("127."):
        return "127.0.0.1"
    if ":" in host:
        return "[::1]" if host == "::" else "[%s]" % host
    return host


def fail(message: str) -> int:
    sys.stderr.write("%s: %s\n" % (os.path.basename(sys.argv[0]), message))
    return 1


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.rtmp and nginx.missing():
        return fail(nginx.missing() or "")
    region = args.region[4:] if args.region.startswith("oss-") else args.region
    os.makedirs(args.data, exist_ok=True)
    emu = Emulator(args.bucket, args.data, Auth(args.credentials, region, args.clock_check,
                                                   args.clock_offset),
                   args.verbose)
    emu.public_read = args.public_read
    server = make_server(emu, args.host, args.port)
    port = server.server_address[1]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    lines = []
    host = "[%s]" % args.host if ":" in args.host else args.host
    lines.append("listening on http://%s:%d" % (host, port))
    if args.rtmp:
        emu.rtmp = RtmpIngest(emu, os.path.join(args.data, ".rtmp"))
        try:
            emu.rtmp.start("%s:%d" % (callback_host(args.host), port))
        except RuntimeError as e:
            emu.rtmp.stop()
            return fail(str(e))
        lines.append("rtmp on rtmp://127.0.0.1:%d/live" % emu.rtmp.port)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)

    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="serve",
                              daemon=True)
    thread.start()
    # One write: a reader may close the pipe after the first line.
    sys.stdout.write("".join(line + "\n" for line in lines))
    sys.stdout.flush()
    while not stop.wait(3600):
        pass
    if emu.rtmp:
        emu.rtmp.stop()
    server.shutdown()
    server.server_close()
    return 0
