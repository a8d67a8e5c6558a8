/** Whether `bytes` are gzip (RFC 1952 starts 0x1f 0x8b; an engine snapshot starts `TALLYSNP`). */
export function isGzip(bytes: Uint8Array): boolean;
/** The bytes of `gzip`, decompressed into one buffer (`size`: their length when known). */
export function gunzip(gzip: Uint8Array | Blob, size?: number): Promise<Uint8Array>;
/** Reads a stream of byte chunks into one buffer of `size` bytes, grown only if the stream is longer. */
export function readAll(stream: ReadableStream<Uint8Array> | null, size: number): Promise<Uint8Array>;
