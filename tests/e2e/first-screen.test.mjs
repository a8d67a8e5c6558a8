// The Customers screen drawn from the figures the store kept, while the engine is still
// loading (issue 13): the same figures the engine then shows, read only meanwhile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshotPath, startServer } from '../browser/browser.mjs';
import { openPanel, ready } from './panel-helpers.mjs';

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

const tableText = (page) => page.locator('#customers-table').innerText();
const overviewText = (page) => page.locator('#customers-overview').innerText();

test('on reopening, the Customers screen shows the stored figures before the engine is loaded, read only, and the engine then shows the same', async () => {
  const { page, close } = await openPanel(browser, url, '/customers');
  await page.evaluate(() => window.tally.store.figuresKept); // stored once the demo's writes paused
  const engineTable = await tableText(page);
  const engineOverview = await overviewText(page);
  assert.match(engineTable, /Customer/);

  // The engine's module is held back until the screen was checked.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/tally_engine_bg.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.state === 'opening', null, { timeout: 30000 });
  const early = {
    table: await tableText(page),
    overview: await overviewText(page),
    status: await page.locator('#status').innerText(),
    engine: await page.evaluate(() => window.tally === undefined),
    newButton: await page.getByRole('button', { name: 'New customer' }).isVisible(),
  };
  await page.screenshot({ path: screenshotPath('first-screen-stored-figures') });
  release();
  await ready(page);
  const later = { table: await tableText(page), overview: await overviewText(page) };
  await page.unroute('**/tally_engine_bg.wasm');

  assert.equal(early.engine, true, 'drawn before the store was open');
  assert.equal(early.table, engineTable, 'the stored figures are the engine\'s');
  assert.equal(early.overview, engineOverview);
  assert.match(early.status, /Opening the books/);
  assert.equal(early.newButton, false, 'nothing can be changed until the books are open');
  assert.equal(later.table, engineTable);
  assert.equal(later.overview, engineOverview);
  assert.equal(await page.getByRole('button', { name: 'New customer' }).isVisible(), true);
  await close();
});
