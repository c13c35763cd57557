#!/usr/bin/env bash
# Runs every test of KCC Rights on this machine, installing what is missing first (apt-get when root).
# The tests start their own PostgreSQL (and mail servers and browser where needed); nothing to configure.
# Test projects run one after another (this is a 2-core machine and each starts real servers); results go to
# TestResults/<project>/ as TRX files.
set -uo pipefail
cd "$(dirname "$0")"
# Chromium for the browser tests (Debian's package, driven by Playwright without a browser download); Dovecot and
# Postfix for the mail tests (each test run starts private instances on loopback ports).
bash scripts/install-prerequisites.sh chromium dovecot-imapd postfix || exit 1
if [ -f .config/dotnet-tools.json ]; then dotnet tool restore >/dev/null || exit 1; fi
rm -rf TestResults
dotnet build KccRights.sln -c Release -nologo -clp:ErrorsOnly || exit 1

status=0
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" \
    --results-directory "TestResults/$name" "$@" || status=1
done
exit $status
