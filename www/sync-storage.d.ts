// Declarations for www/sync-storage.js: the sync part's storage in IndexedDB.

import type { Store } from './store.js';
import type { SyncStorage } from './sync.js';

/** The SyncStorage of an open store; the store must not be written through its own `apply` while synced. */
export function idbSyncStorage(store: Store): SyncStorage;
