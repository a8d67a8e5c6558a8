// Cold open: this page only opens the stored ledger and answers one query. The time is
// measured from navigation start (performance.timeOrigin) to the answer: the first
// answer (from the figures the store kept after the last write, when it holds them for
// the stored head: store-figures.js) and the engine's answer once it is restored. The
// store keeps the panel's first screen too (every customer's balances), so the record
// read is as large as the panel's; every open leaves its figures for the next (the
// first open of a database has none). To break it
// down, the calls store.js makes are wrapped (nothing else changes): IndexedDB requests
// are timed from the call to their success event (value deserialized), Ledger.restore
// and Ledger#replay around the call.
//
//   open.html?db=NAME&customer=ID[&extra=1]   extra: then preview latency and memory

import { engineKind, loadBulk, loadEngine, Ledger } from '/engine.js';
import { openStore } from '/store.js';
import init from '/pkg/tally_engine.js';

const modulesLoaded = performance.now();
const params = new URLSearchParams(location.search);
const spans = [];

function wrapRequest(proto, method, label) {
  const original = proto[method];
  proto[method] = function (...args) {
    const start = performance.now();
    const req = original.apply(this, args);
    const name = label(this);
    // Reading `result` here (this listener runs before store.js's onsuccess) counts the
    // value's deserialization, which Chromium does on first access, in the read.
    req.addEventListener('success', () => {
      void req.result;
      spans.push({ name, start, end: performance.now() });
    });
    return req;
  };
}
wrapRequest(IDBFactory.prototype, 'open', () => 'database open');
wrapRequest(IDBObjectStore.prototype, 'get', (s) => `${s.name} get`);
wrapRequest(IDBObjectStore.prototype, 'getAll', (s) => `${s.name} getAll`);
wrapRequest(IDBObjectStore.prototype, 'openKeyCursor', (s) => `${s.name} openKeyCursor`);

function wrapCall(owner, method, name) {
  const original = owner[method];
  owner[method] = function (...args) {
    const start = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      spans.push({ name, start, end: performance.now() });
    }
  };
}
wrapCall(Ledger, 'restore', 'restore');
wrapCall(Blob.prototype, 'stream', 'blob stream');
wrapCall(Ledger.prototype, 'replay', 'replay');
wrapCall(Ledger.prototype, 'forgetJournalThrough', 'forget');
// Big books open in the bulk module (engine.js `useFastEngine`): its ledgers are timed
// the same way. Loading it here starts it a little before the store would (once it has
// read the head); both wait for the snapshot's read and decompression, which take far
// longer. The wrapping runs before the store's own continuation on the same promise.
const bulkWrapped = loadBulk().then((bulk) => {
  wrapCall(bulk.Ledger, 'restore', 'restore');
  wrapCall(bulk.Ledger.prototype, 'replay', 'replay');
  wrapCall(bulk.Ledger.prototype, 'forgetJournalThrough', 'forget');
});
bulkWrapped.catch(() => {});

const t = { modules: modulesLoaded };
// The store loads the engine itself, while it opens the database and reads the
// snapshot; this call only notes when the load ends (it answers the same promise).
t.engineStart = performance.now();
loadEngine().then(() => { t.engineEnd = performance.now(); });
const balanceQuery = { type: 'balance', customer: params.get('customer') };
let early;
const store = await openStore({
  name: params.get('db'),
  // As the panel keeps its first screen (every customer's balances), plus this query.
  figures: [balanceQuery, { type: 'customers' }],
  onFigures: (figures) => {
    early = figures.answer(balanceQuery);
    t.figures = performance.now();
  },
});
t.opened = performance.now();
const answer = store.query(balanceQuery);
t.answered = performance.now();
// Not timed: the figures for the next open (stored by the open when missing).
await store.figuresKept;

const first = (name) => spans.find((s) => s.name === name);
const snapshotRead = first('snapshots get');
const restore = first('restore');
const journalRead = spans.find((s) => s.name === 'journal getAll' && s.start >= restore.end);
// A gzip snapshot (a Blob) is read as a stream through the decompressor; an older
// uncompressed one is restored from the bytes IndexedDB gave.
const streamed = spans.find((s) => s.name === 'blob stream' && s.start >= snapshotRead.end && s.start <= restore.start);
const decompressFrom = streamed ? streamed.start : restore.start;
const caughtUp = spans.find((s) => s.name === 'forget' && s.start >= (journalRead?.end ?? 0));
const replays = spans.filter((s) => s.name === 'replay');
const sum = (list) => list.reduce((a, s) => a + (s.end - s.start), 0);

const result = {
  // Which module the store opened the books in (engine.js: big books run in the fast one).
  engine: engineKind(),
  // Navigation → the first answer shown: the stored figures' when there were any.
  first_answer_ms: early === undefined ? t.answered : t.figures,
  first_answer_from: early === undefined ? 'engine' : 'stored figures',
  // The stored figures are the engine's answer at the same seq, to the character.
  figures_match: early === undefined ? null : JSON.stringify(early) === JSON.stringify(answer),
  // Navigation → the engine restored and answering (the store's writes wait for it).
  total_ms: t.answered,
  seq: store.seq,
  answer_ok: answer.ok,
  replayed: replays.length,
  breakdown_ms: {
    'page, scripts and modules': t.modules,
    'engine wasm: fetch, compile, instantiate (overlaps the reads below)': t.engineEnd - t.engineStart,
    'IndexedDB open': first('database open') ? first('database open').end - first('database open').start : null,
    'snapshot read (IndexedDB get, value deserialized)': snapshotRead.end - snapshotRead.start,
    'snapshot checks before restore (store.js; a gzip Blob: reading its trailer)': decompressFrom - snapshotRead.end,
    'snapshot Blob read and decompressed (streamed, gzip)': restore.start - decompressFrom,
    'restore (wasm)': restore.end - restore.start,
    'journal tail read (IndexedDB getAll, values deserialized)': journalRead.end - journalRead.start,
    'journal tail replay (wasm)': sum(replays),
    'journal tail checks (JSON.parse, FNV-1a)': caughtUp.start - journalRead.end - sum(replays),
    'rest of open (persist(), channel)': t.opened - caughtUp.end,
    'first query': t.answered - t.opened,
  },
  // The first answer from the stored figures: after the page's scripts and the
  // database's open, one readonly transaction reads the head and the figures.
  figures_breakdown_ms: t.figures === undefined ? null : {
    'page, scripts and modules': t.modules,
    'IndexedDB open': first('database open') ? first('database open').end - first('database open').start : null,
    'figures read and checked (meta get with the head; JSON.parse, checksum)': t.figures - (first('database open')?.end ?? t.modules),
  },
};

if (params.get('extra')) {
  const { latency, previewQuery } = await import('./engine-bench.js');
  const customer = params.get('customer');
  const preview = previewQuery(customer);
  result.preview_10_lines_us = latency(() => store.query(previewQuery(customer)), 20_000);
  result.preview_10_lines_prebuilt_us = latency(() => store.query(preview), 20_000);
  result.balance_us = latency(() => store.query({ type: 'balance', customer }), 20_000);
  result.cross_origin_isolated = self.crossOriginIsolated;
  // The memory of the module the books live in: the bulk module's for big books (its
  // init answers the instance already made).
  const wasm = engineKind() === 'fast' ? await (await loadBulk()).default() : await init();
  result.wasm_memory_bytes = wasm.memory.buffer.byteLength;
  if (performance.measureUserAgentSpecificMemory) {
    try {
      const m = await performance.measureUserAgentSpecificMemory();
      result.user_agent_memory_bytes = m.bytes;
      result.user_agent_memory_breakdown = m.breakdown
        .filter((b) => b.bytes > 0)
        .map((b) => ({ bytes: b.bytes, types: b.types }));
    } catch (e) {
      result.user_agent_memory_error = String(e);
    }
  }
  const newest = await new Promise((resolve, reject) => {
    const req = store.db.transaction('snapshots').objectStore('snapshots').openCursor(null, 'prev');
    req.onsuccess = () => resolve(req.result?.value);
    req.onerror = () => reject(req.error);
  });
  result.stored_snapshot = newest && { seq: newest.seq, bytes: newest.bytes.size ?? newest.bytes.length, kind: newest.bytes instanceof Blob ? 'gzip Blob' : 'Uint8Array' };
  // Last: it grows the wasm memory by the snapshot's size.
  const before = performance.now();
  result.snapshot_bytes = store.ledger.snapshot().length;
  result.snapshot_ms = performance.now() - before;
}

window.result = result;
document.getElementById('status').textContent = 'done';
