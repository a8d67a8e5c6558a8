// Loads the Tally engine (WebAssembly) and hands out ledgers.
//
// The same module serves the browser (the .wasm is fetched next to this file) and Node
// (`loadEngine({ bytes })` with the file's contents). Every method of a Ledger takes
// and answers plain objects in the contract's shapes; a refusal is an answer
// (`{ ok: false, error: { code, message } }`), never an exception.
//
// Work the page needs rarely lives in a second module, the bulk module (www/pkg/bulk/,
// the engine built with the `bulk` feature and for speed, opt-level 3), loaded on first
// need so the shipped module stays within its size budget: the accountant's export, the
// migration of snapshots written by older versions, and big ledgers. A ledger past
// `FAST_ENGINE_OVER` commands runs wholly in the bulk module (`useFastEngine`): it
// restores and answers faster (docs/performance.md), and its extra size is nothing beside such a
// ledger's snapshot. The choice is made before the first ledger is made and kept: a
// ledger's methods run in the module that made it.

import init, { initSync, Ledger, snapshotFormatVersion } from './pkg/tally_engine.js';

let ready = null;

/**
 * Loads the engine once. In the browser call it with no argument; in Node pass
 * `{ bytes }`, the contents of www/pkg/tally_engine_bg.wasm.
 * @param {{ bytes?: BufferSource }} [options]
 * @returns {Promise<void>}
 */
export function loadEngine(options = {}) {
  if (!ready) {
    ready = (options.bytes
      ? Promise.resolve().then(() => initSync({ module: options.bytes }))
      : init({ module_or_path: new URL('./pkg/tally_engine_bg.wasm', import.meta.url) })
    ).then((exports) => { memories.set(Ledger, exports.memory); });
  }
  return ready;
}

/** Ledgers of more commands than this open in the fast module (see `useFastEngine`). */
export const FAST_ENGINE_OVER = 100_000;

/** The bulk module once `useFastEngine` chose it: new ledgers are made there. */
let fast = null;

/**
 * Makes every ledger made from now on (`newLedger`, `restoreLedger`, `restoreAnyVersion`,
 * `openSnapshot`) a ledger of the bulk module, built for speed; loads it once. Call it
 * before making ledgers, when the books to open are big (the store does, past
 * `FAST_ENGINE_OVER` commands). Rejects, and changes nothing, if the module can't load.
 * @param {{ bytes?: BufferSource }} [options] as for `loadBulk`
 * @returns {Promise<void>}
 */
export async function useFastEngine(options = {}) {
  fast = await loadBulk(options);
}

/** Which module makes ledgers: `"shipped"` (size-built) or `"fast"` (the bulk module). */
export function engineKind() {
  return fast ? 'fast' : 'shipped';
}

function ledgerClass() {
  return fast ? fast.Ledger : Ledger;
}

/** @returns {Ledger} an empty ledger (call `loadEngine` first). */
export function newLedger() {
  return new (ledgerClass())();
}

/**
 * Restores a ledger from snapshot bytes. Throws an Error that says what is wrong with a
 * damaged, truncated or foreign snapshot; nothing is half-loaded.
 * @param {Uint8Array} bytes
 * @returns {Ledger}
 */
export function restoreLedger(bytes) {
  return ledgerClass().restore(bytes);
}

/**
 * The format version written in a snapshot's header (bytes 8–11, little-endian), or 0
 * when the bytes are too short to have one.
 * @param {Uint8Array} bytes
 */
export function snapshotVersion(bytes) {
  if (!bytes || bytes.length < 12) return 0;
  return (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
}

/**
 * Restores a ledger from snapshot bytes of this version or an older one; an older
 * snapshot is first rewritten by the bulk module (loaded on first need). Throws like
 * `restoreLedger`.
 * @param {Uint8Array} bytes
 * @returns {Promise<Ledger>}
 */
export async function openSnapshot(bytes) {
  if (needsMigration(bytes)) await loadBulk();
  return restoreAnyVersion(bytes);
}

/**
 * Whether `bytes` are a snapshot of an older format version, which only the bulk module
 * reads (see `openSnapshot`).
 * @param {Uint8Array} bytes
 */
export function needsMigration(bytes) {
  const version = snapshotVersion(bytes);
  return version > 0 && version < snapshotFormatVersion();
}

/**
 * `restoreLedger` that also opens an older snapshot once the bulk module is loaded;
 * synchronous, for callers inside an IndexedDB transaction (which an `await` of a
 * module load would end). Before then an older snapshot throws an Error whose
 * `needsBulk` is true: load it (`loadBulk`) and try again.
 * @param {Uint8Array} bytes
 * @returns {Ledger}
 */
export function restoreAnyVersion(bytes) {
  if (needsMigration(bytes)) {
    if (!bulkLoaded) {
      const error = new Error(`snapshot: format version ${snapshotVersion(bytes)} is opened by the bulk module, not loaded yet`);
      error.needsBulk = true;
      throw error;
    }
    bytes = bulkLoaded.migrateSnapshot(bytes);
  }
  return ledgerClass().restore(bytes);
}

let bulkReady = null;
let bulkLoaded = null;

/**
 * Loads the bulk module once (later calls return the same promise). In the browser call
 * it with no argument; in Node pass `{ bytes }`, the contents of
 * www/pkg/bulk/tally_bulk_bg.wasm.
 * @param {{ bytes?: BufferSource }} [options]
 */
export function loadBulk(options = {}) {
  if (!bulkReady) {
    bulkReady = import('./pkg/bulk/tally_bulk.js').then(async (bulk) => {
      const exports = options.bytes
        ? bulk.initSync({ module: options.bytes })
        : await bulk.default({ module_or_path: new URL('./pkg/bulk/tally_bulk_bg.wasm', import.meta.url) });
      memories.set(bulk.Ledger, exports.memory);
      bulkLoaded = bulk;
      return bulk;
    });
    bulkReady.catch(() => { bulkReady = null; });
  }
  return bulkReady;
}

/**
 * The general ledger of `ledger` as an accountant's file (`"csv"` or `"beancount"`),
 * written by the bulk module (from a snapshot of the ledger, unless it is the bulk
 * module's already). Rejects on another format.
 * @param {Ledger} ledger
 * @param {'csv' | 'beancount'} format
 * @returns {Promise<string>}
 */
export async function exportLedger(ledger, format) {
  const bulk = await loadBulk();
  // A ledger of the fast engine is already the bulk module's: no copy.
  if (ledger instanceof bulk.Ledger) return ledger.exportLedger(format);
  const copy = bulk.Ledger.restore(ledger.snapshot());
  try {
    return copy.exportLedger(format);
  } finally {
    copy.free();
  }
}

// ---------------------------------------------------------------------------------
// The batch text door (src/wasm/batch.rs): journal entries given as their commands'
// JSON texts, many in one crossing, written into a buffer the ledger keeps. Opening
// replays the stored journal, which is JSON text already, through it: no JSON.parse
// and no walk of each command object (docs/browser.md, "The batch text door").

/** The WebAssembly memory of each module, by its Ledger class. */
const memories = new Map();
/** What separates texts in a batch (RFC 7464's record separator; never in JSON text). */
const SEPARATOR = '\x1e';
/** Characters of text per crossing: the module keeps buffers up to 64 KB between calls. */
const CROSSING_CHARS = 60_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `text` as UTF-8 into `ledger`'s input buffer; answers its length in bytes. */
function writeText(ledger, memory, text) {
  let room = text.length;
  let at = ledger.textInput(room);
  let { read, written } = encoder.encodeInto(text, new Uint8Array(memory.buffer, at, room));
  while (read < text.length) {
    // Not all ASCII: at most three bytes per UTF-16 unit for the rest (the buffer grows
    // keeping what was written).
    room = written + (text.length - read) * 3;
    at = ledger.textInput(room);
    const more = encoder.encodeInto(text.slice(read), new Uint8Array(memory.buffer, at + written, room - written));
    read += more.read;
    written += more.written;
  }
  return written;
}

/** The answer the module wrote (`signedLength` as it answered), parsed. */
function readAnswer(ledger, memory, signedLength) {
  const at = ledger.textOutput();
  return JSON.parse(decoder.decode(new Uint8Array(memory.buffer, at, Math.abs(signedLength))));
}

/** Whether the door can take `text`: no separator, no unpaired surrogate (UTF-8 can't hold it). */
function doorText(text) {
  return typeof text === 'string' && !text.includes(SEPARATOR) && text.isWellFormed();
}

/**
 * Replays stored journal entries given as their commands' JSON texts: `texts[i]` is
 * entry `firstSeq + i`. The same as `ledger.replay({ seq, command: JSON.parse(text) })`
 * for each in order, stopping at the first refused one, in far fewer crossings.
 * Answers `{ replayed, refusal }`: how many were replayed (those stay; the ledger's
 * `seq()` is `firstSeq - 1 + replayed`), and the refusal of the entry after them, which
 * changed nothing (null when all were replayed). A text that is not JSON is refused
 * `invalid_input` with `details.rule` "not_json".
 * @param {Ledger} ledger
 * @param {number} firstSeq
 * @param {string[]} texts
 */
export function replayTexts(ledger, firstSeq, texts) {
  const memory = memories.get(ledger.constructor);
  let i = 0;
  while (i < texts.length) {
    let end = i;
    for (let chars = 0; memory && end < texts.length && (end === i || chars + texts[end].length < CROSSING_CHARS) && doorText(texts[end]); end++) {
      chars += texts[end].length + 1;
    }
    if (end > i) {
      const before = ledger.seq();
      const out = ledger.replayTexts(writeText(ledger, memory, texts.slice(i, end).join(SEPARATOR)), firstSeq + i);
      i += ledger.seq() - before;
      if (out !== 0) return { replayed: i, refusal: readAnswer(ledger, memory, out) };
      if (i === end) continue;
      // The module's reader declined text i (src/wasm/batch.rs): it goes as an object.
    }
    let command;
    try {
      command = JSON.parse(texts[i]);
    } catch {
      const message = `journal entry ${firstSeq + i}: its command is not JSON text`;
      return { replayed: i, refusal: { ok: false, error: { code: 'invalid_input', message, field: 'command', details: { rule: 'not_json' } } } };
    }
    const answer = ledger.replay({ seq: firstSeq + i, command });
    if (!answer.ok) return { replayed: i, refusal: answer };
    i++;
  }
  return { replayed: i, refusal: null };
}

/**
 * Replays journal entries `{ seq, command }` (command objects, as a backup or a server
 * holds them) through the batch door: `replayTexts` over their commands' JSON texts,
 * given as `texts` when the caller made them already. Entries out of sequence are
 * refused as `ledger.replay` refuses them. Answers `{ replayed, refusal }` as
 * `replayTexts` does.
 * @param {Ledger} ledger
 * @param {{ seq: number, command: object }[]} entries
 * @param {string[]} [texts]
 */
export function replayEntries(ledger, entries, texts = entries.map((e) => JSON.stringify(e.command))) {
  const first = entries[0]?.seq;
  let run = 0;
  while (run < entries.length && entries[run].seq === first + run) run++;
  const { replayed, refusal } = run ? replayTexts(ledger, first, texts.slice(0, run)) : { replayed: 0, refusal: null };
  if (refusal || replayed === entries.length) return { replayed, refusal };
  // Out of sequence from here: given to `replay` as it is, which refuses it.
  const answer = ledger.replay(entries[replayed]);
  if (!answer.ok) return { replayed, refusal: answer };
  const rest = replayEntries(ledger, entries.slice(replayed + 1), texts.slice(replayed + 1));
  return { replayed: replayed + 1 + rest.replayed, refusal: rest.refusal };
}

export { Ledger, snapshotFormatVersion };
