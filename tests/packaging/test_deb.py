"""The Linux package end to end: build the .deb once, install it, click a link, remove it.

What a patient's machine does, with real parts: ``dpkg -i`` (its triggers register the
``videotime://`` handler), ``xdg-mime`` asking who handles the scheme, a real X server (Xvfb)
with Videotime already open, ``xdg-open`` starting a *second* Videotime for a link (exactly what a
browser or mail program does), that second launch handing the link to the first and exiting,
``videotime --self-test`` from the installed files with a real Secret Service, and ``dpkg -P``
leaving nothing behind.

The build takes a few minutes on 2 cores (PyInstaller, then xz), so it happens once per session;
``VIDEOTIME_TEST_DEB=path`` reuses a .deb built by ``make package`` instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "videotime"
LINK = "videotime://join.nhn.no/webapp/conference/123456?dept=Pakketesten"
INSTALLED = [
    Path("/opt/videotime"),
    Path("/usr/bin/videotime"),
    Path("/usr/share/applications/no.videotime.Videotime.desktop"),
    Path("/usr/share/icons/hicolor/scalable/apps/videotime.svg"),
    Path("/usr/share/icons/hicolor/256x256/apps/videotime.png"),
    Path("/usr/share/icons/hicolor/48x48/apps/videotime.png"),
    Path("/usr/share/doc/videotime/copyright"),
]
MAX_DEB_BYTES = 80 * 1024 * 1024

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="installs a system package (dpkg -i): needs root"),
]


def _purge() -> None:
    subprocess.run(["dpkg", "-P", PACKAGE], capture_output=True, check=False)


_BUILD_LOG: list[str] = []


@pytest.fixture(scope="session")
def deb() -> Path:
    prebuilt = os.environ.get("VIDEOTIME_TEST_DEB")
    if prebuilt:
        return Path(prebuilt)
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "linux" / "build-deb.sh")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    _BUILD_LOG.append(result.stderr)
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def installed(deb: Path) -> Iterator[Path]:
    _purge()  # a leftover from an interrupted run
    result = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    try:
        yield deb
    finally:
        _purge()


@pytest.fixture
def desktop_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A patient's session: own HOME, a real X server, and a private Videotime profile."""
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert xvfb.stdout is not None
        display = xvfb.stdout.readline().strip()
        assert display.isdigit(), "Xvfb did not report its display"
        env = {
            "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": str(tmp_path / "home"),
            "DISPLAY": f":{display}",
            "XDG_RUNTIME_DIR": str(tmp_path / "run"),
            "VIDEOTIME_DATA_DIR": str(tmp_path / "profile"),
            "LANG": "C.UTF-8",
        }
        for key in ("HOME", "XDG_RUNTIME_DIR"):
            Path(env[key]).mkdir(mode=0o700)
        yield env
    finally:
        xvfb.terminate()
        xvfb.communicate(timeout=10)


def _videotime_processes() -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["exe"]):
        if proc.info["exe"] == "/opt/videotime/videotime":
            found.append(proc)
    return found


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_package_layout_and_size(deb: Path) -> None:
    info = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True)
    fields = dict(
        line.split(": ", 1) for line in info.stdout.splitlines() if ": " in line and line[0] != " "
    )
    assert fields["Package"] == PACKAGE
    assert fields["Architecture"] == "amd64"
    assert "libc6 (>= 2." in fields["Depends"]
    contents = subprocess.run(
        ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "./opt/videotime/videotime" in contents
    assert "./usr/bin/videotime -> /opt/videotime/videotime" in contents
    # Qt Multimedia's backend and what it links must be there; pruned parts must not.
    assert "plugins/multimedia/libffmpegmediaplugin.so" in contents
    assert "Qt/lib/libQt6Quick.so.6" in contents  # linked by the FFmpeg plugin
    for pruned in ("libQt6Pdf", "libQt6VirtualKeyboard", "WebEngine", "libqgtk3", "qtbase_de.qm"):
        assert pruned not in contents, pruned


def test_build_ran_without_network_and_shared_one_ffmpeg(deb: Path) -> None:
    if not _BUILD_LOG:
        pytest.skip("a prebuilt .deb was given (VIDEOTIME_TEST_DEB): its build log is not here")
    log = _BUILD_LOG[0]
    assert "network isolation: private network namespace (loopback only)" in log
    assert "share_ffmpeg: libavcodec.so.63 -> ../../../av.libs/" in log
    contents = subprocess.run(
        ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    # Qt's libavcodec is a link into PyAV's copy, not a second 15 MB file.
    assert re.search(r"^l\S+ .*/PySide6/Qt/lib/libavcodec\.so\.63 -> \.\./", contents, re.M)


def test_compressed_package_is_at_most_80_mib(deb: Path) -> None:
    """Patients download this on home connections (issue 7: compressed .deb <= 80 MiB)."""
    size = deb.stat().st_size
    assert size <= MAX_DEB_BYTES, (
        f"{size / 2**20:.1f} MiB > 80 MiB; where the bytes go: "
        "python3 packaging/linux/size_report.py build/dist/videotime"
    )


def test_install_link_handler_single_instance_self_test_and_clean_removal(
    installed: Path, desktop_env: dict[str, str], tmp_path: Path
) -> None:
    env = desktop_env
    # 1. Installed files, and the scheme registered by the package's triggers/maintainer scripts.
    for path in INSTALLED:
        assert path.exists(), path
    assert os.readlink("/usr/bin/videotime") == "/opt/videotime/videotime"
    assert (
        "x-scheme-handler/videotime=no.videotime.Videotime.desktop;"
        in Path("/usr/share/applications/mimeinfo.cache").read_text()
    )
    query = subprocess.run(
        ["xdg-mime", "query", "default", "x-scheme-handler/videotime"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert query.stdout.strip() == "no.videotime.Videotime.desktop", query.stdout + query.stderr

    # 2. Videotime is open; a link is clicked; the OS starts a second Videotime for it.
    first_log = tmp_path / "first-launch.log"
    with first_log.open("wb") as out:
        first = subprocess.Popen(["/usr/bin/videotime"], env=env, stdout=out, stderr=out)
    try:
        lock = Path(env["VIDEOTIME_DATA_DIR"]) / "data" / "videotime.instance.lock"
        deadline = time.monotonic() + 60
        while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert first.poll() is None, first_log.read_text(errors="replace")
        assert lock.exists(), "the first Videotime never took the single-instance lock"

        opened = subprocess.run(
            ["xdg-open", LINK], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        # Generic xdg-open runs Exec= in the foreground: it returns when the second launch
        # exits, which it does right after handing the link over.
        assert opened.returncode == 0, opened.stdout + opened.stderr
        assert first.poll() is None, "the first Videotime died"
        assert [p.pid for p in _videotime_processes()] == [first.pid]

        # The first Videotime opened the link: its appointment is saved in the first's profile.
        store = Path(env["VIDEOTIME_DATA_DIR"]) / "data" / "appointments.json"
        deadline = time.monotonic() + 30
        saved: list[dict[str, object]] = []
        while time.monotonic() < deadline and not saved:
            if store.exists():
                saved = [
                    a
                    for a in json.loads(store.read_text()).get("appointments", [])
                    if a.get("alias") == "123456"
                ]
            time.sleep(0.2)
        assert saved, "the forwarded link did not open in the running Videotime"
        assert saved[0].get("node") == "join.nhn.no"
    finally:
        _stop(first)

    # 3. The installed app passes its self-test (frozen), with a real Secret Service.
    script = (
        "echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "
        "exec /usr/bin/videotime --self-test"
    )
    selftest = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", script],
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    lines = selftest.stdout.splitlines()
    items = lines[:-1]
    assert [line.split()[1].rstrip(":") for line in items] == [
        "qt-multimedia",
        "codecs",
        "keyring",
        "translations",
        "face-detection",
        "loopback-call",
    ], selftest.stdout
    assert [line.split()[0] for line in items] == ["ok"] * 6, selftest.stdout
    assert "frozen=True" in lines[-1]

    # 4. Removal leaves nothing: files, launcher, icons, the scheme registration.
    purge = subprocess.run(["dpkg", "-P", PACKAGE], capture_output=True, text=True, check=False)
    assert purge.returncode == 0, purge.stdout + purge.stderr
    left = [str(p) for p in INSTALLED if p.exists() or p.is_symlink()]
    left += [str(p) for p in Path("/usr/share/icons/hicolor").glob("*/apps/videotime.*")]
    assert left == []
    assert "videotime" not in Path("/usr/share/applications/mimeinfo.cache").read_text()
    status = subprocess.run(["dpkg", "-s", PACKAGE], capture_output=True, text=True, check=False)
    assert status.returncode != 0
    after = subprocess.run(
        ["xdg-mime", "query", "default", "x-scheme-handler/videotime"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert after.stdout.strip() == ""
    assert shutil.which("videotime", path="/usr/bin") is None
