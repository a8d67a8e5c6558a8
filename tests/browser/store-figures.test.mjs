// The first screen's figures (issue 13): the engine's answers kept once writes pause and
// given to the next open before the engine is restored, only when they are the books'
// at the stored head. Against Chromium's real IndexedDB.
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

async function freshPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await harness(page, url);
  await page.evaluate(() => {
    window.customer = (id) => ({ type: 'create_customer', id, name: `Customer ${id}`, currency: 'EUR' });
    window.payment = (id, amount) => ({ type: 'record_payment', id, customer: 'c1', amount, method: 'card', date: '2026-01-05' });
    window.firstScreen = [{ type: 'balance', customer: 'c1' }, { type: 'trial_balance' }];
    // Opens with the first screen's queries; notes what `onFigures` gave and whether the
    // open had finished by then.
    window.openNoting = async (name, figures = window.firstScreen) => {
      const seen = { called: 0, openDone: false };
      const opening = window.storeModule.openStore({
        name,
        figures,
        onFigures: (f) => {
          seen.called++;
          seen.openDone = seen.opened === true;
          seen.seq = f.seq;
          seen.answers = figures.map((q) => f.answer(q));
          seen.reordered = f.answer({ customer: 'c1', type: 'balance' });
          seen.notKept = f.answer({ type: 'balance', customer: 'nobody' });
        },
      });
      const store = await opening;
      seen.opened = true;
      await store.figuresKept;
      return { store, seen };
    };
  });
  return { context, page };
}

test('the figures kept after the writes are given to the next open before it ends, and equal the engine\'s answers there', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const { store: first, seen: none } = await window.openNoting('figures');
    await first.apply(window.customer('c1'));
    await first.apply(window.payment('p1', '100.00'));
    await first.applyMany([window.payment('p2', '5.50'), window.payment('p3', '0.25')]);
    const seq = first.seq;
    await first.figuresKept; // stored once writes pause
    first.close();
    const { store, seen } = await window.openNoting('figures');
    const engine = window.firstScreen.map((q) => store.query(q));
    store.close();
    return { noneAtFirst: none.called, seq, seen, engine };
  });
  assert.equal(r.noneAtFirst, 0, 'a new database has no figures');
  assert.equal(r.seen.called, 1);
  assert.equal(r.seen.openDone, false, 'given before the open ended');
  assert.equal(r.seen.seq, r.seq);
  assert.deepEqual(r.seen.answers, r.engine, 'the stored answers are the engine\'s at that seq');
  assert.equal(r.engine[0].credit, '105.75');
  assert.deepEqual(r.seen.reordered, r.engine[0], 'a query\'s key order doesn\'t matter');
  assert.equal(r.seen.notKept, undefined, 'a query not kept has no stored answer');
  await context.close();
});

test('figures not bound to the stored head are never given; the open stores fresh ones', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const { store: a } = await window.openNoting('stale');
    await a.apply(window.customer('c1'));
    await a.apply(window.payment('p1', '10.00'));
    await a.figuresKept;
    a.close();
    // A page that keeps no figures writes: the head moves past the stored figures.
    const b = await window.storeModule.openStore({ name: 'stale' });
    await b.apply(window.payment('p2', '1.00'));
    const headSeq = b.seq;
    b.close();
    const stored = await window.raw.get('stale', 'meta', 'figures');
    const { store: c, seen: afterMove } = await window.openNoting('stale');
    const engine = c.query(window.firstScreen[0]);
    c.close();
    const { store: d, seen: refreshed } = await window.openNoting('stale');
    d.close();
    // A page keeping other queries gets the figures for the head all the same (`answer`
    // is undefined for a query not kept), and its open stores its own.
    const { store: e, seen: otherQueries } = await window.openNoting('stale', [{ type: 'balance', customer: 'c1' }]);
    e.close();
    return { storedSeq: stored.seq, headSeq, afterMove, engine, refreshed, otherQueries };
  });
  assert.ok(r.storedSeq < r.headSeq, 'the stored figures are behind the head');
  assert.equal(r.afterMove.called, 0, 'figures behind the head are not given');
  assert.equal(r.refreshed.called, 1, 'the open before stored figures for the head');
  assert.equal(r.refreshed.seq, r.headSeq);
  assert.deepEqual(r.refreshed.answers[0], r.engine);
  assert.equal(r.engine.credit, '11.00');
  assert.equal(r.otherQueries.called, 1, 'figures for the head are given');
  await context.close();
});

test('a tab closed right after a write leaves figures behind the head: the next open waits for the engine', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const { store } = await window.openNoting('closed-early');
    await store.apply(window.customer('c1'));
    await store.figuresKept;
    await store.apply(window.payment('p1', '10.00'));
    store.close(); // before the pause after the write
    const { store: again, seen } = await window.openNoting('closed-early');
    const balance = again.query(window.firstScreen[0]);
    again.close();
    return { called: seen.called, balance };
  });
  assert.equal(r.called, 0, 'figures of the head before the last write are not given');
  assert.equal(r.balance.credit, '10.00', 'the engine has the write');
  await context.close();
});

test('a tab hidden right after a write keeps the figures of the new head at once', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const { store } = await window.openNoting('hidden-early');
    await store.apply(window.customer('c1'));
    await store.figuresKept;
    // From here the store's quiet-time timer never fires: only the hide can keep figures.
    const realSetTimeout = window.setTimeout;
    window.setTimeout = (fn, ms, ...rest) => (ms >= 1000 ? 0 : realSetTimeout(fn, ms, ...rest));
    await store.apply(window.payment('p1', '10.00'));
    // The tab is hidden (switched away from, or being closed) within the quiet time.
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    const started = store.figuresPending === null;
    if (started) await store.figuresKept;
    store.close();
    window.setTimeout = realSetTimeout;
    delete document.visibilityState;
    const { store: again, seen } = await window.openNoting('hidden-early');
    const engine = window.firstScreen.map((q) => again.query(q));
    again.close();
    return { seen, engine, started };
  });
  assert.ok(r.started, 'hiding the tab stored the figures without waiting for the quiet time');
  assert.equal(r.seen.called, 1, 'the figures of the head after the last write are given');
  assert.equal(r.seen.seq, 2);
  assert.equal(r.seen.answers[0].credit, '10.00');
  assert.deepEqual(r.seen.answers, r.engine, 'they are the engine\'s answers at that head');
  await context.close();
});

test('writes landing while the figures are being made leave only figures of the head', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const { store } = await window.openNoting('interleaved');
    await store.apply(window.customer('c1'));
    // Writes spaced around the pause after which the figures are made, so some land
    // between the steps of making them (which of them does doesn't change the outcome).
    for (let i = 0; i < 5; i++) {
      await store.apply(window.payment(`p${i}`, '1.00'));
      await new Promise((resolve) => setTimeout(resolve, 2990 + i * 3));
    }
    await store.figuresKept;
    const seq = store.seq;
    const engine = window.firstScreen.map((q) => store.query(q));
    store.close();
    const stored = await window.raw.get('interleaved', 'meta', 'figures');
    const { store: again, seen } = await window.openNoting('interleaved');
    again.close();
    return { seq, storedSeq: stored.seq, engine, seen };
  });
  assert.equal(r.storedSeq, r.seq, 'the figures stored are of the last write');
  assert.equal(r.seen.called, 1);
  assert.deepEqual(r.seen.answers, r.engine);
  assert.equal(r.engine[0].credit, '5.00');
  await context.close();
});

test('an imported backup leaves the figures of the new ledger, not the old one\'s', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const { store } = await window.openNoting('imported');
    await store.apply(window.customer('c1'));
    await store.apply(window.payment('p1', '10.00'));
    await store.figuresKept;
    const backup = window.storeModule.backupOf([window.customer('c1'), window.payment('p9', '7.00')]);
    await store.importBackup(backup);
    await store.figuresKept;
    const engine = store.query(window.firstScreen[0]);
    store.close();
    const { store: again, seen } = await window.openNoting('imported');
    again.close();
    return { engine, seen };
  });
  assert.equal(r.engine.credit, '7.00');
  assert.equal(r.seen.called, 1, 'figures of the imported ledger');
  assert.deepEqual(r.seen.answers[0], r.engine);
  await context.close();
});

test('changed figures, or figures of another ledger, are not given', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const { store } = await window.openNoting('tampered');
    await store.apply(window.customer('c1'));
    await store.apply(window.payment('p1', '10.00'));
    await store.figuresKept;
    store.close();
    const record = await window.raw.get('tampered', 'meta', 'figures');
    await window.raw.put('tampered', 'meta', { ...record, text: record.text.replace('10.00', '99.00') });
    const { store: again, seen: edited } = await window.openNoting('tampered');
    again.close();
    // Same text and checksum, another ledger's identity.
    await window.raw.put('tampered', 'meta', { ...record, ledger: 'another-ledger' });
    const { store: third, seen: foreign } = await window.openNoting('tampered');
    third.close();
    return { edited: edited.called, foreign: foreign.called, hadTen: record.text.includes('10.00') };
  });
  assert.equal(r.hadTen, true);
  assert.equal(r.edited, 0, 'an edited record fails its checksum');
  assert.equal(r.foreign, 0, 'figures of another ledger are not this one\'s');
  await context.close();
});

test('figures must be query objects', async () => {
  const { context, page } = await freshPage();
  const r = await page.evaluate(async () => {
    const errors = [];
    for (const figures of ['balance', [null], [['type']]]) {
      try {
        await window.storeModule.openStore({ name: 'bad-figures', figures });
      } catch (e) {
        errors.push(e instanceof TypeError);
      }
    }
    return errors;
  });
  assert.deepEqual(r, [true, true, true]);
  await context.close();
});
