#!/usr/bin/env bash
# Debian packages the tests need: chromium (browser tests), CJK fonts (Japanese in screenshots
# and PDFs), poppler-utils (pdftotext/pdftoppm), postgresql (throw-away servers for the PostgreSQL
# tests). Installs only what is missing; needs root or sudo.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -f /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] || need+=(fonts-ipaexfont-gothic)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${need[*]}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
apt() {  # waits for another apt-get (an unattended upgrade, a second checkout installing) instead of failing
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=60 "$@" && return 0
    echo "apt-get $1 failed (attempt $attempt); retrying in 20 s"; sleep 20
  done
  return 1
}
apt update -q
apt install -y -q "${need[@]}"
