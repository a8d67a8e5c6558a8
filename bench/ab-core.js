// applyJson ingest alternated between bench wasm builds, round after round, on the same
// commands: on a shared machine only interleaved comparisons in one process mean much.
// Used by bench/ab-ingest.mjs (Node) and bench/ab-browser.mjs (Chromium).
import { textDoor } from './json-text.js';

/**
 * `builds`: [{ name, engine (the module's exports), memory, how }]. Answers `ingest(k)`, which
 * ingests the commands into a fresh ledger of build k through `applyJson` (the answer
 * returned as JSON text, the journal forgotten every 1,000 commands as the store does)
 * and answers the wall time (ms). `how`: 'text' sends them through bench/json-text.js
 * instead ('textdecoder': the same, every answer read by TextDecoder); 'inside': the same commands are ingested by the
 * native benchmark's loop run in the module (`IngestInside`, src/wasm_bench.rs): the
 * engine's cost in wasm without a crossing per command.
 */
export function prepare(builds, { commands, customers = 1000 }) {
  const stream = new builds[0].engine.WorkloadStream(customers, 42);
  const texts = [];
  while (texts.length < commands) {
    for (const c of JSON.parse(stream.nextJson(Math.min(20000, commands - texts.length)))) texts.push(JSON.stringify(c));
  }
  stream.free();
  let check;
  return (k) => {
    const b = builds[k];
    if (b.how === 'inside') {
      const inside = new b.engine.IngestInside(customers, 42);
      inside.prepare(commands);
      const t = performance.now();
      const accepted = commands - inside.run();
      const wall = performance.now() - t;
      inside.free();
      if (check !== undefined && check !== accepted) throw new Error(`${b.name} accepted ${accepted}, not ${check}`);
      check = accepted;
      return wall;
    }
    const ledger = new b.engine.Ledger();
    const door = b.how?.startsWith('text') ? textDoor(ledger, b.memory, { decodeAscii: b.how === 'text' }) : ledger;
    let accepted = 0;
    const t = performance.now();
    for (let i = 0; i < texts.length; i++) {
      if (door.applyJson(texts[i]).charCodeAt(6) === 116) accepted++; // `{"ok":true`
      if (i % 1000 === 999) ledger.forgetJournalThrough(ledger.seq());
    }
    const wall = performance.now() - t;
    ledger.free();
    if (check !== undefined && check !== accepted) throw new Error(`${b.name} accepted ${accepted}, not ${check}`);
    check = accepted;
    return wall;
  };
}

/** One line per build: best and median rates (k/s) of its runs' wall and CPU times. */
export function summary(builds, runs, commands) {
  const rate = (ms) => (commands / ms).toFixed(1);
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const figures = (xs) => `best ${rate(Math.min(...xs))}, median ${rate(median(xs))}`;
  return builds.map((b, k) => `${b.name.padEnd(12)} k/s by CPU: ${figures(runs[k].cpu)}; by wall: ${figures(runs[k].wall)}`);
}
