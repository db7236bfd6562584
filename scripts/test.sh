#!/usr/bin/env bash
# The one test command (npm test): type-check everything, then every jest suite (unit,
# integration and e2e, each integration/e2e suite on SQLite and on MySQL), then one closing
# line "N passed, N failed" that CI can read. Builds first: the worker pool's threads load the
# compiled engine worker (dist/engine-pool/engine.worker.js).
set -euo pipefail
cd "$(dirname "$0")/.."
npx nest build
npx tsc --noEmit -p tsconfig.spec.json
out=$(mktemp)
status=0
npx jest --ci --json --outputFile="$out" "$@" || status=$?
[ -s "$out" ] || { echo "Tests: jest wrote no report"; exit "${status:-1}"; }
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const line = `${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : "");
  console.log(`Tests: ${line}`);
' "$out"
rm -f "$out"
exit $status
