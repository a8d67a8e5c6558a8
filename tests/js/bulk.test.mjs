// The bulk module (www/pkg/bulk/, feature `bulk`): the shipped module leaves out the
// accountant's export and old-snapshot migration, and the page gets them from the bulk
// module, loaded on first need. A version 1 snapshot (tests/fixtures) opens through it
// to the same books as replaying its commands; the export is made from the live ledger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import {
  exportLedger, loadBulk, loadEngine, needsMigration, newLedger, openSnapshot, restoreAnyVersion, restoreLedger,
  snapshotFormatVersion, snapshotVersion,
} from '../../www/engine.js';

const file = (path) => readFileSync(new URL(path, import.meta.url));
await loadEngine({ bytes: file('../../www/pkg/tally_engine_bg.wasm') });

const v1 = new Uint8Array(file('../fixtures/snapshot-v1.bin'));
const commands = file('../fixtures/snapshot-v1.commands.jsonl').toString('utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

function replayed() {
  const ledger = newLedger();
  for (const c of commands) assert.equal(ledger.apply(c).ok, true, JSON.stringify(c));
  return ledger;
}

test('the shipped module refuses an older snapshot, naming the migration, and has no export', () => {
  assert.equal(snapshotVersion(v1), 1);
  assert.ok(snapshotFormatVersion() > 1);
  assert.equal(needsMigration(v1), true);
  assert.throws(() => restoreLedger(v1), /version 1 must be migrated first/);
  assert.throws(() => restoreAnyVersion(v1), (e) => e.needsBulk === true);
  assert.equal(typeof newLedger().exportLedger, 'undefined', 'the export is only in the bulk module');
});

test('a version 1 snapshot opens through the bulk module as the same books as its commands', async () => {
  await loadBulk({ bytes: file('../../www/pkg/bulk/tally_bulk_bg.wasm') });
  const opened = await openSnapshot(v1);
  const again = replayed();
  assert.equal(opened.seq(), again.seq());
  assert.deepEqual(opened.snapshot(), again.snapshot(), 'the same state, byte for byte, in the current format');
  assert.equal(needsMigration(opened.snapshot()), false);
  assert.deepEqual(opened.query({ type: 'trial_balance' }), again.query({ type: 'trial_balance' }));
  // Synchronous once the bulk module is loaded (for use inside a transaction).
  assert.equal(restoreAnyVersion(v1).seq(), again.seq());
});

/** A snapshot of an older format, written from the version 2 fixture's commands: refused
 * by the shipped module, opened through the bulk module as the same state. */
async function migratesThroughBulk(version, fixture) {
  const old = new Uint8Array(file(fixture));
  const commands = file('../fixtures/snapshot-v2.commands.jsonl').toString('utf8')
    .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  assert.equal(snapshotVersion(old), version);
  assert.equal(needsMigration(old), true);
  assert.throws(() => restoreLedger(old), new RegExp(`version ${version} must be migrated first \\(migrateSnapshot\\)`));
  await loadBulk({ bytes: file('../../www/pkg/bulk/tally_bulk_bg.wasm') });
  const opened = await openSnapshot(old);
  const again = newLedger();
  for (const c of commands) assert.equal(again.apply(c).ok, true, JSON.stringify(c));
  assert.equal(opened.seq(), again.seq());
  assert.deepEqual(opened.snapshot(), again.snapshot(), 'the same state, byte for byte, in the current format');
  assert.equal(snapshotVersion(opened.snapshot()), snapshotFormatVersion());
  assert.deepEqual(opened.query({ type: 'trial_balance' }), again.query({ type: 'trial_balance' }));
}

test('a version 2 snapshot (written before format 3) is refused by the shipped module and opens through the bulk module', () =>
  migratesThroughBulk(2, '../fixtures/snapshot-v2.bin'));

test('a version 3 snapshot (written before format 4) is refused by the shipped module and opens through the bulk module', () =>
  migratesThroughBulk(3, '../fixtures/snapshot-v3.bin'));

test('the export made by the bulk module adds up to the trial balance, and refuses other formats', async () => {
  const ledger = replayed();
  const csv = await exportLedger(ledger, 'csv');
  const [header, ...rows] = csv.trimEnd().split('\r\n');
  assert.equal(header, 'date,entry,account,debit,credit,currency,reference,description');
  assert.ok(rows.length > commands.length, `${rows.length} postings`);
  const beancount = await exportLedger(ledger, 'beancount');
  assert.match(beancount, /^\d{4}-\d{2}-\d{2} balance /m);
  await assert.rejects(exportLedger(ledger, 'xlsx'), /csv.*beancount/);
  assert.equal(ledger.seq(), commands.length, 'the ledger is untouched');
});
