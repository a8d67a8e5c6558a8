// The Invoices and Payments screens: everyone's invoices (open, or issued in a period)
// and money received in a period with its totals per currency and method. Every figure
// checked is the engine's answer, formatted by the page's own formatter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { launch, startServer } from '../browser/browser.mjs';
import { openPanel, go, axeViolations, applyAll, shown } from './panel-helpers.mjs';

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


/** Sets a date field by its label and lets the screen hear the change. */
async function setDate(page, label, value) {
  const input = page.locator('main').getByLabel(label, { exact: true });
  await input.fill(value);
  await input.dispatchEvent('change');
}

const MARCH = [
  { type: 'create_customer', id: 'cus-l1', name: 'List Member', currency: 'EUR' },
  { type: 'create_customer', id: 'cus-l2', name: 'List Company', currency: 'USD' },
  { type: 'issue_invoice', id: 'inv-l1', customer: 'cus-l1', date: '2031-03-01', lines: [{ description: 'Desk, March', unit_price: '100.00' }] },
  { type: 'issue_invoice', id: 'inv-l2', customer: 'cus-l2', date: '2031-03-02', lines: [{ description: 'Office, March', unit_price: '900.00' }] },
  { type: 'record_payment', id: 'pay-l1', customer: 'cus-l1', amount: '60.00', currency: 'EUR', method: 'card', date: '2031-03-10' },
  { type: 'record_payment', id: 'pay-l2', customer: 'cus-l2', amount: '900.00', currency: 'USD', method: 'bank_transfer', date: '2031-03-05', reference: 'WIRE 7781' },
  { type: 'record_payment', id: 'pay-l3', customer: 'cus-l1', amount: '25.00', currency: 'EUR', method: 'cheque', date: '2031-03-25' },
  { type: 'void_payment', id: 'vp-l3', payment: 'pay-l3', date: '2031-04-02', reason: 'Cheque bounced' },
];

test('Payments received lists a period\'s payments newest first, with the engine\'s totals per currency and method (a voided one listed, not counted)', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, MARCH);
  await go(page, '/payments');
  await page.locator('h1', { hasText: 'Payments received' }).waitFor();
  await setDate(page, 'Received from', '2031-03-01');
  await setDate(page, 'Received to', '2031-03-31');
  await page.locator('#payments-list').waitFor();
  const answer = await page.evaluate(() => window.tally.store.query({ type: 'payments', from: '2031-03-01', to: '2031-03-31' }));
  assert.deepEqual(answer.payments.map((p) => p.id), ['pay-l2', 'pay-l1', 'pay-l3']);
  const rows = await page.locator('#payments-list tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.equal(rows.length, 3);
  assert.equal(rows[0][5], await shown(page, '25.00', 'EUR'));
  assert.equal(rows[0][4], 'Voided');
  assert.equal(rows[1][4], await page.evaluate(() => window.tally.store.query({ type: 'invoice', invoice: 'inv-l1' }).number), 'what it settled, by number');
  assert.equal(rows[2][3], 'WIRE 7781');
  // A reference from the bank statement finds its payment; the totals stay the period's.
  await page.locator('#payment-search').fill('wire 77');
  await page.locator('#payment-list p.hint', { hasText: '1 of 3 payments match the search.' }).waitFor();
  assert.equal(await page.locator('#payments-list tbody tr').count(), 1);
  assert.equal(await page.locator('#received-totals tbody tr').count(), 2);
  await page.locator('#payment-search').fill('');
  const totals = await page.locator('#received-totals tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.deepEqual(totals, [
    ['Card, EUR', '1', await shown(page, '60.00', 'EUR')],
    ['Bank transfer, USD', '1', await shown(page, '900.00', 'USD')],
  ]);
  assert.deepEqual(answer.totals.map((t) => [t.currency, t.method, t.count, t.amount]), [['EUR', 'card', 1, '60.00'], ['USD', 'bank_transfer', 1, '900.00']]);
  assert.deepEqual(await axeViolations(page), []);

  // The CSV holds every payment of the period, oldest first, and the engine's totals.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  assert.equal(download.suggestedFilename(), 'payments-from-2031-03-01-to-2031-03-31.csv');
  const lines = (await readFile(await download.path(), 'utf8')).split('\r\n');
  assert.deepEqual(lines.slice(3, 7), [
    'Date,Payment,Customer id,Customer,Currency,Method,Reference,Amount,Credit kept,Voided by',
    '2031-03-05,pay-l2,cus-l2,List Company,USD,bank_transfer,WIRE 7781,900.00,0.00,',
    '2031-03-10,pay-l1,cus-l1,List Member,EUR,card,,60.00,0.00,',
    '2031-03-25,pay-l3,cus-l1,List Member,EUR,cheque,,25.00,0.00,vp-l3',
  ]);
  assert.deepEqual(lines.slice(8, 11), ['Currency,Method,Payments that stand,Amount', 'EUR,card,1,60.00', 'USD,bank_transfer,1,900.00']);

  // "Last month" fills in the calendar month before today's, and the list is the engine's for it.
  await page.getByRole('button', { name: 'Last month' }).click();
  const [first, last] = await page.evaluate(() => {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    const end = new Date(now.getFullYear(), now.getMonth(), 0);
    return [`${end.getFullYear()}-${pad(end.getMonth() + 1)}-01`, `${end.getFullYear()}-${pad(end.getMonth() + 1)}-${pad(end.getDate())}`];
  });
  assert.equal(await page.locator('main').getByLabel('Received from', { exact: true }).inputValue(), first);
  assert.equal(await page.locator('main').getByLabel('Received to', { exact: true }).inputValue(), last);
  const lastMonth = await page.evaluate(([from, to]) => window.tally.store.query({ type: 'payments', from, to }).payments.length, [first, last]);
  assert.ok(lastMonth > 0, 'the demo received payments last month');
  assert.equal(await page.locator('#payments-list tbody tr').count(), Math.min(lastMonth, 500));

  // A period with nothing received says so.
  await setDate(page, 'Received from', '2031-05-01');
  await setDate(page, 'Received to', '2031-05-31');
  await page.locator('#payment-list p.empty').waitFor();
  await close();
});

test('Invoices lists everyone\'s open invoices, or those issued in a period, newest first, each linking to its page', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, MARCH);
  await go(page, '/invoices');
  await page.locator('#invoices-table').waitFor();
  const open = await page.evaluate(() => window.tally.store.query({ type: 'invoices', status: 'open' }).invoices);
  assert.ok(open.some((i) => i.id === 'inv-l1'), 'inv-l1 still owes 40.00');
  assert.ok(!open.some((i) => i.id === 'inv-l2'), 'inv-l2 is paid');
  const shownCount = await page.locator('#invoices-table tbody tr').count();
  assert.equal(shownCount, Math.min(open.length, 500));
  const first = await page.locator('#invoices-table tbody tr').first().locator('th').innerText();
  assert.equal(first, open[open.length - 1].number, 'newest first');

  // Overdue: the engine's open invoices due before today (the demo has some).
  await page.locator('main').getByLabel('Show').selectOption('overdue');
  const today = await page.evaluate(async () => (await import('/ui/format.js')).todayISO());
  const overdue = open.filter((i) => i.due_date < today);
  assert.ok(overdue.length > 0 && overdue.length < open.length, `some open invoices are overdue (${overdue.length} of ${open.length})`);
  await page.locator('#invoice-list p.hint', { hasText: new RegExp(`^${overdue.length} invoices?`) }).waitFor();
  assert.deepEqual(await page.locator('#invoices-table tbody th').allInnerTexts(), overdue.map((i) => i.number).reverse().slice(0, 500));

  await page.locator('main').getByLabel('Show').selectOption('all');
  await setDate(page, 'Issued from', '2031-03-01');
  await setDate(page, 'Issued to', '2031-03-31');
  await page.locator('#invoice-list p.hint', { hasText: /^2 invoices$/ }).waitFor();
  const rows = await page.locator('#invoices-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  const period = await page.evaluate(() => window.tally.store.query({ type: 'invoices', from: '2031-03-01', to: '2031-03-31' }).invoices);
  assert.deepEqual(rows.map((r) => r[0]), period.map((i) => i.number).reverse());
  assert.equal(rows[0][4], 'Paid');
  assert.equal(rows[1][6], await shown(page, '40.00', 'EUR'));
  // The search keeps the rows whose number or customer holds the words.
  await page.locator('#invoice-search').fill('list comp');
  await page.locator('#invoice-list p.hint', { hasText: /^1 invoice$/ }).waitFor();
  assert.deepEqual(await page.locator('#invoices-table tbody th').allInnerTexts(), [rows[0][0]]);
  await page.locator('#invoice-search').fill('');
  assert.deepEqual(await axeViolations(page), []);
  await page.locator('#invoices-table tbody tr').nth(1).locator('th a').click();
  await page.locator('#invoice-doc').waitFor();
  await close();
});

test('Customers downloads every customer\'s balances per currency as CSV, as the engine answers them', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-csv', name: 'Smith, "Bob" & Co', currency: 'EUR', email: 'bob@example.com' },
    { type: 'record_payment', id: 'pay-csv', customer: 'cus-csv', amount: '12.50', currency: 'USD', method: 'cash', date: '2031-01-02' },
  ]);
  await go(page, '/data');
  await go(page, '/customers');
  await page.locator('#customer-search').fill('Smith');
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  const lines = (await readFile(await file.path(), 'utf8')).split('\r\n');
  const answer = await page.evaluate(() => window.tally.store.query({ type: 'customers' }).customers);
  assert.equal(lines.length, 1 + answer.reduce((n, c) => n + c.balances.length, 0) + 1, 'every customer, not only those the search shows');
  assert.ok(lines.includes('cus-csv,"Smith, ""Bob"" & Co",bob@example.com,EUR,USD,0.00,12.50,-12.50'), lines.filter((l) => l.startsWith('cus-csv')).join('\n'));
  await close();
});
