// The panel when the stored ledger is damaged: it opens, says what happened in plain
// words, and offers the backup of what could be read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { launch, screenshotPath, startServer } from '../browser/browser.mjs';

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

const ready = (page) => page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 30000 });

test('a ledger whose last journal record was removed opens read-only, says so, and offers the readable backup', async () => {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/#/customers`);
  await ready(page);
  const seq = await page.evaluate(() => window.tally.store.seq);
  assert.ok(seq > 10, 'the demo space is loaded');
  assert.equal(await page.locator('#health').count(), 0, 'no notice for healthy books');
  // Remove the last record, as someone with the developer tools might.
  await page.evaluate((last) => new Promise((ok, fail) => {
    const q = indexedDB.open('tally');
    q.onsuccess = () => {
      const tx = q.result.transaction('journal', 'readwrite');
      tx.objectStore('journal').delete(last);
      tx.oncomplete = () => { q.result.close(); ok(); };
      tx.onerror = () => fail(tx.error);
    };
  }), seq);
  await page.reload();
  await ready(page);
  const notice = page.locator('#health');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('role'), 'alert');
  assert.match(await notice.textContent(), new RegExp(`read-only.*Journal record ${seq} is missing.*up to record ${seq - 1}`));
  await page.screenshot({ path: screenshotPath('health-damaged'), fullPage: false });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#health-backup')]);
  const backup = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(backup.format, 'tally-journal');
  assert.equal(backup.entries.length, seq - 1);
  assert.deepEqual(errors, []);
  await context.close();
});
