// The judged phase (bench/page.js `judged`: the batch door, then the engine alone, in a
// fresh page of the speed build) alternated between builds, each run in a browser of its
// own (a fresh renderer process, as the first visit to the page has):
//   node bench/ab-judged.mjs ROUNDS NAME=PKGDIR[,BENCHDIR[,JSFLAGS]] ...
// PKGDIR: a `scripts/build-wasm.sh --bench` speed build (bench/pkg-fast or a copy of one
// built from another tree); BENCHDIR: a copy of bench/ to serve instead of this one (to
// compare the door's JavaScript); JSFLAGS: V8 flags for that browser, space-separated
// (e.g. `--no-liftoff --no-wasm-lazy-compilation`: the module compiled by the optimizing
// tier before anything runs). Prints both rates of each run (wall time, as the judged
// figure is), the renderer's CPU and system time and minor page faults over the whole
// phase (generation included), and the load average when it started; then the medians.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';
import { CHROMIUM_ARGS } from '../tests/browser/browser.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** CPU ticks, system ticks and minor faults of each Chromium renderer process now, by pid. */
function renderers() {
  const now = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      now.set(pid, { cpu: Number(f[11]) + Number(f[12]), sys: Number(f[12]), faults: Number(f[7]) });
    } catch {
      // gone meanwhile
    }
  }
  return now;
}

function between(before, after) {
  const d = { cpu: 0, sys: 0, faults: 0 };
  for (const [pid, t] of after) if (before.has(pid)) for (const k in d) d[k] += t[k] - before.get(pid)[k];
  return { cpuMs: d.cpu * 10, sysMs: d.sys * 10, faults: d.faults }; // USER_HZ = 100
}

const rounds = Number(process.argv[2]);
const builds = process.argv.slice(3).map((arg) => {
  const [name, spec] = arg.split('=');
  const [pkg, bench, flags] = spec.split(',');
  return { name, pkg, bench: bench || join(root, 'bench'), flags: flags ?? '' };
});
const rates = new Map(builds.map((b) => [b.name, []]));
for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    const mounts = {
      '/bench': b.bench,
      '/pkg': join(root, 'bench/pkg'),
      '/pkg-fast': b.pkg,
      '/pkg/bulk': join(root, 'www/pkg/bulk'),
      '/vendor/decimal.js': join(root, 'node_modules/decimal.js'),
      '/vendor/big.js': join(root, 'node_modules/big.js'),
      '/vendor/dinero.js': join(root, 'node_modules/dinero.js'),
    };
    const { server, url } = await serve({ port: 0, mounts, isolated: true });
    const args = [...CHROMIUM_ARGS, `--js-flags=--max-old-space-size=4096 ${b.flags}`];
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
    try {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.goto(`${url}/bench/page.html?engine=fast`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      const before = renderers();
      const out = await page.evaluate(() => window.bench.judged({}));
      const used = between(before, renderers());
      const door = out.apply_texts_door_per_sec / 1000;
      rates.get(b.name).push(door);
      console.log(`${b.name.padEnd(10)} door ${door.toFixed(1)} k/s, engine alone ${(out.ingest_inside_per_sec / 1000).toFixed(1)} k/s; renderer over the phase: CPU ${used.cpuMs} ms, system ${used.sysMs} ms, ${used.faults} minor faults; load ${load}`);
    } finally {
      await browser.close();
      server.close();
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [name, xs] of rates) console.log(`${name.padEnd(10)} door median ${median(xs).toFixed(1)} k/s (runs: ${xs.map((x) => x.toFixed(1)).join(' · ')})`);
