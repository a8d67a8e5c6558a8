// The ledger's persistence in IndexedDB: one object a page uses to apply commands, run
// queries and hear about changes.
//
// Guarantees:
// - A command is acknowledged only after its journal record is committed with
//   durability "strict". If the write fails (quota, closed database), the engine is
//   reloaded from storage, so nothing unacknowledged ever appears, and the caller gets
//   `{ ok: false, error: { code: "storage_failed", message, field: null, details: {} } }`.
// - Opening = newest snapshot + replay of the journal after it. A damaged record
//   (checksum) stops the load with a message naming it; nothing is overwritten, and
//   `exportJournal(name)` still reads the raw journal.
// - Several tabs: one writer at a time (Web Locks); each tab catches up on the journal
//   in the transaction that writes and when another tab announces a commit (BroadcastChannel), so two
//   tabs entering payments at once lose neither.
//
// IndexedDB layout (schema version 1):
//   journal    key seq  { seq, command: JSON text, sum }   every accepted command, forever
//   snapshots  key seq  { seq, bytes, sum }                engine snapshots (newest two kept)
//   meta       key      { key, value }                     "schema", "created"

import { loadEngine, newLedger, restoreLedger } from './engine.js';

export const SCHEMA_VERSION = 1;
/** The writer lock is given back after this long without a write... */
const LOCK_IDLE_MS = 5;
/** ...and after this long of continuous writing, so other tabs get their turn. */
const LOCK_LEASE_MS = 200;
const BACKUP_FORMAT = 'tally-journal';

/** An error from storage, with a stable `code` a page can act on. */
export class StoreError extends Error {
  constructor(code, message, cause) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    if (cause) this.cause = cause;
  }
}

// ---------------------------------------------------------------------------------
// IndexedDB helpers (no library: three stores, a handful of calls).

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
    tx.onabort = () => reject(tx.error || new DOMException('transaction aborted', 'AbortError'));
  });
}

/** Schema migrations, one per version step. Never edit a released step; add one. */
const MIGRATIONS = [
  // 0 -> 1
  (db) => {
    db.createObjectStore('journal', { keyPath: 'seq' });
    db.createObjectStore('snapshots', { keyPath: 'seq' });
    db.createObjectStore('meta', { keyPath: 'key' });
  },
];

function openDatabase(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, SCHEMA_VERSION);
    req.onupgradeneeded = (event) => {
      const db = req.result;
      for (let v = event.oldVersion; v < SCHEMA_VERSION; v++) MIGRATIONS[v](db);
      const meta = req.transaction.objectStore('meta');
      meta.put({ key: 'schema', value: SCHEMA_VERSION });
      if (event.oldVersion === 0) meta.put({ key: 'created', value: new Date().toISOString() });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new StoreError('storage_failed', `Can't open the ledger database "${name}": ${req.error?.message ?? req.error}`, req.error));
    req.onblocked = () => reject(new StoreError('storage_blocked', `The ledger database "${name}" is being upgraded by another tab; close the other tabs of Tally and reload.`));
  });
}

// ---------------------------------------------------------------------------------
// Checksums: FNV-1a (32-bit) over the stored text or bytes. They detect damage, not
// tampering. Snapshot bytes carry the engine's own checksum as well.

function fnv1a(data) {
  let h = 0x811c9dc5;
  if (typeof data === 'string') {
    for (let i = 0; i < data.length; i++) {
      h ^= data.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  } else {
    for (let i = 0; i < data.length; i++) {
      h ^= data[i];
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

function journalRecord(seq, command) {
  const text = JSON.stringify(command);
  return { seq, command: text, sum: fnv1a(`${seq}:${text}`) };
}

function readJournalRecord(record) {
  if (!record || typeof record.command !== 'string' || record.sum !== fnv1a(`${record.seq}:${record.command}`)) {
    throw new StoreError('damaged_record', `Journal record ${record?.seq ?? '?'} is damaged (its checksum doesn't match). Nothing was changed; export the journal to keep a copy.`);
  }
  return { seq: record.seq, command: JSON.parse(record.command) };
}

// ---------------------------------------------------------------------------------

/**
 * Opens (or creates) a ledger stored in IndexedDB.
 * @param {object} [options]
 * @param {string} [options.name] database name (default "tally")
 * @param {number} [options.snapshotEvery] commands between background snapshots (default 1000;
 *   1% of the ledger once that is more)
 * @returns {Promise<Store>}
 */
export async function openStore(options = {}) {
  await loadEngine();
  const store = new Store(options.name ?? 'tally', options.snapshotEvery ?? 1000);
  await store._open();
  return store;
}

/**
 * Reads the raw journal of a database without the engine: the way out when a damaged
 * record stops the ledger from loading. Damaged records are listed, not skipped silently.
 * @param {string} [name]
 */
export async function exportJournal(name = 'tally') {
  const db = await openDatabase(name);
  try {
    const tx = db.transaction('journal', 'readonly');
    const records = await request(tx.objectStore('journal').getAll());
    const entries = [];
    const damaged = [];
    for (const r of records) {
      try { entries.push(readJournalRecord(r)); } catch { damaged.push(r.seq); }
    }
    return { format: BACKUP_FORMAT, version: 1, exported: new Date().toISOString(), entries, damaged };
  } finally {
    db.close();
  }
}

class Store {
  constructor(name, snapshotEvery) {
    this.name = name;
    this.snapshotEvery = snapshotEvery;
    this.lockName = `tally-writer:${name}`;
    this.listeners = new Set();
    this.queue = Promise.resolve();
    this.lastSnapshotSeq = 0;
    this.snapshotPending = false;
    this.persisted = false;
    this.closed = false;
  }

  async _open() {
    this.db = await openDatabase(this.name);
    this.db.onversionchange = () => {
      this.db.close();
      this.closed = true;
      this._emit({ seq: this.seq, source: 'closed' });
    };
    await this._load();
    this.channel = new BroadcastChannel(`tally:${this.name}`);
    this.channel.onmessage = (event) => {
      if (event.data?.type === 'committed' && event.data.seq > this.seq) {
        this._serial(() => this._catchUp()).then(
          (n) => { if (n > 0) this._emit({ seq: this.seq, source: 'remote' }); },
          (error) => this._emit({ seq: this.seq, source: 'error', error }),
        );
      }
    };
    if (navigator.storage?.persist) {
      this.persisted = await navigator.storage.persist().catch(() => false);
    }
  }

  /** Newest snapshot, then the journal after it. Throws StoreError on damage. */
  async _load() {
    const tx = this.db.transaction(['snapshots'], 'readonly');
    const snapshots = tx.objectStore('snapshots');
    const newestKey = await request(snapshots.openKeyCursor(null, 'prev')).then((c) => c?.key);
    let ledger = newLedger();
    if (newestKey !== undefined) {
      const snap = await request(this.db.transaction('snapshots').objectStore('snapshots').get(newestKey));
      const damaged = () => new StoreError('damaged_record', `Snapshot ${newestKey} is damaged (its checksum doesn't match). Nothing was changed; export the journal to keep a copy.`);
      if (!(snap?.bytes instanceof Uint8Array)) throw damaged();
      // The engine verifies the snapshot's own 64-bit checksum (and the state's
      // invariants) as it restores, so the stored FNV-1a sum, a third of a second per
      // 150 MB in JS, is only computed to say what went wrong when a restore fails.
      try {
        ledger = restoreLedger(snap.bytes);
      } catch (e) {
        if (snap.sum !== fnv1a(snap.bytes)) throw damaged();
        throw new StoreError('damaged_record', `Snapshot ${newestKey} can't be restored: ${e.message}. Nothing was changed; export the journal to keep a copy.`, e);
      }
      this.lastSnapshotSeq = newestKey;
    }
    if (this.ledger) this.ledger.free();
    this.ledger = ledger;
    await this._catchUp();
  }

  /** Replays journal records newer than the engine's state; returns how many. */
  async _catchUp() {
    const tx = this.db.transaction('journal', 'readonly');
    return this._replayTail(tx.objectStore('journal'));
  }

  /** Reads the journal after the engine's seq from `journal` (an open store) and replays it. */
  async _replayTail(journal) {
    const from = this.ledger.seq();
    const records = await request(journal.getAll(IDBKeyRange.lowerBound(from, true)));
    for (const record of records) {
      const entry = readJournalRecord(record);
      const answer = this.ledger.replay(entry);
      if (!answer.ok) {
        throw new StoreError('damaged_record', `Journal record ${entry.seq} can't be replayed: ${answer.error.message}`);
      }
    }
    this.ledger.forgetJournalThrough(this.ledger.seq());
    return records.length;
  }

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
   * writing, so another tab waits for a few milliseconds at most. While a lease is held
   * no other tab writes, which is what lets `applyMany` skip its catch-up read; a write
   * under a new lease always reads what others wrote, in its own readwrite transaction.
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
    return this.ledger.seq();
  }

  /**
   * Applies one command. Resolves with the engine's answer once the command is durable
   * (or at once for a refusal, a duplicate or a dry run, which change nothing).
   */
  apply(command) {
    return this.applyMany([command]).then((answers) => answers[0]);
  }

  /**
   * Applies commands in order and commits the accepted ones in one transaction: the
   * path for imports and bursts. Resolves with one answer per command.
   * @param {object[]} commands
   */
  applyMany(commands) {
    if (this.closed) return Promise.resolve(commands.map(() => closedAnswer()));
    return this._exclusive(async (lease) => {
      // One readwrite transaction reads what other tabs wrote, applies, and writes:
      // IndexedDB runs readwrite transactions over a store one at a time, so nothing can
      // land between the catch-up and the write. The read is skipped when this tab has
      // held the writer lock since its own last commit: no one else can have written.
      const answers = [];
      const entries = [];
      let start;
      let tx;
      try {
        tx = this.db.transaction('journal', 'readwrite', { durability: 'strict' });
        const committed = done(tx);
        committed.catch(() => {}); // awaited below; a failure before then is handled there
        const journal = tx.objectStore('journal');
        try {
          if (lease.journalEnd !== this.ledger.seq()) await this._replayTail(journal);
          lease.journalEnd = this.ledger.seq();
        } catch (e) {
          tx.abort();
          throw e; // a damaged record: the load error, as before
        }
        // Each record is put as soon as its command is applied, so IndexedDB serializes
        // and writes earlier records while the engine works on later ones.
        start = this.ledger.seq();
        for (const command of commands) {
          const before = this.ledger.seq();
          answers.push(this.ledger.apply(command));
          if (this.ledger.seq() === before) continue;
          for (const e of this.ledger.journalSince(before)) {
            journal.put(journalRecord(e.seq, e.command));
            entries.push(e);
          }
        }
        await committed;
      } catch (error) {
        lease.journalEnd = undefined;
        if (error instanceof StoreError) throw error;
        try { tx?.abort(); } catch { /* already finished */ }
        // Whatever the engine accepted was not stored: back to exactly what storage holds.
        if (start !== undefined && this.ledger.seq() !== start) await this._recover();
        return commands.map((_, i) => {
          const a = answers[i];
          return a && !(a.ok && !a.duplicate) ? a : storageFailed(error);
        });
      }
      if (entries.length === 0) return answers;
      lease.journalEnd = this.ledger.seq();
      this.ledger.forgetJournalThrough(this.ledger.seq());
      this.channel.postMessage({ type: 'committed', seq: this.ledger.seq() });
      this._emit({ seq: this.ledger.seq(), source: 'local' });
      this._maybeSnapshot();
      return answers;
    });
  }

  /** After a failed write: the engine goes back to exactly what storage holds. */
  async _recover() {
    try {
      await this._load();
    } catch (e) {
      this.closed = true;
      this._emit({ seq: 0, source: 'error', error: e });
    }
  }

  /** Answers a query (synchronous; reads the engine in memory). */
  query(query) {
    return this.ledger.query(query);
  }

  /** Calls `fn({ seq, source })` after every change: "local", "remote", "imported", "closed", "error". */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  _emit(event) {
    for (const fn of this.listeners) {
      try { fn(event); } catch (e) { console.error('tally store listener failed', e); }
    }
  }

  /**
   * A snapshot is due every `snapshotEvery` commands, or every 1% of the ledger once that
   * is more: a snapshot costs time in proportion to the ledger (1.4 s at 1M commands), so
   * spacing them in proportion keeps their cost per command flat, while opening replays
   * at most ~1% of the ledger after the newest one (10,000 commands, ~0.25 s at 1M).
   */
  _maybeSnapshot() {
    const seq = this.ledger.seq();
    const every = Math.max(this.snapshotEvery, Math.floor(seq / 100));
    if (this.snapshotPending || seq - this.lastSnapshotSeq < every) return;
    this.snapshotPending = true;
    setTimeout(() => {
      this.snapshotNow().catch((e) => console.warn('tally: background snapshot failed (the journal is intact)', e))
        .finally(() => { this.snapshotPending = false; });
    }, 0);
  }

  /** Writes a snapshot of the current state now, then drops all but the newest two. */
  snapshotNow() {
    return this._serial(async () => {
      const seq = this.ledger.seq();
      if (seq === 0 || seq === this.lastSnapshotSeq) return;
      const bytes = this.ledger.snapshot();
      const tx = this.db.transaction('snapshots', 'readwrite', { durability: 'strict' });
      tx.objectStore('snapshots').put({ seq, bytes, sum: fnv1a(bytes) });
      await done(tx);
      this.lastSnapshotSeq = seq;
      // Pruning is a separate, later transaction: a crash in between leaves an extra
      // snapshot, never none.
      const prune = this.db.transaction('snapshots', 'readwrite');
      const keys = await request(prune.objectStore('snapshots').getAllKeys());
      for (const key of keys.slice(0, -2)) prune.objectStore('snapshots').delete(key);
      await done(prune);
    });
  }

  /** The whole ledger as a JSON backup (the journal). */
  async exportBackup() {
    const backup = await exportJournal(this.name);
    if (backup.damaged.length) {
      throw new StoreError('damaged_record', `Journal records ${backup.damaged.join(', ')} are damaged; use exportJournal() to get the rest.`);
    }
    delete backup.damaged;
    return backup;
  }

  /**
   * Replaces the ledger with a JSON backup. The backup is validated in full first (its
   * shape, its sequence, and every command replayed in a fresh engine); if anything is
   * wrong nothing is changed. Then journal and a snapshot are written in one transaction.
   * @param {object} backup
   * @param {{ onProgress?: (done: number, total: number) => void }} [options]
   */
  importBackup(backup, options = {}) {
    const progress = options.onProgress ?? (() => {});
    return this._exclusive(async () => {
      const entries = checkBackupShape(backup);
      const ledger = newLedger();
      const step = Math.max(1, Math.floor(entries.length / 100));
      for (let i = 0; i < entries.length; i++) {
        const answer = ledger.replay(entries[i]);
        if (!answer.ok) {
          ledger.free();
          throw new StoreError('invalid_backup', `Backup entry ${entries[i].seq} is refused: ${answer.error.message}. Nothing was changed.`);
        }
        if (i % step === 0) {
          progress(i, entries.length);
          await new Promise((r) => setTimeout(r, 0));
        }
      }
      ledger.forgetJournalThrough(ledger.seq());
      const bytes = ledger.snapshot();
      const tx = this.db.transaction(['journal', 'snapshots'], 'readwrite', { durability: 'strict' });
      tx.objectStore('journal').clear();
      tx.objectStore('snapshots').clear();
      for (const e of entries) tx.objectStore('journal').put(journalRecord(e.seq, e.command));
      if (entries.length) tx.objectStore('snapshots').put({ seq: ledger.seq(), bytes, sum: fnv1a(bytes) });
      try {
        await done(tx);
      } catch (error) {
        ledger.free();
        throw new StoreError('storage_failed', `The backup could not be stored: ${error?.message ?? error}. Nothing was changed.`, error);
      }
      this.ledger.free();
      this.ledger = ledger;
      this.lastSnapshotSeq = ledger.seq();
      progress(entries.length, entries.length);
      this.channel.postMessage({ type: 'committed', seq: ledger.seq() });
      this._emit({ seq: ledger.seq(), source: 'imported' });
    });
  }

  /** Closes the database and the channel. */
  close() {
    this.closed = true;
    clearTimeout(this.leaseTimer);
    this.lease?.then((lease) => lease.release());
    this.lease = null;
    this.channel?.close();
    this.db?.close();
  }
}

function checkBackupShape(backup) {
  const bad = (why) => new StoreError('invalid_backup', `This is not a Tally backup: ${why}. Nothing was changed.`);
  if (!backup || typeof backup !== 'object') throw bad('expected a JSON object');
  if (backup.format !== BACKUP_FORMAT) throw bad(`"format" must be "${BACKUP_FORMAT}"`);
  if (backup.version !== 1) throw bad(`backup version ${backup.version} is not supported (expected 1)`);
  if (!Array.isArray(backup.entries)) throw bad('"entries" must be an array');
  backup.entries.forEach((e, i) => {
    if (!e || e.seq !== i + 1 || typeof e.command !== 'object' || e.command === null) {
      throw bad(`entry ${i + 1} must be { "seq": ${i + 1}, "command": { ... } }`);
    }
  });
  return backup.entries;
}

function storageFailed(error) {
  const name = error?.name ?? 'Error';
  const why = name === 'QuotaExceededError'
    ? 'the browser has no more storage for this site (quota exceeded); free some space or export a backup'
    : `the browser refused to store it (${name}: ${error?.message ?? error})`;
  return { ok: false, error: { code: 'storage_failed', message: `Not saved: ${why}. Nothing was recorded.`, field: null, details: {} } };
}

function closedAnswer() {
  return { ok: false, error: { code: 'storage_failed', message: 'Not saved: the ledger was closed (another tab upgraded it, or storage failed); reload the page.', field: null, details: {} } };
}
