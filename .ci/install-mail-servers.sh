#!/usr/bin/env bash
# The mail servers the intake integration tests start privately (tests/KccRights.TestSupport/MailServers.cs).
# Exactly what was run on the development machine; neither package starts a system service by itself here.
set -euo pipefail
apt-get update
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string localhost" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive apt-get install -y $(grep -v '^#' "$(dirname "$0")/packages.txt")
