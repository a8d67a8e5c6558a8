// The Team screen (#/team) against the real server (target/server/tally-server) on the
// project's own PostgreSQL, set up by sync-harness.mjs: an owner adds a person, who signs
// in, and removes them, whose session is then refused; the last owner's removal is
// refused on the screen; an owner changes a person's role (held at once on their session;
// the last owner's refused beside the button; their own, which reloads the page) and sets
// a forgotten password; a person changes their own password (their other sessions end);
// an API token is shown once, copied and revoked; a finance user sees their own account,
// their password form and no other button. Each state is checked against the server's API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshotPath } from '../browser/browser.mjs';
import { OWNER, apiClient, buildServer, signIn, startPostgres, startServer } from './sync-harness.mjs';
import { assertAccessible, assertNoSidewaysScroll } from './panel-helpers.mjs';

const FINN = { email: 'finn@example.com', password: 'finn-password-1' }; // added on the screen
const FAY = { email: 'fay@example.com', password: 'fay-password-1' }; // finance, made through the API

describe('the Team screen: people and API tokens of a synced space', () => {
  let pg;
  let server;
  let owner;
  let browser;
  const problems = [];

  before(async () => {
    const binary = buildServer();
    pg = startPostgres();
    server = await startServer(binary, pg.url);
    owner = await apiClient(server.url, OWNER);
    await owner.post('/api/users', { ...FAY, role: 'finance' });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.kill();
    pg?.stop();
    assert.deepEqual(problems, [], 'no page errors or console errors');
  });

  /** Opens the Team screen from the menu, as a person would. */
  async function openTeam(page) {
    await page.click('nav a[href="#/team"]');
    await page.locator('main h1', { hasText: 'Team' }).waitFor();
  }

  const emails = async () => (await owner.get('/api/users')).users.map((u) => `${u.email} ${u.role}`).sort();
  const meStatus = (page) => page.evaluate(() => fetch('/api/me').then((r) => r.status));

  test('an owner adds a finance user, who signs in; removed, their session is refused', async () => {
    const a = await signIn(browser, server.url, OWNER, { problems });
    await openTeam(a.page);
    const rows = a.page.locator('#people-table tbody tr');
    await rows.first().waitFor();
    assert.match(await rows.filter({ hasText: OWNER.email }).innerText(), /you/, 'the signed-in owner is marked');
    assert.match(await rows.filter({ hasText: FAY.email }).innerText(), /Finance/);
    await assertAccessible(a.page, 'the Team screen (owner)');
    await assertNoSidewaysScroll(a.page, 'the Team screen (owner)');
    await a.page.setViewportSize({ width: 390, height: 900 });
    await assertNoSidewaysScroll(a.page, 'the Team screen (owner) at 390 px');
    await assertAccessible(a.page, 'the Team screen (owner) at 390 px');
    await a.page.screenshot({ path: screenshotPath('team-owner-phone'), fullPage: true });
    await a.page.setViewportSize({ width: 1280, height: 900 });

    // The server's 400 is shown at the field it names, and nothing is added.
    const before = await emails();
    const form = a.page.locator('#add-user-form');
    await form.getByLabel('E-mail').fill(FINN.email);
    await form.getByLabel('Role').selectOption('finance');
    await form.getByLabel('Initial password').fill('short');
    await form.getByRole('button', { name: 'Add person' }).click();
    const passwordError = form.locator('.field-error:not([hidden])');
    await passwordError.waitFor();
    assert.match(await passwordError.innerText(), /too short: use at least 8 characters/);
    assert.equal(await form.getByLabel('Initial password').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await emails(), before, 'nothing was added');

    await form.getByLabel('Initial password').fill(FINN.password);
    await form.getByRole('button', { name: 'Add person' }).click();
    await rows.filter({ hasText: FINN.email }).waitFor();
    assert.match(await a.page.textContent('#add-user-done'), /Added finn@example\.com \(finance\)/);
    assert.deepEqual(await emails(), [...before, `${FINN.email} finance`].sort());
    assert.equal(await passwordError.count(), 0, 'the refusal is gone after the success');

    // Added twice: the server's 409, at the e-mail.
    await form.getByLabel('E-mail').fill(FINN.email);
    await form.getByLabel('Initial password').fill(FINN.password);
    await form.getByRole('button', { name: 'Add person' }).click();
    await form.locator('.field-error:not([hidden])').waitFor();
    assert.match(await form.locator('.field-error:not([hidden])').innerText(), /already one of this space's people/);
    assert.equal(await rows.filter({ hasText: FINN.email }).count(), 1);

    // The new user signs in with what the owner chose.
    const b = await signIn(browser, server.url, FINN, { problems });
    assert.match(await b.page.textContent('.sync-box .who'), /finn@example\.com · finance/);
    assert.equal(await meStatus(b.page), 200);

    // Removed, after a confirmation that names them.
    await a.page.getByRole('button', { name: `Remove ${FINN.email}` }).click();
    const dialog = a.page.getByRole('dialog', { name: `Remove ${FINN.email}?` });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /no longer be able to sign in/);
    await assertAccessible(a.page, 'the remove confirmation');
    await a.page.screenshot({ path: screenshotPath('team-remove-confirmation') });
    await dialog.getByRole('button', { name: `Remove ${FINN.email}` }).click();
    await rows.filter({ hasText: FINN.email }).waitFor({ state: 'detached' });
    assert.deepEqual(await emails(), before);
    assert.equal(await a.page.evaluate(() => document.activeElement?.id), 'people-title', 'the focus goes to the list');

    // Their session is refused, and their panel says they are signed out.
    assert.equal(await meStatus(b.page), 401);
    await b.page.evaluate(() => window.tally.store.syncNow());
    await b.page.waitForFunction(() => window.tally.store.status.state === 'signed_out', null, { timeout: 30000 });
    const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(FINN) });
    assert.equal(login.status, 401, 'they can no longer sign in');
    for (const x of [a, b]) await x.context.close();
  });

  test('the last owner can\'t be removed: no button says otherwise, and a stale list gets the server\'s refusal beside the button', async () => {
    const a = await signIn(browser, server.url, OWNER, { problems });
    await openTeam(a.page);
    // The only owner: no Remove on their own row, but what to do instead.
    const own = a.page.locator('#people-table tbody tr', { hasText: OWNER.email });
    assert.equal(await own.getByRole('button').count(), 0, 'no Remove button for the only owner');
    assert.match(await own.innerText(), /The only owner: to leave or change your role, make another person an owner first/);
    assert.equal(await own.getByRole('combobox').count(), 0, 'no role select for the only owner');
    await assertAccessible(a.page, 'the Team screen of the only owner');
    // Another owner is added, the screen shows Remove; then that owner goes, elsewhere,
    // while this list still shows two owners.
    const OLLIE = { email: 'ollie@example.com', password: 'ollie-password-1' };
    const ollie = (await owner.post('/api/users', { ...OLLIE, role: 'owner' })).user;
    await a.page.evaluate(() => { location.hash = '#/customers'; });
    await openTeam(a.page);
    const remove = a.page.getByRole('button', { name: `Remove ${OWNER.email}` });
    await remove.waitFor();
    await owner.del(`/api/users/${ollie.id}`);
    const before = await emails();
    // Cancelled: nothing is sent.
    await remove.click();
    const dialog = a.page.getByRole('dialog', { name: `Remove ${OWNER.email}?` });
    assert.match(await dialog.innerText(), /This is you/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Confirmed: the server's 409, in words, beside the button that got it.
    await remove.click();
    await dialog.getByRole('button', { name: `Remove ${OWNER.email}` }).click();
    const error = own.locator('.field-error:not([hidden])');
    await error.waitFor();
    assert.match(await error.innerText(), /last owner, and a space keeps at least one: add another owner first/);
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal(await remove.getAttribute('aria-describedby'), await error.getAttribute('id'));
    assert.equal(await a.page.evaluate(() => document.activeElement?.textContent), `Remove ${OWNER.email}`, 'the focus is back on the button');
    await a.page.screenshot({ path: screenshotPath('team-last-owner') });
    assert.deepEqual(await emails(), before, 'nobody was removed');
    assert.equal(await meStatus(a.page), 200, 'still signed in');
    assert.equal(await a.page.evaluate(() => location.hash), '#/team', 'the page stays');
    await assertAccessible(a.page, 'the Team screen with a refusal');
    await a.context.close();
  });

  test('an owner who removes their own account (another owner remains) is signed out of the panel', async () => {
    const OLIVE = { email: 'olive@example.com', password: 'olive-password-1' };
    await owner.post('/api/users', { ...OLIVE, role: 'owner' });
    const o = await signIn(browser, server.url, OLIVE, { problems });
    await openTeam(o.page);
    await o.page.getByRole('button', { name: `Remove ${OLIVE.email}` }).click();
    const dialog = o.page.getByRole('dialog', { name: `Remove ${OLIVE.email}?` });
    assert.match(await dialog.innerText(), /This is you: this browser is signed out at once/);
    await Promise.all([o.page.waitForEvent('load'), dialog.getByRole('button', { name: `Remove ${OLIVE.email}` }).click()]);
    await o.page.waitForFunction(() => document.documentElement.dataset.state === 'sign-in');
    assert.equal(await meStatus(o.page), 401);
    assert.equal((await emails()).some((e) => e.startsWith(OLIVE.email)), false);
    await o.context.close();
  });

  test('an owner changes a role, held at once on that person\'s open session; the last owner\'s is refused beside the button', async () => {
    const fay = await signIn(browser, server.url, FAY, { problems });
    const me = () => fay.page.evaluate(() => fetch('/api/me').then((r) => r.json()).then((b) => b.user.role));
    assert.equal(await me(), 'finance');
    const a = await signIn(browser, server.url, OWNER, { problems });
    await openTeam(a.page);
    const row = a.page.locator('#people-table tbody tr', { hasText: FAY.email });
    const select = row.getByLabel(`Role of ${FAY.email}`);
    const change = row.getByRole('button', { name: `Change role of ${FAY.email}` });
    assert.equal(await select.inputValue(), 'finance');
    assert.equal(await change.isDisabled(), true, 'nothing to change yet');
    await select.selectOption('viewer');
    assert.match(await row.innerText(), /reads the books and changes nothing/, 'the hint says what the chosen role may do');
    await assertAccessible(a.page, 'the Team screen with a role chosen');
    await change.click();
    await a.page.waitForFunction((email) => document.activeElement?.id?.startsWith('role-of-') && document.activeElement.closest('tr')?.textContent.includes(email), FAY.email);
    assert.ok((await emails()).includes(`${FAY.email} viewer`));
    assert.equal(await me(), 'viewer', 'her open session is a viewer\'s at once');
    const pushed = await fay.page.evaluate(() => fetch('/api/push', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ client: 'x', commands: [] }) }).then((r) => r.status));
    assert.equal(pushed, 403, 'and may no longer push');
    await row.getByLabel(`Role of ${FAY.email}`).selectOption('finance');
    await row.getByRole('button', { name: `Change role of ${FAY.email}` }).click();
    await a.page.waitForFunction(() => document.activeElement?.id?.startsWith('role-of-'));
    assert.ok((await emails()).includes(`${FAY.email} finance`));
    assert.equal(await me(), 'finance');

    // A stale list: it shows two owners, but the other left meanwhile. Demoting oneself
    // is confirmed, then refused by the server (409) beside the button; nothing changes.
    const OTTO = { email: 'otto@example.com', password: 'otto-password-1' };
    const otto = (await owner.post('/api/users', { ...OTTO, role: 'owner' })).user;
    await a.page.evaluate(() => { location.hash = '#/customers'; });
    await openTeam(a.page);
    const own = a.page.locator('#people-table tbody tr', { hasText: OWNER.email });
    await own.getByLabel(`Role of ${OWNER.email}`).waitFor();
    await owner.del(`/api/users/${otto.id}`);
    const before = await emails();
    await own.getByLabel(`Role of ${OWNER.email}`).selectOption('finance');
    const ownChange = own.getByRole('button', { name: `Change role of ${OWNER.email}` });
    await ownChange.click();
    const dialog = a.page.getByRole('dialog', { name: 'Make yourself finance?' });
    assert.match(await dialog.innerText(), /no longer manage the people/);
    await dialog.getByRole('button', { name: 'Make me finance' }).click();
    const error = own.locator('[id^="role-user-"].field-error:not([hidden])');
    await error.waitFor();
    assert.match(await error.innerText(), /last owner, and a space keeps at least one: make another person an owner first/);
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.ok((await ownChange.getAttribute('aria-describedby')).split(' ').includes(await error.getAttribute('id')));
    assert.equal(await a.page.evaluate(() => document.activeElement?.textContent), `Change role of ${OWNER.email}`, 'the focus is back on the button');
    await a.page.screenshot({ path: screenshotPath('team-role-last-owner') });
    assert.deepEqual(await emails(), before, 'nothing changed');
    await assertAccessible(a.page, 'the Team screen with a role refusal');
    for (const x of [a, fay]) await x.context.close();
  });

  test('an owner who makes themselves finance (another owner remains) sees the page again as finance', async () => {
    const ORLA = { email: 'orla@example.com', password: 'orla-password-1' };
    await owner.post('/api/users', { ...ORLA, role: 'owner' });
    const o = await signIn(browser, server.url, ORLA, { problems });
    await openTeam(o.page);
    const own = o.page.locator('#people-table tbody tr', { hasText: ORLA.email });
    await own.getByLabel(`Role of ${ORLA.email}`).selectOption('finance');
    await own.getByRole('button', { name: `Change role of ${ORLA.email}` }).click();
    const dialog = o.page.getByRole('dialog', { name: 'Make yourself finance?' });
    await Promise.all([o.page.waitForEvent('load'), dialog.getByRole('button', { name: 'Make me finance' }).click()]);
    await o.page.locator('#your-account').waitFor();
    assert.match(await o.page.innerText('#your-account'), /orla@example\.com[\s\S]*Finance/);
    assert.ok((await emails()).includes(`${ORLA.email} finance`));
    await o.context.close();
  });

  test('an owner sets a new password for a person who forgot theirs: their sessions end', async () => {
    const RAY = { email: 'ray@example.com', password: 'ray-forgotten-1' };
    await owner.post('/api/users', { ...RAY, role: 'viewer' });
    const r = await signIn(browser, server.url, RAY, { problems });
    const a = await signIn(browser, server.url, OWNER, { problems });
    await openTeam(a.page);
    assert.equal(await a.page.locator('#people-table tbody tr', { hasText: OWNER.email }).getByRole('button', { name: /Set password/ }).count(), 0, 'not for oneself');
    const open = a.page.getByRole('button', { name: `Set password for ${RAY.email}` });
    await open.click();
    const dialog = a.page.getByRole('dialog', { name: `Set a new password for ${RAY.email}` });
    const input = dialog.getByLabel(`New password for ${RAY.email}`);
    assert.equal(await a.page.evaluate(() => document.activeElement?.type), 'password', 'the focus starts in the field');
    await input.fill('short');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await dialog.locator('.field-error:not([hidden])').waitFor();
    assert.match(await dialog.locator('.field-error:not([hidden])').innerText(), /too short: use at least 8 characters/);
    await assertAccessible(a.page, 'the set-password dialog with a refusal');
    assert.equal(await meStatus(r.page), 200, 'nothing changed yet');
    await input.fill('ray-fresh-password-1');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await a.page.evaluate(() => document.activeElement?.textContent), `Set password for ${RAY.email}`);
    assert.equal(await meStatus(r.page), 401, 'their session ended');
    const login = (password) => fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: RAY.email, password }) }).then((x) => x.status);
    assert.equal(await login(RAY.password), 401);
    assert.equal(await login('ray-fresh-password-1'), 200);
    for (const x of [a, r]) await x.context.close();
  });

  test('a person changes their own password: refusals at the field, then their other sessions end and this one stays', async () => {
    const PAM = { email: 'pam@example.com', password: 'pam-password-old' };
    await owner.post('/api/users', { ...PAM, role: 'finance' });
    const elsewhere = await signIn(browser, server.url, PAM, { problems });
    const p = await signIn(browser, server.url, PAM, { problems });
    await openTeam(p.page);
    const form = p.page.locator('#change-password-form');
    const shown = form.locator('.field-error:not([hidden])');
    // Its label is "New password" (the other one's is "New password, again").
    const newPassword = form.locator('input[name="new-password"]');
    assert.equal(await newPassword.evaluate((i) => i.labels[0].textContent), 'New password *');
    // Typed twice, differently: said at once, nothing sent.
    await form.getByLabel('Current password').fill(PAM.password);
    await newPassword.fill('pam-password-new');
    await form.getByLabel('New password, again').fill('pam-password-nwe');
    await form.getByRole('button', { name: 'Change password' }).click();
    assert.match(await shown.innerText(), /The two new passwords differ/);
    // The server's refusals, at the field each names.
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password, again').fill('pam-password-new');
    await form.getByRole('button', { name: 'Change password' }).click();
    await p.page.waitForFunction(() => /not your current password/.test(document.querySelector('#change-password-form .field-error:not([hidden])')?.textContent ?? ''));
    assert.equal(await form.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    await assertAccessible(p.page, 'the password form with a refusal');
    await form.getByLabel('Current password').fill(PAM.password);
    await newPassword.fill('short');
    await form.getByLabel('New password, again').fill('short');
    await form.getByRole('button', { name: 'Change password' }).click();
    await p.page.waitForFunction(() => /new password is too short/.test(document.querySelector('#change-password-form .field-error:not([hidden])')?.textContent ?? ''));
    assert.equal(await newPassword.getAttribute('aria-invalid'), 'true');
    assert.equal(await meStatus(elsewhere.page), 200, 'nothing changed yet');

    await newPassword.fill('pam-password-new');
    await form.getByLabel('New password, again').fill('pam-password-new');
    await form.getByRole('button', { name: 'Change password' }).click();
    await p.page.locator('#change-password-done', { hasText: 'Your password was changed' }).waitFor();
    assert.match(await p.page.textContent('#change-password-done'), /1 other session was signed out\. This browser stays signed in/);
    assert.equal(await shown.count(), 0, 'the refusals are gone');
    assert.equal(await form.getByLabel('Current password').inputValue(), '', 'the fields are emptied');
    assert.equal(await meStatus(p.page), 200, 'this session stays');
    assert.equal(await meStatus(elsewhere.page), 401, 'the other one ended');
    const login = (password) => fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: PAM.email, password }) }).then((x) => x.status);
    assert.equal(await login(PAM.password), 401);
    assert.equal(await login('pam-password-new'), 200);
    await p.page.screenshot({ path: screenshotPath('team-password-changed'), fullPage: true });
    for (const x of [p, elsewhere]) await x.context.close();
  });

  test('an API token is shown once with a copy button, works, and is revoked after a confirmation', async () => {
    const a = await signIn(browser, server.url, OWNER, { problems });
    await a.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await openTeam(a.page);
    await a.page.locator('#no-tokens').waitFor();
    const form = a.page.locator('#create-token-form');
    // The name is required: said at the field, nothing sent.
    await form.getByRole('button', { name: 'Create token' }).click();
    assert.match(await form.locator('.field-error:not([hidden])').innerText(), /Give the token a name/);
    await form.getByLabel('Name').fill('Door kiosk');
    // A token is never an owner (people and tokens are managed in person): not offered.
    assert.deepEqual(await form.getByLabel('Role').locator('option').allTextContents(), ['Finance', 'Viewer']);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create token' }).click();
    const once = a.page.locator('#token-once');
    await once.waitFor();
    const token = await once.getByLabel('Token for Door kiosk').inputValue();
    assert.match(token, /^tly_[0-9a-f]{64}$/);
    assert.match(await once.innerText(), /You won't see this token again/);
    await assertAccessible(a.page, 'the Team screen with a new token');
    await a.page.screenshot({ path: screenshotPath('team-token-once'), fullPage: true });
    await once.getByRole('button', { name: 'Copy token' }).click();
    await a.page.locator('#token-copied', { hasText: 'Copied.' }).waitFor();
    assert.equal(await a.page.evaluate(() => navigator.clipboard.readText()), token);

    // The token works, as the role given; the server lists it without its text.
    const bearer = (path) => fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    const me = await (await bearer('/api/me')).json();
    assert.equal(me.user.email, 'token:Door kiosk');
    assert.equal(me.user.role, 'viewer');
    const listed = await owner.get('/api/tokens');
    assert.deepEqual(listed.tokens.map((t) => `${t.name} ${t.role}`), ['Door kiosk viewer']);
    assert.equal(JSON.stringify(listed).includes(token), false);
    const rows = a.page.locator('#tokens-table tbody tr');
    assert.match(await rows.filter({ hasText: 'Door kiosk' }).innerText(), /Viewer/);

    // Once: back on the screen, the text is nowhere.
    await a.page.click('nav a[href="#/customers"]');
    await openTeam(a.page);
    await rows.filter({ hasText: 'Door kiosk' }).waitFor();
    assert.equal(await once.count(), 0);
    assert.equal(await a.page.evaluate((t) => document.documentElement.outerHTML.includes(t) || [...document.querySelectorAll('input')].some((i) => i.value === t), token), false);

    // Revoked after a confirmation naming it: refused at once.
    await a.page.getByRole('button', { name: 'Revoke the token Door kiosk' }).click();
    const dialog = a.page.getByRole('dialog', { name: 'Revoke the token Door kiosk?' });
    await dialog.waitFor();
    await assertAccessible(a.page, 'the revoke confirmation');
    await dialog.getByRole('button', { name: 'Revoke Door kiosk' }).click();
    await a.page.locator('#no-tokens').waitFor();
    assert.equal((await bearer('/api/me')).status, 401);
    assert.deepEqual((await owner.get('/api/tokens')).tokens, []);
    await a.context.close();
  });

  test('a finance user sees their own account and no button that could only fail', async () => {
    const f = await signIn(browser, server.url, FAY, { problems });
    const asked = [];
    f.page.on('request', (r) => { if (/\/api\/(users|tokens)/.test(r.url())) asked.push(r.url()); });
    await openTeam(f.page);
    await f.page.locator('#your-account').waitFor();
    assert.match(await f.page.innerText('#your-account'), /fay@example\.com[\s\S]*Finance/);
    assert.match(await f.page.innerText('#ask-an-owner'), /ask an owner/);
    // Their own password is theirs to change; nothing else is offered.
    assert.deepEqual(await f.page.locator('main button').allTextContents(), ['Change password'], 'no add, remove, role, create or revoke button');
    assert.equal(await f.page.locator('main form:not(#change-password-form), #people-table, #tokens-table').count(), 0);
    assert.deepEqual(asked, [], 'the page asks the server nothing it refuses a finance user');
    await assertAccessible(f.page, 'the Team screen (finance)');
    await f.context.close();
  });
});
