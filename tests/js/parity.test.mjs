// Every scenario gives the same answers, step for step, natively and in wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { collectFiles, loadForNode, runScenario } from '../../scripts/scenario-runner.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tally = `${root}/target/release/tally`;
const files = collectFiles([`${root}/../shared/scenarios`, `${root}/tests/scenarios`]);

await loadForNode();

test('scenarios exist', () => {
  assert.ok(files.length >= 5, `only ${files.length} scenario files found`);
});

for (const file of files) {
  test(`native and wasm answer alike: ${file.slice(root.length - 1)}`, () => {
    const scenario = JSON.parse(readFileSync(file, 'utf8'));
    const native = JSON.parse(execFileSync(tally, ['answers', file], { encoding: 'utf8' }));
    const { answers, failure } = runScenario(scenario);
    assert.equal(failure, null, failure ?? '');
    assert.deepEqual(answers, native);
  });
}
