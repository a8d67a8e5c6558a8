// Team (with a server only): the people who can sign in to the space and the API tokens
// its machines use, through the server's API (docs/sync.md: GET/POST /api/users, DELETE
// /api/users/{id}, POST /api/users/{id}/role and /password, GET/POST /api/tokens, DELETE
// /api/tokens/{id}; all of it owner only), and everyone's own password (POST
// /api/me/password).
//
// An owner adds a person (e-mail, role, initial password), changes a person's role, sets
// a new password for one who forgot theirs, removes one after a confirmation naming them,
// creates a token (its text shown once, with a copy button) and revokes one after a
// confirmation. Everyone signed in changes their own password (current and new), which
// signs them out everywhere else. The server decides: each refusal (400 with its
// message, 403, 404, 409 for the last owner) is shown in plain words next to the action
// that got it, and nothing else on the screen changes. Anyone else sees their own account
// and who to ask: the API lists people to owners only, so they get no list and no button
// that could only fail, and the page asks the server nothing it would refuse.
//
// The lists are the server's, not the books': a change to the books (a sync) doesn't
// redraw this screen, so a form being filled in or a token being copied stays as it is.

import { h, tableBox } from '../ui/dom.js';
import { field } from '../ui/forms.js';
import { confirmDialog, openModal } from '../ui/dialog.js';

/** The roles, in the order offered, with what each may do (docs/sync.md). */
const ROLES = [
  ['finance', 'Finance', 'enters and corrects payments, invoices and credit, and reads everything'],
  ['viewer', 'Viewer', 'reads the books and changes nothing'],
  ['owner', 'Owner', 'does what finance does, and manages the people and API tokens'],
];
const roleName = (role) => ROLES.find(([r]) => r === role)?.[1] ?? role;
const roleDoes = (role) => ROLES.find(([r]) => r === role)?.[2] ?? '';
const ROLE_OPTIONS = ROLES.map(([value, label]) => [value, label]);
// A token is never an owner: people and tokens are managed by an owner signed in (the
// server refuses an owner token, and an old one manages nothing).
const TOKEN_ROLE_OPTIONS = ROLE_OPTIONS.filter(([value]) => value !== 'owner');

/** A role select whose hint says what the chosen role may do. */
function roleField(name, value, options = ROLE_OPTIONS) {
  const f = field({ label: 'Role', name, type: 'select', options, value, hint: roleDoes(value) });
  const hint = f.el.querySelector('.hint');
  f.input.addEventListener('change', () => { hint.textContent = roleDoes(f.input.value); });
  return f;
}

/** The field a 400's message is about (`email: not an email address` → `email`). */
function fieldOf(error) {
  return error?.code === 'invalid_request' ? /^(\w+):/.exec(error.message ?? '')?.[1] ?? null : null;
}

/** The server's 400 messages about a person or a token, in the panel's words. */
const INVALID = [
  [/^email: not an email address/, 'That is not an e-mail address: it needs a name, an @ and a domain, and no spaces.'],
  [/^password: at least 8 characters/, 'The password is too short: use at least 8 characters.'],
  [/^password: at most/, 'The password is too long: at most 1,024 bytes.'],
  [/^name: 1 to 100 bytes/, 'Give the token a name of 1 to 100 characters (bytes).'],
  [/^name: no control characters/, 'The name can\'t hold control characters (tabs, line breaks).'],
  [/^role:/, 'Choose one of the roles offered.'],
  [/^current_password:/, 'That is not your current password. Nothing was changed.'],
  [/^new_password: at least 8 characters/, 'The new password is too short: use at least 8 characters.'],
  [/^new_password: at most/, 'The new password is too long: at most 1,024 bytes.'],
  [/^user: this is you/, 'To change your own password, use "Your password" with your current one.'],
];

/**
 * A refusal of the server in plain words. `doing` completes "… so <doing> didn't
 * happen"; `conflict` and `notFound` word this action's 409 and 404.
 */
function refusalWords(error, { doing, conflict, notFound } = {}) {
  switch (error?.code) {
    case 'offline': return `The server can't be reached, so ${doing} didn't happen. Check the connection and try again.`;
    case 'unauthorized': return `Your session has ended, so ${doing} didn't happen. Sign in again (Sync, Sign in again), then try again.`;
    case 'forbidden': case 'bad_origin': return `The server refused: only an owner can do this, and it doesn't count this session as an owner's. Nothing was changed.`;
    case 'conflict': return conflict ?? `The server refused: ${error.message}. Nothing was changed.`;
    case 'not_found': return notFound ?? `The server has no such record (${error.message}). Nothing was changed.`;
    case 'rate_limited': return `The server asks to wait ${Math.ceil((error.retryAfterMs || 60000) / 1000)} seconds. Nothing was changed.`;
    case 'unavailable': return `The server couldn't do it just now (${error.message}). Nothing was changed: try again in a moment.`;
    case 'invalid_request': {
      const known = INVALID.find(([re]) => re.test(error.message ?? ''));
      return known ? known[1] : `The server refused: ${error.message}. Nothing was changed.`;
    }
    default: return `The server refused (${error?.message ?? error}). Nothing was changed.`;
  }
}

/** A message slot next to an action (a live alert when shown). */
function slot(id) {
  return h('p', { class: 'field-error', id, role: 'alert', hidden: true });
}
function say(el, text) {
  el.textContent = text;
  el.hidden = !text;
}

export function render(ctx) {
  const me = ctx.user ?? {};
  if (me.role !== 'owner') return readOnly(ctx);
  const { transport } = ctx;
  let gone = false; // the screen was left: late answers only update detached nodes

  // ---- People ----
  const peopleTitle = h('h2', { id: 'people-title', tabindex: -1 }, 'People');
  const peopleBody = h('div', { id: 'people', 'aria-busy': 'true' }, h('p', { class: 'empty' }, 'Loading the people…'));
  let users = [];

  function personRow(u) {
    const self = u.id === me.id;
    const onlyOwner = u.role === 'owner' && users.filter((x) => x.role === 'owner').length === 1;
    // The space's only owner can't leave it nor stop being an owner (the server keeps
    // one): no control that can only fail, but what to do instead. (A list grown stale
    // still gets the server's 409.)
    if (self && onlyOwner) {
      return h('tr', { dataset: { id: String(u.id) } },
        h('th', { scope: 'row' }, u.email, h('span', { class: 'badge badge-you' }, 'you')),
        h('td', {}, roleName(u.role), h('span', { class: 'sub' }, roleDoes(u.role))),
        h('td', { class: 'row-actions' }, h('span', { class: 'sub', id: 'only-owner' }, 'The only owner: to leave or change your role, make another person an owner first.')));
    }
    const error = slot(`remove-user-${u.id}-error`);
    const remove = h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', 'aria-describedby': error.id,
      on: { click: () => removePerson(u, remove, error) } },
    'Remove', h('span', { class: 'visually-hidden' }, ` ${u.email}`));
    const reset = self ? null : h('button', { type: 'button', class: 'btn btn-small', 'aria-describedby': error.id,
      on: { click: () => resetPassword(u, reset, error) } },
    'Set password', h('span', { class: 'visually-hidden' }, ` for ${u.email}`));
    return h('tr', { dataset: { id: String(u.id) } },
      h('th', { scope: 'row' }, u.email, self ? h('span', { class: 'badge badge-you' }, 'you') : null),
      roleCell(u, self),
      h('td', { class: 'row-actions' }, reset, remove, error));
  }

  /** A person's role, as a select and a Change role button; the server's refusal beside them. */
  function roleCell(u, self) {
    const selectId = `role-of-${u.id}`;
    const error = slot(`role-user-${u.id}-error`);
    const select = h('select', { id: selectId, name: selectId, 'aria-describedby': `role-does-${u.id} ${error.id}` },
      ROLE_OPTIONS.map(([v, text]) => h('option', { value: v }, text)));
    select.value = u.role;
    const does = h('span', { class: 'sub', id: `role-does-${u.id}` }, roleDoes(u.role));
    const change = h('button', { type: 'button', class: 'btn btn-small', disabled: true, 'aria-describedby': error.id,
      on: { click: () => changeRole(u, select, change, error, self) } },
    'Change role', h('span', { class: 'visually-hidden' }, ` of ${u.email}`));
    select.addEventListener('change', () => {
      does.textContent = roleDoes(select.value);
      change.disabled = select.value === u.role;
      say(error, '');
    });
    return h('td', { class: 'role-cell' },
      h('label', { for: selectId, class: 'visually-hidden' }, `Role of ${u.email}`),
      h('div', { class: 'role-change' }, select, change),
      does, error);
  }

  async function changeRole(u, select, button, error, self) {
    say(error, '');
    const role = select.value;
    if (self) {
      const ok = await confirmDialog({
        title: `Make yourself ${roleName(role).toLowerCase()}?`,
        body: h('p', {}, `You will no longer manage the people and API tokens of ${ctx.space?.name ?? 'this space'}: only another owner can make you an owner again. This page reloads with your new role.`),
        confirmLabel: `Make me ${roleName(role).toLowerCase()}`,
        danger: true,
      });
      if (!ok) return;
    }
    button.disabled = true;
    let user;
    try {
      ({ user } = await transport.setRole(u.id, role));
    } catch (e) {
      button.disabled = false;
      say(error, refusalWords(e, {
        doing: `changing the role of ${u.email}`,
        conflict: `${u.email} is the space's last owner, and a space keeps at least one: make another person an owner first. Nothing was changed.`,
        notFound: `${u.email} is no longer in this space (removed meanwhile, perhaps by another owner). Nothing else was changed.`,
      }));
      button.focus();
      return;
    }
    if (self) { location.reload(); return; }
    ctx.announce(`${user.email} is now ${roleName(user.role).toLowerCase()}: it holds on their open sessions from their next request.`);
    if (gone) return;
    users = users.map((x) => (x.id === user.id ? user : x));
    drawPeople();
    document.getElementById(`role-of-${user.id}`)?.focus();
  }

  /** An owner sets a new password for a person who forgot theirs: a small form in a dialog. */
  async function resetPassword(u, button, error) {
    say(error, '');
    const password = field({ label: `New password for ${u.email}`, name: 'reset-password', type: 'password', required: true,
      attrs: { autocomplete: 'new-password' }, hint: 'At least 8 characters. Give it to them by a way only they read. They are signed out wherever they are signed in.' });
    const formError = slot(`reset-user-${u.id}-error`);
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Set password');
    const form = h('form', { class: 'form', novalidate: true },
      password.el,
      formError,
      h('div', { class: 'modal-actions' }, cancel, submit));
    const modal = openModal({ title: `Set a new password for ${u.email}`, content: form, initialFocus: password.input });
    cancel.addEventListener('click', () => modal.close(null));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors({ password }); say(formError, '');
      if (!password.input.value) return fieldError(password, 'Choose a password for them (at least 8 characters).');
      submit.disabled = true;
      try {
        const done = await transport.resetPassword(u.id, password.input.value);
        modal.close(done);
      } catch (e) {
        const text = refusalWords(e, {
          doing: `setting the password of ${u.email}`,
          notFound: `${u.email} is no longer in this space (removed meanwhile, perhaps by another owner). Nothing else was changed.`,
        });
        if (fieldOf(e) === 'password') fieldError(password, text);
        else { say(formError, text); submit.focus(); }
      } finally {
        submit.disabled = false;
      }
    });
    const done = await modal.closed;
    if (!done) return;
    ctx.announce(`${u.email} has a new password and was signed out${done.sessions_ended ? ` of ${done.sessions_ended} session${done.sessions_ended === 1 ? '' : 's'}` : ''}.`);
    if (!gone) button.focus();
  }

  function drawPeople() {
    peopleBody.removeAttribute('aria-busy');
    // The only owner alone has no button in the table: then the box itself takes the focus.
    peopleBody.replaceChildren(tableBox('People', h('table', { class: 'list', id: 'people-table' },
      h('caption', { class: 'hint' }, `${users.length} ${users.length === 1 ? 'person signs' : 'people sign'} in to ${ctx.space?.name ?? 'this space'}.`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'E-mail'), h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, users.map(personRow)))));
  }

  function loadFailed(body, what, error, retry) {
    body.removeAttribute('aria-busy');
    body.replaceChildren(
      h('p', { class: 'error', role: 'alert' }, refusalWords(error, { doing: `showing the ${what}` })),
      h('button', { type: 'button', class: 'btn', on: { click: retry } }, 'Try again'));
  }

  async function loadPeople() {
    try {
      users = (await transport.users()).users;
      drawPeople();
      return true;
    } catch (error) {
      loadFailed(peopleBody, 'people', error, loadPeople);
      return false;
    }
  }

  async function removePerson(u, button, error) {
    say(error, '');
    const self = u.id === me.id;
    const pending = ctx.store?.status?.pending ?? 0;
    const ok = await confirmDialog({
      title: `Remove ${u.email}?`,
      body: [
        h('p', {}, `${u.email} (${roleName(u.role).toLowerCase()}) will no longer be able to sign in, and is signed out wherever they are signed in. What they entered stays in the books, under their e-mail.`),
        self ? h('p', { class: 'warning' }, `This is you: this browser is signed out at once${pending ? `, and the ${pending} change${pending === 1 ? '' : 's'} not yet sent from it will never reach the server` : ''}.`) : null,
      ],
      confirmLabel: `Remove ${u.email}`,
      danger: true,
    });
    if (!ok) return;
    button.disabled = true;
    try {
      await transport.removeUser(u.id);
    } catch (e) {
      button.disabled = false;
      say(error, refusalWords(e, {
        doing: `removing ${u.email}`,
        conflict: `${u.email} is the space's last owner, and a space keeps at least one: add another owner first, then remove ${self ? 'yourself' : 'them'}. Nothing was changed.`,
        notFound: `${u.email} is no longer in this space (removed meanwhile, perhaps by another owner). Nothing else was changed.`,
      }));
      button.focus();
      return;
    }
    if (self) { ctx.endSession?.(); return; }
    ctx.announce(`${u.email} was removed: they can no longer sign in.`);
    if (gone) return;
    users = users.filter((x) => x.id !== u.id);
    drawPeople();
    peopleTitle.focus();
  }

  // Adding a person.
  const addEmail = field({ label: 'E-mail', name: 'email', type: 'email', required: true, attrs: { autocomplete: 'off' }, hint: 'They sign in with it.' });
  const addRole = roleField('role', 'finance');
  const addPassword = field({ label: 'Initial password', name: 'password', type: 'password', required: true, attrs: { autocomplete: 'new-password' },
    hint: 'At least 8 characters. Give it to them yourself, by a way only they read: they sign in with it.' });
  const addFields = { email: addEmail, role: addRole, password: addPassword };
  const addError = slot('add-user-error');
  const addDone = h('p', { class: 'result-line', id: 'add-user-done', role: 'status' });
  const addButton = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add person');

  function clearFieldErrors(fields) {
    for (const f of Object.values(fields)) { say(f.error, ''); f.input.removeAttribute('aria-invalid'); }
  }
  function fieldError(f, text) {
    say(f.error, text);
    f.input.setAttribute('aria-invalid', 'true');
    f.input.focus();
  }

  const addForm = h('form', { class: 'form', id: 'add-user-form', novalidate: true, 'aria-labelledby': 'add-user-title', on: { submit: async (event) => {
    event.preventDefault();
    clearFieldErrors(addFields); say(addError, ''); addDone.textContent = '';
    const email = addEmail.input.value.trim();
    if (!email) return fieldError(addEmail, 'Enter their e-mail address.');
    if (!addPassword.input.value) return fieldError(addPassword, 'Choose a password for them (at least 8 characters).');
    addButton.disabled = true;
    try {
      const { user } = await transport.addUser(email, addPassword.input.value, addRole.input.value);
      ctx.announce(`${user.email} was added as ${roleName(user.role).toLowerCase()}.`);
      addDone.textContent = `Added ${user.email} (${roleName(user.role).toLowerCase()}). They can sign in now, at this page's address, with the password you chose.`;
      addEmail.input.value = '';
      addPassword.input.value = '';
      if (!gone) {
        users = [...users.filter((x) => x.id !== user.id), user];
        drawPeople();
        addEmail.input.focus();
      }
    } catch (e) {
      const where = e.code === 'conflict' ? 'email' : fieldOf(e);
      const text = refusalWords(e, {
        doing: `adding ${email}`,
        conflict: users.some((x) => x.email === email.toLowerCase())
          ? `${email} is already one of this space's people. Nothing was changed.`
          : `${email} already has an account on this server (in another space): use another address. Nothing was changed.`,
      });
      if (addFields[where]) fieldError(addFields[where], text);
      else { say(addError, text); addButton.focus(); }
    } finally {
      addButton.disabled = false;
    }
  } } },
  h('div', { class: 'grid' }, addEmail.el, addRole.el, addPassword.el),
  h('div', { class: 'form-actions' }, addButton, addError),
  addDone);

  // ---- API tokens ----
  const tokensTitle = h('h2', { id: 'tokens-title', tabindex: -1 }, 'API tokens');
  const tokensBody = h('div', { id: 'tokens', 'aria-busy': 'true' }, h('p', { class: 'empty' }, 'Loading the tokens…'));
  const shownOnce = h('div', { id: 'token-once-area' });
  let tokens = [];

  function tokenRow(t) {
    const error = slot(`revoke-token-${t.id}-error`);
    const revoke = h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', 'aria-describedby': error.id,
      on: { click: () => revokeToken(t, revoke, error) } },
    'Revoke', h('span', { class: 'visually-hidden' }, ` the token ${t.name}`));
    return h('tr', { dataset: { id: String(t.id) } },
      h('th', { scope: 'row' }, t.name),
      h('td', {}, roleName(t.role), h('span', { class: 'sub' }, roleDoes(t.role))),
      h('td', { class: 'row-actions' }, revoke, error));
  }

  function drawTokens() {
    tokensBody.removeAttribute('aria-busy');
    tokensBody.replaceChildren(tokens.length === 0
      ? h('p', { class: 'empty', id: 'no-tokens' }, 'No API tokens: no machine signs in to this space.')
      : h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'tokens-table' },
        h('caption', { class: 'visually-hidden' }, 'API tokens of this space'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', {}, tokens.map(tokenRow)))));
  }

  async function loadTokens() {
    try {
      tokens = (await transport.tokens()).tokens;
      drawTokens();
      return true;
    } catch (error) {
      loadFailed(tokensBody, 'API tokens', error, loadTokens);
      return false;
    }
  }

  async function revokeToken(t, button, error) {
    say(error, '');
    const ok = await confirmDialog({
      title: `Revoke the token ${t.name}?`,
      body: h('p', {}, `Whatever uses the token ${t.name} (${roleName(t.role).toLowerCase()}) is refused from its next request on. A revoked token can't be brought back: a machine that still needs access gets a new token.`),
      confirmLabel: `Revoke ${t.name}`,
      danger: true,
    });
    if (!ok) return;
    button.disabled = true;
    try {
      await transport.revokeToken(t.id);
    } catch (e) {
      button.disabled = false;
      say(error, refusalWords(e, {
        doing: `revoking ${t.name}`,
        notFound: `The token ${t.name} is no longer on the server (revoked meanwhile, perhaps by another owner). Nothing else was changed.`,
      }));
      button.focus();
      return;
    }
    ctx.announce(`The token ${t.name} was revoked.`);
    if (gone) return;
    tokens = tokens.filter((x) => x.id !== t.id);
    drawTokens();
    tokensTitle.focus();
  }

  /** The new token's text, shown this once: nothing keeps it but this box. */
  function showOnce(created) {
    const copied = h('p', { class: 'hint', id: 'token-copied', role: 'status' });
    const text = field({ label: `Token for ${created.name}`, name: 'token', value: created.token, className: 'token-text',
      hint: 'The server keeps only a fingerprint of it: if it is lost, revoke it and create another.',
      attrs: { readonly: true, autocomplete: 'off', spellcheck: 'false' } });
    text.input.setAttribute('aria-describedby', `token-once-warning ${text.input.getAttribute('aria-describedby')}`);
    text.input.addEventListener('focus', () => text.input.select());
    const copy = h('button', { type: 'button', class: 'btn btn-primary', id: 'copy-token', on: { click: async () => {
      try {
        await navigator.clipboard.writeText(created.token);
        copied.textContent = 'Copied.';
      } catch {
        text.input.focus();
        text.input.select();
        copied.textContent = 'The browser didn\'t let the page copy it: the token is selected, press Ctrl+C (⌘C on a Mac).';
      }
    } } }, 'Copy token');
    const done = h('button', { type: 'button', class: 'btn', on: { click: () => { shownOnce.replaceChildren(); tokensTitle.focus(); } } }, 'Done, hide it');
    const title = h('h3', { id: 'token-once-title', tabindex: -1 }, `New token: ${created.name} (${roleName(created.role).toLowerCase()})`);
    shownOnce.replaceChildren(h('section', { class: 'token-once', id: 'token-once', 'aria-labelledby': 'token-once-title' },
      title,
      h('p', { class: 'warning', id: 'token-once-warning' }, h('strong', {}, 'You won\'t see this token again.'), ' Copy it now into the machine\'s settings: once this box is hidden or you leave this screen, it is gone from the page.'),
      text.el,
      h('div', { class: 'actions' }, copy, done),
      copied));
    title.focus();
  }

  const tokenName = field({ label: 'Name', name: 'token-name', required: true, attrs: { autocomplete: 'off', maxlength: 100 }, hint: 'What uses it, e.g. "Door kiosk" or "Accounting export". Its entries are marked token:<name>.' });
  const tokenRole = roleField('token-role', 'viewer', TOKEN_ROLE_OPTIONS);
  const tokenFields = { name: tokenName, role: tokenRole };
  const tokenError = slot('create-token-error');
  const tokenButton = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create token');
  const tokenForm = h('form', { class: 'form', id: 'create-token-form', novalidate: true, 'aria-labelledby': 'create-token-title', on: { submit: async (event) => {
    event.preventDefault();
    clearFieldErrors(tokenFields); say(tokenError, '');
    const name = tokenName.input.value.trim();
    if (!name) return fieldError(tokenName, 'Give the token a name: what will use it.');
    tokenButton.disabled = true;
    try {
      const created = await transport.createToken(name, tokenRole.input.value);
      ctx.announce(`The token ${created.name} was created: copy it now.`);
      tokenName.input.value = '';
      if (gone) return;
      tokens = [...tokens.filter((x) => x.id !== created.id), { id: created.id, name: created.name, role: created.role }];
      drawTokens();
      showOnce(created);
    } catch (e) {
      const text = refusalWords(e, { doing: `creating the token ${name}` });
      const where = fieldOf(e);
      if (tokenFields[where]) fieldError(tokenFields[where], text);
      else { say(tokenError, text); tokenButton.focus(); }
    } finally {
      tokenButton.disabled = false;
    }
  } } },
  h('div', { class: 'grid' }, tokenName.el, tokenRole.el),
  h('div', { class: 'form-actions' }, tokenButton, tokenError));

  const node = h('section', { class: 'screen team' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Team')),
    h('p', { class: 'lead' }, `The people who sign in to ${ctx.space?.name ?? 'this space'}, and the API tokens its machines use. You are signed in as ${me.email} (owner).`),
    h('section', { class: 'panel', 'aria-labelledby': 'people-title' },
      peopleTitle,
      peopleBody,
      h('h3', { id: 'add-user-title' }, 'Add a person'),
      addForm),
    passwordSection(ctx),
    h('section', { class: 'panel', 'aria-labelledby': 'tokens-title' },
      tokensTitle,
      h('p', { class: 'hint' }, 'A machine (a script, a door kiosk, an export job) signs in with a token instead of a password: Authorization: Bearer <token>.'),
      shownOnce,
      tokensBody,
      h('h3', { id: 'create-token-title' }, 'New API token'),
      tokenForm));

  loadPeople();
  loadTokens();
  return {
    node,
    title: 'Team',
    onStoreChange() { /* the books changed: nothing here is drawn from them */ },
    destroy() { gone = true; },
  };
}

/** Anyone but an owner: their own account, and who manages the others. */
function readOnly(ctx) {
  const me = ctx.user ?? {};
  const node = h('section', { class: 'screen team' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Team')),
    h('p', { class: 'lead' }, `The people of ${ctx.space?.name ?? 'this space'} and its API tokens are managed by its owners.`),
    h('section', { class: 'panel', 'aria-labelledby': 'you-title' },
      h('h2', { id: 'you-title' }, 'Your account'),
      h('dl', { class: 'explain', id: 'your-account' },
        h('dt', {}, 'E-mail'), h('dd', {}, me.email ?? '?'),
        h('dt', {}, 'Role'), h('dd', {}, `${roleName(me.role)}: ${roleDoes(me.role) || 'as the server grants it'}`))),
    passwordSection(ctx),
    h('p', { id: 'ask-an-owner' }, 'Only an owner sees who else signs in, adds or removes a person, changes a role, and creates or revokes API tokens. To add a colleague, change what someone may do, or remove someone who left, ask an owner of the space.'));
  return { node, title: 'Team', onStoreChange() {} };
}

/**
 * The signed-in person's own password: the current one and a new one (typed twice). The
 * server ends their other sessions; this browser stays signed in.
 */
function passwordSection(ctx) {
  const { transport } = ctx;
  const current = field({ label: 'Current password', name: 'current-password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const next = field({ label: 'New password', name: 'new-password', type: 'password', required: true, attrs: { autocomplete: 'new-password' },
    hint: 'At least 8 characters. You are signed out everywhere else; this browser stays signed in.' });
  const again = field({ label: 'New password, again', name: 'new-password-again', type: 'password', required: true, attrs: { autocomplete: 'new-password' } });
  const fields = { current_password: current, new_password: next, again };
  const error = slot('change-password-error');
  const done = h('p', { class: 'result-line', id: 'change-password-done', role: 'status' });
  const button = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change password');
  const show = (f, text) => { say(f.error, text); f.input.setAttribute('aria-invalid', 'true'); f.input.focus(); };
  const form = h('form', { class: 'form', id: 'change-password-form', novalidate: true, 'aria-labelledby': 'password-title', on: { submit: async (event) => {
    event.preventDefault();
    for (const f of Object.values(fields)) { say(f.error, ''); f.input.removeAttribute('aria-invalid'); }
    say(error, ''); done.textContent = '';
    if (!current.input.value) return show(current, 'Enter your current password.');
    if (!next.input.value) return show(next, 'Choose a new password (at least 8 characters).');
    if (again.input.value !== next.input.value) return show(again, 'The two new passwords differ: type the new one again.');
    button.disabled = true;
    try {
      const { sessions_ended: ended } = await transport.changePassword(current.input.value, next.input.value);
      for (const f of Object.values(fields)) f.input.value = '';
      const elsewhere = ended ? `${ended} other session${ended === 1 ? ' was' : 's were'} signed out` : 'no other session was open';
      done.textContent = `Your password was changed: ${elsewhere}. This browser stays signed in.`;
      ctx.announce('Your password was changed.');
    } catch (e) {
      const text = refusalWords(e, {
        doing: 'changing your password',
        conflict: 'Your password was changed meanwhile (in another session, or by an owner): sign out, and sign in with the new one. Nothing was changed here.',
      });
      const where = fieldOf(e);
      if (fields[where]) show(fields[where], text);
      else { say(error, text); button.focus(); }
    } finally {
      button.disabled = false;
    }
  } } },
  h('div', { class: 'grid' }, current.el, next.el, again.el),
  h('div', { class: 'form-actions' }, button, error),
  done);
  return h('section', { class: 'panel', 'aria-labelledby': 'password-title' },
    h('h2', { id: 'password-title' }, 'Your password'),
    form);
}
