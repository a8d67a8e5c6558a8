// Compresses a snapshot's pieces with gzip off the page's thread (store-snapshot.js):
// the pieces come transferred (no copy), the gzip Blob goes back as a handle.
//   in:  { id, pieces: Uint8Array[] }   out: { id, blob, trailer } or { id, error }

self.onmessage = async ({ data: { id, pieces } }) => {
  try {
    const gzip = new Blob(pieces).stream().pipeThrough(new CompressionStream('gzip'));
    const blob = new Blob([await new Response(gzip).blob()], { type: 'application/gzip' });
    // The last 8 bytes (CRC-32 and length) bind the stored record to its content.
    const trailer = new Uint8Array(await blob.slice(Math.max(0, blob.size - 8)).arrayBuffer());
    self.postMessage({ id, blob, trailer });
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
self.postMessage({ ready: true });
