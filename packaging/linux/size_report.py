"""Where the bytes of the frozen bundle go: installed MiB and xz -6 MiB per component.

Usage: ``python3 packaging/linux/size_report.py build/dist/videotime`` (takes a few minutes:
it compresses every component the way the .deb does). The table goes into packaging/README.md.
"""

from __future__ import annotations

import lzma
import re
import sys
from pathlib import Path

# (label, regex on the path relative to _internal/); first match wins.
COMPONENTS = [
    ("PyAV's FFmpeg + codec libraries (av.libs)", r"^av\.libs/"),
    ("PyAV Cython modules (av/)", r"^av/"),
    (
        "OpenCV (cv2/, opencv_python_headless.libs: own FFmpeg + OpenBLAS)",
        r"^(cv2|opencv\w*\.libs)/",
    ),
    ("Qt Multimedia's FFmpeg (libav*/libsw* in Qt/lib)", r"^PySide6/Qt/lib/lib(av|sw)\w*\.so"),
    ("Qt ICU data and libraries", r"^PySide6/Qt/lib/libicu"),
    ("Qt libraries (rest)", r"^PySide6/Qt/lib/"),
    ("Qt plugins", r"^PySide6/Qt/plugins/"),
    ("Qt translations (nn, en)", r"^PySide6/Qt/translations/"),
    ("PySide6 binding modules + shiboken6", r"^(PySide6|shiboken6)/"),
    ("NumPy (+ its OpenBLAS)", r"^numpy(\.libs)?/"),
    ("cryptography", r"^cryptography\w*/"),
    ("pylibsrtp", r"^pylibsrtp\w*/"),
    ("libpython", r"^libpython"),
    ("Python stdlib extension modules + base_library.zip", r"^(python3\.\d+/|base_library\.zip)"),
    ("build-host system libraries (xcb, fontconfig, pulse, ...)", r"^lib[^/]*\.so"),
    ("Videotime + pure-Python dependencies (PYZ in the executable, data)", r""),
]


def main(argv: list[str]) -> int:
    bundle = Path(argv[1])
    internal = bundle / "_internal"
    groups: dict[str, list[Path]] = {label: [] for label, _ in COMPONENTS}
    for path in sorted(bundle.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        rel = path.relative_to(internal).as_posix() if internal in path.parents else ""
        for label, pattern in COMPONENTS:
            if re.search(pattern, rel):
                groups[label].append(path)
                break
    total_raw = total_xz = 0
    rows = []
    for label, files in groups.items():
        raw = sum(f.stat().st_size for f in files)
        comp = lzma.LZMACompressor(preset=6)
        xz = 0
        for f in files:
            with f.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    xz += len(comp.compress(chunk))
        xz += len(comp.flush())
        total_raw += raw
        total_xz += xz
        rows.append((label, raw, xz))
    print("| component | installed MiB | xz MiB |")
    print("|---|---:|---:|")
    for label, raw, xz in sorted(rows, key=lambda r: -r[2]):
        print(f"| {label} | {raw / 2**20:.1f} | {xz / 2**20:.1f} |")
    print(f"| **total** | **{total_raw / 2**20:.1f}** | **{total_xz / 2**20:.1f}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
