#!/usr/bin/env bash
# Installs the Debian packages the tests need (browser, LibreOffice with German hyphenation,
# poppler, PostgreSQL), only those that are missing, so a machine that has them is not touched.
set -euo pipefail

# hyphen-de: LibreOffice hyphenates German text in the PDFs only with this dictionary.
packages=(chromium chromium-driver libreoffice-writer hyphen-de fonts-liberation2 poppler-utils postgresql nginx)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "error: need root to install ${missing[*]} (run as root or install them yourself)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql and nginx packages start system services; the tests run their own.
if command -v nginx >/dev/null; then
    nginx -s stop 2>/dev/null || pkill -x nginx 2>/dev/null || true
fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    for version in /etc/postgresql/*; do
        pg_ctlcluster "$(basename "$version")" main stop 2>/dev/null || true
    done
fi
