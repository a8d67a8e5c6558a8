// bench/ab-core.js in Debian's Chromium (headless), same arguments as bench/ab-ingest.mjs:
//   node bench/ab-browser.mjs N ROUNDS NAME=DIR[:HOW] ...
// CUSTOMERS=5000 for the judged space's customer count (default 1,000).
// CPU time is the renderer processes' (from /proc), read around each run. With
// PROFILE_DIR=dir, the last round of each build is profiled into dir/NAME.cpuprofile.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';
import { CHROMIUM_ARGS } from '../tests/browser/browser.mjs';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const [commands, rounds] = [Number(process.argv[2]), Number(process.argv[3])];
const builds = process.argv.slice(4).map((arg, k) => {
  const [name, spec] = arg.split('=');
  const [dir, how] = spec.split(':');
  return { name, dir: resolve(dir), mount: `/build${k}`, how };
});

/** CPU ticks (user + system) of each Chromium renderer process now, by pid. */
function rendererTicks() {
  const ticks = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks.set(pid, { cpu: Number(fields[11]) + Number(fields[12]), sys: Number(fields[12]), faults: Number(fields[7]) }); // utime + stime, stime, minflt
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/** CPU ms (of it system ms) and minor page faults of the renderers that lived through both readings, between them. */
function cpuMsBetween(before, after) {
  const d = { cpu: 0, sys: 0, faults: 0 };
  for (const [pid, t] of after) if (before.has(pid)) for (const k in d) d[k] += t[k] - before.get(pid)[k];
  return { cpu: d.cpu * 10, sys: d.sys * 10, faults: d.faults }; // USER_HZ = 100
}

const mounts = { '/bench': benchDir, ...Object.fromEntries(builds.map((b) => [b.mount, b.dir])) };
const { server, url } = await serve({ port: 0, mounts, isolated: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  if (process.env.PAGE_LOG) page.on('console', (m) => console.log(m.text()));
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${url}/bench/ab.html`);
  await page.evaluate(async ({ builds, commands, customers }) => {
    const { prepare } = await import('/bench/ab-core.js');
    const loaded = [];
    for (const b of builds) {
      const engine = await import(`${b.mount}/tally_engine.js`);
      const { memory } = await engine.default({ module_or_path: `${b.mount}/tally_engine_bg.wasm` });
      loaded.push({ name: b.name, engine, memory, how: b.how });
    }
    window.ingest = prepare(loaded, { commands, customers });
  }, { builds, commands, customers: Number(process.env.CUSTOMERS ?? 1000) });
  const runs = builds.map(() => ({ cpu: [], wall: [], sys: [], faults: [] }));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < builds.length; k++) {
      await page.evaluate((k) => window.ingest.setup(k), k);
      const profiled = process.env.PROFILE_DIR && r === rounds - 1;
      if (profiled) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      const cpu = rendererTicks();
      runs[k].wall.push(await page.evaluate((k) => window.ingest(k), k));
      const used = cpuMsBetween(cpu, rendererTicks());
      runs[k].cpu.push(used.cpu);
      runs[k].sys.push(used.sys);
      runs[k].faults.push(used.faults);
      if (profiled) {
        const { profile } = await cdp.send('Profiler.stop');
        writeFileSync(`${process.env.PROFILE_DIR}/${builds[k].name}.cpuprofile`, JSON.stringify(profile));
      }
    }
  }
  const { summary } = await import('./ab-core.js');
  console.log(`Chromium ${await browser.version()}:`);
  for (const line of summary(builds, runs, commands)) console.log(line);
} finally {
  await browser.close();
  server.close();
}
