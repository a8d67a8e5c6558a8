// What an outside audit of the panel found (session 14, h-walk), each worked as an
// operator would: an invoice document whose totals add up when part of it was written
// off, no correction offered on an invoice that can only refuse it, and credit named in
// words where it settled an invoice. Expected figures are the engine's answers,
// formatted with the page's own formatter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, startServer } from '../browser/browser.mjs';
import { openPanel, go, axeViolations, applyAll, query, shown } from './panel-helpers.mjs';

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

test('an invoice re-opened after a write-off (a bounced payment) offers payment and another write-off, never a credit note or a void the engine refuses', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-bounce', name: 'Bounced Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-bounce', customer: 'cus-bounce', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00' }] },
    { type: 'issue_invoice', id: 'inv-plain', customer: 'cus-bounce', date: '2026-02-05', lines: [{ description: 'Desk', unit_price: '50.00' }] },
    { type: 'record_payment', id: 'pay-bounce', customer: 'cus-bounce', amount: '40.00', currency: 'EUR', method: 'cheque', date: '2026-01-10', allocate_to: ['inv-bounce'] },
    { type: 'write_off_invoice', id: 'wo-bounce', invoice: 'inv-bounce', date: '2026-03-01', reason: 'Left without paying' },
    { type: 'void_payment', id: 'vp-bounce', payment: 'pay-bounce', date: '2026-03-05', reason: 'Cheque bounced' },
  ]);
  const inv = await query(page, { type: 'invoice', invoice: 'inv-bounce' });
  const other = (await query(page, { type: 'invoice', invoice: 'inv-plain' })).number;
  assert.equal(inv.status, 'open');
  assert.equal(inv.amount_due, '40.00', 'owes again what the cheque paid');
  assert.equal(inv.written_off, '60.00');
  // What the engine says of the corrections the page must not offer.
  for (const command of [
    { type: 'issue_credit_note', id: 'cn-bounce', customer: 'cus-bounce', invoice: 'inv-bounce', amount: '1.00', date: '2026-03-06', reason: 'x' },
    { type: 'void_invoice', id: 'vi-bounce', invoice: 'inv-bounce', date: '2026-03-06' },
  ]) {
    const dry = await page.evaluate((c) => window.tally.store.dryRun(c), command);
    assert.equal(dry.error?.code, 'invoice_closed', `${command.type} is refused on it`);
  }

  await openInvoice(page, 'inv-bounce');
  const actions = page.locator('main .actions');
  assert.equal(await actions.getByRole('link', { name: 'Add payment' }).count(), 1);
  assert.equal(await actions.getByRole('link', { name: 'Write off…' }).count(), 1);
  assert.equal(await actions.getByRole('link', { name: 'Credit note' }).count(), 0, 'no "Credit note" on a partly written-off invoice');
  assert.equal(await actions.getByRole('link', { name: 'Void invoice…' }).count(), 0, 'no "Void invoice…" on a partly written-off invoice');

  for (const action of ['credit_note', 'void_invoice']) {
    await go(page, `/corrections?customer=cus-bounce&action=${action}`);
    const options = await page.locator('#correction-area select').first().locator('option').allInnerTexts();
    assert.ok(options.some((o) => o.startsWith(other)), `${action} offers the other invoice: ${options}`);
    assert.ok(!options.some((o) => o.startsWith(inv.number)), `${action} doesn't offer the partly written-off one: ${options}`);
  }
  await close();
});

test('"What settles it" names credit granted or from a credit note by its date and reason, never by its internal id', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-lots', name: 'Lots Member', currency: 'EUR' },
    { type: 'add_credit', id: 'crd-3f9a1c2e', customer: 'cus-lots', amount: '20.00', date: '2026-01-02', reason: 'Heating outage' },
    { type: 'issue_invoice', id: 'inv-lots-0', customer: 'cus-lots', date: '2026-01-03', use_credit: false, lines: [{ description: 'Desk', unit_price: '30.00' }] },
    { type: 'issue_credit_note', id: 'cn-7b2d4e61', customer: 'cus-lots', amount: '15.00', currency: 'EUR', date: '2026-01-04', reason: 'Broken chair' },
    { type: 'record_payment', id: 'pay-5c8e0a93', customer: 'cus-lots', amount: '10.00', currency: 'EUR', method: 'card', date: '2026-01-05', allocate_to: [] },
    { type: 'issue_invoice', id: 'inv-lots', customer: 'cus-lots', date: '2026-01-10', lines: [{ description: 'Desk', unit_price: '50.00' }] },
  ]);
  const inv = await query(page, { type: 'invoice', invoice: 'inv-lots' });
  assert.deepEqual(inv.settlements.map((s) => [s.kind, s.source]), [['credit', 'crd-3f9a1c2e'], ['credit', 'cn-7b2d4e61'], ['credit', 'pay-5c8e0a93']]);
  await openInvoice(page, 'inv-lots');
  const items = await page.locator('section[aria-labelledby="settled-title"] li').allInnerTexts();
  const on = (iso) => page.evaluate(async (d) => (await import('/ui/format.js')).date(d), iso);
  assert.deepEqual(items, [
    `Credit granted on ${await on('2026-01-02')} (Heating outage): ${await shown(page, '20.00', 'EUR')}`,
    `Credit from the credit note of ${await on('2026-01-04')} (Broken chair): ${await shown(page, '15.00', 'EUR')}`,
    `Credit (from payment of ${await on('2026-01-05')}): ${await shown(page, '10.00', 'EUR')}`,
  ]);
  for (const item of items) assert.doesNotMatch(item, /crd-|cn-|pay-/);
  await close();
});

test('the printable statement\'s note says which entries are charges and which are credits, for every kind it can list', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-kinds', name: 'Every Kind Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-kinds-1', customer: 'cus-kinds', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00' }] },
    { type: 'issue_invoice', id: 'inv-kinds-2', customer: 'cus-kinds', date: '2026-01-06', lines: [{ description: 'Desk', unit_price: '30.00' }] },
    { type: 'record_payment', id: 'pay-kinds', customer: 'cus-kinds', amount: '150.00', currency: 'EUR', method: 'cheque', date: '2026-01-10', allocate_to: ['inv-kinds-1'] },
    { type: 'record_payment', id: 'pay-kinds-2', customer: 'cus-kinds', amount: '5.00', currency: 'EUR', method: 'cash', date: '2026-01-11', allocate_to: [] },
    { type: 'issue_credit_note', id: 'cn-kinds', customer: 'cus-kinds', invoice: 'inv-kinds-1', amount: '10.00', date: '2026-01-12', reason: 'Broken chair' },
    { type: 'add_credit', id: 'crd-kinds', customer: 'cus-kinds', amount: '5.00', date: '2026-01-13', reason: 'Guest pass', valid_until: '2026-01-20' },
    { type: 'refund_credit', id: 'ref-kinds', customer: 'cus-kinds', amount: '20.00', currency: 'EUR', method: 'bank_transfer', date: '2026-01-14' },
    { type: 'void_invoice', id: 'vi-kinds', invoice: 'inv-kinds-2', date: '2026-01-15' },
    { type: 'void_payment', id: 'vp-kinds', payment: 'pay-kinds-2', date: '2026-01-16' },
    { type: 'issue_invoice', id: 'inv-kinds-3', customer: 'cus-kinds', date: '2026-01-17', use_credit: false, lines: [{ description: 'Desk', unit_price: '40.00' }] },
    { type: 'write_off_invoice', id: 'wo-kinds', invoice: 'inv-kinds-3', date: '2026-01-18', reason: 'Left' },
    { type: 'expire_credit', id: 'exp-kinds', customer: 'cus-kinds', date: '2026-01-21' },
  ]);
  const st = await query(page, { type: 'statement', customer: 'cus-kinds' });
  const words = {
    invoice: 'invoices', refund: 'refunds of credit', payment_void: 'voided payments', credit_expired: 'expired credit',
    payment: 'payments', credit_note: 'credit notes', credit: 'credit granted', invoice_void: 'voided invoices', write_off: 'write-offs',
  };
  const kinds = new Set(st.entries.map((e) => e.kind));
  assert.equal(kinds.size, Object.keys(words).length, `the statement lists every kind: ${[...kinds]}`);

  await go(page, '/customers/cus-kinds/statement');
  const note = page.locator('.doc-foot p').first();
  await note.waitFor();
  const [charges, credits] = (await note.innerText()).split(';');
  for (const e of st.entries) {
    const side = Number(e.debit) > 0 ? charges : credits;
    assert.ok(side.includes(words[e.kind]), `"${words[e.kind]}" (${e.kind}, a ${side === charges ? 'charge' : 'credit'}) is named among the ${side === charges ? 'charges' : 'credits'}: ${side}`);
  }
  await close();
});

test('voiding a paid invoice says nothing is due on it, not that the customer "will no longer owe its €0.00 due"', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-vpaid', name: 'Paid Up Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-vpaid', customer: 'cus-vpaid', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '270.00' }] },
    { type: 'record_payment', id: 'pay-vpaid', customer: 'cus-vpaid', amount: '270.00', currency: 'EUR', method: 'card', date: '2026-01-06' },
  ]);
  const inv = await query(page, { type: 'invoice', invoice: 'inv-vpaid' });
  assert.equal(inv.amount_due, '0.00');
  await go(page, '/corrections?customer=cus-vpaid&invoice=inv-vpaid&action=void_invoice');
  const plan = page.locator('#void-invoice-plan');
  await plan.getByText('will be cancelled').waitFor();
  const words = await plan.innerText();
  assert.match(words, new RegExp(`${inv.number} .* will be cancelled: nothing is due on it, and the statement will credit the ${(await shown(page, '270.00', 'EUR')).replace(/[.$]/g, '\\$&')} it asked for`));
  assert.doesNotMatch(words, /no longer owe/);
  await close();
});

test('writing off an invoice of a customer who holds credit that could pay it says so first, with the way to apply it', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-held', name: 'Holding Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-held', customer: 'cus-held', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00', tax_rate: '0.2' }] },
    { type: 'record_payment', id: 'pay-held', customer: 'cus-held', amount: '30.00', currency: 'EUR', method: 'cash', date: '2026-01-06', allocate_to: [] },
    { type: 'create_customer', id: 'cus-none', name: 'Empty Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-none', customer: 'cus-none', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00' }] },
  ]);
  await go(page, '/corrections?customer=cus-held&invoice=inv-held&action=write_off');
  const plan = page.locator('#write-off-plan');
  await plan.getByText('will be written off').waitFor();
  const warning = plan.locator('#write-off-credit-warning');
  assert.equal(await warning.count(), 1, 'the credit that could pay it is named');
  assert.match(await warning.innerText(), new RegExp(`Holding Member holds credit that could pay ${(await shown(page, '30.00', 'EUR')).replace(/[.$]/g, '\\$&')} of it`));
  // The confirmation says it too (in words: a link would leave the dialog open over another screen).
  await page.locator('#correction-area').getByLabel('Reason', { exact: false }).fill('Left without paying');
  await page.locator('#correction-area button[type=submit]').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Holding Member holds credit that could pay .* Apply that credit first/);
  assert.equal(await dialog.getByRole('link').count(), 0);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await query(page, { type: 'invoice', invoice: 'inv-held' })).status, 'open', 'cancelled: nothing written off');
  await warning.getByRole('link', { name: 'Apply that credit first' }).click();
  await page.waitForFunction(() => location.hash.includes('action=apply_credit'));
  assert.equal(await page.locator('#correction-area select').first().inputValue(), 'inv-held', 'the invoice is chosen to apply the credit to');

  await go(page, '/corrections?customer=cus-none&invoice=inv-none&action=write_off');
  await page.locator('#write-off-plan').getByText('will be written off').waitFor();
  assert.equal(await page.locator('#write-off-credit-warning').count(), 0, 'no warning without credit');
  await close();
});

test('an invoice or statement printed with the demo\'s seller details (an emptied ledger keeps them) says so on screen, until the operator sets their own', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-seller', name: 'First Real Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-seller', customer: 'cus-seller', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00' }] },
  ]);
  await openInvoice(page, 'inv-seller');
  const note = page.locator('#demo-seller-note');
  assert.match(await note.innerText(), /^The seller's business name, address, e-mail, tax id and payment terms printed on this invoice are still the demo's\. Set your own under Data before sending it\.$/);
  assert.equal(await note.evaluate((el) => getComputedStyle(el).display), 'block');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await note.isVisible(), false, 'the note is not printed');
  await page.emulateMedia({ media: 'screen' });
  await go(page, '/customers/cus-seller/statement');
  await page.locator('#statement-doc').waitFor();
  assert.match(await page.locator('#demo-seller-note').innerText(), /printed on this statement are still the demo's/);

  assert.equal(await page.locator('#demo-seller-note').getByRole('link', { name: 'Set your own under Data' }).count(), 1);
  await go(page, '/data');
  await page.getByLabel('Business name').fill('Harbour Desks Ltd');
  await page.getByLabel('Payment terms').fill('Please pay to IBAN GB33 BUKB 2020 1555 5555 55.');
  await page.getByRole('button', { name: 'Save seller details' }).click();
  await openInvoice(page, 'inv-seller');
  assert.match(await page.locator('#demo-seller-note').innerText(), /^The seller's address, e-mail and tax id printed on this invoice are still the demo's/);
  await go(page, '/data');
  await page.getByLabel('Address').fill('1 Quay Road\nBristol');
  await page.getByLabel('E-mail', { exact: true }).fill('accounts@harbour.example');
  await page.getByLabel('Tax id').fill('GB123456789');
  await page.getByRole('button', { name: 'Save seller details' }).click();
  await openInvoice(page, 'inv-seller');
  assert.equal(await page.locator('#demo-seller-note').count(), 0, 'no note once every detail is the operator\'s');
  await close();
});

test('a statement period that ends before it starts, and an invoice address that names none, are worded by the page, never with the engine\'s own message', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [{ type: 'create_customer', id: 'cus-period', name: 'Period Member', currency: 'EUR' }]);
  const refused = await query(page, { type: 'statement', customer: 'cus-period', from: '2026-06-01', to: '2026-03-01' });
  assert.equal(refused.error.field, 'to');
  await go(page, '/customers/cus-period/statement?currency=EUR&from=2026-06-01&to=2026-03-01');
  const body = page.locator('#statement-refused');
  await body.waitFor();
  const words = await body.innerText();
  assert.match(words, /^No statement for this period\. To: must be on or after the “from” date/);
  assert.ok(!(await page.locator('main').innerText()).includes(refused.error.message), 'the engine\'s message is not shown');

  const unknown = await query(page, { type: 'invoice', invoice: 'inv-nowhere' });
  await go(page, '/invoices/inv-nowhere');
  await page.locator('h1', { hasText: 'Unknown invoice' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /No invoice has this id\. Back to the customers\./);
  assert.ok(!text.includes(unknown.error.message), 'the engine\'s message is not shown');
  await close();
});

test('a customer who owes on open invoices while holding credit is told the credit settles them only when applied, with how much and the way to apply it', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-both', name: 'Both Ways Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-both', customer: 'cus-both', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00' }] },
    { type: 'add_credit', id: 'crd-both', customer: 'cus-both', amount: '25.00', date: '2026-01-07', reason: 'Heating outage' },
  ]);
  const bal = await query(page, { type: 'balance', customer: 'cus-both' });
  assert.deepEqual([bal.outstanding, bal.credit], ['100.00', '25.00'], 'the new credit did not settle the open invoice by itself');
  const number = (await query(page, { type: 'invoice', invoice: 'inv-both' })).number;
  await go(page, '/customers/cus-both');
  const hint = page.locator('#credit-could-settle');
  await hint.waitFor();
  assert.match(await hint.innerText(), new RegExp(`${(await shown(page, '25.00', 'EUR')).replace(/[.$]/g, '\\$&')} of it can settle ${number}`));
  await hint.getByRole('link', { name: `Apply credit to ${number}` }).click();
  await page.waitForFunction(() => location.hash.includes('action=apply_credit'));
  assert.equal(await page.locator('#correction-area select').first().inputValue(), 'inv-both');
  await page.locator('#correction-area button[type=submit]').click();
  await page.locator('#correction-area .result').filter({ hasText: number }).waitFor();
  assert.equal((await query(page, { type: 'balance', customer: 'cus-both' })).credit, '0.00');
  await go(page, '/customers');
  await go(page, '/customers/cus-both');
  await page.locator('#credit-total').waitFor();
  assert.equal(await page.locator('#credit-could-settle').count(), 0, 'no hint once the credit is applied');
  await close();
});

test('an open invoice offers "Apply credit" only when the customer holds credit that can pay some of it', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-nocredit', name: 'No Credit Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-nocredit', customer: 'cus-nocredit', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00' }] },
    // Credit in another currency, and credit whose last day is before the invoice: neither can pay it.
    { type: 'add_credit', id: 'crd-usd', customer: 'cus-nocredit', amount: '10.00', currency: 'USD', date: '2026-01-01', reason: 'Refund of a USD overcharge' },
    { type: 'add_credit', id: 'crd-old', customer: 'cus-nocredit', amount: '10.00', date: '2026-01-01', reason: 'Guest pass', valid_until: '2026-01-04' },
  ]);
  const dry = await page.evaluate(() => window.tally.store.dryRun({ type: 'apply_credit', id: 'probe', customer: 'cus-nocredit', invoice: 'inv-nocredit' }));
  assert.equal(dry.error?.code, 'insufficient_credit', 'the engine would refuse it');
  await openInvoice(page, 'inv-nocredit');
  const actions = page.locator('main .actions');
  assert.equal(await actions.getByRole('link', { name: 'Add payment' }).count(), 1);
  assert.equal(await actions.getByRole('link', { name: 'Apply credit' }).count(), 0, 'no "Apply credit" that can only be refused');

  await applyAll(page, [{ type: 'add_credit', id: 'crd-new', customer: 'cus-nocredit', amount: '5.00', date: '2026-01-06', reason: 'Heating outage' }]);
  await openInvoice(page, 'inv-nocredit');
  assert.equal(await actions.getByRole('link', { name: 'Apply credit' }).count(), 1, 'offered once credit can pay it');
  await close();
});

test('on a phone, a customer whose statement and payments hold no link (a voided payment, no invoice) can still scroll them by keyboard (axe)', async () => {
  const { page, close } = await openPanel(browser, url, '/customers', { width: 390, height: 800 });
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-phone', name: 'Phone Member', currency: 'EUR' },
    { type: 'record_payment', id: 'pay-phone', customer: 'cus-phone', amount: '40.00', currency: 'EUR', method: 'cheque', date: '2026-01-10' },
    { type: 'void_payment', id: 'vp-phone', payment: 'pay-phone', date: '2026-01-12', reason: 'Cheque bounced' },
  ]);
  await go(page, '/customers/cus-phone');
  await page.locator('#payments-table').waitFor();
  for (const table of ['#payments-table', '#statement-table']) {
    assert.equal(await page.locator(table).locator('a[href], button').count(), 0, `nothing to focus in ${table}`);
  }
  assert.deepEqual(await axeViolations(page), []);
  for (const [table, name] of [['#payments-table', 'Payments'], ['#statement-table', 'Statement entries']]) {
    const box = page.locator(table).locator('xpath=..');
    assert.equal(await box.getAttribute('tabindex'), '0', `${table}'s box takes the focus`);
    assert.equal(await box.getAttribute('aria-label'), name);
  }
  await close();
});

test('"Refund credit" says how much can be refunded on its date when part of the credit held is past its "valid until" date', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-refund', name: 'Refund Member', currency: 'EUR' },
    { type: 'add_credit', id: 'crd-pass', customer: 'cus-refund', amount: '10.00', date: '2026-01-01', reason: 'Guest pass', valid_until: '2026-01-31' },
    { type: 'record_payment', id: 'pay-refund', customer: 'cus-refund', amount: '5.00', currency: 'EUR', method: 'cash', date: '2026-01-02' },
  ]);
  await go(page, '/corrections?customer=cus-refund&action=refund');
  const info = page.locator('#refund-available');
  const day = page.locator('#correction-area').getByLabel('Date', { exact: true });
  await day.fill('2026-01-20');
  await info.getByText('available to refund').waitFor();
  assert.equal(await info.innerText(), `${await shown(page, '15.00', 'EUR')} of credit available to refund.`);
  await day.fill('2026-02-01');
  const onDay = await page.evaluate(async () => (await import('/ui/format.js')).date('2026-02-01'));
  await info.getByText('can be refunded').waitFor();
  assert.equal(await info.innerText(), `${await shown(page, '5.00', 'EUR')} of the ${await shown(page, '15.00', 'EUR')} of credit held can be refunded on ${onDay}: the rest is past its "valid until" date.`);
  // What the engine answers for that date agrees.
  const dry = await page.evaluate(() => window.tally.store.dryRun({ type: 'refund_credit', id: 'probe', customer: 'cus-refund', amount: '15.00', currency: 'EUR', method: 'cash', date: '2026-02-01' }));
  assert.equal(dry.error.details.available.amount, '5.00');
  await close();
});

test('"Apply credit" says how much of the credit held can pay the invoice when part of it is past its "valid until" date', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-stale', name: 'Stale Credit Member', currency: 'EUR' },
    { type: 'add_credit', id: 'crd-stale', customer: 'cus-stale', amount: '10.00', date: '2026-01-01', reason: 'Guest pass', valid_until: '2026-01-04' },
    { type: 'add_credit', id: 'crd-fresh', customer: 'cus-stale', amount: '3.00', date: '2026-01-01', reason: 'Heating outage' },
    { type: 'issue_invoice', id: 'inv-stale', customer: 'cus-stale', date: '2026-01-05', use_credit: false, lines: [{ description: 'Desk', unit_price: '100.00' }] },
  ]);
  await go(page, '/corrections?customer=cus-stale&invoice=inv-stale&action=apply_credit');
  const info = page.locator('#apply-credit-available');
  await info.getByText('can pay').waitFor();
  const [inv] = (await query(page, { type: 'invoices', customer: 'cus-stale' })).invoices;
  const onDay = await page.evaluate(async () => (await import('/ui/format.js')).date('2026-01-05'));
  assert.equal(await info.innerText(), `${await shown(page, '3.00', 'EUR')} of the ${await shown(page, '13.00', 'EUR')} of credit held can pay ${inv.number}, dated ${onDay}: the rest is past its "valid until" date. ${inv.number} has ${await shown(page, '100.00', 'EUR')} due.`);
  // The plan, the engine's dry run with the form's defaults, applies that much.
  await page.locator('#apply-credit-plan').getByText(await shown(page, '3.00', 'EUR')).waitFor();

  // With all of it usable, the note says the credit held.
  await applyAll(page, [{ type: 'expire_credit', id: 'exp-stale', customer: 'cus-stale', date: '2026-01-06' }]);
  await go(page, '/customers');
  await go(page, '/corrections?customer=cus-stale&invoice=inv-stale&action=apply_credit');
  await info.getByText('of credit available').waitFor();
  assert.equal(await info.innerText(), `${await shown(page, '3.00', 'EUR')} of credit available in EUR; ${inv.number} has ${await shown(page, '100.00', 'EUR')} due.`);
  await close();
});
