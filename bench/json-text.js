// JSON text in and out of a bench-build ledger without wasm-bindgen's string crossing:
// the command is written into a buffer the ledger keeps and the answer read from the
// ledger's answer buffer (src/wasm/text.rs), both reused call after call, and neither
// goes through the browser's TextEncoder/TextDecoder when it is ASCII. Same contract as
// `ledger.applyJson(text)` / `queryJson(text)`: text in, the answer's JSON text out.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
/** Input buffers above this size are given back by the module after the call. */
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
    if (need > room) {
      at = ledger.textInput(need);
      room = need;
    }
  };
  /** After a call: the module gave back an input buffer over 64 KB. */
  const after = (signedLen) => {
    if (room > KEEP_BYTES) room = 0;
    return signedLen;
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
    applyJson: (text) => read(after(ledger.applyJsonText(write(text)))),
    queryJson: (text) => read(after(ledger.queryJsonText(write(text)))),
  };
}

/** What separates texts in a batch (src/wasm/batch.rs). */
const SEPARATOR = '\x1e';

/**
 * The batch text door over `ledger` (src/wasm/batch.rs; the store's glue is
 * www/engine.js `replayTexts`): `applyTexts(texts)` applies commands given as JSON texts,
 * `crossingChars` characters of them per crossing, and answers their answers as one JSON
 * array text; `replayTexts(firstSeq, texts)` replays journal entries and answers how many
 * were replayed. A text the module's reader declines (the shipped build's reader takes no
 * escapes or numbers) goes through `applyJson` / `replay` alone.
 */
export function batchDoor(ledger, memory, { crossingChars = 60_000 } = {}) {
  const write = (text) => {
    let room = text.length;
    let at = ledger.textInput(room);
    let { read, written } = encoder.encodeInto(text, new Uint8Array(memory.buffer, at, room));
    while (read < text.length) {
      room = written + (text.length - read) * 3;
      at = ledger.textInput(room);
      const more = encoder.encodeInto(text.slice(read), new Uint8Array(memory.buffer, at + written, room - written));
      read += more.read;
      written += more.written;
    }
    return written;
  };
  const output = (signedLen) => decoder.decode(new Uint8Array(memory.buffer, ledger.textOutput(), Math.abs(signedLen)));
  /** The end of the run of texts from `i` that one crossing takes. */
  const runEnd = (texts, i) => {
    let end = i;
    for (let chars = 0; end < texts.length && (end === i || chars + texts[end].length < crossingChars); end++) chars += texts[end].length + 1;
    return end;
  };
  return {
    applyTexts(texts) {
      // The crossing's texts joined as they are measured (no second pass, no slice of
      // the array), the answers' arrays concatenated (V8 joins them when read).
      let all = '';
      for (let i = 0; i < texts.length;) {
        let joined = texts[i];
        let end = i + 1;
        while (end < texts.length && joined.length + texts[end].length < crossingChars) joined += SEPARATOR + texts[end++];
        const answers = output(ledger.applyTexts(write(joined)));
        // A declined text stops the crossing before it.
        const n = ledger.textsApplied();
        if (n) all += (all ? ',' : '') + answers.slice(1, -1);
        i += n;
        if (i < end) all += (all ? ',' : '') + ledger.applyJson(texts[i++]);
      }
      return `[${all}]`;
    },
    replayTexts(firstSeq, texts) {
      const start = ledger.seq();
      for (let i = 0; i < texts.length;) {
        const end = runEnd(texts, i);
        const out = ledger.replayTexts(write(texts.slice(i, end).join(SEPARATOR)), firstSeq + i);
        i = ledger.seq() - start;
        if (out !== 0) return i;
        if (i < end && !ledger.replay({ seq: firstSeq + i, command: JSON.parse(texts[i]) }).ok) return i;
        if (i < end) i++;
      }
      return ledger.seq() - start;
    },
  };
}
