// Fakes for the sync module's unit tests: an in-memory SyncStorage (one shared
// "database" per browser profile, one storage per tab) and an in-memory transport over
// a server-side engine. The end-to-end tests (tests/e2e/sync.test.mjs) use the real
// server and IndexedDB; these test the rebase logic in isolation.
import { newLedger } from '../../www/engine.js';
import { SyncError } from '../../www/sync.js';

/** One browser profile's storage, shared by its tabs. */
export class MemoryDb {
  constructor(name = 'tally') {
    this.name = name;
    this.journal = [];
    this.pending = [];
    this.nextKey = 1;
    this.refused = new Map();
    this.authors = new Map();
    this.tabs = new Set();
    this.queue = Promise.resolve();
    this.client = `client-${Math.random().toString(36).slice(2)}`;
    this.failNextWrite = false;
  }

  /** A tab's SyncStorage. */
  tab() {
    const db = this;
    const listeners = new Set();
    let confirmed = newLedger();
    const catchUp = () => {
      for (const e of db.journal.slice(confirmed.seq())) {
        const a = confirmed.replay(e);
        if (!a.ok) throw new Error(`replay ${e.seq}: ${a.error.message}`);
      }
      confirmed.forgetJournalThrough(confirmed.seq());
    };
    catchUp();
    const storage = {
      name: db.name,
      persisted: true,
      get confirmed() { return confirmed; },
      exclusive(fn) {
        const run = db.queue.then(fn, fn);
        db.queue = run.catch(() => {});
        return run;
      },
      async refreshConfirmed() { catchUp(); },
      async clientId() { return db.client; },
      async readPending() { return db.pending.map((p) => ({ key: p.key, command: structuredClone(p.command) })); },
      async addPending(commands) {
        if (db.failNextWrite) {
          db.failNextWrite = false;
          throw Object.assign(new Error('disk full'), { name: 'QuotaExceededError' });
        }
        return commands.map((command) => {
          const key = db.nextKey++;
          db.pending.push({ key, command: structuredClone(command) });
          return key;
        });
      },
      async readRefused() { return [...db.refused.values()]; },
      async dismissRefused(id) { db.refused.delete(id); },
      async commit({ entries, drop, refused }) {
        catchUp();
        if (entries.length && entries[0].seq !== db.journal.length + 1) throw new Error(`commit out of order at ${entries[0].seq}`);
        for (const e of entries) {
          db.journal.push(structuredClone(e));
          db.authors.set(e.command.id, { id: e.command.id, seq: e.seq, by: e.command.by ?? null, at: e.command.at ?? null });
        }
        const gone = new Set(drop);
        db.pending = db.pending.filter((p) => !gone.has(p.command.id));
        for (const r of refused) db.refused.set(r.id, r);
        catchUp();
      },
      async restoreSnapshot() { throw new Error('not used'); },
      async authors(ids) { return new Map(ids.filter((id) => db.authors.has(id)).map((id) => [id, db.authors.get(id)])); },
      subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
      announce(change) {
        for (const other of db.tabs) if (other !== storage) other._tell(structuredClone(change));
      },
      _tell(change) { setTimeout(() => { for (const fn of listeners) fn(change); }, 0); },
      exportBackup: async () => ({ entries: db.journal }),
      close() { db.tabs.delete(storage); confirmed.free(); },
    };
    db.tabs.add(storage);
    return storage;
  }
}

/** The server's side, in memory: one engine, the journal, `by` and `at` set by it. */
export class FakeServer {
  constructor() {
    this.ledger = newLedger();
    this.journal = [];
    this.down = false;
    /** When set, the next push is applied and then "the server dies" before answering. */
    this.dieAfterCommit = false;
    this.pushes = 0;
    this.listeners = new Set();
    /** Roles by e-mail, as the server has them now (default finance); a viewer's push is forbidden. */
    this.roles = new Map();
  }

  transport(email) {
    const server = this;
    const offline = () => new SyncError('offline', "The server can't be reached (fake).");
    return {
      async push(client, commands) {
        await tick();
        if (server.down) throw offline();
        if (server.roles.get(email) === 'viewer') throw new SyncError('forbidden', "a viewer can't push commands: it takes the finance role (fake)", { status: 403 });
        server.pushes++;
        const answers = commands.map((command) => {
          const before = server.ledger.seq();
          const answer = server.ledger.apply({ ...command, by: email, at: '2026-11-29T00:00:00Z' });
          if (server.ledger.seq() !== before) server.journal.push(...server.ledger.journalSince(before));
          return answer;
        });
        for (const fn of server.listeners) fn(server.journal.length);
        if (server.dieAfterCommit) {
          server.dieAfterCommit = false;
          server.down = true;
          throw offline();
        }
        return { ok: true, answers, head: server.journal.length };
      },
      async pull(after, limit = 1000) {
        await tick();
        if (server.down) throw offline();
        const entries = server.journal.slice(after, after + limit);
        return { ok: true, entries: structuredClone(entries), head: server.journal.length, more: after + limit < server.journal.length };
      },
      async snapshot() {
        await tick();
        if (server.down) throw offline();
        return server.ledger.seq() ? { seq: server.ledger.seq(), bytes: server.ledger.snapshot() } : null;
      },
      async me() {
        await tick();
        if (server.down) throw offline();
        return { status: 200, user: { email, role: server.roles.get(email) ?? 'finance' } };
      },
      events(onHead) {
        server.listeners.add(onHead);
        return () => server.listeners.delete(onHead);
      },
    };
  }
}

function tick() {
  return new Promise((r) => setTimeout(r, 0));
}
