// The engine in wasm: ingest of the generated space and the cost of crossing the
// boundary. Shared by the bench page (Chromium) and bench/run.mjs (Node): both pass the
// bench build's exports (`bench/pkg/tally_engine.js`) and its wasm memory.
//
// Ingest: the space is generated first (WorkloadStream.nextJson, chunks of JSON text,
// not timed with the ledger), then ingested three ways, each into a fresh ledger:
//   apply      JSON.parse a chunk (timed apart: the floor), then ledger.apply(object) per command
//   batch      JSON.parse a chunk, then one ledger.applyBatch(array of 10,000)
//   json       ledger.applyJson(text) per command (the text made by JSON.stringify beforehand)
//   text door  the same texts through bench/json-text.js: the same contract (text in, the
//              answer's JSON text out) over buffers the ledger keeps, without
//              wasm-bindgen's string crossing (src/wasm/text.rs)
//   batch door the same texts through the batch text door (bench/json-text.js batchDoor,
//              src/wasm/batch.rs): many commands' texts per crossing, the answers out as
//              one JSON text (what the native ingest writing each answer as text does)
//   replay     the first REPLAY_ENTRIES entries of the journal replayed into a fresh ledger,
//              as the store's open does: JSON.parse + replay(object) per entry (before
//              session 8), and the batch door's replayTexts (now)
//   inside     the native benchmark's loop run in the module (IngestInside): the engine's
//              own cost in wasm, with no crossing per command (a measure of the crossing)
// As in the native benchmark, the ledger is told every 1,000 commands that its journal is
// stored (forgetJournalThrough), so it doesn't hold the whole journal in memory.

import { batchDoor, textDoor } from './json-text.js';

const now = () => performance.now();

export const SPACE = { customers: 5000, seed: 42, commands: 1_000_000, chunk: 10_000 };

/** The space as chunks of JSON text. */
export function generate(engine, space = SPACE, log = () => {}) {
  const stream = new engine.WorkloadStream(space.customers, space.seed);
  const chunks = [];
  let bytes = 0;
  const t = now();
  for (let done = 0; done < space.commands; done += space.chunk) {
    const text = stream.nextJson(Math.min(space.chunk, space.commands - done));
    bytes += text.length;
    chunks.push(text);
    if (chunks.length % 20 === 0) log(`generated ${done + space.chunk} commands`);
  }
  stream.free();
  return { chunks, ms: now() - t, bytes };
}

const FORGET_EVERY = 1000;

function ingestApply(engine, chunks) {
  const ledger = new engine.Ledger();
  let parseMs = 0;
  let applyMs = 0;
  let n = 0;
  for (const text of chunks) {
    let t = now();
    const commands = JSON.parse(text);
    parseMs += now() - t;
    t = now();
    for (let i = 0; i < commands.length; i++) {
      ledger.apply(commands[i]);
      if (i % FORGET_EVERY === FORGET_EVERY - 1) ledger.forgetJournalThrough(ledger.seq());
    }
    ledger.forgetJournalThrough(ledger.seq());
    applyMs += now() - t;
    n += commands.length;
  }
  return { ledger, n, parseMs, applyMs };
}

function ingestBatch(engine, chunks) {
  const ledger = new engine.Ledger();
  let applyMs = 0;
  let n = 0;
  for (const text of chunks) {
    const commands = JSON.parse(text);
    const t = now();
    const answers = ledger.applyBatch(commands);
    ledger.forgetJournalThrough(ledger.seq());
    applyMs += now() - t;
    if (!Array.isArray(answers)) throw new Error(`applyBatch refused the chunk: ${JSON.stringify(answers)}`);
    n += commands.length;
  }
  return { ledger, n, applyMs };
}

function ingestJson(engine, chunks, memory) {
  const ledger = new engine.Ledger();
  const door = memory ? textDoor(ledger, memory) : ledger;
  let applyMs = 0;
  let n = 0;
  for (const text of chunks) {
    const texts = JSON.parse(text).map((c) => JSON.stringify(c));
    const t = now();
    for (let i = 0; i < texts.length; i++) {
      door.applyJson(texts[i]);
      if (i % FORGET_EVERY === FORGET_EVERY - 1) ledger.forgetJournalThrough(ledger.seq());
    }
    ledger.forgetJournalThrough(ledger.seq());
    applyMs += now() - t;
    n += texts.length;
  }
  return { ledger, n, applyMs };
}

function ingestBatchDoor(engine, chunks, memory) {
  const ledger = new engine.Ledger();
  const door = batchDoor(ledger, memory);
  let applyMs = 0;
  let n = 0;
  let answerBytes = 0;
  for (const text of chunks) {
    const texts = JSON.parse(text).map((c) => JSON.stringify(c));
    const t = now();
    answerBytes += door.applyTexts(texts).length;
    ledger.forgetJournalThrough(ledger.seq());
    applyMs += now() - t;
    n += texts.length;
  }
  return { ledger, n, applyMs, answerBytes };
}

/** Journal entries replayed, the two ways (see the top). */
const REPLAY_ENTRIES = 100_000;

function journalTexts(engine, chunks) {
  const ledger = new engine.Ledger();
  const texts = [];
  for (const text of chunks) {
    ledger.applyBatch(JSON.parse(text));
    for (const e of ledger.journalSince(texts.length)) texts.push(JSON.stringify(e.command));
    ledger.forgetJournalThrough(ledger.seq());
    if (texts.length >= REPLAY_ENTRIES) break;
  }
  ledger.free();
  return texts.slice(0, REPLAY_ENTRIES);
}

function replayBoth(engine, texts, memory) {
  const each = new engine.Ledger();
  let t = now();
  for (let i = 0; i < texts.length; i++) {
    if (!each.replay({ seq: i + 1, command: JSON.parse(texts[i]) }).ok) throw new Error(`replay refused entry ${i + 1}`);
    if (i % FORGET_EVERY === FORGET_EVERY - 1) each.forgetJournalThrough(each.seq());
  }
  const objectMs = now() - t;
  const batch = new engine.Ledger();
  const door = batchDoor(batch, memory);
  t = now();
  for (let i = 0; i < texts.length; i += FORGET_EVERY * 5) {
    const slice = texts.slice(i, i + FORGET_EVERY * 5);
    if (door.replayTexts(i + 1, slice) !== slice.length) throw new Error(`replayTexts stopped after ${batch.seq()}`);
    batch.forgetJournalThrough(batch.seq());
  }
  const textsMs = now() - t;
  if (each.seq() !== batch.seq()) throw new Error('the two replays differ');
  each.free();
  batch.free();
  return { objectMs, textsMs };
}

function ingestInside(engine, space) {
  const inside = new engine.IngestInside(space.customers, space.seed);
  let applyMs = 0;
  let refused = 0;
  for (let done = 0; done < space.commands; done += space.chunk) {
    inside.prepare(Math.min(space.chunk, space.commands - done));
    const t = now();
    refused += inside.run();
    applyMs += now() - t;
  }
  inside.free();
  return { refused, applyMs };
}

const rate = (n, ms) => (n * 1000) / ms;

/** A preview draft of 10 lines, the same as the native benchmark's. */
export function previewQuery(customer, lines = 10) {
  return {
    type: 'preview_invoice',
    customer,
    date: '2030-01-01',
    lines: Array.from({ length: lines }, (_, i) => ({
      description: `Line ${i}`, quantity: '2', unit_price: '49.99', tax_rate: '0.20', discount_rate: '0.05',
    })),
  };
}

/** Median and p99 (µs) of per-call times, plus the mean from the total. */
export function latency(fn, iterations) {
  const samples = new Float64Array(iterations);
  for (let i = 0; i < Math.min(2000, iterations); i++) fn(); // warm-up
  const start = now();
  for (let i = 0; i < iterations; i++) {
    const t = now();
    fn();
    samples[i] = now() - t;
  }
  const total = now() - start;
  samples.sort();
  const at = (q) => samples[Math.round((iterations - 1) * q)] * 1000;
  return { median: at(0.5), p99: at(0.99), mean: (total * 1000) / iterations, iterations };
}

/** Mean µs per call over `iterations` calls timed as one block (no per-call clock reads). */
export function meanCost(fn, iterations) {
  for (let i = 0; i < Math.min(1000, iterations); i++) fn();
  const t = now();
  for (let i = 0; i < iterations; i++) fn();
  return ((now() - t) * 1000) / iterations;
}

/**
 * The boundary on a ledger holding the whole space: the same already-applied commands
 * sent again (duplicates: read, validated, fingerprinted and looked up, the original
 * answer rendered; nothing changes), so the engine's work is the same on every path
 * and the differences are the crossing. And queries, both ways.
 */
function boundary(engine, ledger, lastChunk, customer, memory) {
  const door = textDoor(ledger, memory);
  const commands = JSON.parse(lastChunk);
  const texts = commands.map((c) => JSON.stringify(c));
  const n = commands.length;
  const per = (fn, rounds = 2) => {
    fn(); // warm-up
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t = now();
      fn();
      best = Math.min(best, now() - t);
    }
    return (best * 1000) / n;
  };
  const command = {
    apply_object: per(() => { for (let i = 0; i < n; i++) ledger.apply(commands[i]); }),
    apply_json_text: per(() => { for (let i = 0; i < n; i++) ledger.applyJson(texts[i]); }),
    apply_json_text_door: per(() => { for (let i = 0; i < n; i++) door.applyJson(texts[i]); }),
    apply_json_stringify_parse: per(() => { for (let i = 0; i < n; i++) JSON.parse(ledger.applyJson(JSON.stringify(commands[i]))); }),
    apply_batch_100: per(() => { for (let i = 0; i < n; i += 100) ledger.applyBatch(commands.slice(i, i + 100)); }),
    apply_batch_10000: per(() => { ledger.applyBatch(commands); }),
    json_stringify_only: per(() => { for (let i = 0; i < n; i++) JSON.stringify(commands[i]); }),
  };
  const duplicates = ledger.applyBatch(commands.slice(0, 100)).filter((a) => a.duplicate).length;
  const balance = { type: 'balance', customer };
  const balanceText = JSON.stringify(balance);
  const preview = previewQuery(customer);
  const previewText = JSON.stringify(preview);
  const q = 20_000;
  const query = {
    noop_seq: meanCost(() => ledger.seq(), 200_000),
    balance_object: meanCost(() => ledger.query(balance), q),
    balance_json_text: meanCost(() => ledger.queryJson(balanceText), q),
    balance_json_stringify_parse: meanCost(() => JSON.parse(ledger.queryJson(JSON.stringify(balance))), q),
    preview_object: meanCost(() => ledger.query(preview), q),
    preview_json_text: meanCost(() => ledger.queryJson(previewText), q),
    preview_json_stringify_parse: meanCost(() => JSON.parse(ledger.queryJson(JSON.stringify(preview))), q),
  };
  const check = ledger.query(preview);
  if (!check.ok) throw new Error(`preview refused: ${JSON.stringify(check)}`);
  return { commands_resent: n, duplicates_in_first_100: duplicates, command_us: command, query_us: query };
}

/**
 * The two like-for-like figures alone, each in a module that has held no other ledger:
 * the batch door first, then the engine alone. `runEngineBench` measures them after four
 * other 1M-command ingests in the same module (a heap grown, used and freed four times,
 * and the collector busy with their garbage), which is not how an import runs, nor how
 * the native benchmark measures (a fresh process). Use a fresh page for this.
 */
export function runJudgedIngest(engine, memory, { space = SPACE, log = () => {} }) {
  if (memory.buffer.byteLength > 64 << 20) throw new Error('runJudgedIngest wants a module that has held no big ledger: use a fresh page');
  log(`generating ${space.commands} commands (${space.customers} customers, seed ${space.seed})`);
  const gen = generate(engine, space, log);
  log('ingest, fresh module: the batch text door (applyTexts)');
  const bd = ingestBatchDoor(engine, gen.chunks, memory);
  const out = { commands: space.commands, apply_texts_door_per_sec: rate(bd.n, bd.applyMs) };
  const refused = bd.n - bd.ledger.seq();
  out.wasm_memory_bytes_after_ingest = memory.buffer.byteLength;
  bd.ledger.free();
  gen.chunks.length = 0;
  log('ingest: the native loop inside the module (IngestInside), after the batch door');
  const inside = ingestInside(engine, space);
  out.ingest_inside_per_sec = rate(space.commands, inside.applyMs);
  if (inside.refused !== refused) throw new Error('the ingest inside the module refused a different number of commands');
  return out;
}

/**
 * Everything for one runtime. `memory` is the wasm memory of `engine` (from init/initSync).
 * Returns plain numbers (µs, ms, commands/s, bytes).
 */
export function runEngineBench(engine, memory, { customer, space = SPACE, log = () => {} }) {
  log(`generating ${space.commands} commands (${space.customers} customers, seed ${space.seed})`);
  const gen = generate(engine, space, log);
  const out = { commands: space.commands, json_bytes: gen.bytes, generate_ms: gen.ms };

  log('ingest: apply(object) per command');
  const a = ingestApply(engine, gen.chunks);
  out.refused = a.n - a.ledger.seq();
  out.json_parse_per_sec = rate(a.n, a.parseMs);
  out.apply_object_per_sec = rate(a.n, a.applyMs);
  out.parse_and_apply_object_per_sec = rate(a.n, a.parseMs + a.applyMs);
  out.wasm_memory_bytes_after_ingest = memory.buffer.byteLength;

  log('boundary and queries on the ingested ledger');
  out.boundary = boundary(engine, a.ledger, gen.chunks[gen.chunks.length - 1], customer, memory);
  out.preview_10_lines_us = latency(() => a.ledger.query(previewQuery(customer)), 20_000);
  const preview = previewQuery(customer);
  out.preview_10_lines_prebuilt_us = latency(() => a.ledger.query(preview), 20_000);
  out.balance_us = latency(() => a.ledger.query({ type: 'balance', customer }), 20_000);
  a.ledger.free();

  log('ingest: applyBatch(10,000 objects) per chunk');
  const b = ingestBatch(engine, gen.chunks);
  out.apply_batch_per_sec = rate(b.n, b.applyMs);
  if (b.n - b.ledger.seq() !== out.refused) throw new Error('applyBatch accepted a different number of commands');
  b.ledger.free();

  log('ingest: applyJson(text) per command');
  const j = ingestJson(engine, gen.chunks);
  out.apply_json_per_sec = rate(j.n, j.applyMs);
  if (j.n - j.ledger.seq() !== out.refused) throw new Error('applyJson accepted a different number of commands');
  j.ledger.free();

  log('ingest: applyJson(text) per command, through the text door (bench/json-text.js)');
  const d = ingestJson(engine, gen.chunks, memory);
  out.apply_json_door_per_sec = rate(d.n, d.applyMs);
  if (d.n - d.ledger.seq() !== out.refused) throw new Error('the text door accepted a different number of commands');
  d.ledger.free();
  out.wasm_memory_bytes_peak = memory.buffer.byteLength;

  log('ingest: the batch text door (applyTexts, bench/json-text.js batchDoor)');
  const bd = ingestBatchDoor(engine, gen.chunks, memory);
  out.apply_texts_door_per_sec = rate(bd.n, bd.applyMs);
  out.apply_texts_answer_bytes = bd.answerBytes;
  if (bd.n - bd.ledger.seq() !== out.refused) throw new Error('the batch door accepted a different number of commands');
  bd.ledger.free();

  log(`replay of the journal's first ${REPLAY_ENTRIES} entries: JSON.parse + replay(object), then replayTexts`);
  const texts = journalTexts(engine, gen.chunks);
  const rp = replayBoth(engine, texts, memory);
  out.replay_entries = texts.length;
  out.replay_object_per_sec = rate(texts.length, rp.objectMs);
  out.replay_texts_per_sec = rate(texts.length, rp.textsMs);

  log('ingest: the native loop inside the module (IngestInside)');
  const inside = ingestInside(engine, space);
  out.ingest_inside_per_sec = rate(space.commands, inside.applyMs);
  if (inside.refused !== out.refused) throw new Error('the ingest inside the module refused a different number of commands');
  return out;
}
