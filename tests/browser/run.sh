#!/usr/bin/env bash
# Runs a browser end-to-end test against a running cluster: DEMO_URL=https://127.0.0.1:4430/ ./run.sh [script.mjs]
# (default run.mjs; simulcast.mjs for the simulcast layers test).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
  echo "run.sh: installing the browser test's npm packages into tests/browser/node_modules (npm ci, first run only)" >&2
  npm ci --no-audit --no-fund
fi
script=run.mjs
if [[ "${1:-}" == *.mjs ]]; then
  script=$1
  shift
fi
exec node "$script" "$@"
