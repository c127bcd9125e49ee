#!/usr/bin/env bash
# Every check and test: types, lint + format, unit and integration tests
# (real SQLite, real server processes, real docker CLI), then the console's
# production build and the Playwright e2e run in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
mkdir -p .tmp artifacts
rm -f .tmp/vitest.json .tmp/vitest-fuzz.json .tmp/playwright.json # a summary counts this run only

step() { printf '\n== %s\n' "$*"; }

step "typecheck"
npx --no-install tsc --noEmit -p tsconfig.json
step "lint"
npx --no-install eslint . --max-warnings 0
npx --no-install prettier --check . >/dev/null || { npx --no-install prettier --check . ; exit 1; }
step "console build (integration tests start consoles too)"
npx --no-install next build
step "unit and integration tests (vitest)"
# the fuzz suite runs after, alone: its /_ping limit (100 ms) measures the manager's own stalls,
# not the two cores being shared with a dozen other test processes
status=0
npx --no-install vitest run --exclude test/fuzz/fuzz.test.ts \
  --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json || status=$?
step "fuzz suite (vitest, alone)"
npx --no-install vitest run test/fuzz/fuzz.test.ts \
  --reporter=default --reporter=json --outputFile.json=.tmp/vitest-fuzz.json || status=$?
[ "$status" -eq 0 ] || { node scripts/summarize-tests.mjs || true; exit "$status"; }
step "e2e (playwright, chromium)"
npx --no-install playwright test
node scripts/summarize-tests.mjs
