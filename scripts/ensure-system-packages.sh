#!/usr/bin/env bash
# Install the Debian packages in scripts/system-packages.txt that are missing.
# As root: installs them with apt-get. Otherwise: prints the exact command and fails.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkgs=$(sed -e 's/#.*//' "$here/system-packages.txt" | tr -s ' \n' '\n' | grep -v '^$')
missing=()
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node + npm run Pexip's published schema validators. Any install counts (Debian's, or the
# machine's own), so they are checked as commands, not as Debian packages.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages. Run as root:" >&2
  echo "  apt-get update && $cmd" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
