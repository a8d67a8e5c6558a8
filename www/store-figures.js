// The first screen's figures, kept beside the head so a page can show them while the
// engine is still being restored (issue 13: at a million commands the restore takes
// seconds; reading one small record takes milliseconds).
//
// A page names the queries its first screen asks (`openStore({ figures })`). Once writes
// pause, the store puts the engine's answers to them in a transaction that first checks
// the head is still the books the engine holds, bound to that head's seq and chain: the
// engine's answers at the head, never computed by the page. On opening they are used only
// if they are bound to the head as it is then (same ledger, seq and chain) and pass
// their checksum; anything else (another tab's sync, a rewind, damage, other queries)
// and the page waits for the engine as before.
//
// Record (in `meta`): { key: "figures", ledger, seq, chain, text, sum }, where `text` is
// the JSON of [[query key, answer], ...] and `sum` the checksum over the rest.

import { hash64 } from './store-format.js';

/** The key of a query: its JSON with object keys sorted, so key order doesn't matter. */
export function queryKey(query) {
  return JSON.stringify(sorted(query));
}

function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const key of Object.keys(value).sort()) out[key] = sorted(value[key]);
  return out;
}

/** The queries to keep figures for, each once, with their keys. */
export function figureQueries(queries = []) {
  if (!Array.isArray(queries)) throw new TypeError('openStore: `figures` must be an array of query objects');
  const byKey = new Map();
  for (const query of queries) {
    if (query === null || typeof query !== 'object' || Array.isArray(query)) throw new TypeError('openStore: each of `figures` must be a query object');
    byKey.set(queryKey(query), query);
  }
  return [...byKey].map(([key, query]) => ({ key, query }));
}

/**
 * The figures record for the books at `head` ({ ledger, seq, chain }); `text` is the JSON
 * of [[query key, the engine's answer at that head], ...].
 */
export function figuresRecord(head, text) {
  return { key: 'figures', ledger: head.ledger, seq: head.seq, chain: head.chain, text, sum: hash64('figures', head.ledger, head.seq, head.chain, text) };
}

/**
 * The stored figures if they are the books' at `head` and intact: `{ seq, keys,
 * answer(query) }` (`answer` gives the stored answer, or undefined for a query not
 * kept). Null otherwise.
 */
export function readFigures(record, head) {
  if (!record || !head || typeof head.ledger !== 'string' || !Number.isFinite(head.seq)) return null;
  if (record.ledger !== head.ledger || record.seq !== head.seq || record.chain !== head.chain || typeof record.text !== 'string') return null;
  if (record.sum !== hash64('figures', record.ledger, record.seq, record.chain, record.text)) return null;
  let entries;
  try {
    entries = new Map(JSON.parse(record.text));
  } catch {
    return null;
  }
  const seq = record.seq;
  return {
    seq,
    keys: [...entries.keys()],
    answer(query) {
      const answer = entries.get(queryKey(query));
      // A copy each time, so a page that changes what it got can't change the next answer.
      return answer === undefined ? undefined : structuredClone(answer);
    },
  };
}

/** Whether `figures` (from `readFigures`) hold exactly these queries. */
export function holdsQueries(figures, queries) {
  return figures !== null && figures.keys.length === queries.length && queries.every(({ key }) => figures.keys.includes(key));
}
