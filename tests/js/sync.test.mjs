// The sync module's rebase logic (www/sync.js) against an in-memory storage and a fake
// transport: pending, push, pull, rebase, refusals, retries, tabs. The same module
// against the real server and IndexedDB: tests/e2e/sync.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { loadForNode } from '../../scripts/scenario-runner.mjs';
import { openSyncedStore } from '../../www/sync.js';
import { SyncError } from '../../www/sync-transport.js';
import { FakeServer, MemoryDb } from './sync-fakes.mjs';

await loadForNode();

const customer = (id, currency = 'EUR') => ({ type: 'create_customer', id, name: `Customer ${id}`, currency });
const payment = (id, amount, customerId = 'c1') => ({ type: 'record_payment', id, customer: customerId, amount, method: 'card', date: '2026-01-05' });
const refund = (id, amount) => ({ type: 'refund_credit', id, customer: 'c1', amount, method: 'bank_transfer', date: '2026-01-06' });
const invoice = (id, price) => ({ type: 'issue_invoice', id, customer: 'c1', date: '2026-01-10', lines: [{ description: 'Desk', unit_price: price }] });

/** What a screen shows, in a form two browsers can compare. */
function fingerprint(store) {
  return JSON.stringify([store.query({ type: 'customers' }), store.query({ type: 'trial_balance' }), store.seq]);
}

function browser(server, email = 'ada@example.com', options = {}) {
  const db = options.db ?? new MemoryDb();
  return openSyncedStore(db.tab(), server.transport(email), { autoStart: false, user: { email, role: 'finance' }, ...options.store })
    .then((store) => Object.assign(store, { db }));
}

test('a command is pending until pushed, then confirmed with the server\'s by and seq', async () => {
  const server = new FakeServer();
  const a = await browser(server);
  const answer = await a.apply(customer('c1'));
  assert.equal(answer.ok, true);
  assert.equal(answer.pending, true);
  assert.equal(a.isPending('c1'), true);
  assert.equal(a.status.pending, 1);
  assert.equal(a.confirmedSeq, 0);
  assert.equal(a.db.pending.length, 1, 'pending is stored before apply resolves');
  await a.syncOnce();
  assert.equal(a.isPending('c1'), false);
  assert.equal(a.status.pending, 0);
  assert.equal(a.confirmedSeq, 1);
  assert.equal(a.db.journal.length, 1);
  assert.equal(a.db.pending.length, 0);
  const authors = await a.authors(['c1']);
  assert.equal(authors.get('c1').by, 'ada@example.com');
  assert.equal(a.ledger, a.storage.confirmed, 'nothing pending: the page reads the confirmed engine');
});

test('the local engine is copied once, then kept in step: later writes pay for no copy', async () => {
  const server = new FakeServer();
  const a = await browser(server, 'ada@example.com');
  const b = await browser(server, 'bob@example.com');
  await a.apply(customer('c1'));
  const own = a.own;
  assert.ok(own, 'the first write made the local copy');
  await a.syncOnce();
  assert.equal(a.own, own, 'its own command confirmed: the copy is already in step');
  await b.syncOnce();
  await b.apply(payment('pb', '4.00'));
  await b.syncOnce();
  await a.syncOnce();
  assert.equal(a.own, own, "another admin's entry is replayed onto the kept copy");
  assert.equal(a.own.seq(), a.confirmedSeq);
  await a.apply(payment('pa', '6.00'));
  assert.equal(a.own, own, 'the next write uses it');
  assert.equal(a.query({ type: 'balance', customer: 'c1' }).credit, '10.00');
  await a.syncOnce();
  await b.syncOnce();
  assert.equal(fingerprint(a), fingerprint(b));
});

test('two admins paying the same customer at once: both recorded once, both screens equal', async () => {
  const server = new FakeServer();
  const a = await browser(server, 'ada@example.com');
  const b = await browser(server, 'bob@example.com');
  await a.apply(customer('c1'));
  await a.syncOnce();
  await b.syncOnce();
  await Promise.all([a.apply(payment('pa', '30.00')), b.apply(payment('pb', '45.00'))]);
  await Promise.all([a.syncOnce(), b.syncOnce()]);
  await a.syncOnce();
  await b.syncOnce();
  assert.equal(server.journal.length, 3);
  assert.equal(fingerprint(a), fingerprint(b));
  assert.equal(a.query({ type: 'balance', customer: 'c1' }).credit, '75.00');
  const authors = await b.authors(['pa', 'pb']);
  assert.equal(authors.get('pa').by, 'ada@example.com');
  assert.equal(authors.get('pb').by, 'bob@example.com');
});

test('an offline browser keeps working, and both converge when it reconnects', async () => {
  const server = new FakeServer();
  const a = await browser(server, 'ada@example.com');
  const b = await browser(server, 'bob@example.com');
  await a.apply(customer('c1'));
  await a.syncOnce();
  await b.syncOnce();
  server.down = true;
  // b is offline: its payments stay pending, its screen shows them.
  await b.apply(payment('pb1', '10.00'));
  await b.apply(invoice('ib1', '100.00'));
  await assert.rejects(b.syncOnce(), { code: 'offline' });
  assert.equal(b.status.pending, 2);
  assert.equal(b.query({ type: 'invoice', invoice: 'ib1' }).number, 'INV-0001');
  server.down = false;
  // Meanwhile a issues an invoice, which takes INV-0001 in the server's order.
  await a.apply(invoice('ia1', '50.00'));
  await a.syncOnce();
  await b.syncOnce();
  await a.syncOnce();
  assert.equal(b.status.pending, 0);
  assert.equal(fingerprint(a), fingerprint(b));
  assert.equal(b.query({ type: 'invoice', invoice: 'ia1' }).number, 'INV-0001');
  assert.equal(b.query({ type: 'invoice', invoice: 'ib1' }).number, 'INV-0002', 'the provisional number was rebased');
});

test('a pending command the server refuses becomes a refused item with its reason, until dismissed', async () => {
  const server = new FakeServer();
  const a = await browser(server, 'ada@example.com');
  const b = await browser(server, 'bob@example.com');
  await a.apply(customer('c1'));
  await a.apply(payment('p1', '100.00'));
  await a.syncOnce();
  await b.syncOnce();
  // Both refund the same credit; a's reaches the server first.
  assert.equal((await a.apply(refund('ra', '80.00'))).ok, true);
  assert.equal((await b.apply(refund('rb', '80.00'))).ok, true);
  await a.syncOnce();
  await b.syncOnce();
  assert.equal(b.status.pending, 0);
  const refused = b.refused();
  assert.equal(refused.length, 1);
  assert.equal(refused[0].id, 'rb');
  assert.equal(refused[0].error.code, 'insufficient_credit');
  assert.equal(refused[0].command.amount, '80.00');
  assert.equal(b.query({ type: 'balance', customer: 'c1' }).credit, '20.00', 'the refused refund is no longer applied');
  assert.equal(fingerprint(a), fingerprint(b));
  // Durable: a new tab of b's profile sees it too.
  const b2 = await openSyncedStore(b.db.tab(), server.transport('bob@example.com'), { autoStart: false });
  assert.equal(b2.refused()[0].id, 'rb');
  await b.dismissRefused('rb');
  assert.equal(b.refused().length, 0);
  assert.equal(b.db.refused.size, 0);
});

test('the server dies after committing a push: the resend is a duplicate, nothing is lost or doubled', async () => {
  const server = new FakeServer();
  const a = await browser(server);
  await a.apply(customer('c1'));
  await a.apply(payment('p1', '10.00'));
  server.dieAfterCommit = true;
  await assert.rejects(a.syncOnce(), { code: 'offline' });
  assert.equal(a.status.pending, 2);
  server.down = false;
  await a.syncOnce();
  assert.equal(server.journal.length, 2);
  assert.equal(a.status.pending, 0);
  assert.equal(a.query({ type: 'balance', customer: 'c1' }).credit, '10.00');
});

test('the sync loop retries with backoff until the server is back', async () => {
  const server = new FakeServer();
  server.down = true;
  const db = new MemoryDb();
  const a = await openSyncedStore(db.tab(), server.transport('ada@example.com'), {});
  await a.apply(customer('c1'));
  const states = [];
  a.onStatus((s) => states.push(s.state));
  await waitFor(() => a.status.state === 'offline');
  assert.ok(a.status.retryAt, 'says when it retries');
  server.down = false;
  await waitFor(() => a.status.pending === 0 && a.status.state === 'online', 10000);
  assert.equal(server.journal.length, 1);
  a.close();
});

test('a tab closed while offline: its pending commands are pushed by the next tab that opens', async () => {
  const server = new FakeServer();
  server.down = true;
  const db = new MemoryDb();
  const first = await openSyncedStore(db.tab(), server.transport('ada@example.com'), { autoStart: false });
  await first.apply(customer('c1'));
  await first.apply(payment('p1', '12.00'));
  first.close();
  server.down = false;
  const next = await openSyncedStore(db.tab(), server.transport('ada@example.com'), { autoStart: false });
  assert.equal(next.status.pending, 2);
  assert.equal(next.query({ type: 'balance', customer: 'c1' }).credit, '12.00', 'pending re-applied on open');
  await next.syncOnce();
  assert.equal(server.journal.length, 2);
  assert.equal(next.status.pending, 0);
});

test('a write that can\'t be stored is answered storage_failed and leaves nothing behind', async () => {
  const server = new FakeServer();
  const a = await browser(server);
  await a.apply(customer('c1'));
  a.db.failNextWrite = true;
  const failed = await a.apply(payment('p1', '5.00'));
  assert.equal(failed.ok, false);
  assert.equal(failed.error.code, 'storage_failed');
  assert.equal(a.query({ type: 'balance', customer: 'c1' }).credit, '0.00');
  const again = await a.apply(payment('p1', '5.00'));
  assert.equal(again.ok, true);
  await a.syncOnce();
  assert.equal(server.journal.length, 2);
});

test('tabs of one profile: one syncs, the other hears its changes', async () => {
  const server = new FakeServer();
  const db = new MemoryDb();
  const locks = new Map();
  const lock = (name, fn) => {
    const run = (locks.get(name) ?? Promise.resolve()).then(fn);
    locks.set(name, run.catch(() => {}));
    return run;
  };
  const t1 = await openSyncedStore(db.tab(), server.transport('ada@example.com'), { lock });
  const t2 = await openSyncedStore(db.tab(), server.transport('ada@example.com'), { lock });
  await waitFor(() => t1.status.syncingTab);
  assert.equal(t2.status.syncingTab, false);
  await t2.apply(customer('c1'));
  await t2.apply(payment('p1', '7.00'));
  await waitFor(() => t1.status.pending === 0 && server.journal.length === 2 && t2.status.pending === 0);
  await waitFor(() => fingerprint(t1) === fingerprint(t2));
  assert.equal(t2.query({ type: 'balance', customer: 'c1' }).credit, '7.00');
  // Another browser's write reaches both tabs.
  const other = await browser(server, 'bob@example.com');
  await other.syncOnce();
  await other.apply(payment('p2', '3.00'));
  await other.syncOnce();
  await waitFor(() => t2.query({ type: 'balance', customer: 'c1' }).credit === '10.00');
  t1.close();
  // The second tab takes over syncing.
  await waitFor(() => t2.status.syncingTab);
  await t2.apply(payment('p3', '1.00'));
  await waitFor(() => server.journal.length === 4 && t2.status.pending === 0);
  t2.close();
});

test('a dry run is answered locally and never pending', async () => {
  const server = new FakeServer();
  const a = await browser(server);
  await a.apply(customer('c1'));
  // (Whether this engine knows dry_run or refuses the field, it is never stored.)
  const answer = await a.apply({ ...payment('p1', '5.00'), dry_run: true });
  if (answer.ok) assert.equal(answer.dry_run, true);
  assert.equal(answer.pending, undefined);
  assert.equal(a.status.pending, 1);
  await a.syncOnce();
  assert.equal(server.journal.length, 1);
});

test('a viewer\'s browser refuses commands', async () => {
  const server = new FakeServer();
  const db = new MemoryDb();
  const v = await openSyncedStore(db.tab(), server.transport('val@example.com'), { autoStart: false, user: { email: 'val@example.com', role: 'viewer' } });
  const answer = await v.apply(customer('c1'));
  assert.equal(answer.ok, false);
  assert.equal(answer.error.code, 'forbidden');
  assert.equal(db.pending.length, 0);
});

test('made a viewer while changes wait: the push is forbidden, so they are kept as refused, the books keep up with the server, and new changes are refused at once', async () => {
  const server = new FakeServer();
  const a = await browser(server);
  const b = await browser(server, 'bo@example.com');
  assert.equal((await a.apply(customer('c1'))).pending, true);
  server.roles.set('ada@example.com', 'viewer');
  await b.apply(customer('c2'));
  await b.syncOnce();

  await a.syncOnce();
  assert.equal(a.status.pending, 0);
  assert.deepEqual(a.refused().map((r) => [r.id, r.error.code]), [['c1', 'forbidden']]);
  assert.equal(a.db.pending.length, 0, 'kept as refused, durably, not as pending');
  assert.equal(a.query({ type: 'customers' }).customers.map((c) => c.id).join(), 'c2', "the server's books, without the refused change");
  assert.equal(a.user.role, 'viewer');
  const later = await a.apply(customer('c3'));
  assert.equal(later.ok, false);
  assert.equal(later.error.code, 'forbidden');
});

test('a forbidden push while the server still says finance is an error to retry: nothing waiting is refused', async () => {
  const server = new FakeServer();
  const a = await browser(server);
  await a.apply(customer('c1'));
  const transport = server.transport('ada@example.com');
  a.transport = { ...transport, push: async () => { throw new SyncError('forbidden', 'forbidden for another reason (fake)', { status: 403 }); } };
  await assert.rejects(a.syncOnce(), (e) => e.code === 'forbidden');
  assert.equal(a.status.pending, 1);
  assert.equal(a.refused().length, 0);
  a.transport = transport;
  await a.syncOnce();
  assert.equal(a.status.pending, 0);
  assert.equal(server.journal.length, 1);
});

async function waitFor(check, ms = 5000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${check}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a wake that comes while a round is under way is not lost: the next sleep ends at once', async () => {
  const server = new FakeServer();
  const a = await browser(server);
  // No sleeper yet (the loop is busy pushing or pulling): the wake must be kept.
  a._wake();
  const slept = await Promise.race([
    a._sleep(60_000).then(() => 'woke'),
    new Promise((resolve) => setTimeout(() => resolve('still asleep'), 1_000)),
  ]);
  assert.equal(slept, 'woke', 'work that arrived mid-round waits for no poll');
  // Kept once only: the sleep after it waits again until woken.
  const next = a._sleep(60_000).then(() => 'woke');
  a._wake();
  assert.equal(await next, 'woke');
});

test('closing while a sync round is under way: the round ends quietly, never touching the closed storage\'s engine', async () => {
  const server = new FakeServer();
  const db = new MemoryDb();
  const transport = server.transport('ada@example.com');
  // The round's pull waits until the test lets it go, after the store closed (which
  // frees the storage's confirmed engine, as a real store's close may).
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let pulls = 0;
  const slow = { ...transport, async pull(...args) { pulls++; await held; return transport.pull(...args); } };
  const errors = [];
  const plainError = console.error;
  console.error = (...args) => errors.push(args.map(String).join(' '));
  try {
    const a = await openSyncedStore(db.tab(), slow, { user: { email: 'ada@example.com', role: 'finance' } });
    await a.apply(customer('c1'));
    await waitFor(() => pulls > 0);
    a.close();
    release();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(errors, [], 'nothing logged: the closed store is not read');
    assert.equal(a.status.state !== undefined, true, 'its status still answers after close');
    assert.equal(a.query({ type: 'customers' }).ok, false, 'a query after close is refused in words, not a crash');
  } finally {
    console.error = plainError;
  }
});
