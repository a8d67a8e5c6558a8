// The Markdown tables of the README and docs/ render as tables: each is one block of rows
// (no stray row after a paragraph, no row with an extra empty cell), every row with as
// many cells as its header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const files = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Cells of a table row, ignoring pipes escaped or inside `code`. */
function cells(line) {
  const plain = line.replace(/`[^`]*`/g, 'code').replace(/\\\|/g, 'pipe');
  return plain.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
}

for (const file of files) {
  test(`${file}: every table row belongs to a table and has its header's cells`, () => {
    const lines = readFileSync(new URL(file, root), 'utf8').split('\n');
    let fenced = false;
    let width = null; // cells of the current table's header, null outside a table
    lines.forEach((line, i) => {
      if (line.startsWith('```')) fenced = !fenced;
      if (fenced) return;
      const isRow = line.trimStart().startsWith('|');
      if (!isRow) { width = null; return; }
      const where = `${file}:${i + 1}`;
      if (width === null) {
        assert.match(lines[i + 1] ?? '', /^\s*\|?\s*:?-{3,}/, `${where}: a table row with no table around it (a header and a |---| line): ${line}`);
        width = cells(line).length;
        return;
      }
      const n = cells(line).length;
      assert.equal(n, width, `${where}: ${n} cells where the header has ${width}: ${line}`);
      assert.notEqual(cells(line)[0], '', `${where}: the first cell is empty: ${line}`);
    });
  });
}
