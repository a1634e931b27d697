#!/usr/bin/env bash
# `npm test`: installs the npm dependencies when they are missing, then type checks, lints and
# runs every jest project. Jest's global setup finds or starts the real infrastructure.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json --noEmit
npx eslint .
npx prettier --check .
exec npx jest "$@"
