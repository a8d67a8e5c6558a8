// Lists a wasm module's biggest functions by body size, with their names from the name
// section (the cargo output, target/wasm32-unknown-unknown/wasm-release/tally.wasm, keeps
// it; wasm-opt's output does not). A stand-in for `twiggy top`, which is not installed here.
//   node scripts/wasm-sizes.mjs FILE.wasm [COUNT] [FILTER]
// FILTER (a substring of the demangled name) sums only the matching functions.
import { readFileSync } from 'node:fs';

const [file, countArg = '40', filter] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/wasm-sizes.mjs FILE.wasm [COUNT] [FILTER]');
  process.exit(2);
}
const bytes = readFileSync(file);
let at = 8;
function leb() {
  let value = 0, shift = 0, byte;
  do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return value;
}
function name() {
  const length = leb();
  const text = bytes.subarray(at, at + length).toString('utf8');
  at += length;
  return text;
}

let imported = 0;
const bodies = [];
const names = new Map();
while (at < bytes.length) {
  const id = bytes[at++];
  const size = leb();
  const end = at + size;
  if (id === 2) { // imports: functions among them take the first indexes
    for (let n = leb(); n > 0; n--) {
      name(); name();
      const kind = bytes[at++];
      if (kind === 0) { leb(); imported++; }
      else if (kind === 1) { at++; const flags = leb(); leb(); if (flags & 1) leb(); }
      else if (kind === 2) { const flags = leb(); leb(); if (flags & 1) leb(); }
      else if (kind === 3) { at += 2; }
      else { leb(); }
    }
  } else if (id === 10) {
    for (let n = leb(); n > 0; n--) {
      const length = leb();
      bodies.push(length);
      at += length;
    }
  } else if (id === 0 && name() === 'name') {
    while (at < end) {
      const sub = bytes[at++];
      const subSize = leb();
      const subEnd = at + subSize;
      if (sub === 1) for (let n = leb(); n > 0; n--) { const index = leb(); names.set(index, name()); }
      at = subEnd;
    }
  }
  at = end;
}

const demangle = (text) => text.replace(/^_ZN/, '').replace(/17h[0-9a-f]{16}E$/, '')
  .replace(/(\d+)([A-Za-z_$.][^\d]*)/g, (_, n, rest) => rest.slice(0, Number(n)) + '::' + rest.slice(Number(n)))
  .replace(/::$/, '').replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ')
  .replace(/\$RF\$/g, '&').replace(/\$C\$/g, ',').replace(/\.\./g, '::');
const rows = bodies.map((size, i) => ({ size, name: demangle(names.get(i + imported) ?? `func[${i + imported}]`) }))
  .filter((r) => !filter || r.name.includes(filter))
  .sort((a, b) => b.size - a.size);
const total = rows.reduce((sum, r) => sum + r.size, 0);
console.log(`${rows.length} functions${filter ? ` matching "${filter}"` : ''}, ${total} bytes of code`);
for (const r of rows.slice(0, Number(countArg))) console.log(String(r.size).padStart(8), r.name);
