// Shared by the end-to-end tests of the admin panel: a watched browser context on the
// panel, navigation, the forms an operator fills in, and the page-wide checks (axe-core
// accessibility audit, no sideways scrolling, `hidden` elements really hidden).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * A fresh context on the panel at `url`, watched for CSP violations, page errors, console
 * errors and browser dialogs (alert/confirm); `close()` fails the test if any happened.
 */
export async function openPanel(browser, url, route = '/customers', { width = 1280, height = 900, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true, locale });
  const page = await context.newPage();
  const problems = await watch(page);
  await page.goto(`${url}/#${route}`);
  await ready(page);
  return {
    page,
    context,
    problems,
    async close() {
      await page.waitForTimeout(50); // let late violation reports arrive
      assert.deepEqual(problems, [], 'no CSP violations, page errors, console errors or browser dialogs');
      await context.close();
    },
  };
}

/** Collects CSP violations, page errors, console errors and browser dialogs of `page`. */
export async function watch(page) {
  const problems = [];
  await page.exposeFunction('__reportCsp', (text) => problems.push(`CSP violation: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The page asks `GET /api/me` whether a Tally server serves it; the static server
  // answers 404 (no server), which Chromium logs as a failed resource.
  const probe = (m) => /\/api\/me$/.test(m.location()?.url ?? '');
  page.on('console', (m) => { if (m.type() === 'error' && !probe(m)) problems.push(`console error: ${m.text()}`); });
  page.on('dialog', (d) => { problems.push(`unexpected browser dialog: ${d.type()} "${d.message()}"`); d.dismiss().catch(() => {}); });
  return problems;
}

export async function ready(page) {
  await page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 30000 });
}

/** Goes to a screen by its address, as a bookmark or a link would. */
export async function go(page, route) {
  await page.evaluate((r) => { location.hash = `#${r}`; }, route);
  await page.waitForFunction((r) => location.hash === `#${r}`, route);
}

/** Creates a customer through the dialog on the Customers screen; returns its id. */
export async function createCustomer(page, name, currency = 'EUR', email = '') {
  await go(page, '/customers');
  await page.getByRole('button', { name: 'New customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'New customer' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Billing currency').selectOption(currency);
  if (email) await dialog.getByLabel('E-mail').fill(email);
  await dialog.getByRole('button', { name: 'Create customer' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/customers/'));
  await page.locator('h1').filter({ hasText: name }).waitFor();
  return decodeURIComponent(await page.evaluate(() => location.hash.slice('#/customers/'.length)));
}

/** Fills the payment form (on #/payments/new). */
export async function fillPayment(page, { customer, amount, method = 'Bank transfer', reference = '', date }) {
  const form = page.locator('#payment-form');
  if (customer) await form.getByLabel('Customer').selectOption({ label: customer });
  await form.getByLabel('Amount').fill(amount);
  await form.getByLabel('Method').selectOption({ label: method });
  if (date) await form.getByLabel('Date received').fill(date);
  if (reference) await form.getByLabel('Reference').fill(reference);
}

/** Fills line `n` (1-based) of the new-invoice form. */
export async function fillLine(page, n, { description, quantity, unitPrice, tax, discount }) {
  if (description !== undefined) await page.getByLabel(`Description, line ${n}`).fill(description);
  if (quantity !== undefined) await page.getByLabel(`Quantity, line ${n}`).fill(quantity);
  if (unitPrice !== undefined) await page.getByLabel(`Unit price, line ${n}`).fill(unitPrice);
  if (tax !== undefined) await page.getByLabel(`Tax %, line ${n}`).fill(tax);
  if (discount !== undefined) await page.getByLabel(`Discount %, line ${n}`).fill(discount);
}

export const text = (page, selector) => page.locator(selector).innerText();

/**
 * Runs axe-core (WCAG 2.x A and AA rules, and best practices) on the page as it is now,
 * shadow roots and open dialogs included. Returns the serious and critical violations,
 * each as "rule: target (summary)". The script is evaluated through the debugging
 * protocol, so the page's Content-Security-Policy stays as strict as it is.
 */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target.join(' '), impact: n.impact, summary: n.failureSummary })) }));
  });
  const bad = [];
  for (const v of results) {
    for (const n of v.nodes) {
      if (n.impact === 'serious' || n.impact === 'critical') bad.push(`${v.id}: ${n.target} (${n.summary.replace(/\s+/g, ' ').trim()})`);
    }
  }
  return bad;
}

/** Fails if axe-core finds a serious or critical violation on the page as it is now. */
export async function assertAccessible(page, where) {
  const bad = await axeViolations(page);
  assert.deepEqual(bad, [], `axe-core: serious or critical violations on ${where}`);
}

/** How far the page scrolls sideways (0 when it fits), and the widest elements that stick out. */
export async function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const over = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 0.5 || el.closest('.skip-link')) continue;
      // Inside a box that scrolls (or clips) on its own and fits, it doesn't move the page.
      let clipped = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= width + 0.5) { clipped = true; break; }
      }
      if (!clipped) {
        over.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} right=${Math.round(r.right)}`);
      }
    }
    return { scroll: root.scrollWidth - width, over: over.slice(0, 8) };
  });
}

/** Fails if the page scrolls sideways. */
export async function assertNoSidewaysScroll(page, where) {
  const { scroll, over } = await sidewaysOverflow(page);
  assert.equal(scroll, 0, `${where} scrolls sideways by ${scroll}px: ${over.join(', ')}`);
}

/** Fails if an element carrying the `hidden` attribute is displayed. */
export async function assertHiddenStaysHidden(page, where) {
  const shown = await page.evaluate(() => [...document.querySelectorAll('[hidden]')]
    .filter((el) => getComputedStyle(el).display !== 'none')
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`));
  assert.deepEqual(shown, [], `${where}: elements with the hidden attribute are displayed`);
}

/** Applies `commands` through the panel's store, each stamped `at` now; fails on a refusal. */
export async function applyAll(page, commands) {
  const answers = await page.evaluate(async (list) => {
    const out = [];
    for (const c of list) out.push(await window.tally.store.apply({ at: new Date().toISOString(), ...c }));
    return out;
  }, commands);
  for (const a of answers) assert.equal(a.ok, true, JSON.stringify(a));
  return answers;
}

/** The engine's answer to a query, through the panel's store. */
export const query = (page, q) => page.evaluate((x) => window.tally.store.query(x), q);

/** Money as the page shows it (the page's own formatter). */
export const shown = (page, amount, currency) => page.evaluate(async ([a, c]) => (await import('/ui/format.js')).money(a, c), [amount, currency]);
