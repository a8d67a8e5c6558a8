// Big books open in the fast engine (engine.js `useFastEngine`: the bulk module, built
// for speed) and answer exactly as the shipped engine does, before and after writes made
// in either. Against Chromium's real IndexedDB; the threshold is lowered to a few
// commands (`openStore({ fastEngineOver })`) so a small ledger takes the big books' path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { harness, launch, startServer } from './browser.mjs';

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

async function pageIn(context) {
  const page = await context.newPage();
  await harness(page, url);
  await page.evaluate(() => {
    window.queries = [
      { type: 'balance', customer: 'c1' },
      { type: 'invoice', invoice: 'i1' },
      { type: 'invoice', invoice: 'i2' },
      { type: 'statement', customer: 'c1' },
      { type: 'trial_balance' },
      { type: 'customers' },
    ];
    window.answers = (store) => JSON.stringify(window.queries.map((q) => store.query(q)));
    window.invoice = (id, price) => ({
      type: 'issue_invoice', id, customer: 'c1', date: '2026-01-01', due_date: '2026-01-15',
      lines: [{ description: 'Desk', quantity: '1', unit_price: price, tax_rate: '0.20' }],
    });
  });
  return page;
}

test('books past the threshold open in the fast engine and answer as the shipped engine does', async () => {
  const context = await browser.newContext();
  try {
    // Written with the shipped engine; a snapshot every 3 commands, so the next open
    // restores one and replays a tail.
    const shippedPage = await pageIn(context);
    const written = await shippedPage.evaluate(async () => {
      const store = await window.storeModule.openStore({ name: 'big', snapshotEvery: 3 });
      for (const c of [
        { type: 'create_customer', id: 'c1', name: 'Ada', currency: 'EUR' },
        window.invoice('i1', '180.00'),
        { type: 'record_payment', id: 'p1', customer: 'c1', amount: '100.00', method: 'card', date: '2026-01-05' },
        window.invoice('i2', '180.00'),
        { type: 'record_payment', id: 'p2', customer: 'c1', amount: '500.00', method: 'card', date: '2026-01-20' },
      ]) {
        const a = await store.apply(c);
        if (!a.ok) throw new Error(JSON.stringify(a));
      }
      await store.snapshotNow?.();
      const out = { kind: window.engineModule.engineKind(), seq: store.seq, answers: window.answers(store) };
      store.close();
      return out;
    });
    assert.equal(written.kind, 'shipped');
    assert.equal(written.seq, 5);

    // Opened past the threshold: the fast engine, the same answers; then a write there.
    const fastPage = await pageIn(context);
    const fast = await fastPage.evaluate(async () => {
      const store = await window.storeModule.openStore({ name: 'big', fastEngineOver: 3 });
      const kind = window.engineModule.engineKind();
      const own = store.ledger instanceof window.engineModule.Ledger;
      const opened = window.answers(store);
      const a = await store.apply({ type: 'issue_credit_note', id: 'n1', customer: 'c1', invoice: 'i1', amount: '12.00', date: '2026-01-21', reason: 'Broken chair' });
      const out = { kind, own, opened, ok: a.ok, seq: store.seq, answers: window.answers(store), answer: JSON.stringify(a) };
      store.close();
      return out;
    });
    assert.equal(fast.kind, 'fast');
    assert.equal(fast.own, false, "the store's ledger is the fast module's");
    assert.equal(fast.opened, written.answers);
    assert.ok(fast.ok, fast.answer);
    assert.equal(fast.seq, 6);

    // Below the threshold again (the default): the shipped engine reads what the fast one
    // wrote, with the same answers, and the same command previews alike in both.
    const backPage = await pageIn(context);
    const back = await backPage.evaluate(async () => {
      const store = await window.storeModule.openStore({ name: 'big' });
      const out = { kind: window.engineModule.engineKind(), answers: window.answers(store) };
      store.close();
      return out;
    });
    assert.equal(back.kind, 'shipped');
    assert.equal(back.answers, fast.answers);
    assert.notEqual(back.answers, written.answers, 'the credit note changed the books');
  } finally {
    await context.close();
  }
});

test('a page whose fast engine fails to load opens its books with the shipped one', async () => {
  const context = await browser.newContext();
  try {
    await context.route('**/pkg/bulk/**', (route) => route.abort());
    const page = await pageIn(context);
    const r = await page.evaluate(async () => {
      const first = await window.storeModule.openStore({ name: 'nofast' });
      await first.apply({ type: 'create_customer', id: 'c1', name: 'Ada', currency: 'EUR' });
      await first.apply(window.invoice('i1', '50.00'));
      const before = window.answers(first);
      first.close();
      const warned = [];
      const warn = console.warn;
      console.warn = (...args) => { warned.push(String(args[0])); };
      try {
        const store = await window.storeModule.openStore({ name: 'nofast', fastEngineOver: 1 });
        const out = { kind: window.engineModule.engineKind(), same: window.answers(store) === before, warned };
        store.close();
        return out;
      } finally {
        console.warn = warn;
      }
    });
    assert.equal(r.kind, 'shipped');
    assert.ok(r.same);
    assert.ok(r.warned.some((w) => w.includes('fast engine could not load')), JSON.stringify(r.warned));
  } finally {
    await context.close();
  }
});
