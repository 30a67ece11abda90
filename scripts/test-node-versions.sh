#!/usr/bin/env bash
# The supported Node range beyond the one installed: the unit tests and the runner's endpoint tests
# (real Chromium) under each newer major, with Node taken from the npm registry (the `node` package).
set -euo pipefail
cd "$(dirname "$0")/.."
for major in ${NODE_MAJORS:-22 24}; do
  echo "== Node ${major}"
  npx -y -p "node@${major}" node --version
  npx -y -p "node@${major}" node node_modules/vitest/vitest.mjs run tests/unit tests/integration/runner-endpoints.test.ts
done
