#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter (3.12 preferred: widest wheel coverage), or explain what is missing and exit 1.
# Why not plain python3: on our Debian 12 machines python3 is 3.11, and PySide6 6.12 on
# Python 3.11 aborts after a few hundred signal emits (see docs/architecture.md).
set -u
ok() { "$1" -c 'import sys; raise SystemExit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
candidates=()
if [ -n "${PYTHON:-}" ]; then candidates+=("$PYTHON"); fi
for v in python3.12 python3.13 python3; do
  p=$(command -v "$v" 2>/dev/null) && candidates+=("$p")
done
root=""
if command -v pyenv >/dev/null 2>&1; then root=$(pyenv root 2>/dev/null); fi
[ -z "$root" ] && [ -d "$HOME/.pyenv" ] && root="$HOME/.pyenv"
if [ -n "$root" ] && [ -d "$root/versions" ]; then
  for minor in 3.12 3.13; do
    for d in $(ls -1 "$root/versions" | sort -rV); do
      b="$root/versions/$d/bin/python$minor"
      [ -x "$b" ] && candidates+=("$b")
    done
  done
fi
for c in "${candidates[@]}"; do
  if ok "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<MSG
Videotime needs Python 3.12 or newer, and none was found.
Looked at: \$PYTHON, python3.13, python3.12, python3 on PATH, and pyenv versions${root:+ under $root/versions}.
Install one, for example:  pyenv install 3.12   (or: apt-get install python3.12 on a newer Debian/Ubuntu)
Then run the make target again, or point to it:  make test PYTHON=/path/to/python3.12
MSG
exit 1
