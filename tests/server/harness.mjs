// Helpers for the sync server's tests: a fresh PostgreSQL database per test file, server
// processes on free ports, signed-in HTTP sessions and an event-stream reader.
// PostgreSQL is started by scripts/test-server.sh (through scripts/pg.sh), which sets
// TALLY_TEST_DATABASE_URL; without it these tests fail, saying so.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = process.env.TALLY_SERVER_BIN ?? `${root}target/server/tally-server`;
const ADMIN_URL = process.env.TALLY_TEST_DATABASE_URL;
if (!ADMIN_URL) {
  throw new Error(
    'TALLY_TEST_DATABASE_URL is not set: the server tests need PostgreSQL. Run them with ' +
      '`bash scripts/test-server.sh` (or `npm test`), which starts it through scripts/pg.sh.',
  );
}

export function psql(url, sql) {
  return execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { encoding: 'utf8' }).trim();
}

/** A new empty database on the test cluster, migrated; returns its URL. */
export function freshDatabase() {
  const name = `tally_test_${randomBytes(6).toString('hex')}`;
  psql(ADMIN_URL, `CREATE DATABASE ${name}`);
  const url = ADMIN_URL.replace(/\/[^/?]*(\?.*)?$/, `/${name}`);
  execFileSync(BIN, ['migrate'], { env: { ...process.env, TALLY_DATABASE_URL: url }, stdio: 'ignore' });
  return url;
}

/** Adds a user (creating its space when missing) through `tally-server add-user`. */
export function addUser(db, space, email, role, password = 'a long enough password') {
  execFileSync(BIN, ['add-user', space, email, role], {
    env: { ...process.env, TALLY_DATABASE_URL: db, TALLY_PASSWORD: password },
    stdio: 'ignore',
  });
  return { email, password };
}

/** Starts a server process on a free port; resolves once it listens. */
export function startServer(db, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve'], {
      env: {
        ...process.env,
        TALLY_DATABASE_URL: db,
        TALLY_LISTEN: '127.0.0.1:0',
        TALLY_WWW_DIR: `${root}www`,
        TALLY_LOGIN_PER_MINUTE: '100000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^/\s]+)/.exec(out);
      if (m) {
        resolve({
          url: m[1],
          child,
          log: () => err,
          async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGTERM');
            await once(child, 'exit');
          },
        });
      }
    });
    child.on('exit', (code) => reject(new Error(`tally-server exited (${code}) before listening: ${err}`)));
  });
}

/** A browser-like client: a session cookie (or a bearer token) and JSON requests. */
export class Client {
  constructor(base, { cookie = null, token = null } = {}) {
    this.base = base;
    this.cookie = cookie;
    this.token = token;
  }

  async request(method, path, { body, headers = {} } = {}) {
    const h = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
      h['content-type'] = 'application/json';
    }
    const text = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
    return fetch(this.base + path, { method, headers: h, body: text });
  }

  async json(method, path, options) {
    const res = await this.request(method, path, options);
    const text = await res.text();
    let body;
    try { body = JSON.parse(text); } catch { body = text; }
    return { status: res.status, body, headers: res.headers };
  }

  async login(email, password) {
    const res = await this.json('POST', '/api/login', { body: { email, password } });
    if (res.status === 200) this.cookie = res.headers.get('set-cookie').split(';')[0];
    return res;
  }

  static async signedIn(base, { email, password }) {
    const client = new Client(base);
    const res = await client.login(email, password);
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return client;
  }

  push(commands, client = 'test-browser') {
    return this.json('POST', '/api/push', { body: { client, commands } });
  }

  pull(after = 0, limit) {
    return this.json('GET', `/api/pull?after=${after}${limit ? `&limit=${limit}` : ''}`);
  }

  /** Every journal entry, page by page. */
  async pullAll(limit) {
    const entries = [];
    let after = 0;
    for (;;) {
      const { status, body } = await this.pull(after, limit);
      if (status !== 200) throw new Error(`pull: ${status} ${JSON.stringify(body)}`);
      entries.push(...body.entries);
      if (!body.more) return { entries, head: body.head };
      after = body.entries.at(-1).seq;
    }
  }

  /**
   * `GET /api/snapshot`: `stored` is the body as sent (gzip, or an old row's engine
   * bytes), `bytes` the engine's snapshot (gunzipped when gzip), `source` where the
   * server took it from (Server-Timing: "memory" or "db").
   */
  async snapshot() {
    const res = await this.request('GET', '/api/snapshot');
    if (res.status !== 200) return { status: res.status };
    const stored = new Uint8Array(await res.arrayBuffer());
    const gzip = stored[0] === 0x1f && stored[1] === 0x8b;
    return {
      status: 200,
      seq: Number(res.headers.get('x-tally-seq')),
      contentType: res.headers.get('content-type'),
      rawLength: Number(res.headers.get('x-tally-snapshot-length')),
      source: /^(\w+)/.exec(res.headers.get('server-timing') ?? '')?.[1],
      stored,
      gzip,
      bytes: gzip ? new Uint8Array(gunzipSync(stored)) : stored,
    };
  }

  /** Opens /api/events; `nextHead()` resolves with each head announced. */
  async events() {
    const abort = new AbortController();
    const headers = this.cookie ? { cookie: this.cookie } : {};
    const res = await fetch(`${this.base}/api/events`, { headers, signal: abort.signal });
    if (res.status !== 200) return { status: res.status, body: await res.json().catch(() => null), close() {} };
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    async function nextHead() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: ?(.*)$/m.exec(block);
          if (/^event: ?head$/m.test(block) && data) return JSON.parse(data[1]).head;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the event stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    }
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      nextHead,
      async untilHead(target) {
        for (;;) { const head = await nextHead(); if (head >= target) return head; }
      },
      close() { abort.abort(); },
    };
  }
}

/** Resolves with `promise`, or fails after `ms` saying what was awaited (a guard against
 *  a hang, not a timing check). */
export function within(ms, what, promise) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Polls `check` until it returns a truthy value (or fails after `ms`). */
export async function eventually(ms, what, check) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`${what}: not so after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function wasmEngine() {
  const { loadEngine, newLedger, restoreLedger } = await import('../../www/engine.js');
  await loadEngine({ bytes: readFileSync(`${root}www/pkg/tally_engine_bg.wasm`) });
  return { newLedger, restoreLedger };
}

export const customer = (id, currency = 'EUR') => ({ type: 'create_customer', id, name: `Customer ${id}`, currency });
export const payment = (id, customerId, amount, extra = {}) => ({
  type: 'record_payment', id, customer: customerId, amount, method: 'bank_transfer', date: '2026-03-02', ...extra,
});
export const invoice = (id, customerId, price = '100.00') => ({
  type: 'issue_invoice', id, customer: customerId, date: '2026-03-01',
  lines: [{ description: 'Desk', quantity: '1', unit_price: price, tax_rate: '0.20' }],
});
