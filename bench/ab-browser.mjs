// bench/ab-core.js in Debian's Chromium (headless), same arguments as bench/ab-ingest.mjs:
//   node bench/ab-browser.mjs N ROUNDS NAME=DIR[:HOW] ...
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
      ticks.set(pid, Number(fields[11]) + Number(fields[12])); // utime, stime
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/** CPU ms the renderers that lived through both readings used between them. */
function cpuMsBetween(before, after) {
  let ticks = 0;
  for (const [pid, t] of after) if (before.has(pid)) ticks += t - before.get(pid);
  return ticks * 10; // USER_HZ = 100
}

const mounts = { '/bench': benchDir, ...Object.fromEntries(builds.map((b) => [b.mount, b.dir])) };
const { server, url } = await serve({ port: 0, mounts, isolated: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${url}/bench/ab.html`);
  await page.evaluate(async ({ builds, commands }) => {
    const { prepare } = await import('/bench/ab-core.js');
    const loaded = [];
    for (const b of builds) {
      const engine = await import(`${b.mount}/tally_engine.js`);
      const { memory } = await engine.default({ module_or_path: `${b.mount}/tally_engine_bg.wasm` });
      loaded.push({ name: b.name, engine, memory, how: b.how });
    }
    window.ingest = prepare(loaded, { commands });
  }, { builds, commands });
  const runs = builds.map(() => ({ cpu: [], wall: [] }));
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
      runs[k].cpu.push(cpuMsBetween(cpu, rendererTicks()));
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
