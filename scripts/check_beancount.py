"""Checks a Tally Beancount export with the real Beancount: the file loads with no
errors (bean-check's own checks, balance assertions included), and its postings summed
per account and currency equal the engine's trial balance, account by account.

    python scripts/check_beancount.py LEDGER.beancount ANSWERS.json

ANSWERS.json is `tally answers` output whose last element is a trial_balance answer.
Accounts are matched through the `tally_account` metadata of each `open` directive.
"""
import json
import sys
from decimal import Decimal

from beancount import loader
from beancount.core import data


def main(ledger_path, answers_path):
    entries, errors, _options = loader.load_file(ledger_path)
    if errors:
        for e in errors:
            print(f"bean-check: {e.message} ({e.source})", file=sys.stderr)
        return 1
    names = {}
    sums = {}
    transactions = 0
    for entry in entries:
        if isinstance(entry, data.Open):
            names[entry.account] = entry.meta["tally_account"]
        elif isinstance(entry, data.Transaction):
            transactions += 1
            for p in entry.postings:
                key = (names[p.account], p.units.currency)
                sums[key] = sums.get(key, Decimal(0)) + p.units.number
    answers = json.load(open(answers_path))
    tb = answers[-1]
    if not tb.get("ok") or "accounts" not in tb:
        print(f"the last answer is not a trial balance: {str(tb)[:200]}", file=sys.stderr)
        return 1
    refused = [a for a in answers[:-1] if not a.get("ok")]
    if refused:
        print(f"{len(refused)} commands were refused, first: {refused[0]}", file=sys.stderr)
        return 1
    expected = {(a["account"], a["currency"]): Decimal(a["balance"]) for a in tb["accounts"]}
    got = {k: v for k, v in sums.items() if v != 0}
    expected = {k: v for k, v in expected.items() if v != 0}
    if got != expected:
        for key in sorted(set(got) | set(expected)):
            if got.get(key) != expected.get(key):
                print(f"{key}: beancount {got.get(key)} trial balance {expected.get(key)}", file=sys.stderr)
        return 1
    print(f"beancount export: {transactions} transactions, {len(expected)} non-zero balances equal the trial balance")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
