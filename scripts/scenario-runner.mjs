// Runs scenario files through the wasm engine: the same steps and matching rules as the
// native `tally check` (src/scenario.rs), so both must agree on every scenario.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadEngine, newLedger } from '../www/engine.js';

export async function loadForNode() {
  const wasm = fileURLToPath(new URL('../www/pkg/tally_engine_bg.wasm', import.meta.url));
  await loadEngine({ bytes: readFileSync(wasm) });
}

/** Every .json file under the given files and folders, sorted. */
export function collectFiles(paths) {
  const files = [];
  const walk = (p, top) => {
    const s = statSync(p);
    if (s.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e), false);
    else if (top || p.endsWith('.json')) files.push(p);
  };
  for (const p of paths) walk(p, true);
  return [...new Set(files)].sort();
}

/** Runs one scenario; returns every step's answer and the first failure, if any. */
export function runScenario(scenario) {
  const ledger = newLedger();
  const answers = [];
  try {
    const steps = scenario.steps;
    if (!Array.isArray(steps)) return { answers, failure: 'the scenario has no "steps" array' };
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const n = i + 1;
      const hasC = 'command' in step;
      const hasQ = 'query' in step;
      if (hasC === hasQ) return { answers, failure: `step ${n}: needs exactly one of "command" or "query"` };
      const got = hasC ? ledger.apply(step.command) : ledger.query(step.query);
      answers.push(got);
      const why = checkStep(step, got);
      if (why) return { answers, failure: `step ${n}: ${why}\n    answer: ${JSON.stringify(got)}` };
    }
    return { answers, failure: null };
  } finally {
    ledger.free();
  }
}

function checkStep(step, got) {
  const ok = got.ok === true;
  if ('expect_error' in step) {
    // A code, or an object matched (fields it names, recursively) against `error`.
    const want = step.expect_error;
    if (ok || got.error === undefined) return `expected error ${JSON.stringify(want)}, got success`;
    const code = JSON.stringify(got.error.code);
    const isObj = want !== null && typeof want === 'object' && !Array.isArray(want);
    const why = isObj ? matches(want, got.error, '.error') : JSON.stringify(want) === code ? null : '';
    if (why === null) return null;
    return `expected error ${JSON.stringify(want)}, got error ${code}${why ? `: ${why}` : ''}`;
  }
  if (!ok) return `expected success, got error ${JSON.stringify(got.error ?? null)}`;
  if ('expect' in step) {
    const why = matches(step.expect, got, '');
    if (why) return `expected ${JSON.stringify(step.expect)}: ${why}`;
  }
  return null;
}

function matches(expect, got, path) {
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(expect) && isObj(got)) {
    for (const [k, v] of Object.entries(expect)) {
      const here = `${path}.${k}`;
      if (!(k in got)) return `${here} is missing`;
      const why = matches(v, got[k], here);
      if (why) return why;
    }
    return null;
  }
  if (Array.isArray(expect) && Array.isArray(got)) {
    if (expect.length !== got.length) return `${path} has ${got.length} elements, expected ${expect.length}`;
    for (let i = 0; i < expect.length; i++) {
      const why = matches(expect[i], got[i], `${path}[${i}]`);
      if (why) return why;
    }
    return null;
  }
  if (JSON.stringify(expect) === JSON.stringify(got)) return null;
  return `${path || 'the answer'} is ${JSON.stringify(got)}, expected ${JSON.stringify(expect)}`;
}

/** Prints like the native checker; returns the number failed. */
export function checkFiles(files, print = console.log) {
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    let name = file;
    let failure;
    try {
      const scenario = JSON.parse(readFileSync(file, 'utf8'));
      name = typeof scenario.name === 'string' ? scenario.name : '(unnamed scenario)';
      failure = runScenario(scenario).failure;
    } catch (e) {
      failure = `can't read the file: ${e.message}`;
    }
    if (failure) {
      failed++;
      print(`FAIL  ${name} (${file})\n  ${failure}`);
    } else {
      passed++;
      print(`ok    ${name} (${file})`);
    }
  }
  print(`${passed} passed, ${failed} failed`);
  return failed;
}
