// The benchmark page. bench/run.mjs opens it in headless Chromium and calls the phases
// on `window.bench` one at a time; each answers plain numbers. The engine here is the
// bench build (the server maps /pkg/ to bench/pkg/), shared by the store and the phases.
// With `?engine=fast` the engine phases run the same build made for speed (/pkg-fast/,
// bench/pkg-fast/: opt-level 3, as the bulk module big books run in).

import { openStore } from '/store.js';
import { openSnapshot } from '/engine.js';
import { snapshotRecord } from '/store-format.js';
import { gzipSnapshot, snapshotBytes, snapshotPieces } from '/store-snapshot.js';
import Decimal from '/vendor/decimal.js/decimal.mjs';
import Big from '/vendor/big.js/big.mjs';
import Dinero from '/vendor/dinero.js/build/esm/dinero.js';

import { runEngineBench, runJudgedIngest, SPACE } from './engine-bench.js';
import { runMoneyBench } from './money.js';

const now = () => performance.now();
const log = (message) => console.log(`[bench] ${message}`);

const pkg = new URLSearchParams(location.search).get('engine') === 'fast' ? '/pkg-fast' : '/pkg';
const engine = await import(`${pkg}/tally_engine.js`);
const wasm = await engine.default({ module_or_path: new URL(`${pkg}/tally_engine_bg.wasm`, location.href) });

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

/** An existing database at whatever version it has. */
function openExisting(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
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

/** 1, judged: the batch door and the engine alone in this (fresh) page's module. */
function judged({ space = SPACE } = {}) {
  return runJudgedIngest(engine, wasm.memory, { space, log });
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
 * through applyMany, which stay in the journal after the snapshot (the store snapshots
 * every 0.25% of a big ledger: 2,500 commands at 1M). Reused when a previous run left a
 * database with the expected sequence numbers; one stored with another tail or another
 * snapshot format (an older store's) is reshaped instead of stored again (see reshape).
 */
async function fill({ name, space = SPACE, tail = 2_500, chunk = 10_000 }) {
  const key = `tally-bench-fill:${name}`;
  const format = `engine ${engine.snapshotFormatVersion()}, gzip`;
  const want = { commands: space.commands, customers: space.customers, seed: space.seed, tail, format };
  const marker = JSON.parse(localStorage.getItem(key) ?? 'null');
  if (marker && ['commands', 'customers', 'seed'].every((k) => marker[k] === want[k])) {
    const db = await openExisting(name).catch(() => null);
    if (db && db.objectStoreNames.contains('snapshots')) {
      let seq = await lastKey(db, 'journal');
      let snapshotSeq = await lastKey(db, 'snapshots');
      db.close();
      if (seq > marker.seq) {
        // A writes phase that was stopped before it could rewind.
        await rewind(name, marker);
        seq = marker.seq;
        snapshotSeq = marker.snapshotSeq;
      }
      if (seq !== marker.seq || snapshotSeq !== marker.snapshotSeq) log(`fill: the stored ledger doesn't match its marker (journal ${seq}, snapshot ${snapshotSeq}; marker ${marker.seq}, ${marker.snapshotSeq}): storing it again`);
      if (seq === marker.seq && snapshotSeq === marker.snapshotSeq) {
        if (marker.tail === tail && marker.format === format) return { reused: true, ...marker };
        const reshaped = { ...marker, ...want, ...(await reshape(name, marker, tail)) };
        localStorage.setItem(key, JSON.stringify(reshaped));
        return { reused: true, ...reshaped };
      }
    } else {
      db?.close();
    }
  }
  localStorage.removeItem(key);
  localStorage.removeItem(`tally-witness:${name}`); // the store's witness of the ledger deleted here
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

/**
 * A stored ledger whose snapshot is of another format (an older store's: uncompressed,
 * or an older engine format) or at another distance from the end: its newest snapshot
 * restored, the journal replayed up to `seq - tail`, and a snapshot of this store's
 * kind (this engine's format, gzip) stored there in place of the others.
 */
async function reshape(name, marker, tail) {
  const t0 = now();
  // Never before the snapshot there is (a longer tail would need an older state).
  const target = marker.tail === tail ? marker.snapshotSeq : Math.max(marker.snapshotSeq, marker.seq - tail);
  log(`fill: reshaping the stored ledger: a snapshot at ${target} of this store's kind`);
  const db = await openExisting(name);
  const record = await request(db.transaction('snapshots').objectStore('snapshots').get(marker.snapshotSeq));
  const ledger = await openSnapshot(await snapshotBytes(record.bytes));
  let after = marker.snapshotSeq;
  let chain = record.chain;
  while (after < target) {
    const records = await request(db.transaction('journal').objectStore('journal').getAll(IDBKeyRange.bound(after, target, true, false), 5000));
    for (const r of records) {
      const answer = ledger.replay({ seq: r.seq, command: JSON.parse(r.command) });
      if (!answer.ok) throw new Error(`bench: replaying ${r.seq}: ${answer.error.message}`);
      chain = r.chain;
    }
    after = records.at(-1).seq;
    ledger.forgetJournalThrough(ledger.seq());
  }
  const gzip = await gzipSnapshot(snapshotPieces(ledger));
  ledger.free();
  const tx = db.transaction('snapshots', 'readwrite');
  tx.objectStore('snapshots').clear();
  tx.objectStore('snapshots').put(snapshotRecord(record.ledger, target, chain, gzip.blob, gzip.trailer));
  await done(tx);
  db.close();
  log(`fill: reshaped in ${((now() - t0) / 1000).toFixed(1)} s (gzip snapshot ${(gzip.blob.size / 1e6).toFixed(1)} MB)`);
  return { snapshotSeq: target, reshape_ms: now() - t0 };
}

// ---------------------------------------------------------------------------------
// Writing at 1M commands: the longest main-thread tasks.

/**
 * Records what the page spends main-thread time on, so each long task can be named:
 * engine calls (snapshot, apply, replay), IndexedDB puts (the structured clone of the
 * value happens in the call) and the handling of IndexedDB reads (from the success event
 * to the next task: the store's work on the records read, e.g. the chain check).
 */
function traceSpans() {
  const spans = [];
  const undo = [];
  const wrap = (owner, method, name) => {
    const original = owner[method];
    if (typeof original !== 'function') return;
    owner[method] = function (...args) {
      const start = now();
      try {
        return original.apply(this, args);
      } finally {
        spans.push({ name: typeof name === 'function' ? name(this) : name, start, end: now() });
      }
    };
    undo.push(() => { owner[method] = original; });
  };
  const proto = engine.Ledger.prototype;
  wrap(proto, 'snapshot', 'engine snapshot() (whole)');
  wrap(proto, 'snapshotBegin', 'engine snapshotBegin()');
  wrap(proto, 'snapshotNext', 'engine snapshotNext() (a piece)');
  wrap(proto, 'apply', 'engine apply (a write)');
  wrap(proto, 'replay', 'engine replay');
  wrap(proto, 'query', 'engine query (the first screen\'s figures)');
  wrap(engine.Ledger, 'restore', 'engine restore');
  wrap(IDBObjectStore.prototype, 'put', (s) => `IndexedDB put into ${s.name} (structured clone)`);
  wrap(Blob.prototype, 'arrayBuffer', 'Blob arrayBuffer()');
  wrap(WritableStreamDefaultWriter.prototype, 'write', 'stream write (gzip: compressing a piece)');
  wrap(ReadableStreamDefaultReader.prototype, 'read', 'stream read (gzip output)');
  wrap(Worker.prototype, 'postMessage', 'Worker postMessage (the snapshot pieces, transferred)');
  wrap(TextDecoder.prototype, 'decode', 'TextDecoder');
  for (const method of ['getAll', 'get']) {
    const original = IDBObjectStore.prototype[method];
    IDBObjectStore.prototype[method] = function (...args) {
      const req = original.apply(this, args);
      const name = `handling ${this.name} ${method} (${method === 'getAll' ? 'journal batch: chain check or replay' : 'record'})`;
      req.addEventListener('success', () => {
        const start = now();
        setTimeout(() => spans.push({ name, start, end: now() }), 0);
      });
      return req;
    };
    undo.push(() => { IDBObjectStore.prototype[method] = original; });
  }
  // Blob construction copies its parts (the compressed snapshot is gathered in Blob
  // parts); a Proxy keeps `instanceof Blob` true for every Blob, made here or read back.
  const OriginalBlob = globalThis.Blob;
  globalThis.Blob = new Proxy(OriginalBlob, {
    construct(target, args) {
      const start = now();
      try {
        return Reflect.construct(target, args);
      } finally {
        spans.push({ name: 'new Blob (copies its parts)', start, end: now() });
      }
    },
  });
  undo.push(() => { globalThis.Blob = OriginalBlob; });
  return { spans, stop: () => undo.forEach((f) => f()) };
}

/** Long tasks (over 50 ms, the Long Tasks API) with the traced spans inside each. */
function observeLongTasks() {
  const tasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
  });
  observer.observe({ type: 'longtask', buffered: true });
  // A timer chain, for tasks under 50 ms too: the longest gap between ticks bounds the
  // longest task from above (plus the timer clamp of ~4 ms).
  let last = now();
  let maxGap = 0;
  let running = true;
  const tick = () => {
    const t = now();
    maxGap = Math.max(maxGap, t - last);
    last = t;
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  return {
    stop() {
      running = false;
      for (const e of observer.takeRecords()) tasks.push({ start: e.startTime, duration: e.duration });
      observer.disconnect();
      return { tasks, maxGap };
    },
  };
}

function nameTasks(tasks, spans) {
  return tasks.sort((a, b) => b.duration - a.duration).map((task) => {
    const end = task.start + task.duration;
    const by = new Map();
    for (const s of spans) {
      const overlap = Math.min(end, s.end) - Math.max(task.start, s.start);
      if (overlap > 0) by.set(s.name, (by.get(s.name) ?? 0) + overlap);
    }
    const causes = [...by].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, ms]) => ({ name, ms: +ms.toFixed(1) }));
    return { start_ms: +task.start.toFixed(0), duration_ms: +task.duration.toFixed(1), causes };
  });
}

/**
 * 8: writing at 1M commands, as a user does. Opens the stored ledger (as a page does:
 * the background chain check of the journal starts), then writes: 500 commands one
 * transaction each (a snapshot falls due), a few more 300 ms later, one a second for
 * 20 s (each lands while the snapshot is being taken), then a pause until the snapshot
 * is stored and the chain check is done, and 5 more. Records every long task and what
 * ran inside it. Afterwards the database is rewound to what `fill` stored (journal,
 * snapshots and head cut back, the witness too), so it stays reusable.
 */
async function writes({ name, space = SPACE, fill: stored, burst = 500, limitMs = 300_000 }) {
  // The commands after the stored ones: the same generator, skipped past the
  // `space.commands` it gave `fill` (some were refused, so that is more than stored.seq).
  const stream = new engine.WorkloadStream(space.customers, space.seed);
  for (let skipped = 0; skipped < space.commands;) {
    const n = Math.min(20_000, space.commands - skipped);
    stream.nextJson(n);
    skipped += n;
  }
  const commands = JSON.parse(stream.nextJson(burst + 100));
  stream.free();
  let next = 0;
  let accepted = 0;
  const write = async () => {
    const answer = await store.apply(commands[next++]);
    if (!answer.ok && answer.error.code === 'storage_failed') throw new Error(answer.error.message);
    if (answer.ok && !answer.duplicate) accepted++;
  };

  const trace = traceSpans();
  const watch = observeLongTasks();
  const t0 = now();
  // As the panel opens it: its first screen's figures (every customer's balances) are
  // stored once writes pause.
  const store = await openStore({ name, figures: [{ type: 'customers' }] });
  const opened = now() - t0;
  const watchAfterOpen = observeLongTasks(); // the timer-gap figure, from here on only
  const startSnapshot = store.lastSnapshotSeq;
  let verified = false;
  store.verified.then(() => { verified = true; });
  const out = { opened_ms: opened, writes: 0 };
  try {
    const t = now();
    for (let i = 0; i < burst; i++) await write();
    out.burst_ms = now() - t;
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 5; i++) await write();
    // A user entering one command a second for 20 s: each lands on the snapshot being taken.
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      await write();
    }
    log(`writes: ${next} written, snapshot ${store.snapshotting ? 'being taken' : store.snapshotDue ? 'due' : 'not due'}, chain check ${verified ? 'done' : 'running'}; now a pause`);
    // Then a pause, until the snapshot is stored and the chain check done, and a few more.
    while ((store.lastSnapshotSeq === startSnapshot || !verified) && now() - t0 < limitMs) {
      await new Promise((r) => setTimeout(r, 500));
    }
    for (let i = 0; i < 5; i++) await write();
    out.snapshot_written = store.lastSnapshotSeq !== startSnapshot;
    out.snapshot_seq = store.lastSnapshotSeq;
    out.verified = verified;
    out.writes = next;
    out.accepted = accepted;
    out.seconds = (now() - t0) / 1000;
  } finally {
    const { tasks } = watch.stop();
    const { maxGap } = watchAfterOpen.stop();
    trace.stop();
    out.max_timer_gap_ms = maxGap;
    // The open is reported apart: its restore is one engine call, as long as the state is big.
    const named = nameTasks(tasks, trace.spans).map((task) => ({ ...task, start_ms: task.start_ms - t0 }));
    out.open_long_tasks = named.filter((task) => task.start_ms < opened);
    out.long_tasks = named.filter((task) => task.start_ms >= opened);
    out.health = store.health.status;
    store.close();
    await rewind(name, stored);
  }
  return out;
}

/** Cuts the stored ledger back to `stored.seq` records and the snapshot `fill` wrote. */
async function rewind(name, stored) {
  const db = await openExisting(name);
  const tx = db.transaction(['journal', 'snapshots', 'meta'], 'readwrite');
  const journal = tx.objectStore('journal');
  const last = await request(journal.get(stored.seq));
  journal.delete(IDBKeyRange.lowerBound(stored.seq, true));
  tx.objectStore('snapshots').delete(IDBKeyRange.lowerBound(stored.snapshotSeq, true));
  const meta = tx.objectStore('meta');
  const head = await request(meta.get('head'));
  meta.put({ ...head, seq: stored.seq, chain: last.chain });
  await done(tx);
  db.close();
  localStorage.setItem(`tally-witness:${name}`, JSON.stringify({ ledger: head.ledger, seq: stored.seq }));
}

window.bench = { ingest, judged, money, persist, fill, writes };
document.getElementById('status').textContent = 'ready';
