// A snapshot written in pieces (snapshotBegin / snapshotNext), as the store does so no
// main-thread task is long: the pieces joined are `snapshot()`, whatever their size, and
// a command that commits in between interrupts the writing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { loadEngine, newLedger, restoreLedger } from '../../www/engine.js';

const file = (path) => readFileSync(new URL(path, import.meta.url));
await loadEngine({ bytes: file('../../www/pkg/tally_engine_bg.wasm') });

const commands = file('../fixtures/snapshot-v2.commands.jsonl').toString('utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

function ledger() {
  const l = newLedger();
  for (const c of commands) assert.equal(l.apply(c).ok, true, JSON.stringify(c));
  return l;
}

function joined(pieces) {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test('pieces of several sizes join to snapshot() and restore', () => {
  const l = ledger();
  const whole = l.snapshot();
  for (const size of [1, 7, 100, 4096, 65536, 1e9]) {
    l.snapshotBegin();
    const pieces = [];
    for (let piece = l.snapshotNext(size); piece !== undefined; piece = l.snapshotNext(size)) {
      assert.ok(piece instanceof Uint8Array && piece.length > 0, 'never an empty piece');
      pieces.push(piece);
    }
    if (size >= whole.length) assert.equal(pieces.length, 1);
    if (size === 4096) assert.ok(pieces.length > 2 && pieces.every((p, i) => i === pieces.length - 1 || p.length >= 4096));
    assert.deepEqual(joined(pieces), whole, `pieces of ${size} bytes`);
  }
  assert.equal(restoreLedger(whole).seq(), l.seq());
});

test('a command that commits between pieces interrupts; a refused one or a query does not', () => {
  const l = ledger();
  l.snapshotBegin();
  assert.ok(l.snapshotNext(1000).length > 0);
  assert.equal(l.apply({ type: 'record_payment', id: 'p-x', customer: 'nobody', amount: '1.00', method: 'cash', date: '2020-03-01' }).ok, false);
  l.query({ type: 'trial_balance' });
  assert.ok(l.snapshotNext(1000).length > 0, 'still writing');
  assert.equal(l.apply({ type: 'create_customer', id: 'm-new', name: 'New', currency: 'EUR' }).ok, true);
  assert.throws(() => l.snapshotNext(1000), (e) => e instanceof Error && e.message.startsWith('snapshot_interrupted:'));
  // Begun again, it is the snapshot of the state now.
  l.snapshotBegin();
  const pieces = [];
  for (let p = l.snapshotNext(5000); p !== undefined; p = l.snapshotNext(5000)) pieces.push(p);
  assert.deepEqual(joined(pieces), l.snapshot());
});

test('snapshotNext without snapshotBegin, or after the last piece, is interrupted', () => {
  const l = ledger();
  assert.throws(() => l.snapshotNext(100), (e) => e.message.startsWith('snapshot_interrupted:'));
  l.snapshotBegin();
  while (l.snapshotNext(1e9) !== undefined);
  assert.throws(() => l.snapshotNext(100), (e) => e.message.startsWith('snapshot_interrupted:'));
});

test('a replay between pieces interrupts', () => {
  const source = ledger();
  const l = restoreLedger(source.snapshot());
  l.snapshotBegin();
  assert.ok(l.snapshotNext(10).length > 0);
  source.apply({ type: 'create_customer', id: 'm-replayed', name: 'R', currency: 'EUR' });
  const [entry] = source.journalSince(l.seq());
  assert.equal(l.replay(entry).ok, true);
  assert.throws(() => l.snapshotNext(10), (e) => e.message.startsWith('snapshot_interrupted:'));
});
