// <tally-invoice-preview> in Chromium, on the demo page (www/preview-demo.html): the
// amounts it shows are the engine's, it follows draft and ledger changes, it never parses
// customer text as HTML, and a refusal is shown in an alert, in words from its details.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { launch, screenshotPath, startServer } from '../browser/browser.mjs';
import { loadEngine, newLedger } from '../../www/engine.js';
import { demoCommands, demoNextDraft } from '../../www/demo.js';

const XSS = '<img src=x onerror=alert(1)>';

let server;
let url;
let browser;

// The expected numbers come from the engine in Node, over the same demo ledger.
await loadEngine({ bytes: readFileSync(new URL('../../www/pkg/tally_engine_bg.wasm', import.meta.url)) });
const reference = newLedger();
for (const command of demoCommands()) assert.equal(reference.apply(command).ok, true);
const expectedPreview = (draft) => {
  const answer = reference.query({ type: 'preview_invoice', ...draft });
  assert.equal(answer.ok, true, JSON.stringify(answer.error));
  return answer;
};

before(async () => {
  ({ server, url } = await startServer());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function demoPage() {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London', viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(`${url}/preview-demo.html`);
  await page.waitForFunction(() => window.tallyPreviewDemo?.element.state === 'ready', null, { timeout: 30_000 });
  return { context, page, problems };
}

/** The text of elements matching `selector` inside the preview's shadow root. */
const shadowTexts = (page, selector, host = '#preview') => page.evaluate(([h, s]) =>
  [...document.querySelector(h).shadowRoot.querySelectorAll(s)].map((n) => n.textContent), [host, selector]);

/** Waits until the preview shows `amount` as its amount due. */
const waitForDue = (page, text, host = '#preview') => page.waitForFunction(([h, t]) =>
  document.querySelector(h)?.shadowRoot.querySelector('dd.due')?.textContent === t, [host, text], { timeout: 10_000 });

/** Formats money as the page does (the browser's Intl, the page's locale). */
const pageMoney = (page, amount, currency) => page.evaluate(([a, c]) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: c }).format(a), [amount, currency]);

async function assertShows(page, expected, host = '#preview') {
  const cur = expected.currency;
  const [subtotal, tax, total, credit, due] = await Promise.all(['dd.subtotal', 'dd.tax', 'dd.total', 'dd.credit', 'dd.due']
    .map((s) => shadowTexts(page, s, host).then((t) => t[0])));
  assert.equal(subtotal, await pageMoney(page, expected.subtotal, cur));
  assert.equal(tax, await pageMoney(page, expected.tax, cur));
  assert.equal(total, await pageMoney(page, expected.total, cur));
  assert.equal(credit, await pageMoney(page, Number(expected.credit_applied) ? `-${expected.credit_applied}` : expected.credit_applied, cur));
  assert.equal(due, await pageMoney(page, expected.amount_due, cur));
  const descriptions = await shadowTexts(page, 'tbody tr[part=line] th[scope=row] > span:first-child', host);
  assert.deepEqual(descriptions, expected.lines.map((l) => l.description));
  const gross = await shadowTexts(page, 'tbody tr[part=line] td:last-child', host);
  assert.deepEqual(gross, await Promise.all(expected.lines.map((l) => pageMoney(page, l.gross, cur))));
  const rates = await shadowTexts(page, 'table[part=tax-breakdown] tbody tr td:last-child', host);
  assert.deepEqual(rates, await Promise.all(expected.tax_breakdown.map((t) => pageMoney(page, t.tax, cur))));
}

test('the demo page previews the next invoice with credit applied, and follows changes', async () => {
  const { context, page, problems } = await demoPage();

  // Ada Lovelace: hot desk + 2 meeting-room hours, and a 45.00 goodwill credit.
  const first = expectedPreview(demoNextDraft('cus-lovelace'));
  assert.equal(first.credit_applied, '45.00');
  await waitForDue(page, '€243.00');
  await assertShows(page, first);
  assert.equal((await shadowTexts(page, 'dd.total'))[0], '€288.00');
  assert.equal((await shadowTexts(page, 'dd.credit'))[0], '-€45.00');
  const caption = (await shadowTexts(page, 'table[part=lines] caption'))[0];
  assert.match(caption, /Ada Lovelace/);
  assert.equal((await shadowTexts(page, 'thead th[scope=col]')).length, 6 + 3);
  assert.match((await shadowTexts(page, '.meta'))[0], /1 December 2026.*15 December 2026/);

  // The member changes the meeting-room hours in the form: the draft changes.
  await page.fill('#hours', '5');
  const draft5 = demoNextDraft('cus-lovelace');
  draft5.lines[1] = { ...draft5.lines[1], quantity: '5' };
  const five = expectedPreview(draft5);
  await waitForDue(page, await pageMoney(page, five.amount_due, 'EUR'));
  await assertShows(page, five);

  // A draft set through the property, with a reduced-rate line and without credit.
  const custom = { ...draft5, use_credit: false, lines: [...draft5.lines, { description: 'Barista coffee', quantity: '12', unit_price: '2.40', tax_rate: '0.05' }] };
  await page.evaluate((d) => { window.tallyPreviewDemo.element.draft = d; }, custom);
  const noCredit = expectedPreview(custom);
  assert.equal(noCredit.credit_applied, '0.00');
  await waitForDue(page, await pageMoney(page, noCredit.amount_due, 'EUR'));
  await assertShows(page, noCredit);
  assert.equal((await shadowTexts(page, 'table[part=tax-breakdown] tbody tr')).length, 2);

  // A change in the ledger (another tab, the admin panel) re-renders: more credit.
  await page.evaluate((d) => { window.tallyPreviewDemo.element.draft = d; }, draft5);
  await waitForDue(page, await pageMoney(page, five.amount_due, 'EUR'));
  const added = await page.evaluate(() => window.tallyPreviewDemo.store.apply({ type: 'add_credit', id: 'cr-e2e-lovelace', customer: 'cus-lovelace', amount: '20.00', date: '2026-11-26', reason: 'Test credit' }));
  assert.equal(added.ok, true);
  reference.apply({ type: 'add_credit', id: 'cr-e2e-lovelace', customer: 'cus-lovelace', amount: '20.00', date: '2026-11-26', reason: 'Test credit' });
  const more = expectedPreview(draft5);
  assert.equal(more.credit_applied, '65.00');
  await waitForDue(page, await pageMoney(page, more.amount_due, 'EUR'));
  await assertShows(page, more);

  // The customer picker: a GBP member shows pounds.
  await page.selectOption('#customer', 'cus-harbor-legal');
  const gbpDraft = await page.evaluate(() => window.tallyPreviewDemo.element.draft);
  assert.equal(gbpDraft.lines.at(-1).quantity, '5');
  const gbp = expectedPreview(gbpDraft);
  await waitForDue(page, await pageMoney(page, gbp.amount_due, 'GBP'));
  assert.match((await shadowTexts(page, 'dd.due'))[0], /^£/);
  await assertShows(page, gbp);

  // Back to Ada for the screenshot.
  await page.selectOption('#customer', 'cus-lovelace');
  await page.fill('#hours', '2');
  await waitForDue(page, await pageMoney(page, expectedPreview(demoNextDraft('cus-lovelace')).amount_due, 'EUR'));
  await page.screenshot({ path: screenshotPath('preview-element'), fullPage: true });

  assert.deepEqual(problems, []);
  await context.close();
});

test('customer names and descriptions are shown as text, never as HTML', async () => {
  const { context, page, problems } = await demoPage();
  const created = await page.evaluate((name) => window.tallyPreviewDemo.store.apply({ type: 'create_customer', id: 'cus-xss', name, currency: 'EUR' }), `${XSS} Ltd`);
  assert.equal(created.ok, true);
  await page.evaluate((d) => { window.tallyPreviewDemo.element.draft = d; },
    { customer: 'cus-xss', date: '2026-12-01', lines: [{ description: XSS, quantity: '2', unit_price: '10.00', tax_rate: '0.20' }] });
  await waitForDue(page, '€24.00');
  assert.equal((await shadowTexts(page, 'tbody th[scope=row] > span:first-child'))[0], XSS);
  assert.match((await shadowTexts(page, '.meta strong'))[0], /^<img src=x onerror=alert\(1\)> Ltd$/);
  assert.match((await shadowTexts(page, 'caption'))[0], /<img src=x onerror=alert\(1\)> Ltd/);
  await page.waitForTimeout(300); // give a broken image time to fire onerror, were there one
  const images = await page.evaluate(() => document.querySelectorAll('img').length + document.querySelector('#preview').shadowRoot.querySelectorAll('img').length);
  assert.equal(images, 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a refusal is shown in an alert, worded from its details; the lines attribute and ledger attribute work', async () => {
  const { context, page, problems } = await demoPage();
  await page.evaluate(() => { window.tallyPreviewDemo.element.draft = { customer: 'nobody', date: '2026-12-01', lines: [{ description: 'Desk', unit_price: '1.00' }] }; });
  await page.waitForFunction(() => window.tallyPreviewDemo.element.state === 'error');
  const alert = await shadowTexts(page, '[role=alert]');
  assert.deepEqual(alert, ['Customer: “nobody” is not in this ledger.']);
  // Programs still get the engine's code, field and message.
  const refusal = await page.evaluate(() => window.tallyPreviewDemo.element.error);
  assert.equal(refusal.code, 'unknown_customer');
  assert.equal(refusal.message, "customer: no customer has the id 'nobody'");
  assert.equal((await shadowTexts(page, 'table')).length, 0);

  // A second element configured by attributes alone, opening the ledger by name.
  const events = await page.evaluate(() => new Promise((resolve) => {
    const el = document.createElement('tally-invoice-preview');
    el.id = 'second';
    el.setAttribute('ledger', 'tally-preview-demo');
    el.setAttribute('customer', 'cus-tanaka');
    el.setAttribute('date', '2026-12-01');
    el.setAttribute('due-date', '2026-12-15');
    el.setAttribute('lines', JSON.stringify([{ description: 'Dedicated desk', unit_price: '350.00' }, { description: 'Printing, pages', quantity: '150', unit_price: '0.10' }]));
    el.addEventListener('tally-preview', (e) => resolve({ type: e.type, total: e.detail.preview.total }), { once: true });
    document.querySelector('main').append(el);
  }));
  const usd = expectedPreview({ customer: 'cus-tanaka', date: '2026-12-01', due_date: '2026-12-15', lines: [{ description: 'Dedicated desk', unit_price: '350.00' }, { description: 'Printing, pages', quantity: '150', unit_price: '0.10' }] });
  assert.deepEqual(events, { type: 'tally-preview', total: usd.total });
  await assertShows(page, usd, '#second');
  assert.equal((await shadowTexts(page, 'dd.total', '#second'))[0], 'US$365.00');

  // A malformed lines attribute is an alert, not an exception.
  const error = await page.evaluate(() => new Promise((resolve) => {
    const el = document.getElementById('second');
    el.addEventListener('tally-preview-error', (e) => resolve(e.detail.error), { once: true });
    el.setAttribute('lines', '[{"description": ');
  }));
  assert.equal(error.code, 'invalid_input');
  assert.match((await shadowTexts(page, '[role=alert]', '#second'))[0], /lines attribute is not valid JSON/);
  assert.deepEqual(problems, []);
  await context.close();
});
