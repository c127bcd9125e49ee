#!/usr/bin/env bash
# Every check and test: types, lint + format, unit and integration tests
# (real SQLite, real server processes, real docker CLI), then the console's
# production build and the Playwright e2e run in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
mkdir -p .tmp artifacts

step() { printf '\n== %s\n' "$*"; }

step "typecheck"
npx --no-install tsc --noEmit -p tsconfig.json
step "lint"
npx --no-install eslint . --max-warnings 0
npx --no-install prettier --check . >/dev/null || { npx --no-install prettier --check . ; exit 1; }
step "console build (integration tests start consoles too)"
npx --no-install next build
step "unit and integration tests (vitest)"
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json
step "e2e (playwright, chromium)"
npx --no-install playwright test
node scripts/summarize-tests.mjs
