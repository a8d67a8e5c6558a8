// Two server processes on one database: one gap-free order under concurrent pushes, and
// live heads reaching a browser of one process after a commit made through the other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { addUser, Client, customer, freshDatabase, invoice, payment, startServer, within } from './harness.mjs';

const db = freshDatabase();
const ana = addUser(db, 'Shared', 'ana@shared.test', 'finance');
const ben = addUser(db, 'Shared', 'ben@shared.test', 'finance');
const vic = addUser(db, 'Shared', 'vic@shared.test', 'viewer');
let one;
let two;

before(async () => {
  [one, two] = await Promise.all([startServer(db), startServer(db)]);
});
after(async () => { await Promise.all([one?.stop(), two?.stop()]); });

test('two processes keep one gap-free order under concurrent pushes', async () => {
  const a = await Client.signedIn(one.url, ana);
  const b = await Client.signedIn(two.url, ben);
  await a.push([customer('k1')]);
  const rounds = 25;
  const batch = (who, r) => [
    invoice(`${who}-inv-${r}`, 'k1', '10.00'),
    payment(`${who}-pay-${r}`, 'k1', '12.00'),
    payment(`same-${r % 5}`, 'k1', '1.00'),
  ];
  const pushes = [];
  for (let r = 0; r < rounds; r++) {
    pushes.push(a.push(batch('a', r), 'browser-a'));
    pushes.push(b.push(batch('b', r), 'browser-b'));
  }
  const results = await Promise.all(pushes);
  for (const res of results) assert.equal(res.status, 200, JSON.stringify(res.body));
  const answers = results.flatMap((r) => r.body.answers);
  const accepted = answers.filter((x) => x.ok && !x.duplicate);
  // Each process's batches ran whole at the true head: seqs unique, and every repeat of
  // an id (within a process and across the two) answered duplicate with the first seq.
  assert.equal(new Set(accepted.map((x) => x.seq)).size, accepted.length);
  assert.equal(accepted.length, 2 * 2 * rounds + 5);
  assert.equal(answers.filter((x) => x.duplicate).length, 2 * rounds - 5);
  const { entries, head } = await a.pullAll(37);
  assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: head }, (_, i) => i + 1), 'gap-free from 1');
  assert.equal(entries.length, 1 + accepted.length);
  assert.equal(new Set(entries.map((e) => e.command.id)).size, entries.length, 'every id once');
  // Invoice numbers come from the one order: no number twice, none skipped.
  const numbers = accepted.filter((x) => x.type === 'issue_invoice').map((x) => x.number).sort();
  assert.equal(new Set(numbers).size, 2 * rounds);
  const bySeq = accepted.filter((x) => x.type === 'issue_invoice').sort((x, y) => x.seq - y.seq).map((x) => x.number);
  assert.deepEqual(bySeq, [...bySeq].sort(), 'numbers rise with seq');
  // The other process reads the same journal.
  const fromTwo = await b.pullAll();
  assert.deepEqual(fromTwo.entries, entries);
});

test('a browser of one process hears of a commit made through the other', async () => {
  const writer = await Client.signedIn(one.url, ana);
  const watcher = await Client.signedIn(two.url, vic);
  const stream = await watcher.events();
  try {
    assert.equal(stream.status, 200);
    assert.match(stream.contentType, /^text\/event-stream/);
    const start = await within(5000, 'the head on connect', stream.nextHead());
    const pushed = await writer.push([customer(`sse-${start}`)]);
    assert.equal(pushed.body.head, start + 1);
    const heard = await within(10_000, 'the head after a commit on the other process', stream.untilHead(start + 1));
    assert.equal(heard, start + 1);
  } finally {
    stream.close();
  }
});
