#!/usr/bin/env bash
# Build dist/videotime_<version>_amd64.deb from a PyInstaller one-folder build (`make package`).
#
#   bash packaging/linux/build-deb.sh            # freeze + package
#   VIDEOTIME_SKIP_FREEZE=1 bash ...             # re-package an existing build/dist/videotime
#
# Layout of the package:
#   /opt/videotime/                      the frozen app (PyInstaller one-folder bundle)
#   /usr/bin/videotime -> /opt/videotime/videotime
#   /usr/share/applications/no.videotime.Videotime.desktop  (MimeType=x-scheme-handler/videotime;)
#   /usr/share/icons/hicolor/<size>/apps/videotime.png, scalable/apps/videotime.svg
#   /usr/share/doc/videotime/copyright
#
# No network during the build: PyInstaller must already be in the venv (pyproject dev extras,
# installed by `make venv`), and when this machine can make a private network namespace the
# freeze and the packaging run inside one (`unshare --net`: only a downed loopback), so an
# accidental download fails the build instead of passing silently.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY=${PY:-$ROOT/.venv/bin/python}
VERSION=$("$PY" -c 'import sys; sys.path.insert(0, "src"); import videotime_client as v; print(v.__version__)')
ARCH=amd64
NAME=videotime
# Desktop file ID = the app id the UI gives Qt (setDesktopFileName): Wayland matches windows to it.
DESKTOP_ID=no.videotime.Videotime.desktop
BUILD=$ROOT/build
BUNDLE=$BUILD/dist/$NAME
STAGE=$BUILD/deb/${NAME}_${VERSION}_${ARCH}
OUT=$ROOT/dist/${NAME}_${VERSION}_${ARCH}.deb

log() { printf '[build-deb] %s\n' "$*" >&2; }

# Loopback only (the self-test's call runs over 127.0.0.1; a new namespace starts with lo down).
LO_UP='{ ip link set lo up 2>/dev/null || true; }'
# Run "$@" without network access when the kernel lets us (root, or user namespaces).
offline() {
  if [ "${VIDEOTIME_ALLOW_NETWORK:-0}" = 1 ]; then
    "$@"
  elif [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
    unshare --net -- sh -c "$LO_UP"' && exec "$@"' offline "$@"
  elif unshare --net --map-root-user true 2>/dev/null; then
    unshare --net --map-root-user -- sh -c "$LO_UP"' && exec "$@"' offline "$@"
  else
    log "cannot make a network namespace here; building without one (still no downloads)"
    "$@"
  fi
}

if [ "${VIDEOTIME_ALLOW_NETWORK:-0}" = 1 ]; then
  log "network isolation: none (VIDEOTIME_ALLOW_NETWORK=1)"
elif { [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; } \
   || unshare --net --map-root-user true 2>/dev/null; then
  log "network isolation: private network namespace (loopback only)"
fi

"$PY" -c 'import PyInstaller' 2>/dev/null || {
  log "PyInstaller is not in $PY's environment: run 'make venv' (it is a dev dependency)"
  exit 1
}

if [ "${VIDEOTIME_SKIP_FREEZE:-0}" != 1 ]; then
  log "freezing with PyInstaller (offline)"
  offline "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --workpath "$BUILD/pyinstaller" --distpath "$BUILD/dist" packaging/videotime.spec

  # Strip debug info from Python extension modules and libpython only. Never Qt's own libraries
  # (binutils 2.40 broke Qt's libavformat.so.63), never the patchelf-ed wheel libraries in
  # *.libs/ (their program headers were rewritten; strip may misplace them).
  log "stripping debug info from Python extension modules"
  find "$BUNDLE/_internal" -name '*.so*' -type f \
    ! -path '*/PySide6/Qt/*' ! -path '*.libs/*' -exec strip --strip-debug {} +
  # One FFmpeg instead of two: Qt Multimedia uses PyAV's copy when the ABI matches exactly.
  python3 packaging/linux/share_ffmpeg.py "$BUNDLE" >&2
fi
[ -x "$BUNDLE/$NAME" ] || { log "no frozen app at $BUNDLE"; exit 1; }

log "smoke test of the frozen app (every self-test item but the keyring, which needs a session)"
QT_QPA_PLATFORM=offscreen offline "$BUNDLE/$NAME" --self-test >"$BUILD/self-test.log" 2>&1 || true
if ! grep -q '^ok   qt-multimedia' "$BUILD/self-test.log" \
   || ! grep -q '^ok   codecs' "$BUILD/self-test.log" \
   || ! grep -q '^ok   translations' "$BUILD/self-test.log" \
   || ! grep -q '^ok   face-detection' "$BUILD/self-test.log" \
   || ! grep -q '^ok   loopback-call' "$BUILD/self-test.log"; then
  cat "$BUILD/self-test.log" >&2
  log "the frozen app fails its self-test: refusing to package it"
  exit 1
fi

log "staging $STAGE"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/doc/$NAME"
cp -a "$BUNDLE" "$STAGE/opt/$NAME"
ln -s "/opt/$NAME/$NAME" "$STAGE/usr/bin/$NAME"
install -m 0644 "packaging/linux/$DESKTOP_ID" "$STAGE/usr/share/applications/$DESKTOP_ID"
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 0644 "packaging/icons/videotime-$size.png" \
    "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/$NAME.png"
done
install -D -m 0644 packaging/icons/videotime.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/$NAME.svg"
cat >"$STAGE/usr/share/doc/$NAME/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Videotime
Comment: /opt/$NAME bundles Python, Qt (LGPL-3.0), PySide6 (LGPL-3.0), FFmpeg (LGPL-2.1+, via
 PyAV and Qt Multimedia), aiortc (BSD-3-Clause) and their dependencies; their licence texts are
 in the respective folders under /opt/$NAME/_internal.

Files: *
Copyright: Videotime developers
License: Apache-2.0
 On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.
EOF
install -m 0755 packaging/linux/postinst "$STAGE/DEBIAN/postinst"
install -m 0755 packaging/linux/postrm "$STAGE/DEBIAN/postrm"

log "deriving Depends from the bundle's ELF files"
DEPENDS=$(python3 packaging/linux/derive_depends.py "$STAGE/opt/$NAME")
INSTALLED_KB=$(du -sk --apparent-size "$STAGE" | cut -f1)
cat >"$STAGE/DEBIAN/control" <<EOF
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: Videotime developers <videotime@invalid>
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Recommends: fonts-dejavu-core, xdg-utils, gnome-keyring | kwalletmanager
Section: net
Priority: optional
Homepage: https://videotime.invalid/
Description: join your hospital video consultation
 Videotime lets patients join their video consultation with the hospital
 (Pexip Infinity, as a guest) from the link in their appointment letter.
 Clicking a videotime:// link opens it in Videotime.
EOF

log "building $OUT (xz)"
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
offline dpkg-deb --root-owner-group -Zxz -z6 --build "$STAGE" "$OUT" >/dev/null
size=$(stat -c %s "$OUT")
log "built $OUT: $(( size / 1048576 )) MiB ($size bytes), installed $(( INSTALLED_KB / 1024 )) MiB"
echo "$OUT"
