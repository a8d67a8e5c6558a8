// The open and recovery path: from what IndexedDB holds to books in the engine, checking
// every record it uses, and a report in plain words of what it found.
//
// Opening never gives up while the stored data can rebuild the books: the newest
// snapshot that passes its checks (ledger, binding to the chain, the gzip CRC-32, the
// engine's own checksum and invariants), else an older one, else the empty ledger; then the journal
// after it, record by record along the chain, up to the head. A journal record that
// fails (damaged, missing, foreign, out of the chain) ends the replay there: the books
// open as they were before it, read-only, and the report says which record and why.

import { engineKind, FAST_ENGINE_OVER, loadBulk, newLedger, replayTexts, restoreAnyVersion, useFastEngine } from './engine.js';
import { StoreError, checkSnapshotRecord, damage, genesis, readJournalRecord } from './store-format.js';
import { readFigures } from './store-figures.js';
import { snapshotBytes, storedTrailer } from './store-snapshot.js';

/** Journal records read per request while replaying (bounds memory on big ledgers). */
const REPLAY_BATCH = 5000;

export function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * Replays stored records onto a ledger along the chain, from `from` ({ seq, chain }) up
 * to `head` ({ seq, chain }). A record is applied only once the next record (or the
 * head) confirms it: when record k+1 is intact but doesn't follow record k, either may
 * have been changed, so the books stop before both. Records are checked one by one and
 * the confirmed ones given to the engine together, as their commands' JSON texts
 * (engine.js `replayTexts`: a crossing per many records, no JSON.parse of each).
 */
class ChainReplay {
  constructor(ledger, ledgerId, from, head) {
    this.ledger = ledger;
    this.ledgerId = ledgerId;
    this.at = from;
    this.head = head;
    this.pending = null;
    this.confirmed = [];
    this.problem = null;
    this.replayed = 0;
  }

  /** Feeds records in key order; false once a problem ends the replay. */
  feed(records) {
    for (const record of records) {
      const last = this.pending ?? this.at;
      if (last.seq >= this.head.seq) {
        this.problem = damage('journal', record.seq, `Journal record ${record.seq} is not part of the ledger: it was added after its last acknowledged record (${this.head.seq}).`);
        this._flush();
        return false;
      }
      let entry;
      try {
        entry = readJournalRecord(record, { ledger: this.ledgerId, prev: last.chain, seq: last.seq + 1, parse: false });
      } catch (problem) {
        if (this.pending && !problem.link) this.confirmed.push(this.pending);
        this.pending = null;
        this._flush();
        this.problem ??= problem;
        return false;
      }
      if (this.pending) this.confirmed.push(this.pending);
      this.pending = entry;
    }
    return this._flush();
  }

  /** Ends the replay: answers `{ seq, chain, replayed, problem }`. */
  finish() {
    const last = this.pending;
    this.pending = null;
    if (last && !this.problem) {
      if (last.seq === this.head.seq && last.chain !== this.head.chain) {
        this.problem = damage('journal', last.seq, `Journal record ${last.seq} was changed after it was written (it doesn't match the record of where the journal ends).`);
      } else {
        this.confirmed.push(last);
        this._flush();
      }
    }
    return { seq: this.at.seq, chain: this.at.chain, replayed: this.replayed, problem: this.problem };
  }

  /** Replays the confirmed records; false when one is refused (the books stay before it). */
  _flush() {
    const entries = this.confirmed;
    this.confirmed = [];
    if (entries.length === 0) return true;
    const { replayed, refusal } = replayTexts(this.ledger, entries[0].seq, entries.map((e) => e.text));
    if (replayed) {
      const last = entries[replayed - 1];
      this.at = { seq: last.seq, chain: last.chain };
      this.replayed += replayed;
    }
    if (!refusal) return true;
    const seq = entries[replayed].seq;
    this.problem = refusal.error.details?.rule === 'not_json'
      ? damage('journal', seq, `Journal record ${seq} is damaged (its command is not readable).`)
      : damage('journal', seq, `Journal record ${seq} can't be replayed: ${refusal.error.message}`);
    this.pending = null;
    return false;
  }
}

/**
 * Reads the journal after `from.seq` in batches from `journal` (an object store of an
 * open transaction) and replays it up to `head`. Answers `{ seq, chain, replayed }`
 * and, when a record fails, `problem` (the books stay before it).
 */
export async function replayJournal(journal, ledger, ledgerId, from, head) {
  const replay = new ChainReplay(ledger, ledgerId, from, head);
  let after = from.seq;
  for (;;) {
    const records = await request(journal.getAll(IDBKeyRange.lowerBound(after, true), REPLAY_BATCH));
    if (!replay.feed(records) || records.length < REPLAY_BATCH) break;
    after = records.at(-1).seq;
  }
  const result = replay.finish();
  ledger.forgetJournalThrough(ledger.seq());
  return result;
}

/**
 * Past `fastEngineOver` commands, makes ledgers be made in the fast engine (engine.js
 * `useFastEngine`) and answers its loading; if it can't load, the shipped engine stays
 * (the same answers, only slower). Null when the books are not big or it is chosen
 * already. Used by the open and by the sync part's first sync.
 */
export function fastEngineFor(seq, fastEngineOver) {
  if (!(seq > fastEngineOver) || engineKind() === 'fast') return null;
  return useFastEngine().catch((e) => console.warn('tally: the fast engine could not load; the shipped one is used', e));
}

/** The engine to open books with: the fast one, loading while the snapshot is read, for big books. */
function engineFor(head, engineReady, fastEngineOver) {
  const fast = fastEngineFor(head?.seq, fastEngineOver);
  return fast ? Promise.all([engineReady, fast]) : engineReady;
}

/** How many times an open starts over when another tab replaces the ledger under it. */
const MAX_OPEN_ATTEMPTS = 5;
const REPLACED = Symbol('replaced');

/**
 * Rebuilds the books from the database (`engineReady`: the engine's loading, awaited
 * only where the engine is first needed, so it overlaps the reading). Answers `{ ledger, ledgerId, chain, health, figures }`,
 * where `health` is the report a page shows (see `Health` in types.d.ts) and `figures`
 * the stored figures bound to the head as it was first read (store-figures.js), or
 * null. `onFigures` is called with them, once, as soon as they are read (before the
 * engine is restored), when they are there. Throws only when IndexedDB itself fails.
 */
export async function openBooks(db, engineReady = Promise.resolve(), { onFigures, fastEngineOver = FAST_ENGINE_OVER } = {}) {
  for (let attempt = 1; ; attempt++) {
    const books = await openBooksOnce(db, engineReady, attempt === 1 ? onFigures : undefined, fastEngineOver);
    if (books !== REPLACED) return books;
    if (attempt === MAX_OPEN_ATTEMPTS) throw new StoreError('storage_failed', 'The ledger kept being replaced by other tabs while it was being opened.');
  }
}

/**
 * One open, in three steps: where the journal ends and which snapshots there are (a
 * readonly transaction); the newest snapshot that passes its checks, read, decompressed
 * and restored outside any transaction (decompressing is asynchronous, which would end
 * one); then the journal after it, replayed in one readonly transaction up to the head
 * as it is then. Records up to a head never change unless the ledger is replaced (an
 * import, a reset: a new identity), which the last step checks: answers REPLACED then.
 */
async function openBooksOnce(db, engineReady, onFigures, fastEngineOver) {
  const tx = db.transaction(['meta', 'snapshots', 'journal'], 'readonly');
  const [stored, figuresRecord] = await Promise.all([
    request(tx.objectStore('meta').get('head')),
    request(tx.objectStore('meta').get('figures')),
  ]);
  engineReady = engineFor(stored, engineReady, fastEngineOver);
  const figures = readFigures(figuresRecord, stored);
  if (figures && onFigures) {
    try {
      onFigures(figures);
    } catch (e) {
      console.warn('tally: onFigures failed', e);
    }
  }
  const problems = [];
  let head = stored;
  if (!head || typeof head.ledger !== 'string') {
    const first = await request(tx.objectStore('journal').get(1));
    problems.push(damage('head', null, 'The record of where the journal ends is missing, so records removed from its end could go unnoticed.'));
    head = { ledger: first?.ledger, seq: Infinity, chain: undefined };
  }
  const ledgerId = head.ledger;
  const keys = await request(tx.objectStore('snapshots').getAllKeys());

  // The newest snapshot that passes every check, else an older one, else none.
  let ledger = null;
  let from = { seq: 0, chain: genesis(ledgerId) };
  for (const key of keys.reverse()) {
    if (key > head.seq) {
      problems.push(damage('snapshot', key, `Snapshot ${key} is not part of the ledger: it is newer than its last acknowledged record (${head.seq}).`));
      continue;
    }
    try {
      const { record, chainAtSeq } = await readSnapshotRecord(db, key, head);
      ledger = await restoreSnapshot(record, { key, ledger: ledgerId, chainAtSeq, engineReady });
      from = { seq: key, chain: record.chain };
      break;
    } catch (problem) {
      if (problem.code !== 'damaged_record') throw problem;
      problems.push(problem);
    }
  }
  await engineReady;
  ledger ??= newLedger();

  const replayTx = db.transaction(['meta', 'journal'], 'readonly');
  const now = await request(replayTx.objectStore('meta').get('head'));
  if ((now?.ledger ?? null) !== (stored?.ledger ?? null)) {
    ledger.free();
    return REPLACED;
  }
  if (typeof now?.ledger === 'string') head = now; // other tabs may have written meanwhile
  const replay = await replayJournal(replayTx.objectStore('journal'), ledger, ledgerId, from, head);
  if (replay.problem) problems.push(replay.problem);
  else if (Number.isFinite(head.seq) && replay.seq < head.seq) {
    problems.push(damage('journal', replay.seq + 1, `Journal record ${replay.seq + 1} is missing (the ledger holds ${head.seq} records).`));
  }
  const health = report(problems, { seq: ledger.seq(), expected: head.seq, openedFrom: from.seq, replayed: replay.replayed });
  return { ledger, ledgerId, chain: health.writable ? replay.chain : undefined, health, figures };
}

/** A snapshot record and the journal's chain at its seq (when known), in a readonly transaction. */
async function readSnapshotRecord(db, key, head) {
  const tx = db.transaction(['snapshots', 'journal'], 'readonly');
  const [record, atSeq] = await Promise.all([
    request(tx.objectStore('snapshots').get(key)),
    request(tx.objectStore('journal').get(key)),
  ]);
  return { record, chainAtSeq: atSeq?.chain ?? (key === head.seq ? head.chain : undefined) };
}

/**
 * Checks a stored snapshot and restores the engine from it: its binding first, then the
 * bytes (decompressed as a stream when gzip), then the engine's own checks as it
 * restores. A snapshot of an older format loads the bulk module that migrates it.
 * Throws a `damage` naming the snapshot.
 */
async function restoreSnapshot(record, { key, ledger: ledgerId, chainAtSeq, engineReady }) {
  const trailer = record?.bytes instanceof Blob ? await storedTrailer(record.bytes).catch(() => undefined) : undefined;
  checkSnapshotRecord(record, { key, ledger: ledgerId, chainAtSeq, trailer });
  let bytes;
  try {
    bytes = await snapshotBytes(record.bytes);
  } catch (e) {
    throw damage('snapshot', key, `Snapshot ${key} can't be read: ${e?.message ?? e}.`);
  }
  await engineReady;
  let restored;
  try {
    try {
      restored = restoreAnyVersion(bytes);
    } catch (e) {
      if (!e.needsBulk) throw e;
      await loadBulk().catch((why) => { throw new StoreError('storage_failed', `The module that opens older snapshots can't be loaded: ${why?.message ?? why}`); });
      restored = restoreAnyVersion(bytes);
    }
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw damage('snapshot', key, `Snapshot ${key} can't be restored: ${e.message}.`);
  }
  if (restored.seq() !== key) {
    const held = restored.seq();
    restored.free();
    throw damage('snapshot', key, `Snapshot ${key} is damaged (it holds the books at record ${held}).`);
  }
  return restored;
}

/** The report of an open: what was checked, what failed, what it means, in plain words. */
function report(problems, { seq, expected, openedFrom, replayed }) {
  const writable = problems.every((p) => p.kind === 'snapshot');
  const list = problems.map((p) => ({ kind: p.kind, seq: p.seq, message: p.message }));
  const base = { seq, expected: Number.isFinite(expected) ? expected : null, openedFrom, replayed, problems: list, writable };
  if (problems.length === 0) return { status: 'ok', message: '', ...base };
  if (writable) {
    const whence = openedFrom ? `an older saved copy (at record ${openedFrom}) and the journal` : 'the journal, record by record';
    return {
      status: 'recovered',
      message: `${list.map((p) => p.message).join(' ')} The books were rebuilt from ${whence}: all ${seq} records are there and nothing is missing.`,
      ...base,
    };
  }
  return {
    status: 'damaged',
    message: `${list.filter((p) => p.kind !== 'snapshot').map((p) => p.message).join(' ')} The books are shown as they were up to record ${seq} and can't be changed. Download the backup of what could be read, then import it (or import an older backup of your own).`,
    ...base,
  };
}
