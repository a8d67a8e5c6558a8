// Tally's admin panel: opens the ledger (IndexedDB store over the wasm engine) and
// shows one screen at a time, chosen by the URL hash (#/customers, #/customers/ID,
// #/payments/new, #/invoices/new, #/invoices/ID, #/corrections, #/reports, #/data).
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
import { h, replace } from './ui/dom.js';
import { todayISO } from './ui/format.js';
import { healthNotice } from './ui/health.js';

import * as customers from './views/customers.js';
import * as customer from './views/customer.js';
import * as payment from './views/payment.js';
import * as invoiceNew from './views/invoice-new.js';
import * as invoice from './views/invoice.js';
import * as corrections from './views/corrections.js';
import * as reports from './views/reports.js';
import * as data from './views/data.js';

const ROUTES = [
  { pattern: /^\/customers$/, view: customers, nav: 'customers' },
  { pattern: /^\/customers\/([^/]+)$/, view: customer, nav: 'customers' },
  { pattern: /^\/payments\/new$/, view: payment, nav: 'payments' },
  { pattern: /^\/invoices\/new$/, view: invoiceNew, nav: 'invoices' },
  { pattern: /^\/invoices\/([^/]+)$/, view: invoice, nav: 'customers' },
  { pattern: /^\/corrections$/, view: corrections, nav: 'corrections' },
  { pattern: /^\/reports$/, view: reports, nav: 'reports' },
  { pattern: /^\/data$/, view: data, nav: 'data' },
];

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

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/customers';
  const [path, search = ''] = raw.split('?');
  return { path, query: new URLSearchParams(search), key: raw };
}

function render(ctx, { focus = true } = {}) {
  if (location.hash && !location.hash.startsWith('#/')) return; // in-page anchors
  const { path, query, key } = parseHash();
  const route = ROUTES.find((r) => r.pattern.test(path));
  current?.destroy?.();
  current = null;
  currentKey = key;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (route && a.dataset.nav === route.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!route) {
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

async function start() {
  document.querySelector('.skip-link')?.addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
  let store;
  try {
    store = await openStore({ name: 'tally' });
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
  };
  window.tally = ctx; // for the console and the end-to-end tests

  if (store.seq === 0 && store.health.status === 'ok' && !localStorage.getItem(KEEP_EMPTY)) {
    announce('Setting up the demo space…');
    try {
      const { demoCommands } = await import('./demo.js');
      const answers = await store.applyMany(demoCommands({ today }));
      const refused = answers.filter((a) => !a.ok);
      if (refused.length) console.warn('tally: demo commands refused', refused);
      announce(`Demo space loaded: ${answers.length - refused.length} records. Reset or replace it under Data.`);
    } catch (error) {
      announce(`The demo space could not be loaded: ${error.message}`, 'error');
    }
  } else if (store.health.status !== 'ok') {
    announce(`The ledger opened with ${store.seq} records and a problem, explained below.`, store.health.writable ? 'info' : 'error');
  } else {
    announce(`Ledger loaded: ${store.seq} records${store.persisted ? ', kept in persistent storage' : ''}.`);
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
