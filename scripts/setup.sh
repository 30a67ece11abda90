#!/usr/bin/env bash
# Installs what crawlfleet needs on a Debian machine: Chromium (Debian's packages; Playwright's own
# download is not needed), redis-server (the load store the tests run edges and runners against; in
# the cloud it is ElastiCache) and the npm packages from the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
if [ ! -x /usr/lib/chromium/chromium-headless-shell ] && [ -z "${CRAWLFLEET_CHROMIUM_PATH:-}" ]; then packages+=(chromium chromium-headless-shell); fi
if ! command -v redis-server >/dev/null && ! command -v valkey-server >/dev/null; then packages+=(redis-server); fi
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
