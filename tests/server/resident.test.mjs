// Spaces' engines kept in memory within TALLY_MAX_LOADED_SPACES (docs/sync.md, "Engines
// in memory"): the least recently used is unloaded, and its next use rebuilds it from
// PostgreSQL with nothing lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addUser, Client, customer, freshDatabase, invoice, payment, psql, startServer } from './harness.mjs';

/** Space ids by name. */
function spaceIds(db) {
  return Object.fromEntries(psql(db, 'SELECT name, id FROM spaces').split('\n').map((row) => row.split('|')));
}

/** How many times the server's log says `space`'s engine was loaded, and unloaded. */
function loads(log, space) {
  const count = (what) => log.split('\n').filter((line) => line.startsWith(`space ${space}: engine ${what} at seq`)).length;
  return { loaded: count('loaded'), unloaded: count('unloaded') };
}

const seqs = (res) => res.body.answers.map((a) => [a.ok, a.duplicate, a.seq]);

test('beyond TALLY_MAX_LOADED_SPACES the least recently used engine is unloaded and rebuilt on its next use, answering as if it never left', async () => {
  const db = freshDatabase();
  const north = addUser(db, 'North', 'fin@north.test', 'finance');
  const south = addUser(db, 'South', 'fin@south.test', 'finance');
  const ids = spaceIds(db);
  const server = await startServer(db, { TALLY_MAX_LOADED_SPACES: '1' });
  try {
    const n = await Client.signedIn(server.url, north);
    const s = await Client.signedIn(server.url, south);
    assert.deepEqual(seqs(await n.push([customer('n1'), invoice('ni1', 'n1')])), [[true, false, 1], [true, false, 2]]);
    assert.deepEqual(seqs(await s.push([customer('s1')])), [[true, false, 1]]);
    assert.deepEqual(loads(server.log(), ids.North), { loaded: 1, unloaded: 1 }, 'North made room for South');

    // North again, rebuilt from its journal: its invoice is there to be paid, the
    // overpayment becomes credit, and a command it already has is a duplicate.
    const paid = await n.push([payment('np1', 'n1', '150.00'), invoice('ni1', 'n1')]);
    assert.deepEqual(seqs(paid), [[true, false, 3], [true, true, 2]]);
    assert.deepEqual(paid.body.answers[0].allocations, [{ invoice: 'ni1', amount: '120.00' }]);
    assert.equal(paid.body.answers[0].credit_created, '30.00');
    assert.deepEqual(loads(server.log(), ids.North), { loaded: 2, unloaded: 1 });
    assert.deepEqual(loads(server.log(), ids.South), { loaded: 1, unloaded: 1 }, 'and South made room for North');

    assert.deepEqual(seqs(await s.push([customer('s1'), customer('s2')])), [[true, true, 1], [true, false, 2]]);
    assert.equal((await n.pullAll()).head, 3, 'every acknowledged command is in the journal');
    assert.equal((await s.pullAll()).head, 2);
  } finally {
    await server.stop();
  }
});

test('within the limit nothing is unloaded, and a restart preloads only as many spaces as may stay loaded, the latest written first', async () => {
  const db = freshDatabase();
  const users = ['East', 'West', 'Centre'].map((name) => addUser(db, name, `fin@${name.toLowerCase()}.test`, 'finance'));
  const ids = spaceIds(db);
  const first = await startServer(db, { TALLY_MAX_LOADED_SPACES: '3' });
  try {
    for (const [k, user] of users.entries()) {
      const client = await Client.signedIn(first.url, user);
      assert.equal((await client.push([customer(`c${k}`)])).status, 200);
    }
    for (const name of ['East', 'West', 'Centre']) assert.deepEqual(loads(first.log(), ids[name]), { loaded: 1, unloaded: 0 }, name);
  } finally {
    await first.stop();
  }
  const second = await startServer(db, { TALLY_MAX_LOADED_SPACES: '2' });
  try {
    // Preloaded at start: Centre and West, written last; East on first use.
    assert.deepEqual(['East', 'West', 'Centre'].map((name) => loads(second.log(), ids[name]).loaded), [0, 1, 1]);
    const east = await Client.signedIn(second.url, users[0]);
    assert.deepEqual(seqs(await east.push([customer('c0'), customer('e2')])), [[true, true, 1], [true, false, 2]]);
    assert.deepEqual(loads(second.log(), ids.East), { loaded: 1, unloaded: 0 });
    assert.deepEqual(loads(second.log(), ids.West), { loaded: 1, unloaded: 1 }, 'West was the least recently used');
    assert.deepEqual(loads(second.log(), ids.Centre), { loaded: 1, unloaded: 0 });
  } finally {
    await second.stop();
  }
});
