// Shared set-up for the sync end-to-end tests and the sync benchmark: the project's own
// PostgreSQL (scripts/pg.sh, in a fresh data folder), the real server
// (target/server/tally-server, the `server` build profile) on a free port, accounts, and signed-in browser contexts.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { root } from '../browser/browser.mjs';

export const OWNER = { email: 'owner@example.com', password: 'owner-password-1' };

/** Builds the server (a no-op when it is up to date); `TALLY_SERVER_BIN` names a built one instead. */
export function buildServer() {
  if (process.env.TALLY_SERVER_BIN) return process.env.TALLY_SERVER_BIN;
  execFileSync('cargo', ['build', '--profile', 'server', '--locked', '--quiet', '-p', 'tally-server'], { cwd: root, stdio: 'inherit' });
  return join(root, 'target/server/tally-server');
}

/**
 * Starts a PostgreSQL cluster of its own (fsync off: a test keeps nothing), in a fresh
 * folder, or in `dir` (created when missing) for a benchmark that keeps its data:
 * `stop({ keep: true })` then leaves the folder.
 */
export function startPostgres(dir) {
  // Under /var/tmp: the postgres user must reach the folder when the tests run as root.
  const data = dir ?? mkdtempSync('/var/tmp/tally-sync-e2e-');
  mkdirSync(data, { recursive: true });
  execFileSync('chmod', ['755', data]);
  const env = { ...process.env, TALLY_DATA_DIR: data, TALLY_PG_FAST: '1' };
  const url = execFileSync('bash', [join(root, 'scripts/pg.sh'), 'start'], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  return {
    url,
    stop({ keep = false } = {}) {
      try { execFileSync('bash', [join(root, 'scripts/pg.sh'), 'stop'], { cwd: root, env, stdio: 'ignore' }); } catch { /* already stopped */ }
      if (!keep) rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the server on `port` (0: a free one); resolves `{ url, port, process, kill }`
 * once it listens. The same database and port can be started again after a kill.
 */
export function startServer(binary, databaseUrl, { port = 0, space = 'Sync tests', env = {} } = {}) {
  const child = spawn(binary, ['serve'], {
    cwd: root,
    env: {
      ...process.env,
      TALLY_DATABASE_URL: databaseUrl,
      TALLY_LISTEN: `127.0.0.1:${port}`,
      TALLY_WWW_DIR: join(root, 'www'),
      TALLY_SPACE: space,
      TALLY_OWNER_EMAIL: OWNER.email,
      TALLY_OWNER_PASSWORD: OWNER.password,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why) => reject(new Error(`tally-server did not start: ${why}\n${stderr}`));
    child.on('exit', (code) => fail(`exited with ${code}`));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^/\s]+)\//.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        const url = m[1];
        resolve({
          url,
          port: Number(new URL(url).port),
          process: child,
          stderr: () => stderr,
          kill(signal = 'SIGKILL') {
            return new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill(signal);
            });
          },
        });
      }
    });
  });
}

/** A signed-in API client for set-up and checks (Node's fetch, the session cookie kept). */
export async function apiClient(url, { email, password }) {
  const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const call = async (method, path, body) => {
    const r = await fetch(`${url}${path}`, { method, headers: { Cookie: cookie, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return json;
  };
  return {
    cookie,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    // A DELETE carries `{}` as JSON: the server checks its Content-Type like a POST's.
    del: (path) => call('DELETE', path, {}),
    /** The whole server journal. */
    async journal() {
      const entries = [];
      for (;;) {
        const page = await call('GET', `/api/pull?after=${entries.length}&limit=10000`);
        entries.push(...page.entries);
        if (!page.more) return entries;
      }
    },
  };
}

/** Opens the panel in a new context and signs in through the sign-in page. */
export async function signIn(browser, url, { email, password }, { problems = [] } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  watch(page, problems);
  await page.goto(`${url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.state === 'sign-in');
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('form.sign-in button[type="submit"]');
  await ready(page);
  return { context, page };
}

/** Waits until the panel has started (signed in, books open). */
export function ready(page) {
  return page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60000 });
}

/** Collects page errors and console errors, except the expected failed loads (a 401 probe, a server gone). */
export function watch(page, problems) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/Failed to load resource|net::ERR_/.test(m.text())) return;
    problems.push(`console error: ${m.text()}`);
  });
}
