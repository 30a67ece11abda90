#!/usr/bin/env bash
# Installs what crawlfleet needs on a Debian machine: Chromium (Debian's packages; Playwright's own
# download is not needed) and the npm packages from the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/lib/chromium/chromium-headless-shell ] && [ -z "${CRAWLFLEET_CHROMIUM_PATH:-}" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium chromium-headless-shell >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
