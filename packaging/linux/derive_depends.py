"""Derive the .deb ``Depends`` of a frozen bundle from what its ELF files really need.

Every ``NEEDED`` soname of every ELF file in the bundle, minus those the bundle ships itself, is
mapped to its Debian package with ``dpkg -S`` (through ``ldconfig -p``); ``libc6 (>= X)`` comes
from the highest ``GLIBC_x.y`` symbol version referenced. Guessing these by hand misses libraries
(the Qt xcb platform needs half a dozen ``libxcb-*``) and pins wrong versions.

Usage: ``python3 derive_depends.py BUNDLE_DIR`` prints one ``Depends:`` value on stdout and the
unresolved sonames (if any) on stderr. Standard library only: it runs with the system Python.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
# Loaded by the bundle at runtime without being NEEDED, or needed for a usable desktop app.
EXTRA = ["fontconfig-config", "libgl1", "libegl1"]
# Sonames that optional plugins need but whose absence only disables that plugin.
OPTIONAL_PREFIXES = ("libgssapi", "libkrb5")


def elf_files(root: Path) -> list[Path]:
    files = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == ELF_MAGIC:
                    files.append(path)
    return files


def needed_and_glibc(path: Path) -> tuple[set[str], set[tuple[int, ...]]]:
    dyn = subprocess.run(
        ["readelf", "-dW", str(path)], capture_output=True, text=True, check=False
    ).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn))
    versions = subprocess.run(
        ["readelf", "-VW", str(path)], capture_output=True, text=True, check=False
    ).stdout
    glibc = {
        tuple(int(p) for p in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", versions)
    }
    return needed, glibc


def system_paths() -> dict[str, str]:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    paths: dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and "x86-64" in m.group(2):
            paths.setdefault(m.group(1), m.group(3))
    return paths


def package_of(path: str) -> str | None:
    for candidate in (path, str(Path(path).resolve())):
        res = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
        if res.returncode == 0:
            return res.stdout.split(":", 1)[0].strip()
        # merged /usr: dpkg knows /lib/x86_64-linux-gnu/... but ldconfig says /usr/lib/...
        if candidate.startswith("/usr/lib/"):
            alt = candidate[len("/usr") :]
            res = subprocess.run(["dpkg", "-S", alt], capture_output=True, text=True, check=False)
            if res.returncode == 0:
                return res.stdout.split(":", 1)[0].strip()
    return None


def main(argv: list[str]) -> int:
    root = Path(argv[1])
    files = elf_files(root)
    shipped = {p.name for p in root.rglob("*")}
    needed: set[str] = set()
    glibc: set[tuple[int, ...]] = set()
    for path in files:
        n, g = needed_and_glibc(path)
        needed |= n
        glibc |= g
    missing = sorted(n for n in needed - shipped if not n.startswith(("ld-linux", "linux-vdso")))
    where = system_paths()
    packages: set[str] = set()
    unresolved = []
    for soname in missing:
        pkg = package_of(where[soname]) if soname in where else None
        if pkg is None:
            unresolved.append(soname)
        elif not soname.startswith(OPTIONAL_PREFIXES):
            packages.add(pkg)
    packages.discard("libc6")
    packages.update(EXTRA)
    top = max(glibc) if glibc else (2, 35)
    depends = [f"libc6 (>= {'.'.join(map(str, top))})", *sorted(packages)]
    if unresolved:
        print(
            "unresolved sonames (not installed on the build host): " + " ".join(unresolved),
            file=sys.stderr,
        )
    print(", ".join(depends))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
