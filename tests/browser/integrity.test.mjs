// The store's integrity against Chromium's real IndexedDB: a ledger replaced in one tab
// while another writes, recovery from damaged snapshots, tamper evidence along the
// journal's chain, and databases written by the schema-1 store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { harness, launch, startServer } from './browser.mjs';

let server;
let url;
let browser;

before(async () => {
  ({ server, url } = await startServer());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

const customer = (id) => ({ type: 'create_customer', id, name: `Customer ${id}`, currency: 'EUR' });
const payment = (id, amount = '1.00', who = 'c1') => ({ type: 'record_payment', id, customer: who, amount, method: 'cash', date: '2026-01-05' });
const payments = (prefix, n, who = 'c1') => Array.from({ length: n }, (_, i) => payment(`${prefix}${i}`, '1.00', who));

async function newPage(context) {
  const page = await context.newPage();
  await harness(page, url);
  return page;
}

/** A ledger `name` holding c1 and `n` payments of 1.00, written and closed. */
function seed(page, name, n, snapshotAt = []) {
  return page.evaluate(async ([name, commands, snapshotAt]) => {
    const s = await window.storeModule.openStore({ name });
    for (const c of commands) {
      await s.apply(c);
      if (snapshotAt.includes(s.seq)) await s.snapshotNow();
    }
    s.close();
  }, [name, [customer('c1'), ...payments('p', n)], snapshotAt]);
}

/** Opens `name` and reports what the page would: health, books, and whether it writes. */
function reopen(page, name, { write } = {}) {
  return page.evaluate(async ([name, write]) => {
    const s = await window.storeModule.openStore({ name });
    const out = { seq: s.seq, health: s.health, credit: s.query({ type: 'balance', customer: 'c1' }).credit };
    if (write) out.write = await s.apply(write);
    s.close();
    return out;
  }, [name, write ?? null]);
}

test('an import in one tab replaces the ledger for a tab that missed the news: its write is answered on the new ledger, never on the old sequence', async () => {
  const context = await browser.newContext();
  const [a, b] = [await newPage(context), await newPage(context)];
  const small = { format: 'tally-journal', version: 1, entries: [customer('c9'), payment('q1', '5.00', 'c9'), payment('q2', '5.00', 'c9')].map((command, i) => ({ seq: i + 1, command })) };
  await b.evaluate(async (commands) => {
    window.store = await window.storeModule.openStore({ name: 'replace' });
    await window.store.applyMany(commands);
    // This tab misses the import's announcement (a tab asleep, a message lost): only
    // the check inside its own write transaction can catch the replacement.
    window.store.channel.onmessage = null;
    window.events = [];
    window.store.subscribe((e) => window.events.push(e.source));
  }, [customer('c1'), ...payments('p', 10)]);
  await a.evaluate(async (backup) => {
    const s = await window.storeModule.openStore({ name: 'replace' });
    await s.importBackup(backup);
    s.close();
  }, small);
  const r = await b.evaluate(async ([onOld, onNew]) => {
    const s = window.store;
    const before = s.seq;
    const old = await s.apply(onOld); // c1 is not in the new ledger
    const fresh = await s.apply(onNew);
    return { before, old, fresh, seq: s.seq, events: window.events, credit: s.query({ type: 'balance', customer: 'c9' }).credit };
  }, [payment('p99'), payment('q3', '5.00', 'c9')]);
  assert.equal(r.before, 11);
  assert.equal(r.old.ok, false, 'a command for the old ledger is refused, not thrown');
  assert.equal(r.old.error.code, 'unknown_customer');
  assert.equal(r.fresh.ok, true);
  assert.equal(r.fresh.seq, 4, 'written after the imported ledger, not at 12');
  assert.ok(r.events.includes('replaced'), 'the tab was told its ledger was replaced');
  assert.equal(r.credit, '15.00');
  const reopened = await reopen(a, 'replace');
  assert.equal(reopened.health.status, 'ok');
  assert.equal(reopened.seq, 4);
  await context.close();
});

test('an import longer than the other tab\'s ledger: the other tab reloads, answers, and hears "replaced"', async () => {
  const context = await browser.newContext();
  const [a, b] = [await newPage(context), await newPage(context)];
  const long = { format: 'tally-journal', version: 1, entries: [customer('c1'), ...payments('x', 29)].map((command, i) => ({ seq: i + 1, command })) };
  await b.evaluate(async (commands) => {
    window.store = await window.storeModule.openStore({ name: 'replace-long' });
    await window.store.applyMany(commands);
    window.events = [];
    window.store.subscribe((e) => window.events.push(e));
  }, [customer('c1'), ...payments('p', 10)]);
  await a.evaluate(async (backup) => {
    window.store = await window.storeModule.openStore({ name: 'replace-long' });
    await window.store.importBackup(backup);
  }, long);
  await b.waitForFunction(() => window.events.some((e) => e.source === 'replaced'), null, { timeout: 5000 });
  const r = await b.evaluate(async (cmd) => {
    const s = window.store;
    const seqAfterNews = s.seq;
    const answer = await s.apply(cmd);
    return { seqAfterNews, answer, seq: s.seq, credit: s.query({ type: 'balance', customer: 'c1' }).credit, sources: window.events.map((e) => e.source) };
  }, payment('p0'));
  assert.equal(r.seqAfterNews, 30, 'the other tab shows the imported ledger');
  assert.ok(!r.sources.includes('remote'), 'a replacement is not announced as commands to add');
  assert.equal(r.answer.ok, true, 'p0 is new to the imported ledger');
  assert.equal(r.answer.seq, 31);
  assert.equal(r.credit, '30.00');
  // The importing tab hears of the write and every tab agrees.
  await a.waitForFunction(() => window.store.seq === 31, null, { timeout: 5000 });
  const reopened = await reopen(a, 'replace-long');
  assert.deepEqual([reopened.seq, reopened.health.status, reopened.credit], [31, 'ok', '30.00']);
  await context.close();
});

test('a damaged newest snapshot: the books open from the older one, then from the journal alone, and say so', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  await seed(page, 'recover', 30, [11, 21]);
  const flip = (key) => page.evaluate(async (key) => {
    const rec = await window.raw.get('recover', 'snapshots', key);
    // Snapshots are gzip Blobs since schema 4 (uncompressed Uint8Arrays before).
    const bytes = rec.bytes instanceof Blob ? new Uint8Array(await rec.bytes.arrayBuffer()) : rec.bytes;
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await window.raw.put('recover', 'snapshots', { ...rec, bytes: rec.bytes instanceof Blob ? new Blob([bytes]) : bytes });
  }, key);
  await flip(21);
  const first = await reopen(page, 'recover');
  assert.equal(first.health.status, 'recovered');
  assert.equal(first.health.openedFrom, 11);
  assert.equal(first.seq, 31);
  assert.equal(first.credit, '30.00');
  assert.match(first.health.problems[0].message, /Snapshot 21 can't be (restored: .*checksum|read: )/);
  assert.match(first.health.message, /rebuilt from an older saved copy \(at record 11\).*all 31 records are there/);
  // The recovery left a fresh snapshot at 31 behind; damage every snapshot now.
  const keys = await page.evaluate(async () => (await window.raw.getAll('recover', 'snapshots')).map((s) => s.seq));
  for (const key of keys.filter((k) => k !== 21)) await flip(key); // 21 is damaged already
  const second = await reopen(page, 'recover', { write: payment('late') });
  assert.equal(second.health.status, 'recovered');
  assert.equal(second.health.openedFrom, 0, 'rebuilt by replaying the whole journal');
  assert.equal(second.health.replayed, 31);
  assert.equal(second.credit, '30.00');
  assert.equal(second.write.ok, true, 'recovered books take new commands');
  assert.equal(second.write.seq, 32);
  await context.close();
});

test('a snapshot of another ledger under the newest key is named and not used', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  await seed(page, 'own', 20, [21]);
  await page.evaluate(async () => {
    const s = await window.storeModule.openStore({ name: 'foreign' });
    await s.apply({ type: 'create_customer', id: 'c1', name: 'Other', currency: 'EUR' });
    for (let i = 0; i < 20; i++) await s.apply({ type: 'record_payment', id: `f${i}`, customer: 'c1', amount: '2450.50', method: 'cash', date: '2026-01-05' });
    await s.snapshotNow();
    s.close();
    const [theirs] = await window.raw.getAll('foreign', 'snapshots');
    await window.raw.put('own', 'snapshots', theirs);
  });
  const r = await reopen(page, 'own');
  assert.equal(r.credit, '20.00', 'the books are this ledger\'s, not the other one\'s 49,010.00');
  assert.equal(r.health.status, 'recovered');
  assert.equal(r.health.problems[0].message, 'Snapshot 21 belongs to another ledger.');
  await context.close();
});

/** Seeds `name`, lets `edit` change its stored records, reopens, tries a write, exports. */
async function tampered(page, name, edit) {
  await seed(page, name, 10);
  await page.evaluate(edit, name);
  return page.evaluate(async (name) => {
    const s = await window.storeModule.openStore({ name });
    const write = await s.apply({ type: 'record_payment', id: 'new', customer: 'c1', amount: '1.00', method: 'cash', date: '2026-01-05' });
    let backup = null;
    try { backup = await s.exportBackup(); } catch (e) { backup = { error: e.message }; }
    const out = { seq: s.seq, health: s.health, write, backup: backup.entries?.length ?? backup.error, credit: s.query({ type: 'balance', customer: 'c1' }).credit };
    // What the page offers: import what could be read, giving books that work again.
    if (backup.entries) {
      await s.importBackup(backup);
      out.afterImport = { seq: s.seq, health: s.health.status, write: (await s.apply({ type: 'record_payment', id: 'new', customer: 'c1', amount: '1.00', method: 'cash', date: '2026-01-05' })).ok };
    }
    s.close();
    return out;
  }, name);
}

function assertDamaged(r, { seq, message }) {
  assert.equal(r.health.status, 'damaged');
  assert.equal(r.health.writable, false);
  assert.equal(r.seq, seq, 'the books open up to the record before the problem');
  assert.match(r.health.problems[0].message, message);
  assert.match(r.health.message, new RegExp(`up to record ${seq} and can't be changed`));
  assert.equal(r.write.ok, false, 'a write is answered, not thrown');
  assert.equal(r.write.error.code, 'storage_failed');
  assert.match(r.write.error.message, /damaged/);
  assert.equal(r.backup, seq, 'the backup holds what could be read');
  assert.deepEqual(r.afterImport, { seq, health: 'ok', write: true });
}

test('a journal record edited with its checksum recomputed is named: the chain to the next record breaks', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  const r = await tampered(page, 'edit-middle', async (name) => {
    const rec = await window.raw.get(name, 'journal', 5);
    const text = rec.command.replace(/"amount":"[^"]*"/, '"amount":"900.00"');
    await window.raw.put(name, 'journal', window.formatModule.journalRecordOfText(rec.ledger, rec.prev, rec.seq, text));
  });
  assertDamaged(r, { seq: 4, message: /Journal records 5 and 6 don't chain/ });
  assert.equal(r.credit, '3.00', 'the edited 900.00 is not in the books');
  await context.close();
});

test('the last journal record edited with its checksum recomputed disagrees with the head', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  const r = await tampered(page, 'edit-last', async (name) => {
    const rec = await window.raw.get(name, 'journal', 11);
    const text = rec.command.replace(/"amount":"[^"]*"/, '"amount":"900.00"');
    await window.raw.put(name, 'journal', window.formatModule.journalRecordOfText(rec.ledger, rec.prev, rec.seq, text));
  });
  assert.match(r.health.problems[0].message, /Journal record 11 was changed after it was written/);
  assert.equal(r.health.status, 'damaged');
  assert.equal(r.write.error.code, 'storage_failed');
  await context.close();
});

test('a deleted last journal record, a damaged one and a foreign one are each named', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  const deleted = await tampered(page, 'deleted', (name) => window.raw.delete(name, 'journal', 11));
  assertDamaged(deleted, { seq: 10, message: /Journal record 11 is missing \(the ledger holds 11 records\)/ });
  const flipped = await tampered(page, 'flipped', async (name) => {
    const rec = await window.raw.get(name, 'journal', 7);
    rec.command = rec.command.replace(/"amount":"[^"]*"/, '"amount":"9.00"');
    await window.raw.put(name, 'journal', rec);
  });
  assertDamaged(flipped, { seq: 6, message: /Journal record 7 is damaged \(its checksum doesn't match/ });
  await seed(page, 'other', 10);
  const foreign = await tampered(page, 'foreign-record', async (name) => {
    await window.raw.put(name, 'journal', await window.raw.get('other', 'journal', 3));
  });
  assertDamaged(foreign, { seq: 2, message: /Journal record 3 belongs to another ledger/ });
  await context.close();
});

/** Rewrites journal records `from`.. of `name` and its head along a recomputed chain, record `from` with `text`. */
async function rechained(page, name, from, text) {
  await page.evaluate(async ([name, from, text]) => {
    const f = window.formatModule;
    const records = (await window.raw.getAll(name, 'journal')).filter((r) => r.seq >= from);
    let prev = records[0].prev;
    for (const r of records) {
      const next = f.journalRecordOfText(r.ledger, prev, r.seq, r.seq === from ? text : r.command);
      await window.raw.put(name, 'journal', next);
      prev = next.chain;
    }
    const head = await window.raw.get(name, 'meta', 'head');
    await window.raw.put(name, 'meta', { ...head, chain: prev });
  }, [name, from, text]);
}

test('a record whose command is refused or is not JSON, chained anew, ends the replay at it with its own message', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  await seed(page, 'refused-record', 10);
  await rechained(page, 'refused-record', 6, JSON.stringify({ type: 'record_payment', id: 'p4', customer: 'nobody', amount: '1.00', method: 'cash', date: '2026-01-05' }));
  const refused = await reopen(page, 'refused-record');
  assert.equal(refused.seq, 5);
  assert.equal(refused.health.status, 'damaged');
  assert.match(refused.health.problems[0].message, /^Journal record 6 can't be replayed: .*nobody/);
  assert.equal(refused.credit, '4.00');
  await seed(page, 'unreadable-record', 10);
  await rechained(page, 'unreadable-record', 8, '{"type": "record_payment", "id": ');
  const unreadable = await reopen(page, 'unreadable-record');
  assert.equal(unreadable.seq, 7);
  assert.match(unreadable.health.problems[0].message, /^Journal record 8 is damaged \(its command is not readable\)\.$/);
  await context.close();
});

test('a journal tail opens as the same books as its records replayed one by one (escapes, numbers, non-ASCII)', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  const r = await page.evaluate(async () => {
    const name = 'journal-tail';
    const s = await window.storeModule.openStore({ name, snapshotEvery: 1e9 });
    const commands = [
      { type: 'create_customer', id: 'c1', name: 'Ada "the first"\\ Lovelace', currency: 'EUR' },
      { type: 'create_customer', id: 'c-é', name: 'Zoë — 東京 \u{1F600}', currency: 'JPY' },
      { type: 'issue_invoice', id: 'i1', customer: 'c1', date: '2026-01-02', lines: [{ description: 'Desk "A"\n2nd floor', quantity: '3', unit_price: '99.95', tax_rate: '0.20' }] },
      { type: 'record_payment', id: 'p1', customer: 'c1', amount: 10, method: 'card', date: '2026-01-03' },
      { type: 'record_payment', id: 'p1', customer: 'c1', amount: '10.00', method: 'card', date: '2026-01-03', by: 'Zoë' },
      { type: 'issue_invoice', id: 'i2', customer: 'c-é', date: '2026-01-04', lines: [{ description: 'Bureau', unit_price: '12000' }] },
    ];
    for (let i = 0; i < 300; i++) commands.push({ type: 'record_payment', id: `q${i}`, customer: i % 2 ? 'c1' : 'c-é', amount: i % 2 ? '1.25' : '100', method: 'cash', date: '2026-01-05', reference: `réf ${'x'.repeat(i)}` });
    for (const c of commands) await s.apply(c);
    await s.snapshotNow();
    for (const c of commands.slice(0, 6)) await s.apply({ ...c, id: `${c.id}-again` });
    for (let i = 0; i < 40; i++) await s.apply({ type: 'record_payment', id: `t${i}`, customer: 'c1', amount: '2.50', method: 'cash', date: '2026-02-05', reference: `"${i}"` });
    const expected = s.ledger.snapshot();
    const seq = s.seq;
    s.close();
    // The old way: every record from the start, JSON.parse and replay(object) one by one.
    const records = await window.raw.getAll(name, 'journal');
    const each = window.engineModule.newLedger();
    for (const r of records) if (!each.replay({ seq: r.seq, command: JSON.parse(r.command) }).ok) throw new Error(`record ${r.seq}`);
    const opened = await window.storeModule.openStore({ name });
    const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
    const out = { seq, openedSeq: opened.seq, health: opened.health, sameAsWritten: same(opened.ledger.snapshot(), expected), sameAsOneByOne: same(opened.ledger.snapshot(), each.snapshot()) };
    opened.close();
    return out;
  });
  assert.equal(r.health.status, 'ok');
  assert.ok(r.health.openedFrom > 0 && r.health.replayed === r.seq - r.health.openedFrom && r.health.replayed >= 40, JSON.stringify(r.health));
  assert.equal(r.openedSeq, r.seq);
  assert.ok(r.sameAsWritten, 'the books as they were written');
  assert.ok(r.sameAsOneByOne, 'the books as the records replayed one by one');
  await context.close();
});

test('a database written by the schema-1 store opens with the same books, chained, and takes new commands', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  const r = await page.evaluate(async (commands) => {
    const v1 = await import('/test/store-v1.js');
    const old = await v1.openStore({ name: 'from-v1', snapshotEvery: 20 });
    for (const c of commands) await old.apply(c);
    await old.snapshotNow();
    await old.apply({ type: 'record_payment', id: 'after-snap', customer: 'c1', amount: '1.00', method: 'cash', date: '2026-01-05' });
    const before = { seq: old.seq, credit: old.query({ type: 'balance', customer: 'c1' }).credit };
    old.close();
    const s = await window.storeModule.openStore({ name: 'from-v1' });
    const opened = { seq: s.seq, health: s.health, credit: s.query({ type: 'balance', customer: 'c1' }).credit };
    const write = await s.apply({ type: 'record_payment', id: 'v2', customer: 'c1', amount: '1.00', method: 'cash', date: '2026-01-05' });
    const backup = await s.exportBackup();
    s.close();
    const again = await window.storeModule.openStore({ name: 'from-v1' });
    const reopened = { seq: again.seq, health: again.health.status };
    again.close();
    return { before, opened, write, backup: backup.entries.length, reopened };
  }, [customer('c1'), ...payments('p', 30)]);
  assert.deepEqual(r.opened.seq, r.before.seq);
  assert.equal(r.opened.credit, r.before.credit);
  assert.equal(r.opened.health.status, 'ok', JSON.stringify(r.opened.health.problems));
  assert.ok(r.opened.health.openedFrom >= 20, 'the schema-1 snapshot was kept and bound');
  assert.equal(r.write.ok, true);
  assert.equal(r.backup, 33);
  assert.deepEqual(r.reopened, { seq: 33, health: 'ok' });
  await context.close();
});

test('a backup whose version is the text "1" is refused with a message that says so', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  const message = await page.evaluate(async () => {
    const s = await window.storeModule.openStore({ name: 'version-text' });
    try { await s.importBackup({ format: 'tally-journal', version: '1', entries: [] }); return null; } catch (e) { return `${e.code}: ${e.message}`; }
  });
  assert.equal(message, 'invalid_backup: This is not a Tally backup: "version" must be the number 1, not the text "1". Nothing was changed.');
  await context.close();
});

test('a record edited under the newest snapshot is found by the background check of the whole journal', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  await seed(page, 'under-snapshot', 30, [21]);
  const r = await page.evaluate(async (name) => {
    const rec = await window.raw.get(name, 'journal', 5);
    const text = rec.command.replace(/"amount":"[^"]*"/, '"amount":"900.00"');
    await window.raw.put(name, 'journal', window.formatModule.journalRecordOfText(rec.ledger, rec.prev, rec.seq, text));
    const s = await window.storeModule.openStore({ name });
    const events = [];
    s.subscribe((e) => events.push(e.source));
    const atOpen = s.health.status;
    const health = await s.verified;
    const write = await s.apply({ type: 'record_payment', id: 'new', customer: 'c1', amount: '1.00', method: 'cash', date: '2026-01-05' });
    let backupError = null;
    try { await s.exportBackup(); } catch (e) { backupError = e.code; }
    s.close();
    const raw = await window.storeModule.exportJournal(name);
    return { atOpen, health, events, write: write.ok, credit: s.query({ type: 'balance', customer: 'c1' }).credit, backupError, readable: raw.entries.length };
  }, 'under-snapshot');
  assert.equal(r.atOpen, 'ok', 'the books open from the snapshot at once');
  assert.equal(r.health.status, 'damaged');
  assert.equal(r.health.writable, true, 'the books are whole and keep working');
  assert.match(r.health.problems[0].message, /Journal records 5 and 6 don't chain/);
  assert.match(r.health.message, /a backup can only hold the 4 records before it/);
  assert.deepEqual(r.events, ['damaged', 'local']);
  assert.equal(r.write, true);
  assert.equal(r.credit, '31.00', 'the books are the snapshot\'s, without the edited amount');
  assert.equal(r.backupError, 'damaged_record');
  assert.equal(r.readable, 4);
  await context.close();
});

test('a snapshot stored by an older version opens through the bulk module, fetched only then', async () => {
  const { readFileSync } = await import('node:fs');
  const fixture = (name) => new URL(`../fixtures/${name}`, import.meta.url);
  const v1 = [...readFileSync(fixture('snapshot-v1.bin'))];
  const commands = readFileSync(fixture('snapshot-v1.commands.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const context = await browser.newContext();
  const page = await newPage(context);
  // The same commands stored by today's store, then its snapshot swapped for the version 1
  // snapshot of the same books (bound to the ledger as the old store bound it).
  const expected = await page.evaluate(async ([commands, v1]) => {
    const s = await window.storeModule.openStore({ name: 'old-format' });
    for (let i = 0; i < commands.length; i += 100) await s.applyMany(commands.slice(i, i + 100));
    await s.snapshotNow();
    const out = { seq: s.seq, trial: s.query({ type: 'trial_balance' }) };
    s.close();
    const rec = (await window.raw.getAll('old-format', 'snapshots')).at(-1);
    await window.raw.put('old-format', 'snapshots', window.formatModule.snapshotRecord(rec.ledger, rec.seq, rec.chain, new Uint8Array(v1)));
    return out;
  }, [commands, v1]);
  assert.equal(expected.seq, commands.length);
  const bulkFetched = () => page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/pkg/bulk/')));
  assert.equal(await bulkFetched(), false);
  const opened = await page.evaluate(async () => {
    const s = await window.storeModule.openStore({ name: 'old-format' });
    const out = { seq: s.seq, health: s.health, trial: s.query({ type: 'trial_balance' }) };
    s.close();
    return out;
  });
  assert.equal(opened.health.status, 'ok', JSON.stringify(opened.health));
  assert.equal(opened.health.openedFrom, commands.length, 'opened from the old snapshot, not by replaying the journal');
  assert.equal(opened.seq, expected.seq);
  assert.deepEqual(opened.trial, expected.trial);
  assert.equal(await bulkFetched(), true, 'the bulk module was fetched to migrate it');
  await context.close();
});
