#!/usr/bin/env bash
# Debian splits `venv`'s pip bootstrap (ensurepip) into the python3-venv package; a fresh
# machine may lack it, and then `python3 -m venv` fails half-way. Install it when missing.
set -euo pipefail

python="${1:-python3}"
"$python" -c "import ensurepip, venv" 2>/dev/null && exit 0

version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
echo "installing Debian's venv support for Python $version"
if [ "$(id -u)" -ne 0 ]; then
    echo "error: $python cannot create virtual environments; run as root or install python$version-venv" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "python$version-venv" >/dev/null \
    || apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
