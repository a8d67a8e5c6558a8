// Declarations for www/store.js: the ledger persisted in IndexedDB. Commands are
// acknowledged once durable; several tabs share one ledger (see the notes in store.js).

import type {
  AcceptedFor,
  AnswerFor,
  Backup,
  CommandInput,
  CommandOf,
  CommandType,
  EngineRefused,
  JournalExport,
  QueryInput,
  QueryOf,
  QueryType,
  Refused,
  StoreErrorCode,
  StoreEvent,
} from './types.js';

export type * from './types.js';

/** IndexedDB schema version of the store. */
export const SCHEMA_VERSION: 2;

/**
 * An error from storage (a rejected promise or a throw), with a stable `code` a page can
 * act on. Refused commands are answers, not StoreErrors.
 */
export class StoreError extends Error {
  constructor(code: StoreErrorCode, message: string, cause?: unknown);
  code: StoreErrorCode;
}

/** Options of `openStore`. */
export interface StoreOptions {
  /** IndexedDB database name; default `"tally"`. */
  name?: string;
  /** Commands between background snapshots (or 1% of the ledger once that is more); default 1000. */
  snapshotEvery?: number;
}

/** Options of `Store.importBackup`. */
export interface ImportOptions {
  /** Called as replay progresses, last with `done === total`. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * A ledger stored in IndexedDB (from `openStore`). Command answers are the engine's,
 * plus `storage_failed` refusals when a command could not be saved or the store is
 * closed: nothing unacknowledged is ever recorded.
 */
export interface Store {
  /** The IndexedDB database name. */
  readonly name: string;
  /** Sequence number of the last command this tab knows. */
  readonly seq: number;
  /** Whether the browser granted persistent storage (not evicted under pressure). */
  readonly persisted: boolean;
  /** True once closed (by `close`, another tab's upgrade or a failed recovery); commands then answer `storage_failed`. */
  readonly closed: boolean;

  /**
   * Applies one command; resolves once it is durable (at once for a refusal or a
   * duplicate). Rejects with a `StoreError` (`damaged_record`) if catching up on the
   * journal fails.
   */
  apply<T extends CommandType>(command: CommandInput<T>): Promise<AcceptedFor<CommandOf<T>> | Refused>;

  /**
   * Applies commands in order and commits the accepted ones in one transaction;
   * resolves with one answer per command. If the commit fails, every accepted
   * non-duplicate answer becomes `storage_failed`.
   */
  applyMany<const Ts extends readonly CommandType[]>(
    commands: { readonly [K in keyof Ts]: CommandInput<Ts[K]> },
  ): Promise<{ -readonly [K in keyof Ts]: AcceptedFor<CommandOf<Ts[K]>> | Refused }>;

  /** Answers a query from the engine in memory (synchronous). */
  query<T extends QueryType>(query: QueryInput<T>): AnswerFor<QueryOf<T>> | EngineRefused;

  /** Calls `listener` after every change; returns a function that unsubscribes (true if it was subscribed). */
  subscribe(listener: (event: StoreEvent) => void): () => boolean;

  /** Writes a snapshot of the current state now (then keeps the newest two). */
  snapshotNow(): Promise<void>;

  /** The whole ledger as a JSON backup (its journal). Rejects with `damaged_record` if a record is damaged. */
  exportBackup(): Promise<Backup>;

  /**
   * Replaces the ledger with a backup, validated in full first (shape, sequence, every
   * command replayed); on any problem nothing changes and it rejects with a `StoreError`
   * (`invalid_backup`, `storage_failed`).
   */
  importBackup(backup: Backup, options?: ImportOptions): Promise<void>;

  /** Closes the database and the cross-tab channel. */
  close(): void;
}

/**
 * Opens (or creates) a ledger stored in IndexedDB: the newest snapshot, then the journal
 * after it. Rejects with a `StoreError` (`storage_failed`, `storage_blocked`,
 * `damaged_record`).
 */
export function openStore(options?: StoreOptions): Promise<Store>;

/**
 * Reads the raw journal of a database without the engine: the way out when a damaged
 * record stops the ledger from loading. Damaged records are listed in `damaged`.
 */
export function exportJournal(name?: string): Promise<JournalExport>;
