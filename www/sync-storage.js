// The sync part's storage in IndexedDB, next to the store's own (www/store.js): pending
// commands, refused-when-synced items, who entered each confirmed entry, and confirmed
// entries appended to the store's journal with the server's seqs. This is the
// `SyncStorage` that www/sync.js drives (see sync.d.ts); the store keeps the confirmed
// engine, its journal and snapshots, and its cross-tab writer lock.

import { loadBulk, needsMigration, replayEntries, restoreAnyVersion } from './engine.js';
import { StoreError, done } from './store.js';
import { hash64, journalRecordOfText, snapshotRecord } from './store-format.js';
import { fastEngineFor, request } from './store-open.js';
import { trace } from './sync-trace.js';

/**
 * The SyncStorage of an open store (`openStore`). The store must not be written through
 * its own `apply` while synced: its journal holds only entries the server confirmed.
 */
export function idbSyncStorage(store) {
  const channel = new BroadcastChannel(`tally-sync:${store.name}`);
  const listeners = new Set();
  const tell = (change) => { for (const fn of listeners) fn(change); };
  channel.onmessage = (event) => { if (event.data?.kind) tell(event.data); };
  // Confirmed entries another tab appended reach this tab's store first; the store's
  // other news (replaced, damaged, lost...) goes to the page as it is.
  store.subscribe((event) => tell(event.source === 'remote' ? { kind: 'confirmed' } : { kind: 'store', event }));

  return {
    name: store.name,
    get persisted() { return store.persisted; },
    get confirmed() { return store.ledger; },
    get health() { return store.health; },

    exclusive: (fn) => store._exclusive(fn),
    refreshConfirmed: () => store._catchUp(),

    async clientId() {
      const tx = store.db.transaction('meta', 'readwrite');
      const meta = tx.objectStore('meta');
      let record = await request(meta.get('client'));
      if (!record) {
        record = { key: 'client', value: crypto.randomUUID() };
        meta.put(record);
      }
      await done(tx);
      return record.value;
    },

    async readPending() {
      const tx = store.db.transaction('pending', 'readonly');
      const records = await request(tx.objectStore('pending').getAll());
      return records.map((r) => ({ key: r.key, command: r.command }));
    },

    async addPending(commands) {
      const tx = store.db.transaction('pending', 'readwrite', { durability: 'strict' });
      const pending = tx.objectStore('pending');
      const keys = commands.map((command) => request(pending.add({ id: command.id, command })));
      await done(tx);
      return Promise.all(keys);
    },

    async readRefused() {
      const tx = store.db.transaction('refused', 'readonly');
      const records = await request(tx.objectStore('refused').getAll());
      return records.sort((a, b) => (a.refusedAt < b.refusedAt ? -1 : a.refusedAt > b.refusedAt ? 1 : 0));
    },

    async dismissRefused(id) {
      const tx = store.db.transaction('refused', 'readwrite', { durability: 'strict' });
      tx.objectStore('refused').delete(id);
      await done(tx);
    },

    /**
     * One transaction: confirmed `entries` appended to the journal (and their authors),
     * pending commands `drop` removed, `refused` items recorded. The confirmed engine
     * replays the entries first; if anything fails, nothing is stored and the store
     * reloads from storage.
     */
    async commit({ entries, drop, refused }) {
      const ledger = store.ledger;
      const start = ledger.seq();
      let chain = store.chain;
      let tx;
      try {
        // Relaxed durability: the server holds these entries. If the browser dies before
        // they reach the disk, the next open holds the journal without them and pulls them
        // again; pending commands not yet deleted are pushed again (duplicates) and
        // refusals come back. Nothing entered here depends on this write.
        tx = store.db.transaction(['meta', 'journal', 'pending', 'refused', 'authors'], 'readwrite', { durability: 'relaxed' });
        const committed = done(tx);
        committed.catch(() => {}); // awaited below
        const meta = tx.objectStore('meta');
        const head = await request(meta.get('head'));
        if (head?.ledger !== store.ledgerId || head.seq !== start || !store.health.writable) {
          throw new StoreError('storage_failed', 'The stored books changed under this tab; they are read again.');
        }
        const journal = tx.objectStore('journal');
        const authors = tx.objectStore('authors');
        // Each command's JSON text, made once: the engine replays it (the batch text
        // door) and the journal keeps it.
        const texts = entries.map((e) => JSON.stringify(e.command));
        const { replayed, refusal } = replayEntries(ledger, entries, texts);
        if (refusal) {
          throw new StoreError('damaged_record', `The server's entry ${entries[replayed].seq} can't be replayed here: ${refusal.error.message}`);
        }
        for (const [i, entry] of entries.entries()) {
          const record = journalRecordOfText(store.ledgerId, chain, entry.seq, texts[i]);
          journal.put(record);
          chain = record.chain;
          authors.put({ id: entry.command.id, seq: entry.seq, by: entry.command.by ?? null, at: entry.command.at ?? null });
        }
        if (entries.length) meta.put({ key: 'head', ledger: store.ledgerId, seq: ledger.seq(), chain });
        const byId = tx.objectStore('pending').index('id');
        for (const id of drop) {
          for (const key of await request(byId.getAllKeys(id))) tx.objectStore('pending').delete(key);
        }
        for (const item of refused) tx.objectStore('refused').put(item);
        await committed;
      } catch (error) {
        try { tx?.abort(); } catch { /* already finished */ }
        // Whatever the engine replayed was not stored: back to exactly what storage holds.
        await store._reload();
        throw storageError(error, 'the entries received from the server');
      }
      store.chain = chain;
      store.storedSeq = ledger.seq();
      ledger.forgetJournalThrough(ledger.seq());
      if (entries.length) {
        store._witness();
        store.channel.postMessage({ type: 'committed', ledger: store.ledgerId, seq: ledger.seq() });
        store._maybeSnapshot();
      }
    },

    /**
     * A fresh browser's first sync: the server's snapshot becomes the confirmed state,
     * and the journal starts after it (meta "base" says where; store.js reads from there).
     * `bytes` are the engine's; `stored` the same snapshot as the server keeps it (gzip,
     * the form the store keeps snapshots in), stored as it came, not compressed again.
     */
    async restoreSnapshot(bytes, seq, stored = bytes) {
      // A snapshot an older server wrote may be of an older format, which only the bulk
      // module reads: load it before the transaction (an await inside would end it).
      if (needsMigration(bytes)) await loadBulk();
      // Big books run in the fast engine, as the store opens them.
      await fastEngineFor(seq, store.fastEngineOver);
      const chain = hash64('tally-server-snapshot', store.ledgerId, seq, bytes.length);
      let tx;
      let ledger = null;
      try {
        tx = store.db.transaction(['meta', 'journal', 'snapshots'], 'readwrite', { durability: 'strict' });
        const committed = done(tx);
        committed.catch(() => {});
        const meta = tx.objectStore('meta');
        const head = await request(meta.get('head'));
        if (head?.ledger !== store.ledgerId || head.seq !== 0 || (await request(tx.objectStore('journal').count())) > 0) {
          tx.abort();
          return;
        }
        // The snapshot's write is handed to IndexedDB first and the engine restores
        // while the browser takes it in; the transaction commits only once this code
        // returns to the event loop, so a snapshot that doesn't restore is never stored.
        const start = performance.now();
        tx.objectStore('snapshots').put(snapshotRecord(store.ledgerId, seq, chain, stored));
        meta.put({ key: 'base', ledger: store.ledgerId, seq, chain });
        meta.put({ key: 'head', ledger: store.ledgerId, seq, chain });
        const restoring = performance.now();
        try {
          ledger = restoreAnyVersion(bytes);
        } catch (e) {
          throw new StoreError('damaged_record', `The server's snapshot can't be restored: ${e?.message ?? e}`);
        }
        trace('restore', restoring);
        if (ledger.seq() !== seq) {
          throw new StoreError('damaged_record', `The server's snapshot says seq ${seq} but holds ${ledger.seq()}.`);
        }
        const storing = performance.now();
        await committed;
        trace('store-snapshot', storing);
        trace('restore-and-store', start);
      } catch (error) {
        try { tx?.abort(); } catch { /* already finished */ }
        ledger?.free();
        throw storageError(error, "the server's copy of the books");
      }
      store.ledger.free();
      store.ledger = ledger;
      store.chain = chain;
      store.storedSeq = seq;
      store.lastSnapshotSeq = seq;
      store._witness();
      store.channel.postMessage({ type: 'committed', ledger: store.ledgerId, seq });
    },

    async authors(ids) {
      const tx = store.db.transaction('authors', 'readonly');
      const authors = tx.objectStore('authors');
      const found = await Promise.all(ids.map((id) => request(authors.get(id))));
      return new Map(found.filter(Boolean).map((a) => [a.id, a]));
    },

    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    announce(change) {
      channel.postMessage(change);
    },

    exportBackup: () => store.exportBackup(),
    snapshotNow: () => store.snapshotNow(),

    close() {
      channel.close();
      store.close();
    },
  };
}

/** A failed write as a StoreError that says what and why (IndexedDB may reject with a bare null). */
function storageError(error, what) {
  if (error instanceof StoreError) return error;
  const name = error?.name ?? 'Error';
  const why = name === 'QuotaExceededError'
    ? 'the browser has no more storage for this site (quota exceeded)'
    : `the browser refused to store it (${name}${error?.message ? `: ${error.message}` : ''})`;
  return new StoreError('storage_failed', `This browser could not keep ${what}: ${why}. It tries again shortly.`, error ?? undefined);
}
