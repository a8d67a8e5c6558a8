// The benchmark page. bench/run.mjs opens it in headless Chromium and calls the phases
// on `window.bench` one at a time; each answers plain numbers. The engine here is the
// bench build (the server maps /pkg/ to bench/pkg/), shared by the store and the phases.

import init, * as engine from '/pkg/tally_engine.js';
import { openStore } from '/store.js';
import Decimal from '/vendor/decimal.js/decimal.mjs';
import Big from '/vendor/big.js/big.mjs';
import Dinero from '/vendor/dinero.js/build/esm/dinero.js';

import { runEngineBench, SPACE } from './engine-bench.js';
import { runMoneyBench } from './money.js';

const now = () => performance.now();
const log = (message) => console.log(`[bench] ${message}`);

const wasm = await init({ module_or_path: new URL('/pkg/tally_engine_bg.wasm', location.href) });

// ---------------------------------------------------------------------------------
// Raw IndexedDB, for the comparison and for checking the prepared database.

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('aborted'));
  });
}

function deleteDatabase(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    // "blocked" while a closed connection finishes its last transaction; success follows.
    req.onblocked = () => {};
  });
}

/** A database with the store's journal layout (key seq), for raw puts. */
function openRaw(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('journal', { keyPath: 'seq' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function lastKey(db, storeName) {
  const cursor = await request(db.transaction(storeName).objectStore(storeName).openKeyCursor(null, 'prev'));
  return cursor ? cursor.key : 0;
}

// ---------------------------------------------------------------------------------

/** 1 and 2: ingest, boundary and queries in wasm (see engine-bench.js). */
function ingest({ customer, space = SPACE }) {
  return runEngineBench(engine, wasm.memory, { customer, space, log });
}

/** 6: invoice arithmetic, engine against decimal.js, big.js and dinero.js. */
function money() {
  return runMoneyBench({ invoiceMathBatch: engine.invoiceMathBatch, Decimal, Big, Dinero }, { log });
}

/**
 * 4: commands acknowledged through the store (durability strict), one transaction per
 * command and applyMany batches, against raw puts of the very records the store wrote
 * (read back from its journal), into a database of the same layout, interleaved block by
 * block so both see the same conditions. The store runs with its defaults (a background
 * snapshot every 1,000 commands).
 */
async function persist({ single = 2000, batched = 20000, batch = 1000, block = 100, snapshotEvery } = {}) {
  const stream = new engine.WorkloadStream(SPACE.customers, SPACE.seed);
  const customers = JSON.parse(stream.nextJson(SPACE.customers));
  const singles = JSON.parse(stream.nextJson(single));
  const bulk = JSON.parse(stream.nextJson(batched));
  stream.free();
  const storeName = 'bench-persist-store';
  const rawName = 'bench-persist-raw';
  await deleteDatabase(storeName);
  await deleteDatabase(rawName);
  const store = await openStore({ name: storeName, snapshotEvery });
  await store.applyMany(customers);
  const raw = await openRaw(rawName);
  const readBack = (from, to) => request(store.db.transaction('journal').objectStore('journal').getAll(IDBKeyRange.bound(from, to)));
  const rawPut = async (records) => {
    const tx = raw.transaction('journal', 'readwrite', { durability: 'strict' });
    const journal = tx.objectStore('journal');
    for (const r of records) journal.put(r);
    await done(tx);
  };
  // Raw records are put at the same keys the store used; the prefix goes in untimed.
  await rawPut(await readBack(1, store.seq));

  const out = { records_single: 0, records_batched: 0, store_single_ms: 0, raw_single_ms: 0, store_batched_ms: 0, raw_batched_ms: 0 };
  log(`persist: ${single} commands, one transaction each`);
  for (let i = 0; i < singles.length; i += block) {
    const from = store.seq + 1;
    let t = now();
    for (const c of singles.slice(i, i + block)) {
      const answer = await store.apply(c);
      if (!answer.ok && answer.error.code === 'storage_failed') throw new Error(answer.error.message);
    }
    out.store_single_ms += now() - t;
    const records = await readBack(from, store.seq);
    t = now();
    for (const r of records) await rawPut([r]);
    out.raw_single_ms += now() - t;
    out.records_single += records.length;
  }
  log(`persist: ${batched} commands in applyMany batches of ${batch}`);
  for (let i = 0; i < bulk.length; i += batch) {
    const from = store.seq + 1;
    let t = now();
    await store.applyMany(bulk.slice(i, i + batch));
    out.store_batched_ms += now() - t;
    const records = await readBack(from, store.seq);
    t = now();
    await rawPut(records);
    out.raw_batched_ms += now() - t;
    out.records_batched += records.length;
  }
  out.record_bytes_mean = (await readBack(1, store.seq)).reduce((s, r) => s + r.command.length, 0) / store.seq;
  store.close();
  raw.close();
  await deleteDatabase(storeName);
  await deleteDatabase(rawName);
  return out;
}

/**
 * 3 (preparation): the 1M-command space stored the way a page stores it: the first
 * `commands - tail` through store.applyMany, a snapshot, then the last `tail` commands
 * through applyMany, which stay in the journal after the snapshot. Reused when a previous
 * run left a database with the expected sequence numbers.
 */
async function fill({ name, space = SPACE, tail = 10_000, chunk = 10_000 }) {
  const key = `tally-bench-fill:${name}`;
  const want = { commands: space.commands, customers: space.customers, seed: space.seed, tail };
  const marker = JSON.parse(localStorage.getItem(key) ?? 'null');
  if (marker && ['commands', 'customers', 'seed', 'tail'].every((k) => marker[k] === want[k])) {
    const db = await openRaw(name).catch(() => null);
    if (db && db.objectStoreNames.contains('snapshots')) {
      const seq = await lastKey(db, 'journal');
      const snapshotSeq = await lastKey(db, 'snapshots');
      db.close();
      if (seq === marker.seq && snapshotSeq === marker.snapshotSeq) return { reused: true, ...marker };
    } else {
      db?.close();
    }
  }
  localStorage.removeItem(key);
  await deleteDatabase(name);
  const t0 = now();
  // No background snapshots while filling: the one snapshot is taken explicitly.
  const store = await openStore({ name, snapshotEvery: Number.MAX_SAFE_INTEGER });
  const stream = new engine.WorkloadStream(space.customers, space.seed);
  let stored = 0;
  const storeUntil = async (until) => {
    while (stored < until) {
      const n = Math.min(chunk, until - stored);
      const answers = await store.applyMany(JSON.parse(stream.nextJson(n)));
      const failed = answers.find((a) => !a.ok && a.error.code === 'storage_failed');
      if (failed) throw new Error(failed.error.message);
      stored += n;
      if (stored % 100_000 === 0) log(`fill: ${stored} commands stored`);
    }
  };
  await storeUntil(space.commands - tail);
  log(`fill: writing the snapshot at ${stored} commands`);
  await store.snapshotNow();
  await storeUntil(space.commands);
  stream.free();
  const result = { ...want, seq: store.seq, snapshotSeq: store.lastSnapshotSeq, fill_ms: now() - t0 };
  store.close();
  localStorage.setItem(key, JSON.stringify(result));
  return { reused: false, ...result };
}

window.bench = { ingest, money, persist, fill };
document.getElementById('status').textContent = 'ready';
