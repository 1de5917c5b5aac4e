"""The installer recipes we cannot run here (Windows, macOS, the release workflow) are checked
for the facts that make them work: a workflow a code host accepts, the URL scheme in every
recipe, the permission sentences in both languages, the hardened-runtime entitlements."""

from __future__ import annotations

import plistlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def workflow() -> dict:
    return YAML(typ="safe").load(WORKFLOW.read_text())


def test_release_workflow_is_valid_for_github_actions() -> None:
    check = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(check), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_workflow_builds_and_self_tests_on_all_three_systems() -> None:
    build = workflow()["jobs"]["build"]
    oses = {entry["os"].split("-")[0] for entry in build["strategy"]["matrix"]["include"]}
    assert oses == {"ubuntu", "windows", "macos"}
    runs = [(step.get("if", ""), step.get("run", "")) for step in build["steps"]]
    for system in ("Linux", "Windows", "macOS"):
        assert any(system in cond and "--self-test" in run for cond, run in runs), system
    text = WORKFLOW.read_text()
    # Signing and notarisation are present, with secrets only as placeholders.
    for secret in (
        "secrets.WINDOWS_CERTIFICATE_PFX",
        "secrets.MACOS_CERTIFICATE_P12",
        "secrets.APPLE_API_KEY_P8",
        "secrets.APPLE_API_KEY_ID",
    ):
        assert secret in text
    assert "notarytool" in (PACKAGING / "macos" / "sign-and-notarize.sh").read_text()
    assert "signtool" in text
    assert "stapler staple" in (PACKAGING / "macos" / "sign-and-notarize.sh").read_text()
    assert not re.search(r"-----BEGIN|password\s*[:=]\s*['\"]\w", text, re.IGNORECASE)


def test_macos_bundle_declares_the_scheme_and_why_it_needs_camera_and_microphone() -> None:
    info = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    schemes = [s for t in info["CFBundleURLTypes"] for s in t["CFBundleURLSchemes"]]
    assert schemes == ["videotime"]
    assert "camera" in info["NSCameraUsageDescription"]
    assert "microphone" in info["NSMicrophoneUsageDescription"]
    expected = {"nb": ("kameraet", "mikrofonen"), "en": ("camera", "microphone")}
    for lang, (camera, microphone) in expected.items():
        strings = (PACKAGING / "macos" / f"{lang}.lproj" / "InfoPlist.strings").read_text("utf-8")
        values = dict(re.findall(r'^"(\w+)"\s*=\s*"([^"]+)";', strings, re.MULTILINE))
        assert camera in values["NSCameraUsageDescription"], lang
        assert microphone in values["NSMicrophoneUsageDescription"], lang
        assert lang in info["CFBundleLocalizations"]


def test_macos_entitlements_allow_camera_microphone_and_network_under_hardened_runtime() -> None:
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    for key in (
        "com.apple.security.device.camera",
        "com.apple.security.device.audio-input",
        "com.apple.security.network.client",
        "com.apple.security.cs.allow-unsigned-executable-memory",
    ):
        assert entitlements.get(key) is True, key
    assert "com.apple.security.cs.disable-library-validation" not in entitlements
    assert "--options runtime" in (PACKAGING / "macos" / "sign-and-notarize.sh").read_text()


def test_windows_installer_registers_the_scheme_per_user_and_removes_it() -> None:
    iss = (PACKAGING / "windows" / "videotime.iss").read_text()
    assert "PrivilegesRequired=lowest" in iss
    registry = [line for line in iss.splitlines() if line.startswith("Root: HKA")]
    assert all('Subkey: "Software\\Classes\\{#Scheme}' in line for line in registry)
    assert any('ValueName: "URL Protocol"; ValueData: ""' in line for line in registry)
    assert any("uninsdeletekey" in line for line in registry)
    command = next(line for line in registry if "shell\\open\\command" in line)
    assert '""%1""' in command  # the link is quoted: it may contain spaces
    assert '#define Scheme "videotime"' in iss
    assert re.search(r'^Name: "\{autoprograms\}\\\{#AppName\}"', iss, re.MULTILINE)
    assert (PACKAGING / "icons" / "videotime.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"


def test_desktop_entry_is_valid_and_handles_the_scheme() -> None:
    desktop = PACKAGING / "linux" / "no.videotime.Videotime.desktop"
    result = subprocess.run(
        ["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = desktop.read_text()
    assert "MimeType=x-scheme-handler/videotime;" in text
    # Wayland matches a window to its desktop file by the app id Qt reports.
    from videotime_client.ui.app import APP_ID

    assert desktop.name == f"{APP_ID}.desktop"
    info = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    assert info["CFBundleIdentifier"] == APP_ID
    assert re.search(r"^Exec=/usr/bin/videotime %u$", text, re.MULTILINE)


@pytest.mark.parametrize(
    "script",
    [
        "linux/build-deb.sh",
        "linux/postinst",
        "linux/postrm",
        "macos/make-dmg.sh",
        "macos/sign-and-notarize.sh",
        "macos/make-icns.sh",
    ],
)
def test_shell_scripts_parse(script: str) -> None:
    shell = "sh" if script.endswith(("postinst", "postrm")) else "bash"
    result = subprocess.run(
        [shell, "-n", str(PACKAGING / script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def _spec_drop_rule() -> re.Pattern[str]:
    """The spec's DROP list, evaluated alone (the rest of the spec needs PyInstaller's globals)."""
    source = (PACKAGING / "videotime.spec").read_text()
    namespace: dict[str, object] = {}
    exec(source[source.index("_QT = ") : source.index("_drop = re.compile")], namespace)  # noqa: S102
    patterns = namespace["DROP"]
    assert isinstance(patterns, list)
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@pytest.mark.parametrize(
    ("path", "dropped"),
    [
        # What the Qt Multimedia FFmpeg plugin links must stay, on every OS layout.
        ("PySide6/Qt/lib/libQt6Quick.so.6", False),
        ("PySide6/Qt6Quick.dll", False),
        ("PySide6/Qt/lib/libQt6Qml.so.6", False),
        ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", False),
        ("PySide6/plugins/platforms/qwindows.dll", False),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),  # the self-test needs it
        ("PySide6/Qt/translations/qtbase_nn.qm", False),
        ("PySide6/Qt/translations/qtmultimedia_en.qm", False),
        # Unused weight goes, on every OS layout.
        ("PySide6/Qt/lib/libQt6Pdf.so.6", True),
        ("PySide6/Qt6Pdf.dll", True),
        ("PySide6/Qt/lib/QtPdf.framework/Versions/A/QtPdf", True),
        ("PySide6/Qt/lib/libQt6VirtualKeyboard.so.6", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6/translations/qtbase_fr.qm", True),
        ("libstdc++.so.6", True),
    ],
)
def test_spec_prunes_unused_qt_parts_but_keeps_what_multimedia_links(
    path: str, dropped: bool
) -> None:
    assert bool(_spec_drop_rule().search(path)) is dropped
