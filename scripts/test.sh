#!/usr/bin/env bash
# The one test command (npm test): type-check everything, then every jest suite (unit,
# integration and e2e, each integration/e2e suite on SQLite and on MySQL), then the browser tests
# of the dashboard (test/browser, Playwright with Debian's Chromium; not when jest arguments pick
# some suites), then one closing line "N passed, N failed" that CI can read. Builds first: the worker pool's threads load the
# compiled engine worker (dist/engine-pool/engine.worker.js). When MySQL is unreachable outside
# CI its suites are skipped (jest's globalSetup decides, test/support/global-setup.ts), and a
# line before the closing one says how many and why.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
npx tsc --noEmit -p tsconfig.spec.json
out=$(mktemp)
found=$(mktemp)
trap 'rm -f "$out" "$found"' EXIT
status=0
DIP_TEST_STATUS_FILE="$found" npx jest --ci --json --outputFile="$out" "$@" || status=$?
[ -s "$out" ] || { echo "Tests: jest wrote no report"; exit "${status:-1}"; }
browser=$(mktemp)
trap 'rm -f "$out" "$found" "$browser"' EXIT
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ $# -gt 0 ]; then
  echo '{"skipped":"jest arguments were given"}' >"$browser"
elif [ ! -x "$chromium" ]; then
  echo "{\"skipped\":\"no Chromium at $chromium (apt-get install -y chromium fonts-wqy-zenhei)\"}" >"$browser"
else
  PLAYWRIGHT_JSON_OUTPUT_FILE="$browser" PLAYWRIGHT_JSON_OUTPUT_NAME="$browser" \
    npx playwright test -c test/browser/playwright.config.ts --reporter=list,json || status=$?
fi
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
  let b = {};
  try { b = JSON.parse(fs.readFileSync(process.argv[3], "utf8")); } catch {}
  if (b.skipped) console.log(`Skipped: the browser tests (${b.skipped})`);
  else if (!b.stats) console.log("Browser tests: no report (Playwright stopped before its tests; see above)");
  const bs = b.stats ?? { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
  const passed = r.numPassedTests + bs.expected + bs.flaky;
  const failed = r.numFailedTests + bs.unexpected;
  const pending = r.numPendingTests + bs.skipped;
  const line = `${passed} passed, ${failed} failed` + (pending ? `, ${pending} skipped` : "");
  console.log(`Tests: ${line}`);
' "$out" "$found" "$browser"
exit $status
