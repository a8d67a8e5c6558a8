// Declarations for www/sync-limits.js: the sync part's sizes.
export { PULL_PAGE, PUSH_BATCH, SNAPSHOT_FIRST_SYNC_OVER } from './sync.js';
