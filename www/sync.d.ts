// Declarations for www/sync.js: the books shared through a Tally server. Local state is
// the server-confirmed journal plus this browser's pending commands re-applied on top
// (docs/browser.md, "Sync"; the HTTP API: docs/sync.md).

import type {
  AcceptedFor,
  AnswerFor,
  Backup,
  CommandInput,
  CommandOf,
  CommandType,
  EngineRefused,
  JournalEntry,
  QueryInput,
  QueryOf,
  QueryType,
  Refused,
  StoreEventSource,
} from './types.js';
import type { Ledger } from './engine.js';

export type * from './types.js';

/** Commands per push (the API's limit). */
export const PUSH_BATCH: number;
/** Entries per pull page. */
export const PULL_PAGE: number;
/** A fresh browser starts from the server's snapshot when the space is longer than this. */
export const SNAPSHOT_FIRST_SYNC_OVER: number;

/** Why a call to the server failed. `offline`, `unavailable` and `rate_limited` are retried. */
export type SyncErrorCode = 'offline' | 'unauthorized' | 'forbidden' | 'unavailable' | 'rate_limited' | 'too_large' | 'invalid_request' | (string & {});

/** A failed call to the server. */
export class SyncError extends Error {
  constructor(code: SyncErrorCode, message: string, options?: { status?: number; retryAfterMs?: number });
  code: SyncErrorCode;
  /** The HTTP status (0 when the server could not be reached). */
  status: number;
  /** From `Retry-After`, in milliseconds (0 when none). */
  retryAfterMs: number;
}

/** A signed-in user, as `GET /api/me` and `POST /api/login` give it. */
export interface SyncUser {
  id?: string | number;
  email: string;
  /** `owner` and `finance` change the books; `viewer` only reads them. */
  role: 'owner' | 'finance' | 'viewer' | (string & {});
}

/** A ledger space (one operator's books) on the server. */
export interface SyncSpace {
  id: string | number;
  name: string;
}

/** One page of `GET /api/pull`. */
export interface PullPage {
  ok: true;
  entries: JournalEntry[];
  head: number;
  more: boolean;
}

/** The sync API as the synced store uses it (`httpTransport`, or a fake in tests). */
export interface Transport {
  push(client: string, commands: readonly object[]): Promise<{ ok: true; answers: Array<{ ok: boolean; duplicate?: boolean; seq?: number; error?: EngineRefused['error'] }>; head: number }>;
  pull(after: number, limit?: number): Promise<PullPage>;
  /**
   * The space's snapshot, or null when it has none yet: `bytes` are the engine's (to
   * restore), `stored` the snapshot as the server keeps it (gzip; an older server's
   * rows: the engine's bytes), kept so in IndexedDB.
   */
  snapshot(): Promise<{ seq: number; bytes: Uint8Array; stored?: Uint8Array } | null>;
  /** Listens for new heads; answers a function that stops listening. */
  events(onHead: (head: number) => void, onState?: (state: 'open' | 'error') => void): () => void;
}

/** A person of the space, as `GET /api/users` lists them. */
export interface TeamUser {
  id: number;
  email: string;
  role: 'owner' | 'finance' | 'viewer' | (string & {});
}

/** An API token of the space, as `GET /api/tokens` lists it (never its text). */
export interface ApiToken {
  id: number;
  name: string;
  role: 'owner' | 'finance' | 'viewer' | (string & {});
}

/** The HTTP transport also signs in and out, and (for an owner) manages people and tokens. */
export interface HttpTransport extends Transport {
  /** 200 signed in (with user and space), 401 not signed in, 404 no server (a static page). */
  me(): Promise<{ status: number; user?: SyncUser; space?: SyncSpace }>;
  login(email: string, password: string): Promise<{ ok: true; user: SyncUser; space: SyncSpace }>;
  logout(): Promise<{ ok: true }>;
  /** The space's people (owner only: 403 `forbidden` otherwise). */
  users(): Promise<{ ok: true; users: TeamUser[] }>;
  /** Adds a person: 400 `invalid_request` (message names `email:`, `password:`, `role:`), 409 `conflict` for an e-mail that has an account. */
  addUser(email: string, password: string, role: TeamUser['role']): Promise<{ ok: true; user: TeamUser }>;
  /** Removes a person and their sessions: 409 `conflict` for the space's last owner, 404 `not_found` for one not in the space. */
  removeUser(id: number): Promise<{ ok: true; deleted: { user: number } }>;
  /** Gives a person another role, at once on their sessions: 409 `conflict` for the space's last owner, 400 naming `role:`, 404 `not_found`. */
  setRole(id: number, role: TeamUser['role']): Promise<{ ok: true; user: TeamUser }>;
  /** Sets another person's password and ends their sessions: 400 naming `password:` (or `user:` for oneself), 404 `not_found`. */
  resetPassword(id: number, password: string): Promise<{ ok: true; user: TeamUser; sessions_ended: number }>;
  /** Changes the signed-in person's own password; their other sessions end, this one stays: 400 naming `current_password:` (wrong) or `new_password:`, 429 after repeated wrong ones, 403 for an API token. */
  changePassword(currentPassword: string, newPassword: string): Promise<{ ok: true; sessions_ended: number }>;
  /** The space's API tokens (owner only). */
  tokens(): Promise<{ ok: true; tokens: ApiToken[] }>;
  /** Creates a token; `token` is its text, given this once. */
  createToken(name: string, role: ApiToken['role']): Promise<{ ok: true; id: number; name: string; role: ApiToken['role']; token: string }>;
  /** Revokes a token at once: 404 `not_found` when it is not (or no longer) the space's. */
  revokeToken(id: number): Promise<{ ok: true; deleted: { token: number } }>;
}

/** The sync API over fetch and EventSource, relative to `base` (default: this page's server). */
export function httpTransport(options?: { base?: string; fetch?: typeof fetch; EventSource?: typeof EventSource }): HttpTransport;

/** A pending command in storage, in push order. */
export interface StoredPending {
  key: number;
  command: { id: string; type: string; [field: string]: unknown };
}

/** A command the server refused when it was synced, kept until dismissed. */
export interface RefusedItem {
  id: string;
  command: { id: string; type: string; [field: string]: unknown };
  /** The engine's refusal, as the server gave it. */
  error: EngineRefused['error'];
  /** When this browser learnt of the refusal (ISO 8601). */
  refusedAt: string;
}

/** Who entered a confirmed entry (the journal's `by`, set by the server) and when. */
export interface EntryAuthor {
  id: string;
  seq: number;
  by: string | null;
  at: string | null;
}

/** A change another tab made, or a message for the syncing tab. */
export type StorageChange =
  | { kind: 'confirmed' | 'pending' | 'refused' | 'wake' }
  | { kind: 'status'; status: Partial<SyncStatus> };

/**
 * What the synced store needs of storage: the confirmed engine and journal (www/store.js
 * in the browser), pending commands, refused items and authors (www/sync-storage.js).
 * Only `exclusive` takes a lock; the synced store calls the others inside it.
 */
export interface SyncStorage {
  readonly name: string;
  readonly persisted?: boolean;
  /** The engine holding exactly the confirmed journal (read-only to the synced store). */
  readonly confirmed: Ledger;
  /** Runs `fn` holding the profile's writer lock (one at a time across tabs). */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Catches the confirmed engine up on what other tabs appended. */
  refreshConfirmed(): Promise<unknown>;
  /** This browser profile's stable id, sent with pushes. */
  clientId(): Promise<string>;
  readPending(): Promise<StoredPending[]>;
  /** Stores commands as pending, durably; resolves with their keys. */
  addPending(commands: readonly object[]): Promise<number[]>;
  readRefused(): Promise<RefusedItem[]>;
  dismissRefused(id: string): Promise<void>;
  /**
   * One transaction: confirmed entries appended (seqs following the confirmed head), the
   * pending commands `drop` removed, `refused` recorded. Rejects with nothing changed.
   */
  commit(change: { entries: JournalEntry[]; drop: string[]; refused: RefusedItem[] }): Promise<void>;
  /**
   * A fresh browser's first sync: the server's snapshot becomes the confirmed state.
   * `bytes` are the engine's; `stored` (default `bytes`) the form kept in IndexedDB.
   */
  restoreSnapshot(bytes: Uint8Array, seq: number, stored?: Uint8Array): Promise<void>;
  authors(ids: readonly string[]): Promise<Map<string, EntryAuthor>>;
  subscribe(listener: (change: StorageChange) => void): () => boolean;
  /** Tells this profile's other tabs. */
  announce(change: StorageChange): void;
  exportBackup(): Promise<Backup>;
  snapshotNow?(): Promise<void>;
  close?(): void;
}

/**
 * The sync status: `starting`, `online` (in step with the server), `syncing` (sending
 * or receiving), `offline` (the server can't be reached; retried at `retryAt`),
 * `signed_out` (the session ended), `error` (the server refused the request itself).
 */
export interface SyncStatus {
  state: 'starting' | 'online' | 'syncing' | 'offline' | 'signed_out' | 'error';
  /** Commands entered here and not yet confirmed. */
  pending: number;
  /** Refused-when-synced items not yet dismissed. */
  refused: number;
  /** When this browser last finished a sync round (ISO 8601), or null. */
  lastSyncedAt: string | null;
  /** When the next attempt is due while offline (ISO 8601), or null. */
  retryAt: string | null;
  /** What went wrong, in words (empty when nothing did). */
  message: string;
  /** Seq of the last server-confirmed entry held here. */
  confirmedSeq: number;
  /** Whether this tab is the one syncing (one tab per profile). */
  syncingTab: boolean;
}

/** An accepted answer of the synced store: pending until the server confirms it. */
export type SyncedAnswer<A> = A & { pending?: true };

/** What a synced-store subscriber is told after a change (`sync`: a refused item was dismissed). */
export interface SyncedStoreEvent {
  seq: number;
  source: StoreEventSource | 'sync';
  error?: unknown;
}

/** The books shared through a server: the plain store's interface plus the sync part. */
export interface SyncedStore {
  readonly name: string;
  readonly persisted: boolean;
  /** Always true (the plain store has no such property). */
  readonly synced: true;
  /** Seq of the local state (confirmed + pending; pending seqs are provisional). */
  readonly seq: number;
  /** Seq of the last server-confirmed entry held here. */
  readonly confirmedSeq: number;
  readonly status: SyncStatus;

  /** Applies a command locally and stores it as pending (durably) before resolving. */
  apply<T extends CommandType>(command: CommandInput<T>): Promise<SyncedAnswer<AcceptedFor<CommandOf<T>>> | Refused>;
  applyMany<const Ts extends readonly CommandType[]>(
    commands: { readonly [K in keyof Ts]: CommandInput<Ts[K]> },
  ): Promise<{ -readonly [K in keyof Ts]: SyncedAnswer<AcceptedFor<CommandOf<Ts[K]>>> | Refused }>;
  query<T extends QueryType>(query: QueryInput<T>): AnswerFor<QueryOf<T>> | EngineRefused;
  /** What `command` would answer on this copy of the books, marked `dry_run: true`; changes nothing. */
  dryRun<T extends CommandType>(command: CommandInput<T>): AcceptedFor<CommandOf<T>> | EngineRefused;
  subscribe(listener: (event: SyncedStoreEvent) => void): () => boolean;

  /** Whether record `id` was entered here and not yet confirmed (an invoice's number is then provisional). */
  isPending(id: string): boolean;
  /** Pending commands, in push order. */
  pendingCommands(): object[];
  /** Refused-when-synced items, oldest first. */
  refused(): RefusedItem[];
  /** Removes a refused item once seen. */
  dismissRefused(id: string): Promise<void>;
  /** Who entered the confirmed records `ids`. */
  authors(ids: readonly string[]): Promise<Map<string, EntryAuthor>>;
  /** Calls `listener` whenever the status changes. */
  onStatus(listener: (status: SyncStatus) => void): () => boolean;
  /** Asks the syncing tab to push and pull now. */
  syncNow(): void;
  /** One round (first sync if needed, push, pull); rejects with a `SyncError`. For tests and tools. */
  syncOnce(): Promise<void>;
  /** Starts the sync loop (once this tab holds the profile's sync lock). */
  start(): void;
  /** The confirmed journal as a backup. */
  exportBackup(): Promise<Backup>;
  /** Refused: the server keeps synced books. */
  importBackup(): Promise<never>;
  snapshotNow(): Promise<void>;
  close(): void;
}

/** Options of `openSyncedStore`. */
export interface SyncedStoreOptions {
  /** The signed-in user: a viewer's commands are refused locally. */
  user?: SyncUser | null;
  /** Cross-tab lock (default: Web Locks); `fn` runs while the lock is held. */
  lock?: (name: string, fn: () => Promise<void>) => Promise<unknown>;
  /** Start the sync loop at once (default true). */
  autoStart?: boolean;
  /** A fresh browser starts from the server's snapshot when the space is longer than this (default SNAPSHOT_FIRST_SYNC_OVER). */
  snapshotOver?: number;
}

/** Opens the synced books over `storage` and `transport`. */
export function openSyncedStore(storage: SyncStorage, transport: Transport, options?: SyncedStoreOptions): Promise<SyncedStore>;
