#!/usr/bin/env bash
# The test command: typecheck, then every test (unit, package, smoke), then a plain summary line.
set -uo pipefail
cd "$(dirname "$0")/../.."
report=.vitest-report.json
rm -f "$report"
npx --no-install tsc -p tsconfig.json --noEmit || { echo "typecheck failed"; echo "0 passed, 1 failed"; exit 1; }
npx --no-install vitest run --reporter=default --reporter=json --outputFile="$report" "$@"
status=$?
if [ -f "$report" ]; then node tools/ci/test-summary.mjs "$report" || status=1; fi
exit $status
