#!/usr/bin/env bash
# DMG recipe: a compressed disk image with Videotime.app and a shortcut to /Applications, so the
# patient drags one icon onto the other (the window says nothing else; keep it that simple).
#
#   packaging/macos/make-dmg.sh build/dist/Videotime.app dist/Videotime-0.1.0-arm64.dmg
#
# Uses only hdiutil (part of macOS), no third-party create-dmg.
set -euo pipefail
app=$1
dmg=$2
staging=$(mktemp -d)/Videotime
mkdir -p "$staging"
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
mkdir -p "$(dirname "$dmg")"
rm -f "$dmg"
hdiutil create -volname "Videotime" -srcfolder "$staging" -fs HFS+ -format UDZO \
  -imagekey zlib-level=9 -ov "$dmg"
echo "$dmg"
