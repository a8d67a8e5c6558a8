// Bytes in and out of gzip, as snapshots are kept at rest (in IndexedDB and on the
// server): one check of the magic number, and one reader that fills a buffer of the
// announced size as a stream's chunks come, so nothing is joined or copied again.

/** Whether `bytes` are gzip (RFC 1952 starts 0x1f 0x8b; an engine snapshot starts `TALLYSNP`). */
export function isGzip(bytes) {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The bytes of `gzip` (a Uint8Array or Blob), decompressed into one buffer (`size`: their length when known). */
export function gunzip(gzip, size = 0) {
  const blob = gzip instanceof Blob ? gzip : new Blob([gzip]);
  return readAll(blob.stream().pipeThrough(new DecompressionStream('gzip')), size);
}

/**
 * Reads a stream of byte chunks into one Uint8Array: a buffer of `size` bytes (the
 * announced length) filled as chunks come; grown only if the stream is longer than
 * announced (a lying length, or a gzip ISIZE that wrapped at 4 GiB).
 */
export async function readAll(stream, size) {
  if (!stream) return new Uint8Array(0);
  let out = new Uint8Array(size);
  let at = 0;
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (at + value.length > out.length) {
      const bigger = new Uint8Array(Math.max(out.length * 2, at + value.length));
      bigger.set(out.subarray(0, at));
      out = bigger;
    }
    out.set(value, at);
    at += value.length;
  }
  return at === out.length ? out : out.subarray(0, at);
}
