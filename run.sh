#!/usr/bin/env bash
# Runs KCC Rights with demonstration data: its own PostgreSQL in ./.data, a local mailbox (smtp4dev: SMTP on
# 127.0.0.1:2525, IMAP on 1143, sent and received mail at http://127.0.0.1:5081) that the service reads and sends
# through, and the staff web app on http://127.0.0.1:5080. Installs what is missing first (apt-get when root).
# Stop it with Ctrl+C; the next start reuses the data.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-prerequisites.sh
dotnet tool restore >/dev/null

mkdir -p .data/smtp4dev
# Mail to data.protection@kent.gov.uk goes to the mailbox intake reads; everything the service sends goes to another
# (scripts/demo-mailbox.sh), so its own letters never come back in as "auto-replies".
bash scripts/demo-mailbox.sh > .data/smtp4dev/smtp4dev.log 2>&1 &
mailbox=$!
# `dotnet tool run` starts smtp4dev as a child: stop the child (by its parent's id) and then the runner.
trap 'pkill -TERM -P $mailbox 2>/dev/null || true; kill $mailbox 2>/dev/null || true' EXIT

# Development: the demo sign-in page (demonstration users) instead of Entra ID.
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# The service reads and sends through that mailbox (IMAP IDLE on 1143, SMTP on 2525): the settings are in scripts/demo.env.
set -a
. scripts/demo.env
set +a
# The demo source systems (issue 11: education, early help, social care, youth justice, SEND, admissions and a folder of
# documents, with the people of demo/people.tsv planted), seeded once; delete .data/demo-documents to seed them again.
[ -d .data/demo-documents ] || Storage__DataDirectory="$PWD/.data" dotnet run --project src/KccRights.Host -c Release -- demo-data --scale small
dotnet run --project src/KccRights.Host -c Release -- serve --demo --Storage:DataDirectory="$PWD/.data" "$@"
