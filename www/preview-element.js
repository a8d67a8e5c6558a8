// <tally-invoice-preview>: what a customer's next invoice would be, credit applied,
// computed in the browser by the engine (the `preview_invoice` query) through the store.
//
//   <script type="module" src="preview-element.js"></script>
//   <tally-invoice-preview customer="cus-northwind" date="2026-12-01" due-date="2026-12-15"
//     lines='[{"description":"Hot desk","unit_price":"190.00","tax_rate":"0.20"}]'></tally-invoice-preview>
//
// The full API (attributes, properties, events, styling) is in docs/browser.md, "Invoice
// preview element". Everything shown is set with textContent: customer names and line
// descriptions are never parsed as HTML. Styles come from a constructed stylesheet, so the
// element works under a CSP without 'unsafe-inline'.

import { openStore } from './store.js';
import { h } from './ui/dom.js';
import { money, unitPrice, date, percent, quantity, todayISO } from './ui/format.js';
import { isZero, scaleOf, compareDecimals } from './ui/decimal.js';
import { refusalText } from './ui/refusal.js';

const ATTRIBUTES = ['customer', 'currency', 'date', 'due-date', 'lines', 'prices-include-tax', 'use-credit', 'ledger', 'locale', 'heading-level'];

const CSS = `
:host { display: block; font: var(--tally-font, 15px/1.45 system-ui, sans-serif); color: var(--tally-text, #1d2330);
  background: var(--tally-bg, #fff); border: 1px solid var(--tally-border, #d5dae3); border-radius: 10px; padding: 1.25rem 1.5rem; max-width: 52rem;
  container-type: inline-size; }
:host([hidden]) { display: none; }
[hidden] { display: none !important; }
header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: .25rem 1rem; margin-bottom: .75rem; }
h1, h2, h3, h4, h5, h6 { font-size: 1.3em; margin: 0; }
.badge { font-size: .8em; color: var(--tally-muted, #5b6475); border: 1px solid currentColor; border-radius: 999px; padding: 0 .6em; }
.meta { margin: 0; color: var(--tally-muted, #5b6475); flex-basis: 100%; }
.meta strong { color: var(--tally-text, #1d2330); }
.status { margin: .5rem 0; color: var(--tally-muted, #5b6475); }
.alert { margin: .5rem 0; padding: .6rem .8rem; border-radius: 6px; border: 1px solid var(--tally-danger, #b42318); color: var(--tally-danger, #b42318); background: #fef3f2; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
caption { text-align: start; font-weight: 600; padding-bottom: .35rem; }
th, td { padding: .4rem .5rem; border-bottom: 1px solid var(--tally-border, #d5dae3); vertical-align: top; }
thead th { text-align: start; font-size: .85em; color: var(--tally-muted, #5b6475); font-weight: 600; border-bottom-width: 2px; }
th[scope=row] { font-weight: normal; text-align: start; }
th.num, td.num { text-align: end; white-space: nowrap; }
.note { display: block; font-size: .85em; color: var(--tally-muted, #5b6475); }
.summary { display: flex; flex-wrap: wrap; gap: 1rem 2.5rem; justify-content: space-between; align-items: flex-start; }
.summary table { width: auto; min-width: 16rem; margin: 0; }
dl { display: grid; grid-template-columns: auto auto; gap: .3rem 0; margin: 0; min-width: 16rem; font-variant-numeric: tabular-nums; }
dt { color: var(--tally-muted, #5b6475); }
dd { margin: 0; padding-inline-start: 2rem; text-align: end; white-space: nowrap; }
.total { font-weight: 600; color: var(--tally-text, #1d2330); }
.due { font-size: 1.25em; font-weight: 700; color: var(--tally-accent, #1849a9); border-top: 2px solid var(--tally-border, #d5dae3); padding-top: .35rem; }
.remaining { margin: 1rem 0 0; color: var(--tally-muted, #5b6475); }
.scroll { overflow-x: auto; }
.scroll:focus-visible { outline: 3px solid var(--tally-focus, #ffbf47); outline-offset: 2px; }
@media (max-width: 30rem) { :host { padding: .9rem 1rem; } }
@container (max-width: 30rem) {
  th, td { padding: .35rem .3rem; }
  dd { padding-inline-start: 1rem; }
  dl, .summary table { min-width: 0; width: 100%; }
  table.lines thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.lines, table.lines tbody, table.lines caption { display: block; }
  table.lines tr { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .1rem 1rem; padding: .4rem 0; border-bottom: 1px solid var(--tally-border, #d5dae3); }
  table.lines th[scope=row] { grid-column: 1 / -1; border: 0; padding: 0 0 .2rem; font-weight: 600; }
  table.lines td { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 .4rem; border: 0; padding: 0; }
  table.lines td::before { content: attr(data-label); color: var(--tally-muted, #5b6475); }
  table.lines td .note { flex-basis: 100%; text-align: end; }
}
`;

let sheet = null;
function styles() {
  if (!sheet && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet ? [sheet] : [];
}

// One store per ledger name, shared by every element of the page.
const stores = new Map();
function sharedStore(name) {
  if (!stores.has(name)) {
    const opening = openStore({ name });
    opening.catch(() => stores.delete(name));
    stores.set(name, opening);
  }
  return stores.get(name);
}

const flag = (value) => value !== null && value !== 'false';

export class TallyInvoicePreview extends HTMLElement {
  static get observedAttributes() { return ATTRIBUTES; }

  #draft = null;
  #store = null; // set through the property
  #current = null; // the store in use (property or shared), once open
  #unsubscribe = null;
  #pending = false;
  #generation = 0;
  #preview = null;
  #error = null;
  #state = 'idle';

  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).adoptedStyleSheets = styles();
  }

  connectedCallback() {
    // Properties set before the element was defined shadow the accessors: re-set them.
    for (const name of ['draft', 'store']) {
      if (Object.hasOwn(this, name)) { const value = this[name]; delete this[name]; this[name] = value; }
    }
    this.#schedule();
  }

  disconnectedCallback() {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#current = null;
  }

  attributeChangedCallback(name, before, after) {
    if (before === after) return;
    if (name === 'ledger' && !this.#store) this.#detach();
    this.#schedule();
  }

  /** The invoice to preview: the fields of `issue_invoice` without `id`; they override the attributes. */
  get draft() { return this.#draft; }
  set draft(value) {
    this.#draft = value ? { ...value } : null;
    this.#schedule();
  }

  /** A store (from `openStore`) to use instead of opening the ledger named by `ledger`. */
  get store() { return this.#store; }
  set store(value) {
    this.#store = value ?? null;
    this.#detach();
    this.#schedule();
  }

  /** The last `preview_invoice` answer shown (null before the first, or after a refusal). */
  get preview() { return this.#preview; }
  /** The last refusal or failure shown, `{ code, message }`, or null. */
  get error() { return this.#error; }
  /** "idle" (nothing to preview), "loading", "ready" or "error". */
  get state() { return this.#state; }

  /** The query this element sends (attributes, then `draft` on top). */
  get query() {
    const a = (n) => this.getAttribute(n);
    const q = { type: 'preview_invoice', customer: a('customer') ?? undefined, currency: a('currency') ?? undefined, date: a('date') ?? undefined, due_date: a('due-date') ?? undefined };
    if (this.hasAttribute('prices-include-tax')) q.prices_include_tax = flag(a('prices-include-tax'));
    if (this.hasAttribute('use-credit')) q.use_credit = flag(a('use-credit'));
    if (this.hasAttribute('lines')) {
      try { q.lines = JSON.parse(a('lines')); } catch (e) {
        throw Object.assign(new Error(`The lines attribute is not valid JSON: ${e.message}`), { code: 'invalid_input' });
      }
    }
    for (const [k, v] of Object.entries(this.#draft ?? {})) if (v !== undefined && !['type', 'id', 'at', 'by'].includes(k)) q[k] = v;
    if (q.date === undefined && q.customer !== undefined) q.date = todayISO();
    for (const k of Object.keys(q)) if (q[k] === undefined) delete q[k];
    return q;
  }

  /** Runs the preview again now; resolves with the answer (or null when there is nothing to preview). */
  async refresh() {
    const generation = ++this.#generation;
    let query;
    try {
      query = this.query;
    } catch (e) {
      return this.#fail(e.code ?? 'invalid_input', e.message);
    }
    if (!query.customer && !query.lines) {
      this.#show('idle', null, null);
      return null;
    }
    let store;
    try {
      if (!this.#current) this.#setState('loading');
      store = await this.#attach();
    } catch (e) {
      if (generation === this.#generation) this.#fail(e.code ?? 'storage_failed', `The ledger could not be opened: ${e.message}`);
      return null;
    }
    if (generation !== this.#generation) return this.#preview;
    const answer = store.query(query);
    if (!answer.ok) return this.#fail(answer.error.code, answer.error.message, answer);
    const balance = store.query({ type: 'balance', customer: answer.customer, currency: answer.currency });
    this.#show('ready', answer, null, balance.ok ? balance.credit : null);
    this.dispatchEvent(new CustomEvent('tally-preview', { bubbles: true, composed: true, detail: { preview: answer } }));
    return answer;
  }

  #schedule() {
    if (this.#pending || !this.isConnected) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      if (this.isConnected) this.refresh();
    });
  }

  async #attach() {
    if (this.#current) return this.#current;
    const store = this.#store ?? await sharedStore(this.getAttribute('ledger') || 'tally');
    if (this.#current !== store) {
      this.#unsubscribe?.();
      this.#current = store;
      this.#unsubscribe = store.subscribe?.(() => this.#schedule()) ?? null;
    }
    return store;
  }

  #detach() {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#current = null;
  }

  #fail(code, message, answer) {
    // An engine refusal is worded from its field and details in the element's locale;
    // the message stays in `error` and the event for programs.
    const words = answer?.error?.details ? refusalText(answer.error, { locale: this.#locale }) : message;
    this.#show('error', null, { code, message }, null, words);
    this.dispatchEvent(new CustomEvent('tally-preview-error', { bubbles: true, composed: true, detail: { error: { code, message }, answer } }));
    return answer ?? null;
  }

  #setState(state) {
    this.#state = state;
    if (state === 'loading') this.setAttribute('aria-busy', 'true');
    else this.removeAttribute('aria-busy');
    if (state === 'loading') this.shadowRoot.replaceChildren(this.#frame(null, h('p', { class: 'status', role: 'status', part: 'status', text: 'Loading the ledger…' })));
  }

  #show(state, preview, error, creditAvailable, words) {
    this.#preview = preview;
    this.#error = error;
    this.#setState(state);
    let body;
    if (error) body = h('p', { class: 'alert', role: 'alert', part: 'alert', text: words ?? error.message });
    else if (!preview) body = h('p', { class: 'status', role: 'status', part: 'status', text: 'Choose a customer and add lines to see the invoice.' });
    else body = this.#invoice(preview, creditAvailable);
    this.shadowRoot.replaceChildren(this.#frame(preview, body));
  }

  #frame(preview, body) {
    const level = Math.min(6, Math.max(1, Number(this.getAttribute('heading-level')) || 2));
    const heading = h(`h${level}`, { part: 'title', id: 'title' }, h('slot', { name: 'heading', text: 'Your next invoice' }));
    const header = h('header', {}, heading, h('span', { class: 'badge', part: 'badge', text: 'Preview, not issued' }));
    if (preview) {
      const day = (d) => date(d, this.#locale, 'long');
      header.append(h('p', { class: 'meta', part: 'meta' },
        h('strong', { text: preview.customer_name }), ` · provisional number ${preview.number} · dated ${day(preview.date)} · due ${day(preview.due_date)}`));
    }
    return h('section', { part: 'invoice', 'aria-labelledby': 'title' }, header, body);
  }

  get #locale() { return this.getAttribute('locale') || undefined; }

  #invoice(p, creditAvailable) {
    const cur = p.currency;
    const locale = this.#locale;
    const m = (a) => money(a, cur, locale);
    const pct = (r) => percent(r, locale);
    // data-label: the column's name, shown before the value when a narrow element lays each line out as a card.
    const num = (label, text) => h('td', { class: 'num', 'data-label': label, text });
    const col = (text, cls) => h('th', { scope: 'col', class: cls, text });

    const rows = p.lines.map((l) => h('tr', { part: 'line' },
      h('th', { scope: 'row', part: 'description' }, h('span', { text: l.description }),
        !isZero(l.discount_rate) && h('span', { class: 'note', text: `${pct(l.discount_rate)} discount` })),
      num('Quantity', quantity(l.quantity, locale)),
      num('Unit price', unitPrice(l.unit_price, cur, locale, scaleOf(p.total))),
      num('Net', m(l.net)),
      h('td', { class: 'num', 'data-label': 'Tax' }, m(l.tax), h('span', { class: 'note', text: isZero(l.tax_rate) ? 'no tax' : `at ${pct(l.tax_rate)}` })),
      num('Gross', m(l.gross))));
    const lines = h('table', { part: 'lines', class: 'lines' },
      h('caption', { text: `Lines of invoice ${p.number} for ${p.customer_name}${p.prices_include_tax ? ' (prices include tax)' : ''}` }),
      h('thead', {}, h('tr', {}, col('Description'), col('Quantity', 'num'), col('Unit price', 'num'), col('Net', 'num'), col('Tax', 'num'), col('Gross', 'num'))),
      h('tbody', {}, ...rows));

    const tax = h('table', { part: 'tax-breakdown' },
      h('caption', { text: 'Tax by rate' }),
      h('thead', {}, h('tr', {}, col('Rate'), col('Net', 'num'), col('Tax', 'num'))),
      h('tbody', {}, ...p.tax_breakdown.map((t) => h('tr', {},
        h('th', { scope: 'row', text: isZero(t.rate) ? 'No tax (0%)' : pct(t.rate) }), num('Net', m(t.net)), num('Tax', m(t.tax))))));

    const pair = (label, value, cls) => [h('dt', { class: cls, text: label }), h('dd', { class: cls, part: cls, text: value })];
    const totals = h('dl', { part: 'totals', 'aria-label': 'Totals' },
      ...pair('Subtotal', m(p.subtotal), 'subtotal'),
      ...pair('Tax', m(p.tax), 'tax'),
      ...pair('Total', m(p.total), 'total'),
      ...pair('Credit applied', isZero(p.credit_applied) ? m(p.credit_applied) : m(`-${p.credit_applied}`), 'credit'),
      ...pair('Amount due', m(p.amount_due), 'due'));

    // The lines table may be wider than a phone: it scrolls on its own, and takes the
    // keyboard focus so it can be scrolled without a mouse.
    const parts = [h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Invoice lines' }, lines), h('div', { class: 'summary' }, tax, totals)];
    if (creditAvailable && !isZero(creditAvailable)) {
      // Both figures are the engine's; the page compares them and subtracts nothing.
      let text = `Your credit of ${m(creditAvailable)} pays ${m(p.credit_applied)} of this invoice; the rest stays on your account for later invoices.`;
      if (isZero(p.credit_applied)) text = `Your credit of ${m(creditAvailable)} is kept for later: this invoice doesn't use it.`;
      else if (compareDecimals(p.credit_applied, creditAvailable) === 0) text = `Your credit of ${m(creditAvailable)} is used in full on this invoice.`;
      parts.push(h('p', { class: 'remaining', part: 'remaining', text }));
    }
    if (isZero(p.amount_due) && !isZero(p.total)) parts.push(h('p', { class: 'remaining', text: 'Nothing to pay: your credit covers this invoice.' }));
    return h('div', {}, ...parts);
  }
}

if (!customElements.get('tally-invoice-preview')) customElements.define('tally-invoice-preview', TallyInvoicePreview);
