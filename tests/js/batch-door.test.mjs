// The batch text door (src/wasm/batch.rs, engine.js `replayTexts`/`replayEntries`):
// journal entries replayed from their commands' JSON texts, many in one crossing, must
// leave the same books and give the same refusals as `ledger.replay` one entry at a time,
// in the shipped module (whose reader declines escapes and numbers: those go as objects)
// and in the bulk module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { loadBulk, loadEngine, newLedger, replayEntries, replayTexts } from '../../www/engine.js';
import { collectFiles } from '../../scripts/scenario-runner.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const file = (path) => readFileSync(new URL(path, import.meta.url));
await loadEngine({ bytes: file('../../www/pkg/tally_engine_bg.wasm') });
const bulk = await loadBulk({ bytes: file('../../www/pkg/bulk/tally_bulk_bg.wasm') });

const modules = [
  ['shipped', () => newLedger()],
  ['bulk', () => new bulk.Ledger()],
];

/** Every command step of the scenario files, and a few of our own that take the door's other paths. */
function scenarioCommands() {
  const files = collectFiles([`${root}/../shared/scenarios`, `${root}/tests/scenarios`]);
  return files.map((f) => JSON.parse(readFileSync(f, 'utf8')).steps.filter((s) => s.command).map((s) => s.command));
}

const awkward = [
  { type: 'create_customer', id: 'c-q', name: 'Ada "the \\ first"\nLovelace', currency: 'EUR' },
  { type: 'create_customer', id: 'c-é', name: 'Café Zoë — 東京', currency: 'JPY', email: 'zoe@example.com' },
  { type: 'issue_invoice', id: 'i-q', customer: 'c-q', date: '2026-01-02', lines: [{ description: 'Desk "A"\tfront', quantity: '2', unit_price: '120.50', tax_rate: '0.20' }] },
  { type: 'issue_invoice', id: 'i-é', customer: 'c-é', date: '2026-01-03', lines: [{ description: 'Bureau, février', unit_price: '12000' }] },
  { type: 'record_payment', id: 'p-q', customer: 'c-q', amount: '100.00', method: 'card', date: '2026-01-04', at: '2026-01-04T10:00:00Z', by: 'Zoë' },
  { type: 'add_credit', id: 'a-q', customer: 'c-q', amount: '5.00', date: '2026-01-05', reason: 'sorry \u{1F600}' },
];

/** The journal of `commands` applied in turn (refused ones leave none). */
function journalOf(commands) {
  const ledger = newLedger();
  for (const c of commands) ledger.apply(c);
  const journal = ledger.journalSince(0);
  ledger.free();
  return journal;
}

/** Replays `entries` one by one until one is refused: the ledger and that refusal. */
function oneByOne(make, entries) {
  const ledger = make();
  for (const entry of entries) {
    const answer = ledger.replay(entry);
    if (!answer.ok) return { ledger, refusal: answer };
  }
  return { ledger, refusal: null };
}

function assertSameBooks(a, b, what) {
  assert.equal(a.seq(), b.seq(), what);
  assert.deepEqual(a.snapshot(), b.snapshot(), `${what}: the same state, byte for byte`);
}

const journals = [...scenarioCommands(), awkward].map(journalOf).filter((j) => j.length > 0);

test('the scenarios give journals to replay', () => {
  assert.ok(journals.length >= 20, `${journals.length} journals`);
  assert.ok(journals.some((j) => j.some((e) => /\\/.test(JSON.stringify(e.command)))), 'some command text has an escape');
});

for (const [name, make] of modules) {
  test(`${name}: a journal replayed through the door is the same books as replayed one by one`, () => {
    for (const journal of journals) {
      const texts = journal.map((e) => JSON.stringify(e.command));
      const door = make();
      assert.deepEqual(replayTexts(door, 1, texts), { replayed: journal.length, refusal: null });
      const { ledger: each, refusal } = oneByOne(make, journal);
      assert.equal(refusal, null);
      assertSameBooks(door, each, texts[0]);
      assert.deepEqual(door.journalSince(0), each.journalSince(0), 'the same journal held');
    }
  });

  test(`${name}: a refused entry stops the door where one by one stops, with the same refusal`, () => {
    const journal = [...journals].sort((a, b) => b.length - a.length)[0];
    const broken = [
      // a command the ledger refuses (an unknown customer), in the middle
      (j, k) => j.map((e, i) => (i === k ? { seq: e.seq, command: { ...e.command, customer: 'nobody', type: 'record_payment', amount: '1.00', method: 'cash', date: '2026-01-01' } } : e)),
      // an entry already applied (the first command again)
      (j, k) => k > 0 && j.map((e, i) => (i === k ? { seq: e.seq, command: j[0].command } : e)),
      // a command the reader declines (an escape) that is refused: a number where an amount belongs
      (j, k) => j.map((e, i) => (i === k ? { seq: e.seq, command: { type: 'create_customer', id: 'x"y', name: 7, currency: 'USD' } } : e)),
    ];
    for (const breakIt of broken) {
      for (const k of [0, 1, Math.floor(journal.length / 2), journal.length - 1]) {
        const entries = breakIt(journal, k);
        if (!entries) continue;
        const door = make();
        const result = replayEntries(door, entries);
        const { ledger: each, refusal } = oneByOne(make, entries);
        assert.notEqual(refusal, null, `entry ${k + 1} is refused one by one`);
        assert.equal(result.replayed, k);
        assert.deepEqual(result.refusal, refusal, 'the same refusal');
        assertSameBooks(door, each, `broken at ${k + 1}`);
      }
    }
  });

  test(`${name}: text that is not JSON, a wrong first seq, and entries out of sequence`, () => {
    const journal = journalOf(awkward);
    const texts = journal.map((e) => JSON.stringify(e.command));
    const ledger = make();
    const result = replayTexts(ledger, 1, [texts[0], texts[1], '{"type": "create_customer", ', texts[3]]);
    assert.equal(result.replayed, 2);
    assert.equal(result.refusal.error.details.rule, 'not_json');
    assert.equal(ledger.seq(), 2);
    // Going on from there: the wrong seq is refused as `replay` refuses it.
    const wrong = replayTexts(ledger, 5, texts.slice(2));
    assert.equal(wrong.replayed, 0);
    const twin = oneByOne(make, journal.slice(0, 2)).ledger;
    assert.deepEqual(wrong.refusal, twin.replay({ seq: 5, command: journal[2].command }));
    assert.equal(ledger.seq(), 2);
    assert.deepEqual(replayTexts(ledger, 3, texts.slice(2)), { replayed: texts.length - 2, refusal: null });
    // A gap in the seqs: refused at the gap, as one by one.
    const gap = journal.map((e, i) => (i >= 3 ? { ...e, seq: e.seq + 1 } : e));
    const door = make();
    const { ledger: each, refusal } = oneByOne(make, gap);
    const got = replayEntries(door, gap);
    assert.equal(got.replayed, 3);
    assert.deepEqual(got.refusal, refusal);
    assertSameBooks(door, each, 'gap');
  });

  test(`${name}: a batch bigger than one crossing, and non-ASCII text across the crossings`, () => {
    const commands = [];
    for (let i = 0; i < 900; i++) {
      commands.push({ type: 'create_customer', id: `c${i}`, name: `Zoë ${'x'.repeat(i % 300)} ${i}`, currency: 'EUR' });
      commands.push({ type: 'issue_invoice', id: `i${i}`, customer: `c${i}`, date: '2026-02-01', lines: [{ description: `Bureau n° ${i}`, unit_price: '99.90', tax_rate: '0.20' }] });
    }
    const journal = journalOf(commands);
    const door = make();
    assert.deepEqual(replayTexts(door, 1, journal.map((e) => JSON.stringify(e.command))), { replayed: journal.length, refusal: null });
    assertSameBooks(door, oneByOne(make, journal).ledger, 'big batch');
  });
}
