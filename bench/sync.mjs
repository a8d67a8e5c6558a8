// The sync server's benchmark (npm run bench:sync): push throughput with the PostgreSQL
// commit (one command per push, and batches), the time from one browser's push to
// another browser's event, the first sync of a large space (snapshot + pull), and the
// server's memory per space. Prints figures; docs/performance.md records them.
//   BENCH_SYNC_COMMANDS  size of the large space (default 200000)
//   BENCH_SYNC_SINGLE    single-command pushes (default 1000)
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

import { addUser, BIN, Client, customer, freshDatabase, root, startServer } from '../tests/server/harness.mjs';

const total = Number(process.env.BENCH_SYNC_COMMANDS ?? 200_000);
const singles = Number(process.env.BENCH_SYNC_SINGLE ?? 1000);
const customers = Math.max(50, Math.round(total / 400));
const results = { commands: total, customers };
const say = (line) => console.log(line);
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const mb = (bytes) => (bytes / 1048576).toFixed(1);
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const db = freshDatabase();
const user = addUser(db, 'Bench', 'bench@example.com', 'finance');
const watcherUser = addUser(db, 'Bench', 'watch@example.com', 'viewer');
const server = await startServer(db);
const other = await startServer(db);
try {
  const client = await Client.signedIn(server.url, user);

  // 1. One command per push: each a transaction and a commit (fsync on).
  await client.push([customer('single-customer')]);
  let t = performance.now();
  for (let i = 0; i < singles; i++) {
    const res = await client.push([{ type: 'record_payment', id: `single-${i}`, customer: 'single-customer', amount: '1.00', method: 'card', date: '2026-01-02' }]);
    if (res.status !== 200 || !res.body.answers[0].ok) throw new Error(JSON.stringify(res.body));
  }
  results.single_per_s = Math.round(singles / ((performance.now() - t) / 1000));
  say(`push, 1 command per push (sequential, one browser): ${results.single_per_s} accepted commands/s`);

  // 2. Write to another browser's event stream, through the other server process.
  const watcher = await Client.signedIn(other.url, watcherUser);
  const stream = await watcher.events();
  let head = await stream.nextHead();
  const lags = [];
  for (let i = 0; i < 200; i++) {
    t = performance.now();
    const res = await client.push([{ type: 'record_payment', id: `lag-${i}`, customer: 'single-customer', amount: '1.00', method: 'card', date: '2026-01-02' }]);
    head = await stream.untilHead(res.body.head);
    lags.push(performance.now() - t);
  }
  stream.close();
  results.push_to_event_ms = { p50: +percentile(lags, 0.5).toFixed(1), p99: +percentile(lags, 0.99).toFixed(1) };
  say(`push -> event on another process's browser: p50 ${results.push_to_event_ms.p50} ms, p99 ${results.push_to_event_ms.p99} ms (200 pushes)`);

  // 3. Batches of 1,000: the large space.
  const lines = execFileSync(BIN, ['workload', String(customers), String(total), '42'], { encoding: 'utf8', maxBuffer: 1 << 30 })
    .trim().split('\n');
  t = performance.now();
  let accepted = 0;
  for (let i = 0; i < lines.length; i += 1000) {
    const body = `{"client":"bench","commands":[${lines.slice(i, i + 1000).join(',')}]}`;
    const res = await client.json('POST', '/api/push', { body });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body).slice(0, 300));
    accepted += res.body.answers.filter((a) => a.ok && !a.duplicate).length;
  }
  const batchSeconds = (performance.now() - t) / 1000;
  results.batched_per_s = Math.round(accepted / batchSeconds);
  results.accepted = accepted;
  say(`push, batches of 1,000: ${results.batched_per_s} accepted commands/s (${accepted} of ${lines.length} accepted in ${batchSeconds.toFixed(1)} s)`);

  // 4. First sync: the newest snapshot (taken at the head when the stored one is far
  // behind; gzip on the wire), then every entry after it; then a second one, served the
  // snapshot the first left in memory.
  await server.stop();
  await other.stop();
  const restarted = await startServer(db);
  const fresh = await Client.signedIn(restarted.url, user);
  for (const which of ['first_sync', 'next_first_sync']) {
    t = performance.now();
    const snap = await fresh.snapshot();
    const after = snap.status === 200 ? snap.seq : 0;
    let pulled = 0;
    let bytes = snap.stored?.length ?? 0;
    for (let from = after; ;) {
      const res = await fresh.request('GET', `/api/pull?after=${from}&limit=10000`);
      const text = await res.text();
      bytes += text.length;
      const page = JSON.parse(text);
      pulled += page.entries.length;
      if (!page.more) break;
      from = page.entries.at(-1).seq;
    }
    results[which] = { ms: Math.round(performance.now() - t), snapshot_seq: after, snapshot_bytes: snap.bytes?.length ?? 0, wire_bytes: snap.stored?.length ?? 0, source: snap.source, pulled, bytes };
    say(`${which.replaceAll('_', ' ')} (snapshot at ${after}: ${mb(results[which].snapshot_bytes)} MB, ${mb(results[which].wire_bytes)} MB gzip from ${snap.source}; then ${pulled} entries pulled): ${results[which].ms} ms, ${mb(bytes)} MB on the wire`);
  }
  t = performance.now();
  const all = await fresh.pullAll(10_000);
  results.full_pull_ms = Math.round(performance.now() - t);
  say(`pull of all ${all.entries.length} entries (no snapshot), pages of 10,000: ${results.full_pull_ms} ms`);
  const loadLine = /space \d+: engine loaded at seq (\d+) \(snapshot (\d+), (\d+) replayed\) in (\d+) ms/.exec(restarted.log());
  results.engine_load = loadLine ? { seq: +loadLine[1], snapshot: +loadLine[2], replayed: +loadLine[3], ms: +loadLine[4] } : null;
  if (loadLine) say(`server start: engine rebuilt at seq ${loadLine[1]} from snapshot ${loadLine[2]} + ${loadLine[3]} entries in ${loadLine[4]} ms`);
  await restarted.stop();

  // 5. Memory: a process with the large space's engine loaded against one with none.
  const empty = freshDatabase();
  const bare = await startServer(empty);
  const loaded = await startServer(db);
  await new Promise((r) => setTimeout(r, 500));
  results.rss = { empty: rss(bare.child.pid), loaded: rss(loaded.child.pid) };
  results.memory_per_space_bytes = results.rss.loaded - results.rss.empty;
  say(`server memory: ${mb(results.rss.empty)} MB with no space loaded, ${mb(results.rss.loaded)} MB with the ${accepted + singles + 201}-command space: ${mb(results.memory_per_space_bytes)} MB for that space`);
  await Promise.all([bare.stop(), loaded.stop()]);
} finally {
  await Promise.all([server.stop(), other.stop()]);
}
mkdirSync(`${root}bench-results`, { recursive: true });
writeFileSync(`${root}bench-results/sync.json`, `${JSON.stringify(results, null, 2)}\n`);
say(`figures written to bench-results/sync.json`);
