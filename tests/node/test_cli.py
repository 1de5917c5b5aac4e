"""`videotime node serve`: the first-line contract, TLS, scenario files, clean shutdown."""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers.node import start_in_process, stop_process
from videotime_node.config import NodeConfig, ScenarioError

SERVE = [sys.executable, "-m", "videotime_client", "node", "serve", "--host", "127.0.0.1"]


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*SERVE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_port_zero_prints_the_url_alone_and_stops_cleanly(sig: signal.Signals) -> None:
    proc = start("--port", "0")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert re.fullmatch(r"http://127\.0\.0\.1:(\d+)\n", line), line
        port = int(line.strip().rsplit(":", 1)[1])
        assert port > 0
        r = requests.get(f"http://127.0.0.1:{port}/api/client/v2/status", timeout=5)
        assert r.json() == {"status": "success", "result": True}
        proc.send_signal(sig)
        assert proc.wait(15) == 0
        assert proc.stdout.read() == ""  # nothing else on stdout
    finally:
        stop_process(proc)
        if proc.stderr:
            proc.stderr.close()


def test_tls_prints_fingerprint_and_serves_with_that_certificate(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    proc = start("--port", "0", "--tls", "--cert-out", str(cert))
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        fingerprint = proc.stdout.readline().strip()
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+", url)
        assert re.fullmatch(r"SHA256:([0-9A-F]{2}:){31}[0-9A-F]{2}", fingerprint)
        # Verification stays on: the client trusts exactly the printed certificate.
        r = requests.get(f"{url}/api/client/v2/status", verify=str(cert), timeout=5)
        assert r.status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{url}/api/client/v2/status", timeout=5)
        import hashlib

        der = ssl.PEM_cert_to_DER_cert(cert.read_text())
        digest = hashlib.sha256(der).hexdigest().upper()
        assert fingerprint == "SHA256:" + ":".join(digest[i : i + 2] for i in range(0, 64, 2))
    finally:
        assert stop_process(proc) == 0
        if proc.stderr:
            proc.stderr.close()


def test_scenario_file_adds_rooms_and_faults(tmp_path: Path) -> None:
    scenario = {
        "token_expires_s": 60,
        "rooms": {"555555": {"host_pin": None, "locked": False, "clinician": False}},
        "faults": [{"kind": "http_error", "endpoint": "status", "status": 529, "count": 1}],
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenario))
    proc = start("--port", "0", "--scenario", str(path))
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert requests.get(f"{url}/api/client/v2/status", timeout=5).status_code == 529
        assert requests.get(f"{url}/api/client/v2/status", timeout=5).status_code == 200
        r = requests.post(
            f"{url}/api/client/v2/conferences/555555/request_token",
            json={"display_name": "Ola"},
            timeout=5,
        )
        result = r.json()["result"]
        assert (r.status_code, result["role"], result["expires"]) == (200, "HOST", "60")
        # The default rooms are still there.
        r = requests.post(
            f"{url}/api/client/v2/conferences/999999/request_token",
            json={"display_name": "Ola"},
            timeout=5,
        )
        assert r.json()["result"]["current_service_type"] == "test_call"
    finally:
        assert stop_process(proc) == 0
        if proc.stderr:
            proc.stderr.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"rooms": {"1": {"colour": "red"}}}', "unknown key 'colour'"),
        ('{"rooms": {"1": {"media": "carrier-pigeon"}}}', "media must be one of"),
        ('{"tokens": 1}', "unknown scenario key 'tokens'"),
        ('{"faults": [{"kind": "explode"}]}', "faults[0]: unknown fault kind 'explode'"),
        ('{"rooms": {"1": {"host_pin": 2468}}}', "room 1: host_pin must be text or null"),
        ('{"rooms": {"1": {"clinician": {"join_after_s": "soon"}}}}', "join_after_s must be"),
        ('{"rooms": [{"name": "no alias"}]}', "must be an object with an alias"),
    ],
)
def test_bad_scenario_is_a_clear_usage_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = subprocess.run(
        [*SERVE, "--port", "0", "--scenario", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_scenario_api_merges_clinician_settings() -> None:
    config = NodeConfig.from_scenario(
        {"rooms": {"123456": {"clinician": {"join_after_s": 10, "greeting": "Hallo"}}}}
    )
    clinician = config.rooms["123456"].clinician
    assert (clinician.enabled, clinician.join_after_s, clinician.greeting) == (True, 10, "Hallo")
    assert clinician.display_name == "Kari Lege"
    assert config.rooms["999999"].service_type == "test_call"
    with pytest.raises(ScenarioError):
        NodeConfig.from_scenario({"rooms": {"1": {"clinician": {"mood": "grumpy"}}}})


def test_missing_scenario_file(tmp_path: Path) -> None:
    args: Any = [*SERVE, "--port", "0", "--scenario", str(tmp_path / "nope.json")]
    result = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "cannot read scenario file" in result.stderr


def test_a_port_in_use_is_exit_1_and_leaves_no_private_key_behind(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = subprocess.run(
            [*SERVE, "--tls", "--port", port],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ, "TMPDIR": str(tmp_path)},  # where the certificate would go
        )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.strip().splitlines() == [
        f"videotime node: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    assert list(tmp_path.glob("videotime-node-tls-*")) == []


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_bad_port_is_a_one_line_usage_error(port: str) -> None:
    result = subprocess.run(
        [*SERVE, f"--port={port}"], capture_output=True, text=True, timeout=30, check=False
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.strip().splitlines() == [
        f"videotime node serve: argument --port: {port!r} is not a port number (0-65535) "
        "(see videotime node serve --help)"
    ]


def test_shared_subprocess_node_fixture(node_process: Any) -> None:
    """The module-scoped CLI node other areas use answers like any node."""
    r = requests.get(f"{node_process.base_url}/api/client/v2/status", timeout=5)
    assert r.status_code == 200
    assert node_process.state("999999")["service_type"] == "test_call"


def test_tls_node_factory_in_process(node_factory: Any) -> None:
    node = node_factory(tls=True)
    assert node.base_url.startswith("https://127.0.0.1:")
    assert node.fingerprint.startswith("SHA256:")
    r = requests.get(f"{node.base_url}/api/client/v2/status", verify=node.ca_file, timeout=5)
    assert r.status_code == 200
    assert node.participants("123456") == []


def test_tls_node_stops_without_leaving_a_connection_behind() -> None:
    """An idle keep-alive client never answers the TLS close_notify; stopping must not wait
    for it and leave the socket to the garbage collector ("unclosed transport")."""
    running = start_in_process(tls=True)
    client = requests.Session()
    try:
        url = f"{running.base_url}/api/client/v2/status"
        assert client.get(url, verify=running.ca_file, timeout=5).status_code == 200
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            running.stop()
            gc.collect()
    finally:
        client.close()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
