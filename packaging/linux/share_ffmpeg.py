"""Let Qt Multimedia use PyAV's FFmpeg instead of shipping a second copy (~20 MB, ~7 MiB xz).

PySide6's Qt Multimedia backend (``libffmpegmediaplugin.so``) links ``libavcodec.so.63`` & co.
from ``PySide6/Qt/lib``; PyAV ships the same FFmpeg major versions in ``av.libs`` under
hash-mangled names. When every versioned symbol Qt's libraries import from a library is defined
by PyAV's copy (same soname major, same symbol versions such as ``LIBAVCODEC_63``), Qt's file is
replaced by a relative symlink to PyAV's. glibc then maps the one file once (it recognises the
same inode under both names), so the process carries one FFmpeg.

Anything that does not match exactly is left alone (and said so), so a future PySide6 or PyAV
with diverging FFmpeg versions silently keeps both copies instead of breaking. Whatever happens,
build-deb.sh runs the frozen app's self-test afterwards, which fails if the Qt Multimedia backend
no longer loads.

Usage: ``python3 share_ffmpeg.py BUNDLE_DIR`` (Linux one-folder builds).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

LIBS = ("avcodec", "avformat", "avutil", "swresample", "swscale")


def _symbols(path: Path, *, defined: bool) -> set[str]:
    flag = "--defined-only" if defined else "--undefined-only"
    out = subprocess.run(
        ["nm", "-D", flag, "--with-symbol-versions", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = set()
    for line in out.splitlines():
        name = line.split()[-1].replace("@@", "@")
        names.add(name)
    return names


def _needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-dW", str(path)], capture_output=True, text=True, check=True)
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out.stdout))


def main(argv: list[str]) -> int:
    internal = Path(argv[1]) / "_internal"
    qt_lib = internal / "PySide6" / "Qt" / "lib"
    av_libs = internal / "av.libs"
    if not qt_lib.is_dir() or not av_libs.is_dir():
        print("share_ffmpeg: no Qt lib or av.libs folder; nothing to do")
        return 0
    # Every ELF in the bundle outside av.libs that imports FFmpeg symbols from Qt's copies.
    consumers = [
        p
        for p in internal.rglob("*.so*")
        if p.is_file() and not p.is_symlink() and av_libs not in p.parents
    ]
    replaced = []
    for lib in LIBS:
        qt_files = [p for p in qt_lib.glob(f"lib{lib}.so.*") if not p.is_symlink()]
        if len(qt_files) != 1:
            continue
        qt_file = qt_files[0]
        major = qt_file.name.split(".so.")[1].split(".")[0]
        av_files = list(av_libs.glob(f"lib{lib}-*.so.{major}*"))
        if len(av_files) != 1:
            print(f"share_ffmpeg: keep {qt_file.name}: no PyAV lib{lib} with major {major}")
            continue
        av_file = av_files[0]
        version_tag = f"@LIB{lib.upper()}_{major}"
        wanted = set()
        for consumer in consumers:
            if qt_file.name in _needed(consumer):
                wanted |= {s for s in _symbols(consumer, defined=False) if s.endswith(version_tag)}
        missing = wanted - _symbols(av_file, defined=True)
        if missing:
            print(f"share_ffmpeg: keep {qt_file.name}: PyAV's lacks {sorted(missing)[:5]}")
            continue
        target = os.path.relpath(av_file, qt_lib)
        qt_file.unlink()
        qt_file.symlink_to(target)
        replaced.append(f"{qt_file.name} -> {target} ({len(wanted)} symbols)")
    # Qt's FFmpeg build dlopens VA-API/OpenSSL through stub libraries; PyAV's does not use them.
    remaining = [p for p in qt_lib.glob("lib*.so*") if not p.is_symlink()]
    stub_users = set()
    for path in [*remaining, *(internal / "PySide6" / "Qt" / "plugins").rglob("*.so")]:
        stub_users |= {n for n in _needed(path) if n.startswith("libQt6FFmpegStub")}
    for stub in qt_lib.glob("libQt6FFmpegStub-*"):
        if stub.name not in stub_users and replaced:
            stub.unlink()
            replaced.append(f"removed unused {stub.name}")
    # PyInstaller's top-level convenience symlinks into PySide6/Qt/lib must not dangle.
    for link in internal.iterdir():
        if link.is_symlink() and not link.exists():
            link.unlink()
            replaced.append(f"removed dangling link {link.name}")
    for line in replaced:
        print(f"share_ffmpeg: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
