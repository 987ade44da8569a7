#!/usr/bin/env bash
# Runs the browser end-to-end test against a running cluster: DEMO_URL=https://127.0.0.1:4430/ ./run.sh
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi
exec node "${BROWSER_SCRIPT:-run.mjs}" "$@" # BROWSER_SCRIPT=tcp.mjs: the ICE-TCP test
