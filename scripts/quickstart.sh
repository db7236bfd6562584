#!/usr/bin/env bash
# The main job on the embedded SQLite database, from a fresh clone: install and build when
# needed, generate a small synthetic history, register its hospitals, import its cases.
# Safe to run again: identical cases are skipped, not duplicated.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build

dip() { node dist/cli/main.js "$@"; }
out=data/demo
codes=()
[ -d ../shared/data/codes ] && codes=(--codes ../shared/data/codes)
dip generate --out "$out" --cases "${DEMO_CASES:-20000}" --years 2021-2023 --seed 1 "${codes[@]}"
dip hospitals import "$out/hospitals.csv"
for year in 2021 2022 2023; do
  dip import cases "$out/cases-$year.csv"
done
# The 2024 catalogue from that history, with the policy the generator wrote.
dip catalog build --region 370300 --year 2024 --policy "$out/policy-370300-2024.json"
echo
echo "Done. The database is ${DIP_SQLITE_PATH:-data/dip.sqlite}; start the API with 'npm start' and open http://localhost:3000/api/docs"
