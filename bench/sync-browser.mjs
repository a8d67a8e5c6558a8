// Browser sync benchmark (`npm run bench:sync:browser`): the real server on the project's PostgreSQL and
// headless Chromium, on loopback. Prints figures; nothing here passes or fails.
//
//   1. One browser's write to another browser's screen: admin A applies a payment; the
//      time until admin B's store has it and B's page has painted the next frame
//      (both clocks are the machine's: performance.timeOrigin + performance.now()).
//   2. First sync of a large space into a fresh browser: from "Sign in" until the
//      browser holds the server's head (the server's snapshot, then the journal after it).
//
//   node bench/sync-browser.mjs [--commands 200000] [--writes 200] [--data DIR]
//
// --writes 0 skips part 1. --www DIR serves the panel from DIR (e.g. an older version's
// www/, to measure it against this one; TALLY_SERVER_BIN names its server). --data DIR keeps the PostgreSQL cluster in DIR (created when
// missing, kept at the end): a later run with the same DIR reuses the space when it
// already holds about --commands commands, instead of pushing it again (a 1M space
// takes over a minute to push).

import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { loadavg, cpus } from 'node:os';

import { launch, launchPersistent, tempDir } from '../tests/browser/browser.mjs';
import { OWNER, apiClient, buildServer, ready, signIn, startPostgres, startServer } from '../tests/e2e/sync-harness.mjs';

const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const COMMANDS = Number(args.commands ?? 200000);
const WRITES = Number(args.writes ?? 200);
const DATA = args.data;
const BOB = { email: 'bob@example.com', password: 'bob-password-123' };
const load = () => `load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) on ${cpus().length} cores`;

const binary = buildServer();
const pg = startPostgres(DATA);
let server;
let browser;
try {
  server = await startServer(binary, pg.url, { env: { TALLY_SNAPSHOT_EVERY: '10000', ...(args.www ? { TALLY_WWW_DIR: args.www } : {}) } });
  const owner = await apiClient(server.url, OWNER);
  const users = await owner.get('/api/users');
  if (!users.users.some((u) => u.email === BOB.email)) await owner.post('/api/users', { ...BOB, role: 'finance' });
  browser = await launch();
  let latency = null;
  if (WRITES > 0) latency = await writeToScreen();

  // --- 2. first sync of a large space ------------------------------------------------
  const fill = performance.now();
  let head = (await owner.get('/api/pull?after=0&limit=1')).head;
  let filled = null;
  if (head < COMMANDS * 0.95) {
    const lines = execFileSync(binary, ['workload', String(Math.max(50, Math.round(COMMANDS / 400))), String(COMMANDS), '42'], { maxBuffer: 2 ** 31, encoding: 'utf8' }).trim().split('\n');
    for (let i = 0; i < lines.length; i += 1000) {
      const commands = lines.slice(i, i + 1000).map((l) => JSON.parse(l));
      // The generated space is run as the server's engine judges it; the few commands it
      // refuses (the space was generated for an engine of its own) are simply not stored.
      await owner.post('/api/push', { client: 'bench', commands });
    }
    filled = (performance.now() - fill) / 1000;
    head = (await owner.get('/api/pull?after=0&limit=1')).head;
  } else {
    // A reused space: its newest snapshot is at its head already (taken by an earlier
    // run's first sync). Others write on: enough new commands that the first browser
    // after them gets a snapshot taken at the head, as after the fill.
    const run = Date.now().toString(36);
    const more = Math.max(2500, Math.round(head / 400));
    await owner.post('/api/push', { client: 'bench', commands: [{ type: 'create_customer', id: `more-${run}`, name: 'More', currency: 'EUR' }] });
    for (let i = 0; i < more; i += 1000) {
      const commands = Array.from({ length: Math.min(1000, more - i) }, (_, j) => ({ type: 'record_payment', id: `more-${run}-${i + j}`, customer: `more-${run}`, amount: '1.00', method: 'card', date: '2026-03-01' }));
      await owner.post('/api/push', { client: 'bench', commands });
    }
    head = (await owner.get('/api/pull?after=0&limit=1')).head;
  }

  const viaSnapshot = await firstSync(head);
  const logged = server.stderr().split('\n');
  const taken = logged.map((l) => /snapshot at (\d+) taken for a first sync/.exec(l)?.[1]).filter(Boolean).pop();
  const serverLines = taken ? logged.filter((l) => l.includes(`snapshot at ${taken}`)) : [];
  const next = await firstSync(head);

  console.log('\nSync benchmark (loopback, headless Chromium, PostgreSQL with fsync off)');
  if (latency) latency.print();
  console.log(`  machine ${load()}`);
  if (filled !== null) console.log(`space of ${head} commands pushed in ${filled.toFixed(1)} s (${Math.round(head / filled)} commands/s, batches of 1,000)`);
  else console.log(`space of ${head} commands reused from ${DATA}`);
  console.log(`first sync into a fresh browser (server snapshot + journal after it): ${viaSnapshot.seconds.toFixed(2)} s for ${head} commands (goal: < 10 s for 1,000,000)`);
  viaSnapshot.print();
  for (const line of serverLines) console.log(`    server: ${line.replace(/^space \d+: /, '')}`);
  const loaded = logged.find((l) => /engine loaded at seq [1-9]\d{4,}/.test(l));
  if (loaded) console.log(`  server start: ${loaded.replace(/^space \d+: /, '')}`);
  console.log(`the next fresh browser (the snapshot at the head kept in the server's memory): ${next.seconds.toFixed(2)} s`);
  next.print();
} finally {
  await browser?.close();
  await server?.kill();
  pg.stop({ keep: Boolean(DATA) });
}

/** Part 1: one browser's write to another browser's screen. */
async function writeToScreen() {
  const run = Date.now().toString(36); // payment ids of their own when the space is reused
  const a = await signIn(browser, server.url, OWNER);
  const b = await signIn(browser, server.url, BOB);
  await a.page.evaluate(() => window.tally.store.apply({ type: 'create_customer', id: 'lat', name: 'Latency', currency: 'EUR' }));
  await b.page.waitForFunction(() => window.tally.store.query({ type: 'balance', customer: 'lat' }).ok);
  await b.page.evaluate(() => {
    window.seen = new Map();
    window.waiting = new Set();
    const store = window.tally.store;
    store.subscribe(() => {
      for (const id of window.waiting) {
        if (store.query({ type: 'payments', customer: 'lat' }).payments.some((p) => p.id === id)) {
          window.waiting.delete(id);
          requestAnimationFrame(() => window.seen.set(id, performance.timeOrigin + performance.now()));
        }
      }
    });
  });
  // Where the time goes: each page's fetches are timed (push in A; pull in B), and B
  // listens to the event stream on a connection of its own.
  for (const page of [a.page, b.page]) {
    await page.evaluate(() => {
      const at = () => performance.timeOrigin + performance.now();
      window.calls = [];
      const plain = window.fetch;
      window.fetch = async (url, init) => {
        const call = { path: String(url).replace(/\?.*/, ''), start: at() };
        window.calls.push(call);
        try { return await plain(url, init); } finally { call.end = at(); }
      };
      window.heads = [];
      new EventSource('/api/events').addEventListener('head', () => window.heads.push(at()));
    });
  }
  const phases = { pendingStored: [], push: [], toEvent: [], pull: [], toPaint: [] };
  const latencies = [];
  for (let i = 0; i < WRITES; i++) {
    const id = `lat-${run}-${i}`;
    await b.page.evaluate((x) => window.waiting.add(x), id);
    const sent = await a.page.evaluate((x) => {
      const t = performance.timeOrigin + performance.now();
      window.tally.store.apply({ type: 'record_payment', id: x, customer: 'lat', amount: '1.00', method: 'card', date: '2026-03-01' });
      return t;
    }, id);
    const seen = await b.page.waitForFunction((x) => window.seen.get(x), id, { polling: 5 }).then((h) => h.jsonValue());
    latencies.push(seen - sent);
    const [aCalls, bCalls, heads] = await Promise.all([
      a.page.evaluate(() => window.calls.splice(0)),
      b.page.evaluate(() => window.calls.splice(0)),
      b.page.evaluate(() => window.heads.splice(0)),
    ]);
    const push = aCalls.find((c) => c.path === '/api/push');
    const event = heads.find((t) => t >= (push?.start ?? sent));
    const pull = bCalls.find((c) => c.path === '/api/pull' && c.start >= (event ?? 0));
    if (push && event && pull) {
      phases.pendingStored.push(push.start - sent);
      phases.push.push(push.end - push.start);
      phases.toEvent.push(event - push.start);
      phases.pull.push(pull.end - pull.start);
      phases.toPaint.push(seen - pull.end);
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
  await a.context.close();
  await b.context.close();
  latencies.sort((x, y) => x - y);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];

  return {
    print() {
      console.log(`write in browser A -> painted in browser B, ${WRITES} payments one after another:`);
      console.log(`  p50 ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms (goal: p99 < 100 ms)`);
      console.log(`  medians: A applies and stores it as pending, push starts ${median(phases.pendingStored).toFixed(1)} ms; push round trip ${median(phases.push).toFixed(1)} ms; push start -> B hears the head ${median(phases.toEvent).toFixed(1)} ms; B's pull ${median(phases.pull).toFixed(1)} ms; pull answered -> B painted ${median(phases.toPaint).toFixed(1)} ms (${phases.push.length} of ${WRITES} traced)`);
    },
  };
}

/**
 * Part 2: a fresh browser (a profile on disk, as a person's browser has: a throw-away
 * context keeps IndexedDB in memory with a small quota, too small for the snapshot of a
 * big space) signs in and syncs until it holds `head`. The phases come from the page's
 * "tally-sync" User Timing measures (www/sync-trace.js) and the server's Server-Timing.
 */
async function firstSync(head) {
  const ctx = await launchPersistent(tempDir('sync-bench-'));
  const page = await ctx.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.state === 'sign-in');
  await page.fill('input[name="email"]', OWNER.email);
  await page.fill('input[name="password"]', OWNER.password);
  const t0 = performance.now();
  const wall0 = Date.now();
  await page.click('form.sign-in button[type="submit"]');
  await ready(page);
  await page.waitForFunction((h) => window.tally.store.confirmedSeq >= h, head, { timeout: 600000, polling: 50 });
  const seconds = (performance.now() - t0) / 1000;
  const seen = await page.evaluate(() => {
    const measures = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('tally-sync '))
      .map((m) => ({ name: m.name.slice('tally-sync '.length), start: m.startTime, duration: m.duration }));
    const resources = performance.getEntriesByType('resource');
    const snap = resources.find((r) => r.name.includes('/api/snapshot'));
    const pulls = resources.filter((r) => r.name.includes('/api/pull') && r.startTime > (snap?.startTime ?? Infinity));
    return {
      origin: performance.timeOrigin,
      now: performance.now(),
      measures,
      snapshot: snap ? { transfer: snap.encodedBodySize, decoded: snap.decodedBodySize, serverTiming: (snap.serverTiming ?? []).map((t) => ({ name: t.name, duration: t.duration })) } : null,
      memory: performance.memory?.usedJSHeapSize ?? 0,
      pullsOnWire: pulls.reduce((a, r) => a + (r.responseEnd - r.startTime), 0),
    };
  });
  await ctx.close();
  const sums = new Map();
  for (const m of seen.measures) {
    const s = sums.get(m.name) ?? { ms: 0, n: 0 };
    s.ms += m.duration;
    s.n += 1;
    sums.set(m.name, s);
  }
  const firstStart = Math.min(...seen.measures.map((m) => m.start));
  const lastEnd = Math.max(...seen.measures.map((m) => m.start + m.duration));
  const total = seconds * 1000;
  const reload = seen.origin - wall0;
  // restore-and-store spans restore and store-snapshot, which overlap it: counted once.
  const phaseSum = [...sums].filter(([name]) => !(sums.has('restore-and-store') && (name === 'restore' || name === 'store-snapshot'))).reduce((a, [, s]) => a + s.ms, 0);
  return {
    seconds,
    print() {
      const ms = (x) => `${Math.round(x).toLocaleString('en-US')} ms`;
      const mb = (x) => `${(x / 1e6).toFixed(1)} MB`;
      console.log(`  where the time goes (${ms(total)} from "Sign in" to holding the head):`);
      console.log(`    sign-in request and the page reloading: ${ms(reload)}`);
      console.log(`    page start -> first sync starts (engine, empty store, sync loop): ${ms(firstStart)}`);
      for (const [name, s] of sums) console.log(`    ${name === 'restore' || name === 'store-snapshot' ? '  ' : ''}${name}: ${ms(s.ms)}${s.n > 1 ? ` (${s.n} times)` : ''}${name === 'pull' ? `, of which on the wire ${ms(seen.pullsOnWire)} (the rest: the page's other work, e.g. its first render of the books, before the answer is handled)` : ''}`);
      console.log(`    in the first sync, between the phases above: ${ms(lastEnd - firstStart - phaseSum)}`);
      console.log(`    first sync done -> the bench sees the head: ${ms(total - reload - lastEnd)}`);
      if (seen.snapshot) {
        const st = seen.snapshot.serverTiming.map((t) => `${t.name} ${ms(t.duration)}`).join(', ');
        console.log(`    snapshot: ${mb(seen.snapshot.transfer)} over the wire, ${mb(seen.snapshot.decoded)} decoded${st ? `; server: ${st}` : ''}`);
      }
    },
  };
}
