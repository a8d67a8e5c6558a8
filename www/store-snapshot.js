// Snapshots at rest: taken from the engine in pieces between writes, gzip-compressed
// (CompressionStream, RFC 1952; in a worker, store-gzip-worker.js, where one runs) and
// kept as a Blob, so that no single task of the page encodes, compresses, copies or
// stores the whole state; read back streamed through DecompressionStream. Uncompressed snapshots (they start with `TALLYSNP`; gzip
// starts with 0x1f 0x8b), as stores written before kept them, are still read.
//
// No IndexedDB here: the caller stores what `gzipSnapshot` gives, outside the time it
// runs (an IndexedDB transaction ends when its code awaits anything else).

import { gunzip, isGzip } from './gzip-bytes.js';

/** Bytes asked of the engine per piece: small enough that encoding and compressing one is quick. */
const PIECE_BYTES = 16 * 1024;
/** Main-thread time spent per slice before giving the page its turn. */
const SLICE_MS = 6;
/** Compressed output gathered into a Blob part at a time (each part is one copy of this size). */
const PART_BYTES = 1024 * 1024;

/** Thrown when the state changed while its snapshot was being taken: start again later. */
export class SnapshotInterrupted extends Error {
  constructor(why = 'the books changed while their snapshot was being taken') {
    super(why);
    this.name = 'SnapshotInterrupted';
  }
}

/**
 * Lets the page run everything it has waiting (writes, input, rendering) before the next
 * slice: a background-priority task where the browser has the Scheduler API, else a timer.
 */
export function yieldToPage() {
  if (globalThis.scheduler?.postTask) return globalThis.scheduler.postTask(() => {}, { priority: 'background' });
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The pieces of a snapshot of `ledger` as it is now (the engine's `snapshotBegin` /
 * `snapshotNext`): `next(maxBytes)` answers the next piece, `undefined` when all were
 * given, and throws SnapshotInterrupted once the state has changed since this call.
 */
export function snapshotPieces(ledger) {
  ledger.snapshotBegin();
  return (maxBytes) => {
    try {
      return ledger.snapshotNext(maxBytes);
    } catch (e) {
      if (String(e?.message ?? e).startsWith('snapshot_interrupted:')) throw new SnapshotInterrupted();
      throw e;
    }
  };
}

/**
 * Takes every piece `next` gives (see snapshotPieces), a slice of a few milliseconds at a
 * time with the page's turn in between. Only this part can be interrupted by a write, so
 * it is kept apart from the compressing, which takes longer. `stillWanted()` is asked
 * before every slice; when it answers false (the store closed, the ledger was replaced)
 * the work stops with SnapshotInterrupted.
 * @returns {Promise<Uint8Array[]>}
 */
export async function takePieces(next, { stillWanted = () => true } = {}) {
  const pieces = [];
  for (;;) {
    if (!stillWanted()) throw new SnapshotInterrupted('the snapshot is no longer wanted');
    const start = performance.now();
    do {
      const piece = next(PIECE_BYTES);
      if (piece === undefined) return pieces;
      pieces.push(piece);
    } while (performance.now() - start < SLICE_MS);
    await yieldToPage();
  }
}

/**
 * Compresses snapshot pieces into a gzip Blob, a slice at a time with the page's turn in
 * between (`stillWanted` as for takePieces). The pieces are let go as they are written.
 * @param {Uint8Array[]} pieces
 * @returns {Promise<{ blob: Blob, trailer: Uint8Array }>} the gzip bytes and their last 8
 *   (CRC-32 and length of the snapshot), which bind the record to its content
 */
export async function gzipPieces(pieces, { stillWanted = () => true } = {}) {
  const stream = new CompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const parts = [];
  let pending = [];
  let pendingBytes = 0;
  let tail = new Uint8Array(0);
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      pending.push(value);
      pendingBytes += value.length;
      tail = lastBytes(tail, value, 8);
      if (pendingBytes >= PART_BYTES) {
        parts.push(new Blob(pending));
        pending = [];
        pendingBytes = 0;
      }
    }
  })();
  reading.catch(() => {}); // awaited below; an abort rejects it
  try {
    for (let i = 0; i < pieces.length;) {
      if (!stillWanted()) throw new SnapshotInterrupted('the snapshot is no longer wanted');
      const start = performance.now();
      do {
        const piece = pieces[i];
        pieces[i++] = undefined;
        await writer.write(piece);
      } while (i < pieces.length && performance.now() - start < SLICE_MS);
      if (i < pieces.length) await yieldToPage();
    }
    await writer.close();
    await reading;
  } catch (error) {
    await writer.abort(error).catch(() => {});
    await reader.cancel(error).catch(() => {});
    throw error;
  }
  parts.push(new Blob(pending));
  return { blob: new Blob(parts, { type: 'application/gzip' }), trailer: tail };
}

let worker = null;
let workerReady = null;
let requests = 0;

/** The compressing worker, started once; null where workers can't run (then the page compresses). */
async function gzipWorker() {
  if (!workerReady) {
    workerReady = new Promise((resolve) => {
      try {
        worker = new Worker(new URL('./store-gzip-worker.js', import.meta.url), { type: 'module' });
      } catch {
        resolve(null);
        return;
      }
      worker.addEventListener('message', ({ data }) => { if (data?.ready) resolve(worker); }, { once: true });
      worker.addEventListener('error', () => resolve(null), { once: true });
    });
  }
  return workerReady;
}

/**
 * Compresses pieces in a worker: none of the compressing, nor the copying into a Blob,
 * nor the garbage it leaves, happens on the page's thread. The pieces are transferred
 * (not copied) when each owns its buffer, as the engine's do, and are unusable after.
 * Answers null when no worker can run.
 * @param {Uint8Array[]} pieces
 * @returns {Promise<{ blob: Blob, trailer: Uint8Array } | null>}
 */
export async function gzipInWorker(pieces) {
  const w = await gzipWorker();
  if (!w) return null;
  const id = ++requests;
  const owned = pieces.every((p) => p.byteOffset === 0 && p.byteLength === p.buffer.byteLength);
  return new Promise((resolve, reject) => {
    const onMessage = ({ data }) => {
      if (data?.id !== id) return;
      w.removeEventListener('message', onMessage);
      if (data.error) reject(new Error(`compressing the snapshot failed: ${data.error}`));
      else resolve({ blob: data.blob, trailer: data.trailer });
    };
    w.addEventListener('message', onMessage);
    w.postMessage({ id, pieces }, owned ? pieces.map((p) => p.buffer) : []);
  });
}

/** A gzip Blob of the pieces: in a worker where one runs, else on the page a slice at a time. */
export async function gzipTaken(pieces, options = {}) {
  return (await gzipInWorker(pieces)) ?? gzipPieces(pieces, options);
}

/** takePieces then gzipTaken: a gzip Blob of the snapshot `next` gives. */
export async function gzipSnapshot(next, options = {}) {
  return gzipTaken(await takePieces(next, options), options);
}

function lastBytes(tail, chunk, n) {
  if (chunk.length >= n) return chunk.slice(chunk.length - n);
  const joined = new Uint8Array(tail.length + chunk.length);
  joined.set(tail);
  joined.set(chunk, tail.length);
  return joined.slice(Math.max(0, joined.length - n));
}


/** The last 8 bytes of a stored snapshot (a Blob or a Uint8Array), for its binding check. */
export async function storedTrailer(bytes) {
  if (bytes instanceof Uint8Array) return bytes.subarray(Math.max(0, bytes.length - 8));
  return new Uint8Array(await bytes.slice(Math.max(0, bytes.size - 8)).arrayBuffer());
}

/**
 * The engine's snapshot bytes of a stored snapshot: a gzip Blob or Uint8Array is
 * decompressed as a stream into one buffer sized from the gzip trailer (no growing, no
 * joining of chunks); an uncompressed Uint8Array is answered as it is. Rejects when the
 * gzip data is damaged (DecompressionStream checks its CRC-32 and length).
 * @param {Blob | Uint8Array} bytes
 * @returns {Promise<Uint8Array>}
 */
export async function snapshotBytes(bytes) {
  if (bytes instanceof Uint8Array && !isGzip(bytes)) return bytes;
  const blob = bytes instanceof Uint8Array ? new Blob([bytes]) : bytes;
  const trailer = await storedTrailer(blob);
  // ISIZE: the uncompressed length modulo 2^32, little-endian.
  const size = trailer.length === 8 ? new DataView(trailer.buffer, trailer.byteOffset).getUint32(4, true) : 0;
  return gunzip(blob, size);
}
