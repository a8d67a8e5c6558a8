// The sync server against a real PostgreSQL: push and pull, idempotency across browsers,
// refusals not stored, a restart rebuilding the same engine state, and the server's
// answers equal to the wasm engine's for the same journal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

import {
  addUser, BIN, Client, customer, eventually, freshDatabase, invoice, payment, psql, startServer, wasmEngine,
} from './harness.mjs';

const db = freshDatabase();
const ana = addUser(db, 'Acme', 'ana@acme.test', 'finance');
const ben = addUser(db, 'Acme', 'ben@acme.test', 'finance');
let server;

before(async () => { server = await startServer(db); });
after(async () => { await server?.stop(); });

test('push answers each command and stores the accepted ones; pull returns them in order', async () => {
  const client = await Client.signedIn(server.url, ana);
  const pushed = await client.push([
    customer('c1'),
    { ...payment('p1', 'c1', '100.00'), by: 'mallory', at: '1999-01-01T00:00:00Z' },
    invoice('i1', 'c1'),
  ]);
  assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
  assert.deepEqual(pushed.body.answers.map((a) => [a.ok, a.duplicate, a.seq]), [[true, false, 1], [true, false, 2], [true, false, 3]]);
  assert.equal(pushed.body.head, 3);

  const { status, body } = await client.pull(0);
  assert.equal(status, 200);
  assert.deepEqual(body.entries.map((e) => e.seq), [1, 2, 3]);
  assert.deepEqual(body.entries.map((e) => e.command.id), ['c1', 'p1', 'i1']);
  assert.equal(body.head, 3);
  assert.equal(body.more, false);
  // `by` and `at` are the server's, whatever the browser sent.
  for (const { command } of body.entries) {
    assert.equal(command.by, 'ana@acme.test');
    assert.match(command.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(command.at > '2026-01-01', command.at);
  }
  const paged = await client.pull(1, 1);
  assert.deepEqual(paged.body.entries.map((e) => e.seq), [2]);
  assert.equal(paged.body.more, true);
});

test('a resent id answers duplicate, from another browser and another user too, and is stored once', async () => {
  const first = await Client.signedIn(server.url, ana);
  const second = await Client.signedIn(server.url, ben);
  const command = payment('dup-1', 'c1', '25.00');
  const a = await first.push([command], 'browser-a');
  const b = await second.push([{ ...command, amount: '25' }], 'browser-b');
  const again = await first.push([command], 'browser-a');
  assert.equal(a.body.answers[0].duplicate, false);
  for (const answer of [b.body.answers[0], again.body.answers[0]]) {
    assert.equal(answer.ok, true);
    assert.equal(answer.duplicate, true);
    assert.equal(answer.seq, a.body.answers[0].seq);
  }
  assert.equal(b.body.head, a.body.head);
  const { entries } = await first.pullAll();
  assert.equal(entries.filter((e) => e.command.id === 'dup-1').length, 1);
  assert.equal(entries.find((e) => e.command.id === 'dup-1').command.by, 'ana@acme.test');
  // A different command under a taken id is the engine's conflict, and not stored.
  const clash = await second.push([payment('dup-1', 'c1', '99.00')]);
  assert.equal(clash.body.answers[0].ok, false);
  assert.equal(clash.body.answers[0].error.code, 'conflict');
  assert.equal(clash.body.head, a.body.head);
});

test('a refused command is answered with the engine reason, not stored, and judged afresh later', async () => {
  const client = await Client.signedIn(server.url, ana);
  const headBefore = (await client.pull(0)).body.head;
  const refused = await client.push([payment('early', 'c9', '10.00'), customer('c9'), payment('early', 'c9', '10.00')]);
  assert.equal(refused.status, 200);
  const [no, yes, now] = refused.body.answers;
  assert.equal(no.ok, false);
  assert.equal(no.error.code, 'unknown_customer');
  assert.equal(yes.ok, true);
  assert.equal(now.ok, true);
  assert.equal(now.duplicate, false);
  assert.equal(refused.body.head, headBefore + 2);
  const { entries } = await client.pullAll();
  assert.deepEqual(entries.map((e) => e.seq), entries.map((_, i) => i + 1), 'gap-free from 1');
  assert.equal(entries.filter((e) => e.command.id === 'early').length, 1);
});

test('a dry run is answered and never stored', async () => {
  const client = await Client.signedIn(server.url, ana);
  const headBefore = (await client.pull(0)).body.head;
  const res = await client.push([{ ...payment('dry-1', 'c1', '5.00'), dry_run: true }]);
  assert.equal(res.status, 200);
  assert.equal(res.body.head, headBefore);
  const { entries } = await client.pullAll();
  assert.equal(entries.some((e) => e.command.id === 'dry-1'), false);
  // Whatever the engine said (a preview, or a refusal of an unknown field), the id is free.
  const real = await client.push([payment('dry-1', 'c1', '5.00')]);
  assert.equal(real.body.answers[0].ok, true);
  assert.equal(real.body.answers[0].duplicate, false);
});

test('malformed pushes: not JSON, not an object, too many commands', async () => {
  const client = await Client.signedIn(server.url, ana);
  const bad = await client.json('POST', '/api/push', { body: '{"commands": [' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_request');
  const odd = await client.push(['not a command', 42]);
  assert.equal(odd.status, 200);
  assert.ok(odd.body.answers.every((a) => a.ok === false && a.error.code === 'invalid_input'));
  const many = await client.push(Array.from({ length: 1001 }, (_, i) => customer(`many-${i}`)));
  assert.equal(many.status, 413);
  assert.equal(many.body.error.code, 'too_large');
  const badPull = await client.pull('x');
  assert.equal(badPull.status, 400);
});

test("the server's answers equal the wasm engine's for the same commands, and its state equals a wasm replay of the journal", async () => {
  const { newLedger } = await wasmEngine();
  const fresh = freshDatabase();
  const owner = addUser(fresh, 'Parity', 'owner@parity.test', 'finance');
  const local = await startServer(fresh, { TALLY_SNAPSHOT_EVERY: '1' });
  try {
    const client = await Client.signedIn(local.url, owner);
    const generated = execFileSync(BIN, ['workload', '12', '400', '7'], { encoding: 'utf8' })
      .trim().split('\n').map((line) => JSON.parse(line));
    // Some refusals and duplicates in the mix.
    const commands = [];
    generated.forEach((command, i) => {
      commands.push(command);
      if (i % 37 === 5) commands.push(command);
      if (i % 53 === 9) commands.push(payment(`bad-${i}`, 'nobody', '1.00'));
    });
    const serverAnswers = [];
    for (let i = 0; i < commands.length; i += 50) {
      const res = await client.push(commands.slice(i, i + 50));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      serverAnswers.push(...res.body.answers);
    }
    const ledger = newLedger();
    const wasmAnswers = commands.map((command) => ledger.apply(command));
    assert.deepEqual(serverAnswers, JSON.parse(JSON.stringify(wasmAnswers)));
    assert.ok(serverAnswers.some((a) => a.ok === false) && serverAnswers.some((a) => a.duplicate));

    // The journal, replayed in wasm up to the server's newest snapshot, gives the
    // server's own state there byte for byte.
    const { entries, head } = await client.pullAll(150);
    const snap = await eventually(10_000, 'a snapshot near the head', async () => {
      const s = await client.snapshot();
      return s.status === 200 && s.seq > head / 2 ? s : null;
    });
    const replayed = newLedger();
    for (const entry of entries.filter((e) => e.seq <= snap.seq)) {
      const answer = replayed.apply(entry.command);
      assert.equal(answer.ok && !answer.duplicate, true, `entry ${entry.seq}`);
      assert.equal(answer.seq, entry.seq);
    }
    assert.deepEqual(Buffer.from(snap.bytes), Buffer.from(replayed.snapshot()));
  } finally {
    await local.stop();
  }
});

test('a restart rebuilds the same state, from the newest snapshot or from the journal alone', async () => {
  const { newLedger } = await wasmEngine();
  const fresh = freshDatabase();
  const user = addUser(fresh, 'Restart', 'fin@restart.test', 'finance');
  const first = await startServer(fresh, { TALLY_SNAPSHOT_EVERY: '5' });
  let client = await Client.signedIn(first.url, user);
  const commands = [customer('r1'), customer('r2', 'USD')];
  for (let i = 0; i < 10; i++) commands.push(i % 3 === 0 ? invoice(`ri${i}`, 'r1') : payment(`rp${i}`, i % 2 ? 'r1' : 'r2', `${10 + i}.00`));
  for (const command of commands) await client.push([command]);
  await eventually(10_000, 'the snapshot at 10', async () => (await client.snapshot()).seq === 10);
  await first.stop();

  const { entries, head } = await (async () => {
    const s = await startServer(fresh, { TALLY_PRELOAD: '0' });
    try { return await (await Client.signedIn(s.url, user)).pullAll(); } finally { await s.stop(); }
  })();
  assert.equal(head, 12);
  const replayed = newLedger();
  for (const e of entries) replayed.apply(e.command);
  const expected = Buffer.from(replayed.snapshot());

  // From snapshot 10 plus two journal entries; then from the journal alone.
  for (const clear of [false, true]) {
    if (clear) psql(fresh, 'DELETE FROM snapshots');
    const again = await startServer(fresh, { TALLY_SNAPSHOT_EVERY: '1' });
    try {
      client = await Client.signedIn(again.url, user);
      const snap = await eventually(10_000, 'a snapshot written at start', async () => {
        const s = await client.snapshot();
        return s.status === 200 && s.seq === 12 ? s : null;
      });
      assert.deepEqual(Buffer.from(snap.bytes), expected, clear ? 'journal only' : 'snapshot + journal');
      assert.match(again.log(), clear ? /snapshot 0, 12 replayed/ : /snapshot 10, 2 replayed/);
      if (!clear) continue;
      // And it goes on from the same state: the next invoice number follows.
      const next = await client.push([invoice(`after-${clear}`, 'r1')]);
      const local = replayed.apply({ ...invoice(`after-${clear}`, 'r1') });
      assert.equal(next.body.answers[0].number, local.number);
      assert.equal(next.body.answers[0].seq, local.seq);
    } finally {
      await again.stop();
    }
  }
});
