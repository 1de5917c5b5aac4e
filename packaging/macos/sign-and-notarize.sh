#!/usr/bin/env bash
# Sign Videotime.app with the hardened runtime, wrap it in a DMG, notarize and staple.
#
#   packaging/macos/sign-and-notarize.sh build/dist/Videotime.app dist/Videotime-0.1.0-arm64.dmg
#
# Needs (from the CI secrets, see packaging/README.md; never commit them):
#   MACOS_SIGN_IDENTITY   "Developer ID Application: <Organisation> (<TEAMID>)", in a keychain
#                         imported by the workflow from MACOS_CERTIFICATE_P12 (+ password)
#   APPLE_API_KEY_PATH    path of the App Store Connect API key (.p8) written by the workflow
#   APPLE_API_KEY_ID, APPLE_API_ISSUER_ID
# Without MACOS_SIGN_IDENTITY it makes an unsigned DMG (ad-hoc signature) for testing only:
# Gatekeeper will refuse to open that on a patient's Mac.
set -euo pipefail
app=$1
dmg=$2
here=$(cd "$(dirname "$0")" && pwd)
entitlements=$here/entitlements.plist

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  identity=$MACOS_SIGN_IDENTITY
  sign_opts=(--force --timestamp --options runtime --sign "$identity")
else
  echo "MACOS_SIGN_IDENTITY not set: ad-hoc signing (not distributable)" >&2
  identity=-
  sign_opts=(--force --options runtime --sign -)
fi

# Inside-out: every Mach-O in the bundle first (PyInstaller does not sign the .app itself),
# then the app with the entitlements. --deep is not used: it ignores per-item options.
find "$app/Contents" -type f \( -name '*.so' -o -name '*.dylib' -o -perm -u+x \) -print0 |
  while IFS= read -r -d '' f; do
    if file "$f" | grep -q 'Mach-O'; then
      codesign "${sign_opts[@]}" "$f"
    fi
  done
codesign "${sign_opts[@]}" --entitlements "$entitlements" "$app"
codesign --verify --strict --verbose=2 "$app"

"$here/make-dmg.sh" "$app" "$dmg"

if [ "$identity" != - ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  xcrun notarytool submit "$dmg" --key "$APPLE_API_KEY_PATH" --key-id "$APPLE_API_KEY_ID" \
    --issuer "$APPLE_API_ISSUER_ID" --wait --timeout 45m
  xcrun stapler staple "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose "$dmg"
fi
echo "$dmg"
