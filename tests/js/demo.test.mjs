// The demo data (www/demo.js): every command accepted, books balanced, a realistic mix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { loadEngine, newLedger } from '../../www/engine.js';
import { demoCommands, demoNextDraft } from '../../www/demo.js';

await loadEngine({ bytes: readFileSync(new URL('../../www/pkg/tally_engine_bg.wasm', import.meta.url)) });

const isZero = (amount) => /^-?0(\.0+)?$/.test(amount);

function run(commands) {
  const ledger = newLedger();
  commands.forEach((command, i) => {
    const answer = ledger.apply(command);
    assert.equal(answer.ok, true, `command ${i} (${command.id}) refused: ${JSON.stringify(answer.error)}`);
    assert.equal(answer.duplicate, false, `command ${i} (${command.id}) is a duplicate`);
  });
  return ledger;
}

test('every demo command is accepted, once', () => {
  const commands = demoCommands();
  assert.ok(commands.length > 500, `only ${commands.length} commands`);
  assert.equal(new Set(commands.map((c) => c.id)).size, commands.length, 'ids are unique');
  run(commands);
});

test('the demo books balance, per currency', () => {
  const ledger = run(demoCommands());
  const tb = ledger.query({ type: 'trial_balance' });
  assert.equal(tb.ok, true);
  assert.ok(tb.totals.length >= 2, `currencies: ${JSON.stringify(tb.totals)}`);
  for (const t of tb.totals) assert.ok(isZero(t.total), `${t.currency} total ${t.total}`);
});

test('a realistic mix: customers, currencies, credit, overdue, every kind of record', () => {
  const today = '2026-11-25';
  const commands = demoCommands({ today });
  const ledger = run(commands);
  const { customers } = ledger.query({ type: 'customers' });
  assert.ok(customers.length >= 35, `${customers.length} customers`);
  assert.ok(customers.some((c) => / (Ltd|LLP|GmbH|Inc\.|SAS|BV)$/.test(c.name)), 'companies');
  const currencies = new Set(customers.map((c) => c.currency));
  assert.ok(currencies.size >= 2, `currencies ${[...currencies]}`);
  const inCredit = customers.filter((c) => c.balances.some((b) => b.balance.startsWith('-')));
  assert.ok(inCredit.length >= 1, 'a customer in credit');

  const aging = ledger.query({ type: 'aging', as_of: today });
  assert.equal(aging.ok, true);
  const overdue = aging.rows.filter((r) => ['days_1_30', 'days_31_60', 'days_61_90', 'over_90'].some((k) => !isZero(r[k])));
  assert.ok(overdue.length >= 1, 'a customer with overdue invoices');
  const buckets = ['current', 'days_1_30', 'days_31_60', 'days_61_90', 'over_90'].filter((k) => aging.totals.some((t) => !isZero(t[k])));
  assert.ok(buckets.length >= 3, `aged receivables in buckets ${buckets}`);

  const types = new Set(commands.map((c) => c.type));
  for (const t of ['add_credit', 'apply_credit', 'issue_credit_note', 'refund_credit', 'void_payment', 'void_invoice']) assert.ok(types.has(t), t);
  const methods = new Set(commands.filter((c) => c.type === 'record_payment').map((c) => c.method));
  assert.deepEqual([...methods].sort(), ['bank_transfer', 'card', 'cash', 'cheque', 'direct_debit', 'other']);
  const notes = commands.filter((c) => c.type === 'issue_credit_note');
  assert.ok(notes.some((c) => c.invoice) && notes.some((c) => !c.invoice), 'credit notes with and without an invoice');
  const invoices = commands.filter((c) => c.type === 'issue_invoice');
  assert.ok(invoices.some((c) => c.prices_include_tax) && invoices.some((c) => c.lines.some((l) => l.discount_rate)));
  assert.ok(invoices.every((c) => c.date.endsWith('-01') && c.due_date.endsWith('-15') && c.lines.length >= 1 && c.lines.length <= 4));
  assert.ok(commands.find((c) => c.id === 'cus-northwind')?.name === 'Northwind Studio Ltd');
  assert.ok(commands.some((c) => c.id === 'inv-2026-03-cus-northwind'));
  const maxDate = commands.map((c) => c.date).filter(Boolean).sort().at(-1);
  assert.ok(maxDate <= today && maxDate >= '2026-11-01', `last date ${maxDate}`);
});

test('the same input gives the same commands', () => {
  assert.deepEqual(demoCommands(), demoCommands());
  assert.deepEqual(demoCommands({ today: '2026-11-25' }), demoCommands());
});

test('dates follow `today`', () => {
  const today = '2027-03-10';
  const commands = demoCommands({ today });
  const dates = commands.map((c) => c.date).filter(Boolean).sort();
  assert.ok(dates.at(-1) <= today && dates.at(-1) >= '2027-03-01', `last date ${dates.at(-1)}`);
  assert.ok(dates[0] >= '2026-03-01', `first date ${dates[0]}`);
  assert.ok(commands.some((c) => c.id === 'inv-2027-03-cus-northwind'));
  const ledger = run(commands);
  for (const t of ledger.query({ type: 'trial_balance' }).totals) assert.ok(isZero(t.total));
  assert.notDeepEqual(commands, demoCommands());
});

test('the next-invoice draft previews against the demo ledger', () => {
  const ledger = run(demoCommands());
  const preview = ledger.query({ type: 'preview_invoice', ...demoNextDraft('cus-lovelace') });
  assert.equal(preview.ok, true, JSON.stringify(preview.error));
  assert.equal(preview.date, '2026-12-01');
  assert.equal(preview.credit_applied, '45.00');
});
