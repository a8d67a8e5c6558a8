// The panel's side of issue 12, worked as an operator would: writing off an invoice
// (the outcome from the engine's dry run before confirming, a refusal before any
// confirmation), credit with a "valid until" date (shown, warned about, expired), the
// tax rounding setting, the accountant's export and the printable statement. Expected
// figures are the engine's own answers, formatted with the page's formatter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, startServer } from '../browser/browser.mjs';
import { openPanel, go, fillLine, applyAll, query, shown } from './panel-helpers.mjs';

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

const today = (page) => page.evaluate(() => window.tally.today);

/** A customer with one open invoice (net 100, tax 20 %) dated `days` before today. */
async function customerWithInvoice(page, tag) {
  const day = await today(page);
  const customer = `cus-${tag}`;
  const invoice = `inv-${tag}`;
  await applyAll(page, [
    { type: 'create_customer', id: customer, name: `${tag} Studio`, email: `${tag}@example.com`, currency: 'EUR' },
    { type: 'issue_invoice', id: invoice, customer, date: day, due_date: day, lines: [{ description: 'Hot desk', quantity: '1', unit_price: '100.00', tax_rate: '0.2' }] },
  ]);
  return { customer, invoice, day };
}

test('write off: the outcome from a dry run before confirming; a refusal shows before any confirmation', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  const { customer, invoice } = await customerWithInvoice(page, 'writeoff');
  await go(page, `/invoices/${invoice}`);
  await page.getByRole('link', { name: 'Write off…' }).click();
  await page.locator('#write-off-plan li').first().waitFor();

  // What the engine says it would do, stated in the form before anything is sent.
  const day = await today(page);
  const expected = await page.evaluate(([inv, d]) => window.tally.store.dryRun({ type: 'write_off_invoice', id: 'x', invoice: inv, date: d, reason: 'r' }), [invoice, day]);
  assert.equal(expected.ok, true);
  const plan = await page.locator('#write-off-plan').innerText();
  for (const v of [expected.written_off, expected.tax_reversed, expected.bad_debt]) assert.ok(plan.includes(await shown(page, v, 'EUR')), `${v} in "${plan}"`);
  assert.equal(await page.getByLabel('Date of the write-off').inputValue(), day, 'dated today by default');

  // The reason is required: the engine's refusal shows next to it, no confirmation.
  const form = page.locator('#correction-area form');
  await form.getByRole('button', { name: 'Write off…' }).click();
  await page.locator('.field-error:not([hidden])').first().waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0, 'no confirmation for a refused write-off');

  // A date before the invoice: refused before any confirmation too.
  await form.getByLabel('Reason').fill('Member left without paying');
  await form.getByLabel('Date of the write-off').fill('2000-01-01');
  await form.getByRole('button', { name: 'Write off…' }).click();
  await page.locator('.field-error:not([hidden]), .error-summary:not([hidden])').first().waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.equal((await query(page, { type: 'invoice', invoice })).status, 'open', 'nothing written off');

  await form.getByLabel('Date of the write-off').fill(day);
  await form.getByRole('button', { name: 'Write off…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.ok((await dialog.innerText()).includes(await shown(page, expected.bad_debt, 'EUR')));
  await dialog.getByRole('button', { name: 'Write off' }).click();
  await page.locator('#correction-area .result:not([hidden])').waitFor();
  const after = await query(page, { type: 'invoice', invoice });
  assert.equal(after.status, 'written_off');
  const st = await query(page, { type: 'statement', customer, currency: 'EUR' });
  assert.ok(st.entries.some((e) => e.kind === 'write_off'));
  // The invoice page says so and offers no more write-off.
  await go(page, `/invoices/${invoice}`);
  await page.locator('#invoice-doc .stamp').filter({ hasText: 'WRITTEN OFF' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Write off…' }).count(), 0);
  await close();
});

test('credit with a "valid until" date: shown on the lots, warned about within 30 days, expired with a dry-run first', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  const day = await today(page);
  const plus = (iso, n) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
  const customer = 'cus-expiry';
  await applyAll(page, [
    { type: 'create_customer', id: customer, name: 'Expiry Lab', currency: 'EUR' },
    { type: 'add_credit', id: 'crd-old', customer, amount: '15.00', currency: 'EUR', date: plus(day, -40), valid_until: plus(day, -1), reason: 'Day pass, last month' },
  ]);
  // Added through the form, with a "valid until" date 10 days ahead.
  await go(page, `/corrections?customer=${customer}&action=add_credit`);
  const form = page.locator('#correction-area form');
  await form.getByLabel('Amount').fill('12.50');
  await form.getByLabel('Valid until (optional)').fill(plus(day, 10));
  await form.getByLabel('Reason').fill('Free day pass');
  await form.getByRole('button', { name: 'Add credit' }).click();
  await page.locator('#correction-area .result:not([hidden])').waitFor();
  const lots = (await query(page, { type: 'credits', customer, currency: 'EUR' })).lots;
  const fresh = lots.find((l) => l.valid_until === plus(day, 10));
  assert.ok(fresh, 'the lot carries its valid_until');

  await go(page, `/customers/${customer}`);
  const warning = await page.locator('#credit-expiry-warning').innerText();
  assert.ok(warning.includes(await shown(page, fresh.remaining, 'EUR')), warning);
  assert.ok(/within 30 days/.test(warning));
  const cells = await page.locator('#credit-lots td.valid-until').allInnerTexts();
  assert.equal(cells.length, lots.length);
  assert.ok(!cells.includes('no end date'));

  // Expire: the dry run says what goes (the lot past its date), then the confirmation.
  await go(page, `/corrections?customer=${customer}&action=expire_credit`);
  const plan = page.locator('#expire-plan');
  await plan.locator('li').first().waitFor();
  const expected = await page.evaluate(([c, d]) => window.tally.store.dryRun({ type: 'expire_credit', id: 'x', customer: c, date: d }), [customer, day]);
  assert.equal(expected.expired.length, 1);
  assert.ok((await plan.innerText()).includes(await shown(page, expected.expired[0].amount, 'EUR')));
  await page.locator('#correction-area form').getByRole('button', { name: 'Expire credit…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Expire credit' }).click();
  await page.locator('#correction-area .result:not([hidden])').waitFor();
  const left = (await query(page, { type: 'credits', customer, currency: 'EUR' })).lots;
  assert.deepEqual(left.map((l) => l.source), [fresh.source], 'only the lot still valid is left');
  const st = await query(page, { type: 'statement', customer, currency: 'EUR' });
  assert.ok(st.entries.some((e) => e.kind === 'credit_expired'));

  // Month-end, with no customer chosen: every customer's credit past its date at once.
  await applyAll(page, ['north', 'south'].map((tag) => [
    { type: 'create_customer', id: `cus-expiry-${tag}`, name: `Expiry ${tag}`, currency: 'EUR' },
    { type: 'add_credit', id: `crd-expiry-${tag}`, customer: `cus-expiry-${tag}`, amount: '3.00', currency: 'EUR', date: plus(day, -10), valid_until: plus(day, -2), reason: 'Trial' },
  ]).flat());
  await go(page, '/corrections?action=expire_credit');
  await page.locator('#expire-plan li').nth(1).waitFor();
  const everyone = await page.locator('#expire-plan').innerText();
  assert.ok(/Expiry north/.test(everyone) && /Expiry south/.test(everyone), everyone);
  await page.locator('#correction-area form').getByRole('button', { name: 'Expire credit…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Expire credit' }).click();
  await page.locator('#correction-area .result:not([hidden])').waitFor();
  for (const tag of ['north', 'south']) assert.equal((await query(page, { type: 'credits', customer: `cus-expiry-${tag}`, currency: 'EUR' })).lots.length, 0);
  await close();
});

test('tax rounding: the Data page shows and changes it; the new-invoice preview and the printed invoice follow it', async () => {
  const { page, close } = await openPanel(browser, url, '/data');
  const current = page.locator('#tax-rounding-current');
  assert.match(await current.innerText(), /per line/);
  await page.getByLabel('Tax rounding for new invoices').selectOption('invoice');
  await page.getByRole('button', { name: 'Save tax rounding' }).click();
  await page.waitForFunction(() => /per invoice/.test(document.getElementById('tax-rounding-current').textContent));
  assert.equal((await query(page, { type: 'settings' })).tax_rounding, 'invoice');

  // Three lines whose tax rounds differently line by line and once per invoice.
  await applyAll(page, [{ type: 'create_customer', id: 'cus-rounding', name: 'Rounding Co', currency: 'EUR' }]);
  await go(page, '/invoices/new?customer=cus-rounding');
  await page.locator('#invoice-form').waitFor();
  await fillLine(page, 1, { description: 'Coffee', unitPrice: '0.05', tax: '10' });
  for (const n of [2, 3]) {
    await page.locator('#add-line').click();
    await fillLine(page, n, { description: 'Coffee', unitPrice: '0.05', tax: '10' });
  }
  await page.waitForFunction(() => /per invoice/.test(document.getElementById('preview-rounding')?.textContent ?? ''));
  const day = await page.getByLabel('Invoice date').inputValue();
  const line = { description: 'Coffee', quantity: '1', unit_price: '0.05', tax_rate: '0.1' };
  const engine = await query(page, { type: 'preview_invoice', customer: 'cus-rounding', date: day, lines: [line, line, line] });
  assert.equal(engine.tax_rounding, 'invoice');
  assert.equal(await page.locator('#preview-tax').innerText(), await shown(page, engine.tax, 'EUR'), 'the preview shows the engine\'s tax');
  await page.locator('#issue-invoice').click();
  await page.locator('#invoice-doc').waitFor();
  await page.locator('#rounding-note').waitFor();
  assert.equal(await page.locator('#invoice-totals #total-row td').innerText(), await shown(page, engine.total, 'EUR'));
  await close();
});

test('the accountant\'s export: the general ledger as CSV and as Beancount, the engine\'s files', async () => {
  const { page, close } = await openPanel(browser, url, '/data');
  for (const [format, ext] of [['csv', 'csv'], ['beancount', 'beancount']]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#export-ledger-${format}`).click()]);
    assert.match(download.suggestedFilename(), new RegExp(`^tally-general-ledger-\\d{4}-\\d{2}-\\d{2}\\.${ext}$`));
    const chunks = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    const expected = await page.evaluate(async (f) => (await import('/views/accountant-export.js')).ledgerFile(window.tally.store, f), format);
    assert.equal(body, expected, `${format}: the file is the engine's export`);
    assert.ok(body.length > 1000, `${format}: the demo's ledger is in it`);
  }
  const postings = (await query(page, { type: 'postings' })).entries.length;
  const csv = await page.evaluate(async () => (await import('/views/accountant-export.js')).ledgerFile(window.tally.store, 'csv'));
  assert.equal(csv.trim().split(/\r?\n/).length, postings + 1, 'one CSV line per posting, after the header');
  await close();
});

test('printable statement: seller, customer without id, period, running balance, aging and credit with expiry', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  const { customer, day } = await customerWithInvoice(page, 'statement');
  const plus = (iso, n) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
  await applyAll(page, [
    { type: 'record_payment', id: 'pay-statement', customer, amount: '50.00', currency: 'EUR', method: 'card', date: day },
    { type: 'add_credit', id: 'crd-statement', customer, amount: '5.00', currency: 'EUR', date: day, valid_until: plus(day, 20), reason: 'Day pass' },
  ]);
  await go(page, `/customers/${customer}`);
  await page.locator('#printable-statement').click();
  await page.locator('#statement-doc').waitFor();

  const st = await query(page, { type: 'statement', customer, currency: 'EUR', to: day });
  const doc = await page.locator('#statement-doc').innerText();
  assert.ok(!doc.includes(customer), 'no internal id on the statement');
  assert.match(await page.locator('#statement-customer').innerText(), /statement Studio[\s\S]*statement@example\.com/);
  assert.equal(await page.locator('#statement-opening').innerText(), await shown(page, st.opening_balance, 'EUR'));
  assert.equal(await page.locator('#statement-closing').innerText(), await shown(page, st.closing_balance, 'EUR'));
  const rows = await page.locator('#statement-entries tbody tr:not(.opening) td:last-child').allInnerTexts();
  assert.deepEqual(rows, await Promise.all(st.entries.map((e) => shown(page, e.balance, 'EUR'))), 'every entry with its running balance');
  const aging = (await query(page, { type: 'aging', as_of: day, currency: 'EUR' })).rows.find((r) => r.customer === customer);
  assert.ok((await page.locator('#statement-aging').innerText()).includes(await shown(page, aging.total, 'EUR')));
  const credit = await page.locator('#statement-credit').innerText();
  assert.ok(credit.includes(await page.evaluate(async (d) => (await import('/ui/format.js')).date(d), plus(day, 20))), credit);

  // A period: the opening balance is what came before it.
  await page.getByLabel('From').fill(plus(day, 1));
  await page.getByLabel('To').fill(plus(day, 2));
  await page.getByRole('button', { name: 'Show period' }).click();
  await page.waitForFunction(() => location.hash.includes('from='));
  await page.locator('#statement-doc').waitFor();
  assert.equal(await page.locator('#statement-opening').innerText(), await shown(page, st.closing_balance, 'EUR'));
  // Print shows the document only.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('#statement-period').isVisible(), false);
  assert.equal(await page.locator('#statement-doc').isVisible(), true);
  await close();
});
