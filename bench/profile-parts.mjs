// Splits a V8 CPU profile (.cpuprofile, e.g. from bench/ab-browser.mjs PROFILE_DIR= or
// bench/prof-ingest.mjs PROFILE=) of an ingest into parts, by self time, idle left out:
//   node bench/profile-parts.mjs FILE [TOP]
// Wasm functions need a build with names (wasm-opt -g) to be split by what they do.
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const top = Number(process.argv[3] ?? 12);
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

const PARTS = [
  ['wasm: allocator', /talc|__rust_alloc|__rust_dealloc|__rust_realloc|dlmalloc|__wbindgen_malloc|__wbindgen_free|__wbindgen_realloc/],
  ['wasm: memcpy, memset, memcmp', /^(memcpy|memmove|memset|memcmp|bcmp)$|compiler_builtins::mem/],
  ['wasm: answer writing (serde_json ser, fmt)', /serde_json::ser|format_escaped|as serde_core::ser::Serialize|Serialize for|SerializeMap|SerializeStruct|DecimalText|core[^:]*::fmt|fmt::write|pad_integral|answer::/],
  ['wasm: JSON reading', /serde_json::de|serde_json::read|Deserializer|MapAccess|RawMap|input::raw/],
];

const part = (n) => {
  const { functionName: name, url } = n.callFrame;
  if (url.startsWith('wasm://') || url.endsWith('.wasm')) return PARTS.find(([, re]) => re.test(name))?.[0] ?? 'wasm: the engine (the rest)';
  if (['(idle)', '(program)', '(garbage collector)', '(root)'].includes(name)) return name;
  return `JS: ${name || '(anonymous)'}`;
};

const samples = new Map();
for (const id of profile.samples) samples.set(id, (samples.get(id) ?? 0) + 1);
const parts = new Map();
let busy = 0;
for (const [id, count] of samples) {
  const p = part(nodes.get(id));
  if (p === '(idle)') continue;
  parts.set(p, (parts.get(p) ?? 0) + count);
  busy += count;
}
const wasm = [...parts].filter(([p]) => p.startsWith('wasm')).reduce((a, [, c]) => a + c, 0);
console.log(`${busy} samples (idle left out); wasm ${(wasm / busy * 100).toFixed(1)}%, the rest JS, V8 and the browser`);
for (const [p, c] of [...parts].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(c / busy * 100).toFixed(1).padStart(5)}%  ${p}`);
