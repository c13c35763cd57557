#!/usr/bin/env bash
# Installs what KCC Rights needs on a fresh Debian machine that has only the .NET SDK: PostgreSQL (the embedded
# default runs the machine's PostgreSQL binaries), time-zone data for Europe/London dates, poppler-utils (pdftoppm
# rasterises source-PDF pages whose redactions are burnt into pixels), and any further Debian
# packages named as arguments (the tests add chromium, dovecot-imapd and postfix).
# As root it uses apt-get; otherwise it says what to install. Safe to run again: installs only what is missing.
set -euo pipefail

missing=()
have_pg=false
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then have_pg=true; fi
$have_pg || missing+=(postgresql postgresql-contrib)
[ -e /usr/share/zoneinfo/Europe/London ] || missing+=(tzdata)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# The demo source systems' PDF letters (kccrights demo-data) are set in DejaVu Sans.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
for extra in "$@"; do
  dpkg -s "$extra" >/dev/null 2>&1 || missing+=("$extra")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix asks questions on install: a local-only mail system (the tests run their own private instances).
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string localhost" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package creates and starts a system cluster; the service never uses it.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do pg_ctlcluster "$version" "$name" stop 2>/dev/null || true; done
fi
