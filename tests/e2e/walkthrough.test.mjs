// What a new finance user met walking the panel end to end (session 12, h-walk), each
// worked as an operator would: the invoice number format (Data), an invoice whose total
// would be negative (refused in the customer's currency, pointing to a credit note), the
// trial balance's bad-debt account in words, a void invoice that keeps its contrast and
// fits its page, and counts in the singular. Expected figures are the engine's answers,
// formatted with the page's own formatter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, startServer } from '../browser/browser.mjs';
import { openPanel, go, createCustomer, fillLine, axeViolations, ready, applyAll, query, shown } from './panel-helpers.mjs';

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

const seq = (page) => page.evaluate(() => window.tally.store.seq);

/** Empties the ledger through Data › Start over. */
async function startEmpty(page) {
  await go(page, '/data');
  await page.locator('#start-empty').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Empty the ledger' }).click();
  await page.waitForFunction(() => window.tally.store.seq === 0);
}

test('the invoice number format is set under Data: a bad format is refused next to the field and changes nothing; a good one numbers the next invoice and survives a reload', async () => {
  const { page, close } = await openPanel(browser, url, '/data');
  const current = page.locator('#invoice-number-current');
  const format = page.getByLabel('Invoice number format');
  const save = page.getByRole('button', { name: 'Save invoice number format' });
  const error = page.locator('#invoice-number-form .field-error');
  assert.equal(await format.inputValue(), (await query(page, { type: 'settings' })).invoice_number_format);

  const before = await seq(page);
  for (const [typed, words] of [
    ['abc', /Invoice number format: “abc” needs \{seq\}/],
    ['{yr}-{seq}', /Invoice number format: “\{yr\}-\{seq\}” has a placeholder that isn't one of/],
    ['{seq', /Invoice number format: “\{seq” has a “\{” without its “\}”/],
    ['', /Invoice number format: must not be empty/],
  ]) {
    await format.fill(typed);
    await save.click();
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), words, `refusal of ${JSON.stringify(typed)}`);
    assert.equal(await format.getAttribute('aria-invalid'), 'true');
    assert.equal(await seq(page), before, `${JSON.stringify(typed)} changes nothing`);
  }
  assert.deepEqual(await axeViolations(page), [], 'the refused form is accessible');

  await format.fill('{year}-{seq:0000}');
  await save.click();
  await page.waitForFunction(() => /numbered \{year\}-\{seq:0000\}/.test(document.querySelector('#invoice-number-form [role=status]').textContent));
  assert.equal(await seq(page), before + 1, 'one configure recorded');
  const settings = await query(page, { type: 'settings' });
  assert.equal(settings.invoice_number_format, '{year}-{seq:0000}');
  const expected = `${(await page.evaluate(() => window.tally.today)).slice(0, 4)}-${String(settings.next_invoice_seq).padStart(4, '0')}`;
  assert.match(await current.innerText(), new RegExp(`next invoice issued today gets number ${expected}`));

  // The next invoice issued in the panel takes it.
  const customer = (await query(page, { type: 'customers' })).customers[0];
  await go(page, `/invoices/new?customer=${encodeURIComponent(customer.id)}`);
  await fillLine(page, 1, { description: 'Hot desk', unitPrice: '10' });
  await page.getByRole('button', { name: 'Issue invoice' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/invoices/inv-'));
  const id = decodeURIComponent(await page.evaluate(() => location.hash.slice('#/invoices/'.length)));
  assert.equal((await query(page, { type: 'invoice', invoice: id })).number, expected);

  await page.reload();
  await ready(page);
  await go(page, '/data');
  assert.equal(await page.getByLabel('Invoice number format').inputValue(), '{year}-{seq:0000}');
  await close();
});

test('an invoice whose total would be negative is refused in the customer\'s currency (BHD, 3 decimals), pointing to a credit note; nothing is issued', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  const id = await createCustomer(page, 'Manama Desk Co', 'BHD');
  await go(page, `/invoices/new?customer=${encodeURIComponent(id)}`);
  await fillLine(page, 1, { description: 'Refund of deposit', unitPrice: '-10', tax: '10' });
  const before = await seq(page);
  await page.getByRole('button', { name: 'Issue invoice' }).click();
  const error = page.locator('#invoice-form .field-error:not([hidden])').first();
  await error.waitFor();
  const dry = await page.evaluate((c) => window.tally.store.query({ type: 'preview_invoice', customer: c, currency: 'BHD', date: window.tally.today, lines: [{ description: 'x', unit_price: '-10', tax_rate: '0.1' }] }), id);
  assert.equal(dry.error.details.rule, 'negative_total');
  const total = await shown(page, dry.error.details.total, 'BHD');
  assert.match(total, /11\.000/, 'three decimals, as BHD is written');
  const words = await error.innerText();
  assert.ok(words.includes(`the invoice total would be negative (${total})`), words);
  assert.match(words, /credit note/);
  assert.equal(await seq(page), before, 'nothing issued');
  await close();
});

test('the trial balance names the bad-debt and cash accounts in words and counts accounts at zero in the singular', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await startEmpty(page);
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-wo', name: 'Gone Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-wo', customer: 'cus-wo', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00', tax_rate: '0.2' }] },
    { type: 'write_off_invoice', id: 'wo-1', invoice: 'inv-wo', date: '2026-03-01', reason: 'Left without paying' },
    // Money that comes later is a payment kept as credit: cash, here.
    { type: 'record_payment', id: 'pay-late', customer: 'cus-wo', amount: '10.00', currency: 'EUR', method: 'cash', date: '2026-04-01' },
  ]);
  const tb = await query(page, { type: 'trial_balance' });
  const badDebt = tb.accounts.find((a) => a.account === 'bad_debt' && a.currency === 'EUR');
  assert.ok(badDebt, 'the engine books a bad debt');
  await go(page, '/reports');
  const table = page.locator('main table', { hasText: 'Revenue' }).first();
  const text = await table.innerText();
  assert.doesNotMatch(text, /bad_debt/);
  assert.match(text, new RegExp(`Bad debt written off \\(expense\\)\\s+${(await shown(page, badDebt.balance, 'EUR')).replace(/[.$()]/g, '\\$&')}`));
  assert.match(text, /Cash received in cash\s+€10\.00/, 'cash "received in cash", not "by cash"');
  // The customer's receivable is at zero after the write-off: one account, not listed.
  assert.match(text, /1 customer account at zero is not listed\./);
  await close();
});

test('a void invoice keeps its contrast (axe) and its lines fit the page at 1280 px with BHD amounts', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-bhd', name: 'Gulf Studio', currency: 'BHD' },
    { type: 'issue_invoice', id: 'inv-bhd', customer: 'cus-bhd', date: '2026-02-01', lines: [{ description: 'Private office, February', quantity: '2', unit_price: '1250.125', tax_rate: '0.1', discount_rate: '0.05' }] },
    { type: 'void_invoice', id: 'vi-bhd', invoice: 'inv-bhd', date: '2026-02-02', reason: 'Wrong customer' },
  ]);
  await go(page, '/invoices/inv-bhd');
  await page.locator('#invoice-doc').waitFor();
  assert.match(await page.locator('#invoice-doc').innerText(), /VOID/);
  assert.deepEqual(await axeViolations(page), [], 'no contrast failure on a void invoice');
  const [scroll, client] = await page.evaluate(() => { const w = document.querySelector('#invoice-doc .table-wrap'); return [w.scrollWidth, w.clientWidth]; });
  assert.ok(scroll <= client, `the lines table fits (${scroll} > ${client} scrolls sideways)`);
  await close();
});

test('counts of one are in the singular: "Ledger loaded: 1 record."', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await startEmpty(page);
  await createCustomer(page, 'Only Member', 'EUR');
  await page.reload();
  await ready(page);
  assert.match(await page.locator('#status').innerText(), /Ledger loaded: 1 record\b(?!s)/);
  await go(page, '/data');
  assert.match(await page.locator('main .lead').innerText(), /\(1 record[,)]/);
  await close();
});

test('a written-off invoice is final: no credit note or void is offered for it, and a refusal about it names the invoice in words, never its id', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-final', name: 'Final Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-final', customer: 'cus-final', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00', tax_rate: '0.2' }] },
    { type: 'issue_invoice', id: 'inv-other', customer: 'cus-final', date: '2026-02-05', lines: [{ description: 'Desk', unit_price: '50.00' }] },
    { type: 'write_off_invoice', id: 'wo-final', invoice: 'inv-final', date: '2026-03-01', reason: 'Left without paying' },
  ]);
  const number = (await query(page, { type: 'invoice', invoice: 'inv-final' })).number;
  const other = (await query(page, { type: 'invoice', invoice: 'inv-other' })).number;

  await go(page, '/invoices/inv-final');
  await page.locator('#invoice-doc').waitFor();
  const actions = page.locator('main .actions');
  assert.equal(await actions.getByRole('link', { name: 'Credit note' }).count(), 0, 'no "Credit note" on a written-off invoice');
  assert.equal(await actions.getByRole('link', { name: 'Void invoice…' }).count(), 0);

  for (const action of ['credit_note', 'void_invoice']) {
    await go(page, `/corrections?customer=cus-final&action=${action}`);
    const options = await page.locator('#correction-area select').first().locator('option').allInnerTexts();
    assert.ok(options.some((o) => o.startsWith(other)), `${action} offers the open invoice`);
    assert.ok(!options.some((o) => o.startsWith(number)), `${action} doesn't offer the written-off one: ${options}`);
  }

  // A payment allocated to it (another tab's stale list, an old link) is refused in words.
  const words = await page.evaluate(async (n) => {
    const { refusalText } = await import('/ui/refusal.js');
    const dry = window.tally.store.dryRun({ type: 'record_payment', id: 'pay-final', customer: 'cus-final', amount: '10.00', currency: 'EUR', method: 'cash', date: '2026-04-01', allocate_to: ['inv-final'] });
    return { rule: dry.error.details.rule, text: refusalText(dry.error, { label: 'Invoices', words: (id) => (id === 'inv-final' ? n : null) }) };
  }, number);
  assert.equal(words.rule, 'written_off');
  assert.match(words.text, new RegExp(`^Invoices: ${number} was written off as bad debt`));
  assert.doesNotMatch(words.text, /inv-final/);
  await close();
});

test('the due date follows a change of the invoice date (14 days after) until it is typed in', async () => {
  const { page, close } = await openPanel(browser, url, '/invoices/new');
  await page.locator('#invoice-form').waitFor();
  const day = page.getByLabel('Invoice date');
  const due = page.getByLabel('Due date');
  const plus14 = (iso) => page.evaluate(async ([d]) => (await import('/ui/format.js')).addDays(d, 14), [iso]);
  assert.equal(await due.inputValue(), await plus14(await day.inputValue()));
  await day.fill('2026-09-01');
  assert.equal(await due.inputValue(), '2026-09-15', 'a backdated invoice is due 14 days after its date, not after today');
  await due.fill('2026-09-30');
  await day.fill('2026-09-05');
  assert.equal(await due.inputValue(), '2026-09-30', 'a due date typed in is kept');
  await due.fill('');
  await day.fill('2026-08-04');
  assert.equal(await due.inputValue(), '', 'an emptied due date stays empty (due on the invoice date)');
  await close();
});

test('a credit note on a paid invoice says it becomes credit, not that the amount due "goes down by €0.00"', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-paid', name: 'Paid Member', currency: 'EUR' },
    { type: 'issue_invoice', id: 'inv-paid', customer: 'cus-paid', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '100.00' }] },
    { type: 'record_payment', id: 'pay-paid', customer: 'cus-paid', amount: '100.00', currency: 'EUR', method: 'card', date: '2026-01-06' },
  ]);
  const number = (await query(page, { type: 'invoice', invoice: 'inv-paid' })).number;
  await go(page, '/corrections?customer=cus-paid&action=credit_note&invoice=inv-paid');
  const area = page.locator('#correction-area');
  await area.getByLabel(/^Amount/).fill('10');
  await area.getByLabel(/^Reason/).fill('Overcharged');
  const dry = await page.evaluate(() => window.tally.store.dryRun({ type: 'issue_credit_note', id: 'cn-probe', customer: 'cus-paid', invoice: 'inv-paid', amount: '10', date: window.tally.today, reason: 'x' }));
  assert.equal(dry.reduced_amount_due, '0.00');
  const plan = await page.locator('#credit-note-plan').innerText();
  assert.doesNotMatch(plan, /goes down by €0\.00/);
  assert.match(plan, new RegExp(`${number} is already settled: its amount due stays at zero, and ${(await shown(page, dry.credit_released, 'EUR')).replace('.', '\\.')} paid on it becomes credit for Paid Member`));
  await area.getByRole('button', { name: 'Issue credit note' }).click();
  const result = area.locator('.result');
  await result.waitFor({ state: 'visible' });
  assert.match(await result.innerText(), new RegExp(`issued for ${number}, already settled: €10\\.00 became credit`));
  await close();
});

test('amount placeholders follow the currency: "0" for JPY, "0.000" for BHD, "0.00" for EUR', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-jpy', name: 'Tokyo Member', currency: 'JPY' },
    { type: 'create_customer', id: 'cus-bhd2', name: 'Manama Member', currency: 'BHD' },
  ]);
  for (const [id, zero] of [['cus-jpy', '0'], ['cus-bhd2', '0.000']]) {
    await go(page, `/payments/new?customer=${id}`);
    const amount = page.locator('#payment-form').getByLabel('Amount');
    await page.waitForFunction(([z]) => document.querySelector('#payment-form input[name=amount]').placeholder === z, [zero]);
    assert.equal(await amount.getAttribute('placeholder'), zero);
    await page.locator('#payment-form').getByLabel('Currency').selectOption('EUR');
    assert.equal(await amount.getAttribute('placeholder'), '0.00', 'it follows a change of currency');
    await go(page, `/invoices/new?customer=${id}`);
    await page.locator('#invoice-form').waitFor();
    await page.getByRole('button', { name: 'Add a line' }).click();
    assert.equal(await page.getByLabel('Unit price, line 1').getAttribute('placeholder'), zero);
    assert.equal(await page.getByLabel('Unit price, line 2').getAttribute('placeholder'), zero);
  }
  await close();
});

test('a line\'s amount is not left showing the figure from before a bad value was typed', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [{ type: 'create_customer', id: 'cus-line', name: 'Line Member', currency: 'EUR' }]);
  await go(page, '/invoices/new?customer=cus-line');
  await page.locator('#invoice-form').waitFor();
  await fillLine(page, 1, { description: 'Desk', unitPrice: '100', tax: '20' });
  const amount = page.locator('#invoice-form .line-amount').first();
  await page.waitForFunction(() => document.querySelector('#invoice-form .line-amount').textContent !== '');
  const preview = await page.evaluate(() => window.tally.store.query({ type: 'preview_invoice', customer: 'cus-line', currency: 'EUR', date: window.tally.today, lines: [{ description: 'Desk', unit_price: '100', tax_rate: '0.2' }] }));
  assert.equal(await amount.innerText(), await shown(page, preview.lines[0].net, 'EUR'));
  await fillLine(page, 1, { unitPrice: 'abc' });
  await page.locator('#invoice-form .field-error:not([hidden])').first().waitFor();
  assert.equal(await amount.innerText(), '', 'no stale amount next to "abc"');
  await fillLine(page, 1, { unitPrice: '50' });
  await page.waitForFunction(() => document.querySelector('#invoice-form .line-amount').textContent !== '');
  const again = await page.evaluate(() => window.tally.store.query({ type: 'preview_invoice', customer: 'cus-line', currency: 'EUR', date: window.tally.today, lines: [{ description: 'Desk', unit_price: '50', tax_rate: '0.2' }] }));
  assert.equal(await amount.innerText(), await shown(page, again.lines[0].net, 'EUR'));
  await close();
});

test('a payment in another currency than the customer\'s billing one says what it can pay, before it is saved', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-yen', name: 'Yen Member', currency: 'JPY' },
    { type: 'issue_invoice', id: 'inv-yen', customer: 'cus-yen', date: '2026-01-05', lines: [{ description: 'Desk', unit_price: '710' }] },
  ]);
  await go(page, '/payments/new?customer=cus-yen');
  const form = page.locator('#payment-form');
  await form.getByLabel('Amount').fill('100');
  await page.waitForFunction(() => /will settle/.test(document.getElementById('payment-plan').textContent));
  assert.equal(await page.locator('#currency-warning').count(), 0, 'no warning in the billing currency');
  await form.getByLabel('Currency').selectOption('EUR');
  await page.locator('#currency-warning').waitFor();
  const owes = await shown(page, (await query(page, { type: 'balance', customer: 'cus-yen', currency: 'JPY' })).outstanding, 'JPY');
  assert.equal(await page.locator('#currency-warning').innerText(), `Yen Member is billed in JPY and owes ${owes}: a payment in EUR settles only invoices in EUR, and credit in EUR pays only invoices in EUR.`);
  assert.match(await page.locator('#payment-plan').innerText(), /kept as credit, and used for Yen Member's next invoice in EUR\./);
  await close();
});

test('the printable statement names credit left by a payment by that payment, not "Overpayment"', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await applyAll(page, [
    { type: 'create_customer', id: 'cus-pre', name: 'Prepaying Member', currency: 'EUR' },
    { type: 'record_payment', id: 'pay-pre', customer: 'cus-pre', amount: '250.00', currency: 'EUR', method: 'bank_transfer', date: '2026-02-03', reference: 'SEPA 77' },
  ]);
  await go(page, '/customers/cus-pre/statement');
  const credit = page.locator('#statement-credit');
  await credit.waitFor();
  const text = await credit.innerText();
  const day = await page.evaluate(async () => (await import('/ui/format.js')).date('2026-02-03'));
  assert.ok(text.includes(`From the payment of ${day} (ref. SEPA 77)`), text);
  assert.doesNotMatch(text, /Overpayment/);
  await close();
});

test('"New customer" says so when a customer of that name already exists, and still lets a different one be created', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  const twin = (await query(page, { type: 'customers' })).customers[0];
  await page.getByRole('button', { name: 'New customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'New customer' });
  const warning = dialog.locator('#same-name-warning');
  await dialog.getByLabel('Name').fill('Someone New Entirely');
  assert.equal(await warning.isVisible(), false);
  await dialog.getByLabel('Name').fill(` ${twin.name.toUpperCase()} `);
  await warning.waitFor();
  assert.match(await warning.innerText(), new RegExp(`already a customer named ${twin.name.replace(/[.*+?^${}()|[\]\\&]/g, '\\$&')}`));
  assert.deepEqual(await axeViolations(page), []);
  const before = (await query(page, { type: 'customers' })).customers.length;
  await dialog.getByRole('button', { name: 'Create customer' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/customers/cus-'));
  assert.equal((await query(page, { type: 'customers' })).customers.length, before + 1, 'a warning, not a refusal');
  await close();
});

test('"New customer" refuses an e-mail that is not one, names it next to the field, and creates nothing', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  const before = (await query(page, { type: 'customers' })).customers.length;
  await page.getByRole('button', { name: 'New customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'New customer' });
  await dialog.getByLabel('Name').fill('Mail Checked Ltd');
  await dialog.getByLabel('E-mail').fill('not-an-email');
  await dialog.getByRole('button', { name: 'Create customer' }).click();
  const input = dialog.getByLabel('E-mail');
  await page.waitForFunction(() => document.querySelector('input[name="email"]')?.getAttribute('aria-invalid') === 'true');
  const describedBy = (await input.getAttribute('aria-describedby')).split(' ');
  const messages = await Promise.all(describedBy.map((id) => page.locator(`#${id}`).innerText().catch(() => '')));
  assert.ok(messages.some((m) => m.includes('“not-an-email” is not an e-mail address')), messages.join(' | '));
  assert.equal((await query(page, { type: 'customers' })).customers.length, before, 'nothing created');
  await input.fill('accounts@mail-checked.example');
  await dialog.getByRole('button', { name: 'Create customer' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/customers/cus-'));
  const made = (await query(page, { type: 'customers' })).customers.find((c) => c.name === 'Mail Checked Ltd');
  assert.equal(made?.email, 'accounts@mail-checked.example');
  await close();
});

test('on a phone, a radio or checkbox label wraps beside its box instead of dropping below it', async () => {
  const { page, close } = await openPanel(browser, url, '/payments/new', { width: 390, height: 800 });
  await page.locator('#payment-form').waitFor();
  const rows = await page.evaluate(() => [...document.querySelectorAll('.field-check')].filter((el) => el.offsetParent).map((el) => {
    const box = el.querySelector('input').getBoundingClientRect();
    const label = el.querySelector('label').getBoundingClientRect();
    return { text: el.querySelector('label').textContent, beside: label.left >= box.right && label.top < box.bottom };
  }));
  assert.ok(rows.length >= 3, 'the payment form has its three choices');
  for (const r of rows) assert.ok(r.beside, `"${r.text}" sits beside its box`);
  await close();
});
