// The ledger's persistence in IndexedDB: one object a page uses to apply commands, run
// queries and hear about changes.
//
// Guarantees:
// - A command is acknowledged only after its journal record is committed with
//   durability "strict". If the write fails (quota, closed database), the engine is
//   reloaded from storage, so nothing unacknowledged ever appears, and the caller gets
//   `{ ok: false, error: { code: "storage_failed", message, field: null, details: {} } }`. `apply` never throws.
// - Every write checks, inside its readwrite transaction, that the ledger is still the
//   one this tab holds (an import or reset in another tab replaces it) and catches up on
//   what other tabs wrote; a replaced ledger is reloaded and the command applied to it.
// - Opening checks every record it uses and never gives up while the data can rebuild
//   the books (store-open.js); `health` says what it found, in plain words.
// - Several tabs: one writer at a time (Web Locks); each tab hears of commits and
//   replacements on a BroadcastChannel.
//
// IndexedDB layout (schema version 4; record formats in store-format.js):
//   journal    key seq  { seq, ledger, command: JSON text, prev, chain }  every accepted command, forever
//   snapshots  key seq  { seq, ledger, chain, bytes, sum }                engine snapshots (newest two kept);
//                       bytes: a gzip Blob (schema 4), or a Uint8Array, uncompressed or gzip (before, and sync)
//   meta       key      { key, ... }   "schema", "created", "head": { ledger, seq, chain }, "client"
// and, for books synced with a server (www/sync-storage.js; empty otherwise):
//   pending    key auto { key, id, command }               commands entered here, not yet confirmed
//   refused    key id   { id, command, error, refusedAt }  refused when synced, until dismissed
//   authors    key id   { id, seq, by, at }                who entered each confirmed entry

import { exportLedger, FAST_ENGINE_OVER, loadEngine, newLedger, replayEntries } from './engine.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  StoreError,
  checkBackupShape,
  emptyHead,
  genesis,
  intactV1JournalRecord,
  intactV1Snapshot,
  journalRecord,
  journalRecordOfText,
  newLedgerId,
  readJournalRecord,
  snapshotRecord,
} from './store-format.js';
import { figureQueries, figuresRecord, holdsQueries } from './store-figures.js';
import { openBooks, replayJournal, request } from './store-open.js';
import { SnapshotInterrupted, gzipSnapshot, gzipTaken, snapshotPieces, takePieces, yieldToPage } from './store-snapshot.js';

export { StoreError };

export const SCHEMA_VERSION = 4;
/** The writer lock is given back after this long without a write... */
const LOCK_IDLE_MS = 5;
/** ...and after this long of continuous writing, so other tabs get their turn. */
const LOCK_LEASE_MS = 200;
/** How many times a write follows a ledger replaced under it before giving up. */
const MAX_RELOADS = 3;
/** How long a store whose storage failed waits before trying to reopen it. */
const RETRY_MS = 2000;
/** Records read per request by exports and migrations. */
const BATCH = 5000;
/** Records checked per slice by the background check of the journal (verify). */
const VERIFY_BATCH = 250;
/** A snapshot is due every 1/SNAPSHOT_SHARE of the ledger (once that is more than snapshotEvery). */
const SNAPSHOT_SHARE = 400;
/** Past this many times the spacing without a snapshot, one is taken ahead of writes. */
const SNAPSHOT_HOLD = 4;
/** A due snapshot starts once no write has come for this long. */
const SNAPSHOT_QUIET_MS = 50;
/** Quiet after a write before the first screen's figures are stored for the new head. */
const FIGURES_QUIET_MS = 3000;

// ---------------------------------------------------------------------------------
// IndexedDB: the schema and its migrations.

export function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException('transaction aborted', 'AbortError'));
  });
}

/**
 * Schema migrations, one per version step, run in the upgrade transaction (they may
 * await its requests, nothing else). Never edit a released step; add one.
 */
const MIGRATIONS = [
  // 0 -> 1
  (db) => {
    db.createObjectStore('journal', { keyPath: 'seq' });
    db.createObjectStore('snapshots', { keyPath: 'seq' });
    db.createObjectStore('meta', { keyPath: 'key' });
  },
  // 1 -> 2: a ledger identity, the journal chained, snapshots bound to it, the head kept.
  migrateToChain,
  // 2 -> 3: the sync part's stores (www/sync-storage.js).
  (db) => {
    db.createObjectStore('pending', { keyPath: 'key', autoIncrement: true }).createIndex('id', 'id');
    db.createObjectStore('refused', { keyPath: 'id' });
    db.createObjectStore('authors', { keyPath: 'id' });
  },
  // 3 -> 4: snapshots are now written as gzip Blobs (store-snapshot.js). Nothing to
  // rewrite: uncompressed ones are still read, and replaced as new snapshots are taken.
  // The step exists so that a tab running older code, which can't read the new
  // snapshots, is closed (versionchange) instead of treating them as damaged.
  () => {},
];

/**
 * Schema 1 records carry a FNV-1a checksum each. They are rewritten as a chain under a
 * new ledger identity, up to the first record that is missing or fails its checksum;
 * that one and those after it are left as they were, so opening names it (and the head
 * says how many records the ledger had). Snapshots are bound where intact and covered
 * by the chain; others are left to fail their checks.
 */
async function migrateToChain(db, tx) {
  const journal = tx.objectStore('journal');
  const snapshots = tx.objectStore('snapshots');
  const ledger = newLedgerId();
  let prev = genesis(ledger);
  let seq = 0;
  let intact = true;
  const snapshotKeys = await request(snapshots.getAllKeys());
  const wanted = new Set(snapshotKeys);
  const chains = new Map();
  for (;;) {
    const records = await request(journal.getAll(IDBKeyRange.lowerBound(seq, true), BATCH));
    for (const record of records) {
      if (intact && record.seq === seq + 1 && intactV1JournalRecord(record)) {
        const next = journalRecordOfText(ledger, prev, record.seq, record.command);
        journal.put(next);
        prev = next.chain;
        if (wanted.has(record.seq)) chains.set(record.seq, prev);
      } else {
        intact = false;
      }
      seq = record.seq;
    }
    if (records.length < BATCH) break;
  }
  for (const key of snapshotKeys) {
    const record = await request(snapshots.get(key));
    if (chains.has(key) && intactV1Snapshot(record)) snapshots.put(snapshotRecord(ledger, key, chains.get(key), record.bytes));
  }
  // The head names the last record there was, intact or not, so none goes unnoticed.
  tx.objectStore('meta').put({ ...emptyHead(ledger), seq, chain: prev });
}

function openDatabase(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, SCHEMA_VERSION);
    let failed = null;
    req.onupgradeneeded = (event) => {
      const db = req.result;
      const tx = req.transaction;
      (async () => {
        for (let v = event.oldVersion; v < SCHEMA_VERSION; v++) await MIGRATIONS[v](db, tx);
        const meta = tx.objectStore('meta');
        meta.put({ key: 'schema', value: SCHEMA_VERSION });
        if (event.oldVersion === 0) meta.put({ key: 'created', value: new Date().toISOString() });
      })().catch((error) => {
        failed = error;
        try { tx.abort(); } catch { /* already finished */ }
      });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => {
      const why = failed ?? req.error;
      reject(new StoreError('storage_failed', `Can't open the ledger database "${name}": ${why?.message ?? why}`, why));
    };
    req.onblocked = () => reject(new StoreError('storage_blocked', `The ledger database "${name}" is being upgraded by another tab; close the other tabs of Tally and reload.`));
  });
}

// ---------------------------------------------------------------------------------
// Opening, and reading the journal without the engine.

/**
 * Opens (or creates) a ledger stored in IndexedDB. Resolves even when records are
 * damaged: `store.health` says what was found and whether the books can be changed.
 * @param {object} [options]
 * @param {string} [options.name] database name (default "tally")
 * @param {number} [options.snapshotEvery] commands between background snapshots (default 1000;
 *   1% of the ledger once that is more)
 * @param {object[]} [options.figures] the first screen's queries: their answers are kept
 *   once writes pause (store-figures.js) and given to `onFigures` on the next open
 * @param {(figures: object) => void} [options.onFigures] called during the open, before the
 *   engine is restored, with the figures stored for the books as they are
 * @param {number} [options.fastEngineOver] books of more commands than this open in the
 *   fast engine (engine.js `useFastEngine`; default `FAST_ENGINE_OVER`)
 * @returns {Promise<Store>}
 */
export async function openStore(options = {}) {
  const queries = figureQueries(options.figures);
  // The engine module compiles while the database opens and the snapshot is read.
  const engineReady = loadEngine();
  engineReady.catch(() => {}); // awaited by the open; a failure rejects it there
  const store = new Store(options.name ?? 'tally', options.snapshotEvery ?? 1000, queries);
  store.fastEngineOver = options.fastEngineOver ?? FAST_ENGINE_OVER;
  await store._open(engineReady, options.onFigures);
  return store;
}

/**
 * A backup holding `commands` as a ledger's journal, in order (`seq` 1, 2, 3, ...): the
 * shape `exportBackup` gives and `importBackup` takes. The one place a backup is built
 * (the demo space, an empty ledger).
 * @param {object[]} commands
 * @param {string} [exported] when it was made (ISO 8601; default now)
 */
export function backupOf(commands, exported = new Date().toISOString()) {
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, exported, entries: commands.map((command, i) => ({ seq: i + 1, command })) };
}

/**
 * Reads the journal of a database along its chain, without the engine: `entries` are
 * the records that check out, from the first up to the first that doesn't (a backup
 * that imports); `damaged` lists the sequence numbers of the records after them, and
 * `problem` says what is wrong with the first.
 * @param {string} [name]
 */
export async function exportJournal(name = 'tally') {
  const db = await openDatabase(name);
  try {
    const { problemSeq, replaced, count, ...backup } = await readJournal(db, Infinity);
    return backup;
  } finally {
    db.close();
  }
}

/**
 * The journal's records 1..`through` that check out along the chain (see exportJournal),
 * and `count`, how many. Each batch is read in its own transaction, so a long read never holds up writers;
 * records up to the head never change, but an import may replace them all meanwhile:
 * then `replaced` is true and the result means nothing. With `keep: false` (the
 * background check) only the count is kept, not the records: holding a million
 * commands' texts while the page writes made the garbage collector's pauses long.
 */
async function readJournal(db, through, { parse = true, batch = BATCH, pause = false, keep = true } = {}) {
  const readHead = () => request(db.transaction('meta', 'readonly').objectStore('meta').get('head'));
  const head = await readHead();
  const ledger = head?.ledger;
  // Synced books that started from the server's snapshot hold the journal after it.
  const base = await request(db.transaction('meta', 'readonly').objectStore('meta').get('base'));
  const entries = [];
  let count = 0;
  const damaged = [];
  let problem = null;
  let problemSeq = null;
  let at = base?.ledger === ledger && base ? { seq: base.seq, chain: base.chain } : { seq: 0, chain: genesis(ledger) };
  let after = at.seq;
  const last = Math.min(through, head?.seq ?? Infinity);
  for (;;) {
    if (pause) await yieldToPage();
    const journal = db.transaction('journal', 'readonly').objectStore('journal');
    const records = await request(journal.getAll(IDBKeyRange.lowerBound(after, true), batch));
    for (const record of records) {
      after = record.seq;
      if (problem || record.seq > last) {
        damaged.push(record.seq);
        continue;
      }
      try {
        const entry = readJournalRecord(record, { ledger, prev: at.chain, seq: at.seq + 1, parse });
        entries.push({ seq: entry.seq, command: entry.command });
        count++;
        if (!keep && entries.length > 1) entries.shift(); // the last is all a problem needs
        at = entry;
      } catch (e) {
        problem = e.message;
        problemSeq = e.seq;
        if (e.link && entries.length) { // the record before is in doubt too
          damaged.push(entries.pop().seq);
          count--;
        }
        damaged.push(record.seq);
      }
    }
    if (records.length < batch) break;
  }
  if (!problem && Number.isFinite(last) && at.seq < last) {
    problem = `Journal record ${at.seq + 1} is missing.`;
    problemSeq = at.seq + 1;
  }
  if (!problem && at.seq === head?.seq && at.chain !== head.chain) {
    problem = `Journal record ${at.seq} was changed after it was written (it doesn't match the record of where the journal ends).`;
    problemSeq = at.seq;
    entries.pop();
    count--;
  }
  const replaced = problem !== null && (await readHead())?.ledger !== ledger;
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, exported: new Date().toISOString(), entries, count, damaged, problem, problemSeq, replaced };
}

const REPLACED = Symbol('replaced');

class Store {
  constructor(name, snapshotEvery, figureQueries = []) {
    this.name = name;
    this.snapshotEvery = snapshotEvery;
    this.figureQueries = figureQueries;
    this.figuresKept = Promise.resolve();
    this.lockName = `tally-writer:${name}`;
    this.witnessKey = `tally-witness:${name}`;
    this.listeners = new Set();
    this.queue = Promise.resolve();
    this.lastSnapshotSeq = 0;
    this.snapshotDue = false;
    this.snapshotting = null;
    this.snapshotTimer = null;
    this.persisted = false;
    this.closed = false;
    this.health = null;
    /** Books of more commands than this open in the fast engine (engine.js). */
    this.fastEngineOver = Infinity;
  }

  // -------------------------------------------------------------------------------
  // Opening and reloading.

  async _open(engineReady, onFigures) {
    await this._connect().catch(async (error) => {
      await engineReady; // a failed engine load is the clearer error
      throw error;
    });
    const books = await openBooks(this.db, engineReady, { onFigures, fastEngineOver: this.fastEngineOver });
    this._take(books);
    this._checkWitness();
    this.figuresKept = this._keepFigures(books.figures);
    // Opening checked the records it replayed; those under the snapshot are checked
    // in the background (on a million-command ledger that read takes seconds).
    this.verified = this.health.openedFrom > 0 ? new Promise((r) => setTimeout(r, 0)).then(() => this.verify()) : Promise.resolve(this.health);
    this.verified.catch((e) => console.warn('tally: the journal check failed to run', e));
    this.channel = new BroadcastChannel(`tally:${this.name}`);
    this.channel.onmessage = (event) => this._onMessage(event.data);
    // A tab hidden or closed within the quiet time after a write keeps its figures now.
    this.onHidden = () => {
      if (globalThis.document?.visibilityState === 'visible') return;
      this._keepFiguresNow();
    };
    globalThis.document?.addEventListener('visibilitychange', this.onHidden);
    globalThis.addEventListener?.('pagehide', this.onHidden);
    // Asked, not awaited: the books are usable before the browser answers.
    navigator.storage?.persist?.().then((granted) => { this.persisted = granted; }, () => {});
  }

  /** Opens a connection to the database (again, after the browser closed one). */
  async _connect() {
    const db = await openDatabase(this.name);
    db.onversionchange = () => {
      db.close();
      this.closed = true;
      this._emit({ seq: this.seq, source: 'closed' });
    };
    // The browser closes a connection itself when its storage fails (a full disk, a
    // backing store error); the next write or reload opens a new one.
    db.onclose = () => { this.lost = true; };
    this.db = db;
    this.lost = false;
  }

  /**
   * The witness: the ledger's identity and last acknowledged seq, kept in localStorage
   * (a separate store) after every write. Chromium can lose IndexedDB writes, or the
   * whole database, on the start after its disk was full
   * (tests/browser/storage-full.test.mjs); the witness turns that silent loss into a
   * named problem, read-only books, and the advice to import a backup.
   */
  _checkWitness() {
    let witness = null;
    try { witness = JSON.parse(localStorage.getItem(this.witnessKey)); } catch { /* no localStorage: no witness */ }
    const stored = this.health.expected ?? this.seq;
    let message = null;
    if (witness?.ledger === this.ledgerId && witness.seq > stored) {
      message = `The browser lost records: it acknowledged ${witness.seq} records of this ledger, but its storage now holds ${stored}. This can happen after the disk was full. Import your latest backup to get them back.`;
    } else if (witness && witness.ledger !== this.ledgerId && witness.seq > 0 && stored === 0) {
      message = `The browser lost the stored ledger: it held ${witness.seq} records, and its storage is now empty. This can happen after the disk was full. Import your latest backup to get them back.`;
    }
    if (!message) {
      this._witness();
      return;
    }
    const problem = { kind: 'head', seq: witness.seq, message };
    this.health = { ...this.health, status: 'damaged', writable: false, problems: [...this.health.problems, problem], message };
  }

  _witness() {
    if (!this.health.writable) return;
    try { localStorage.setItem(this.witnessKey, JSON.stringify({ ledger: this.ledgerId, seq: this.storedSeq })); } catch { /* storage full or absent: no witness */ }
  }

  /**
   * Stores the first screen's figures for the books as they are, unless those stored
   * already are (`found`, as opening read them). Each query is answered in its own task
   * and the text made in another (the panel's, every customer's balances, is a large
   * answer at a million commands), without holding up writes: a write landing meanwhile
   * moves the seq, and the transaction, which first checks the head is still the books
   * the answers are of, stores nothing (the write schedules the next attempt). Relaxed
   * durability: losing them loses only the early answers of the next open.
   */
  async _keepFigures(found = null, { hurry = false } = {}) {
    const queries = this.figureQueries;
    if (!queries.length || this.closed) return;
    if (holdsQueries(found, queries) && found.seq === this.storedSeq) return;
    // In a hurry (the tab is being hidden or closed) all of it runs before the
    // transaction in one task: a hidden page's background tasks may never run.
    const turn = hurry ? () => undefined : yieldToPage;
    try {
      const ledger = this.ledger;
      const seq = this.storedSeq;
      const current = () => !this.closed && !this.lost && !this.stale && this.health.writable && this.chain !== undefined
        && this.ledger === ledger && this.storedSeq === seq && ledger.seq() === seq;
      const answers = [];
      for (const { key, query } of queries) {
        await turn();
        if (!current()) return;
        answers.push([key, ledger.query(query)]);
      }
      await turn();
      if (!current()) return;
      const text = JSON.stringify(answers);
      await turn();
      if (!current()) return;
      // Checksummed in a task of its own, not in the transaction's callback: at a million
      // commands the text is a megabyte.
      const record = figuresRecord({ ledger: this.ledgerId, seq, chain: this.chain }, text);
      await turn();
      if (!current()) return;
      const tx = this.db.transaction('meta', 'readwrite', { durability: 'relaxed' });
      const meta = tx.objectStore('meta');
      const head = await request(meta.get('head'));
      if (!current() || head?.ledger !== record.ledger || head.seq !== record.seq || head.chain !== record.chain) {
        tx.abort();
        return;
      }
      meta.put(record);
      await done(tx);
    } catch (error) {
      console.warn('tally: the first screen\'s figures could not be stored', error);
    }
  }

  /**
   * Stores the first screen's figures once writes pause (FIGURES_QUIET_MS), not in each
   * write's transaction: the panel's first screen (every customer's balances) is a
   * large answer (one engine query over every customer: tens of milliseconds at 5,000),
   * which would be computed and stored with every write; someone entering commands makes
   * none until they stop for a few seconds. A tab hidden or closed before then stores
   * them at once (`visibilitychange`, `pagehide`); a store closed by its page before
   * then leaves figures behind the head, which the next open doesn't use (it waits for
   * the engine).
   * `figuresKept` resolves once they are stored (or given up: closed, the head moved on).
   */
  /** Stores figures still waiting for writes to pause, now (the tab is going away). */
  _keepFiguresNow() {
    const pending = this.figuresPending;
    if (!pending || this.closed) return;
    clearTimeout(this.figuresTimer);
    this.figuresPending = null;
    pending.resolve(this._keepFigures(null, { hurry: true }));
  }

  _keepFiguresLater() {
    if (!this.figureQueries.length) return;
    if (!this.figuresPending) {
      let resolve;
      this.figuresKept = new Promise((r) => { resolve = r; });
      this.figuresPending = { resolve };
    }
    clearTimeout(this.figuresTimer);
    this.figuresTimer = setTimeout(() => {
      const pending = this.figuresPending;
      this.figuresPending = null;
      pending.resolve(this._keepFigures());
    }, FIGURES_QUIET_MS);
  }

  /** Adopts books read by `openBooks`. */
  _take({ ledger, ledgerId, chain, health }) {
    this.ledger?.free();
    this.ledger = ledger;
    this.ledgerId = ledgerId;
    this.chain = chain;
    this.health = health;
    this.storedSeq = ledger.seq();
    this.stale = false;
    this.lastSnapshotSeq = health.openedFrom;
    if (health.status === 'recovered') this._maybeSnapshot(true);
  }

  /**
   * Reads the books again from storage: another tab replaced them (`source`
   * "replaced"), or a write or catch-up failed (no source: only news if they turn out
   * damaged). The browser closes a connection whose storage failed (a full disk), so a
   * failed read opens a new one; if that fails too the store is `lost`: it tries again
   * every few seconds and on the next write, answering `storage_failed` meanwhile, and
   * if the engine may hold a command that was not stored (`stale`), queries are refused
   * too, so nothing unstored is ever shown.
   */
  async _reload(source) {
    try {
      let books;
      try {
        if (this.lost) throw new Error('connection lost');
        books = await openBooks(this.db, undefined, { fastEngineOver: this.fastEngineOver });
      } catch {
        try { this.db.close(); } catch { /* closed already */ }
        await this._connect();
        books = await openBooks(this.db, undefined, { fastEngineOver: this.fastEngineOver });
      }
      clearTimeout(this.retryTimer);
      this._take(books);
      const event = this.health.status === 'damaged' ? 'damaged' : source;
      if (event) this._emit({ seq: this.seq, source: event, health: this.health });
    } catch (error) {
      if (this.closed) return;
      this.lost = true;
      if (this.ledger.seq() !== this.storedSeq) {
        // The engine holds commands that were not stored and storage can't be read to
        // go back: drop them with the engine; it is rebuilt from storage on reconnecting.
        this.stale = true;
        this.ledger.free();
        this.ledger = newLedger();
      }
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this._serial(() => (this.lost && !this.closed ? this._reload('reconnected') : null)), RETRY_MS);
      this._emit({ seq: this.seq, source: 'error', error });
    }
  }

  _onMessage(message) {
    if (!message) return;
    if (message.ledger !== this.ledgerId) this._serial(() => this._reload('replaced'));
    else if (message.type === 'committed' && message.seq > this.seq) this._serial(() => this._catchUp());
  }

  /** Reads what other tabs wrote since this tab's last record (a readonly transaction). */
  async _catchUp() {
    if (this.closed || this.lost) return;
    const tx = this.db.transaction(['meta', 'journal'], 'readonly');
    const head = await request(tx.objectStore('meta').get('head'));
    if (head?.ledger !== this.ledgerId) return this._reload('replaced');
    if (head.seq === this.seq || !this.health.writable) return;
    const before = this.seq;
    const caught = await this._replayTo(tx.objectStore('journal'), head);
    if (caught === REPLACED) return this._reload();
    if (this.seq > before) this._emit({ seq: this.seq, source: 'remote' });
  }

  /**
   * Replays the journal after this tab's last record up to `head`, checking the chain.
   * On damage the store reloads (and opens read-only, naming the record): answers
   * REPLACED then, so the caller reloads.
   */
  async _replayTo(journal, head) {
    if (head.seq < this.seq) return REPLACED; // records gone: only a reload can tell what is there
    const replay = await replayJournal(journal, this.ledger, this.ledgerId, { seq: this.seq, chain: this.chain }, head);
    if (replay.problem || replay.seq !== head.seq) return REPLACED;
    this.chain = replay.chain;
    this.storedSeq = replay.seq;
    return replay.seq;
  }

  // -------------------------------------------------------------------------------
  // Writing.

  /** Runs `fn` after everything queued before it, one at a time in this tab. */
  _serial(fn) {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Holds the cross-tab writer lock around `fn`. */
  _exclusive(fn) {
    return this._serial(() => this._withWriterLock(fn));
  }

  /**
   * Runs `fn` holding the writer lock, kept as a lease across writes that follow each
   * other: taking a Web Lock costs ~0.3 ms, as much as a third of a strict commit
   * (docs/performance.md, persist). The lease is given back once this tab has written
   * nothing for LOCK_IDLE_MS, and at the latest after LOCK_LEASE_MS of continuous
   * writing, so another tab waits for a few milliseconds at most. Correctness doesn't
   * rest on the lock: every write reads the head in its own readwrite transaction.
   */
  async _withWriterLock(fn) {
    clearTimeout(this.leaseTimer);
    if (!this.lease) {
      this.lease = new Promise((acquired) => {
        navigator.locks.request(this.lockName, () => new Promise((release) => {
          acquired({ release, since: performance.now() });
        }));
      });
    }
    const lease = await this.lease;
    try {
      return await fn(lease);
    } finally {
      const expired = performance.now() - lease.since > LOCK_LEASE_MS;
      const giveBack = () => {
        if (this.lease) {
          this.lease = null;
          lease.release();
        }
      };
      if (expired || this.closed) giveBack();
      else this.leaseTimer = setTimeout(giveBack, LOCK_IDLE_MS);
    }
  }

  /** Sequence number of the last command this tab knows. */
  get seq() {
    return this.stale ? this.storedSeq : this.ledger.seq();
  }

  /**
   * Applies one command. Resolves with the engine's answer once the command is durable
   * (or at once for a refusal, a duplicate or a dry run, which change nothing). Never rejects.
   */
  apply(command) {
    return this.applyMany([command]).then((answers) => answers[0]);
  }

  /**
   * Applies commands in order and commits the accepted ones in one transaction: the
   * path for imports and bursts. Resolves with one answer per command; never rejects.
   * @param {object[]} commands
   */
  applyMany(commands) {
    if (this.closed) return Promise.resolve(commands.map(() => closedAnswer()));
    return this._exclusive(async () => {
      if (this.lost) {
        // The browser closed the connection after a storage failure: reconnect and
        // read what is stored first.
        await this._reload();
        if (this.closed) return commands.map(() => closedAnswer());
        if (this.lost) return commands.map(() => storageFailed(new DOMException('the ledger\'s storage can\'t be opened', 'UnknownError')));
      }
      for (let attempt = 0; attempt < MAX_RELOADS; attempt++) {
        const answers = await this._write(commands);
        if (answers !== REPLACED) return answers;
        // The ledger was replaced (or storage changed) under this tab: reload it, then
        // apply the commands to what is there now.
        await this._reload('replaced');
        if (this.closed) return commands.map(() => closedAnswer());
      }
      return commands.map(() => storageFailed(new Error('the ledger kept being replaced by other tabs')));
    });
  }

  /**
   * One write: a readwrite transaction reads the head (the ledger's identity and last
   * record), catches up on what other tabs wrote, applies the commands, puts their
   * records and the new head. IndexedDB runs readwrite transactions over a store one at
   * a time, so nothing lands in between. Answers REPLACED when the ledger must be
   * reloaded first.
   */
  async _write(commands) {
    const answers = [];
    let start;
    let tx;
    let written = 0;
    try {
      tx = this.db.transaction(['journal', 'meta'], 'readwrite', { durability: 'strict' });
      const committed = done(tx);
      committed.catch(() => {}); // awaited below; a failure before then is handled there
      const journal = tx.objectStore('journal');
      const meta = tx.objectStore('meta');
      const head = await request(meta.get('head'));
      if (head?.ledger !== this.ledgerId) {
        tx.abort();
        return REPLACED;
      }
      if (!this.health.writable) {
        tx.abort();
        return commands.map(() => damagedAnswer(this.health));
      }
      if (head.seq !== this.seq && (await this._replayTo(journal, head)) === REPLACED) {
        tx.abort();
        return REPLACED;
      }
      // Each record is put as soon as its command is applied, so IndexedDB serializes
      // and writes earlier records while the engine works on later ones.
      start = this.seq;
      let chain = this.chain;
      for (const command of commands) {
        const before = this.ledger.seq();
        answers.push(this.ledger.apply(command));
        if (this.ledger.seq() === before) continue;
        for (const e of this.ledger.journalSince(before)) {
          const record = journalRecord(this.ledgerId, chain, e.seq, e.command);
          journal.put(record);
          chain = record.chain;
          written++;
        }
      }
      if (written) meta.put({ key: 'head', ledger: this.ledgerId, seq: this.ledger.seq(), chain });
      await committed;
      this.chain = chain;
      this.storedSeq = this.ledger.seq();
    } catch (error) {
      try { tx?.abort(); } catch { /* already finished */ }
      // Whatever the engine accepted was not stored: back to exactly what storage holds.
      if (start === undefined || this.seq !== start) await this._reload();
      return commands.map((_, i) => {
        const a = answers[i];
        return a && !(a.ok && !a.duplicate) ? a : storageFailed(error);
      });
    }
    if (written === 0) return answers;
    this._witness();
    this.ledger.forgetJournalThrough(this.seq);
    this.channel.postMessage({ type: 'committed', ledger: this.ledgerId, seq: this.seq });
    this._emit({ seq: this.seq, source: 'local' });
    this._maybeSnapshot();
    this._keepFiguresLater();
    return answers;
  }

  /**
   * Checks the whole journal along its chain, the records before the snapshot the books
   * opened from included (opening reads only those after it). Runs in the background
   * after an open from a snapshot (`verified`). A problem found is added to `health`
   * and announced (`damaged`); the books, whole in the snapshot, stay as they are and
   * keep taking commands, but a backup can only hold the records before the problem.
   * @returns {Promise<object>} the health
   */
  async verify() {
    const ledgerId = this.ledgerId;
    const journal = await readJournal(this.db, this.seq, { parse: false, batch: VERIFY_BATCH, pause: true, keep: false });
    if (!journal.problem || journal.replaced || ledgerId !== this.ledgerId || this.closed) return this.health;
    if (this.health.problems.some((p) => p.kind === 'journal' && p.seq === journal.problemSeq)) return this.health;
    const problem = { kind: 'journal', seq: journal.problemSeq, message: journal.problem };
    this.health = {
      ...this.health,
      status: 'damaged',
      problems: [...this.health.problems, problem],
      message: this.health.writable
        ? `${problem.message} The books are whole (they open from a saved copy at record ${this.health.openedFrom}) and can be used, but a backup can only hold the ${journal.count} records before it. Keep older backups.`
        : `${problem.message} ${this.health.message}`,
    };
    this._emit({ seq: this.seq, source: 'damaged', health: this.health });
    return this.health;
  }

  // -------------------------------------------------------------------------------
  // Queries and events.

  /** Answers a query (synchronous; reads the engine in memory). */
  query(query) {
    if (this.stale) return { ok: false, error: { code: 'storage_failed', message: 'The ledger is out of reach: its storage failed and is being reopened. Try again in a moment.', field: null, details: {} } };
    return this.ledger.query(query);
  }

  /**
   * The general ledger as an accountant's file (`"csv"` or `"beancount"`), written by the
   * engine's bulk module (loaded on first use) from a snapshot of the books as they are.
   */
  async exportLedger(format) {
    if (this.stale) throw new StoreError('storage_failed', 'The ledger is out of reach: its storage failed and is being reopened. Try again in a moment.');
    return exportLedger(this.ledger, format);
  }

  /**
   * What `command` would answer now, accepted or refused, changing nothing (the engine's
   * dry run: the command's own rules, no record, no journal entry, no id taken).
   * Synchronous, like a query: for previews and confirmations.
   */
  dryRun(command) {
    if (this.stale) return { ok: false, error: { code: 'storage_failed', message: 'The ledger is out of reach: its storage failed and is being reopened. Try again in a moment.', field: null, details: {} } };
    return this.ledger.apply({ ...command, dry_run: true });
  }

  /** Calls `fn({ seq, source })` after every change: see StoreEventSource in types.d.ts. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  _emit(event) {
    for (const fn of this.listeners) {
      try { fn(event); } catch (e) { console.error('tally store listener failed', e); }
    }
  }

  // -------------------------------------------------------------------------------
  // Snapshots.

  /**
   * A snapshot is due every `snapshotEvery` commands, or every 0.25% of the ledger once
   * that is more: a snapshot's (background) work grows with the ledger, so spacing them
   * in proportion keeps it flat per command, while opening replays at most that many
   * commands after the newest one. After a recovery one is due at once, so the next open
   * is quick again. It starts once writes pause for SNAPSHOT_QUIET_MS (each write
   * postpones it), and is taken in slices between writes (see _writeSnapshot).
   */
  _maybeSnapshot(now = false) {
    const seq = this.ledger.seq();
    if (!now && seq - this.lastSnapshotSeq < this._snapshotSpacing(seq)) return;
    this.snapshotDue = true;
    if (this.snapshotting) return; // it restarts after the one running, if still due
    clearTimeout(this.snapshotTimer);
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = null;
      this.snapshotNow().catch((e) => console.warn('tally: background snapshot failed (the journal is intact)', e));
    }, SNAPSHOT_QUIET_MS);
  }

  /** Commands between snapshots at `seq`. */
  _snapshotSpacing(seq) {
    return Math.max(this.snapshotEvery, Math.floor(seq / SNAPSHOT_SHARE));
  }

  /**
   * Writes a snapshot of the current state (taken in slices between writes; a write
   * landing meanwhile starts it over), then drops all but the newest two that check out
   * (damaged or foreign ones are left for inspection until the next import). Resolves
   * once a snapshot at this seq or later is stored, or when none can be (closed, damaged).
   */
  async snapshotNow() {
    for (let attempt = 0; ; attempt++) {
      while (this.snapshotting) await this.snapshotting.catch(() => {});
      const run = this._writeSnapshot();
      this.snapshotting = run;
      let outcome;
      try {
        outcome = await run;
      } finally {
        this.snapshotting = null;
      }
      if (outcome !== 'interrupted') {
        if (this.snapshotDue && this.ledger.seq() - this.lastSnapshotSeq >= this._snapshotSpacing(this.ledger.seq())) this._maybeSnapshot();
        return;
      }
      // Writes came in meanwhile: give them room before the next try.
      await new Promise((r) => setTimeout(r, Math.min(SNAPSHOT_QUIET_MS * 2 ** attempt, 2000)));
    }
  }

  /**
   * One try at a snapshot. Begun between writes (in the store's queue, so the state is
   * exactly what storage holds at its seq); then taken from the engine and compressed
   * in slices of a few milliseconds, the page's other work (writes first) in between; a
   * write changes the state and interrupts it ("interrupted": try again later). Stored
   * as a gzip Blob (putting it copies no bytes on this thread) in a strict transaction
   * that checks the ledger was not replaced meanwhile.
   */
  async _writeSnapshot() {
    const stillWanted = (begun) => () => !this.closed && this.ledger === begun.ledger && this.ledgerId === begun.ledgerId;
    let begun;
    try {
      begun = await this._serial(async () => {
        const seq = this.ledger.seq();
        if (seq === 0 || seq <= this.lastSnapshotSeq || this.closed || this.lost || this.stale || !this.health.writable || this.storedSeq !== seq) return null;
        this.snapshotDue = false;
        const taking = { seq, ledger: this.ledger, ledgerId: this.ledgerId, chain: this.chain, next: snapshotPieces(this.ledger) };
        // Writes that never pause for long enough would put snapshots off for ever (and
        // the tail an open replays grow): past SNAPSHOT_HOLD times the spacing, the
        // pieces are taken holding the store's queue, so writes wait for them (the page
        // still gets its turn between slices).
        if (seq - this.lastSnapshotSeq >= SNAPSHOT_HOLD * this._snapshotSpacing(seq)) taking.pieces = await takePieces(taking.next, { stillWanted: stillWanted(taking) });
        return taking;
      });
      if (!begun) return 'skipped';
      begun.pieces ??= await takePieces(begun.next, { stillWanted: stillWanted(begun) });
    } catch (error) {
      if (!(error instanceof SnapshotInterrupted)) throw error;
      this.snapshotDue = true;
      return 'interrupted';
    }
    // The state is captured: from here on writes don't matter.
    let gzip;
    try {
      gzip = await gzipTaken(begun.pieces, { stillWanted: () => !this.closed && this.ledgerId === begun.ledgerId });
    } catch (error) {
      if (!(error instanceof SnapshotInterrupted)) throw error;
      return 'skipped';
    }
    if (this.closed || this.ledgerId !== begun.ledgerId) return 'skipped';
    const record = snapshotRecord(begun.ledgerId, begun.seq, begun.chain, gzip.blob, gzip.trailer);
    const tx = this.db.transaction(['snapshots', 'meta'], 'readwrite', { durability: 'strict' });
    const written = done(tx);
    written.catch(() => {}); // awaited below
    const head = await request(tx.objectStore('meta').get('head'));
    if (head?.ledger !== begun.ledgerId || head.seq < begun.seq) {
      tx.abort(); // replaced meanwhile: this state is no longer the ledger's
      return 'skipped';
    }
    tx.objectStore('snapshots').put(record);
    await written;
    this.lastSnapshotSeq = Math.max(this.lastSnapshotSeq, begun.seq);
    // Pruning is a separate, later transaction: a crash in between leaves an extra
    // snapshot, never none.
    const prune = this.db.transaction('snapshots', 'readwrite');
    const snapshots = prune.objectStore('snapshots');
    const keys = await request(snapshots.getAllKeys());
    const bad = new Set(this.health.problems.filter((p) => p.kind === 'snapshot').map((p) => p.seq));
    for (const key of keys.filter((k) => !bad.has(k)).slice(0, -2)) snapshots.delete(key);
    await done(prune);
    return 'written';
  }

  // -------------------------------------------------------------------------------
  // Backups.

  /**
   * The ledger as a JSON backup (its journal, checked along the chain). When the store
   * opened damaged, the records that could be read: the books as shown.
   */
  async exportBackup() {
    const { entries, count, damaged, problem, problemSeq, replaced, ...backup } = await readJournal(this.db, this.seq);
    if (entries.length !== this.seq) {
      throw new StoreError('damaged_record', `The journal can't be read in full: ${problem ?? 'records are missing.'} Use exportJournal() to get the records before it.`);
    }
    return { ...backup, entries };
  }

  /**
   * Replaces the ledger with a JSON backup, for every tab. The backup is validated in
   * full first (its shape, its sequence, and every command replayed in a fresh engine);
   * if anything is wrong nothing is changed. Then the journal, a snapshot and the head
   * of a new ledger identity are written in one transaction, and other tabs are told.
   * @param {object} backup
   * @param {{ onProgress?: (done: number, total: number) => void }} [options]
   */
  importBackup(backup, options = {}) {
    const progress = options.onProgress ?? (() => {});
    return this._exclusive(async () => {
      const entries = checkBackupShape(backup);
      const ledger = newLedger();
      // Each command's JSON text, made once: the engine replays it (the batch text door)
      // and the journal keeps it.
      const texts = entries.map((e) => JSON.stringify(e.command));
      const step = Math.max(1, Math.floor(entries.length / 100));
      for (let i = 0; i < entries.length; i += step) {
        const { replayed, refusal } = replayEntries(ledger, entries.slice(i, i + step), texts.slice(i, i + step));
        if (refusal) {
          ledger.free();
          throw new StoreError('invalid_backup', `Backup entry ${entries[i + replayed].seq} is refused: ${refusal.error.message}. Nothing was changed.`);
        }
        progress(i, entries.length);
        await new Promise((r) => setTimeout(r, 0));
      }
      ledger.forgetJournalThrough(ledger.seq());
      const ledgerId = newLedgerId();
      let chain = genesis(ledgerId);
      const records = entries.map((e, i) => {
        const record = journalRecordOfText(ledgerId, chain, e.seq, texts[i]);
        chain = record.chain;
        return record;
      });
      // Compressed before the transaction (which an await of anything else would end).
      const gzip = entries.length ? await gzipSnapshot(snapshotPieces(ledger)) : null;
      const tx = this.db.transaction(['journal', 'snapshots', 'meta'], 'readwrite', { durability: 'strict' });
      tx.objectStore('journal').clear();
      tx.objectStore('snapshots').clear();
      for (const record of records) tx.objectStore('journal').put(record);
      if (gzip) tx.objectStore('snapshots').put(snapshotRecord(ledgerId, ledger.seq(), chain, gzip.blob, gzip.trailer));
      tx.objectStore('meta').put({ key: 'head', ledger: ledgerId, seq: ledger.seq(), chain });
      try {
        await done(tx);
      } catch (error) {
        ledger.free();
        throw new StoreError('storage_failed', `The backup could not be stored: ${error?.message ?? error}. Nothing was changed.`, error);
      }
      this.ledger.free();
      this.ledger = ledger;
      this.ledgerId = ledgerId;
      this.chain = chain;
      this.storedSeq = ledger.seq();
      this.lastSnapshotSeq = ledger.seq();
      this.health = healthy(ledger.seq());
      this._witness();
      progress(entries.length, entries.length);
      this.channel.postMessage({ type: 'replaced', ledger: ledgerId, seq: ledger.seq() });
      this._emit({ seq: ledger.seq(), source: 'imported' });
      this._keepFiguresLater();
    });
  }

  /** Closes the database and the channel. */
  close() {
    this.closed = true;
    clearTimeout(this.leaseTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.snapshotTimer);
    clearTimeout(this.figuresTimer);
    this.figuresPending?.resolve();
    this.figuresPending = null;
    this.lease?.then((lease) => lease.release());
    this.lease = null;
    this.channel?.close();
    globalThis.document?.removeEventListener('visibilitychange', this.onHidden);
    globalThis.removeEventListener?.('pagehide', this.onHidden);
    this.db?.close();
  }
}

function healthy(seq) {
  return { status: 'ok', message: '', seq, expected: seq, openedFrom: seq, replayed: 0, problems: [], writable: true };
}

function storageFailed(error) {
  const name = error?.name ?? 'Error';
  const why = name === 'QuotaExceededError'
    ? 'the browser has no more storage for this site (quota exceeded); free some space or export a backup'
    : /NO_SPACE|no space/i.test(error?.message ?? '')
      ? 'the disk is full; free some space, then try again'
      : `the browser refused to store it (${name}: ${error?.message ?? error})`;
  return { ok: false, error: { code: 'storage_failed', message: `Not saved: ${why}. Nothing was recorded.`, field: null, details: {} } };
}

function damagedAnswer(health) {
  return { ok: false, error: { code: 'storage_failed', message: `Not saved: the stored ledger is damaged, so it can't be changed. ${health.message}`, field: null, details: {} } };
}

function closedAnswer() {
  return { ok: false, error: { code: 'storage_failed', message: 'Not saved: the ledger was closed (another tab upgraded it, or storage failed); reload the page.', field: null, details: {} } };
}
