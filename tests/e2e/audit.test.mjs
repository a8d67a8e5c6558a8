// What an outside audit of the panel found (session 14, h-walk), each worked as an
// operator would: an invoice document whose totals add up when part of it was written
// off, no correction offered on an invoice that can only refuse it, and credit named in
// words where it settled an invoice. Expected figures are the engine's answers,
// formatted with the page's own formatter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, startServer } from '../browser/browser.mjs';
import { openPanel, go } from './panel-helpers.mjs';

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

const query = (page, q) => page.evaluate((x) => window.tally.store.query(x), q);
const shown = (page, amount, currency) => page.evaluate(async ([a, c]) => (await import('/ui/format.js')).money(a, c), [amount, currency]);

/** Applies `commands` through the panel's store; fails on a refusal. */
async function applyAll(page, commands) {
  const answers = await page.evaluate(async (list) => {
    const out = [];
    for (const c of list) out.push(await window.tally.store.apply({ at: new Date().toISOString(), ...c }));
    return out;
  }, commands);
  for (const a of answers) assert.equal(a.ok, true, JSON.stringify(a));
  return answers;
}

/** The invoice document's totals table as [label, amount] rows. */
function totalsRows(page) {
  return page.locator('#invoice-totals tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th').textContent, r.querySelector('td').textContent]));
}

/** Opens an invoice's page afresh (the page renders once per visit). */
async function openInvoice(page, id) {
  await go(page, '/customers');
  await go(page, `/invoices/${encodeURIComponent(id)}`);
  await page.locator('#invoice-doc').waitFor();
}

test('a written-off invoice shows what was written off, so its totals add up to the amount due (also once a bounced payment re-opens it)', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-wo', name: 'Gone Member', currency: 'EUR' },
    { type: 'add_credit', id: 'crd-wo', customer: 'cus-wo', amount: '20.00', date: '2026-01-01', reason: 'Heating outage' },
    { type: 'issue_invoice', id: 'inv-wo', customer: 'cus-wo', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00', tax_rate: '0.2' }] },
    { type: 'record_payment', id: 'pay-wo', customer: 'cus-wo', amount: '40.00', currency: 'EUR', method: 'cheque', date: '2026-01-10' },
    { type: 'write_off_invoice', id: 'wo-wo', invoice: 'inv-wo', date: '2026-03-01', reason: 'Left without paying' },
  ]);
  const m = (v) => shown(page, v, 'EUR');
  const fromTotal = async () => {
    const rows = await totalsRows(page);
    return rows.slice(rows.findIndex(([label]) => label === 'Total'));
  };

  let inv = await query(page, { type: 'invoice', invoice: 'inv-wo' });
  assert.equal(inv.written_off, '60.00');
  await openInvoice(page, 'inv-wo');
  assert.deepEqual(await fromTotal(), [
    ['Total', await m(inv.total)],
    ['Credit applied', `−${await m(inv.credit_applied)}`],
    ['Paid', `−${await m(inv.paid)}`],
    ['Written off', `−${await m(inv.written_off)}`],
    ['Amount due', await m(inv.amount_due)],
  ]);

  // The cheque bounces: the part it paid is owed again, the write-off stands.
  await applyAll(page, [{ type: 'void_payment', id: 'vp-wo', payment: 'pay-wo', date: '2026-03-05', reason: 'Cheque bounced' }]);
  inv = await query(page, { type: 'invoice', invoice: 'inv-wo' });
  assert.equal(inv.amount_due, '40.00');
  await openInvoice(page, 'inv-wo');
  assert.deepEqual(await fromTotal(), [
    ['Total', await m(inv.total)],
    ['Credit applied', `−${await m(inv.credit_applied)}`],
    ['Written off', `−${await m(inv.written_off)}`],
    ['Amount due', await m(inv.amount_due)],
  ]);
  await close();
});
