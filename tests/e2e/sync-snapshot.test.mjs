// A fresh browser's first sync from the server's snapshot, in Chromium against the real
// server on PostgreSQL: the gzip snapshot the server keeps is decompressed as it arrives,
// restored, kept gzip in IndexedDB and the books open from it again; a snapshot stored
// uncompressed by an older server is restored too. (The panel starts from a snapshot only
// for spaces over SNAPSHOT_FIRST_SYNC_OVER commands; here the synced store is opened with
// a threshold of 0 on a small space.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { launch, root } from '../browser/browser.mjs';
import { OWNER, apiClient, buildServer, signIn, startPostgres, startServer } from './sync-harness.mjs';

/** Runs `sql` (given on stdin: a snapshot's hex is too long for an argument). */
const psql = (url, sql) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-tA'], { input: sql, encoding: 'utf8' }).trim();
const ENV = { TALLY_SNAPSHOT_EVERY: '100000', TALLY_SNAPSHOT_FRESH_GAP: '5' };

describe('first sync from the server\'s snapshot', () => {
  let pg;
  let binary;
  let server;
  let owner;
  let browser;
  let head;
  const problems = [];

  before(async () => {
    binary = buildServer();
    pg = startPostgres();
    server = await startServer(binary, pg.url, { env: ENV });
    owner = await apiClient(server.url, OWNER);
    const commands = [{ type: 'create_customer', id: 'c1', name: 'Ada', currency: 'EUR' }, { type: 'create_customer', id: 'c2', name: 'Bo', currency: 'EUR' }];
    for (let i = 0; i < 28; i++) {
      commands.push(i % 4 === 0
        ? { type: 'issue_invoice', id: `i${i}`, customer: i % 8 ? 'c1' : 'c2', date: '2026-03-01', lines: [{ description: 'Desk', unit_price: '120.00' }] }
        : { type: 'record_payment', id: `p${i}`, customer: i % 3 ? 'c1' : 'c2', amount: `${10 + i}.50`, method: 'card', date: '2026-03-02' });
    }
    head = (await owner.post('/api/push', { client: 'setup', commands })).head;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.kill();
    pg?.stop();
    assert.deepEqual(problems, [], 'no page errors or console errors');
  });

  /**
   * In a signed-in page: a synced store named `name` started from the server's snapshot;
   * answers what it holds, the snapshot record IndexedDB keeps, and the books reopened
   * from storage alone.
   */
  async function firstSync(page, name) {
    await page.waitForFunction((h) => window.tally.store.confirmedSeq >= h, head);
    return page.evaluate(async (db) => {
      const { openStore } = await import('/store.js');
      const { openSyncedStore, httpTransport } = await import('/sync.js');
      const { idbSyncStorage } = await import('/sync-storage.js');
      const view = (s) => JSON.stringify([s.query({ type: 'customers' }), s.query({ type: 'trial_balance' }), s.query({ type: 'aging' })]);
      const store = await openSyncedStore(idbSyncStorage(await openStore({ name: db })), httpTransport(), { autoStart: false, snapshotOver: 0, user: window.tally.user ?? { email: 'x', role: 'owner' } });
      await store.syncOnce();
      const synced = { seq: store.confirmedSeq, view: view(store), fromPanel: view(window.tally.store) };
      store.close();
      const raw = await new Promise((resolve, reject) => {
        const req = indexedDB.open(db);
        req.onsuccess = () => {
          const get = req.result.transaction('snapshots').objectStore('snapshots').getAll();
          get.onsuccess = async () => {
            const bytes = get.result[0]?.bytes;
            const head = bytes instanceof Blob ? new Uint8Array(await bytes.slice(0, 8).arrayBuffer()) : bytes?.subarray(0, 8);
            req.result.close();
            resolve({ count: get.result.length, seq: get.result[0]?.seq, head: head ? [...head] : null });
          };
          get.onerror = () => reject(get.error);
        };
        req.onerror = () => reject(req.error);
      });
      const reopened = await openStore({ name: db });
      const again = { seq: reopened.seq, view: view(reopened), health: reopened.health.status, openedFrom: reopened.health.openedFrom };
      reopened.close();
      return { synced, raw, again };
    }, name);
  }

  test('a gzip snapshot is decompressed, restored, kept gzip in IndexedDB, and the books reopen from it', async () => {
    const res = await fetch(`${server.url}/api/snapshot`, { headers: { Cookie: owner.cookie } });
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    assert.equal(Number(res.headers.get('x-tally-seq')), head, 'taken at the head for this first sync');
    await res.arrayBuffer();

    const { context, page } = await signIn(browser, server.url, OWNER, { problems });
    try {
      const { synced, raw, again } = await firstSync(page, 'first-sync-gzip');
      assert.equal(synced.seq, head);
      assert.equal(synced.view, synced.fromPanel, 'the same books as the panel, which pulled the journal from 1');
      assert.deepEqual([raw.count, raw.seq, raw.head.slice(0, 2)], [1, head, [0x1f, 0x8b]], 'IndexedDB keeps the snapshot gzip');
      assert.deepEqual([again.seq, again.health, again.openedFrom], [head, 'ok', head], 'reopened from the stored snapshot');
      assert.equal(again.view, synced.view);
    } finally {
      await context.close();
    }
  });

  test('a snapshot an older server stored uncompressed is restored too', async () => {
    // The server's snapshot at the head, rewritten as an older server kept it: the
    // engine's bytes, no raw_length; then a restart, as after an upgrade.
    const res = await fetch(`${server.url}/api/snapshot`, { headers: { Cookie: owner.cookie } });
    const seq = Number(res.headers.get('x-tally-seq'));
    const engineBytes = gunzipSync(Buffer.from(await res.arrayBuffer()));
    assert.equal(engineBytes.subarray(0, 8).toString('latin1'), 'TALLYSNP');
    psql(pg.url, 'DELETE FROM snapshots');
    psql(pg.url, `INSERT INTO snapshots (space_id, seq, bytes) SELECT id, ${seq}, decode('${engineBytes.toString('hex')}', 'hex') FROM spaces`);
    await server.kill();
    server = await startServer(binary, pg.url, { env: ENV });
    owner = await apiClient(server.url, OWNER);
    const again = await fetch(`${server.url}/api/snapshot`, { headers: { Cookie: owner.cookie } });
    assert.equal(again.headers.get('content-type'), 'application/octet-stream');
    await again.arrayBuffer();

    const { context, page } = await signIn(browser, server.url, OWNER, { problems });
    try {
      const { synced, raw, again: reopened } = await firstSync(page, 'first-sync-old');
      assert.equal(synced.seq, head);
      assert.equal(synced.view, synced.fromPanel);
      assert.deepEqual([raw.seq, raw.head], [seq, [...Buffer.from('TALLYSNP')]], 'kept as it came');
      assert.deepEqual([reopened.seq, reopened.health], [head, 'ok']);
      assert.equal(reopened.view, synced.view);
    } finally {
      await context.close();
    }
  });

  test('an uncompressed snapshot of an older format (an older server\'s) is restored through the bulk module', async () => {
    // Another space whose journal is the v2 fixture's commands, its only snapshot the
    // fixture's bytes (format 2, uncompressed), as a server before this session left it.
    const fin = { email: 'fin@older.test', password: 'fin-password-123' };
    execFileSync(binary, ['add-user', 'Older', fin.email, 'finance'], { env: { ...process.env, TALLY_DATABASE_URL: pg.url, TALLY_PASSWORD: fin.password }, stdio: 'ignore' });
    const commands = readFileSync(join(root, 'tests/fixtures/snapshot-v2.commands.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const user = await apiClient(server.url, fin);
    const pushed = await user.post('/api/push', { client: 'setup', commands });
    assert.equal(pushed.head, commands.length, 'every fixture command accepted');
    const v2 = readFileSync(join(root, 'tests/fixtures/snapshot-v2.bin'));
    assert.equal(v2.readUInt32LE(8), 2, 'the fixture is format 2');
    psql(pg.url, "DELETE FROM snapshots WHERE space_id = (SELECT id FROM spaces WHERE name = 'Older')");
    psql(pg.url, `INSERT INTO snapshots (space_id, seq, bytes) SELECT id, ${commands.length}, decode('${v2.toString('hex')}', 'hex') FROM spaces WHERE name = 'Older'`);
    await server.kill();
    server = await startServer(binary, pg.url, { env: ENV });

    const { context, page } = await signIn(browser, server.url, fin, { problems });
    try {
      await page.waitForFunction((h) => window.tally.store.confirmedSeq >= h, commands.length);
      const synced = await page.evaluate(async () => {
        const { openStore } = await import('/store.js');
        const { openSyncedStore, httpTransport } = await import('/sync.js');
        const { idbSyncStorage } = await import('/sync-storage.js');
        const view = (s) => JSON.stringify([s.query({ type: 'customers' }), s.query({ type: 'trial_balance' }), s.query({ type: 'aging' })]);
        const store = await openSyncedStore(idbSyncStorage(await openStore({ name: 'first-sync-v2' })), httpTransport(), { autoStart: false, snapshotOver: 0, user: window.tally.user });
        const res = await fetch('/api/snapshot');
        const head = new Uint8Array(await res.arrayBuffer()).subarray(0, 12);
        await store.syncOnce();
        const out = { seq: store.confirmedSeq, version: head[8], view: view(store), fromPanel: view(window.tally.store) };
        store.close();
        return out;
      });
      assert.equal(synced.version, 2, 'the server served the format-2 snapshot');
      assert.equal(synced.seq, commands.length);
      assert.equal(synced.view, synced.fromPanel, 'the same books as the panel, which replayed the journal');
    } finally {
      await context.close();
    }
  });
});
