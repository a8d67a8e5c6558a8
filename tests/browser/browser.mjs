// Shared set-up for browser tests: the static server and Debian's Chromium.
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { serve } from '../../scripts/serve.mjs';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run',
];

export async function startServer() {
  return serve({ port: 0, mounts: { '/test': join(root, 'tests/browser/fixtures') } });
}

export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** A browser whose profile (and so IndexedDB) lives in `dir`, to survive a kill. */
export function launchPersistent(dir) {
  return chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

export function tempDir(prefix) {
  const base = join(root, 'target', 'browser-tests');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}

/** Opens the harness page and waits until it is ready. */
export async function harness(page, url) {
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${url}/test/harness.html`);
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready');
}

export function screenshotPath(name) {
  const dir = join(root, 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
