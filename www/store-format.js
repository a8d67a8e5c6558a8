// What the store keeps in IndexedDB, record by record, and how each is checked: pure
// functions, no IndexedDB and no engine, so the open path, the write path and (later)
// sync share one definition of the format.
//
// A ledger has an identity (`ledger`, random, new on every import or reset). Its journal
// is a chain: each record carries the checksum of the record before it (`prev`) and its
// own (`chain`, over `prev`, its seq and its command text); the first record's `prev` is
// the ledger's genesis checksum, derived from its identity. The head (last seq and its
// `chain`) is kept in `meta` and written in the same transaction as the records, so an
// edited, removed, added or foreign record breaks the chain or disagrees with the head.
// A snapshot is bound to the ledger and to the chain at its seq by a checksum over those
// and its edge: for a gzip snapshot (as the store keeps them now) the gzip trailer, the
// CRC-32 and length of the whole snapshot, which the decompressor verifies; for an
// uncompressed one (older stores) its header, which holds the engine's own checksum of
// its payload (verified by the engine as it restores). So the whole snapshot is covered
// without hashing its bytes in JS.
//
// The checksum is a 64-bit non-cryptographic hash computed synchronously in JS: an
// IndexedDB transaction ends if the code awaits anything else (crypto.subtle included),
// and the write path computes it inside one. It detects damage and edits made without
// recomputing the chain; it is not a signature (anyone who can write the database can
// rebuild a consistent chain). See docs/decisions.md.

import { isGzip } from './gzip-bytes.js';

/** An error from storage, with a stable `code` a page can act on. */
export class StoreError extends Error {
  constructor(code, message, cause) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    if (cause) this.cause = cause;
  }
}

export const BACKUP_FORMAT = 'tally-journal';
export const BACKUP_VERSION = 1;
/** Bytes of the engine's snapshot header (magic, format version, length, payload checksum). */
const SNAPSHOT_HEADER = 28;

// The checksum: two 32-bit multiply-xorshift lanes fed UTF-16 code units (and numbers
// as words), mixed at the end into 64 bits written as 16 hex digits (the construction
// of bryc's public-domain cyrb53, kept to its full 64 bits).
const SEED1 = 0xdeadbeef;
const SEED2 = 0x41c6ce57;
const M1 = 2654435761;
const M2 = 1597334677;

function finish(h1, h2) {
  const a = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  const b = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  return hex32(b) + hex32(a);
}

/** The 64-bit checksum of strings joined by "|". */
export function hash64(...parts) {
  let h1 = SEED1;
  let h2 = SEED2;
  const text = parts.join('|');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, M1);
    h2 = Math.imul(h2 ^ c, M2);
  }
  return finish(h1, h2);
}

/**
 * The chain checksum of journal record `seq` with command `text` after a record whose
 * chain is `prev`: `prev`'s code units, `seq` as two 32-bit words, then `text`'s code
 * units. Specialized (no joining, no number formatting) because opening runs it once per
 * replayed record: joined text and `String(seq)` made it several times slower.
 */
function chainOf(prev, seq, text) {
  let h1 = SEED1;
  let h2 = SEED2;
  for (let i = 0; i < prev.length; i++) {
    const c = prev.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, M1);
    h2 = Math.imul(h2 ^ c, M2);
  }
  const lo = seq >>> 0;
  const hi = Math.floor(seq / 0x100000000);
  h1 = Math.imul(Math.imul(h1 ^ lo, M1) ^ hi, M1);
  h2 = Math.imul(Math.imul(h2 ^ lo, M2) ^ hi, M2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, M1);
    h2 = Math.imul(h2 ^ c, M2);
  }
  return finish(h1, h2);
}

function hex32(n) {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** A fresh ledger identity: 16 random hex digits. */
export function newLedgerId() {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return hex32(words[0]) + hex32(words[1]);
}

/** The chain value before the first record of a ledger. */
export function genesis(ledger) {
  return hash64('tally-ledger', ledger);
}

/** The head of an empty ledger. */
export function emptyHead(ledger) {
  return { key: 'head', ledger, seq: 0, chain: genesis(ledger) };
}

/** The stored record of journal entry `seq` of `ledger`, after a record whose chain is `prev`. */
export function journalRecord(ledger, prev, seq, command) {
  return journalRecordOfText(ledger, prev, seq, JSON.stringify(command));
}

/** The same, for a command already in JSON text (kept as it is). */
export function journalRecordOfText(ledger, prev, seq, text) {
  return { seq, ledger, command: text, prev, chain: chainOf(prev, seq, text) };
}

/** A damaged or foreign record, named: `kind` is "journal", "snapshot" or "head". */
export function damage(kind, seq, message) {
  const error = new StoreError('damaged_record', message);
  error.kind = kind;
  error.seq = seq;
  return error;
}

/**
 * Checks a stored journal record against what it must follow: `seq` expected, `ledger`
 * identity, `prev` the chain of the record before. Answers `{ seq, command, chain }`
 * (with `parse: false`, `command` left unread and its JSON `text` instead, for checks
 * that don't need it and for the engine's batch text door);
 * throws a `damage` naming the record (with `link: true` when the record is intact but
 * doesn't follow the one before, which puts that one in doubt too).
 */
export function readJournalRecord(record, { ledger, prev, seq, parse = true }) {
  if (!record) throw damage('journal', seq, `Journal record ${seq} is missing.`);
  if (record.seq !== seq) throw damage('journal', seq, `Journal record ${seq} is missing (the next record is ${record.seq}).`);
  if (typeof record.command !== 'string' || typeof record.prev !== 'string' || typeof record.chain !== 'string' || record.chain !== chainOf(record.prev, seq, record.command)) {
    throw damage('journal', seq, `Journal record ${seq} is damaged (its checksum doesn't match its content).`);
  }
  if (record.ledger !== ledger) throw damage('journal', seq, `Journal record ${seq} belongs to another ledger.`);
  if (record.prev !== prev) {
    // Evidence against the record before as much as against this one.
    throw Object.assign(damage('journal', seq, seq === 1
      ? 'Journal record 1 does not start this ledger: it was replaced after it was written.'
      : `Journal records ${seq - 1} and ${seq} don't chain: record ${seq - 1} was changed, or record ${seq} replaced, after they were written.`), { link: true });
  }
  if (!parse) return { seq, command: undefined, text: record.command, chain: record.chain };
  let command;
  try {
    command = JSON.parse(record.command);
  } catch {
    throw damage('journal', seq, `Journal record ${seq} is damaged (its command is not readable).`);
  }
  return { seq, command, chain: record.chain };
}

function snapshotBinding(ledger, seq, chain, size, edge) {
  return hash64('tally-snapshot', ledger, seq, chain, size, edge);
}

/**
 * What a snapshot's binding covers besides its ledger, seq, chain and size. Uncompressed
 * (as stores before gzip kept them): its header, which holds the engine's checksum of
 * the payload. Gzip: its trailer, the CRC-32 and length of the whole snapshot, which the
 * decompressor checks.
 */
function snapshotEdge(bytes, trailer) {
  if (trailer) return `gzip:${hexBytes(trailer)}`;
  let header = '';
  for (let i = 0; i < SNAPSHOT_HEADER && i < bytes.length; i++) header += String.fromCharCode(bytes[i]);
  return header;
}

function hexBytes(bytes) {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * The stored record of a snapshot of `ledger` at `seq`, where the journal's chain is
 * `chain`. `bytes`: the engine's snapshot, uncompressed or gzip (a Uint8Array), or a
 * gzip Blob, whose last 8 bytes are then given as `trailer`.
 */
export function snapshotRecord(ledger, seq, chain, bytes, trailer) {
  const gzipTrailer = bytes instanceof Blob ? trailer : isGzip(bytes) ? bytes.subarray(bytes.length - 8) : undefined;
  if (bytes instanceof Blob && trailer?.length !== 8) throw new TypeError('a gzip Blob snapshot needs its 8-byte trailer');
  const size = bytes instanceof Blob ? bytes.size : bytes.length;
  return { seq, ledger, chain, bytes, sum: snapshotBinding(ledger, seq, chain, size, snapshotEdge(bytes, gzipTrailer)) };
}

/**
 * Checks a stored snapshot's binding to its key, its ledger and (when known) the
 * journal's chain at its seq. The engine checks the payload as it restores (and the
 * decompressor a gzip snapshot's CRC-32). For a snapshot kept as a Blob, `trailer` is
 * its last 8 bytes, read by the caller (reading a Blob is asynchronous).
 * Throws a `damage` naming the snapshot.
 */
export function checkSnapshotRecord(record, { key, ledger, chainAtSeq, trailer }) {
  const bad = (why) => damage('snapshot', key, `Snapshot ${key} ${why}.`);
  const blob = record?.bytes instanceof Blob;
  if (!record || !(blob || record.bytes instanceof Uint8Array) || typeof record.sum !== 'string') throw bad('is damaged (it is incomplete)');
  if (record.ledger !== ledger) throw bad('belongs to another ledger');
  const size = blob ? record.bytes.size : record.bytes.length;
  const gzipTrailer = blob ? trailer : isGzip(record.bytes) ? record.bytes.subarray(size - 8) : undefined;
  if (record.seq !== key || (blob && gzipTrailer?.length !== 8) || record.sum !== snapshotBinding(record.ledger, record.seq, record.chain, size, snapshotEdge(record.bytes, gzipTrailer))) {
    throw bad('is damaged (its checksum doesn\'t match)');
  }
  if (chainAtSeq !== undefined && record.chain !== chainAtSeq) throw bad(`doesn't match journal record ${key}`);
}

/** Checks a JSON backup's shape; answers its entries. Throws `invalid_backup`. */
export function checkBackupShape(backup) {
  const bad = (why) => new StoreError('invalid_backup', `This is not a Tally backup: ${why}. Nothing was changed.`);
  if (!backup || typeof backup !== 'object' || Array.isArray(backup)) throw bad('expected a JSON object');
  if (backup.format !== BACKUP_FORMAT) throw bad(`"format" must be "${BACKUP_FORMAT}"`);
  if (backup.version !== BACKUP_VERSION) {
    const given = typeof backup.version === 'string' ? `the text "${clip(backup.version)}"` : JSON.stringify(backup.version) ?? 'missing';
    throw bad(`"version" must be the number ${BACKUP_VERSION}, not ${given}`);
  }
  if (!Array.isArray(backup.entries)) throw bad('"entries" must be an array');
  backup.entries.forEach((e, i) => {
    if (!e || e.seq !== i + 1 || typeof e.command !== 'object' || e.command === null) {
      throw bad(`entry ${i + 1} must be { "seq": ${i + 1}, "command": { ... } }`);
    }
  });
  return backup.entries;
}

function clip(text) {
  return text.length > 20 ? `${text.slice(0, 20)}…` : text;
}

// ---------------------------------------------------------------------------------
// Schema 1 (before ledger identities and chains): read only by the migration.

/** FNV-1a (32-bit) over a string's code units or bytes: schema 1's record checksum. */
export function fnv1a(data) {
  let h = 0x811c9dc5;
  const text = typeof data === 'string';
  for (let i = 0; i < data.length; i++) {
    h ^= text ? data.charCodeAt(i) : data[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Whether a schema-1 journal record is intact. */
export function intactV1JournalRecord(record) {
  return typeof record?.command === 'string' && record.sum === fnv1a(`${record.seq}:${record.command}`);
}

/** Whether a schema-1 snapshot record is intact. */
export function intactV1Snapshot(record) {
  return record?.bytes instanceof Uint8Array && record.sum === fnv1a(record.bytes);
}
