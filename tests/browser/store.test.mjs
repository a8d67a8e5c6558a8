// The IndexedDB store against Chromium's real IndexedDB.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

import { harness, launch, launchPersistent, startServer, tempDir } from './browser.mjs';

let server;
let url;
let browser;

before(async () => {
  ({ server, url } = await startServer());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

const customer = (id) => ({ type: 'create_customer', id, name: `Customer ${id}`, currency: 'EUR' });
const payment = (id, amount = '10.00') => ({ type: 'record_payment', id, customer: 'c1', amount, method: 'card', date: '2026-01-05' });

async function freshPage(db) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await harness(page, url);
  await page.evaluate(async (name) => { window.store = await window.storeModule.openStore({ name }); }, db);
  return { context, page };
}

test('commands persist and survive a reload', async () => {
  const { context, page } = await freshPage('reload');
  const answers = await page.evaluate(async ([c, p]) => [await window.store.apply(c), await window.store.apply(p)], [customer('c1'), payment('p1', '100.00')]);
  assert.deepEqual(answers.map((a) => a.ok), [true, true]);
  await page.reload();
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready');
  const balance = await page.evaluate(async () => {
    const store = await window.storeModule.openStore({ name: 'reload' });
    return store.query({ type: 'balance', customer: 'c1' });
  });
  assert.equal(balance.credit, '100.00');
  assert.equal(balance.balance, '-100.00');
  await context.close();
});

test('a refused or duplicate command writes nothing', async () => {
  const { context, page } = await freshPage('refused');
  const result = await page.evaluate(async ([c, p]) => {
    await window.store.apply(c);
    await window.store.apply(p);
    const dup = await window.store.apply(p);
    const bad = await window.store.apply({ ...p, id: 'p2', amount: 5 });
    const backup = await window.store.exportBackup();
    return { dup, bad, entries: backup.entries.length, seq: window.store.seq };
  }, [customer('c1'), payment('p1')]);
  assert.equal(result.dup.duplicate, true);
  assert.equal(result.bad.error.code, 'invalid_amount');
  assert.equal(result.entries, 2);
  assert.equal(result.seq, 2);
  await context.close();
});

test('a full quota is a clear error, the state stays as stored, and nothing is lost', async () => {
  const { context, page } = await freshPage('quota');
  const r = await page.evaluate(async ([c, p1, p2]) => {
    const s = window.store;
    await s.apply(c);
    await s.apply(p1);
    window.faults.quota = true;
    const failed = await s.apply(p2);
    const afterFail = { seq: s.seq, balance: s.query({ type: 'balance', customer: 'c1' }) };
    window.faults.quota = false;
    const retried = await s.apply(p2);
    return { failed, afterFail, retried, seq: s.seq };
  }, [customer('c1'), payment('p1'), payment('p2', '20.00')]);
  assert.equal(r.failed.ok, false);
  assert.equal(r.failed.error.code, 'storage_failed');
  assert.match(r.failed.error.message, /quota/);
  assert.equal(r.afterFail.seq, 2, 'the engine went back to what storage holds');
  assert.equal(r.afterFail.balance.credit, '10.00');
  assert.equal(r.retried.ok, true);
  assert.equal(r.retried.duplicate, false, 'the failed command was never recorded');
  await page.reload();
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready');
  const stored = await page.evaluate(async () => {
    const s = await window.storeModule.openStore({ name: 'quota' });
    return { seq: s.seq, balance: s.query({ type: 'balance', customer: 'c1' }) };
  });
  assert.equal(stored.seq, 3);
  assert.equal(stored.balance.credit, '30.00');
  await context.close();
});

test('a failed batch write: accepted commands fail, refusals stay refusals, nothing is half-stored', async () => {
  const { context, page } = await freshPage('batch-fault');
  const r = await page.evaluate(async ([c, p1, p2, bad]) => {
    const s = window.store;
    await s.apply(c);
    window.faults.abort = true;
    const answers = await s.applyMany([p1, bad, p2]);
    window.faults.abort = false;
    const again = await s.applyMany([p1, p2]);
    return { answers, again, seq: s.seq, credit: s.query({ type: 'balance', customer: 'c1' }).credit };
  }, [customer('c1'), payment('p1'), payment('p2', '20.00'), payment('p3', '-5')]);
  assert.deepEqual(r.answers.map((a) => a.ok ? 'ok' : a.error.code), ['storage_failed', 'invalid_amount', 'storage_failed']);
  assert.deepEqual(r.again.map((a) => a.ok && !a.duplicate), [true, true], 'the failed commands were never recorded');
  assert.equal(r.seq, 3);
  assert.equal(r.credit, '30.00');
  await context.close();
});

test('an aborted write transaction rolls the engine back too', async () => {
  const { context, page } = await freshPage('abort');
  const r = await page.evaluate(async ([c, p1]) => {
    const s = window.store;
    await s.apply(c);
    window.faults.abort = true;
    const failed = await s.apply(p1);
    window.faults.abort = false;
    return { failed, seq: s.seq, credit: s.query({ type: 'balance', customer: 'c1' }).credit };
  }, [customer('c1'), payment('p1')]);
  assert.equal(r.failed.error.code, 'storage_failed');
  assert.equal(r.seq, 1);
  assert.equal(r.credit, '0.00');
  await context.close();
});

test('two pages writing at once lose nothing, and each sees the other', async () => {
  const context = await browser.newContext();
  const [a, b] = [await context.newPage(), await context.newPage()];
  for (const page of [a, b]) {
    await harness(page, url);
    await page.evaluate(async () => { window.store = await window.storeModule.openStore({ name: 'two-tabs' }); });
  }
  await a.evaluate((c) => window.store.apply(c), customer('c1'));
  const burst = (page, prefix) => page.evaluate(async (prefix) => {
    const made = [];
    for (let i = 0; i < 40; i++) {
      made.push(window.store.apply({ type: 'record_payment', id: `${prefix}${i}`, customer: 'c1', amount: '1.00', method: 'cash', date: '2026-01-05' }));
    }
    return (await Promise.all(made)).map((x) => x.ok && !x.duplicate);
  }, prefix);
  const [ra, rb] = await Promise.all([burst(a, 'a'), burst(b, 'b')]);
  assert.ok(ra.every(Boolean) && rb.every(Boolean), 'every payment acknowledged');
  for (const page of [a, b]) {
    await page.waitForFunction(() => window.store.seq === 81, null, { timeout: 5000 });
    const credit = await page.evaluate(() => window.store.query({ type: 'balance', customer: 'c1' }).credit);
    assert.equal(credit, '80.00');
  }
  await context.close();
});

test('export then import gives the same ledger; a bad backup changes nothing', async () => {
  const { context, page } = await freshPage('export');
  const r = await page.evaluate(async ([c]) => {
    const s = window.store;
    await s.apply(c);
    await s.apply({ type: 'issue_invoice', id: 'i1', customer: 'c1', date: '2026-02-01', lines: [{ description: 'Desk', unit_price: '120.00', tax_rate: '0.20' }] });
    await s.apply({ type: 'record_payment', id: 'p1', customer: 'c1', amount: '50.00', method: 'card', date: '2026-02-03' });
    const backup = await s.exportBackup();
    const target = await window.storeModule.openStore({ name: 'import' });
    const progress = [];
    await target.importBackup(JSON.parse(JSON.stringify(backup)), { onProgress: (d, t) => progress.push([d, t]) });
    const same = JSON.stringify(target.query({ type: 'statement', customer: 'c1' })) === JSON.stringify(s.query({ type: 'statement', customer: 'c1' }));
    const broken = JSON.parse(JSON.stringify(backup));
    broken.entries[2].command.amount = 50;
    let refusal = null;
    try { await target.importBackup(broken); } catch (e) { refusal = { code: e.code, message: e.message }; }
    const reopened = await window.storeModule.openStore({ name: 'import' });
    return { same, refusal, progressEnd: progress.at(-1), seq: reopened.seq, invoice: reopened.query({ type: 'invoice', invoice: 'i1' }) };
  }, [customer('c1')]);
  assert.ok(r.same, 'the imported ledger answers like the original');
  assert.equal(r.refusal?.code, 'invalid_backup');
  assert.match(r.refusal.message, /entry 3/);
  assert.deepEqual(r.progressEnd, [3, 3]);
  assert.equal(r.seq, 3, 'the refused import changed nothing');
  assert.equal(r.invoice.amount_due, '94.00');
  await context.close();
});

test('killing the browser in the middle of a burst loses no acknowledged command', async (t) => {
  const dir = tempDir('crash-');
  let context = await launchPersistent(dir);
  const acked = [];
  let page = await context.newPage();
  await page.exposeFunction('ack', (id) => { acked.push(id); });
  await harness(page, url);
  await page.evaluate(async (c) => {
    window.store = await window.storeModule.openStore({ name: 'crash', snapshotEvery: 25 });
    await window.store.apply(c);
  }, customer('c1'));
  // Fire a long burst without waiting for it; kill the browser once enough are acknowledged.
  page.evaluate(async () => {
    for (let i = 0; i < 2000; i++) {
      const a = await window.store.apply({ type: 'record_payment', id: `p${i}`, customer: 'c1', amount: '1.00', method: 'cash', date: '2026-01-05' });
      if (a.ok) await window.ack(`p${i}`);
    }
  }).catch(() => {});
  const deadline = Date.now() + 30_000;
  while (acked.length < 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(acked.length >= 60, 'the burst got going');
  // A real crash: SIGKILL every Chromium process of this profile (a persistent context
  // gives no process handle).
  execFileSync('pkill', ['-KILL', '-f', '--', dir]);
  await context.close().catch(() => {});
  context = await launchPersistent(dir);
  page = await context.newPage();
  await harness(page, url);
  const after = await page.evaluate(async () => {
    const s = await window.storeModule.openStore({ name: 'crash' });
    const statement = s.query({ type: 'statement', customer: 'c1' });
    const totals = s.query({ type: 'trial_balance' }).totals;
    return { seq: s.seq, refs: statement.entries.map((e) => e.ref), credit: s.query({ type: 'balance', customer: 'c1' }).credit, totals };
  });
  t.diagnostic(`acknowledged before the kill: ${acked.length}; present after reopening: ${after.refs.length}`);
  const present = new Set(after.refs);
  for (const id of acked) assert.ok(present.has(id), `acknowledged ${id} is missing after the crash`);
  // What is there is a gap-free prefix of what was sent, and the books agree with it.
  assert.deepEqual(after.refs, Array.from({ length: after.refs.length }, (_, i) => `p${i}`));
  assert.equal(after.seq, after.refs.length + 1);
  assert.equal(after.credit, `${after.refs.length}.00`);
  assert.ok(after.totals.every((t) => /^0\.00$/.test(t.total)));
  await context.close();
});
