// Declarations for www/store.js: the ledger persisted in IndexedDB. Commands are
// acknowledged once durable; several tabs share one ledger (see the notes in store.js).

import type {
  AcceptedFor,
  AnswerFor,
  Backup,
  Command,
  CommandInput,
  CommandOf,
  CommandType,
  EngineRefused,
  Health,
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
export const SCHEMA_VERSION: 4;

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
  /**
   * Commands between background snapshots (or 0.25% of the ledger once that is more);
   * default 1000. A due snapshot is taken once writes pause, in slices between them, and
   * stored gzip-compressed (docs/browser.md).
   */
  snapshotEvery?: number;
  /**
   * The first screen's queries. Once writes pause (and after opening), the store keeps
   * the engine's answers to them, bound to the stored head, and the next open gives them
   * to `onFigures` before the engine is restored, if they are the books' at the head as
   * it is then (docs/browser.md, "The first screen's figures").
   */
  figures?: readonly QueryInput<QueryType>[];
  /**
   * Called once during `openStore`, as soon as the stored figures are read (before the
   * engine is restored, which at a million commands takes seconds), when the database
   * holds figures for the books as they are stored. Not called otherwise.
   */
  onFigures?: (figures: StoredFigures) => void;
  /**
   * Books of more commands than this open in the fast engine (the bulk module, built for
   * speed: engine.js `useFastEngine`); default `FAST_ENGINE_OVER` (100,000).
   */
  fastEngineOver?: number;
}

/** The first screen's figures as the engine answered them at `seq` (given to `onFigures`). */
export interface StoredFigures {
  /** The seq of the books they are the answers of (the stored head's). */
  readonly seq: number;
  /** The kept queries' keys (their JSON with keys sorted). */
  readonly keys: readonly string[];
  /** The engine's stored answer to `query` (key order doesn't matter), or undefined when not kept. */
  answer<T extends QueryType>(query: QueryInput<T>): AnswerFor<QueryOf<T>> | EngineRefused | undefined;
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
  /** Whether the browser granted persistent storage (not evicted under pressure); false until it answers, shortly after opening. */
  readonly persisted: boolean;
  /** True once closed (by `close`, another tab's upgrade or a failed recovery); commands then answer `storage_failed`. */
  readonly closed: boolean;
  /** What opening found: `ok`, `recovered` or `damaged`, in plain words, with each problem named. */
  readonly health: Health;
  /**
   * The background check of the whole journal (the records under the snapshot the books
   * opened from), started on opening; resolves with the health it leaves.
   */
  readonly verified: Promise<Health>;
  /**
   * Resolves once the first screen's figures are stored for the books as they are (after
   * the open, and after the pause that follows writes), or given up (closed, the head
   * moved on); never rejects. A store without `figures` resolves at once.
   */
  readonly figuresKept: Promise<void>;

  /**
   * Applies one command; resolves once it is durable (at once for a refusal or a
   * duplicate). Never rejects: storage failures, a closed store and read-only damaged
   * books are answered `storage_failed`. If another tab replaced the ledger, it is
   * reloaded first and the command applied to the new one.
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

  /**
   * What `command` would answer now (accepted with everything it would do, or refused),
   * marked `dry_run: true`; changes nothing (synchronous).
   */
  dryRun<T extends CommandType>(command: CommandInput<T>): AcceptedFor<CommandOf<T>> | EngineRefused;

  /** Calls `listener` after every change; returns a function that unsubscribes (true if it was subscribed). */
  subscribe(listener: (event: StoreEvent) => void): () => boolean;

  /**
   * The general ledger as an accountant's file: `"csv"` (one line per posting) or
   * `"beancount"`, made by the engine's bulk module (loaded on first use) from the books
   * as they are now. Rejects on another format name, or with `storage_failed`.
   */
  exportLedger(format: 'csv' | 'beancount'): Promise<string>;

  /**
   * Writes a snapshot of the current state (then keeps the newest two): taken from the
   * engine in slices between writes, gzip-compressed, stored as a Blob. A write landing
   * meanwhile starts it over, so it resolves once a snapshot at this seq or a later one
   * is stored (or at once when none can be: closed, read-only, nothing new).
   */
  snapshotNow(): Promise<void>;
  /** The seq of the newest snapshot this tab stored or opened from. */
  readonly lastSnapshotSeq: number;

  /**
   * The ledger as a JSON backup (its journal, checked along the chain): when the books
   * opened damaged, the records they were opened with. Rejects with `damaged_record` if
   * a record they rest on fails its checks (`exportJournal` then gives those before it).
   */
  exportBackup(): Promise<Backup>;

  /** Checks the whole journal along its chain now (see `verified`); resolves with the health. */
  verify(): Promise<Health>;

  /**
   * Replaces the ledger with a backup, for every tab (a new ledger identity; other tabs
   * hear `replaced`), validated in full first (shape, sequence, every command replayed);
   * on any problem nothing changes and it rejects with a `StoreError` (`invalid_backup`,
   * `storage_failed`).
   */
  importBackup(backup: Backup, options?: ImportOptions): Promise<void>;

  /** Closes the database and the cross-tab channel. */
  close(): void;
}

/**
 * Opens (or creates) a ledger stored in IndexedDB: the newest snapshot that checks out,
 * then the journal after it along its chain. Resolves even when records are damaged
 * (see `Store.health`); rejects with a `StoreError` only when IndexedDB fails
 * (`storage_failed`, `storage_blocked`).
 */
export function openStore(options?: StoreOptions): Promise<Store>;

/**
 * A backup holding `commands` as a ledger's journal, in order (`seq` 1, 2, 3, ...): what
 * `exportBackup` gives and `importBackup` takes. `exported` defaults to now.
 */
export function backupOf(commands: readonly Command[], exported?: string): Backup;

/**
 * Reads the journal of a database along its chain, without the engine: the records
 * that check out, up to the first that doesn't (listed with those after it in
 * `damaged`, and described in `problem`).
 */
export function exportJournal(name?: string): Promise<JournalExport>;
