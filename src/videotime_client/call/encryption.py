"""Encryption made visible: DTLS state, cipher, SRTP profile and a verified remote certificate.

aiortc already refuses a DTLS peer whose certificate does not match the SDP's ``a=fingerprint``
(``rtcdtlstransport.py`` ``_validate_fingerprint``).  We check it again, independently, so that the
UI and the JSON report can *say* it was checked: the peer's certificate is hashed with every
algorithm the remote SDP names and compared with the SDP's value.

The values come from aiortc's DTLS transport (``_ssl``, a pyOpenSSL connection): the private
attribute is the only way to read them in aiortc 1.16; if it disappears the fields read
``None`` and ``remote_fingerprint_verified`` reads ``False`` rather than crashing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

log = logging.getLogger(__name__)

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha-1": hashes.SHA1,
    "sha-224": hashes.SHA224,
    "sha-256": hashes.SHA256,
    "sha-384": hashes.SHA384,
    "sha-512": hashes.SHA512,
}


@dataclass(frozen=True, slots=True)
class EncryptionInfo:
    dtls_state: str | None
    cipher: str | None
    srtp_profile: str | None
    remote_fingerprint_verified: bool
    remote_fingerprint: str | None = None  # "sha-256 AB:CD:..." (not secret; shown to support)

    def as_report(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("remote_fingerprint")
        return data


NOT_CONNECTED = EncryptionInfo(None, None, None, False)


def sdp_fingerprints(sdp: str) -> list[tuple[str, str]]:
    """``(algorithm, HEX:WITH:COLONS)`` for every ``a=fingerprint`` line (any level)."""
    found = re.findall(r"^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$", sdp, flags=re.MULTILINE)
    return [(alg.lower(), value.upper()) for alg, value in found]


def certificate_fingerprint(cert: x509.Certificate, algorithm: str) -> str | None:
    hash_cls = _HASHES.get(algorithm.lower())
    if hash_cls is None:
        return None
    return cert.fingerprint(hash_cls()).hex(":").upper()


def verify_fingerprint(cert: x509.Certificate | None, remote_sdp: str) -> tuple[bool, str | None]:
    """True when every supported SDP fingerprint matches ``cert`` (and there is at least one)."""
    if cert is None:
        return False, None
    checked = 0
    shown = None
    for algorithm, value in sdp_fingerprints(remote_sdp):
        actual = certificate_fingerprint(cert, algorithm)
        if actual is None:
            continue
        checked += 1
        if actual != value:
            return False, None
        shown = f"{algorithm} {value}"
    return checked > 0, shown


def _dtls_transport(pc: Any) -> Any:
    for transceiver in pc.getTransceivers():
        transport = getattr(transceiver.sender, "transport", None)
        if transport is not None:
            return transport
    return None


def inspect(pc: Any) -> EncryptionInfo:
    """Read DTLS/SRTP facts from a connected aiortc peer connection."""
    dtls = _dtls_transport(pc)
    if dtls is None:
        return NOT_CONNECTED
    state = str(getattr(dtls, "state", None) or "") or None
    ssl = getattr(dtls, "_ssl", None)
    cipher = profile = None
    cert = None
    if ssl is not None:
        try:
            cipher = ssl.get_cipher_name()
            raw = ssl.get_selected_srtp_profile()
            profile = raw.decode() if isinstance(raw, bytes) and raw else None
            cert = ssl.get_peer_certificate(as_cryptography=True)
        except Exception:
            log.exception("could not read the DTLS session")
    remote = pc.remoteDescription.sdp if pc.remoteDescription is not None else ""
    verified, shown = verify_fingerprint(cert, remote)
    return EncryptionInfo(state, cipher, profile, verified and state == "connected", shown)
