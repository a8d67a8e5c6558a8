// The admin panel, worked as an operator would, in Chromium. Each test has a fresh
// browser context (so an empty IndexedDB: the panel loads the demo space on first open)
// and fails on any Content-Security-Policy violation, page error, console error or
// browser dialog (alert/confirm). Each saves a screenshot of the screen it checks in
// test-results/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { launch, screenshotPath, startServer } from '../browser/browser.mjs';
import { openPanel as openPanelAt, ready, go, createCustomer } from './panel-helpers.mjs';

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

/** A fresh context on the panel, watched for CSP violations, errors and dialogs. */
const openPanel = (route = '/customers') => openPanelAt(browser, url, route);

/** Fills the payment form (on #/payments/new) and saves it. */
async function fillPayment(page, { customer, amount, method = 'Bank transfer', reference = '', date }) {
  const form = page.locator('#payment-form');
  if (customer) await form.getByLabel('Customer').selectOption({ label: customer });
  await form.getByLabel('Amount').fill(amount);
  await form.getByLabel('Method').selectOption({ label: method });
  if (date) await form.getByLabel('Date received').fill(date);
  if (reference) await form.getByLabel('Reference').fill(reference);
}

/** Fills line `n` (1-based) of the new-invoice form. */
async function fillLine(page, n, { description, quantity, unitPrice, tax, discount }) {
  if (description !== undefined) await page.getByLabel(`Description, line ${n}`).fill(description);
  if (quantity !== undefined) await page.getByLabel(`Quantity, line ${n}`).fill(quantity);
  if (unitPrice !== undefined) await page.getByLabel(`Unit price, line ${n}`).fill(unitPrice);
  if (tax !== undefined) await page.getByLabel(`Tax %, line ${n}`).fill(tax);
  if (discount !== undefined) await page.getByLabel(`Discount %, line ${n}`).fill(discount);
}

const text = (page, selector) => page.locator(selector).innerText();

test('a payment on a zero balance shows as credit, and the next invoice uses it with the right amounts', async () => {
  const { page, close } = await openPanel();
  const id = await createCustomer(page, 'Grace Hopper', 'EUR', 'grace@example.com');
  assert.equal(await text(page, '#summary-balance'), '€0.00\nsettled');

  // Add payment from the customer's ledger: the form knows the customer.
  await page.locator('main').getByRole('link', { name: 'Add payment' }).click();
  await page.locator('#payment-form').waitFor();
  await fillPayment(page, { amount: '100.00', method: 'Card', reference: 'VISA-0042' });
  const plan = await text(page, '#payment-plan');
  assert.match(plan, /Grace Hopper owes nothing in EUR, so all of €100\.00 will be kept as credit/);
  assert.match(plan, /next invoice/);

  // A double click records one payment.
  await page.locator('#save-payment').dblclick();
  await page.locator('#payment-result').waitFor({ state: 'visible' });
  assert.match(await text(page, '#payment-result'), /Payment recorded/);
  assert.equal(await text(page, '#result-credit'), 'Kept as credit: €100.00');
  assert.match(await text(page, '#payment-result'), /It settled no invoice/);
  await page.screenshot({ path: screenshotPath('payment-zero-balance-credit') });

  const stored = await page.evaluate((c) => window.tally.store.query({ type: 'payments', customer: c }).payments, id);
  assert.equal(stored.length, 1, 'one payment, however many clicks');
  // The same command sent again (a retry) is a duplicate and records nothing.
  const resend = await page.evaluate(async () => {
    const backup = await window.tally.store.exportBackup();
    const last = backup.entries[backup.entries.length - 1].command;
    const answer = await window.tally.store.apply(last);
    return { answer, seq: window.tally.store.seq, entries: backup.entries.length };
  });
  assert.equal(resend.answer.duplicate, true);
  assert.equal(resend.seq, resend.entries);

  // The ledger shows it as credit.
  await page.getByRole('link', { name: /Open Grace Hopper's ledger/ }).click();
  await page.locator('#summary-credit').waitFor();
  assert.equal(await text(page, '#summary-credit'), '€100.00');
  assert.match(await text(page, '#summary-balance'), /-€100\.00/);
  assert.equal(await text(page, '#credit-total'), '€100.00');

  // The next invoice: the preview says it will use the credit.
  await page.locator('main').getByRole('link', { name: 'New invoice' }).click();
  await page.locator('#invoice-form').waitFor();
  await fillLine(page, 1, { description: 'Desk, February', unitPrice: '120.00' });
  await page.locator('#preview-total').waitFor();
  assert.equal(await text(page, '#preview-total'), '€120.00');
  assert.equal(await text(page, '#preview-credit'), '€100.00');
  assert.equal(await text(page, '#preview-due'), '€20.00');
  await page.screenshot({ path: screenshotPath('invoice-preview-uses-credit') });
  await page.locator('#issue-invoice').click();

  // The issued invoice, as the customer will see it.
  await page.locator('#invoice-doc').waitFor();
  assert.equal(await text(page, '#total-row td'), '€120.00');
  assert.equal(await text(page, '#credit-row td'), '−€100.00');
  assert.equal(await text(page, '#due-row td'), '€20.00');
  assert.match(await text(page, '#invoice-doc'), /Grace Hopper/);
  assert.match(await text(page, '#invoice-doc'), /Partly paid/);
  await page.screenshot({ path: screenshotPath('invoice-issued-with-credit'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: screenshotPath('invoice-print-view'), fullPage: true });
  assert.equal(await page.locator('.app-header').isVisible(), false, 'print view shows only the invoice');
  assert.equal(await page.locator('#print-invoice').isVisible(), false);
  await page.emulateMedia({ media: 'screen' });

  const balance = await page.evaluate((c) => window.tally.store.query({ type: 'balance', customer: c }), id);
  assert.deepEqual([balance.outstanding, balance.credit, balance.balance], ['20.00', '0.00', '20.00']);
  await close();
});

test('the invoice preview updates as lines change', async () => {
  const { page, close } = await openPanel();
  await createCustomer(page, 'Preview Ltd', 'EUR');
  await page.locator('main').getByRole('link', { name: 'New invoice' }).click();
  await page.locator('#invoice-form').waitFor();

  await fillLine(page, 1, { description: 'Dedicated desk', quantity: '2', unitPrice: '100', tax: '20' });
  assert.equal(await text(page, '#preview-subtotal'), '€200.00');
  assert.equal(await text(page, '#preview-tax'), '€40.00');
  assert.equal(await text(page, '#preview-total'), '€240.00');

  await page.getByRole('button', { name: 'Add a line' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label') ?? document.activeElement.labels[0].textContent), 'Description, line 2', 'focus moves to the new line');
  await fillLine(page, 2, { description: 'Barista coffee', quantity: '10', unitPrice: '2.40', tax: '5' });
  assert.equal(await text(page, '#preview-total'), '€265.20');
  const breakdown = await page.locator('#preview-totals tr.tax-rate').allInnerTexts();
  assert.deepEqual(breakdown.map((t) => t.replace(/\s+/g, ' ')), ['Tax 20% on €200.00 €40.00', 'Tax 5% on €24.00 €1.20']);

  await fillLine(page, 1, { discount: '10' });
  assert.equal(await text(page, '#preview-subtotal'), '€204.00');
  assert.equal(await text(page, '#preview-total'), '€241.20');
  assert.equal(await page.locator('#invoice-lines tbody tr').first().locator('.line-amount').innerText(), '€180.00');

  await page.getByLabel('Prices include tax').check();
  // Gross 180.00 incl. 20 %: tax 30.00; 24.00 incl. 5 %: tax 1.14.
  assert.equal(await text(page, '#preview-total'), '€204.00');
  assert.equal(await text(page, '#preview-tax'), '€31.14');
  await page.screenshot({ path: screenshotPath('invoice-preview-live'), fullPage: true });

  // A bad unit price: the message goes next to that line's field, the rest stays.
  await fillLine(page, 2, { unitPrice: '2,40' });
  const error = page.locator('#invoice-lines tbody tr').nth(1).locator('.field-error:not([hidden])');
  await error.waitFor({ state: 'visible' });
  assert.equal(await error.innerText(), 'Unit price, line 2: “2,40” is not a number (such as 1250.50).');
  assert.equal(await page.getByLabel('Description, line 2').inputValue(), 'Barista coffee');

  await page.getByRole('button', { name: 'Remove line 2' }).click();
  assert.equal(await text(page, '#preview-total'), '€180.00');
  assert.equal(await page.locator('#invoice-lines tbody tr').count(), 1);

  // A tax rate out of range is refused in the percentages the form takes, next to the field.
  await fillLine(page, 1, { tax: '2000' });
  const taxError = page.locator('#invoice-lines tbody tr').first().locator('.col-tax_rate .field-error');
  await taxError.waitFor({ state: 'visible' });
  assert.equal(await taxError.innerText(), 'Tax %, line 1: must be between 0% and 1,000%, not 2,000%.');
  await fillLine(page, 1, { tax: '20' });
  await taxError.waitFor({ state: 'hidden' });
  await page.locator('#issue-invoice').click();
  await page.locator('#invoice-doc').waitFor();
  assert.equal(await text(page, '#total-row td'), '€180.00');
  await close();
});

test('a reload keeps everything', async () => {
  const { page, close } = await openPanel();
  const id = await createCustomer(page, 'Reload & Sons', 'GBP');
  await go(page, `/payments/new?customer=${encodeURIComponent(id)}`);
  await page.locator('#payment-form').waitFor();
  await fillPayment(page, { amount: '50.00', reference: 'BACS 7781', date: '2026-01-05' });
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });
  await go(page, `/invoices/new?customer=${encodeURIComponent(id)}`);
  await page.locator('#invoice-form').waitFor();
  await page.getByLabel('Invoice date').fill('2026-02-01');
  await page.getByLabel('Due date').fill('2026-02-15');
  await fillLine(page, 1, { description: 'Meeting room, hours', quantity: '3', unitPrice: '25', tax: '20' });
  await page.locator('#preview-due').waitFor();
  assert.equal(await text(page, '#preview-due'), '£40.00');
  await page.locator('#issue-invoice').click();
  await page.locator('#invoice-doc').waitFor();
  const invoiceUrl = page.url();

  await go(page, `/customers/${encodeURIComponent(id)}`);
  const before = {
    summary: await text(page, '#balance-summary'),
    statement: await text(page, '#statement-table'),
    payments: await text(page, '#payments-table'),
  };
  await page.reload();
  await ready(page);
  await page.locator('#statement-table').waitFor();
  assert.deepEqual({
    summary: await text(page, '#balance-summary'),
    statement: await text(page, '#statement-table'),
    payments: await text(page, '#payments-table'),
  }, before);
  assert.match(before.summary, /Owes\n£40\.00/);
  assert.match(before.statement, /Payment by bank transfer \(ref\. BACS 7781\)/);
  assert.equal(await page.locator('#open-invoices tbody tr').count(), 1);
  await page.screenshot({ path: screenshotPath('ledger-after-reload'), fullPage: true });
  // The chart is labelled for screen readers.
  const chart = page.locator('svg.chart[role="img"]');
  const label = await chart.evaluate((el) => el.getAttribute('aria-labelledby').split(' ').map((i) => document.getElementById(i).textContent).join(' '));
  assert.match(label, /Balance over time, Reload & Sons, GBP/);
  assert.match(label, /goes from £0\.00 to £40\.00/);

  await page.goto(invoiceUrl);
  await ready(page);
  assert.equal(await text(page, '#due-row td'), '£40.00');
  assert.equal(await text(page, '#credit-row td'), '−£50.00');
  await close();
});

test('the statement over a date range, downloaded as CSV with values quoted', async () => {
  const { page, close } = await openPanel();
  const id = await createCustomer(page, 'Smith, "Bob" & Co', 'EUR');
  const q = encodeURIComponent(id);
  await go(page, `/payments/new?customer=${q}`);
  await page.locator('#payment-form').waitFor();
  for (const [amount, date, reference] of [['40.00', '2026-01-05', 'JAN'], ['60.00', '2026-02-10', 'A,B "C"']]) {
    await fillPayment(page, { amount, date, reference, method: 'Card' });
    await page.locator('#save-payment').click();
    await page.locator('#payment-result').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Add another payment' }).click();
    assert.equal(await page.locator('#payment-form').getByLabel('Amount').inputValue(), '', 'a fresh form for the next payment');
    assert.equal(await page.evaluate(() => document.activeElement.name), 'amount');
  }
  await go(page, `/customers/${q}`);
  await page.getByLabel('From', { exact: true }).fill('2026-02-01');
  await page.getByLabel('From', { exact: true }).dispatchEvent('change');
  await page.waitForFunction(() => document.querySelectorAll('#statement-table tbody tr').length === 2);
  const rows = await page.locator('#statement-table tbody tr').allInnerTexts();
  assert.match(rows[0], /Opening balance\s+-€40\.00/);
  assert.match(rows[1], /Payment by card \(ref\. A,B "C"\)/);
  assert.match(await text(page, '#statement-table tfoot'), /Closing balance\s+-€100\.00/);
  await page.screenshot({ path: screenshotPath('statement-range'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  assert.match(download.suggestedFilename(), /^statement-Smith-Bob-Co-EUR-from-2026-02-01\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'Customer,"Smith, ""Bob"" & Co"');
  assert.equal(lines[5], 'Date,Entry,Reference,Description,Debit,Credit,Balance');
  assert.equal(lines[6], '2026-02-01,Opening balance,,,,,-40.00');
  assert.match(lines[7], /^2026-02-10,Payment,pay-[0-9a-f-]+,"Payment by card \(ref\. A,B ""C""\)",0\.00,60\.00,-100\.00$/);
  assert.equal(lines[8], ',Closing balance,,,,,-100.00');

  // A "to" before "from" is refused next to the field it names.
  await page.getByLabel('To', { exact: true }).fill('2026-01-01');
  await page.getByLabel('To', { exact: true }).dispatchEvent('change');
  const error = page.locator('#statement-title ~ .toolbar .field-error:not([hidden])');
  await error.waitFor();
  assert.equal(await error.innerText(), 'To: must be on or after the “from” date (02/01/2026).');
  assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), '2026-02-01');
  await close();
});

test('corrections: a void after a confirmation that says what it undoes, and a credit note', async () => {
  const { page, close } = await openPanel();
  const id = await createCustomer(page, 'Void Tester', 'EUR');
  const q = encodeURIComponent(id);
  // Two invoices, one payment that pays the first and leaves credit the second uses.
  await go(page, `/invoices/new?customer=${q}`);
  await page.locator('#invoice-form').waitFor();
  await page.getByLabel('Invoice date').fill('2026-03-01');
  await page.getByLabel('Due date').fill('2026-03-15');
  await fillLine(page, 1, { description: 'Private office, March', unitPrice: '100.00' });
  await page.locator('#preview-total').waitFor();
  await page.locator('#issue-invoice').click();
  await page.locator('#invoice-doc').waitFor();
  const first = (await text(page, '.doc-number')).trim();

  await go(page, `/payments/new?customer=${q}`);
  await page.locator('#payment-form').waitFor();
  await fillPayment(page, { amount: '150.00', reference: 'TRF-1', date: '2026-03-10' });
  const plan = await text(page, '#payment-plan');
  assert.match(plan, new RegExp(`${first}: €100\\.00, paid in full`));
  assert.match(plan, /The remaining €50\.00 will be kept as credit for the next invoice/);
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });
  assert.equal(await text(page, '#result-allocations'), `${first}: €100.00 settled`);
  assert.equal(await text(page, '#result-credit'), 'Kept as credit: €50.00');

  await go(page, `/invoices/new?customer=${q}`);
  await page.locator('#invoice-form').waitFor();
  await page.getByLabel('Invoice date').fill('2026-04-01');
  await fillLine(page, 1, { description: 'Meeting room', unitPrice: '30.00' });
  await page.locator('#preview-credit').waitFor();
  assert.equal(await text(page, '#preview-credit'), '€30.00');
  await page.locator('#issue-invoice').click();
  await page.locator('#invoice-doc').waitFor();
  const second = (await text(page, '.doc-number')).trim();

  // Void the payment, from the ledger's payments table.
  await go(page, `/customers/${q}`);
  await page.getByRole('link', { name: /Void the payment of €150\.00/ }).click();
  await page.getByRole('button', { name: 'Void payment…' }).waitFor();
  assert.equal(await page.getByLabel('What to do').inputValue(), 'void_payment');
  await page.getByLabel('Reason').fill('Transfer recalled by the bank');
  const voidButton = page.getByRole('button', { name: 'Void payment…' });
  await voidButton.click();
  const dialog = page.getByRole('dialog', { name: 'Void this payment?' });
  await dialog.waitFor();
  const words = await dialog.innerText();
  assert.match(words, /The payment of €150\.00 received from Void Tester on Mar 10, 2026 by bank transfer \(ref\. TRF-1\) will be cancelled/);
  assert.match(words, new RegExp(`${first}: €100\\.00`));
  assert.match(words, new RegExp(`${second}: €30\\.00`));
  assert.match(words, /€20\.00 of credit it left will be withdrawn/);
  // The dialog holds the focus: it starts on Cancel and Tab cycles inside.
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => Boolean(document.activeElement.closest('dialog'))), 'focus stays in the dialog');
  }
  await page.keyboard.press('Shift+Tab');
  assert.ok(await page.evaluate(() => Boolean(document.activeElement.closest('dialog'))));
  await page.screenshot({ path: screenshotPath('void-payment-confirmation') });
  // Escape cancels, changes nothing and gives the focus back.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Void payment…');
  let balance = await page.evaluate((c) => window.tally.store.query({ type: 'balance', customer: c }), id);
  assert.deepEqual([balance.outstanding, balance.credit], ['0.00', '20.00']);

  await voidButton.click();
  await dialog.getByRole('button', { name: 'Void payment' }).click();
  const result = page.locator('#correction-area .result');
  await result.waitFor({ state: 'visible' });
  const done = await result.innerText();
  assert.match(done, new RegExp(`${first} owes €100\\.00 again`));
  assert.match(done, new RegExp(`${second} owes €30\\.00 again`));
  assert.match(done, /Credit withdrawn: €20\.00/);
  await page.screenshot({ path: screenshotPath('void-payment-done') });
  balance = await page.evaluate((c) => window.tally.store.query({ type: 'balance', customer: c }), id);
  assert.deepEqual([balance.outstanding, balance.credit], ['130.00', '0.00']);

  // A credit note against the first invoice.
  await page.getByLabel('What to do').selectOption('credit_note');
  const invoiceSelect = page.getByLabel('Invoice', { exact: true });
  await invoiceSelect.selectOption(await invoiceSelect.locator('option', { hasText: first }).getAttribute('value'));
  await page.getByLabel('Amount (tax included)').fill('40.00');
  await page.getByLabel('Reason').fill('Air conditioning out of order for a week');
  assert.match(await text(page, '#credit-note-plan'), /its amount due goes down by €40\.00/);
  await page.getByRole('button', { name: 'Issue credit note' }).click();
  await result.waitFor({ state: 'visible' });
  assert.match(await page.locator('#correction-area .result').innerText(), new RegExp(`Credit note of €40\\.00 issued for ${first}: its amount due went down by €40\\.00 \\(now €60\\.00\\)`));
  await page.screenshot({ path: screenshotPath('credit-note-done') });

  await go(page, `/customers/${q}`);
  await page.locator('#statement-table').waitFor();
  const statement = await text(page, '#statement-table');
  assert.match(statement, /Void of the payment of Mar 10, 2026 \(€150\.00, ref\. TRF-1\): Transfer recalled by the bank/);
  assert.match(statement, new RegExp(`Credit note for invoice ${first}: Air conditioning out of order for a week`));
  assert.equal(await text(page, '#summary-outstanding'), '€90.00');
  await page.screenshot({ path: screenshotPath('ledger-after-corrections'), fullPage: true });
  await close();
});

test('credits: add credit, apply it to an open invoice, refund, and void an invoice', async () => {
  const { page, close } = await openPanel();
  const id = await createCustomer(page, 'Credit Keeper', 'EUR');
  const q = encodeURIComponent(id);
  await go(page, `/invoices/new?customer=${q}`);
  await page.locator('#invoice-form').waitFor();
  await fillLine(page, 1, { description: 'Hot desk, June', unitPrice: '100.00' });
  await page.locator('#preview-total').waitFor();
  await page.locator('#issue-invoice').click();
  await page.locator('#invoice-doc').waitFor();
  const number = (await text(page, '.doc-number')).trim();

  await go(page, `/corrections?customer=${q}&action=add_credit`);
  const area = page.locator('#correction-area');
  await area.getByLabel('Amount').fill('30.00');
  await area.getByLabel('Reason').fill('Heating outage');
  await area.getByRole('button', { name: 'Add credit' }).click();
  await area.locator('.result').waitFor({ state: 'visible' });
  assert.match(await area.locator('.result').innerText(), /Credit of €30\.00 added for Credit Keeper/);
  assert.equal(await area.getByLabel('Amount').inputValue(), '', 'the form is ready for the next one');

  await page.getByLabel('What to do').selectOption('apply_credit');
  assert.match(await area.innerText(), new RegExp(`€30\\.00 of credit available in EUR; ${number} has €100\\.00 due`));
  await area.getByRole('button', { name: 'Apply credit' }).click();
  await area.locator('.result').waitFor({ state: 'visible' });
  assert.match(await area.locator('.result').innerText(), new RegExp(`Applied €30\\.00 of credit to ${number}; it now has €70\\.00 due`));

  await page.getByLabel('What to do').selectOption('add_credit');
  await area.getByLabel('Amount').fill('20.00');
  await area.getByLabel('Reason').fill('Referral');
  await area.getByRole('button', { name: 'Add credit' }).click();
  await area.locator('.result').waitFor({ state: 'visible' });

  await page.getByLabel('What to do').selectOption('refund');
  await area.getByLabel('Amount').fill('100.00');
  await area.getByLabel('Reference').fill('REFUND-1');
  await area.getByRole('button', { name: 'Refund credit' }).click();
  const refused = area.locator('.field-error:not([hidden])');
  await refused.waitFor();
  assert.equal(await refused.innerText(), 'Amount: €100.00 is more than the credit available (€20.00).');
  assert.equal(await area.getByLabel('Reference').inputValue(), 'REFUND-1');
  await area.getByLabel('Amount').fill('5.00');
  await area.getByRole('button', { name: 'Refund credit' }).click();
  await area.locator('.result').waitFor({ state: 'visible' });
  assert.match(await area.locator('.result').innerText(), /Refunded €5\.00 of credit to Credit Keeper by bank transfer/);

  await page.getByLabel('What to do').selectOption('void_invoice');
  await area.getByLabel('Reason').fill('Issued by mistake');
  await area.getByRole('button', { name: 'Void invoice…' }).click();
  const dialog = page.getByRole('dialog', { name: `Void invoice ${number}?` });
  const words = await dialog.innerText();
  assert.match(words, /Credit Keeper will no longer owe its €70\.00 due/);
  assert.match(words, /€30\.00 that settled it will return to Credit Keeper as credit:\s+€30\.00 of credit: the credit granted on [A-Z][a-z]{2} \d+, \d{4}/);
  await page.screenshot({ path: screenshotPath('void-invoice-confirmation') });
  await dialog.getByRole('button', { name: 'Void invoice' }).click();
  await area.locator('.result').waitFor({ state: 'visible' });
  assert.match(await area.locator('.result').innerText(), new RegExp(`Invoice ${number} voided: €100\\.00 cancelled; €30\\.00 returned to Credit Keeper as credit`));
  assert.match(await text(page, '#corrections-summary'), /owes €0\.00, credit available €45\.00/);
  await page.screenshot({ path: screenshotPath('void-invoice-done') });

  await go(page, `/invoices/${encodeURIComponent(await page.evaluate((c) => window.tally.store.query({ type: 'invoices', customer: c }).invoices[0].id, id))}`);
  await page.locator('#invoice-doc').waitFor();
  assert.match(await text(page, '#invoice-doc'), /VOID/);
  await close();
});

test('export then import gives the same ledger', async () => {
  const { page, close } = await openPanel();
  const id = await createCustomer(page, 'Backup Check GmbH', 'EUR');
  await go(page, `/payments/new?customer=${encodeURIComponent(id)}`);
  await page.locator('#payment-form').waitFor();
  await fillPayment(page, { amount: '75.50', reference: 'Before export' });
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });

  const snapshot = () => page.evaluate(() => {
    const s = window.tally.store;
    const customers = s.query({ type: 'customers' }).customers;
    return {
      seq: s.seq,
      customers,
      statements: customers.map((c) => s.query({ type: 'statement', customer: c.id })),
      trial: s.query({ type: 'trial_balance' }),
    };
  });
  const exported = await snapshot();

  await go(page, '/data');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-backup').click()]);
  assert.match(download.suggestedFilename(), /^tally-backup-\d{4}-\d{2}-\d{2}\.json$/);
  const file = await download.path();
  const backup = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(backup.format, 'tally-journal');
  assert.equal(backup.entries.length, exported.seq);

  // Change the ledger after the export.
  await go(page, `/payments/new?customer=${encodeURIComponent(id)}`);
  await page.locator('#payment-form').waitFor();
  await fillPayment(page, { amount: '10.00', reference: 'After export' });
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });
  assert.notDeepEqual(await snapshot(), exported);

  await go(page, '/data');
  await page.getByLabel('Backup file').setInputFiles(file);
  await page.locator('#import-backup').click();
  const dialog = page.getByRole('dialog', { name: 'Replace the ledger with this backup?' });
  assert.match(await dialog.innerText(), new RegExp(`replaced by the ${exported.seq} records`));
  await dialog.getByRole('button', { name: 'Replace the ledger' }).click();
  await page.waitForFunction(() => /done/.test(document.getElementById('import-status')?.textContent ?? ''));
  assert.equal(await page.locator('#import-progress').evaluate((p) => p.value === p.max), true, 'the progress bar is full');
  await page.screenshot({ path: screenshotPath('import-done') });
  assert.deepEqual(await snapshot(), exported, 'the same ledger as exported');

  // And it is what the page shows, also after a reload.
  await page.reload();
  await ready(page);
  assert.deepEqual(await snapshot(), exported);
  await go(page, `/customers/${encodeURIComponent(id)}`);
  const statement = await text(page, '#statement-table');
  assert.match(statement, /Before export/);
  assert.doesNotMatch(statement, /After export/);

  // A file that is not a backup changes nothing and says why.
  await go(page, '/data');
  await page.getByLabel('Backup file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"something-else"}') });
  await page.locator('#import-backup').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Replace the ledger' }).click();
  await page.waitForFunction(() => /failed/.test(document.getElementById('import-status')?.textContent ?? ''));
  assert.match(await text(page, '#import-status'), /This is not a Tally backup/);
  assert.deepEqual(await snapshot(), exported);
  await close();
});

test("the accountant's general ledger downloads from the bulk module and agrees with the trial balance", async () => {
  const { page, close } = await openPanel('/data');
  const bulkFetched = () => page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/pkg/bulk/')));
  assert.equal(await bulkFetched(), false, 'the bulk module is not loaded with the page');
  const trial = await page.evaluate(() => window.tally.store.query({ type: 'trial_balance' }));

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-ledger-csv').click()]);
  assert.match(download.suggestedFilename(), /^tally-general-ledger-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.equal(await bulkFetched(), true, 'the bulk module was fetched for the download');
  await page.locator('#ledger-export-status').filter({ hasText: 'downloaded' }).waitFor();
  const rows = parseCsv(await readFile(await download.path(), 'utf8'));
  assert.deepEqual(rows[0], ['date', 'entry', 'account', 'debit', 'credit', 'currency', 'reference', 'description']);
  assert.ok(rows.length > 100, `the demo ledger's postings (${rows.length - 1} lines)`);
  // Every account's lines sum to its trial balance, in minor-unit integers.
  const units = (text) => {
    if (!text) return 0n;
    const [whole, fraction = ''] = text.replace('-', '').split('.');
    const value = BigInt(whole + fraction.padEnd(8, '0'));
    return text.startsWith('-') ? -value : value;
  };
  const sums = new Map();
  for (const [, , account, debit, credit, currency] of rows.slice(1)) {
    const key = `${currency} ${account}`;
    sums.set(key, (sums.get(key) ?? 0n) + units(debit) - units(credit));
  }
  for (const a of trial.accounts) {
    assert.equal(sums.get(`${a.currency} ${a.account}`) ?? 0n, units(a.balance), `${a.currency} ${a.account}`);
  }
  const listed = new Set(trial.accounts.map((a) => `${a.currency} ${a.account}`));
  for (const [key, sum] of sums) if (!listed.has(key)) assert.equal(sum, 0n, `${key} is not in the trial balance, so it nets to zero`);

  const [beancount] = await Promise.all([page.waitForEvent('download'), page.locator('#export-ledger-beancount').click()]);
  assert.match(beancount.suggestedFilename(), /^tally-general-ledger-\d{4}-\d{2}-\d{2}\.beancount$/);
  const text = await readFile(await beancount.path(), 'utf8');
  assert.match(text, /^\d{4}-\d{2}-\d{2} open /m);
  assert.match(text, /^\d{4}-\d{2}-\d{2} balance /m);
  await page.screenshot({ path: screenshotPath('ledger-export') });
  await close();
});

/** RFC 4180 rows (quoted fields with doubled quotes, CRLF line ends). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  return rows;
}

test('HTML typed as a customer name, reference or line stays text', async () => {
  const { page, close } = await openPanel();
  const xss = '<img src=x onerror=alert(1)>';
  const id = await createCustomer(page, xss, 'EUR', 'x@example.com');
  assert.equal(await page.locator('h1').innerText(), xss);

  await go(page, `/payments/new?customer=${encodeURIComponent(id)}`);
  await page.locator('#payment-form').waitFor();
  await fillPayment(page, { amount: '12.00', reference: xss });
  assert.match(await text(page, '#payment-plan'), /<img src=x onerror=alert\(1\)> owes nothing/);
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });

  await go(page, `/invoices/new?customer=${encodeURIComponent(id)}`);
  await page.locator('#invoice-form').waitFor();
  await fillLine(page, 1, { description: xss, unitPrice: '20.00' });
  await page.locator('#preview-total').waitFor();
  await page.locator('#issue-invoice').click();
  await page.locator('#invoice-doc').waitFor();
  assert.match(await text(page, '#invoice-doc'), /<img src=x onerror=alert\(1\)>/);

  for (const route of ['/customers', `/customers/${encodeURIComponent(id)}`, `/corrections?customer=${encodeURIComponent(id)}&action=void_payment`]) {
    await go(page, route);
    await page.locator('h1').waitFor();
    assert.equal(await page.locator('img').count(), 0, `no img element on ${route}`);
  }
  await go(page, '/customers');
  await page.getByLabel('Search customers').fill('<img');
  assert.equal(await page.locator('#customers-table tbody tr').count(), 1);
  assert.equal(await page.locator('#customers-table tbody th a').innerText(), xss);
  await go(page, `/customers/${encodeURIComponent(id)}`);
  assert.match(await text(page, '#statement-table'), /Payment by bank transfer \(ref\. <img src=x onerror=alert\(1\)>\)/);
  assert.match(await text(page, '#payments-table'), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator('img').count(), 0);
  await page.screenshot({ path: screenshotPath('xss-stays-text'), fullPage: true });
  await close(); // fails on any dialog event (alert)
});

test('a refused payment shows the message next to the amount and keeps the form', async () => {
  const { page, close } = await openPanel();
  await createCustomer(page, 'Careful Payer', 'EUR');
  await go(page, '/payments/new');
  await page.locator('#payment-form').waitFor();
  await fillPayment(page, { customer: 'Careful Payer', amount: '10.001', method: 'Cheque', reference: 'CHQ 000123', date: '2026-05-04' });
  assert.match(await text(page, '#payment-plan'), /at most 2 decimals/);
  await page.locator('#save-payment').click();

  const amount = page.locator('#payment-form').getByLabel('Amount');
  const errorId = (await amount.getAttribute('aria-describedby')).split(' ').find((x) => x.endsWith('-error'));
  const error = page.locator(`#${errorId}`);
  await error.waitFor({ state: 'visible' });
  assert.equal(await error.innerText(), 'Amount: EUR amounts have at most 2 decimals; “10.001” has 3.');
  assert.equal(await amount.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'amount', 'the focus goes to the field to fix');
  // Nothing was lost.
  assert.equal(await amount.inputValue(), '10.001');
  const form = page.locator('#payment-form');
  assert.equal(await form.getByLabel('Reference').inputValue(), 'CHQ 000123');
  assert.equal(await form.getByLabel('Method').inputValue(), 'cheque');
  assert.equal(await form.getByLabel('Date received').inputValue(), '2026-05-04');
  assert.equal(await form.getByLabel('Customer').locator('option:checked').innerText(), 'Careful Payer');
  assert.equal(await page.locator('#payment-result').isVisible(), false);
  await page.screenshot({ path: screenshotPath('payment-refused-amount') });

  // An empty customer is named next to the customer field.
  await form.getByLabel('Customer').selectOption('');
  await form.getByLabel('Amount').fill('10.00');
  await page.locator('#save-payment').click();
  await page.locator('#payment-form .field-error:visible').waitFor();
  assert.equal(await page.locator('#payment-form .field-error:visible').innerText(), 'Customer: must not be empty.');

  // Fixed, it saves.
  await form.getByLabel('Customer').selectOption({ label: 'Careful Payer' });
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });
  assert.equal(await text(page, '#result-credit'), 'Kept as credit: €10.00');
  await close();
});

test('every screen opens without CSP violations, and the lists work', async () => {
  const { page, close } = await openPanel();
  // The demo space was loaded on first open.
  const count = await page.locator('#customers-table tbody tr').count();
  assert.ok(count >= 30, `the demo space has customers (${count})`);
  // Sort by what is owed, biggest first.
  await page.getByRole('button', { name: 'Owes' }).click();
  assert.equal(await page.locator('th[aria-sort="descending"]').innerText(), 'Owes ▼');
  const owed = await page.evaluate(() => window.tally.store.query({ type: 'customers' }).customers
    .map((c) => ({ name: c.name, owed: Number(c.balances.find((b) => b.currency === c.currency).outstanding) }))
    .sort((a, b) => b.owed - a.owed)[0].name);
  assert.equal(await page.locator('#customers-table tbody tr th a').first().innerText(), owed);
  await page.screenshot({ path: screenshotPath('customers') });

  const demo = await page.evaluate(() => {
    const s = window.tally.store;
    const c = s.query({ type: 'customers' }).customers.find((x) => s.query({ type: 'invoices', customer: x.id, status: 'open' }).invoices.length > 0);
    return { customer: c.id, invoice: s.query({ type: 'invoices', customer: c.id, status: 'open' }).invoices[0].id };
  });
  const screens = [
    ['/customers', 'Customers'],
    [`/customers/${encodeURIComponent(demo.customer)}`, null],
    ['/invoices', 'Invoices'],
    ['/payments', 'Payments received'],
    ['/payments/new', 'Add payment'],
    ['/invoices/new', 'New invoice'],
    [`/invoices/${encodeURIComponent(demo.invoice)}`, null],
    ['/corrections', 'Credits and corrections'],
    ['/reports', 'Reports'],
    ['/data', 'Data'],
    ['/nowhere', 'Page not found'],
  ];
  for (const [route, title] of screens) {
    await go(page, route);
    await page.locator('h1').waitFor();
    if (title) assert.equal(await page.locator('h1').innerText(), title);
    // Every form control has a label.
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input, main select, main textarea')]
      .filter((el) => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label')).map((el) => el.outerHTML));
    assert.deepEqual(unlabelled, [], `labels on ${route}`);
  }

  // Payment with open invoices: the plan follows oldest due date first, and ticking changes it.
  await go(page, `/payments/new?customer=${encodeURIComponent(demo.customer)}`);
  await page.locator('#payment-form').waitFor();
  const open = await page.evaluate((c) => window.tally.store.query({ type: 'invoices', customer: c, status: 'open' }).invoices
    .sort((a, b) => a.due_date.localeCompare(b.due_date)), demo.customer);
  await page.locator('#payment-form').getByLabel('Amount').fill(open[0].amount_due);
  assert.match(await text(page, '#payment-plan'), new RegExp(`${open[0].number}: .*, paid in full`));
  if (open.length > 1) {
    await page.getByLabel(new RegExp(`^${open[1].number} due`)).check();
    const plan = await text(page, '#payment-plan');
    assert.match(plan, new RegExp(open[1].number));
    assert.doesNotMatch(plan, new RegExp(`${open[0].number}:`));
  }
  await page.screenshot({ path: screenshotPath('payment-plan-open-invoices'), fullPage: true });

  await go(page, '/reports');
  await page.locator('svg.chart-aging').first().waitFor();
  await page.screenshot({ path: screenshotPath('reports') });
  await close();
});

test('the trial balance at the end of a past day shows what the engine answers for that day', async () => {
  const { page, close } = await openPanel('/reports');
  await page.locator('#trial table').first().waitFor();
  const digits = (s) => s.replace(/[^0-9]/g, '');
  const footTotals = () => page.locator('#trial tfoot tr:first-child').allInnerTexts();
  const now = await page.evaluate(() => window.tally.store.query({ type: 'trial_balance' }));
  assert.equal(now.as_of, null);
  assert.deepEqual((await footTotals()).map(digits), now.totals.map((t) => digits(t.debits + t.credits)));

  // A day in the middle of the demo's invoices: fewer postings count, so smaller columns.
  const day = await page.evaluate(() => {
    const all = window.tally.store.query({ type: 'invoices' }).invoices.map((i) => i.date).sort();
    return all[Math.floor(all.length / 2)];
  });
  const then = await page.evaluate((d) => window.tally.store.query({ type: 'trial_balance', as_of: d }), day);
  assert.equal(then.as_of, day);
  const before = now.totals.find((t) => t.currency === then.totals[0].currency);
  assert.ok(Number(then.totals[0].debits) < Number(before.debits), `fewer postings by ${day}: ${then.totals[0].debits} < ${before.debits}`);
  await page.getByLabel('Balances at the end of').fill(day);
  await page.getByLabel('Balances at the end of').dispatchEvent('change');
  await page.locator('#trial h3', { hasText: 'at the end of' }).first().waitFor();
  assert.deepEqual((await footTotals()).map(digits), then.totals.map((t) => digits(t.debits + t.credits)));

  // The CSV is that day's answer: every account in debit and credit columns, then the totals.
  const [tbFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download trial balance (CSV)' }).click()]);
  assert.equal(tbFile.suggestedFilename(), `trial-balance-${day}.csv`);
  const tbLines = (await readFile(await tbFile.path(), 'utf8')).split('\r\n');
  assert.equal(tbLines[0], `Trial balance at the end of,${day}`);
  assert.equal(tbLines.length, 3 + then.accounts.length + then.totals.length + 1);
  const first = then.accounts[0];
  assert.match(tbLines[3], new RegExp(`^${first.currency},${first.account},.*,${first.balance.startsWith('-') ? `,${first.balance.slice(1)}` : `${first.balance},`}$`));
  assert.deepEqual(tbLines.slice(3 + then.accounts.length, -1), then.totals.map((t) => `${t.currency},,Totals,${t.debits},${t.credits}`));

  // The aged receivables as of that day download the same way.
  await page.getByLabel('Overdue as of').fill(day);
  await page.getByLabel('Overdue as of').dispatchEvent('change');
  const aging = await page.evaluate((d) => window.tally.store.query({ type: 'aging', as_of: d }), day);
  const [agingFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download aged receivables (CSV)' }).click()]);
  assert.equal(agingFile.suggestedFilename(), `aged-receivables-${day}.csv`);
  const agingLines = (await readFile(await agingFile.path(), 'utf8')).split('\r\n');
  assert.equal(agingLines.length, 3 + aging.rows.length + aging.totals.length + 1);
  assert.deepEqual(agingLines.slice(3 + aging.rows.length, -1), aging.totals.map((t) => `,Total,${t.currency},${t.current},${t.days_1_30},${t.days_31_60},${t.days_61_90},${t.over_90},${t.total}`));

  // Before anything was dated: an empty trial balance says so.
  await page.getByLabel('Balances at the end of').fill('2000-01-01');
  await page.getByLabel('Balances at the end of').dispatchEvent('change');
  await page.locator('#trial p.empty', { hasText: 'No postings dated by' }).waitFor();
  await close();
});
