// The sync part of the store: the books shared through a Tally server (docs/browser.md,
// "Sync"; the HTTP API is docs/sync.md).
//
// The model is Replicache's: the server's order is the truth. What this browser shows is
// the server-confirmed journal plus this browser's pending commands re-applied on top.
// - A command entered here is applied to the local engine at once and stored as pending
//   (durable in IndexedDB) before `apply` resolves, so a tab closed offline loses nothing.
// - One tab per profile syncs (a Web Lock): it pushes pending commands in order, in
//   batches, and pulls what the server confirmed after the last confirmed seq. Confirmed
//   entries go into the journal, pending commands whose ids came back are dropped, and
//   the rest are re-applied on the new confirmed state (a rebase). With nothing pending,
//   confirmed entries are applied directly (the fast path).
// - A pending command the server refuses becomes a durable "refused when synced" item
//   with the engine's reason, until the person dismisses it: nothing vanishes silently.
// - The server unreachable, or gone mid-push: retry with backoff. Ids are idempotency
//   keys, so sending a command twice records it once.
//
// This module holds no IndexedDB or HTTP code: it drives a `SyncStorage`
// (www/sync-storage.js in the browser, an in-memory one in the unit tests) and a
// transport (`httpTransport` of www/sync-transport.js, a fake in the tests).

import { replayEntries, restoreLedger } from './engine.js';
import { PULL_PAGE, PUSH_BATCH, SNAPSHOT_FIRST_SYNC_OVER } from './sync-limits.js';
import { SyncError, httpTransport } from './sync-transport.js';
import { trace, traceFirstSync } from './sync-trace.js';

export { PULL_PAGE, PUSH_BATCH, SNAPSHOT_FIRST_SYNC_OVER, SyncError, httpTransport };
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30000;
/** With the live channel quiet, pull this often anyway. */
const POLL_MS = 30000;

const RETRYABLE = new Set(['offline', 'unavailable', 'rate_limited']);

// ---------------------------------------------------------------------------------
// The synced store: what the page uses instead of the plain store.

/**
 * Opens the synced books over `storage` (a SyncStorage) and `transport`.
 * @param {object} storage see SyncStorage in sync.d.ts
 * @param {object} transport see Transport in sync.d.ts
 * @param {object} [options] `user` (`{ email, role }`), `client` (this profile's id),
 *   `lock(name, fn)` (cross-tab lock; default Web Locks), `autoStart` (default true)
 */
export async function openSyncedStore(storage, transport, options = {}) {
  const store = new SyncedStore(storage, transport, options);
  await store._open();
  return store;
}

class SyncedStore {
  constructor(storage, transport, options) {
    this.wokenWhileBusy = false;
    this.storage = storage;
    this.transport = transport;
    this.user = options.user ?? null;
    this.lock = options.lock ?? webLock;
    this.autoStart = options.autoStart ?? true;
    this.snapshotOver = options.snapshotOver ?? SNAPSHOT_FIRST_SYNC_OVER;
    this.listeners = new Set();
    this.statusListeners = new Set();
    /** Pending commands in push order: `{ key, command, applied }`. */
    this.pending = [];
    this.pendingIds = new Set();
    /** Refused-when-synced items: `{ id, command, error, refusedAt }`. */
    this.refusedItems = [];
    /**
     * The engine with pending commands applied. Made (a copy of the confirmed engine) at
     * the first write and then kept, in step with the confirmed engine while nothing is
     * pending, so a write doesn't pay for a copy; null until then or after a rebuild.
     */
    this.own = null;
    this.knownConfirmedSeq = 0;
    /** Refusals from the last push, recorded by the next commit: id -> { command, error }. */
    this.refusals = new Map();
    this.closed = false;
    this.syncing = false;
    this.wakeUp = null;
    this.state = { state: 'starting', lastSyncedAt: null, retryAt: null, message: '' };
  }

  async _open() {
    this.client = await this.storage.clientId();
    await this.storage.exclusive(() => this._refresh(true));
    this.unsubscribe = this.storage.subscribe((change) => this._onStorageChange(change));
    // The syncing tab (if another) runs a round, which tells this one the status.
    this.storage.announce({ kind: 'wake' });
    if (this.autoStart) this.start();
  }

  // -------------------------------------------------------------------------------
  // What the page uses (the same as the plain store's, plus the sync part).

  /** The engine the page reads: confirmed + pending (null once closed: its storage may have freed it). */
  get ledger() {
    if (this.closed) return null;
    return this.pending.length ? this.own : this.storage.confirmed;
  }

  /** Seq of the local state (confirmed + pending; pending seqs are provisional). */
  get seq() {
    return this.closed ? this.seqAtClose.local : this.ledger.seq();
  }

  /** Seq of the last server-confirmed entry this browser holds. */
  get confirmedSeq() {
    return this.closed ? this.seqAtClose.confirmed : this.storage.confirmed.seq();
  }

  get name() { return this.storage.name; }
  /** What opening the stored books found (the store's report; see Health in types.d.ts). */
  get health() { return this.storage.health ?? { status: 'ok', writable: true, problems: [], message: '' }; }
  get persisted() { return this.storage.persisted ?? false; }
  get synced() { return true; }

  query(query) {
    if (this.closed) return refusal('storage_failed', 'The ledger was closed; reload the page.');
    return this.ledger.query(query);
  }

  /**
   * What `command` would answer now on this copy of the books, changing nothing (the
   * engine's dry run, as the plain store's `dryRun`): the panel's previews and
   * confirmations use it.
   */
  dryRun(command) {
    if (this.closed) return refusal('storage_failed', 'The ledger was closed; reload the page.');
    return this.ledger.apply({ ...command, dry_run: true });
  }

  apply(command) {
    return this.applyMany([command]).then((answers) => answers[0]);
  }

  /**
   * Applies commands locally and stores the accepted ones as pending, durably, before
   * resolving. Answers are the engine's, with `pending: true` on accepted ones (their
   * seq and any invoice number are provisional until the server confirms them).
   */
  applyMany(commands) {
    if (this.closed) return Promise.resolve(commands.map(() => closedAnswer()));
    if (this.user?.role === 'viewer') {
      return Promise.resolve(commands.map(() => refusal('forbidden', VIEWER_MESSAGE)));
    }
    return this.storage.exclusive(async () => {
      if (this.closed) return commands.map(() => closedAnswer());
      await this._refresh(false);
      this._ownForWrite();
      const answers = [];
      const accepted = [];
      for (const command of commands) {
        const answer = this.own.apply(command);
        if (answer.ok && !answer.duplicate && !answer.dry_run) {
          answer.pending = true;
          accepted.push(command);
        } else if (answer.ok && this.pendingIds.has(command.id)) {
          answer.pending = true;
        }
        answers.push(answer);
      }
      if (accepted.length === 0) return answers;
      let keys;
      try {
        keys = await this.storage.addPending(accepted);
      } catch (error) {
        // Not stored: back to exactly what storage holds.
        await this._refresh(true);
        return answers.map((a) => (a.ok && a.pending && !a.duplicate ? storageFailed(error) : a));
      }
      accepted.forEach((command, i) => this._addPendingEntry({ key: keys[i], command, applied: true }));
      this.own.forgetJournalThrough(this.own.seq());
      this.storage.announce({ kind: 'pending' });
      this._emit({ seq: this.seq, source: 'local' });
      this._statusChanged();
      this._wake();
      return answers;
    });
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Whether the record `id` was entered here and not yet confirmed by the server. */
  isPending(id) {
    return this.pendingIds.has(id);
  }

  /** Pending commands, in the order they will be pushed. */
  pendingCommands() {
    return this.pending.map((p) => p.command);
  }

  /** Commands the server refused when they were synced, oldest first. */
  refused() {
    return this.refusedItems.slice();
  }

  /** Removes a refused-when-synced item once the person has seen it. */
  dismissRefused(id) {
    return this.storage.exclusive(async () => {
      await this.storage.dismissRefused(id);
      this.refusedItems = this.refusedItems.filter((r) => r.id !== id);
      this.storage.announce({ kind: 'refused' });
      this._emit({ seq: this.seq, source: 'sync' });
      this._statusChanged();
    });
  }

  /** Who entered records `ids` and when (confirmed entries): Map id -> { by, at, seq }. */
  authors(ids) {
    return this.storage.authors(ids);
  }

  /** The sync status in plain data: state, pending, refused, lastSyncedAt, retryAt, message. */
  get status() {
    return {
      ...this.state,
      pending: this.pending.length,
      refused: this.refusedItems.length,
      confirmedSeq: this.confirmedSeq,
      syncingTab: this.syncing,
    };
  }

  /** Calls `fn(status)` whenever the sync status changes; answers an unsubscribe function. */
  onStatus(fn) {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** Asks the syncing tab to push and pull now (after signing in again, or "Retry now"). */
  syncNow() {
    // The live channel gives up for good on a 401 (an ended session): open it afresh.
    if (this.syncing) this._openEvents();
    this._wake();
    this.storage.announce({ kind: 'wake' });
  }

  _openEvents() {
    this.stopEvents?.();
    this.stopEvents = this.transport.events(
      (head) => { if (head > this.confirmedSeq) this._wake(); },
      (state) => {
        this.eventsDown = state !== 'open';
        if (state === 'open') this._wake();
      },
    );
  }

  /** The confirmed journal as a backup; refused when this browser started from the server's snapshot (it doesn't hold record 1 on). */
  async exportBackup() {
    const backup = await this.storage.exportBackup();
    if (backup.entries.length && backup.entries[0].seq !== 1) {
      throw Object.assign(new Error(`This browser started from the server's copy of the books at record ${backup.entries[0].seq - 1}, so it doesn't hold the journal from the start: take the backup on the server.`), { code: 'partial_journal' });
    }
    return backup;
  }

  importBackup() {
    return Promise.reject(Object.assign(new Error('These books are kept by the server: importing a backup here would not reach the other admins.'), { code: 'synced' }));
  }

  snapshotNow() { return this.storage.snapshotNow?.() ?? Promise.resolve(); }

  /**
   * Closes the books and their storage. A sync round under way ends at its next step
   * without reading the storage again (closing it may free its engine); what it had
   * not stored is pulled again next time.
   */
  close() {
    if (this.closed) return;
    this.seqAtClose = { local: this.seq, confirmed: this.confirmedSeq };
    this.closed = true;
    this._wake();
    this.stopEvents?.();
    this.unsubscribe?.();
    this._dropOwn();
    this.storage.close?.();
  }

  // -------------------------------------------------------------------------------
  // Local state: confirmed + pending.

  _addPendingEntry(entry) {
    this.pending.push(entry);
    this.pendingIds.add(entry.command.id);
  }

  /** Makes sure `own` holds the local state: kept in step, or a fresh copy of the confirmed engine. */
  _ownForWrite() {
    if (this.own && (this.pending.length > 0 || this.own.seq() === this.confirmedSeq)) return;
    this._dropOwn();
    this.own = restoreLedger(this.storage.confirmed.snapshot());
  }

  _dropOwn() {
    this.own?.free();
    this.own = null;
  }

  /**
   * Reads what other tabs changed (confirmed entries, pending commands, refusals) and
   * rebuilds the local engine if anything did (`force`: rebuild anyway). Runs under the
   * storage's exclusive lock.
   */
  async _refresh(force, { refused = force } = {}) {
    if (this.closed) return false;
    await this.storage.refreshConfirmed();
    const stored = await this.storage.readPending();
    const same = !force
      && this.knownConfirmedSeq === this.confirmedSeq
      && stored.length === this.pending.length
      && stored.every((p, i) => p.key === this.pending[i].key);
    // Refused items change only with a commit that refuses (told as "refused") or a dismissal.
    if (refused) this.refusedItems = await this.storage.readRefused();
    if (same) return false;
    this._rebuild(stored);
    return true;
  }

  /** Local engine = confirmed engine + `stored` pending commands applied in order. */
  _rebuild(stored) {
    this._dropOwn();
    this.pending = [];
    this.pendingIds = new Set();
    this.knownConfirmedSeq = this.confirmedSeq;
    if (stored.length === 0) return;
    this.own = restoreLedger(this.storage.confirmed.snapshot());
    for (const p of stored) {
      // A pending command the confirmed state now refuses stays pending: the server
      // judges it, and its refusal becomes a refused-when-synced item.
      const answer = this.own.apply(p.command);
      this._addPendingEntry({ key: p.key, command: p.command, applied: answer.ok && !answer.duplicate });
    }
    this.own.forgetJournalThrough(this.own.seq());
  }

  /**
   * After `entries` were confirmed and `dropped` pending ids removed: when the entries
   * are exactly the first pending commands, in order, each applied here, the local
   * engine already holds that state (the server adds only `at` and `by`, which the
   * state doesn't keep), so only the bookkeeping changes. Anything else rebuilds.
   */
  _afterCommit(entries, dropped, storedAfter) {
    const n = entries.length;
    const prefix = this.own !== null
      && dropped.size === n
      && n <= this.pending.length
      && entries.every((e, i) => this.pending[i].command.id === e.command.id && this.pending[i].applied);
    if (prefix) {
      for (const p of this.pending.slice(0, n)) this.pendingIds.delete(p.command.id);
      this.pending = this.pending.slice(n);
      this.knownConfirmedSeq = this.confirmedSeq;
      const same = storedAfter.length === this.pending.length && storedAfter.every((p, i) => p.key === this.pending[i].key);
      if (same) return; // with nothing left pending, `own` is in step: kept for the next write
    }
    if (this.pending.length === 0 && dropped.size === 0 && storedAfter.length === 0) {
      // The fast path: nothing pending, the confirmed engine is the local state; a kept
      // `own` replays the entries too, to stay in step.
      this.knownConfirmedSeq = this.confirmedSeq;
      if (this.own) {
        if (entries.length && replayEntries(this.own, entries).refusal) {
          this._dropOwn();
          return;
        }
        this.own.forgetJournalThrough(this.own.seq());
      }
      return;
    }
    this._rebuild(storedAfter);
  }

  _onStorageChange(change) {
    if (this.closed) return;
    if (change.kind === 'status') {
      if (!this.syncing) {
        this.state = { ...this.state, ...change.status };
        this._statusChanged(false);
      }
      return;
    }
    if (change.kind === 'wake') {
      if (this.syncing && this.eventsDown) this._openEvents();
      this._wake();
      return;
    }
    if (change.kind === 'store') {
      // The store's own news (books replaced, damage found, storage lost): pass it on
      // after re-reading what is stored.
      this.storage.exclusive(() => this._refresh(true))
        .finally(() => this._emit(change.event))
        .catch(() => {});
      return;
    }
    this.storage.exclusive(async () => {
      const before = this.seq;
      const rebuilt = await this._refresh(false, { refused: change.kind === 'refused' });
      if (rebuilt || this.seq !== before || change.kind === 'refused') {
        this._emit({ seq: this.seq, source: 'remote' });
        this._statusChanged(false);
      }
      if (change.kind === 'pending') this._wake();
    }).catch((error) => this._emit({ seq: this.seq, source: 'error', error }));
  }

  _emit(event) {
    for (const fn of this.listeners) {
      try { fn(event); } catch (e) { console.error('tally sync listener failed', e); }
    }
  }

  _setState(patch) {
    this.state = { ...this.state, ...patch };
    this._statusChanged();
  }

  _statusChanged(share = true) {
    if (this.closed) return;
    const status = this.status;
    if (share && this.syncing) {
      const { state, lastSyncedAt, retryAt, message } = status;
      this.storage.announce({ kind: 'status', status: { state, lastSyncedAt, retryAt, message } });
    }
    for (const fn of this.statusListeners) {
      try { fn(status); } catch (e) { console.error('tally sync status listener failed', e); }
    }
  }

  // -------------------------------------------------------------------------------
  // The sync loop (one tab per profile).

  /** Starts syncing once this tab holds the profile's sync lock (one tab at a time). */
  start() {
    if (this.started) return;
    this.started = true;
    this.lock(`tally-sync:${this.storage.name}`, async () => {
      if (this.closed) return;
      this.syncing = true;
      this._openEvents();
      const onOnline = () => this._wake();
      globalThis.addEventListener?.('online', onOnline);
      try {
        await this._run();
      } finally {
        globalThis.removeEventListener?.('online', onOnline);
        this.stopEvents?.();
        this.syncing = false;
      }
    }).catch((error) => console.error('tally: the sync loop stopped', error));
  }

  // A wake that comes while a round is under way (a new pending command, a head event
  // after the pull's request left) is kept for the next sleep, which then ends at once:
  // dropping it left the loop asleep until the next poll, with work waiting.
  _wake() {
    const wake = this.wakeUp;
    this.wakeUp = null;
    if (wake) wake();
    else this.wokenWhileBusy = true;
  }

  _sleep(ms) {
    if (this.wokenWhileBusy) {
      this.wokenWhileBusy = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wakeUp = null; resolve(); }, ms);
      this.wakeUp = () => { clearTimeout(timer); resolve(); };
    });
  }

  async _run() {
    let failures = 0;
    while (!this.closed) {
      try {
        const first = this.pending[0]?.key;
        await this.syncOnce();
        if (this.closed) break;
        if (first !== undefined && this.pending[0]?.key === first) {
          throw new SyncError('unavailable', 'The server accepted the changes but has not confirmed them yet.');
        }
        failures = 0;
        this._setState({ state: 'online', lastSyncedAt: new Date().toISOString(), retryAt: null, message: '' });
        if (this.pending.length === 0 && this.refusals.size === 0) await this._sleep(POLL_MS);
      } catch (error) {
        if (this.closed) break;
        if (!(error instanceof SyncError)) {
          console.error('tally: sync failed', error);
        }
        if (error?.code === 'unauthorized') {
          this._setState({ state: 'signed_out', retryAt: null, message: 'Your session has ended: sign in again to send and receive changes.' });
          await this._sleep(POLL_MS);
          continue;
        }
        failures++;
        const backoff = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1));
        const wait = Math.max(error?.retryAfterMs ?? 0, backoff * (0.5 + Math.random() / 2));
        const offline = RETRYABLE.has(error?.code);
        this._setState({
          state: offline ? 'offline' : 'error',
          retryAt: new Date(Date.now() + wait).toISOString(),
          message: error?.message ?? String(error),
        });
        await this._sleep(wait);
      }
    }
  }

  /** Ends a sync round whose store was closed under it (caught by the loop, which stops). */
  _checkOpen() {
    if (this.closed) throw new SyncError('closed', 'The books were closed.');
  }

  /** One round: first sync if needed, push everything pending, pull everything new. */
  async syncOnce() {
    const first = this.confirmedSeq === 0;
    traceFirstSync(first);
    try {
      if (first) await this._firstSync();
      await this._pushAndPull();
    } finally {
      if (first) traceFirstSync(false);
    }
  }

  async _pushAndPull() {
    for (;;) {
      const batch = this.pending.slice(0, PUSH_BATCH);
      if (batch.length === 0) break;
      this._setState({ state: 'syncing' });
      let reply;
      try {
        reply = await this.transport.push(this.client, batch.map((p) => p.command));
      } catch (error) {
        if (error?.code === 'forbidden' && await this._nowReadOnly()) {
          // An owner made this person a viewer since the page opened: what waits here
          // can't be saved. It is kept as refused (shown under Sync), and the pull goes
          // on, so the books here keep up with the server's.
          const why = { code: 'forbidden', message: VIEWER_MESSAGE };
          for (const p of this.pending) this.refusals.set(p.command.id, { command: p.command, error: why });
          await this._commit([]);
          break;
        }
        throw error;
      }
      const answers = reply?.answers;
      if (!Array.isArray(answers) || answers.length !== batch.length) {
        throw new SyncError('unavailable', 'The server answered the push without one answer per command.');
      }
      const accepted = new Map();
      answers.forEach((answer, i) => {
        const id = batch[i].command.id;
        if (!answer?.ok) this.refusals.set(id, { command: batch[i].command, error: answer?.error ?? { code: 'refused', message: 'Refused by the server.' } });
        else if (Number.isFinite(answer.seq)) accepted.set(id, answer.seq);
      });
      await this._pull(reply.head);
      // An accepted command whose entry this browser already held before (a duplicate
      // of an entry pulled earlier) is confirmed too.
      const held = batch.filter((p) => this.pendingIds.has(p.command.id) && accepted.get(p.command.id) <= this.confirmedSeq);
      if (held.length) await this._commit([], held.map((p) => p.command.id));
      // Whatever was pushed is now confirmed or refused; if the first is still pending,
      // its entry hasn't come back yet: stop here, the loop tries again later.
      if (this.pending.length && this.pending[0].key === batch[0].key) break;
    }
    await this._pull(0);
  }

  /** After a push was forbidden: whether the server now says this person is a viewer (noted). */
  async _nowReadOnly() {
    const me = await Promise.resolve().then(() => this.transport.me()).catch(() => null);
    if (me?.status !== 200 || me.user?.role !== 'viewer') return false;
    this.user = { ...this.user, ...me.user };
    return true;
  }

  /** A fresh browser: the server's snapshot when the space is long, else the journal from 1. */
  async _firstSync() {
    let start = performance.now();
    const probe = await this.transport.pull(0, 1);
    trace('probe', start);
    if (probe.head <= this.snapshotOver) return;
    const snapshot = await this.transport.snapshot();
    if (!snapshot || !(snapshot.seq > 0)) return;
    this._setState({ state: 'syncing', message: 'Loading the books from the server…' });
    await this.storage.exclusive(async () => {
      this._checkOpen();
      if (this.confirmedSeq !== 0) return;
      await this.storage.restoreSnapshot(snapshot.bytes, snapshot.seq, snapshot.stored);
      start = performance.now();
      const stored = await this.storage.readPending();
      this._rebuild(stored);
      trace('rebuild', start);
      this.storage.announce({ kind: 'confirmed' });
      this._emit({ seq: this.seq, source: 'remote' });
    });
  }

  /** Pulls pages until the server has nothing after our confirmed seq (and at least to `head`). */
  async _pull(head) {
    for (;;) {
      let start = performance.now();
      const page = await this.transport.pull(this.confirmedSeq, PULL_PAGE);
      trace('pull', start);
      const entries = Array.isArray(page?.entries) ? page.entries : [];
      start = performance.now();
      if (entries.length || this.refusals.size) await this._commit(entries);
      trace('pull-commit', start);
      const more = page?.more || (Number.isFinite(head) && this.confirmedSeq < head && entries.length > 0);
      if (!more || entries.length === 0) return;
    }
  }

  /**
   * Appends confirmed entries, drops pending commands they confirm (and `alsoConfirmed`,
   * ids the server answered with seqs already held here), records refusals, rebases.
   */
  _commit(entries, alsoConfirmed = []) {
    return this.storage.exclusive(async () => {
      this._checkOpen();
      await this.storage.refreshConfirmed();
      const from = this.confirmedSeq;
      const fresh = entries.filter((e) => e.seq > from);
      if (fresh.length && fresh[0].seq !== from + 1) {
        throw new SyncError('unavailable', `The server's journal skipped from ${from} to ${fresh[0].seq}.`);
      }
      const stored = await this.storage.readPending();
      const confirmedIds = new Set([...fresh.map((e) => e.command.id), ...alsoConfirmed]);
      const dropped = new Set(stored.filter((p) => confirmedIds.has(p.command.id)).map((p) => p.command.id));
      const refused = [];
      for (const [id, r] of this.refusals) {
        if (!confirmedIds.has(id) && stored.some((p) => p.command.id === id)) {
          refused.push({ id, command: r.command, error: r.error, refusedAt: new Date().toISOString() });
        }
      }
      await this.storage.commit({ entries: fresh, drop: [...dropped, ...refused.map((r) => r.id)], refused });
      this.refusals.clear();
      const storedAfter = stored.filter((p) => !dropped.has(p.command.id) && !refused.some((r) => r.id === p.command.id));
      if (refused.length) {
        this.refusedItems = await this.storage.readRefused();
        this._rebuild(storedAfter);
      } else {
        this._afterCommit(fresh, dropped, storedAfter);
      }
      if (fresh.length || refused.length || dropped.size) {
        this.storage.announce({ kind: refused.length ? 'refused' : 'confirmed' });
        this._emit({ seq: this.seq, source: 'remote' });
        this._statusChanged();
      }
    });
  }
}

/** Runs `fn` holding the named Web Lock (waits its turn); without Web Locks, at once. */
function webLock(name, fn) {
  if (globalThis.navigator?.locks?.request) return navigator.locks.request(name, fn);
  return Promise.resolve().then(fn);
}

function closedAnswer() {
  return refusal('storage_failed', 'Not saved: the ledger was closed; reload the page.');
}

const VIEWER_MESSAGE = 'Not saved: your role (viewer) can read the books but not change them.';

function refusal(code, message) {
  return { ok: false, error: { code, message, field: null, details: {} } };
}

function storageFailed(error) {
  const name = error?.name ?? 'Error';
  const why = name === 'QuotaExceededError'
    ? 'the browser has no more storage for this site (quota exceeded); free some space or export a backup'
    : `the browser refused to store it (${name}: ${error?.message ?? error})`;
  return refusal('storage_failed', `Not saved: ${why}. Nothing was recorded.`);
}

export { SyncedStore };
