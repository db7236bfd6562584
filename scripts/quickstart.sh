#!/usr/bin/env bash
# The main job on the embedded SQLite database, from a fresh clone: install and build when
# needed, generate a synthetic region (three years of history and the settlement year), import
# it, build and activate the settlement year's catalogue, and run a month's pre-settlement:
# its summary (point value per pool, the hospital table) is printed and its report files
# (JSON, CSV, XLSX) written to data/reports. Safe to run again: identical cases are skipped, the
# same catalogue is the same version, and the month's draft settlement is replaced.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build

dip() { node dist/cli/main.js "$@"; }
out=data/demo
codes=(--codes catalogs/codes)
cases=${DEMO_CASES:-20000}
# History 2021–2023 (with the 2024 policy the generator derives from it), then 2024 itself.
dip generate --out "$out" --cases "$cases" --years 2021-2023 --seed 1 "${codes[@]}"
dip generate --out "$out/2024" --cases "$cases" --years 2024 --seed 1 "${codes[@]}" >/dev/null
dip hospitals import "$out/hospitals.csv"
for file in "$out/cases-2021.csv" "$out/cases-2022.csv" "$out/cases-2023.csv" "$out/2024/cases-2024.csv"; do
  dip import cases "$file"
done
# The 2024 catalogue from that history, with the policy the generator wrote; then activate it.
catalogue=$(dip catalog build --region 370300 --year 2024 --policy "$out/policy-370300-2024.json" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const o=JSON.parse(s);console.error(`catalogue ${o.catalogueId}: ${o.coreGroups} core + ${o.compositeGroups} composite groups, pvBudget ${o.pvBudget}`);console.log(o.catalogueId)})')
dip catalog activate "$catalogue"
# March 2024: grouped and scored on the worker pool, valued, stored as a draft run, reported.
echo
dip settle month --region 370300 --period 2024-03 --out data/reports
# Demo users of each role for the dashboard and the API (kept when they exist): the agency, the
# first generated hospital, and three experts affiliated with the next three hospitals.
password=${DEMO_PASSWORD:-dip-demo-password}
mapfile -t codes < <(tail -n +2 "$out/hospitals.csv" | cut -d, -f1 | head -4)
demo_user() { printf '%s\n' "$password" | dip users create --exists-ok --password-file - "$@" >/dev/null; }
demo_user --username demo-agency --role agency --region 370300
demo_user --username demo-hospital --role hospital --hospital "${codes[0]}"
for i in 1 2 3; do demo_user --username "demo-expert-$i" --role expert --hospital "${codes[$i]}"; done
echo
echo "Done. The database is ${DIP_SQLITE_PATH:-data/dip.sqlite}. Start the service with 'npm start', then open"
echo "  http://localhost:3000/          the dashboard (API: http://localhost:3000/api/docs)"
echo "Demo logins (password '$password', for this local demo database only):"
echo "  agency    demo-agency      region 370300"
echo "  hospital  demo-hospital    hospital ${codes[0]}"
echo "  expert    demo-expert-1    (also demo-expert-2, demo-expert-3: a special-case panel)"
