#!/usr/bin/env bash
# Rebuilds src/KccRights.Host/wwwroot/lib from the pinned npm packages (package-lock.json). Run after changing a
# front-end package version, then commit wwwroot/lib. Council branding: the GOV.UK typeface and crown are left out.
set -euo pipefail
cd "$(dirname "$0")/../src/KccRights.Host/frontend"
npm ci --no-audit --no-fund
out=../wwwroot/lib
rm -rf "$out" && mkdir -p "$out"
# GOV.UK Frontend CSS without the GDS Transport typeface (its @font-face rules and its name in font stacks).
sed -E 's/@font-face\{[^}]*\}//g; s/"?GDS Transport"?,//g' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css > "$out/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$out/"
cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.css "$out/"
cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js "$out/"
cp node_modules/htmx.org/dist/htmx.min.js "$out/"
# The MOJ components' icons, referenced by its CSS at /assets/images/.
rm -rf ../wwwroot/assets && mkdir -p ../wwwroot/assets/images
cp node_modules/@ministryofjustice/frontend/moj/assets/images/*.svg ../wwwroot/assets/images/
for p in govuk-frontend @ministryofjustice/frontend htmx.org; do
  printf '%s %s\n' "$p" "$(node -p "require('./node_modules/$p/package.json').version")"
done > "$out/VERSIONS"
echo "wwwroot/lib rebuilt:"; cat "$out/VERSIONS"
