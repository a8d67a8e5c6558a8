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
    ready = options.bytes
      ? Promise.resolve().then(() => { initSync({ module: options.bytes }); })
      : init({ module_or_path: new URL('./pkg/tally_engine_bg.wasm', import.meta.url) }).then(() => {});
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
      if (options.bytes) bulk.initSync({ module: options.bytes });
      else await bulk.default({ module_or_path: new URL('./pkg/bulk/tally_bulk_bg.wasm', import.meta.url) });
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

export { Ledger, snapshotFormatVersion };
