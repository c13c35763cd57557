#!/usr/bin/env bash
# Runs KCC Rights with demonstration data: its own PostgreSQL in ./.data, listening on http://127.0.0.1:5080.
# Installs what is missing first (apt-get when root). Stop it with Ctrl+C; the next start reuses the data.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-prerequisites.sh
if [ -f .config/dotnet-tools.json ]; then dotnet tool restore >/dev/null; fi
# Development: the demo sign-in page (demonstration users) instead of Entra ID.
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
exec dotnet run --project src/KccRights.Host -c Release -- serve --demo --Storage:DataDirectory="$PWD/.data" "$@"
