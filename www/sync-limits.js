// The sync part's sizes, shared by the synced store and its transport.

/** Commands per push (the API's limit). */
export const PUSH_BATCH = 1000;
/** Entries per pull page. */
export const PULL_PAGE = 5000;
/** A fresh browser starts from the server's snapshot when the space is longer than this. */
export const SNAPSHOT_FIRST_SYNC_OVER = 20000;
