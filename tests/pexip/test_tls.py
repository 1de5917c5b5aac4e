"""HTTPS verification is always on: an untrusted certificate is a typed error, never bypassed.

A plain Python TLS server with a fresh self-signed certificate stands in for a node whose
certificate nobody vouches for (the embedded node's own TLS path is covered in
test_node_integration.py).
"""

from __future__ import annotations

import http.server
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from videotime_client.pexip import errors as E
from videotime_client.pexip.api import PexipApi
from videotime_node.tlscert import SelfSignedCertificate


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        grant = {"token": "T", "expires": "120", "participant_uuid": "p", "role": "GUEST"}
        body = json.dumps({"status": "success", "result": grant}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the refused handshakes are the point of the test


@pytest.fixture
def tls_server() -> Iterator[tuple[str, Path]]:
    cert = SelfSignedCertificate.generate("127.0.0.1")
    server = _Server(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.pem_path, cert.key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, name="tls-test-server")
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert.pem_path
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        cert.cleanup()


def test_untrusted_certificate_is_a_typed_error(tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    with pytest.raises(E.UntrustedCertificate) as info:
        PexipApi(url, "123456").request_token("Ola")
    assert "sikker" in info.value.message("nb")


def test_a_session_ca_bundle_is_honoured_even_with_requests_ca_bundle_set(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests lets REQUESTS_CA_BUNDLE override a *session* CA bundle unless verify is passed
    # per request; PexipApi passes it, so a node's own certificate keeps working.
    import requests

    url, pem = tls_server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    session = requests.Session()
    session.verify = str(pem)
    assert PexipApi(url, "123456", session=session).request_token("Ola").token == "T"
