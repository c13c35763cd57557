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
XDG_CONFIG_HOME="$PWD/.data/smtp4dev" dotnet tool run smtp4dev -- --baseappdatapath="$PWD/.data/smtp4dev" \
  --nousersettings --db= --smtpport=2525 --imapport=1143 --pop3port= --bindaddress=127.0.0.1 \
  --urls=http://127.0.0.1:5081 > .data/smtp4dev/smtp4dev.log 2>&1 &
mailbox=$!
trap 'kill $mailbox 2>/dev/null || true' EXIT

# Development: the demo sign-in page (demonstration users) instead of Entra ID.
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# The local mailbox: smtp4dev keeps no folders or keywords, so handled mail is marked read (\Seen).
export Intake__Mailbox__Host=127.0.0.1 Intake__Mailbox__Port=1143 Intake__Mailbox__Tls=None \
  Intake__Mailbox__Username=data.protection@kent.gov.uk Intake__Mailbox__Password=local \
  Intake__Mailbox__ProcessedFolder= 'Intake__Mailbox__ProcessedKeyword=\Seen' Intake__Mailbox__PollInterval=00:00:05 \
  Intake__Smtp__Host=127.0.0.1 Intake__Smtp__Port=2525 Intake__Smtp__Tls=None
# The demo source systems (issue 11: education, early help, social care, youth justice, SEND, admissions and a folder of
# documents, with the people of demo/people.tsv planted), seeded once; delete .data/demo-documents to seed them again.
[ -d .data/demo-documents ] || Storage__DataDirectory="$PWD/.data" dotnet run --project src/KccRights.Host -c Release -- demo-data --scale small
dotnet run --project src/KccRights.Host -c Release -- serve --demo --Storage:DataDirectory="$PWD/.data" "$@"
