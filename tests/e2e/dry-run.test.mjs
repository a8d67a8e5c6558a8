// The panel computes no money of its own (issue 11, items 2 and 3): what a form says it
// will do is the engine's dry run of the command its button sends, a refusal shows before
// any confirmation, refusals are bound to the field the engine names, and they are worded
// in the user's terms (money in the user's locale, dates as the date fields show them,
// limits as plain numbers).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshotPath, startServer } from '../browser/browser.mjs';
import { openPanel, go, createCustomer, fillPayment, fillLine, text } from './panel-helpers.mjs';

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

const seqOf = (page) => page.evaluate(() => window.tally.store.seq);

/** The error shown for the field labelled `label` inside `scope`, once visible. */
async function fieldError(scope, label) {
  const input = scope.getByLabel(label).first();
  const errorId = (await input.getAttribute('aria-describedby')).split(' ').find((x) => x.endsWith('-error'));
  const error = scope.page().locator(`#${errorId}`);
  await error.waitFor({ state: 'visible' });
  return { input, error, text: await error.innerText(), invalid: await input.getAttribute('aria-invalid') };
}

test('voiding a payment whose credit was partly refunded shows the refusal before any confirmation', async () => {
  const { page, close } = await openPanel(browser, url);
  const id = await createCustomer(page, 'Refunded Member', 'USD');
  const q = encodeURIComponent(id);
  // An invoice of 82.81, a payment of 100.00 that settles it and leaves 17.19 of credit,
  // then 6.00 of that credit refunded: the money has left, the payment can't be voided.
  await go(page, `/invoices/new?customer=${q}`);
  await page.locator('#invoice-form').waitFor();
  await fillLine(page, 1, { description: 'Hot desk', unitPrice: '82.81' });
  await page.locator('#preview-total').waitFor();
  await page.locator('#issue-invoice').click();
  await page.locator('#invoice-doc').waitFor();
  await go(page, `/payments/new?customer=${q}`);
  await fillPayment(page, { amount: '100.00', reference: 'WIRE-7' });
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });
  await go(page, `/corrections?customer=${q}&action=refund`);
  const area = page.locator('#correction-area');
  await area.getByLabel('Amount').fill('6.00');
  await area.getByRole('button', { name: 'Refund credit' }).click();
  await area.locator('.result').waitFor({ state: 'visible' });

  await page.getByLabel('What to do').selectOption('void_payment');
  // What will happen, before anything is clicked: the engine's refusal, in dollars.
  const plan = area.locator('#void-payment-plan');
  await plan.getByText(/can't be voided/).waitFor();
  assert.match(await plan.innerText(), /This payment can't be voided: \$6\.00 of the credit it left has already been refunded/);
  assert.doesNotMatch(await plan.innerText(), /will owe again|withdrawn/);
  const seq = await seqOf(page);
  await area.getByRole('button', { name: 'Void payment…' }).click();
  const refused = await fieldError(area, 'Payment');
  assert.match(refused.text, /^This payment can't be voided: \$6\.00 of the credit it left has already been refunded, so that money has left \(\$11\.19 of its credit is still held\)\.$/);
  assert.equal(refused.invalid, 'true');
  assert.equal(await page.getByRole('dialog').count(), 0, 'no confirmation is asked for a void the engine refuses');
  assert.equal(await seqOf(page), seq, 'nothing recorded');
  await page.screenshot({ path: screenshotPath('void-refused-before-confirmation') });
  await close();
});

test('a 20-digit payment shows the refusal in the preview, not what it "will settle"', async () => {
  const { page, close } = await openPanel(browser, url);
  await createCustomer(page, 'Big Number', 'USD');
  await page.locator('main').getByRole('link', { name: 'Add payment' }).click();
  await fillPayment(page, { amount: '12345678901234567890' });
  const plan = await text(page, '#payment-plan');
  assert.doesNotMatch(plan, /will settle|kept as credit/);
  assert.match(plan, /This payment can't be saved as it is\. Amount: \$12,345,678,901,234,567,890(\.00)? is more than the ledger takes: at most 1,000,000,000,000,000\./);
  assert.equal(await page.locator('#amount-warning').count(), 0, 'no "unusual amount" warning for an amount the engine refuses');
  const seq = await seqOf(page);
  await page.locator('#save-payment').click();
  const refused = await fieldError(page.locator('#payment-form'), 'Amount');
  assert.match(refused.text, /at most 1,000,000,000,000,000/);
  assert.equal(await page.getByRole('dialog').count(), 0, 'refused at once: no confirmation first');
  assert.equal(await seqOf(page), seq);
  await page.screenshot({ path: screenshotPath('payment-20-digits') });
  await close();
});

test('refusals are bound to the field the engine names, on every form', async () => {
  const { page, close } = await openPanel(browser, url);
  const id = await createCustomer(page, 'Field Binder', 'EUR');
  const q = encodeURIComponent(id);
  // A payment, to void later on a date before it.
  await go(page, `/payments/new?customer=${q}`);
  await fillPayment(page, { amount: '40.00', date: '2026-03-10' });
  await page.locator('#save-payment').click();
  await page.locator('#payment-result').waitFor({ state: 'visible' });

  // The void's date, before the payment's: bound to "Date of the void", in the date field's format.
  await go(page, `/corrections?customer=${q}&action=void_payment`);
  const area = page.locator('#correction-area');
  await area.getByLabel('Date of the void').fill('2026-03-01');
  await area.getByRole('button', { name: 'Void payment…' }).click();
  let refused = await fieldError(area, 'Date of the void');
  assert.equal(refused.text, 'Date of the void: must be on or after 03/10/2026, the date of what it corrects.');
  assert.equal(refused.invalid, 'true');
  assert.equal(await page.getByRole('dialog').count(), 0);

  // A credit note without a reason: bound to "Reason".
  await page.getByLabel('What to do').selectOption('credit_note');
  await area.getByLabel('Amount (tax included)').fill('5.00');
  await area.getByRole('button', { name: 'Issue credit note' }).click();
  refused = await fieldError(area, 'Reason');
  assert.match(refused.text, /^Reason: (required|must not be empty)\.$/);

  // An invoice line's discount out of range: bound to that line's field, in percent.
  await go(page, `/invoices/new?customer=${q}`);
  await fillLine(page, 1, { description: 'Desk', unitPrice: '100.00' });
  await page.locator('#add-line').click();
  await fillLine(page, 2, { description: 'Room', unitPrice: '20.00', discount: '120' });
  await page.locator('#issue-invoice').click();
  refused = await fieldError(page.locator('#invoice-form'), 'Discount %, line 2');
  assert.equal(refused.text, 'Discount %, line 2: must be between 0% and 100%, not 120%.');
  assert.equal(await page.getByLabel('Discount %, line 1').getAttribute('aria-invalid'), null, 'only the field named');
  await close();
});

test('refusals word money in the user\'s locale and never show the engine\'s own text', async () => {
  const { page, close } = await openPanel(browser, url, '/customers', { locale: 'de-DE' });
  const id = await createCustomer(page, 'Geld Kunde', 'EUR');
  await go(page, `/corrections?customer=${encodeURIComponent(id)}&action=add_credit`);
  const area = page.locator('#correction-area');
  await area.getByLabel('Amount').fill('20.00');
  await area.getByLabel('Reason').fill('Kulanz');
  await area.getByRole('button', { name: 'Add credit' }).click();
  await area.locator('.result').waitFor({ state: 'visible' });

  await page.getByLabel('What to do').selectOption('refund');
  await area.getByLabel('Amount').fill('100.00');
  // The preview already says it, then the refusal next to the field.
  const plan = await area.locator('#refund-plan').innerText();
  assert.match(plan, /100,00\s€ is more than the credit available \(20,00\s€\)/);
  await area.getByRole('button', { name: 'Refund credit' }).click();
  const refused = await fieldError(area, 'Amount');
  assert.match(refused.text, /^Amount: 100,00\s€ is more than the credit available \(20,00\s€\)\.$/);
  for (const engineWords of ['EUR', "'100.00'", '20.00']) assert.ok(!refused.text.includes(engineWords), `no "${engineWords}" in "${refused.text}"`);

  // An accepted refund: what will happen, from the dry run, in the same locale.
  await area.getByLabel('Amount').fill('7.50');
  assert.match(await area.locator('#refund-plan').innerText(), /7,50\s€ will be paid back to Geld Kunde by bank transfer, taken from this credit, oldest first:\n*7,50\s€ from the credit granted on/);
  await page.screenshot({ path: screenshotPath('refusal-de-DE') });
  await close();
});
