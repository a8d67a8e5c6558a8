// npm run check -- PATH...   Scenario files through the wasm build, in Node.
import { existsSync } from 'node:fs';
import { checkFiles, collectFiles, loadForNode } from './scenario-runner.mjs';

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error('usage: npm run check -- PATH...   (scenario files or folders)');
  process.exit(2);
}
if (!existsSync(new URL('../www/pkg/tally_engine_bg.wasm', import.meta.url))) {
  console.error('The wasm build is missing: run `npm run build` first.');
  process.exit(2);
}
let files;
try {
  files = collectFiles(paths);
} catch (e) {
  console.error(`check: ${e.message}`);
  process.exit(2);
}
await loadForNode();
process.exit(checkFiles(files) > 0 ? 1 : 0);
