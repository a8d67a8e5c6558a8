// bench/ab-core.js in Node:
//   node --single-threaded --no-liftoff bench/ab-ingest.mjs N ROUNDS NAME=DIR[:HOW] ...
// DIR is a `scripts/build-wasm.sh --bench` output (bench/pkg-fast, bench/pkg or a copy of
// one built from another tree); HOW: `text`, `textdecoder` or `inside` (bench/ab-core.js). --single-threaded puts V8's collector and compiler on the timed thread, so
// the process's CPU time counts them; --no-liftoff compiles the wasm fully before timing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { prepare, summary } from './ab-core.js';

const [commands, rounds] = [Number(process.argv[2]), Number(process.argv[3])];
const builds = [];
for (const arg of process.argv.slice(4)) {
  const [name, spec] = arg.split('=');
  const [dir, how] = spec.split(':');
  const engine = await import(`${resolve(dir)}/tally_engine.js?${name}`);
  const { memory } = engine.initSync({ module: readFileSync(`${resolve(dir)}/tally_engine_bg.wasm`) });
  builds.push({ name, engine, memory, how });
}
const ingest = prepare(builds, { commands });
const runs = builds.map(() => ({ cpu: [], wall: [] }));
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < builds.length; k++) {
    ingest.setup(k);
    const cpu = process.cpuUsage();
    runs[k].wall.push(ingest(k));
    const used = process.cpuUsage(cpu);
    runs[k].cpu.push((used.user + used.system) / 1000);
  }
}
for (const line of summary(builds, runs, commands)) console.log(line);
