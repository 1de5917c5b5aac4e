#!/usr/bin/env bash
# Install the pinned @pexip/infinity-api with npm (only when missing) and extract its embedded
# JSON Schemas to .cache/schemas/{schemas.json,index.json}. Idempotent; called by the Python
# wrapper (tests/conformance/pexip_schemas.py) on first use, so `make test` needs no extra step.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${PEXIP_INFINITY_API_VERSION:-20.0.0}"
cache="$here/.cache/infinity-api-$version"
pkg="$cache/node_modules/@pexip/infinity-api"
out="$cache/schemas"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "conformance: node and npm are required (scripts/system-packages.txt lists nodejs, npm)" >&2
  exit 1
fi
if [ ! -f "$pkg/dist/token/validation.js" ]; then
  mkdir -p "$cache"
  npm install --silent --no-audit --no-fund --no-save --prefix "$cache" \
    "@pexip/infinity-api@$version" >&2
fi
installed="$(node -p "require('$pkg/package.json').version")"
if [ "$installed" != "$version" ]; then
  echo "conformance: expected @pexip/infinity-api $version, found $installed" >&2
  exit 1
fi
if [ ! -f "$out/index.json" ] || [ "$here/extract_schemas.mjs" -nt "$out/index.json" ]; then
  node "$here/extract_schemas.mjs" "$pkg" "$out" >&2
fi
echo "$out"
