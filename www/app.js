// Tally's admin panel: opens the ledger (IndexedDB store over the wasm engine) and
// shows one screen at a time, chosen by the URL hash (#/customers, #/customers/ID,
// #/customers/ID/statement, #/payments/new, #/invoices/new, #/invoices/ID, #/corrections, #/reports, #/data,
// and #/sync, #/team, #/sign-in when the page is served by a Tally server).
//
// Served by a Tally server (`GET /api/me` answers 200 or 401), the books are the
// server's: the page signs in and opens the synced store (www/sync.js) over this
// browser's IndexedDB copy. Served statically (404), everything stays in this browser.
//
// Why no framework: the page is a handful of screens of forms and tables; the store
// already tells us when anything changes (store.subscribe), and queries are synchronous
// and cheap, so "rebuild the screen from the ledger" is all the state management
// needed. A framework would add more bytes than the whole panel (this is plain ES
// modules, no build step) and a second model of the data to keep in step. Elements are
// built with createElement/textContent only (ui/dom.js), so nothing a customer typed is
// ever parsed as HTML, and the strict Content-Security-Policy (no inline script or
// style) holds without exceptions.

import { openStore, backupOf } from './store.js';
import { httpTransport } from './sync-transport.js';
import { statusWords } from './ui/sync-words.js';
import { confirmDialog } from './ui/dialog.js';
import { h, replace } from './ui/dom.js';
import { todayISO, counted } from './ui/format.js';
import { healthNotice } from './ui/health.js';

import * as customers from './views/customers.js';
import * as customer from './views/customer.js';
import * as payment from './views/payment.js';
import * as invoiceNew from './views/invoice-new.js';
import * as invoice from './views/invoice.js';
import * as invoiceList from './views/invoice-list.js';
import * as paymentList from './views/payment-list.js';
import * as statement from './views/statement.js';
import * as corrections from './views/corrections.js';
import * as reports from './views/reports.js';
import * as data from './views/data.js';
import * as syncView from './views/sync.js';
import * as team from './views/team.js';
import * as signIn from './views/sign-in.js';

const ROUTES = [
  { pattern: /^\/customers$/, view: customers, nav: 'customers' },
  { pattern: /^\/customers\/([^/]+)$/, view: customer, nav: 'customers' },
  { pattern: /^\/customers\/([^/]+)\/statement$/, view: statement, nav: 'customers' },
  { pattern: /^\/payments$/, view: paymentList, nav: 'payment-list' },
  { pattern: /^\/payments\/new$/, view: payment, nav: 'payments' },
  { pattern: /^\/invoices$/, view: invoiceList, nav: 'invoice-list' },
  { pattern: /^\/invoices\/new$/, view: invoiceNew, nav: 'invoices' },
  { pattern: /^\/invoices\/([^/]+)$/, view: invoice, nav: 'invoice-list' },
  { pattern: /^\/corrections$/, view: corrections, nav: 'corrections' },
  { pattern: /^\/reports$/, view: reports, nav: 'reports' },
  { pattern: /^\/data$/, view: data, nav: 'data' },
  { pattern: /^\/sync$/, view: syncView, nav: 'sync' },
  // The server's people and tokens: no such screen in the browser-only panel.
  { pattern: /^\/team$/, view: team, nav: 'team', server: true },
  { pattern: /^\/sign-in$/, view: signIn, nav: 'sync' },
];

/** Screens that change the books: a viewer gets a notice instead. */
const WRITE_SCREENS = /^\/(payments\/new|invoices\/new|corrections)$/;

const main = document.getElementById('view');
const statusEl = document.getElementById('status');

/** Says something in the status line (a polite live region). */
function announce(text, kind = 'info') {
  statusEl.textContent = text;
  statusEl.className = `status status-${kind}`;
}

/** Shows (or clears) the store's report of damage or repair under the status line. */
function showHealth(store) {
  document.getElementById('health')?.remove();
  const notice = healthNotice(store, announce);
  if (notice) statusEl.after(notice);
}

const KEEP_EMPTY = 'tally.keepEmpty';

/** The demo space: about forty customers' year, dated up to today. */
export async function demoBackup(today) {
  const { demoCommands } = await import('./demo.js');
  return backupOf(demoCommands({ today }));
}

let current = null;
let currentKey = '';

/**
 * The first screen's queries (the Customers screen's), whose answers the store keeps for
 * the next open (store-figures.js): at a million commands the engine takes seconds to
 * restore, and the screen is drawn from them meanwhile.
 */
const FIRST_SCREEN = [{ type: 'customers' }];

/**
 * Draws the Customers screen from the figures the store kept (the engine's answers for
 * the books as stored, never computed here), read only, while the engine is restored;
 * the open then draws it again from the engine. Other screens wait for the engine.
 */
function showStoredFigures(figures) {
  if (current || parseHash().path !== '/customers' || !figures.answer(FIRST_SCREEN[0])?.ok) return;
  const early = { store: { query: (q) => figures.answer(q), seq: figures.seq }, today: todayISO(), announce, go() {}, rerender() {} };
  let screen;
  try {
    screen = customers.render(early);
  } catch (error) {
    console.warn('tally: the stored figures could not be shown', error);
    return;
  }
  current = screen;
  currentKey = parseHash().key;
  document.documentElement.dataset.state = 'opening';
  announce(`Opening the books (${counted(figures.seq, 'record')}): the figures are shown as stored; they can be changed in a moment.`);
  replace(main, current.node);
  document.title = `${current.title} · Tally`;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/customers';
  const [path, search = ''] = raw.split('?');
  return { path, query: new URLSearchParams(search), key: raw };
}

function render(ctx, { focus = true } = {}) {
  if (location.hash && !location.hash.startsWith('#/')) return; // in-page anchors
  const { path, query, key } = parseHash();
  const route = ROUTES.find((r) => r.pattern.test(path) && (!r.server || ctx.user));
  current?.destroy?.();
  current = null;
  currentKey = key;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (route && a.dataset.nav === route.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (route && ctx.user?.role === 'viewer' && WRITE_SCREENS.test(path)) {
    current = { node: h('section', { class: 'screen' }, h('h1', { tabindex: -1 }, 'Read only'), h('p', {}, 'Your role (viewer) can read the books but not change them. ', h('a', { href: '#/customers' }, 'Go to the customers.'))), title: 'Read only' };
  } else if (!route) {
    current = { node: h('section', {}, h('h1', { tabindex: -1 }, 'Page not found'), h('p', {}, 'There is no screen at this address. ', h('a', { href: '#/customers' }, 'Go to the customers.'))), title: 'Not found' };
  } else {
    const params = path.match(route.pattern).slice(1).map(decodeURIComponent);
    try {
      current = route.view.render(ctx, { params, query });
    } catch (error) {
      console.error(error);
      current = { node: h('section', {}, h('h1', { tabindex: -1 }, 'Something went wrong'), h('p', { class: 'error' }, error.message)), title: 'Error' };
    }
  }
  replace(main, current.node);
  document.title = `${current.title} · Tally`;
  if (focus) (main.querySelector('h1') ?? main).focus({ preventScroll: false });
}

function onStoreChange(ctx, event) {
  if (event.source === 'closed') {
    announce('This tab was closed from the ledger (another tab upgraded it). Reload the page to go on.', 'error');
    return;
  }
  if (event.source === 'damaged' || event.source === 'replaced' || event.source === 'imported') showHealth(ctx.store);
  if (event.source === 'replaced') announce('Another tab replaced the ledger (a backup was imported or the ledger reset): this tab now shows the new one.');
  if (event.source === 'error') {
    announce(`The ledger reported a problem: ${event.error?.message ?? event.error}. Reload the page.`, 'error');
    return;
  }
  if (!current) return;
  if (current.onStoreChange) current.onStoreChange(event);
  else {
    // Rebuild the screen in place: same scroll position, focus back on the same control.
    const y = window.scrollY;
    const active = document.activeElement;
    const id = active?.id;
    const name = active?.getAttribute?.('name');
    render(ctx, { focus: false });
    window.scrollTo(0, y);
    const again = (id && document.getElementById(id)) || (name && main.querySelector(`[name="${CSS.escape(name)}"]`));
    again?.focus({ preventScroll: true });
  }
}

const SESSION = 'tally.session';

/**
 * Is the page served by a Tally server, and who is signed in? `GET /api/me`: 200 signed
 * in, 401 not, 404 a static server (no sync). Unreachable: the last session, so the
 * books open offline and pending commands wait.
 */
async function findServer(transport) {
  let me;
  try { me = await transport.me(); } catch { me = { status: 0 }; }
  if (me.status === 200) {
    localStorage.setItem(SESSION, JSON.stringify({ user: me.user, space: me.space }));
    return { mode: 'server', user: me.user, space: me.space };
  }
  if (me.status === 401) return { mode: 'sign-in' };
  if (me.status === 404) return { mode: 'local' };
  const last = JSON.parse(localStorage.getItem(SESSION) ?? 'null');
  if (last?.user && last?.space) return { mode: 'server', user: last.user, space: last.space };
  return { mode: 'unreachable' };
}

/** The header's sync status (a polite live region), who is signed in, and sign-out. */
function syncHeader(ctx) {
  const line = h('a', { href: '#/sync', id: 'sync-status', class: 'sync-status', 'aria-live': 'polite' });
  const who = h('span', { class: 'who' }, `${ctx.user.email} · ${ctx.user.role}`);
  const signOut = h('button', { type: 'button', class: 'btn btn-small', id: 'sign-out', on: { click: async () => {
    const waiting = ctx.store.status.pending;
    if (waiting > 0 && !(await confirmDialog({
      title: 'Sign out?',
      body: [h('p', {}, `${waiting} change${waiting === 1 ? ' has' : 's have'} not reached the server yet. They stay in this browser and are sent the next time you sign in here.`)],
      confirmLabel: 'Sign out',
    }))) return;
    try { await ctx.transport.logout(); } catch { /* the session ends on the server when it can */ }
    ctx.endSession();
  } } }, 'Sign out');
  const box = h('div', { class: 'sync-box' }, line, who, signOut);
  document.querySelector('.app-header').append(box);
  const show = (status) => {
    const refused = status.refused ? ` · ${status.refused} refused when synced: see Sync` : '';
    const text = statusWords(status) + refused;
    if (line.textContent !== text) line.textContent = text;
    line.className = `sync-status sync-${status.state}${status.refused ? ' sync-refused' : ''}`;
    document.documentElement.dataset.sync = status.state;
  };
  show(ctx.store.status);
  ctx.store.onStatus(show);
}

async function start() {
  document.querySelector('.skip-link')?.addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
  const transport = httpTransport();
  const server = await findServer(transport);
  if (server.mode === 'sign-in' || server.mode === 'unreachable') {
    document.querySelector('.app-header nav').hidden = true;
    const ctx = { transport, signedIn: () => { location.hash = ''; location.reload(); } };
    if (server.mode === 'unreachable') announce('The server can\'t be reached. Check your connection and reload the page.', 'error');
    else announce('Sign in to open the books.');
    current = signIn.render(ctx);
    replace(main, current.node);
    document.title = 'Sign in · Tally';
    document.documentElement.dataset.state = 'sign-in';
    return;
  }
  let store;
  try {
    if (server.mode === 'server') {
      // The sync part is loaded only when a server serves the page.
      const [{ openSyncedStore }, { idbSyncStorage }] = await Promise.all([import('./sync.js'), import('./sync-storage.js')]);
      const local = await openStore({ name: `tally-${server.space.id}-${server.user.id}` });
      store = await openSyncedStore(idbSyncStorage(local), transport, { user: server.user });
    } else {
      store = await openStore({ name: 'tally', figures: FIRST_SCREEN, onFigures: showStoredFigures });
    }
  } catch (error) {
    announce(`The ledger could not be opened: ${error.message}`, 'error');
    document.documentElement.dataset.state = 'failed';
    return;
  }
  showHealth(store);
  const today = todayISO();
  const ctx = {
    store,
    today,
    announce,
    go(route) {
      if (location.hash === `#${route}`) render(ctx);
      else location.hash = `#${route}`;
    },
    rerender() { render(ctx, { focus: false }); },
    demoBackup: () => demoBackup(todayISO()),
    keepEmpty(on) { if (on) localStorage.setItem(KEEP_EMPTY, '1'); else localStorage.removeItem(KEEP_EMPTY); },
    transport,
    user: server.user ?? null,
    space: server.space ?? null,
    // Signed in again after the session ended: sync at once, back to the books.
    signedIn() { store.syncNow(); ctx.go('/customers'); },
    // The session is over (signed out, or the account removed): start again at sign-in.
    endSession() {
      localStorage.removeItem(SESSION);
      location.hash = '';
      location.reload();
    },
  };
  window.tally = ctx; // for the console and the end-to-end tests

  if (server.mode === 'server') {
    document.documentElement.dataset.role = server.user.role;
    const nav = document.querySelector('.app-header nav ul');
    nav.append(h('li', {}, h('a', { href: '#/team', 'data-nav': 'team' }, 'Team')), h('li', {}, h('a', { href: '#/sync', 'data-nav': 'sync' }, 'Sync')));
    syncHeader(ctx);
    announce(`Signed in as ${server.user.email}. The books are kept on the server; this browser holds a copy${store.status.pending ? ` and ${store.status.pending} change${store.status.pending === 1 ? '' : 's'} not yet sent` : ''}.`);
  } else if (store.seq === 0 && store.health.status === 'ok' && !localStorage.getItem(KEEP_EMPTY)) {
    announce('Setting up the demo space…');
    try {
      const { demoCommands } = await import('./demo.js');
      const answers = await store.applyMany(demoCommands({ today }));
      const refused = answers.filter((a) => !a.ok);
      if (refused.length) console.warn('tally: demo commands refused', refused);
      announce(`Demo space loaded: ${counted(answers.length - refused.length, 'record')}. Reset or replace it under Data.`);
    } catch (error) {
      announce(`The demo space could not be loaded: ${error.message}`, 'error');
    }
  } else if (store.health.status !== 'ok') {
    announce(`The ledger opened with ${counted(store.seq, 'record')} and a problem, explained below.`, store.health.writable ? 'info' : 'error');
  } else {
    announce(`Ledger loaded: ${counted(store.seq, 'record')}${store.persisted ? ', kept in persistent storage' : ''}.`);
  }

  store.subscribe((event) => onStoreChange(ctx, event));
  window.addEventListener('hashchange', () => { if (parseHash().key !== currentKey) render(ctx); });
  // A link to the screen already shown starts it afresh (a new, empty form).
  document.addEventListener('click', (event) => {
    const a = event.target.closest?.('a[href^="#/"]');
    if (a && !event.defaultPrevented && event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && a.getAttribute('href') === location.hash) {
      event.preventDefault();
      render(ctx);
    }
  });
  render(ctx, { focus: false });
  document.documentElement.dataset.state = 'ready';
}

start();
