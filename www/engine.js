// Loads the Tally engine (WebAssembly) and hands out ledgers.
//
// The same module serves the browser (the .wasm is fetched next to this file) and Node
// (`loadEngine({ bytes })` with the file's contents). Every method of a Ledger takes
// and answers plain objects in the contract's shapes; a refusal is an answer
// (`{ ok: false, error: { code, message } }`), never an exception.

import init, { initSync, Ledger } from './pkg/tally_engine.js';

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

/** @returns {Ledger} an empty ledger (call `loadEngine` first). */
export function newLedger() {
  return new Ledger();
}

/**
 * Restores a ledger from snapshot bytes. Throws an Error that says what is wrong with a
 * damaged, truncated or foreign snapshot; nothing is half-loaded.
 * @param {Uint8Array} bytes
 * @returns {Ledger}
 */
export function restoreLedger(bytes) {
  return Ledger.restore(bytes);
}

export { Ledger };
