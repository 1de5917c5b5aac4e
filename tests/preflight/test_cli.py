"""The exact CLI contract of `videotime check` (issue 5), through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from videotime_client.cli import main

ARGS = [sys.executable, "-m", "videotime_client", "check"]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ARGS, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--only", "nose"],
        ["--only", ","],
        ["--camera", "/no/such/file.mp4"],
        ["--link", "https://evil.example.com/x"],
        ["--bogus"],
    ],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:  # argparse errors exit 2 themselves
        raise SystemExit(main(["check", *args]))
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_json_contract_for_some_checks() -> None:
    r = cli("--json", "--only", "battery,cpu")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == {"verdict", "duration_s", "checks"}
    assert data["verdict"] in ("good", "limited")
    assert [c["name"] for c in data["checks"]] == ["battery", "cpu"]
    for c in data["checks"]:
        assert set(c) == {"name", "verdict", "problems", "advice", "measurements"}
        assert c["verdict"] in ("good", "limited", "cannot", "not_run")
        assert isinstance(c["advice"], str)
        assert c["advice"]


def test_network_without_link_or_appointment_is_not_run_and_exit_0() -> None:
    r = cli("--json", "--only", "network", "--lang", "en")
    assert r.returncode == 0, r.stderr
    net = json.loads(r.stdout)["checks"][0]
    assert net["verdict"] == "not_run"
    assert net["problems"] == ["no_node"]
    assert "not tested" in net["advice"]


def test_synthetic_camera_and_lighting() -> None:
    r = cli("--json", "--only", "camera,lighting", "--camera", "synthetic")
    data = json.loads(r.stdout)
    cam, light = data["checks"]
    assert cam["verdict"] == "good"
    assert cam["measurements"]["width"] == 640
    assert light["verdict"] == "limited"
    assert light["problems"] == ["no_face"]
    assert r.returncode == 0


def test_black_camera_file_is_cannot_exit_1(tmp_path) -> None:
    import cv2
    import numpy as np

    path = tmp_path / "black.png"
    cv2.imwrite(str(path), np.zeros((480, 640, 3), np.uint8))
    r = cli("--json", "--only", "camera", "--camera", str(path))
    assert r.returncode == 1, r.stdout
    assert json.loads(r.stdout)["checks"][0]["problems"] == ["black"]


def test_link_to_a_dev_node_runs_the_network_check(node) -> None:
    link = node.api("999999").split("/api/")[0] + "/webapp/m/999999"
    r = cli("--json", "--only", "network", "--link", link, "--dev")
    assert r.returncode == 0, r.stderr + r.stdout
    net = json.loads(r.stdout)["checks"][0]
    assert net["verdict"] == "good", net
    for key in ("rtt_ms", "jitter_ms", "loss_pct", "send_kbps", "receive_kbps", "paths"):
        assert key in net["measurements"]


def test_microphone_and_speaker_with_yes(pulse) -> None:
    pulse.virtual_mic("vt_cli_mic")
    pulse.null_sink("vt_cli_speaker")
    pulse.set_default(sink="vt_cli_speaker", source="vt_cli_mic")
    with pulse.play_tone("vt_cli_mic", 300, -30, 15):
        r = cli("--json", "--only", "microphone,speaker", "--yes", env=pulse.env)
    assert r.returncode == 0, r.stderr
    mic, spk = json.loads(r.stdout)["checks"]
    assert mic["verdict"] == "good", mic
    assert spk["verdict"] == "good"
    assert spk["measurements"]["heard_tone"] is True


def test_speaker_without_an_answer_is_not_run(pulse) -> None:
    pulse.null_sink("vt_cli_speaker")
    pulse.set_default(sink="vt_cli_speaker")
    r = cli("--json", "--only", "speaker", env=pulse.env)  # stdin is not a terminal
    spk = json.loads(r.stdout)["checks"][0]
    assert spk["verdict"] == "not_run"
    assert spk["problems"] == ["no_answer"]
    assert r.returncode == 0


def test_without_link_the_stored_appointments_node_is_tested(node) -> None:
    link = node.api("999999").split("/api/")[0] + "/webapp/m/999999"
    opened = subprocess.run(
        [sys.executable, "-m", "videotime_client", "link", "open", link, "--dev"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    r = cli("--json", "--only", "network")
    assert r.returncode == 0, r.stderr
    net = json.loads(r.stdout)["checks"][0]
    assert net["verdict"] == "good", net
    assert net["measurements"]["send_kbps"] > 0
