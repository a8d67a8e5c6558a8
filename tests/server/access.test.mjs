// Access: every request is authorized for its space and role. Each refusal checked here
// is counted and the count printed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { addUser, Client, customer, eventually, freshDatabase, payment, psql, startServer, within } from './harness.mjs';

const db = freshDatabase();
const owner = addUser(db, 'Acme', 'owner@acme.test', 'owner');
const fin = addUser(db, 'Acme', 'fin@acme.test', 'finance');
const viewer = addUser(db, 'Acme', 'view@acme.test', 'viewer');
const other = addUser(db, 'Other', 'boss@other.test', 'owner');
let server;
const refused = [];

before(async () => { server = await startServer(db, { TALLY_SESSION_RECHECK_SECONDS: '1' }); });
after(async () => {
  await server?.stop();
  console.log(`access: ${refused.length} requests refused as expected (${[...new Set(refused.map((r) => r.split(':')[0]))].join(', ')})`);
});

/** Asserts a refusal with the status and code, and counts it. */
function expectRefused(res, status, code, what) {
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.ok, false, what);
  assert.equal(res.body.error.code, code, what);
  refused.push(`${code}: ${what}`);
}

test('without a session: every API request but login and health is refused', async () => {
  const anon = new Client(server.url);
  expectRefused(await anon.push([customer('x')]), 401, 'unauthorized', 'push without a session');
  expectRefused(await anon.pull(0), 401, 'unauthorized', 'pull without a session');
  expectRefused(await anon.json('GET', '/api/snapshot'), 401, 'unauthorized', 'snapshot without a session');
  expectRefused(await anon.json('GET', '/api/events'), 401, 'unauthorized', 'events without a session');
  expectRefused(await anon.json('GET', '/api/me'), 401, 'unauthorized', 'me without a session');
  expectRefused(await anon.json('GET', '/api/users'), 401, 'unauthorized', 'users without a session');
  const forged = new Client(server.url, { cookie: 'tally_session=0123456789abcdef' });
  expectRefused(await forged.pull(0), 401, 'unauthorized', 'pull with a made-up session');
  const badToken = new Client(server.url, { token: 'tly_nope' });
  expectRefused(await badToken.pull(0), 401, 'unauthorized', 'pull with a made-up token');
  assert.equal((await anon.json('GET', '/health')).status, 200);
});

test('wrong email and wrong password get the same answer; repeated failures are rate-limited', async () => {
  const anon = new Client(server.url);
  const wrongPassword = await anon.login(fin.email, 'not the password');
  const wrongEmail = await anon.login('nobody@acme.test', 'not the password');
  expectRefused(wrongPassword, 401, 'unauthorized', 'login with a wrong password');
  expectRefused(wrongEmail, 401, 'unauthorized', 'login with an unknown email');
  assert.equal(wrongPassword.body.error.message, wrongEmail.body.error.message);
  const target = addUser(db, 'Acme', 'target@acme.test', 'viewer');
  for (let i = 0; i < 5; i++) await anon.login(target.email, `guess ${i}`);
  const limited = await anon.login(target.email, target.password);
  expectRefused(limited, 429, 'rate_limited', 'login after 5 failures, even with the right password');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
});

test("a viewer reads but can't push, nor manage users or tokens", async () => {
  const client = await Client.signedIn(server.url, viewer);
  assert.equal((await client.pull(0)).status, 200);
  expectRefused(await client.push([customer('v1')]), 403, 'forbidden', "a viewer's push");
  expectRefused(await client.json('GET', '/api/users'), 403, 'forbidden', "a viewer's user list");
  const finance = await Client.signedIn(server.url, fin);
  expectRefused(
    await finance.json('POST', '/api/users', { body: { email: 'x@acme.test', password: 'long enough pw', role: 'owner' } }),
    403, 'forbidden', 'finance creating a user',
  );
  expectRefused(await finance.json('POST', '/api/tokens', { body: { name: 'bot', role: 'finance' } }), 403, 'forbidden', 'finance creating a token');
  const { entries } = await client.pullAll();
  assert.equal(entries.some((e) => e.command.id === 'v1'), false);
});

test('a session of another space never reads or changes this one', async () => {
  const acme = await Client.signedIn(server.url, fin);
  await acme.push([customer('acme-1'), payment('acme-pay', 'acme-1', '10.00')]);
  const outsider = await Client.signedIn(server.url, other);
  const me = await outsider.json('GET', '/api/me');
  assert.equal(me.body.space.name, 'Other');
  // Its pull, snapshot and users are its own space's: none of Acme's entries.
  const pulled = await outsider.pullAll();
  assert.equal(pulled.entries.some((e) => e.command.id.startsWith('acme')), false);
  expectRefused(await outsider.json('GET', '/api/snapshot'), 404, 'not_found', "another space's snapshot");
  const users = await outsider.json('GET', '/api/users');
  assert.deepEqual(users.body.users.map((u) => u.email), ['boss@other.test']);
  // Acme's ids mean nothing there: a payment to Acme's customer is refused by its engine.
  const push = await outsider.push([payment('acme-pay', 'acme-1', '10.00')]);
  assert.equal(push.body.answers[0].ok, false);
  assert.equal(push.body.answers[0].error.code, 'unknown_customer');
  refused.push("unknown_customer: another space's customer");
  const after = await acme.pullAll();
  assert.equal(after.entries.filter((e) => e.command.id === 'acme-pay').length, 1);
});

test('state-changing requests need JSON and an allowed origin', async () => {
  const client = await Client.signedIn(server.url, fin);
  const body = JSON.stringify({ client: 'c', commands: [customer('form-1')] });
  expectRefused(await client.json('POST', '/api/push', { body, headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type', 'push as text/plain');
  expectRefused(await client.json('POST', '/api/push', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type', 'push as a form');
  expectRefused(await client.json('POST', '/api/push', { body, headers: { origin: 'https://evil.example' } }), 403, 'bad_origin', 'push from another origin');
  expectRefused(await client.json('POST', '/api/logout', { body: '{}', headers: { origin: 'https://evil.example' } }), 403, 'bad_origin', 'logout from another origin');
  const own = await client.json('POST', '/api/push', { body, headers: { origin: server.url } });
  assert.equal(own.status, 200);
  assert.equal(own.body.answers[0].ok, true);
});

test('owners add users and tokens; a token acts with its role; logout ends the session', async () => {
  const boss = await Client.signedIn(server.url, owner);
  const created = await boss.json('POST', '/api/users', { body: { email: 'New@Acme.test', password: 'another long one', role: 'finance' } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  expectRefused(
    await boss.json('POST', '/api/users', { body: { email: 'new@acme.test', password: 'another long one', role: 'viewer' } }),
    409, 'conflict', 'a second account for one email',
  );
  expectRefused(await boss.json('POST', '/api/users', { body: { email: 'short@acme.test', password: 'short', role: 'viewer' } }), 400, 'invalid_request', 'a short password');
  const newcomer = await Client.signedIn(server.url, { email: 'new@acme.test', password: 'another long one' });
  assert.equal((await newcomer.json('GET', '/api/me')).body.user.role, 'finance');

  const issued = await boss.json('POST', '/api/tokens', { body: { name: 'importer', role: 'viewer' } });
  assert.equal(issued.status, 200);
  const machine = new Client(server.url, { token: issued.body.token });
  assert.equal((await machine.pull(0)).status, 200);
  expectRefused(await machine.push([customer('bot-1')]), 403, 'forbidden', "a viewer token's push");
  const writerToken = (await boss.json('POST', '/api/tokens', { body: { name: 'bank-feed', role: 'finance' } })).body.token;
  const bot = new Client(server.url, { token: writerToken });
  const pushed = await bot.push([customer('bot-2')]);
  assert.equal(pushed.body.answers[0].ok, true);
  const { entries } = await bot.pullAll();
  assert.equal(entries.find((e) => e.command.id === 'bot-2').command.by, 'token:bank-feed');

  const stream = await newcomer.events();
  assert.equal(stream.status, 200);
  await stream.nextHead();
  const out = await newcomer.json('POST', '/api/logout', { body: {} });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  expectRefused(await newcomer.json('GET', '/api/me'), 401, 'unauthorized', 'a session after logout');
  // Its open event stream ends too (the session is checked again every second here).
  await assert.rejects(within(10_000, 'the stream of a logged-out session', stream.nextHead()), /the event stream ended/);
  refused.push('unauthorized: the event stream of a logged-out session');
});

test('the panel is served at / with the security headers', async () => {
  const res = await fetch(`${server.url}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  assert.match(res.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const wasm = await fetch(`${server.url}/pkg/tally_engine_bg.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  const escape = await fetch(`${server.url}/../Cargo.toml`);
  assert.notEqual(escape.status, 200);
});

test('a body is read only after the session and role are checked, and sign-in bodies are small', async () => {
  // Over 4 MiB: without a session (or with a viewer's) it is refused for that, unread.
  const big = JSON.stringify({ client: 'c', commands: [customer('big')], pad: 'x'.repeat(4 * 1024 * 1024) });
  const anon = new Client(server.url);
  expectRefused(await anon.json('POST', '/api/push', { body: big }), 401, 'unauthorized', 'an anonymous 4 MiB push');
  expectRefused(await anon.json('POST', '/api/users', { body: big }), 401, 'unauthorized', 'an anonymous 4 MiB user');
  const viewing = await Client.signedIn(server.url, viewer);
  expectRefused(await viewing.json('POST', '/api/push', { body: big }), 403, 'forbidden', "a viewer's 4 MiB push");
  // Sign-in needs an email and a password (at most 1,024 bytes): 64 KiB is plenty.
  const long = await anon.json('POST', '/api/login', { body: { email: fin.email, password: 'p'.repeat(100_000) } });
  expectRefused(long, 413, 'too_large', 'a 100 KB sign-in');
  const boss = await Client.signedIn(server.url, owner);
  expectRefused(
    await boss.json('POST', '/api/users', { body: { email: 'pad@acme.test', password: 'p'.repeat(100_000), role: 'viewer' } }),
    413, 'too_large', 'a 100 KB new user',
  );
});

test('a NUL or control character in an email or token name is refused as input, not a database failure', async () => {
  const anon = new Client(server.url);
  const nul = await anon.login('fin\u0000@acme.test', 'not the password');
  expectRefused(nul, 401, 'unauthorized', 'login with a NUL in the email');
  const boss = await Client.signedIn(server.url, owner);
  expectRefused(
    await boss.json('POST', '/api/users', { body: { email: 'nul\u0000@acme.test', password: 'long enough pw', role: 'viewer' } }),
    400, 'invalid_request', 'a new user with a NUL in the email',
  );
  expectRefused(
    await boss.json('POST', '/api/users', { body: { email: 'bell\u0007@acme.test', password: 'long enough pw', role: 'viewer' } }),
    400, 'invalid_request', 'a new user with a control character in the email',
  );
  expectRefused(
    await boss.json('POST', '/api/tokens', { body: { name: 'bot\u0000', role: 'viewer' } }),
    400, 'invalid_request', 'a token name with a NUL',
  );
  // The engine refuses one in a command itself, so a push never reaches the database with it.
  const finance = await Client.signedIn(server.url, fin);
  const pushed = await finance.push([customer('nul\u0000id'), { ...customer('nul-name'), name: 'A\u0000B' }]);
  assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
  assert.ok(pushed.body.answers.every((a) => a.ok === false), JSON.stringify(pushed.body));
  // The server still answers normally afterwards.
  assert.equal((await finance.json('GET', '/api/me')).status, 200);
});

test('a known endpoint asked with another method answers 405 in the error shape', async () => {
  const client = await Client.signedIn(server.url, fin);
  for (const [method, path] of [['GET', '/api/push'], ['GET', '/api/login'], ['DELETE', '/api/users'], ['POST', '/api/pull']]) {
    const res = await client.json(method, path, method === 'POST' ? { body: {} } : {});
    expectRefused(res, 405, 'method_not_allowed', `${method} ${path}`);
  }
  // Nothing was changed by them: unknown paths are still 404, the panel still served.
  expectRefused(await client.json('GET', '/api/nope'), 404, 'not_found', 'an unknown API path');
  assert.equal((await fetch(`${server.url}/`)).status, 200);
});

test("a push of millions of tiny commands is refused without the server building them all", async () => {
  // Memory, not time: the server's peak resident size (Linux's VmHWM) over what it held
  // before. 2,000,001 zeros (4 MB of JSON) parsed into values took some 90 MB.
  const own = await startServer(db, { TALLY_PRELOAD: '0' });
  try {
    const client = await Client.signedIn(own.url, fin);
    await client.pull(0);
    const status = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${own.child.pid}/status`, 'utf8'))[1]);
    const before = status('VmRSS');
    const res = await client.json('POST', '/api/push', { body: `{"commands":[${'0,'.repeat(2_000_000)}0]}` });
    expectRefused(res, 413, 'too_large', 'a push of 2,000,001 commands');
    assert.match(res.body.error.message, /2000001 in one push, at most 1000/);
    const grown = status('VmHWM') - before;
    assert.ok(grown < 40 * 1024, `the server grew by ${grown} kB for a 4 MB push`);
  } finally {
    await own.stop();
  }
});

test('over HTTPS the session cookie is __Host- prefixed, and a tossable tally_session cookie is not read', async () => {
  // Cookie tossing: a sibling subdomain can set `tally_session` for the whole domain, and
  // the browser sends it first. It can't set a `__Host-` cookie, which is the only one read.
  const own = await startServer(db, { TALLY_SECURE_COOKIES: '1' });
  try {
    const client = new Client(own.url);
    const res = await client.login(fin.email, fin.password);
    assert.equal(res.status, 200);
    const set = res.headers.get('set-cookie');
    assert.match(set, /^__Host-tally_session=[0-9a-f]+;/);
    assert.match(set, /; Secure/);
    assert.match(set, /; Path=\//);
    assert.equal((await client.json('GET', '/api/me')).status, 200, 'the __Host- cookie signs in');
    const token = client.cookie.split('=')[1];
    const tossed = new Client(own.url, { cookie: `tally_session=${token}` });
    expectRefused(await tossed.json('GET', '/api/me'), 401, 'unauthorized', 'the plain cookie name over HTTPS');
    const out = await client.json('POST', '/api/logout', { body: {} });
    assert.match(out.headers.get('set-cookie'), /^__Host-tally_session=; .*Max-Age=0.*; Secure/);
  } finally {
    await own.stop();
  }
});

test('an owner removes a user who left (their session ends) and revokes an API token; not the last owner, not another space\'s', async () => {
  const boss = await Client.signedIn(server.url, owner);
  const made = await boss.json('POST', '/api/users', { body: { email: 'leaver@acme.test', password: 'a long enough password', role: 'finance' } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const leaver = await Client.signedIn(server.url, { email: 'leaver@acme.test', password: 'a long enough password' });
  assert.equal((await leaver.json('GET', '/api/me')).status, 200);
  const finance = await Client.signedIn(server.url, fin);
  expectRefused(await finance.json('DELETE', `/api/users/${made.body.user.id}`, { body: {} }), 403, 'forbidden', 'a finance user removing a user');
  const outsider = await Client.signedIn(server.url, other);
  expectRefused(await outsider.json('DELETE', `/api/users/${made.body.user.id}`, { body: {} }), 404, 'not_found', "another space's owner removing a user");
  const gone = await boss.json('DELETE', `/api/users/${made.body.user.id}`, { body: {} });
  assert.equal(gone.status, 200, JSON.stringify(gone.body));
  expectRefused(await leaver.json('GET', '/api/me'), 401, 'unauthorized', "a removed user's session");
  assert.equal((await boss.json('GET', '/api/users')).body.users.some((u) => u.email === 'leaver@acme.test'), false);
  expectRefused(await boss.json('DELETE', `/api/users/${made.body.user.id}`, { body: {} }), 404, 'not_found', 'a user removed already');
  expectRefused(await boss.json('DELETE', '/api/users/leaver', { body: {} }), 400, 'invalid_request', 'a user id that is not a number');
  // The last owner stays: the space would have no one to manage it.
  const owners = (await outsider.json('GET', '/api/users')).body.users.filter((u) => u.role === 'owner');
  assert.equal(owners.length, 1, 'the Other space has one owner');
  expectRefused(await outsider.json('DELETE', `/api/users/${owners[0].id}`, { body: {} }), 409, 'conflict', "the space's last owner removing itself");
  assert.equal((await outsider.json('GET', '/api/me')).status, 200, 'and is still signed in');
  // Tokens: revoked at once.
  const token = await boss.json('POST', '/api/tokens', { body: { name: 'old-feed', role: 'finance' } });
  const bot = new Client(server.url, { token: token.body.token });
  assert.equal((await bot.pull(0)).status, 200);
  const listed = (await boss.json('GET', '/api/tokens')).body.tokens.find((t) => t.name === 'old-feed');
  expectRefused(await outsider.json('DELETE', `/api/tokens/${listed.id}`, { body: {} }), 404, 'not_found', "another space's owner revoking a token");
  assert.equal((await boss.json('DELETE', `/api/tokens/${listed.id}`, { body: {} })).status, 200);
  expectRefused(await bot.pull(0), 401, 'unauthorized', 'a revoked API token');
});

test('one account holds at most 32 open event streams; a closed one makes room, and other accounts count apart', async () => {
  const reader = await Client.signedIn(server.url, viewer);
  const open = [];
  for (let i = 0; i < 32; i++) {
    const stream = await reader.events();
    assert.equal(stream.status, 200, `stream ${i + 1} of 32`);
    open.push(stream);
  }
  await within(5000, 'the first stream announces the head', open[0].nextHead());
  // Opened as a stream, so a server without the limit fails here rather than hanging.
  const refusedStream = await reader.events();
  refusedStream.close();
  expectRefused(refusedStream, 429, 'rate_limited', 'a 33rd event stream for one account');
  assert.match(refusedStream.body.error.message, /32 event streams open/);
  // Another account of the same space is not held back by this one's streams.
  const colleague = await (await Client.signedIn(server.url, fin)).events();
  assert.equal(colleague.status, 200, "another account's stream");
  colleague.close();
  // Closing one frees its place once the server sees the connection end.
  open.pop().close();
  const again = await eventually(10000, 'a stream opens again after one closed', async () => {
    const stream = await reader.events();
    return stream.status === 200 ? stream : null;
  });
  open.push(again);
  for (const stream of open) stream.close();
});

test('people and tokens are managed by an owner in person: no owner tokens are made, and one from before manages nothing', async () => {
  const boss = await Client.signedIn(server.url, owner);
  const ownerToken = await boss.json('POST', '/api/tokens', { body: { name: 'admin-bot', role: 'owner' } });
  expectRefused(ownerToken, 400, 'invalid_request', 'an API token with the owner role');
  assert.match(ownerToken.body.error.message, /finance or viewer/);
  // A token given the owner role before this rule (as its row may hold).
  const made = await boss.json('POST', '/api/tokens', { body: { name: 'old-admin-bot', role: 'finance' } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  psql(db, `UPDATE api_tokens SET role = 'owner' WHERE id = ${made.body.id}`);
  const bot = new Client(server.url, { token: made.body.token });
  assert.equal((await bot.pull(0)).status, 200, 'it still syncs');
  expectRefused(await bot.json('GET', '/api/users'), 403, 'forbidden', 'an owner token listing people');
  expectRefused(await bot.json('POST', '/api/users', { body: { email: 'backdoor@acme.test', password: 'a long enough password', role: 'owner' } }), 403, 'forbidden', 'an owner token adding a person');
  expectRefused(await bot.json('GET', '/api/tokens'), 403, 'forbidden', 'an owner token listing tokens');
  expectRefused(await bot.json('POST', '/api/tokens', { body: { name: 'second', role: 'finance' } }), 403, 'forbidden', 'an owner token making a token');
  expectRefused(await bot.json('DELETE', `/api/tokens/${made.body.id}`, { body: {} }), 403, 'forbidden', 'an owner token revoking a token');
  const refusal = await bot.json('GET', '/api/users');
  assert.match(refusal.body.error.message, /an API token can't manage users/);
  assert.equal((await boss.json('GET', '/api/users')).body.users.some((u) => u.email === 'backdoor@acme.test'), false, 'nobody was added');
});
