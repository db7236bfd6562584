#!/usr/bin/env bash
# The one test command (npm test): type-check everything, then every jest suite (unit,
# integration and e2e, each integration/e2e suite on SQLite and on MySQL), then one closing
# line "N passed, N failed" that CI can read. Builds first: the worker pool's threads load the
# compiled engine worker (dist/engine-pool/engine.worker.js). When MySQL is unreachable outside
# CI its suites are skipped (jest's globalSetup decides, test/support/global-setup.ts), and a
# line before the closing one says how many and why.
set -euo pipefail
cd "$(dirname "$0")/.."
npx nest build
npx tsc --noEmit -p tsconfig.spec.json
out=$(mktemp)
found=$(mktemp)
trap 'rm -f "$out" "$found"' EXIT
status=0
DIP_TEST_STATUS_FILE="$found" npx jest --ci --json --outputFile="$out" "$@" || status=$?
[ -s "$out" ] || { echo "Tests: jest wrote no report"; exit "${status:-1}"; }
node -e '
  const fs = require("fs");
  const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  let found = {};
  try { found = JSON.parse(fs.readFileSync(process.argv[2], "utf8")); } catch {}
  // A skipped suite: a top-level describe of a test file whose tests were all skipped.
  const suites = new Map();
  for (const file of r.testResults)
    for (const a of file.assertionResults) {
      const key = `${file.name}\u0000${a.ancestorTitles[0] ?? ""}`;
      suites.set(key, (suites.get(key) ?? true) && a.status === "pending");
    }
  const skipped = [...suites.values()].filter(Boolean).length;
  if (skipped) console.log(`Skipped: ${skipped} suite${skipped === 1 ? "" : "s"} (${found.mysqlSkipReason ?? "skipped in the test code"})`);
  const line = `${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : "");
  console.log(`Tests: ${line}`);
' "$out" "$found"
exit $status
