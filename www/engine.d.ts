// Declarations for www/engine.js: loading the Tally engine (WebAssembly) and its ledgers.
// Every Ledger method takes and answers plain objects in the contract's shapes (see
// ./types.d.ts); a refusal is an answer (`{ ok: false, error }`), never an exception.

import type {
  AcceptedFor,
  AnswerFor,
  CommandInput,
  CommandOf,
  CommandType,
  EngineRefused,
  JournalEntry,
  QueryInput,
  QueryOf,
  QueryType,
  Replayed,
} from './types.js';

export type * from './types.js';

/** How to load the engine. */
export interface EngineOptions {
  /**
   * The contents of `www/pkg/tally_engine_bg.wasm` (or a compiled module), for Node.
   * Leave it out in the browser: the .wasm is fetched next to engine.js.
   */
  bytes?: BufferSource | WebAssembly.Module;
}

/**
 * Loads the engine once (later calls return the same promise). In the browser call it
 * with no argument; in Node pass `{ bytes }`. Call it before `newLedger`/`restoreLedger`.
 */
export function loadEngine(options?: EngineOptions): Promise<void>;

/** An empty ledger (call `loadEngine` first). */
export function newLedger(): Ledger;

/**
 * Restores a ledger from `snapshot()` bytes. Throws an `Error` that says what is wrong
 * with a damaged, truncated or foreign snapshot; nothing is half-loaded.
 */
export function restoreLedger(bytes: Uint8Array): Ledger;

/** The snapshot format version this engine writes (older ones are migrated by the bulk module). */
export function snapshotFormatVersion(): number;

/** The format version in a snapshot's header, or 0 when the bytes are too short to have one. */
export function snapshotVersion(bytes: Uint8Array): number;

/** Whether `bytes` are a snapshot of an older format version (opened through the bulk module). */
export function needsMigration(bytes: Uint8Array): boolean;

/**
 * Restores a ledger from snapshot bytes of this version or an older one, loading the
 * bulk module first when the snapshot is older. Rejects like `restoreLedger`.
 */
export function openSnapshot(bytes: Uint8Array): Promise<Ledger>;

/**
 * `restoreLedger` that also opens older snapshots once the bulk module is loaded
 * (synchronous, for use inside an IndexedDB transaction). Before then an older snapshot
 * throws an `Error` with `needsBulk: true`.
 */
export function restoreAnyVersion(bytes: Uint8Array): Ledger;

/** The bulk module's exports (www/pkg/bulk/): rarely needed work and big ledgers, kept out of the shipped module. */
export interface BulkModule {
  /** A snapshot of an older format version, rewritten in the current one; throws on damage. */
  migrateSnapshot(bytes: Uint8Array): Uint8Array;
  Ledger: {
    restore(bytes: Uint8Array): BulkLedger;
  };
}

/** A ledger in the bulk module: restored from a snapshot to write files from it. */
export interface BulkLedger {
  /**
   * The general ledger as an accountant's file: `"csv"` (one line per posting: date,
   * entry, account, debit, credit, currency, reference, description) or `"beancount"`
   * (accounts, one transaction per command, balance assertions equal to the trial
   * balance). Throws on another format name.
   */
  exportLedger(format: 'csv' | 'beancount'): string;
  free(): void;
}

/** Ledgers of more commands than this open in the fast module (`useFastEngine`). */
export const FAST_ENGINE_OVER: number;

/**
 * Makes every ledger made from now on (`newLedger`, `restoreLedger`,
 * `restoreAnyVersion`, `openSnapshot`) a ledger of the bulk module, built for speed (the
 * same methods, faster: docs/performance.md); loads it once. Call it before making ledgers, for
 * big books. Rejects, and changes nothing, if the module can't load.
 */
export function useFastEngine(options?: EngineOptions): Promise<void>;

/** Which module makes ledgers: `"shipped"` (size-built, the default) or `"fast"`. */
export function engineKind(): 'shipped' | 'fast';

/**
 * Loads the bulk module once (later calls return the same promise). In the browser call
 * it with no argument; in Node pass `{ bytes }`, the contents of
 * www/pkg/bulk/tally_bulk_bg.wasm.
 */
export function loadBulk(options?: EngineOptions): Promise<BulkModule>;

/**
 * The general ledger of `ledger` as an accountant's file, written by the bulk module
 * (loaded on first use) from a snapshot of it. Rejects on another format name.
 */
export function exportLedger(ledger: Ledger, format: 'csv' | 'beancount'): Promise<string>;

/**
 * What a replay through the batch text door did: how many entries were replayed (they
 * stay; the ledger's `seq()` moved by as many), and the refusal of the entry after them,
 * which changed nothing (`null` when every entry was replayed). A text that is not JSON
 * is refused `invalid_input` with `details.rule` `"not_json"`.
 */
export interface TextReplay {
  replayed: number;
  refusal: EngineRefused | null;
}

/**
 * Replays stored journal entries given as their commands' JSON texts (`texts[i]` is entry
 * `firstSeq + i`) through the batch text door: many entries per crossing, no
 * `JSON.parse` or object walk of each. The same books and the same refusal as
 * `ledger.replay({ seq, command: JSON.parse(text) })` one by one, stopping at the first
 * refused entry.
 */
export function replayTexts(ledger: Ledger, firstSeq: number, texts: readonly string[]): TextReplay;

/**
 * `replayTexts` for entries as objects (a backup's, a server's): their commands' JSON
 * texts (`texts`, when the caller made them already: `JSON.stringify(entry.command)`).
 * An entry out of sequence is refused as `replay` refuses it.
 */
export function replayEntries(ledger: Ledger, entries: readonly JournalEntry[], texts?: readonly string[]): TextReplay;

/**
 * A ledger living in wasm memory. Methods are generic over the command's or query's
 * `type`, so the answer is typed for it and an object literal is checked exactly.
 */
export class Ledger {
  /** An empty ledger (call `loadEngine` first). */
  constructor();

  /** Restores a ledger from `snapshot()` bytes; throws an `Error` naming what is wrong. */
  static restore(bytes: Uint8Array | readonly number[]): Ledger;

  /**
   * Applies one command: its result (`ok: true`, `type` as the command's) or a refusal
   * (`ok: false`), which changed nothing.
   */
  apply<T extends CommandType>(command: CommandInput<T>): AcceptedFor<CommandOf<T>> | EngineRefused;

  /** Applies commands in order (one boundary crossing); one answer per command, in order. */
  applyBatch<const Ts extends readonly CommandType[]>(
    commands: { readonly [K in keyof Ts]: CommandInput<Ts[K]> },
  ): { -readonly [K in keyof Ts]: AcceptedFor<CommandOf<Ts[K]>> | EngineRefused };

  /** Answers one query (changes nothing): its answer or a refusal. */
  query<T extends QueryType>(query: QueryInput<T>): AnswerFor<QueryOf<T>> | EngineRefused;

  /** Sequence number of the last accepted command (0 for an empty ledger). */
  seq(): number;

  /** The whole state as bytes (versioned, checksummed), for `Ledger.restore`. */
  snapshot(): Uint8Array;

  /**
   * Starts a snapshot of the state as it is now, to be taken in pieces with
   * `snapshotNext` so no single call is long. Any state change (a command that commits,
   * a replay) drops it.
   */
  snapshotBegin(): void;

  /**
   * The next piece (never empty, about `maxBytes` long; a record is never split, so it
   * may run a little over) of the snapshot begun by `snapshotBegin`, or `undefined` once
   * every piece was given. The pieces joined are byte for byte `snapshot()` as of
   * `snapshotBegin`. Throws an `Error` whose message starts with `snapshot_interrupted:`
   * when the state changed since `snapshotBegin` (or none was begun): begin again later.
   */
  snapshotNext(maxBytes: number): Uint8Array | undefined;

  /** Journal entries after `seq` still held (see `forgetJournalThrough`), in order. */
  journalSince(seq: number): JournalEntry[];

  /** Lets the ledger drop held journal entries through `seq` once they are stored. */
  forgetJournalThrough(seq: number): void;

  /**
   * Replays a stored journal entry; refuses (`invalid_input` or the command's own code)
   * an entry out of sequence or one that would not be accepted as it was.
   */
  replay(entry: JournalEntry): Replayed | EngineRefused;

  /**
   * The batch text door's low level (engine.js `replayTexts` is what a page uses): room
   * for at least `maxBytes` of UTF-8 text in wasm memory, keeping what was written there;
   * answers its address in the module's memory.
   */
  textInput(maxBytes: number): number;

  /**
   * Replays the entries whose commands' JSON texts were written at `textInput`'s address
   * (`len` bytes, texts separated by the byte 0x1E), the first with seq `firstSeq`;
   * stops at the first refused entry (its refusal's JSON text then at `textOutput()`,
   * and its length answered, negated when all ASCII) or before a text the module's
   * reader declines (answers 0; `seq()` says how far it went). 0 when all were replayed.
   */
  replayTexts(len: number, firstSeq: number): number;

  /** Where the last refusal's JSON text written by `replayTexts` is. */
  textOutput(): number;

  /**
   * Frees the ledger's wasm memory; the object can't be used afterwards. (Where the
   * runtime has `Symbol.dispose`, `using` calls it too.)
   */
  free(): void;
}
