"""A private coturn TURN server on loopback for tests (owner: call engine, issue 4).

    from tests.helpers.coturn import coturn  # noqa: F401  (fixture)

    def test_relay(coturn):
        coturn.turn_entries()                # [{"urls": ["turn:127.0.0.1:P?transport=udp"], ...}]
        coturn.turn_entries("tcp")           # the same server over TCP
        coturn.allocations()                 # how many relay allocations the log shows

* Listens on 127.0.0.1 only, relays on 127.0.0.1, with ``--allow-loopback-peers`` (the node's
  candidates are loopback ones) and long-term credentials of a throw-away user.
* ``Coturn(tmp, tls=True)`` (fixture ``coturn_tls``) adds a TLS listener with a fresh
  self-signed certificate for 127.0.0.1 (``cert_file``; point ``SSL_CERT_FILE`` at it so the
  client trusts it) and gives ``turns:`` URLs.  No DTLS listener.
* The log goes to the fixture's tmp dir so a test can assert that the relay was really used.
* Function-scoped: started and stopped (SIGTERM, then kill) around each test.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

USER = "vt-test"
PASSWORD = "vt-test-secret"
REALM = "videotime.test"


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (best effort)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


class Coturn:
    def __init__(self, workdir: Path, tls: bool = False) -> None:
        self.workdir = workdir
        self.tls = tls
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.cert_file = workdir / "turn-cert.pem"
        self.key_file = workdir / "turn-key.pem"
        self.log = workdir / "turn.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("turnserver")
        if exe is None:
            raise RuntimeError(
                "coturn (turnserver) is not installed; see scripts/system-packages.txt"
            )
        min_port = 49152 + (self.port % 5000)
        tls_args = ["--no-tls"]
        if self.tls:
            self._make_certificate()
            tls_args = [
                f"--tls-listening-port={self.tls_port}",
                f"--cert={self.cert_file}",
                f"--pkey={self.key_file}",
            ]
        self.proc = subprocess.Popen(
            [
                exe,
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                *tls_args,
                f"--listening-port={self.port}",
                "--allow-loopback-peers",
                "--lt-cred-mech",
                f"--user={USER}:{PASSWORD}",
                f"--realm={REALM}",
                "--no-dtls",
                "--no-cli",
                "--fingerprint",
                f"--min-port={min_port}",
                f"--max-port={min_port + 200}",
                f"--log-file={self.log}",
                "--simple-log",
                "--no-stdout-log",
                "--verbose",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("turnserver exited: " + self.log_text()[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("turnserver did not start within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def _make_certificate(self) -> None:
        import datetime
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        self.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    def url(self, transport: str = "udp") -> str:
        if transport == "tls":
            return f"turns:127.0.0.1:{self.tls_port}?transport=tcp"
        return f"turn:127.0.0.1:{self.port}?transport={transport}"

    def turn_entries(self, *transports: str) -> list[dict[str, object]]:
        return [
            {"urls": [self.url(t)], "username": USER, "credential": PASSWORD}
            for t in (transports or ("udp",))
        ]

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def allocations(self, transport: str | None = None) -> int:
        """Successful relay allocations in the log (optionally only over ``udp``/``tcp``)."""
        lines = re.findall(r".*ALLOCATE processed, success.*", self.log_text())
        if transport is not None:
            lines = [ln for ln in lines if f"{transport.upper()} " in ln or transport in ln]
        return len(lines)


@pytest.fixture
def coturn(tmp_path: Path) -> Iterator[Coturn]:
    server = Coturn(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def coturn_tls(tmp_path: Path) -> Iterator[Coturn]:
    server = Coturn(tmp_path, tls=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()
