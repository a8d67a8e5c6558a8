// applyJson ingest alternated between bench wasm builds, round after round, on the same
// commands: on a shared machine only interleaved comparisons in one process mean much.
// Used by bench/ab-ingest.mjs (Node) and bench/ab-browser.mjs (Chromium).
import { batchDoor, textDoor } from './json-text.js';

/**
 * `builds`: [{ name, engine (the module's exports), memory, how }]. Answers `ingest(k)`, which
 * ingests the commands into a fresh ledger of build k through `applyJson` (the answer
 * returned as JSON text, the journal forgotten every 1,000 commands as the store does)
 * and answers the wall time (ms). `how`: 'text' sends them through bench/json-text.js
 * instead ('textdecoder': the same, every answer read by TextDecoder); 'inside': the same commands are ingested by the
 * native benchmark's loop run in the module (`IngestInside`, src/wasm_bench.rs): the
 * engine's cost in wasm without a crossing per command; 'batch': through the batch text
 * door (bench/json-text.js `batchDoor`: about 60,000 characters of commands per crossing,
 * the answers out as one JSON text), the journal forgotten after each 1,000 commands;
 * 'judged': the batch door as bench/engine-bench.js `runJudgedIngest` drives it (10,000 texts a
 * call, the answers' text only measured, the journal forgotten after each call; accepted
 * commands counted by the ledger's seq, so compare it only with other 'judged' runs;
 * 'judged/N': the same with N characters of texts a crossing instead of the door's default);
 * 'replay': the first run's journal replayed through the batch door (`replayTexts`),
 * 'replayobject': the same journal, JSON.parse + `replay(object)` per entry.
 */
export function prepare(builds, { commands, customers = 1000 }) {
  const stream = new builds[0].engine.WorkloadStream(customers, 42);
  const texts = [];
  while (texts.length < commands) {
    for (const c of JSON.parse(stream.nextJson(Math.min(20000, commands - texts.length)))) texts.push(JSON.stringify(c));
  }
  stream.free();
  let check;
  let journal;
  const seen = {};
  const ready = [];
  const ingest = (k) => {
    const b = builds[k];
    if (b.how === 'inside') {
      const inside = ready[k] ?? ingest.setup(k);
      ready[k] = undefined;
      const t = performance.now();
      const accepted = commands - inside.run();
      const wall = performance.now() - t;
      inside.free();
      if (check !== undefined && check !== accepted) throw new Error(`${b.name} accepted ${accepted}, not ${check}`);
      check = accepted;
      return wall;
    }
    if (b.how?.startsWith('judged')) {
      const ledger = new b.engine.Ledger();
      const [, crossingChars] = b.how.split('/');
      const door = batchDoor(ledger, b.memory, crossingChars ? { crossingChars: Number(crossingChars) } : {});
      let answerChars = 0;
      const t = performance.now();
      for (let i = 0; i < texts.length; i += 10_000) {
        answerChars += door.applyTexts(texts.slice(i, i + 10_000)).length;
        ledger.forgetJournalThrough(ledger.seq());
      }
      const wall = performance.now() - t;
      const accepted = ledger.seq();
      ledger.free();
      if (!answerChars) throw new Error('no answers');
      if (seen.judged !== undefined && seen.judged !== accepted) throw new Error(`${b.name} accepted ${accepted}, not ${seen.judged}`);
      seen.judged = accepted;
      return wall;
    }
    if (b.how === 'batch' || b.how?.startsWith('replay')) {
      const ledger = new b.engine.Ledger();
      const door = batchDoor(ledger, b.memory);
      let accepted = 0;
      const t = performance.now();
      if (b.how === 'batch') {
        for (let i = 0; i < texts.length; i += 1000) {
          const answers = door.applyTexts(texts.slice(i, i + 1000));
          for (let at = answers.indexOf('{"ok":true'); at !== -1; at = answers.indexOf('{"ok":true', at + 10)) accepted++;
          ledger.forgetJournalThrough(ledger.seq());
        }
      } else {
        journal ??= journalOf(b.engine, texts);
        for (let i = 0; i < journal.length; i += 1000) {
          const slice = journal.slice(i, i + 1000);
          if (b.how === 'replay') accepted += door.replayTexts(i + 1, slice);
          else for (let j = 0; j < slice.length; j++) accepted += ledger.replay({ seq: i + j + 1, command: JSON.parse(slice[j]) }).ok ? 1 : 0;
          ledger.forgetJournalThrough(ledger.seq());
        }
      }
      const wall = performance.now() - t;
      ledger.free();
      const key = b.how === 'batch' ? 'check' : 'replayed';
      if (seen[key] !== undefined && seen[key] !== accepted) throw new Error(`${b.name} accepted ${accepted}, not ${seen[key]}`);
      seen[key] = accepted;
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
  /** Untimed set-up of build k's next run (the commands generated inside the module for 'inside'). */
  ingest.setup = (k) => {
    const b = builds[k];
    if (b.how !== 'inside') return undefined;
    const inside = new b.engine.IngestInside(customers, 42);
    inside.prepare(commands);
    ready[k] = inside;
    return inside;
  };
  return ingest;
}

/** The journal's command texts after `texts` were applied to a fresh ledger of `engine`. */
function journalOf(engine, texts) {
  const ledger = new engine.Ledger();
  const journal = [];
  for (let i = 0; i < texts.length; i++) {
    ledger.applyJson(texts[i]);
    if (i % 1000 === 999 || i === texts.length - 1) {
      for (const e of ledger.journalSince(journal.length)) journal.push(JSON.stringify(e.command));
      ledger.forgetJournalThrough(ledger.seq());
    }
  }
  ledger.free();
  return journal;
}

/** One line per build: best and median rates (k/s) of its runs' wall and CPU times. */
export function summary(builds, runs, commands) {
  const rate = (ms) => (commands / ms).toFixed(1);
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const figures = (xs) => `best ${rate(Math.min(...xs))}, median ${rate(median(xs))}`;
  const extra = (k) => (runs[k].sys ? `; system ms median ${median(runs[k].sys)}, minor faults median ${median(runs[k].faults)}` : '');
  return builds.map((b, k) => `${b.name.padEnd(12)} k/s by CPU: ${figures(runs[k].cpu)}; by wall: ${figures(runs[k].wall)}${extra(k)}`);
}
