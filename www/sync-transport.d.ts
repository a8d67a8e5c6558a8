// Declarations for www/sync-transport.js: the sync API over fetch and EventSource
// (declared with the synced store in sync.d.ts, which re-exports them).
export { SyncError, httpTransport } from './sync.js';
export type { ApiToken, HttpTransport, SyncErrorCode, TeamUser, Transport } from './sync.js';

/** Whether `bytes` are gzip (RFC 1952 starts 0x1f 0x8b; an engine snapshot starts `TALLYSNP`). */
export function isGzip(bytes: Uint8Array): boolean;
/** The bytes of `gzip`, decompressed into one buffer (`size`: their length when known). */
export function gunzip(gzip: Uint8Array, size?: number): Promise<Uint8Array>;
