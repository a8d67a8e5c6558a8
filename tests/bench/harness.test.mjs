// The browser benchmark's shared code (bench/engine-bench.js, bench/money.js) run in Node
// on a small space, so the benchmark can't rot unnoticed between `npm run bench` runs.
// Figures are not checked (benchmarks are never timed tests); what is checked is that
// every ingest path accepts the same commands and that the four money implementations
// agree to the cent. Needs the bench build: `bash scripts/build-wasm.sh --bench`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import Decimal from 'decimal.js';
import Big from 'big.js';
import Dinero from 'dinero.js';

import { runEngineBench, runJudgedIngest } from '../../bench/engine-bench.js';
import { runMoneyBench } from '../../bench/money.js';
import { prepare, summary } from '../../bench/ab-core.js';
import { batchDoor, textDoor } from '../../bench/json-text.js';

const pkg = fileURLToPath(new URL('../../bench/pkg/', import.meta.url));
const engine = await import(`${pkg}tally_engine.js`);
const exports = engine.initSync({ module: readFileSync(`${pkg}tally_engine_bg.wasm`) });

test('the engine benchmark ingests a small space the same way on every path', () => {
  const space = { customers: 50, seed: 7, commands: 3000, chunk: 1000 };
  const customer = JSON.parse(new engine.WorkloadStream(50, 7).nextJson(1))[0].id;
  // runEngineBench throws if applyBatch or applyJson accept a different number of
  // commands than apply(object), or if the preview is refused.
  const r = runEngineBench(engine, exports.memory, { customer, space });
  assert.equal(r.commands, 3000);
  assert.ok(r.refused >= 0 && r.refused < 3000);
  for (const key of ['apply_object_per_sec', 'apply_batch_per_sec', 'apply_json_per_sec', 'json_parse_per_sec']) {
    assert.ok(Number.isFinite(r[key]) && r[key] > 0, `${key} is a rate`);
  }
  assert.ok(r.boundary.duplicates_in_first_100 === 100, 'resent commands are answered as duplicates');
  assert.ok(r.preview_10_lines_us.p99 > 0);
});

test('the judged ingest (batch door, then the engine alone) refuses what the engine alone refuses', () => {
  // runJudgedIngest throws if the two refuse a different number of commands.
  const r = runJudgedIngest(engine, exports.memory, { space: { customers: 50, seed: 7, commands: 3000, chunk: 1000 } });
  assert.equal(r.commands, 3000);
  for (const key of ['apply_texts_door_per_sec', 'ingest_inside_per_sec']) {
    assert.ok(Number.isFinite(r[key]) && r[key] > 0, `${key} is a rate`);
  }
});

test('the money benchmark: engine, decimal.js, big.js and dinero.js agree to the cent', () => {
  const r = runMoneyBench({ invoiceMathBatch: engine.invoiceMathBatch, Decimal, Big, Dinero }, { count: 2000, rounds: 1 });
  assert.ok(r.agree, `totals differ: ${JSON.stringify(Object.fromEntries(Object.entries(r.results).map(([k, v]) => [k, v.total])))}`);
  assert.match(r.results.engine.total, /^\d+\.\d{2}$/);
});

test('the builds comparison (bench/ab-core.js) ingests the same commands into each build', () => {
  // Two entries for the one bench build: each run ingests into a fresh ledger, and
  // prepare's check throws if a build accepts a different number of commands.
  const builds = [{ name: 'a', engine }, { name: 'b', engine }];
  const ingest = prepare(builds, { commands: 2000, customers: 40 });
  const runs = builds.map((_, k) => {
    const wall = ingest(k);
    assert.ok(Number.isFinite(wall) && wall > 0);
    return { wall: [wall], cpu: [wall] };
  });
  const lines = summary(builds, runs, 2000);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^a +k\/s by CPU: best \d/);
});

test('the text door (bench/json-text.js) answers exactly what applyJson answers', () => {
  const commands = JSON.parse(new engine.WorkloadStream(60, 11).nextJson(3000)).map((c) => JSON.stringify(c));
  commands.push(
    // Non-ASCII from the first character and after ASCII, an astral character, a lone
    // surrogate (encoded as U+FFFD by both doors), escapes in the answer.
    JSON.stringify({ type: 'create_customer', id: 'ünï-1', name: 'Zoë "Q" \u{1F600} \ud800' }),
    JSON.stringify({ type: 'create_customer', id: 'c-é', name: 'x' }),
    'not json',
    '[]',
    // Bigger than the buffer the door kept so far, then small again.
    JSON.stringify({ type: 'create_customer', id: `big-${'x'.repeat(100_000)}`, name: 'n' }),
    JSON.stringify({ type: 'create_customer', id: 'after-big', name: 'n' }),
  );
  const plain = new engine.Ledger();
  const kept = new engine.Ledger();
  const door = textDoor(kept, exports.memory);
  for (const c of commands) assert.equal(door.applyJson(c), plain.applyJson(c), c.slice(0, 80));
  for (const q of [{ type: 'customers' }, { type: 'trial_balance' }, { type: 'customer', id: 'ünï-1' }]) {
    const text = JSON.stringify(q);
    assert.equal(door.queryJson(text), plain.queryJson(text), text);
  }
  assert.equal(door.queryJson('{'), plain.queryJson('{'));
  assert.equal(kept.seq(), plain.seq());
  plain.free();
  kept.free();
});

test('the batch text door (applyTexts) answers exactly what applyJson answers one by one', () => {
  const commands = JSON.parse(new engine.WorkloadStream(60, 13).nextJson(3000)).map((c) => JSON.stringify(c));
  // Refusals and texts the shipped build's reader declines (escapes, numbers), between
  // accepted commands, and a command bigger than a crossing.
  commands.splice(100, 0,
    JSON.stringify({ type: 'create_customer', id: 'q"1', name: 'Zoë "Q" \u{1F600}', currency: 'EUR' }),
    JSON.stringify({ type: 'record_payment', id: 'n1', customer: 'q"1', amount: 12, method: 'card', date: '2026-01-01' }),
    JSON.stringify({ type: 'record_payment', id: 'n2', customer: 'nobody', amount: '12.00', method: 'card', date: '2026-01-01' }),
    'not json',
    JSON.stringify({ type: 'create_customer', id: `big-${'x'.repeat(100_000)}`, name: 'n', currency: 'EUR' }),
    JSON.stringify({ type: 'create_customer', id: 'c-é', name: 'Café', currency: 'EUR' }),
  );
  const plain = new engine.Ledger();
  const batch = new engine.Ledger();
  const door = batchDoor(batch, exports.memory, { crossingChars: 5000 });
  const one = commands.map((c) => JSON.parse(plain.applyJson(c)));
  const all = JSON.parse(door.applyTexts(commands));
  assert.equal(all.length, commands.length);
  assert.deepEqual(all, one);
  assert.ok(one.some((a) => !a.ok) && one.some((a) => a.ok));
  assert.equal(batch.seq(), plain.seq());
  assert.deepEqual(batch.snapshot(), plain.snapshot());
  // Replayed from the journal through the door: the same books.
  const journal = plain.journalSince(0);
  const replayed = new engine.Ledger();
  assert.equal(batchDoor(replayed, exports.memory).replayTexts(1, journal.map((e) => JSON.stringify(e.command))), journal.length);
  assert.deepEqual(replayed.snapshot(), plain.snapshot());
  plain.free();
  batch.free();
  replayed.free();
});
