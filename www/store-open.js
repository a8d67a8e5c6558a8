// The open and recovery path: from what IndexedDB holds to books in the engine, checking
// every record it uses, and a report in plain words of what it found.
//
// Opening never gives up while the stored data can rebuild the books: the newest
// snapshot that passes its checks (ledger, binding to the chain, the engine's own
// checksum and invariants), else an older one, else the empty ledger; then the journal
// after it, record by record along the chain, up to the head. A journal record that
// fails (damaged, missing, foreign, out of the chain) ends the replay there: the books
// open as they were before it, read-only, and the report says which record and why.

import { loadBulk, newLedger, restoreAnyVersion } from './engine.js';
import { checkSnapshotRecord, damage, genesis, readJournalRecord } from './store-format.js';

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
 * have been changed, so the books stop before both.
 */
class ChainReplay {
  constructor(ledger, ledgerId, from, head) {
    this.ledger = ledger;
    this.ledgerId = ledgerId;
    this.at = from;
    this.head = head;
    this.pending = null;
    this.problem = null;
    this.replayed = 0;
  }

  /** Feeds records in key order; false once a problem ends the replay. */
  feed(records) {
    for (const record of records) {
      const last = this.pending ?? this.at;
      if (last.seq >= this.head.seq) {
        this.problem = damage('journal', record.seq, `Journal record ${record.seq} is not part of the ledger: it was added after its last acknowledged record (${this.head.seq}).`);
        return false;
      }
      let entry;
      try {
        entry = readJournalRecord(record, { ledger: this.ledgerId, prev: last.chain, seq: last.seq + 1 });
      } catch (problem) {
        if (this.pending && !problem.link) this._apply(this.pending);
        this.problem ??= problem;
        return false;
      }
      if (this.pending && !this._apply(this.pending)) return false;
      this.pending = entry;
    }
    return true;
  }

  /** Ends the replay: answers `{ seq, chain, replayed, problem }`. */
  finish() {
    const last = this.pending;
    if (last && !this.problem) {
      if (last.seq === this.head.seq && last.chain !== this.head.chain) {
        this.problem = damage('journal', last.seq, `Journal record ${last.seq} was changed after it was written (it doesn't match the record of where the journal ends).`);
      } else {
        this._apply(last);
      }
    }
    this.pending = null;
    return { seq: this.at.seq, chain: this.at.chain, replayed: this.replayed, problem: this.problem };
  }

  _apply(entry) {
    this.pending = null;
    const answer = this.ledger.replay(entry);
    if (!answer.ok) {
      this.problem = damage('journal', entry.seq, `Journal record ${entry.seq} can't be replayed: ${answer.error.message}`);
      return false;
    }
    this.at = { seq: entry.seq, chain: entry.chain };
    this.replayed++;
    return true;
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
 * Rebuilds the books from the database. Answers `{ ledger, ledgerId, chain, health }`,
 * where `health` is the report a page shows (see `Health` in types.d.ts). Throws only
 * when IndexedDB itself fails.
 */
export async function openBooks(db) {
  try {
    return await openBooksOnce(db);
  } catch (error) {
    // A snapshot of an older format: load the module that migrates it (outside the
    // transaction, which an await would end) and open again.
    if (!error?.needsBulk) throw error;
    await loadBulk();
    return openBooksOnce(db);
  }
}

async function openBooksOnce(db) {
  const tx = db.transaction(['meta', 'snapshots', 'journal'], 'readonly');
  const meta = tx.objectStore('meta');
  const snapshots = tx.objectStore('snapshots');
  const journal = tx.objectStore('journal');
  const problems = [];
  let head = await request(meta.get('head'));
  if (!head || typeof head.ledger !== 'string') {
    const first = await request(journal.get(1));
    problems.push(damage('head', null, 'The record of where the journal ends is missing, so records removed from its end could go unnoticed.'));
    head = { ledger: first?.ledger, seq: Infinity, chain: undefined };
  }
  const ledgerId = head.ledger;

  // The newest snapshot that passes every check, else an older one, else none.
  const keys = await request(snapshots.getAllKeys());
  let ledger = null;
  let from = { seq: 0, chain: genesis(ledgerId) };
  for (const key of keys.reverse()) {
    if (key > head.seq) {
      problems.push(damage('snapshot', key, `Snapshot ${key} is not part of the ledger: it is newer than its last acknowledged record (${head.seq}).`));
      continue;
    }
    const record = await request(snapshots.get(key));
    const atSeq = await request(journal.get(key));
    try {
      checkSnapshotRecord(record, { key, ledger: ledgerId, chainAtSeq: atSeq?.chain ?? (key === head.seq ? head.chain : undefined) });
      let restored;
      try {
        restored = restoreAnyVersion(record.bytes);
      } catch (e) {
        if (e.needsBulk) throw e;
        throw damage('snapshot', key, `Snapshot ${key} can't be restored: ${e.message}.`);
      }
      if (restored.seq() !== key) {
        restored.free();
        throw damage('snapshot', key, `Snapshot ${key} is damaged (it holds the books at record ${restored.seq()}).`);
      }
      ledger = restored;
      from = { seq: key, chain: record.chain };
      break;
    } catch (problem) {
      if (problem.code !== 'damaged_record') throw problem;
      problems.push(problem);
    }
  }
  ledger ??= newLedger();

  const replay = await replayJournal(journal, ledger, ledgerId, from, head);
  if (replay.problem) problems.push(replay.problem);
  else if (Number.isFinite(head.seq) && replay.seq < head.seq) {
    problems.push(damage('journal', replay.seq + 1, `Journal record ${replay.seq + 1} is missing (the ledger holds ${head.seq} records).`));
  }
  const health = report(problems, { seq: ledger.seq(), expected: head.seq, openedFrom: from.seq, replayed: replay.replayed });
  return { ledger, ledgerId, chain: health.writable ? replay.chain : undefined, health };
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
