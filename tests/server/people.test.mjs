// People's passwords and roles: a person changes their own password (their other sessions
// end), an owner signed in changes a person's role (at once, on their live sessions; the
// space keeps an owner) or resets a person's password (their sessions end). Every
// refusal changes nothing and names what was wrong.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { addUser, Client, customer, eventually, freshDatabase, psql, startServer, within } from './harness.mjs';

const db = freshDatabase();
const owner = addUser(db, 'Acme', 'owner@acme.test', 'owner');
const other = addUser(db, 'Other', 'boss@other.test', 'owner');
let server;

before(async () => { server = await startServer(db, { TALLY_SESSION_RECHECK_SECONDS: '1' }); });
after(async () => { await server?.stop(); });

function expectRefused(res, status, code, what, field) {
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.ok, false, what);
  assert.equal(res.body.error.code, code, what);
  if (field) assert.match(res.body.error.message, new RegExp(`^${field}: `), `${what} names ${field}`);
}

const status = async (client) => (await client.json('GET', '/api/me')).status;
const idOf = async (boss, email) => (await boss.json('GET', '/api/users')).body.users.find((u) => u.email === email).id;
const canSignIn = async (email, password) => (await new Client(server.url).login(email, password)).status === 200;
const hashOf = (email) => psql(db, `SELECT password_hash FROM users WHERE email = '${email}'`);

test('a person changes their own password: this session stays, every other one ends', async () => {
  const me = addUser(db, 'Acme', 'pat@acme.test', 'finance', 'pat-old-password');
  const here = await Client.signedIn(server.url, me);
  const elsewhere = await Client.signedIn(server.url, me);
  const stolen = await Client.signedIn(server.url, me);
  const stream = await stolen.events();
  assert.equal(stream.status, 200);
  await stream.nextHead();

  const changed = await here.json('POST', '/api/me/password', { body: { current_password: me.password, new_password: 'pat-new-password' } });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.equal(changed.body.sessions_ended, 2);
  assert.equal(await status(here), 200, 'the session that changed it stays');
  assert.equal(await status(elsewhere), 401, 'another session ends');
  assert.equal(await status(stolen), 401, 'a stolen session ends');
  await assert.rejects(within(10_000, 'the stream of an ended session', stream.nextHead()), /the event stream ended/);
  assert.equal(await canSignIn(me.email, me.password), false, 'the old password no longer signs in');
  assert.equal(await canSignIn(me.email, 'pat-new-password'), true, 'the new one does');
  assert.match(hashOf(me.email), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'stored as Argon2id');
  // The session kept still works for what the role allows.
  assert.equal((await here.push([customer('pat-1')])).body.answers[0].ok, true);
});

test('any role changes its own password; a token, which is not a person, can\'t', async () => {
  const viewer = addUser(db, 'Acme', 'vic@acme.test', 'viewer', 'vic-old-password');
  const client = await Client.signedIn(server.url, viewer);
  const res = await client.json('POST', '/api/me/password', { body: { current_password: viewer.password, new_password: 'vic-new-password' } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(await canSignIn(viewer.email, 'vic-new-password'), true);

  const boss = await Client.signedIn(server.url, owner);
  const made = await boss.json('POST', '/api/tokens', { body: { name: 'feed', role: 'finance' } });
  const bot = new Client(server.url, { token: made.body.token });
  const refused = await bot.json('POST', '/api/me/password', { body: { current_password: 'whatever it is', new_password: 'a new long password' } });
  expectRefused(refused, 403, 'forbidden', 'a token changing a password');
  assert.match(refused.body.error.message, /a token is not a person/);
  // Not even an owner token from before the rule, nor with a person's cookie beside it
  // (the token is who asks).
  psql(db, `UPDATE api_tokens SET role = 'owner' WHERE id = ${made.body.id}`);
  expectRefused(await bot.json('POST', '/api/me/password', { body: { current_password: owner.password, new_password: 'a new long password' } }), 403, 'forbidden', 'an owner token changing a password');
  const both = new Client(server.url, { token: made.body.token, cookie: boss.cookie });
  expectRefused(await both.json('POST', '/api/me/password', { body: { current_password: owner.password, new_password: 'a new long password' } }), 403, 'forbidden', 'a token beside a cookie');
  assert.equal(await canSignIn(owner.email, owner.password), true, "the owner's password is unchanged");
});

test('a refused password change changes nothing and names what was wrong', async () => {
  const me = addUser(db, 'Acme', 'ray@acme.test', 'finance', 'ray-the-password');
  const here = await Client.signedIn(server.url, me);
  const elsewhere = await Client.signedIn(server.url, me);
  const stored = hashOf(me.email);
  const change = (body, headers) => here.json('POST', '/api/me/password', { body, headers });

  expectRefused(await change({ current_password: 'not the password', new_password: 'a new long password' }), 400, 'invalid_request', 'a wrong current password', 'current_password');
  expectRefused(await change({ current_password: me.password, new_password: 'short' }), 400, 'invalid_request', 'a short new password', 'new_password');
  expectRefused(await change({ current_password: me.password, new_password: 'p'.repeat(1025) }), 400, 'invalid_request', 'a new password over 1,024 bytes', 'new_password');
  expectRefused(await change({ current_password: me.password, new_password: 'p'.repeat(100_000) }), 413, 'too_large', 'a 100 KB body');
  expectRefused(await change({ current_password: me.password }), 400, 'invalid_request', 'no new password', 'body');
  assert.match((await change({ current_password: me.password })).body.error.message, /new_password/);
  expectRefused(await change({ new_password: 'a new long password' }), 400, 'invalid_request', 'no current password', 'body');
  expectRefused(await change(JSON.stringify({ current_password: me.password, new_password: 'a new long password' }), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type', 'a change as text/plain');
  expectRefused(await change({ current_password: me.password, new_password: 'a new long password' }, { origin: 'https://evil.example' }), 403, 'bad_origin', 'a change from another origin');
  const anon = new Client(server.url);
  expectRefused(await anon.json('POST', '/api/me/password', { body: { current_password: me.password, new_password: 'a new long password' } }), 401, 'unauthorized', 'a change without a session');

  assert.equal(hashOf(me.email), stored, 'the stored password is the same');
  assert.equal(await status(elsewhere), 200, 'no session ended');
  assert.equal(await canSignIn(me.email, me.password), true);
});

test('wrong current passwords count against the account like failed sign-ins', async () => {
  const me = addUser(db, 'Acme', 'guess@acme.test', 'finance', 'guess-the-password');
  const stolen = await Client.signedIn(server.url, me);
  for (let i = 0; i < 5; i++) {
    expectRefused(await stolen.json('POST', '/api/me/password', { body: { current_password: `guess ${i}`, new_password: 'taken over now' } }), 400, 'invalid_request', `guess ${i + 1}`, 'current_password');
  }
  const limited = await stolen.json('POST', '/api/me/password', { body: { current_password: me.password, new_password: 'taken over now' } });
  expectRefused(limited, 429, 'rate_limited', 'a sixth try, even with the right password');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.equal((await new Client(server.url).login(me.email, me.password)).status, 429, 'sign-in is held back too: one count');
  assert.equal(await canSignIn(me.email, 'taken over now'), false);
});

test('an owner changes a role, which holds on that person\'s live session at once', async () => {
  const boss = await Client.signedIn(server.url, owner);
  const sam = addUser(db, 'Acme', 'sam@acme.test', 'finance');
  const session = await Client.signedIn(server.url, sam);
  assert.equal((await session.push([customer('sam-1')])).body.answers[0].ok, true);
  const id = await idOf(boss, sam.email);

  const toViewer = await boss.json('POST', `/api/users/${id}/role`, { body: { role: 'viewer' } });
  assert.equal(toViewer.status, 200, JSON.stringify(toViewer.body));
  assert.deepEqual(toViewer.body.user, { id, email: sam.email, role: 'viewer' });
  expectRefused(await session.push([customer('sam-2')]), 403, 'forbidden', 'a push by a finance user made viewer');
  assert.equal((await session.json('GET', '/api/me')).body.user.role, 'viewer');
  assert.equal((await session.pull(0)).status, 200, 'and still reads');

  assert.equal((await boss.json('POST', `/api/users/${id}/role`, { body: { role: 'owner' } })).status, 200);
  assert.equal((await session.json('GET', '/api/users')).status, 200, 'an owner now: lists people');
  assert.equal((await session.push([customer('sam-3')])).body.answers[0].ok, true);
  // The same role again is no change, and no refusal.
  const same = await boss.json('POST', `/api/users/${id}/role`, { body: { role: 'owner' } });
  assert.equal(same.status, 200);
  assert.equal(psql(db, `SELECT role FROM users WHERE id = ${id}`), 'owner');
  assert.equal((await boss.json('POST', `/api/users/${id}/role`, { body: { role: 'finance' } })).status, 200);
  assert.equal((await session.json('GET', '/api/me')).body.user.role, 'finance');
});

test('a role change is refused for a bad role, an unknown or foreign person, and by anyone but an owner in person', async () => {
  const boss = await Client.signedIn(server.url, owner);
  const kim = addUser(db, 'Acme', 'kim@acme.test', 'finance');
  const id = await idOf(boss, kim.email);
  const role = (client, path, body = { role: 'viewer' }, headers) => client.json('POST', path, { body, headers });

  expectRefused(await role(boss, `/api/users/${id}/role`, { role: 'admin' }), 400, 'invalid_request', 'an unknown role', 'role');
  expectRefused(await role(boss, `/api/users/${id}/role`, {}), 400, 'invalid_request', 'no role', 'body');
  expectRefused(await role(boss, '/api/users/kim/role'), 400, 'invalid_request', 'an id that is not a number', 'user id');
  expectRefused(await role(boss, '/api/users/999999/role'), 404, 'not_found', 'an unknown person');
  expectRefused(await role(boss, `/api/users/${id}/role`, { role: 'viewer' }, { origin: 'https://evil.example' }), 403, 'bad_origin', 'from another origin');
  const outsider = await Client.signedIn(server.url, other);
  expectRefused(await role(outsider, `/api/users/${id}/role`), 404, 'not_found', "another space's owner");
  const finance = await Client.signedIn(server.url, kim);
  expectRefused(await role(finance, `/api/users/${id}/role`, { role: 'owner' }), 403, 'forbidden', 'a finance user making themselves owner');
  const made = await boss.json('POST', '/api/tokens', { body: { name: 'role-bot', role: 'finance' } });
  psql(db, `UPDATE api_tokens SET role = 'owner' WHERE id = ${made.body.id}`);
  const bot = new Client(server.url, { token: made.body.token });
  const byToken = await role(bot, `/api/users/${id}/role`, { role: 'owner' });
  expectRefused(byToken, 403, 'forbidden', 'an owner token changing a role');
  assert.match(byToken.body.error.message, /an API token can't manage users/);
  expectRefused(await role(new Client(server.url), `/api/users/${id}/role`), 401, 'unauthorized', 'without a session');
  assert.equal(psql(db, `SELECT role FROM users WHERE id = ${id}`), 'finance', 'nothing changed');
});

test('the space keeps an owner: its last one can\'t become finance or viewer, even when two owners demote each other at once', async () => {
  const boss = await Client.signedIn(server.url, other);
  const otherId = await idOf(boss, other.email);
  const last = await boss.json('POST', `/api/users/${otherId}/role`, { body: { role: 'finance' } });
  expectRefused(last, 409, 'conflict', 'the last owner making themselves finance');
  assert.match(last.body.error.message, /last owner/);
  assert.equal((await boss.json('GET', '/api/users')).status, 200, 'still an owner');

  // A second owner: either may hand over, not both.
  const second = addUser(db, 'Other', 'second@other.test', 'owner');
  const secondClient = await Client.signedIn(server.url, second);
  const secondId = await idOf(boss, second.email);
  const both = await Promise.all([
    boss.json('POST', `/api/users/${secondId}/role`, { body: { role: 'viewer' } }),
    secondClient.json('POST', `/api/users/${otherId}/role`, { body: { role: 'viewer' } }),
  ]);
  // The second to take the space's lock is refused: 409 (the other is the last owner),
  // or 403 when it was authenticated after the first change (no longer an owner).
  const statuses = both.map((r) => r.status).sort();
  assert.equal(statuses[0], 200, JSON.stringify(both.map((r) => r.body)));
  assert.ok([403, 409].includes(statuses[1]), JSON.stringify(both.map((r) => r.body)));
  const owners = psql(db, `SELECT count(*) FROM users u JOIN spaces s ON s.id = u.space_id WHERE s.name = 'Other' AND role = 'owner'`);
  assert.equal(owners, '1');
  // Put back: the boss is the owner again, the second a viewer.
  const ownerNow = both[0].status === 200 ? boss : secondClient;
  await ownerNow.json('POST', `/api/users/${otherId}/role`, { body: { role: 'owner' } });
  await boss.json('POST', `/api/users/${secondId}/role`, { body: { role: 'viewer' } });
  assert.equal(psql(db, `SELECT role FROM users WHERE id = ${otherId}`), 'owner');
});

test('an owner demoted while their request waited for the space\'s lock is refused under it', async () => {
  const first = addUser(db, 'Third', 'first@third.test', 'owner');
  addUser(db, 'Third', 'second@third.test', 'owner'); // so the space keeps an owner
  const helper = addUser(db, 'Third', 'helper@third.test', 'finance');
  const boss = await Client.signedIn(server.url, first);
  const ids = Object.fromEntries((await boss.json('GET', '/api/users')).body.users.map((u) => [u.email, u.id]));
  // Another owner's change, held open: it locks the space's people, demotes `first`,
  // and commits a few seconds later.
  const other = spawn('psql', [db, '-v', 'ON_ERROR_STOP=1', '-c',
    `BEGIN; SELECT id FROM users WHERE space_id = (SELECT space_id FROM users WHERE id = ${ids[first.email]}) FOR UPDATE;
     UPDATE users SET role = 'viewer' WHERE id = ${ids[first.email]}; SELECT pg_sleep(3); COMMIT;`], { stdio: 'ignore' });
  const exited = once(other, 'exit');
  await eventually(10_000, 'the other change holds the lock', () => psql(db, "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") === '1');
  // Authenticated as an owner (the demotion is not committed yet), then waits for the lock.
  const res = await boss.json('POST', `/api/users/${ids[helper.email]}/role`, { body: { role: 'owner' } });
  const [code] = await within(20_000, 'the other change ends', exited);
  assert.equal(code, 0);
  expectRefused(res, 403, 'forbidden', 'an owner demoted meanwhile');
  assert.equal(psql(db, `SELECT role FROM users WHERE id = ${ids[helper.email]}`), 'finance', 'nothing changed');
});

test('an owner resets a person\'s password: their sessions end, the new one signs in', async () => {
  const boss = await Client.signedIn(server.url, owner);
  const lou = addUser(db, 'Acme', 'lou@acme.test', 'finance', 'lou-forgotten-pw');
  const id = await idOf(boss, lou.email);
  const one = await Client.signedIn(server.url, lou);
  const two = await Client.signedIn(server.url, lou);
  const reset = await boss.json('POST', `/api/users/${id}/password`, { body: { password: 'lou-fresh-password' } });
  assert.equal(reset.status, 200, JSON.stringify(reset.body));
  assert.deepEqual(reset.body.user, { id, email: lou.email, role: 'finance' });
  assert.equal(reset.body.sessions_ended, 2);
  assert.equal(await status(one), 401);
  assert.equal(await status(two), 401);
  assert.equal(await canSignIn(lou.email, lou.password), false);
  assert.equal(await canSignIn(lou.email, 'lou-fresh-password'), true);
  assert.equal(await status(boss), 200, "the owner's own session stays");
});

test('a password reset is refused for oneself, a short password, an unknown or foreign person, and by anyone but an owner in person', async () => {
  const boss = await Client.signedIn(server.url, owner);
  const ned = addUser(db, 'Acme', 'ned@acme.test', 'finance', 'ned-the-password');
  const id = await idOf(boss, ned.email);
  const nedSession = await Client.signedIn(server.url, ned);
  const stored = hashOf(ned.email);
  const reset = (client, path, body = { password: 'a new long password' }) => client.json('POST', path, { body });
  const ownId = await idOf(boss, owner.email);

  const self = await reset(boss, `/api/users/${ownId}/password`);
  expectRefused(self, 400, 'invalid_request', "an owner resetting their own password (it takes the current one)", 'user');
  assert.match(self.body.error.message, /\/api\/me\/password/);
  expectRefused(await reset(boss, `/api/users/${id}/password`, { password: 'short' }), 400, 'invalid_request', 'a short password', 'password');
  expectRefused(await reset(boss, `/api/users/${id}/password`, {}), 400, 'invalid_request', 'no password', 'body');
  expectRefused(await reset(boss, '/api/users/ned/password'), 400, 'invalid_request', 'an id that is not a number', 'user id');
  expectRefused(await reset(boss, '/api/users/999999/password'), 404, 'not_found', 'an unknown person');
  expectRefused(await reset(await Client.signedIn(server.url, other), `/api/users/${id}/password`), 404, 'not_found', "another space's owner");
  expectRefused(await reset(nedSession, `/api/users/${ownId}/password`), 403, 'forbidden', "a finance user resetting the owner's password");
  const made = await boss.json('POST', '/api/tokens', { body: { name: 'reset-bot', role: 'finance' } });
  psql(db, `UPDATE api_tokens SET role = 'owner' WHERE id = ${made.body.id}`);
  expectRefused(await reset(new Client(server.url, { token: made.body.token }), `/api/users/${id}/password`), 403, 'forbidden', 'an owner token resetting a password');

  assert.equal(hashOf(ned.email), stored, 'the password is the same');
  assert.equal(await status(nedSession), 200, 'their session goes on');
  assert.equal(await canSignIn(owner.email, owner.password), true);
});
