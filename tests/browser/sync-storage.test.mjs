// The sync module over Chromium's real IndexedDB, Web Locks and BroadcastChannel
// (www/sync-storage.js): pending commands durable across a reload, the confirmed journal
// with the server's seqs, refused items and authors kept, two tabs of one profile. The
// server here is the in-memory fake of the unit tests, living in Node; the real server
// is in tests/e2e/sync.test.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { loadForNode } from '../../scripts/scenario-runner.mjs';
import { FakeServer } from '../js/sync-fakes.mjs';
import { launch, startServer } from './browser.mjs';

await loadForNode();

let http;
let url;
let browser;

before(async () => {
  ({ server: http, url } = await startServer());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  http?.close();
});

const customer = (id) => ({ type: 'create_customer', id, name: `Customer ${id}`, currency: 'EUR' });
const payment = (id, amount) => ({ type: 'record_payment', id, customer: 'c1', amount, method: 'card', date: '2026-01-05' });
const refund = (id, amount) => ({ type: 'refund_credit', id, customer: 'c1', amount, method: 'card', date: '2026-01-06' });

/** A browser profile (context) whose pages reach `server` as `email`. */
async function profile(server, email) {
  const context = await browser.newContext();
  const transport = server.transport(email);
  const wrap = (fn) => async (...args) => {
    try { return await fn(...args); } catch (e) { return { failed: e.code ?? 'unavailable' }; }
  };
  await context.exposeFunction('__push', wrap((client, commands) => transport.push(client, commands)));
  await context.exposeFunction('__pull', wrap((after, limit) => transport.pull(after, limit)));
  await context.exposeFunction('__snapshot', wrap(async () => {
    const snap = await transport.snapshot();
    return snap && { seq: snap.seq, bytes: [...snap.bytes] };
  }));
  return context;
}

async function tab(context, name, options = { autoStart: false }) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${url}/test/sync-harness.html`);
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready');
  await page.evaluate(([n, o]) => window.openSynced(n, o), [name, options]);
  return page;
}

test('pending commands survive a reload; a sync stores the server\'s seqs, authors and refusals', async () => {
  const server = new FakeServer();
  const ada = await profile(server, 'ada@example.com');
  const bob = await profile(server, 'bob@example.com');
  const a = await tab(ada, 'books');
  const b = await tab(bob, 'books');
  await a.evaluate(async ([c, p]) => { await window.store.apply(c); await window.store.apply(p); await window.store.syncOnce(); }, [customer('c1'), payment('p1', '100.00')]);
  await b.evaluate(() => window.store.syncOnce());
  // b refunds offline; a's refund of the same credit reaches the server first.
  server.down = true;
  const pending = await b.evaluate((r) => window.store.apply(r), refund('rb', '80.00'));
  assert.equal(pending.pending, true);
  await b.reload();
  await b.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready');
  const reopened = await b.evaluate(() => window.openSynced('books', { autoStart: false }));
  assert.equal(reopened.pending, 1, 'the pending refund was kept across the reload');
  server.down = false;
  await a.evaluate(async (r) => { await window.store.apply(r); await window.store.syncOnce(); }, refund('ra', '80.00'));
  const after = await b.evaluate(async () => {
    await window.store.syncOnce();
    const s = window.store;
    const backup = await s.exportBackup();
    return {
      status: s.status,
      refused: s.refused(),
      credit: s.query({ type: 'balance', customer: 'c1' }).credit,
      seqs: backup.entries.map((e) => e.seq),
      authors: Object.fromEntries(await s.authors(['p1', 'ra'])),
    };
  });
  assert.equal(after.status.pending, 0);
  assert.deepEqual(after.seqs, [1, 2, 3], 'the journal holds the server\'s entries, in its seqs');
  assert.equal(after.refused.length, 1);
  assert.equal(after.refused[0].error.code, 'insufficient_credit');
  assert.equal(after.credit, '20.00');
  assert.equal(after.authors.ra.by, 'ada@example.com');
  // The refused item is durable until dismissed.
  await b.reload();
  await b.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready');
  const again = await b.evaluate(async () => {
    await window.openSynced('books', { autoStart: false });
    const before = window.store.refused().length;
    await window.store.dismissRefused('rb');
    return { before, after: window.store.refused().length };
  });
  assert.deepEqual(again, { before: 1, after: 0 });
  await ada.close();
  await bob.close();
});

test('two tabs of one profile: one syncs, both show the same books', async () => {
  const server = new FakeServer();
  const ada = await profile(server, 'ada@example.com');
  const t1 = await tab(ada, 'tabs', {});
  const t2 = await tab(ada, 'tabs', {});
  const syncing = await Promise.all([t1, t2].map((t) => t.evaluate(() => window.store.status.syncingTab)));
  assert.equal(syncing.filter(Boolean).length, 1, 'one tab syncs');
  await t2.evaluate(async ([c, p]) => { await window.store.apply(c); await window.store.apply(p); }, [customer('c1'), payment('p1', '7.00')]);
  await t1.evaluate(async (p) => window.store.apply(p), payment('p2', '3.00'));
  for (const t of [t1, t2]) {
    await t.waitForFunction(() => window.store.status.pending === 0 && window.store.confirmedSeq === 3, null, { timeout: 30000 });
  }
  const prints = await Promise.all([t1, t2].map((t) => t.evaluate(() => JSON.stringify([window.store.query({ type: 'customers' }), window.store.query({ type: 'trial_balance' })]))));
  assert.equal(prints[0], prints[1]);
  assert.equal(server.journal.length, 3);
  await ada.close();
});

test('a fresh browser starts from the server\'s snapshot, keeps the journal after it, and reopens whole', async () => {
  const server = new FakeServer();
  const setup = server.transport('ada@example.com');
  await setup.push('setup', [customer('c1'), payment('p1', '10.00'), payment('p2', '20.00')]);
  const bob = await profile(server, 'bob@example.com');
  const page = await tab(bob, 'fresh', { autoStart: false, snapshotOver: 0 });
  await page.evaluate(() => window.store.syncOnce());
  await setup.push('setup', [payment('p3', '5.00')]);
  const first = await page.evaluate(async () => {
    await window.store.syncOnce();
    return { seq: window.store.confirmedSeq, credit: window.store.query({ type: 'balance', customer: 'c1' }).credit };
  });
  assert.deepEqual(first, { seq: 4, credit: '35.00' });
  await page.reload();
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready');
  const reopened = await page.evaluate(async () => {
    await window.openSynced('fresh', { autoStart: false });
    const s = window.store;
    // The background check of the whole journal reads it from the snapshot's base.
    await window.base.verified;
    return { openedFrom: window.base.health.openedFrom, seq: s.confirmedSeq, credit: s.query({ type: 'balance', customer: 'c1' }).credit, status: s.health.status, problems: s.health.problems };
  });
  assert.equal(reopened.seq, 4);
  assert.ok(reopened.openedFrom >= 3, 'opened from the server\'s snapshot');
  assert.equal(reopened.credit, '35.00');
  assert.equal(reopened.status, 'ok', JSON.stringify(reopened.problems));
  await bob.close();
});
