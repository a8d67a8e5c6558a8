// Snapshots at rest (issue 13): taken in pieces between writes, gzip, kept as a Blob;
// older uncompressed ones still open; schema 3 -> 4. Against Chromium's real IndexedDB.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { harness, launch, startServer } from './browser.mjs';

let server;
let url;
let browser;

before(async () => {
  ({ server, url } = await startServer());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function freshPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await harness(page, url);
  // Helpers in the page: seed a ledger, read a stored snapshot's engine bytes.
  await page.evaluate(() => {
    window.seed = async (store, payments) => {
      await store.apply({ type: 'create_customer', id: 'c1', name: 'Customer c1', currency: 'EUR' });
      const commands = [];
      for (let i = 0; i < payments; i++) commands.push({ type: 'record_payment', id: `p${i}`, customer: 'c1', amount: '1.00', method: 'card', date: '2026-01-05' });
      await store.applyMany(commands);
    };
    window.gunzip = async (bytes) => {
      const blob = bytes instanceof Blob ? bytes : new Blob([bytes]);
      return new Uint8Array(await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
    };
    window.same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
    window.newestSnapshot = async (name) => (await window.raw.getAll(name, 'snapshots')).at(-1);
  });
  return { context, page };
}

test('a snapshot is stored gzip-compressed as a Blob, equal to the engine\'s state at its seq, and the books open from it', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const s = await window.storeModule.openStore({ name: 'gzip', snapshotEvery: 1e9 });
    await window.seed(s, 300);
    await s.snapshotNow();
    const engineBytes = s.ledger.snapshot();
    const seq = s.seq;
    const trial = s.query({ type: 'trial_balance' });
    s.close();
    const record = await window.newestSnapshot('gzip');
    const stored = new Uint8Array(await record.bytes.arrayBuffer());
    const unzipped = await window.gunzip(record.bytes);
    const reopened = await window.storeModule.openStore({ name: 'gzip' });
    const out = {
      seq, key: record.seq, blob: record.bytes instanceof Blob, magic: [stored[0], stored[1]],
      smaller: stored.length < engineBytes.length, equal: window.same(unzipped, engineBytes),
      worker: performance.getEntriesByType('resource').some((e) => e.name.endsWith('/store-gzip-worker.js')),
      health: reopened.health, reopenedSeq: reopened.seq, sameTrial: JSON.stringify(reopened.query({ type: 'trial_balance' })) === JSON.stringify(trial),
    };
    reopened.close();
    return out;
  });
  assert.equal(r.key, r.seq);
  assert.equal(r.blob, true, 'kept as a Blob');
  assert.deepEqual(r.magic, [0x1f, 0x8b], 'gzip (RFC 1952)');
  assert.equal(r.smaller, true);
  assert.equal(r.equal, true, 'the decompressed snapshot is the engine\'s snapshot at its seq, byte for byte');
  assert.equal(r.worker, true, 'compressed in the worker');
  assert.equal(r.health.status, 'ok', JSON.stringify(r.health));
  assert.equal(r.health.openedFrom, r.seq, 'opened from the gzip snapshot, not by replay');
  assert.equal(r.reopenedSeq, r.seq);
  assert.equal(r.sameTrial, true);
  await context.close();
});

test('a write landing while a snapshot is being taken interrupts it; the store starts over and stores the state at the later seq', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const s = await window.storeModule.openStore({ name: 'interleave', snapshotEvery: 1e9 });
    await window.seed(s, 200);
    const ledger = s.ledger;
    // The first snapshot's second piece sends a write, and its pieces after that wait
    // (empty) until the write is stored: so the write always lands mid-snapshot.
    const begin = ledger.snapshotBegin.bind(ledger);
    const next = ledger.snapshotNext.bind(ledger);
    let begun = 0;
    let pieces = 0;
    let write = null;
    let written = false;
    ledger.snapshotBegin = () => { begun++; begin(); };
    ledger.snapshotNext = (max) => {
      if (begun === 1 && ++pieces === 2 && !write) {
        write = s.apply({ type: 'record_payment', id: 'mid', customer: 'c1', amount: '5.00', method: 'card', date: '2026-01-06' });
        write.then(() => { written = true; });
      }
      if (begun === 1 && write && !written) return new Uint8Array(0);
      return next(Math.min(max, 512));
    };
    const seqBefore = s.seq;
    await s.snapshotNow();
    const answer = await write;
    const engineBytes = s.ledger.snapshot();
    const out = { begun, seqBefore, seqAfter: s.seq, answer, lastSnapshotSeq: s.lastSnapshotSeq };
    s.close();
    const records = await window.raw.getAll('interleave', 'snapshots');
    out.keys = records.map((x) => x.seq);
    out.equal = window.same(await window.gunzip(records.at(-1).bytes), engineBytes);
    const reopened = await window.storeModule.openStore({ name: 'interleave' });
    out.health = reopened.health;
    out.credit = reopened.query({ type: 'balance', customer: 'c1' }).credit;
    reopened.close();
    return out;
  });
  assert.equal(r.answer.ok, true, 'the write was accepted and stored, not held up');
  assert.equal(r.seqAfter, r.seqBefore + 1);
  assert.ok(r.begun >= 2, `the interrupted snapshot was started over (begun ${r.begun} times)`);
  assert.deepEqual(r.keys, [r.seqAfter], 'only the snapshot at the later seq was stored');
  assert.equal(r.lastSnapshotSeq, r.seqAfter);
  assert.equal(r.equal, true, 'the stored snapshot is the engine\'s state at its seq');
  assert.equal(r.health.status, 'ok', JSON.stringify(r.health));
  assert.equal(r.health.openedFrom, r.seqAfter);
  assert.equal(r.credit, '205.00');
  await context.close();
});

test('uncompressed snapshots (stores before gzip) and gzip bytes in a Uint8Array (a server\'s) still open', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const out = {};
    for (const kind of ['raw', 'gzip-bytes']) {
      const name = `old-${kind}`;
      const s = await window.storeModule.openStore({ name, snapshotEvery: 1e9 });
      await window.seed(s, 50);
      await s.snapshotNow();
      const bytes = s.ledger.snapshot();
      const seq = s.seq;
      s.close();
      const rec = await window.newestSnapshot(name);
      let stored = bytes;
      if (kind === 'gzip-bytes') stored = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
      await window.raw.put(name, 'snapshots', window.formatModule.snapshotRecord(rec.ledger, rec.seq, rec.chain, stored));
      const reopened = await window.storeModule.openStore({ name });
      out[kind] = { seq, health: reopened.health, credit: reopened.query({ type: 'balance', customer: 'c1' }).credit, first: [...stored.slice(0, 2)] };
      reopened.close();
    }
    return out;
  });
  assert.deepEqual(r.raw.first, [...Buffer.from('TA')], 'the stored bytes are the uncompressed snapshot');
  assert.deepEqual(r['gzip-bytes'].first, [0x1f, 0x8b]);
  for (const kind of ['raw', 'gzip-bytes']) {
    assert.equal(r[kind].health.status, 'ok', `${kind}: ${JSON.stringify(r[kind].health)}`);
    assert.equal(r[kind].health.openedFrom, r[kind].seq, `${kind}: opened from the snapshot`);
    assert.equal(r[kind].credit, '50.00');
  }
  await context.close();
});

test('a gzip snapshot whose bytes were changed, or that was swapped for another of the same ledger, is named and not used', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const s = await window.storeModule.openStore({ name: 'bad-gzip', snapshotEvery: 1e9 });
    await window.seed(s, 40);
    await s.snapshotNow();
    await s.apply({ type: 'record_payment', id: 'late', customer: 'c1', amount: '1.00', method: 'card', date: '2026-01-05' });
    await s.snapshotNow();
    s.close();
    const [older, newer] = await window.raw.getAll('bad-gzip', 'snapshots');
    const out = {};
    // One byte changed in the middle of the compressed data.
    const bytes = new Uint8Array(await newer.bytes.arrayBuffer());
    bytes[bytes.length >> 1] ^= 0x55;
    await window.raw.put('bad-gzip', 'snapshots', { ...newer, bytes: new Blob([bytes]) });
    let reopened = await window.storeModule.openStore({ name: 'bad-gzip' });
    out.flipped = { health: reopened.health, credit: reopened.query({ type: 'balance', customer: 'c1' }).credit };
    reopened.close();
    // The older snapshot's bytes under the newer key and binding.
    await window.raw.put('bad-gzip', 'snapshots', { ...newer, bytes: older.bytes });
    reopened = await window.storeModule.openStore({ name: 'bad-gzip' });
    out.swapped = { health: reopened.health, credit: reopened.query({ type: 'balance', customer: 'c1' }).credit };
    reopened.close();
    return out;
  });
  for (const [kind, x] of Object.entries(r)) {
    assert.equal(x.health.status, 'recovered', `${kind}: ${JSON.stringify(x.health)}`);
    assert.equal(x.health.problems[0].kind, 'snapshot');
    assert.equal(x.health.problems[0].seq, 42);
    assert.equal(x.credit, '41.00', `${kind}: every record is there`);
  }
  assert.match(r.flipped.health.problems[0].message, /^Snapshot 42 (can't be read|can't be restored|is damaged)/);
  assert.equal(r.swapped.health.problems[0].message, 'Snapshot 42 is damaged (its checksum doesn\'t match).');
  await context.close();
});

test('schema 3 -> 4: a store written before gzip snapshots opens from its uncompressed snapshot, and writes gzip ones after', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    // The records of a ledger, as the store of schema 3 wrote them, in a database of
    // schema 3's layout (journal, snapshots with an uncompressed snapshot, meta, and
    // the sync part's pending, refused, authors).
    const s = await window.storeModule.openStore({ name: 'source', snapshotEvery: 1e9 });
    await window.seed(s, 60);
    const snapshot = s.ledger.snapshot();
    const seq = s.seq;
    s.close();
    const journal = await window.raw.getAll('source', 'journal');
    const meta = await window.raw.getAll('source', 'meta');
    const head = meta.find((m) => m.key === 'head');
    const req = (q) => new Promise((ok, fail) => { q.onsuccess = () => ok(q.result); q.onerror = () => fail(q.error); });
    const open = indexedDB.open('v3', 3);
    open.onupgradeneeded = () => {
      const db = open.result;
      db.createObjectStore('journal', { keyPath: 'seq' });
      db.createObjectStore('snapshots', { keyPath: 'seq' });
      db.createObjectStore('meta', { keyPath: 'key' });
      db.createObjectStore('pending', { keyPath: 'key', autoIncrement: true }).createIndex('id', 'id');
      db.createObjectStore('refused', { keyPath: 'id' });
      db.createObjectStore('authors', { keyPath: 'id' });
    };
    const db = await req(open);
    const tx = db.transaction(['journal', 'snapshots', 'meta'], 'readwrite');
    for (const record of journal) tx.objectStore('journal').put(record);
    tx.objectStore('snapshots').put(window.formatModule.snapshotRecord(head.ledger, seq, head.chain, snapshot));
    for (const m of meta) tx.objectStore('meta').put(m.key === 'schema' ? { key: 'schema', value: 3 } : m);
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onabort = () => fail(tx.error); });
    db.close();

    const migrated = await window.storeModule.openStore({ name: 'v3' });
    const out = { seq, health: migrated.health, credit: migrated.query({ type: 'balance', customer: 'c1' }).credit };
    out.version = migrated.db.version;
    out.schema = (await window.raw.get('v3', 'meta', 'schema')).value;
    out.write = await migrated.apply({ type: 'record_payment', id: 'after', customer: 'c1', amount: '2.00', method: 'card', date: '2026-01-05' });
    await migrated.snapshotNow();
    migrated.close();
    const records = await window.raw.getAll('v3', 'snapshots');
    out.snapshots = records.map((x) => ({ seq: x.seq, blob: x.bytes instanceof Blob }));
    const again = await window.storeModule.openStore({ name: 'v3' });
    out.again = { health: again.health, credit: again.query({ type: 'balance', customer: 'c1' }).credit };
    again.close();
    return out;
  });
  assert.equal(r.version, 4);
  assert.equal(r.schema, 4);
  assert.equal(r.health.status, 'ok', JSON.stringify(r.health));
  assert.equal(r.health.openedFrom, r.seq, 'opened from the uncompressed snapshot');
  assert.equal(r.credit, '60.00');
  assert.equal(r.write.ok, true);
  assert.deepEqual(r.snapshots, [{ seq: r.seq, blob: false }, { seq: r.seq + 1, blob: true }], 'the old snapshot kept, the new one gzip');
  assert.equal(r.again.health.status, 'ok');
  assert.equal(r.again.health.openedFrom, r.seq + 1);
  assert.equal(r.again.credit, '62.00');
  await context.close();
});

test('a snapshot put off by writes for four times its spacing is taken ahead of them: a write then waits, and the snapshot is of the state before it', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const s = await window.storeModule.openStore({ name: 'hold', snapshotEvery: 10 });
    const ledger = s.ledger;
    const begin = ledger.snapshotBegin.bind(ledger);
    const next = ledger.snapshotNext.bind(ledger);
    let begun = 0;
    let pieces = 0;
    let write = null;
    ledger.snapshotBegin = () => { begun++; begin(); };
    ledger.snapshotNext = (max) => {
      if (++pieces === 2) write = s.apply({ type: 'record_payment', id: 'mid', customer: 'c1', amount: '5.00', method: 'card', date: '2026-01-06' });
      return next(Math.min(max, 256));
    };
    await window.seed(s, 50); // 51 commands in one write: over 4 x 10 since the last snapshot (none)
    const seqBefore = s.seq;
    await s.snapshotNow();
    const answer = await write;
    const out = { begun, seqBefore, seqAfter: s.seq, answer };
    s.close();
    out.keys = (await window.raw.getAll('hold', 'snapshots')).map((x) => x.seq);
    const reopened = await window.storeModule.openStore({ name: 'hold' });
    out.health = reopened.health;
    out.credit = reopened.query({ type: 'balance', customer: 'c1' }).credit;
    reopened.close();
    return out;
  });
  assert.equal(r.begun, 1, 'not interrupted: the write waited for the pieces');
  assert.equal(r.answer.ok, true);
  assert.equal(r.seqAfter, r.seqBefore + 1);
  assert.deepEqual(r.keys, [r.seqBefore], 'the snapshot is of the state before the write');
  assert.equal(r.health.status, 'ok', JSON.stringify(r.health));
  assert.equal(r.health.openedFrom, r.seqBefore);
  assert.equal(r.health.replayed, 1);
  assert.equal(r.credit, '55.00');
  await context.close();
});

test('where no worker can run, the page compresses the snapshot itself, a slice at a time', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    window.Worker = undefined; // before the store's first snapshot starts its worker
    const s = await window.storeModule.openStore({ name: 'no-worker', snapshotEvery: 1e9 });
    await window.seed(s, 120);
    await s.snapshotNow();
    const engineBytes = s.ledger.snapshot();
    const seq = s.seq;
    s.close();
    const record = await window.newestSnapshot('no-worker');
    const reopened = await window.storeModule.openStore({ name: 'no-worker' });
    const out = { seq, key: record.seq, blob: record.bytes instanceof Blob, equal: window.same(await window.gunzip(record.bytes), engineBytes), health: reopened.health };
    reopened.close();
    return out;
  });
  assert.equal(r.key, r.seq);
  assert.equal(r.blob, true);
  assert.equal(r.equal, true);
  assert.equal(r.health.openedFrom, r.seq);
  await context.close();
});
