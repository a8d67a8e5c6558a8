// The rough edges a new user hit (issue 11, item 4), each worked as an operator would:
// hidden elements stay hidden, "Add payment" from an invoice fills in what it asks, an
// amount far above the customer's usual invoices asks for a second look, a tax rate
// above 100 % is questioned, and the printed invoice shows no internal id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshotPath, startServer } from '../browser/browser.mjs';
import { openPanel, go, createCustomer, fillPayment, fillLine, text } from './panel-helpers.mjs';
import { compareDecimals, shift } from '../../www/ui/decimal.js';

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

const open = (route, options) => openPanel(browser, url, route, options);

/** The largest invoice (engine totals) of `customer` in `currency` over the year before today. */
async function largestRecentInvoice(page, customer, currency) {
  const list = await page.evaluate(([c, cur]) => {
    const { store, today } = window.tally;
    const since = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
    return store.query({ type: 'invoices', customer: c, currency: cur }).invoices
      .filter((i) => i.status !== 'void' && i.date > since && i.date <= today);
  }, [customer, currency]);
  return list.sort((a, b) => compareDecimals(b.total, a.total))[0];
}

test('"Save payment" is gone once saved, and the Data page shows no empty progress bar', async () => {
  const { page, close } = await open('/data');
  const progress = page.locator('#import-progress');
  assert.equal(await progress.getAttribute('hidden'), '');
  assert.equal(await progress.isVisible(), false, 'no progress bar before an import');

  await createCustomer(page, 'Hidden Button', 'EUR');
  await page.locator('main').getByRole('link', { name: 'Add payment' }).click();
  await fillPayment(page, { amount: '25.00' });
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#save-payment').isVisible(), false, '"Save payment" is hidden after saving');
  assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('save-payment')).display), 'none');
  // "Add another payment" brings it back.
  await page.getByRole('button', { name: 'Add another payment' }).click();
  assert.equal(await page.locator('#save-payment').isVisible(), true);
  await close();
});

test('"Add payment" from an invoice fills in its amount due and pays that invoice', async () => {
  const { page, close } = await open('/customers');
  const invoice = await page.evaluate(() => window.tally.store.query({ type: 'invoices', status: 'open' }).invoices
    .find((i) => i.status === 'partially_paid') ?? window.tally.store.query({ type: 'invoices', status: 'open' }).invoices[0]);
  assert.ok(invoice, 'the demo has an open invoice');
  await go(page, `/invoices/${encodeURIComponent(invoice.id)}`);
  await page.locator('#invoice-doc').waitFor();
  await page.locator('main').getByRole('link', { name: 'Add payment' }).click();
  await page.locator('#payment-form').waitFor();
  const form = page.locator('#payment-form');
  assert.equal(await form.getByLabel('Amount').inputValue(), invoice.amount_due);
  assert.equal(await page.locator(`#open-invoice-list input[value="${invoice.id}"]`).isChecked(), true);
  assert.match(await text(page, '#payment-plan'), new RegExp(`${invoice.number}: .*paid in full`));
  await page.screenshot({ path: screenshotPath('payment-from-invoice') });
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });
  const after = await page.evaluate((id) => window.tally.store.query({ type: 'invoice', invoice: id }), invoice.id);
  assert.equal(after.status, 'paid');
  await close();
});

test('a payment far above the customer\'s usual invoices asks first; cancelling records nothing', async () => {
  const { page, close } = await open('/customers');
  const customer = 'cus-lovelace';
  const largest = await largestRecentInvoice(page, customer, 'EUR');
  assert.ok(largest, 'Ada Lovelace has invoices in the last year');
  const seq = await page.evaluate(() => window.tally.store.seq);

  await go(page, `/payments/new?customer=${customer}&currency=EUR`);
  await page.locator('#payment-form').waitFor();
  // Ten times the largest is still usual: no warning.
  const tenTimes = shift(largest.total, 1);
  await fillPayment(page, { amount: tenTimes });
  assert.equal(await page.locator('#amount-warning').count(), 0, `${tenTimes} (ten times ${largest.total}) is not questioned`);
  // A digit more is.
  await fillPayment(page, { amount: `${largest.total.split('.')[0]}00.00` });
  const warning = await text(page, '#amount-warning');
  assert.match(warning, /more than ten times the largest invoice Ada Lovelace received in the last 12 months/);
  assert.match(warning, new RegExp(largest.number));

  await page.locator('#save-payment').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Record a payment of €[\d,]+\.00\?/);
  await page.screenshot({ path: screenshotPath('payment-unusual-amount') });
  await dialog.getByRole('button', { name: 'No, correct the amount' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.name), 'amount', 'back to the amount');
  assert.equal(await page.evaluate(() => window.tally.store.seq), seq, 'nothing recorded');
  assert.equal(await page.locator('#payment-result').isVisible(), false);

  // Confirmed, it is recorded.
  await page.locator('#save-payment').click();
  await page.getByRole('dialog').getByRole('button', { name: /^Yes, record/ }).click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => window.tally.store.seq), seq + 1);
  await close();
});

test('with no invoice history, a large credit asks first; a usual one does not', async () => {
  const { page, close } = await open('/data');
  // An empty ledger: nothing to compare with, so the fixed limit applies.
  await page.locator('#start-empty').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Empty the ledger' }).click();
  await page.waitForFunction(() => window.tally.store.seq === 0);
  const id = await createCustomer(page, 'First Member', 'USD');
  await go(page, `/corrections?customer=${encodeURIComponent(id)}&action=add_credit`);
  const area = page.locator('#correction-area');
  await area.getByLabel('Amount').fill('250000');
  await area.getByLabel('Reason').fill('Opening balance');
  await area.getByRole('button', { name: 'Add credit' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /no invoice in USD in the last 12 months to compare with, and \$250,000\.00 is more than \$10,000\.00/);
  await dialog.getByRole('button', { name: 'No, correct the amount' }).click();
  await area.getByLabel('Amount').fill('250.00');
  await area.getByRole('button', { name: 'Add credit' }).click();
  await area.locator('.result').waitFor({ state: 'visible' });
  assert.match(await area.locator('.result').innerText(), /Credit of \$250\.00 added/);
  await close();
});

test('a tax rate above 100% is flagged while typing and asked again before issuing', async () => {
  const { page, close } = await open('/customers');
  const id = await createCustomer(page, 'Rate Checker', 'EUR');
  await go(page, `/invoices/new?customer=${encodeURIComponent(id)}`);
  await page.locator('#invoice-form').waitFor();
  await fillLine(page, 1, { description: 'Hot desk', unitPrice: '100.00', tax: '15' });
  assert.equal(await page.locator('#tax-rate-warning').isVisible(), false);
  await fillLine(page, 1, { tax: '150' });
  await page.locator('#preview-total').waitFor();
  assert.match(await text(page, '#tax-rate-warning'), /A tax rate above 100% is unusual: line 1 \(150%\)/);
  assert.equal(await text(page, '#preview-total'), '€250.00', 'the preview shows what 150% would do');
  await page.screenshot({ path: screenshotPath('invoice-high-tax-rate') });

  const seq = await page.evaluate(() => window.tally.store.seq);
  await page.locator('#issue-invoice').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /line 1 \(150%\)/);
  await dialog.getByRole('button', { name: 'No, go back to the lines' }).click();
  assert.equal(await page.evaluate(() => window.tally.store.seq), seq, 'nothing issued');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label') ?? document.activeElement.labels?.[0]?.textContent), 'Tax %, line 1');

  await fillLine(page, 1, { tax: '15' });
  assert.equal(await page.locator('#tax-rate-warning').isVisible(), false);
  await page.locator('#issue-invoice').click();
  await page.waitForFunction(() => location.hash.startsWith('#/invoices/inv-'));
  assert.equal(await page.evaluate(() => window.tally.store.seq), seq + 1);
  await close();
});

test('the printed invoice names the customer (and e-mail), never the internal id', async () => {
  const { page, close } = await open('/customers');
  const id = await createCustomer(page, 'Printed Person', 'EUR', 'printed@example.com');
  await go(page, `/invoices/new?customer=${encodeURIComponent(id)}`);
  await fillLine(page, 1, { description: 'Dedicated desk', unitPrice: '320.00', tax: '20' });
  await page.locator('#preview-total').waitFor();
  await page.locator('#issue-invoice').click();
  await page.locator('#invoice-doc').waitFor();
  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => document.body.innerText);
  assert.ok(!printed.includes(id), `the printed page does not show ${id}`);
  assert.match(await text(page, '#bill-to'), /Printed Person\n+printed@example\.com/);
  await page.screenshot({ path: screenshotPath('invoice-print'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await close();
});

test('the Data page empties the ledger, then resets it to the demo space (backups built by the store)', async () => {
  const { page, close } = await open('/data');
  const demo = await page.evaluate(() => window.tally.store.seq);
  await page.locator('#start-empty').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Empty the ledger' }).click();
  await page.waitForFunction(() => window.tally.store.seq === 0);
  assert.match(await text(page, '#import-status'), /Empty ledger: done, 0 records/);
  await page.locator('#reset-demo').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Reset to the demo' }).click();
  await page.waitForFunction((n) => window.tally.store.seq === n, demo);
  assert.match(await text(page, '#import-status'), new RegExp(`Reset to the demo: done, ${demo} records`));
  assert.equal(await page.locator('#import-progress').isVisible(), true, 'the progress bar shows once an import ran');
  await close();
});
