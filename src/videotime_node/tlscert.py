"""A throw-away self-signed certificate for ``videotime node serve --tls``.

Generated at start-up with ``cryptography`` (already an aiortc dependency), valid for the bind
address, ``localhost`` and 127.0.0.1/::1, for 7 days. The key never leaves a private temporary
directory that is removed on exit; the SHA-256 fingerprint is printed so a tester can pin it.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class SelfSignedCertificate:
    directory: Path
    pem_path: Path
    key_path: Path
    fingerprint: str  # "SHA256:AB:CD:..." (colon-separated upper-case hex)

    @classmethod
    def generate(cls, host: str) -> SelfSignedCertificate:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Videotime embedded node")])
        alt_names: list[x509.GeneralName] = [x509.DNSName("localhost")]
        addresses = {"127.0.0.1", "::1"}
        try:
            ipaddress.ip_address(host)
            addresses.add(host)
        except ValueError:
            alt_names.append(x509.DNSName(host))
        alt_names += [x509.IPAddress(ipaddress.ip_address(a)) for a in sorted(addresses)]
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        directory = Path(tempfile.mkdtemp(prefix="videotime-node-tls-"))
        pem_path = directory / "cert.pem"
        key_path = directory / "key.pem"
        pem_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.touch(mode=0o600)
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        digest = cert.fingerprint(hashes.SHA256()).hex().upper()
        fingerprint = "SHA256:" + ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
        return cls(directory, pem_path, key_path, fingerprint)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.pem_path, self.key_path)
        return context

    def cleanup(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
