// Declarations for www/sync-transport.js: the sync API over fetch and EventSource
// (declared with the synced store in sync.d.ts, which re-exports them).
export { SyncError, httpTransport } from './sync.js';
export type { HttpTransport, SyncErrorCode, Transport } from './sync.js';
