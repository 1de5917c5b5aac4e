#!/usr/bin/env bash
# Build packaging/icons/videotime.icns from the committed PNGs (macOS only: uses iconutil).
# Run before PyInstaller on the macOS runner; the spec uses the .icns as the app icon.
set -euo pipefail
icons=$(cd "$(dirname "$0")/../icons" && pwd)
set_dir=$(mktemp -d)/videotime.iconset
mkdir -p "$set_dir"
for size in 16 32 128 256 512; do
  cp "$icons/videotime-$size.png" "$set_dir/icon_${size}x${size}.png"
done
# @2x variants: the next size up (512@2x reuses 512; macOS scales it).
cp "$icons/videotime-32.png" "$set_dir/icon_16x16@2x.png"
cp "$icons/videotime-64.png" "$set_dir/icon_32x32@2x.png"
cp "$icons/videotime-256.png" "$set_dir/icon_128x128@2x.png"
cp "$icons/videotime-512.png" "$set_dir/icon_256x256@2x.png"
cp "$icons/videotime-512.png" "$set_dir/icon_512x512@2x.png"
iconutil --convert icns --output "$icons/videotime.icns" "$set_dir"
echo "$icons/videotime.icns"
