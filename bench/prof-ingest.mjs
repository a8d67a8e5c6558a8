// applyJson ingest rate of a bench wasm build in Node, for comparing builds of the
// engine's wasm layer (allocator, glue) one against another on the same commands:
//   node bench/prof-ingest.mjs DIR [N] [CUSTOMERS]
// DIR holds tally_engine.js (a `scripts/build-wasm.sh --bench` output: bench/pkg-fast or
// bench/pkg). The commands come from the engine's own WorkloadStream (not timed). Prints
// commands per second of applyJson (answer returned as JSON text, journal forgotten every
// 1,000 commands as the store does) and the process's CPU time for the loop, which varies
// less than wall time on a loaded machine. With PROFILE=out.cpuprofile, a V8 CPU profile of
// the timed loop alone is written there (bench/profile-parts.mjs splits it into parts).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Session } from 'node:inspector/promises';

const dir = resolve(process.argv[2] ?? 'bench/pkg-fast');
const n = Number(process.argv[3] ?? 200000);
const customers = Number(process.argv[4] ?? 1000);
const engine = await import(`${dir}/tally_engine.js`);
const { memory } = engine.initSync({ module: readFileSync(`${dir}/tally_engine_bg.wasm`) });
const stream = new engine.WorkloadStream(customers, 42);
const texts = [];
while (texts.length < n) {
  for (const c of JSON.parse(stream.nextJson(Math.min(20000, n - texts.length)))) texts.push(JSON.stringify(c));
}
stream.free();

let session;
if (process.env.PROFILE) {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const ledger = new engine.Ledger();
let refused = 0;
const cpu = process.cpuUsage();
const t = performance.now();
for (let i = 0; i < texts.length; i++) {
  const answer = ledger.applyJson(texts[i]);
  if (answer.charCodeAt(6) !== 116) refused++; // `{"ok":true…`: the 't'
  if (i % 1000 === 999) ledger.forgetJournalThrough(ledger.seq());
}
const ms = performance.now() - t;
const used = process.cpuUsage(cpu);
if (session) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(process.env.PROFILE, JSON.stringify(profile));
}
const cpuMs = (used.user + used.system) / 1000;
console.log(`applyJson: ${(n / ms).toFixed(1)} k/s (${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU, ${(n / cpuMs).toFixed(1)} k/s by CPU; ${refused} refused; user ${(used.user / 1000).toFixed(0)} ms, system ${(used.system / 1000).toFixed(0)} ms; wasm memory ${(memory.buffer.byteLength / 2 ** 20).toFixed(0)} MiB)`);
