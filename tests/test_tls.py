"""TLS (issue 12, item 9): verification always on, a private CA trusted
through cafile=PATH, CURL_CA_BUNDLE or SSL_CERT_FILE, and a precise hint
when the certificate is not trusted.  The emulator is reached through a
local TLS relay whose certificate a CA made here with openssl signed."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from mountlib import Mount, run_osslivefs
from test_mount import channels, put_channel

pytestmark = pytest.mark.skipif(not os.access("/dev/fuse", os.W_OK),
                                reason="needs /dev/fuse (root)")


def make_ca(d: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key): a CA and a certificate it signed
    for 127.0.0.1 and localhost."""
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=osslivefs test CA", "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "server.key", "-out", "server.csr")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.pem")
    return d / "ca.pem", d / "server.pem", d / "server.key"


def pipe(src: socket.socket, dst: socket.socket) -> None:
    """One direction of a relayed connection, until either side ends."""
    try:
        while data := src.recv(1 << 16):
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class TlsRelay:
    """TLS on 127.0.0.1:port, plain TCP to the emulator behind it."""

    def __init__(self, cert: Path, key: Path, backend_port: int) -> None:
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.backend = backend_port
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            tls = self.ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()            # the client refused our certificate
            return
        back = socket.create_connection(("127.0.0.1", self.backend))
        threading.Thread(target=pipe, args=(back, tls), daemon=True).start()
        pipe(tls, back)

    def close(self) -> None:
        self.stopping = True
        self.sock.close()


@pytest.fixture
def tls(emulator, tmp_path):
    d = tmp_path / "pki"
    d.mkdir()
    ca, cert, key = make_ca(d)
    relay = TlsRelay(cert, key, emulator.port)
    yield ca, relay
    relay.close()


def start_args(tmp_path: Path, port: int, extra: str = "") -> list[str]:
    (tmp_path / "mnt").mkdir(exist_ok=True)
    return ["testbucket", str(tmp_path / "mnt"), "-f", "-o",
            f"url=https://127.0.0.1:{port},region=cn-hangzhou{extra}"]


CREDS = {"OSS_ACCESS_KEY_ID": "AKID", "OSS_ACCESS_KEY_SECRET": "SECRET"}


def test_untrusted_certificate_fails_start_with_a_precise_hint(tls, tmp_path):
    ca, relay = tls
    r = run_osslivefs(start_args(tmp_path, relay.port), env=CREDS)
    assert r.returncode == 1
    assert r.stderr.startswith(
        f"osslivefs: cannot list LiveChannels of bucket 'testbucket' at "
        f"https://127.0.0.1:{relay.port}: CertificateNotTrusted: ")
    assert r.stderr.endswith(
        "; hint: the server's certificate is not signed by a CA this machine trusts: "
        "give that CA's certificate with -o cafile=PATH (or SSL_CERT_FILE), or check "
        "that the URL names the right host\n")


@pytest.mark.parametrize("how", ["cafile", "CURL_CA_BUNDLE", "SSL_CERT_FILE"])
def test_private_ca_is_trusted(tls, tmp_path, emulator, how):
    ca, relay = tls
    m = Mount(bucket="testbucket", mountpoint=tmp_path / "mnt",
              url=f"https://127.0.0.1:{relay.port}", passwd=("AKID", "SECRET"),
              options=["region=cn-hangzhou"] + ([f"cafile={ca}"] if how == "cafile" else []),
              # CURL_CA_BUNDLE wins over SSL_CERT_FILE: empty means unset.
              env={} if how == "cafile" else {"CURL_CA_BUNDLE": "", how: str(ca)},
              workdir=tmp_path)

    m.emu = emulator                # type: ignore[attr-defined]
    put_channel(m, "ch")            # type: ignore[arg-type]
    m.start()
    try:
        assert channels(m) == ["ch"]
        assert m.path("ch", "enabled").read_text() == "1\n"
    finally:
        assert m.stop() == ""


def test_unreadable_cafile_fails_start(tmp_path, emulator):
    r = run_osslivefs(start_args(tmp_path, emulator.port, f",cafile={tmp_path}/none.pem"),
                      env=CREDS)
    assert r.returncode == 1
    assert r.stderr == (f"osslivefs: option cafile={tmp_path}/none.pem: "
                        "No such file or directory\n")
