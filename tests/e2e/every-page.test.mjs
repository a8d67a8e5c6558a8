// Every screen of the panel (and its dialogs, and the preview element's demo page), at a
// desktop width and at 390 px (a phone): axe-core finds no serious or critical
// accessibility violation, no page scrolls sideways, and nothing carrying the `hidden`
// attribute is displayed. Screenshots of each go to test-results/screenshots/.
import { after, before, test } from 'node:test';

import { launch, screenshotPath, startServer } from '../browser/browser.mjs';
import {
  openPanel, watch, go, fillLine, assertAccessible, assertNoSidewaysScroll, assertHiddenStaysHidden,
} from './panel-helpers.mjs';

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

/** Waits for the screen at `route` to be drawn (its h1), then lets it settle. */
async function show(page, route) {
  await go(page, route);
  await page.locator('main h1').first().waitFor();
  await page.waitForTimeout(30);
}

/** The screens (and states of them) to check, with how to get there. */
function screens(ids) {
  const { customer, invoice, payment, owing } = ids;
  const q = `customer=${encodeURIComponent(customer)}`;
  return [
    ['customers', async (page) => show(page, '/customers')],
    ['new-customer-dialog', async (page) => {
      await show(page, '/customers');
      await page.getByRole('button', { name: 'New customer' }).click();
      await page.getByRole('dialog', { name: 'New customer' }).waitFor();
    }],
    ['customer', async (page) => show(page, `/customers/${encodeURIComponent(customer)}`)],
    ['payment-new', async (page) => show(page, `/payments/new?${q}`)],
    ['payment-refused', async (page) => {
      await show(page, `/payments/new?${q}`);
      await page.locator('#payment-form').getByLabel('Amount').fill('-5');
      await page.locator('#save-payment').click();
      await page.locator('.field-error:not([hidden])').first().waitFor();
    }],
    ['invoice-new', async (page) => {
      await show(page, `/invoices/new?${q}`);
      await fillLine(page, 1, { description: 'Hot desk membership, a long description to see it wrap', unitPrice: '190.00', tax: '20' });
      await page.locator('#preview-total').waitFor();
    }],
    ['invoice', async (page) => show(page, `/invoices/${encodeURIComponent(invoice)}`)],
    ['statement', async (page) => show(page, `/customers/${encodeURIComponent(customer)}/statement`)],
    ...['add_credit', 'apply_credit', 'credit_note', 'refund', 'void_payment', 'void_invoice', 'write_off', 'expire_credit'].map((action) => [
      `corrections-${action}`, async (page) => show(page, `/corrections?${q}&action=${action}&payment=${encodeURIComponent(payment)}`)]),
    ['void-confirmation', async (page) => {
      await show(page, `/corrections?${q}&action=void_payment&payment=${encodeURIComponent(payment)}`);
      await page.getByRole('button', { name: 'Void payment…' }).click();
      await page.getByRole('dialog').waitFor();
    }],
    ['corrections-expire-every-customer', async (page) => show(page, '/corrections?action=expire_credit')],
    ['write-off-confirmation', async (page) => {
      await show(page, `/corrections?customer=${encodeURIComponent(owing)}&action=write_off`);
      const form = page.locator('#correction-area form');
      await form.getByLabel('Reason').fill('Member left without paying');
      await form.getByRole('button', { name: 'Write off…' }).click();
      await page.getByRole('dialog').waitFor();
    }],
    ['reports', async (page) => show(page, '/reports')],
    ['data', async (page) => show(page, '/data')],
    ['not-found', async (page) => show(page, '/nowhere')],
  ];
}

for (const [label, width] of [['desktop', 1280], ['phone', 390]]) {
  test(`every screen at ${width}px: accessible (axe-core), no sideways scrolling, hidden stays hidden`, async () => {
    const { page, close } = await openPanel(browser, url, '/customers', { width, height: 900 });
    const ids = await page.evaluate(() => {
      const customer = 'cus-lovelace';
      const { store } = window.tally;
      const invoice = store.query({ type: 'invoices', customer }).invoices.find((i) => i.status !== 'void').id;
      const payment = store.query({ type: 'payments', customer }).payments.find((p) => !p.voided_by).id;
      // A customer who owes something, for the write-off confirmation.
      const owing = store.query({ type: 'invoices', status: 'open' }).invoices[0].customer;
      return { customer, invoice, payment, owing };
    });
    for (const [name, reach] of screens(ids)) {
      await reach(page);
      const where = `${name} at ${width}px`;
      await page.screenshot({ path: screenshotPath(`page-${name}-${label}`), fullPage: true });
      await assertHiddenStaysHidden(page, where);
      await assertNoSidewaysScroll(page, where);
      await assertAccessible(page, where);
      if (await page.getByRole('dialog').count()) await page.keyboard.press('Escape');
    }
    await close();
  });
}

test('the preview element demo page is accessible and fits a phone', async () => {
  for (const width of [1000, 390]) {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width, height: 900 } });
    const page = await context.newPage();
    const problems = await watch(page);
    await page.goto(`${url}/preview-demo.html`);
    await page.waitForFunction(() => window.tallyPreviewDemo?.element.state === 'ready', null, { timeout: 30_000 });
    await page.screenshot({ path: screenshotPath(`page-preview-demo-${width}`), fullPage: true });
    // Every amount cell is filled in, whatever the layout (a table, or cards on a phone).
    const empty = await page.evaluate(() => [...document.querySelector('#preview').shadowRoot.querySelectorAll('td')]
      .filter((td) => !td.textContent.trim()).length);
    if (empty) throw new Error(`${empty} empty cells in the preview at ${width}px`);
    await assertHiddenStaysHidden(page, `preview demo at ${width}px`);
    await assertNoSidewaysScroll(page, `preview demo at ${width}px`);
    await assertAccessible(page, `preview demo at ${width}px`);
    if (problems.length) throw new Error(problems.join('\n'));
    await context.close();
  }
});
