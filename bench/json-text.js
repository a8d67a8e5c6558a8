// JSON text in and out of a bench-build ledger without wasm-bindgen's string crossing:
// the command is written into a buffer the ledger keeps and the answer read from the
// ledger's answer buffer (src/wasm/text.rs), both reused call after call, and neither
// goes through the browser's TextEncoder/TextDecoder when it is ASCII. Same contract as
// `ledger.applyJson(text)` / `queryJson(text)`: text in, the answer's JSON text out.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
/** Input buffers above this size are given back once a smaller command comes. */
const KEEP_BYTES = 64 * 1024;
/** ASCII answers up to this length are made by String.fromCharCode (its argument list). */
const CHARS_AT_ONCE = 8192;

/**
 * `{ applyJson(text), queryJson(text) }` over `ledger`, whose module's memory is `memory`
 * (the `WebAssembly.Memory` from init/initSync).
 */
export function textDoor(ledger, memory, { decodeAscii = true } = {}) {
  let bytes = new Uint8Array(memory.buffer);
  let at = 0;
  let room = 0;
  const codes = [];
  const view = () => {
    // Growing the memory detaches the old buffer (length 0); addresses stay valid.
    if (bytes.byteLength === 0) bytes = new Uint8Array(memory.buffer);
    return bytes;
  };
  const reserve = (need) => {
    if (need > room || (room > KEEP_BYTES && need <= KEEP_BYTES)) {
      at = ledger.textInput(need);
      room = need;
    }
  };
  /** Writes `text` as UTF-8 at the input buffer; answers its length in bytes. */
  const write = (text) => {
    const n = text.length;
    reserve(n);
    const mem = view();
    let i = 0;
    for (; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) break;
      mem[at + i] = code;
    }
    if (i === n) return n;
    // At most three UTF-8 bytes per UTF-16 unit from here on.
    reserve(i + (n - i) * 3);
    const rest = view().subarray(at + i, at + room);
    return i + encoder.encodeInto(i === 0 ? text : text.slice(i), rest).written;
  };
  const read = (signedLen) => {
    const from = ledger.textOutput();
    const mem = view();
    if (signedLen < 0 && decodeAscii && -signedLen <= CHARS_AT_ONCE) {
      const n = -signedLen;
      codes.length = n;
      for (let i = 0; i < n; i++) codes[i] = mem[from + i];
      return String.fromCharCode.apply(null, codes);
    }
    const n = Math.abs(signedLen);
    return decoder.decode(mem.subarray(from, from + n));
  };
  return {
    applyJson: (text) => read(ledger.applyJsonText(write(text))),
    queryJson: (text) => read(ledger.queryJsonText(write(text))),
  };
}
