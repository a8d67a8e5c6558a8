// Snapshots at rest (docs/sync.md, "Snapshots"): taken by the server, stored gzip in
// PostgreSQL (storage EXTERNAL, no pglz), kept in memory by the process that took or read
// them and served as stored; old uncompressed rows still load and serve; a first sync far
// behind the newest snapshot gets one taken at the head.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  addUser, Client, customer, eventually, freshDatabase, invoice, payment, psql, startServer, wasmEngine,
} from './harness.mjs';

const { newLedger, restoreLedger } = await wasmEngine();

/** Twelve commands of a small space. */
function commands(prefix) {
  const list = [customer(`${prefix}1`), customer(`${prefix}2`, 'USD')];
  for (let i = 0; i < 10; i++) list.push(i % 3 === 0 ? invoice(`${prefix}i${i}`, `${prefix}1`) : payment(`${prefix}p${i}`, i % 2 ? `${prefix}1` : `${prefix}2`, `${10 + i}.00`));
  return list;
}

/** The engine's snapshot of the server's journal replayed in wasm up to `seq`. */
async function replayedSnapshot(client, seq) {
  const { entries } = await client.pullAll();
  const ledger = newLedger();
  for (const e of entries.filter((x) => x.seq <= seq)) ledger.apply(e.command);
  assert.equal(ledger.seq(), seq);
  const bytes = ledger.snapshot();
  ledger.free();
  return Buffer.from(bytes);
}

/** The newest stored row of the space: its bytes (hex), raw_length, and how PostgreSQL keeps them. */
function storedRow(db, space) {
  const [seq, hex, rawLength, compression] = psql(db, `SELECT seq, encode(bytes, 'hex'), coalesce(raw_length::text, ''), coalesce(pg_column_compression(bytes), 'none')
    FROM snapshots WHERE space_id = (SELECT id FROM spaces WHERE name = '${space}') ORDER BY seq DESC LIMIT 1`).split('|');
  return { seq: Number(seq), hex, rawLength: rawLength === '' ? null : Number(rawLength), compression };
}

test('a snapshot is stored and served gzip-compressed, restores to the server\'s state, and the copy in memory is what PostgreSQL holds, also after a restart', async () => {
  const db = freshDatabase();
  const user = addUser(db, 'Gzip', 'fin@gzip.test', 'finance');
  const first = await startServer(db, { TALLY_SNAPSHOT_EVERY: '5', TALLY_SNAPSHOT_FRESH_GAP: '1000' });
  let client;
  let snap;
  let row;
  let expected;
  try {
    client = await Client.signedIn(first.url, user);
    for (const command of commands('g')) await client.push([command]);
    snap = await eventually(10_000, 'the snapshot at 10', async () => {
      const s = await client.snapshot();
      return s.status === 200 && s.seq === 10 ? s : null;
    });
    expected = await replayedSnapshot(client, 10);
    assert.equal(snap.contentType, 'application/gzip');
    assert.equal(snap.gzip, true, 'the body is gzip (0x1f 0x8b)');
    assert.ok(snap.stored.length < expected.length, `compressed: ${snap.stored.length} < ${expected.length} bytes`);
    assert.equal(snap.rawLength, expected.length, 'X-Tally-Snapshot-Length is the engine bytes\' length');
    assert.deepEqual(Buffer.from(snap.bytes), expected, 'gunzipped, the server\'s state at 10, byte for byte');
    assert.equal(restoreLedger(snap.bytes).seq(), 10, 'and the wasm engine restores it');
    assert.equal(snap.source, 'memory', 'the process that took it serves it from memory');

    row = storedRow(db, 'Gzip');
    assert.deepEqual([row.seq, row.rawLength, row.compression], [10, expected.length, 'none'], 'stored gzip with its length; PostgreSQL did not compress it again (no pglz)');
    assert.equal(row.hex, Buffer.from(snap.stored).toString('hex'), 'memory and PostgreSQL hold the same bytes');
    assert.equal(psql(db, "SELECT attstorage FROM pg_attribute WHERE attrelid = 'snapshots'::regclass AND attname = 'bytes'"), 'e', 'storage EXTERNAL');
  } finally {
    // Stopped whatever happened: a server left running keeps the test process alive.
    await first.stop();
  }

  // A restart reads it from PostgreSQL: loaded at start (kept in memory), or on the
  // first request (read from the database once, then from memory).
  for (const preload of ['1', '0']) {
    const again = await startServer(db, { TALLY_SNAPSHOT_EVERY: '1000', TALLY_SNAPSHOT_FRESH_GAP: '1000', TALLY_PRELOAD: preload });
    try {
      client = await Client.signedIn(again.url, user);
      snap = await client.snapshot();
      assert.equal(snap.source, preload === '1' ? 'memory' : 'db', `preload ${preload}: first answer`);
      if (preload === '1') assert.match(again.log(), /snapshot 10, 2 replayed/, 'the engine was built from the gzip snapshot');
      const second = await client.snapshot();
      assert.equal(second.source, 'memory', `preload ${preload}: then from memory`);
      for (const s of [snap, second]) {
        assert.equal(s.seq, 10);
        assert.equal(Buffer.from(s.stored).toString('hex'), row.hex, 'what the restarted process serves is what PostgreSQL holds');
      }
    } finally {
      await again.stop();
    }
  }
});

test('an old uncompressed snapshot (stored before gzip) still loads, serves and restores', async () => {
  const db = freshDatabase();
  const user = addUser(db, 'Old', 'fin@old.test', 'finance');
  const first = await startServer(db, { TALLY_SNAPSHOT_EVERY: '1000', TALLY_SNAPSHOT_FRESH_GAP: '1000' });
  let client = await Client.signedIn(first.url, user);
  for (const command of commands('o')) await client.push([command]);
  const raw = await replayedSnapshot(client, 12);
  await first.stop();
  assert.equal(raw.subarray(0, 8).toString('latin1'), 'TALLYSNP');
  // As a server before gzip wrote it: the engine's bytes, no raw_length.
  psql(db, `INSERT INTO snapshots (space_id, seq, bytes) VALUES ((SELECT id FROM spaces WHERE name = 'Old'), 12, decode('${raw.toString('hex')}', 'hex'))`);

  const again = await startServer(db, { TALLY_SNAPSHOT_EVERY: '1000', TALLY_SNAPSHOT_FRESH_GAP: '1000' });
  try {
    assert.match(again.log(), /snapshot 12, 0 replayed/, 'the engine was built from the old snapshot');
    client = await Client.signedIn(again.url, user);
    const snap = await client.snapshot();
    assert.equal(snap.status, 200);
    assert.equal(snap.contentType, 'application/octet-stream');
    assert.equal(snap.gzip, false);
    assert.equal(snap.rawLength, raw.length);
    assert.deepEqual(Buffer.from(snap.stored), raw, 'served as stored');
    assert.equal(restoreLedger(snap.bytes).seq(), 12);
    // And the space goes on from it.
    const next = await client.push([payment('o-after', 'o1', '1.00')]);
    assert.equal(next.body.answers[0].seq, 13);
  } finally {
    await again.stop();
  }
});

test('a first sync far behind the newest snapshot gets one taken at the head, then shares it', async () => {
  const db = freshDatabase();
  const user = addUser(db, 'Fresh', 'fin@fresh.test', 'finance');
  const server = await startServer(db, { TALLY_SNAPSHOT_EVERY: '1000', TALLY_SNAPSHOT_FRESH_GAP: '5' });
  try {
    const client = await Client.signedIn(server.url, user);
    const list = commands('f');
    for (const command of list) await client.push([command]);
    let snap = await client.snapshot();
    assert.deepEqual([snap.status, snap.seq, snap.gzip], [200, 12, true], 'none stored: one taken at the head (12)');
    assert.deepEqual(Buffer.from(snap.bytes), await replayedSnapshot(client, 12));
    await eventually(10_000, 'stored (written after it was served)', () => storedRow(db, 'Fresh').seq === 12);
    assert.equal(storedRow(db, 'Fresh').hex, Buffer.from(snap.stored).toString('hex'), 'what was served is what is stored');

    await client.push([payment('f-a', 'f1', '1.00'), payment('f-b', 'f1', '1.00'), payment('f-c', 'f1', '1.00')]);
    snap = await client.snapshot();
    assert.equal(snap.seq, 12, '3 behind, within the gap: the stored one');
    await client.push([payment('f-d', 'f1', '1.00'), payment('f-e', 'f1', '1.00'), payment('f-f', 'f1', '1.00')]);
    // Two first syncs at once: one snapshot taken, both get it.
    const [x, y] = await Promise.all([client.snapshot(), client.snapshot()]);
    assert.deepEqual([x.seq, y.seq], [18, 18], '6 behind: a new one at the head');
    assert.equal(Buffer.from(x.stored).toString('hex'), Buffer.from(y.stored).toString('hex'));
    assert.deepEqual(Buffer.from(x.bytes), await replayedSnapshot(client, 18));
    assert.equal((server.log().match(/snapshot at 18:/g) ?? []).length, 1, 'taken once');
  } finally {
    await server.stop();
  }
});
