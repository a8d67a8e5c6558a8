#!/usr/bin/env bash
# The accountant's export against the real Beancount: exports a rich backup (the demo
# space plus write-offs, expiring credit and invoice tax rounding) with
# `tally export --format beancount`, runs bean-check on it, and compares its balances
# account by account with the engine's trial balance. Needs target/release/tally and
# the venv scripts/setup.sh --browser makes (target/py).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node scripts/beancount-backup.mjs "$work"
target/release/tally export --format beancount "$work/backup.json" > "$work/ledger.beancount"
target/release/tally export --format csv "$work/backup.json" > "$work/ledger.csv"
target/release/tally answers "$work/trial-balance.json" > "$work/answers.json"
target/py/bin/bean-check "$work/ledger.beancount"
target/py/bin/python scripts/check_beancount.py "$work/ledger.beancount" "$work/answers.json"
# The CSV has the same lines as the Beancount file's postings (one per posting).
csv_lines=$(($(wc -l < "$work/ledger.csv") - 1))
bean_lines=$(grep -cE '^  [A-Z][A-Za-z]+:[^ ]+  -?[0-9]' "$work/ledger.beancount")
if [ "$csv_lines" -ne "$bean_lines" ]; then
  echo "CSV has $csv_lines posting lines, the Beancount file $bean_lines" >&2
  exit 1
fi
echo "csv export: $csv_lines posting lines"
