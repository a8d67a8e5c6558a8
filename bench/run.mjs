// The browser benchmark (issue 5): `npm run bench` builds the bench wasm and the native
// binary, then runs this. It builds nothing itself.
//
//   1 engine, native vs wasm (headless Chromium and Node)   2 boundary crossing
//   3 cold open from IndexedDB                                4 persist through the store
//   5 invoice preview latency                                 6 money math vs JS libraries
//   7 size and memory
//
// Prints one table and writes bench-results/latest.json (and docs/bench-latest.json).
// Nothing fails on a figure: goals are reported as met or not.
//
// Environment: BENCH_PORT (default 47291; IndexedDB is per origin, so a fixed port lets
// the prepared 1M-command database be reused between runs), BENCH_SKIP=native,node,ingest,money,persist,cold,writes
// (phases to skip, for working on one; `shipped` skips the shipped build's ingest in
// Chromium, keeping the speed build's), BENCH_COLD_RUNS (default 3), BENCH_COMMANDS (a
// smaller space for a quick try; the figures are then not the issue's), BENCH_TRACE=FILE
// (a Chromium trace of the writes phase written to FILE, its long tasks named by the
// browser's own events: bench/trace-tasks.mjs).

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { longTasks, startProfile, startTrace } from './trace-tasks.mjs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = join(root, 'bench');
const pkgDir = join(benchDir, 'pkg');
const nativeBin = join(root, 'target/release/tally');
const CHROMIUM = '/usr/bin/chromium';
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 3);
const commands = Number(process.env.BENCH_COMMANDS ?? 1_000_000);
const DB = commands === 1_000_000 ? 'bench-1m' : `bench-${commands}`;

function need(path, how) {
  if (!existsSync(path)) {
    console.error(`bench: ${relative(root, path) || path} is missing. ${how}`);
    process.exit(2);
  }
}
need(join(pkgDir, 'tally_engine_bg.wasm'), 'Build the bench wasm first: `bash scripts/build-wasm.sh --bench` (or run everything with `npm run bench`).');
need(nativeBin, 'Build the native binary first: `cargo build --release` (or run everything with `npm run bench`).');
need(CHROMIUM, "Install Debian's Chromium: `bash scripts/setup.sh --browser`.");
need(join(root, 'node_modules/decimal.js'), 'Install the npm packages: `npm ci`.');

const started = Date.now();
const say = (m) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`);
const results = {
  date: new Date().toISOString(),
  load_average_at_start: loadavg().map((l) => +l.toFixed(2)),
};
mkdirSync(join(root, 'bench-results'), { recursive: true });

// ---------------------------------------------------------------------------------
// Native.

// Twice: with huge pages for the heap, as scripts/server.sh runs the engine natively
// (docs/performance.md, "Native: huge pages"; a value the caller set is kept), and with
// glibc's default pages, as a native program runs unless told otherwise. The wasm/native
// ratios are given against both (a browser gives wasm no huge pages to ask for).
const nativeRuns = [
  ['native', 'native.json', process.env.GLIBC_TUNABLES ?? 'glibc.malloc.hugetlb=1', 'huge pages'],
  ['native_default_pages', 'native-default-pages.json', '', 'default pages'],
];
for (const [key, file, tunables, label] of nativeRuns) {
  const out = join(root, 'bench-results', file);
  if (!skip.has('native')) {
    say(`native benchmark (target/release/tally bench), ${label}`);
    const env = { ...process.env, GLIBC_TUNABLES: tunables };
    const r = spawnSync(nativeBin, ['bench', '--json', out, '--commands', String(commands)], { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new Error(`tally bench failed (${r.status})`);
  }
  if (existsSync(out)) results[key] = { ...JSON.parse(readFileSync(out, 'utf8')), glibc_tunables: tunables };
}
const customer = results.native.longest_history_customer;

// ---------------------------------------------------------------------------------
// Node: the bench wasm in this process.

const { runEngineBench, SPACE: FULL } = await import('./engine-bench.js');
const SPACE = { ...FULL, commands };
// Two builds of the same engine: as shipped (opt-level "z") and for speed (opt-level 3,
// as the bulk module big books run in); each is a separate module instance.
const fastPkgDir = join(benchDir, 'pkg-fast');
if (!skip.has('node')) {
  for (const [key, dir, label] of [['node', pkgDir, 'as shipped'], ['node_fast', fastPkgDir, 'built for speed']]) {
    if (key === 'node_fast' && !existsSync(join(dir, 'tally_engine.js'))) continue;
    say(`wasm in Node (${label})`);
    const engine = await import(join(dir, 'tally_engine.js'));
    const exports = engine.initSync({ module: readFileSync(join(dir, 'tally_engine_bg.wasm')) });
    results[key] = runEngineBench(engine, exports.memory, { customer, space: SPACE, log: say });
    results[key].version = process.version;
  }
}

// ---------------------------------------------------------------------------------
// Chromium.

const { serve } = await import('../scripts/serve.mjs');
const { CHROMIUM_ARGS } = await import('../tests/browser/browser.mjs');
const { chromium } = await import('playwright-core');

const mounts = {
  '/bench': benchDir,
  '/pkg': pkgDir, // the page's store runs the bench build (same engine, more exports)
  '/pkg-fast': fastPkgDir, // the same, built for speed (the ingest phase, `?engine=fast`)
  '/pkg/bulk': join(root, 'www/pkg/bulk'), // the bulk module, for snapshots of older formats
  '/vendor/decimal.js': join(root, 'node_modules/decimal.js'),
  '/vendor/big.js': join(root, 'node_modules/big.js'),
  '/vendor/dinero.js': join(root, 'node_modules/dinero.js'),
};
let server;
let url;
try {
  ({ server, url } = await serve({ port: Number(process.env.BENCH_PORT ?? 47291), mounts, isolated: true }));
} catch (e) {
  if (e.code !== 'EADDRINUSE') throw e;
  say(`port ${process.env.BENCH_PORT ?? 47291} is taken: using another one (the stored database can't be reused)`);
  ({ server, url } = await serve({ port: 0, mounts, isolated: true }));
}

const profile = join(root, 'target/bench-chromium');
mkdirSync(profile, { recursive: true });
const args = [...CHROMIUM_ARGS, '--enable-blink-features=ForceEagerMeasureMemory', '--js-flags=--max-old-space-size=4096'];
const launch = () => chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args });

async function newPage(context, { fresh = false } = {}) {
  const page = (!fresh && context.pages()[0]) || await context.newPage();
  page.on('console', (m) => {
    if (m.text().startsWith('[bench]')) say(`chromium: ${m.text().slice(8)}`);
    else if (m.text().startsWith('tally:')) say(`chromium console: ${m.text()}`); // the store's warnings
  });
  page.on('pageerror', (e) => say(`chromium page error: ${e.message}`));
  return page;
}

results.chromium = { version: execFileSync(CHROMIUM, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() };
try {
  const context = await launch();
  const page = await newPage(context);
  await page.goto(`${url}/bench/page.html`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  const phase = (name, arg) => page.evaluate(([n, a]) => window.bench[n](a), [name, arg]);
  if (!skip.has('ingest')) {
    if (!skip.has('shipped')) {
      say('wasm in Chromium: ingest, boundary, queries');
      results.chromium.engine = await phase('ingest', { customer, space: SPACE });
    }
    if (existsSync(join(fastPkgDir, 'tally_engine.js'))) {
      say('wasm in Chromium, built for speed, a fresh page: the batch door, then the engine alone (the judged ratio)');
      const judged = await newPage(context, { fresh: true });
      await judged.goto(`${url}/bench/page.html?engine=fast`);
      await judged.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
      results.chromium.judged_fast = await judged.evaluate((a) => window.bench.judged(a), { space: SPACE });
      await judged.close();
      say('wasm in Chromium, built for speed: ingest, boundary, queries');
      const fast = await newPage(context, { fresh: true });
      await fast.goto(`${url}/bench/page.html?engine=fast`);
      await fast.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
      results.chromium.engine_fast = await fast.evaluate((a) => window.bench.ingest(a), { customer, space: SPACE });
      await fast.close();
    }
  }
  if (!skip.has('money')) {
    say('money math in Chromium');
    results.chromium.money = await phase('money');
  }
  if (!skip.has('persist')) {
    say('persist through the store vs raw IndexedDB');
    results.chromium.persist = await phase('persist', {});
  }
  if (!skip.has('cold') || !skip.has('writes')) {
    say('preparing the stored 1M-command ledger (reused when present)');
    results.chromium.fill = await phase('fill', { name: DB, space: SPACE });
    say(results.chromium.fill.reused ? 'reusing the stored ledger' : `stored in ${(results.chromium.fill.fill_ms / 1000).toFixed(0)} s`);
  }
  await context.close();

  if (!skip.has('cold')) {
    results.chromium.cold = [];
    for (let i = 0; i < coldRuns; i++) {
      // A new browser each time: nothing of the database is cached in the browser.
      const ctx = await launch();
      const p = await newPage(ctx);
      const extra = i === coldRuns - 1 ? '&extra=1' : '';
      await p.goto(`${url}/bench/open.html?db=${DB}&customer=${encodeURIComponent(customer)}${extra}`);
      await p.waitForFunction(() => window.result, null, { timeout: 300_000, polling: 100 });
      const r = await p.evaluate(() => window.result);
      say(`cold open ${i + 1}: first answer ${r.first_answer_ms.toFixed(0)} ms (${r.first_answer_from}${r.figures_match === false ? ', NOT THE ENGINE\'S ANSWER' : ''}), engine ready ${r.total_ms.toFixed(0)} ms (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
      results.chromium.cold.push(r);
      await ctx.close();
    }
  }
  if (!skip.has('writes') && results.chromium.fill) {
    say(`writing at ${results.chromium.fill.seq.toLocaleString('en')} commands: long main-thread tasks (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    const ctx = await launch();
    const p = await newPage(ctx);
    await p.goto(`${url}/bench/page.html`);
    await p.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    const trace = process.env.BENCH_TRACE ? await startTrace(p, process.env.BENCH_TRACE) : null;
    const profiler = trace ? await startProfile(p) : null;
    results.chromium.writes = await p.evaluate((a) => window.bench.writes(a), { name: DB, space: SPACE, fill: results.chromium.fill });
    if (trace) {
      const profile = await profiler.stop();
      results.chromium.writes.traced_long_tasks = longTasks(await trace.stop(), { profile, limit: 15 });
      say(`  traced (${process.env.BENCH_TRACE}), main-thread tasks with the most CPU time (the open included; wall time waits for a core when the machine is loaded), by event and by sampled function:`);
      for (const task of results.chromium.writes.traced_long_tasks) {
        say(`    cpu ${task.cpu_ms.toFixed(0).padStart(5)} ms (wall ${task.ms.toFixed(0)}) at ${task.at_s} s: ${task.causes.map((c) => `${c.name} ${c.ms} ms`).join('; ')}`);
        if (task.js.length) say(`      sampled: ${task.js.map((f) => `${f.name} ${(f.share * 100).toFixed(0)}%`).join('; ')}`);
      }
    }
    results.chromium.writes.load_average_after = loadavg().map((l) => +l.toFixed(2));
    const w = results.chromium.writes;
    say(`writes: ${w.writes} commands (${w.accepted} accepted) in ${w.seconds.toFixed(0)} s, snapshot written: ${w.snapshot_written}, chain check done: ${w.verified}; after the open: ${w.long_tasks.length} tasks over 50 ms, longest gap between timer ticks ${w.max_timer_gap_ms.toFixed(0)} ms; while opening: ${w.open_long_tasks.length} tasks over 50 ms`);
    for (const [label, list] of [['while opening', w.open_long_tasks.slice(0, 3)], ['after the open (writes, snapshot, chain check)', w.long_tasks.slice(0, 12)]]) {
      say(`  longest tasks ${label}:`);
      for (const task of list) {
        say(`    ${task.duration_ms.toFixed(0).padStart(5)} ms at ${(task.start_ms / 1000).toFixed(1)} s: ${task.causes.map((c) => `${c.name} ${c.ms.toFixed(0)} ms`).join('; ') || 'not traced (streams, GC, IndexedDB internals)'}`);
      }
    }
    await ctx.close();
  }
} finally {
  server.close();
}

// ---------------------------------------------------------------------------------
// Sizes (files on disk).

// Gzipped by GNU gzip -9, as scripts/build-wasm.sh measures the budget (Node's zlib at
// level 9 gives about 1 KB more for the same module, so the two disagreed near the line);
// Node's zlib where there is no gzip.
function sizes(file) {
  const bytes = readFileSync(file);
  let gzip;
  try {
    gzip = execFileSync('gzip', ['-9', '-c'], { input: bytes, maxBuffer: 1 << 30 }).length;
  } catch {
    gzip = gzipSync(bytes, { level: 9 }).length;
  }
  return { raw: bytes.length, gzip };
}

function pageScripts(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (path !== join(root, 'www/pkg')) pageScripts(path, out);
    } else if (name.endsWith('.js')) out.push(path);
  }
  return out;
}

results.size = { bench_wasm: sizes(join(pkgDir, 'tally_engine_bg.wasm')) };
const shipped = join(root, 'www/pkg/tally_engine_bg.wasm');
if (existsSync(shipped)) {
  results.size.engine_wasm = sizes(shipped);
  const scripts = [...pageScripts(join(root, 'www')), join(root, 'www/pkg/tally_engine.js')];
  const all = scripts.map(sizes);
  results.size.page_js = {
    files: scripts.length,
    raw: all.reduce((s, x) => s + x.raw, 0),
    gzip: all.reduce((s, x) => s + x.gzip, 0),
  };
  results.size.engine_wasm_built = statSync(shipped).mtime.toISOString();
}

// ---------------------------------------------------------------------------------
// The table.

results.machine = `${results.native.machine}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${cpus().length} logical CPUs)`;
results.rows = buildRows(results);
results.seconds = (Date.now() - started) / 1000;
const table = render(results.rows);
console.log(`\nTally browser benchmark, ${results.date}\nmachine: ${results.machine}\n${results.chromium.version}, Node ${process.version}; load average at start ${results.load_average_at_start.join(' ')}\n`);
console.log(table);
writeFileSync(join(root, 'bench-results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
copyFileSync(join(root, 'bench-results/latest.json'), join(root, 'docs/bench-latest.json'));
console.log(`\nwritten: bench-results/latest.json (copy in docs/bench-latest.json); ${results.seconds.toFixed(0)} s in all`);
if (results.chromium.money && !results.chromium.money.agree) {
  console.log('\n!!! MONEY MISMATCH: the implementations do not agree on the grand total:');
  for (const [name, r] of Object.entries(results.chromium.money.results)) console.log(`!!!   ${name.padEnd(10)} ${r.total}`);
}

// ---------------------------------------------------------------------------------

function median(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function buildRows(r) {
  const rows = [];
  const section = (title) => rows.push({ section: title });
  const row = (measure, figure, goal = '', met = null) => rows.push({ measure, figure, goal, met });
  const k = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(1)} k/s`);
  const us = (x) => (x == null ? 'n/a' : x >= 100 ? `${x.toFixed(0)} µs` : `${x.toFixed(x >= 10 ? 1 : 2)} µs`);
  const ms = (x) => (x == null ? 'n/a' : `${x.toFixed(0)} ms`);
  const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
  const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
  const n = r.native;
  const nd = r.native_default_pages;
  const ce = r.chromium.engine;
  const ne = r.node;
  const cf = r.chromium.engine_fast;
  const jf = r.chromium.judged_fast;
  const nf = r.node_fast;

  section('1. Engine: 1,000,000 commands, 5,000 customers (ratio = wasm time / native time for the same work; goal ≤ 1.5×; native with huge pages · with default pages)');
  const natives = (get) => (nd ? `${k(get(n))} · ${k(get(nd))}` : k(get(n)));
  row('native ingest: JSON text per command → parse, validate, apply (answer as a Rust value)', natives((x) => x.ingest_per_sec));
  // The wasm rows compare with the native ingest that also writes each answer as JSON
  // text (the same work); older native results have only the other figure.
  const likeForLike = (x) => x.ingest_text_per_sec ?? x.ingest_per_sec;
  if (n.ingest_text_per_sec) row('native ingest, each answer written as JSON text (the ratios\' base: the work the wasm doors do)', natives(likeForLike));
  row('native apply only (validated commands)', natives((x) => x.apply_only_per_sec));
  row('native JSON parse only (serde_json, floor)', natives((x) => x.parse_only_per_sec));
  const ratio = (wasmRate, nativeRate) => nativeRate / wasmRate;
  const againstNative = (rate) => {
    const x = ratio(rate, likeForLike(n));
    const xd = nd ? ` · ${ratio(rate, likeForLike(nd)).toFixed(2)}×` : '';
    return [`${k(rate)} (${x.toFixed(2)}×${xd})`, x];
  };
  if (jf) {
    // Each in a page whose module has held no other ledger, as an import runs and as the
    // native benchmark runs (a fresh process).
    const [door, x] = againstNative(jf.apply_texts_door_per_sec);
    row('Chromium, built for speed, fresh module: applyTexts, the batch text door [like-for-like with native ingest writing answers as text]', door, '≤ 1.5×', x <= 1.5);
    row('Chromium, built for speed, the same page after it: the engine alone (IngestInside)', againstNative(jf.ingest_inside_per_sec)[0]);
  }
  for (const [label, e] of [['Chromium', ce], ['Node', ne], ['Chromium, built for speed (as big books run)', cf], ['Node, built for speed', nf]]) {
    if (!e) continue;
    const judged = (what, rate, goal = true) => {
      if (!rate) return;
      const x = ratio(rate, likeForLike(n));
      const xd = nd ? ` · ${ratio(rate, likeForLike(nd)).toFixed(2)}×; plain ingest ${ratio(rate, n.ingest_per_sec).toFixed(2)}× · ${ratio(rate, nd.ingest_per_sec).toFixed(2)}×` : '';
      row(`${label} wasm: ${what}`, `${k(rate)} (${x.toFixed(2)}×${xd})`, goal ? '≤ 1.5×' : '', goal ? x <= 1.5 : null);
    };
    judged('applyJson(text) per command, answer as JSON text, wasm-bindgen\'s string crossing', e.apply_json_per_sec, !e.apply_json_door_per_sec);
    judged('applyJson(text) per command through the text door (bench/json-text.js)', e.apply_json_door_per_sec, !e.apply_texts_door_per_sec);
    judged(`applyTexts: the batch text door, about 60,000 characters of commands per crossing, the answers as one JSON text${jf ? ', after four other 1M ingests in this module' : ' [like-for-like with native ingest]'}`, e.apply_texts_door_per_sec, !jf);
    judged('the native ingest loop run inside the module (no crossing per command; the engine alone)', e.ingest_inside_per_sec, false);
    judged('JSON.parse + apply(object) per command [from JSON text, as the page gets it]', e.parse_and_apply_object_per_sec, false);
    judged('apply(object) per command, JSON.parse not counted', e.apply_object_per_sec, false);
    judged('applyBatch(10,000 objects) per call, JSON.parse not counted', e.apply_batch_per_sec, false);
    row(`${label}: JSON.parse of the commands alone (JS floor)`, `${k(e.json_parse_per_sec)} (native parse ${(n.parse_only_per_sec / e.json_parse_per_sec).toFixed(2)}× as fast)`);
    if (e.replay_texts_per_sec) {
      row(`${label}: replay of ${e.replay_entries.toLocaleString('en')} journal entries (the store's open): JSON.parse + replay(object) each → replayTexts (batch door)`, `${k(e.replay_object_per_sec)} → ${k(e.replay_texts_per_sec)} (${(e.replay_texts_per_sec / e.replay_object_per_sec).toFixed(2)}× as fast)`);
    }
  }

  section('2. Boundary: cost per command / query (the same already-applied commands resent: duplicates; on the 1M ledger)');
  const both = (get) => {
    const a = ce ? get(ce.boundary) : null;
    const b = ne ? get(ne.boundary) : null;
    return `Chromium ${us(a)} · Node ${us(b)}`;
  };
  row('command: apply(object): object walked in, answer JSON text → JSON.parse (the binding)', both((b) => b.command_us.apply_object));
  row('command: applyJson(text), answer left as text', both((b) => b.command_us.apply_json_text));
  row('command: applyJson(text) through the text door (bench/json-text.js)', both((b) => b.command_us.apply_json_text_door));
  row('command: JSON.stringify → applyJson → JSON.parse', both((b) => b.command_us.apply_json_stringify_parse));
  row('command: applyBatch, 100 per call', both((b) => b.command_us.apply_batch_100));
  row('command: applyBatch, 10,000 per call', both((b) => b.command_us.apply_batch_10000));
  row('query balance: query(object)', both((b) => b.query_us.balance_object));
  row('query balance: queryJson(text), answer left as text', both((b) => b.query_us.balance_json_text));
  row('query balance: JSON.stringify → queryJson → JSON.parse', both((b) => b.query_us.balance_json_stringify_parse));
  row('query preview (10 lines): query(object)', both((b) => b.query_us.preview_object));
  row('query preview (10 lines): queryJson(text), answer left as text', both((b) => b.query_us.preview_json_text));
  row('query preview (10 lines): JSON.stringify → queryJson → JSON.parse', both((b) => b.query_us.preview_json_stringify_parse));
  row('a call that does nothing (ledger.seq())', both((b) => b.query_us.noop_seq));

  const cold = r.chromium.cold ?? [];
  section(`3. Cold open: ${r.chromium.fill ? `${r.chromium.fill.seq.toLocaleString('en')} commands stored, snapshot at ${r.chromium.fill.snapshotSeq.toLocaleString('en')} + journal tail` : 'skipped'} (median of ${cold.length} fresh browsers)`);
  if (cold.length) {
    const fromFigures = cold.filter((c) => c.first_answer_from === 'stored figures');
    // The median of the runs that had figures (the first open of a database has none:
    // its first answer is the engine's, listed among the runs and in the row below).
    const first = median((fromFigures.length ? fromFigures : cold).map((c) => c.first_answer_ms ?? c.total_ms));
    const mismatched = cold.some((c) => c.figures_match === false);
    row(`navigation start → first answer (median of the ${fromFigures.length ? `${fromFigures.length} runs from stored figures` : 'runs'})`, `${ms(first)} (runs: ${cold.map((c) => `${(c.first_answer_ms ?? c.total_ms).toFixed(0)}${c.first_answer_from === 'stored figures' ? ' figures' : ' engine'}`).join(', ')})${mismatched ? ' FIGURES DIFFER FROM THE ENGINE' : ''}`, '< 1000 ms', first < 1000 && !mismatched);
    if (fromFigures.length) row('  of which from the stored figures (kept once writes pause; the first open of a database has none)', `${fromFigures.length} of ${cold.length}, all equal to the engine's answer: ${!mismatched}`);
    if (fromFigures.length) {
      for (const key of Object.keys(fromFigures[0].figures_breakdown_ms)) row(`    ${key}`, ms(median(fromFigures.map((c) => c.figures_breakdown_ms[key]))));
    }
    const total = median(cold.map((c) => c.total_ms));
    row('navigation start → engine ready (its first answer; writes wait for it)', `${ms(total)} (runs: ${cold.map((c) => c.total_ms.toFixed(0)).join(', ')})`);
    row('  engine the books opened in (engine.js: the fast, opt-level 3 module past 100,000 commands)', cold.map((c) => c.engine ?? '?').join(', '));
    for (const key of Object.keys(cold[0].breakdown_ms)) {
      row(`  ${key}`, ms(median(cold.map((c) => c.breakdown_ms[key]))));
    }
    const last = cold[cold.length - 1];
    if (last.snapshot_ms) {
      row('snapshot of the opened ledger, whole (ledger.snapshot(), wasm; the store takes one in pieces every 0.25% of the ledger)', `${ms(last.snapshot_ms)}, ${(last.snapshot_bytes / 1e6).toFixed(1)} MB`);
    }
    if (last.stored_snapshot) {
      row('stored snapshot opened from', `${(last.stored_snapshot.bytes / 1e6).toFixed(1)} MB, ${last.stored_snapshot.kind}, at ${last.stored_snapshot.seq.toLocaleString('en')}`);
    }
  }

  const w = r.chromium.writes;
  section(`3b. Writing at ${r.chromium.fill ? r.chromium.fill.seq.toLocaleString('en') : '?'} commands: open, bursts of writes, the background snapshot and chain check (load average ${w ? w.load_average_after.join(' ') : '-'})`);
  if (w) {
    const longest = w.long_tasks[0];
    const named = (t) => `${ms(t.duration_ms)}: ${t.causes.map((c) => c.name).join(', ') || 'not traced'}`;
    row('longest main-thread task after the open: writes, snapshot, chain check (Long Tasks API, > 50 ms only)', longest ? named(longest) : 'none over 50 ms', '< 50 ms', !longest);
    row('  tasks over 50 ms · longest gap between timer ticks', `${w.long_tasks.length} · ${ms(w.max_timer_gap_ms)}`);
    if (w.open_long_tasks[0]) row('longest task while opening (the restore is one engine call)', named(w.open_long_tasks[0]));
    row('  open · 500 writes, one transaction each', `${ms(w.opened_ms)} · ${ms(w.burst_ms)}`);
    row('  snapshot written · chain check done', `${w.snapshot_written ? `yes (at ${w.snapshot_seq})` : 'no'} · ${w.verified ? 'yes' : 'no'}`);
  }

  const p = r.chromium.persist;
  section('4. Persist (durability strict; ratio = store time / raw time; goal ≤ 1.3×)');
  if (p) {
    const s1 = (p.records_single * 1000) / p.store_single_ms;
    const r1 = (p.records_single * 1000) / p.raw_single_ms;
    const s2 = (p.records_batched * 1000) / p.store_batched_ms;
    const r2 = (p.records_batched * 1000) / p.raw_batched_ms;
    row(`store.apply, one transaction per command (${p.records_single})`, `${s1.toFixed(0)} commands/s`);
    row(`raw IndexedDB put, one transaction per record (same records)`, `${r1.toFixed(0)} records/s`);
    row('  ratio, one per transaction', `${(r1 / s1).toFixed(2)}×`, '≤ 1.3×', r1 / s1 <= 1.3);
    row(`store.applyMany, 1,000 per transaction (${p.records_batched})`, `${s2.toFixed(0)} commands/s`);
    row('raw IndexedDB puts, 1,000 per transaction (same records)', `${r2.toFixed(0)} records/s`);
    row('  ratio, batched', `${(r2 / s2).toFixed(2)}×`, '≤ 1.3×', r2 / s2 <= 1.3);
  }

  section(`5. Preview: preview_invoice with 10 lines for ${customer} (longest history, ${n.longest_history_entries} statement entries)`);
  const last = cold[cold.length - 1];
  if (last?.preview_10_lines_us) {
    const pv = last.preview_10_lines_us;
    row('Chromium, store.query on the cold-opened store', `median ${us(pv.median)}, p99 ${us(pv.p99)}`, 'p99 < 200 µs', pv.p99 < 200);
    row('  same, query object built once', `median ${us(last.preview_10_lines_prebuilt_us.median)}, p99 ${us(last.preview_10_lines_prebuilt_us.p99)}`);
    row('  balance', `median ${us(last.balance_us.median)}, p99 ${us(last.balance_us.p99)}`);
  }
  if (ne) row('Node, ledger.query', `median ${us(ne.preview_10_lines_us.median)}, p99 ${us(ne.preview_10_lines_us.p99)}`, 'p99 < 200 µs', ne.preview_10_lines_us.p99 < 200);
  row('native, engine only (reference)', `median ${us(n.preview_10_lines_us.median)}, p99 ${us(n.preview_10_lines_us.p99)}`);

  const m = r.chromium.money;
  section('6. Money: 100,000 invoices in Chromium (ratio = time / engine time, best of 3)');
  if (m) {
    const e = m.results.engine.ms;
    row(`engine (wasm), JSON.stringify of the drafts included (${m.lines} lines)`, ms(e));
    row('  engine alone (drafts already JSON text)', ms(m.results.engine.ms_without_stringify));
    for (const name of ['decimal.js', 'big.js', 'dinero.js']) {
      row(name, `${ms(m.results[name].ms)} (${(m.results[name].ms / e).toFixed(2)}×)`);
    }
    row('grand totals agree', m.agree ? `yes (${m.results.engine.total})` : `NO: ${Object.entries(m.results).map(([k2, v]) => `${k2} ${v.total}`).join(', ')}`, 'all four equal', m.agree);
  }

  section('7. Size and memory');
  const sz = r.size;
  if (sz.engine_wasm) row('engine wasm (www/pkg, shipped)', `${kb(sz.engine_wasm.raw)} raw, ${kb(sz.engine_wasm.gzip)} gzipped`, '≤ 120 KB gzipped', sz.engine_wasm.gzip <= 120_000);
  else row('engine wasm (www/pkg, shipped)', 'not built (npm run build)');
  row('bench wasm (bench/pkg: + JSON entry points and benchmark exports)', `${kb(sz.bench_wasm.raw)} raw, ${kb(sz.bench_wasm.gzip)} gzipped`);
  if (sz.page_js) row(`page JavaScript (www/**/*.js + wasm-bindgen glue, ${sz.page_js.files} files)`, `${kb(sz.page_js.raw)} raw, ${kb(sz.page_js.gzip)} gzipped`);
  if (ce) row('wasm memory after ingesting 1M commands (Chromium)', mb(ce.wasm_memory_bytes_after_ingest));
  if (last?.wasm_memory_bytes) row('wasm memory after the cold open (the module the books opened in: snapshot copied in, restored, tail replayed)', mb(last.wasm_memory_bytes));
  if (last?.user_agent_memory_bytes) row('page memory after the cold open (measureUserAgentSpecificMemory)', mb(last.user_agent_memory_bytes));
  return rows;
}

function render(rows) {
  const w = [0, 0, 0];
  for (const r of rows) {
    if (r.section) continue;
    w[0] = Math.max(w[0], r.measure.length);
    w[1] = Math.max(w[1], r.figure.length);
    w[2] = Math.max(w[2], r.goal.length);
  }
  const lines = [`${'measure'.padEnd(w[0])}  ${'figure'.padEnd(w[1])}  ${'goal'.padEnd(w[2])}  met?`];
  for (const r of rows) {
    if (r.section) {
      lines.push('', r.section);
      continue;
    }
    const met = r.met === null ? '' : r.met ? 'yes' : 'NO';
    lines.push(`${r.measure.padEnd(w[0])}  ${r.figure.padEnd(w[1])}  ${r.goal.padEnd(w[2])}  ${met}`);
  }
  return lines.join('\n');
}
