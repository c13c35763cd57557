#!/usr/bin/env bash
# The demo's local mail server: smtp4dev (pinned in .config/dotnet-tools.json), in the foreground until stopped. Used by
# ./run.sh and by the demo test (tests/KccRights.Host.Tests/DemoTests.cs), so both run the same configuration.
#
# Two mailboxes, by smtp4dev's mailbox rules (first match wins), so the service never reads its own letters back:
#   DataProtection  only mail addressed to data.protection@kent.gov.uk: the mailbox intake reads over IMAP, logged in
#                   as data.protection@kent.gov.uk (a user whose DefaultMailbox it is);
#   Default         everything else (smtp4dev's catch-all): the acknowledgements and letters the service sends to
#                   requesters, shown at the web address below and read over IMAP by any other user name.
# Settings (environment): KCC_DEMO_MAIL_DIR (default ./.data/smtp4dev), KCC_DEMO_SMTP_PORT (2525), KCC_DEMO_IMAP_PORT
# (1143), KCC_DEMO_MAIL_URL (http://127.0.0.1:5081).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${KCC_DEMO_MAIL_DIR:-$PWD/.data/smtp4dev}"
mkdir -p "$dir"
dotnet tool restore >/dev/null

export XDG_CONFIG_HOME="$dir"
export ServerOptions__Users__0__Username=data.protection@kent.gov.uk ServerOptions__Users__0__Password=local \
  ServerOptions__Users__0__DefaultMailbox=DataProtection ServerOptions__DeliverMessagesToUsersDefaultMailbox=false
exec dotnet tool run smtp4dev -- --baseappdatapath="$dir" --nousersettings --db= \
  --smtpport="${KCC_DEMO_SMTP_PORT:-2525}" --imapport="${KCC_DEMO_IMAP_PORT:-1143}" --pop3port= --bindaddress=127.0.0.1 \
  --urls="${KCC_DEMO_MAIL_URL:-http://127.0.0.1:5081}" --mailbox="DataProtection=data.protection@kent.gov.uk"
