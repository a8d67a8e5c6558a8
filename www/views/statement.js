// A customer statement as the customer receives it (printable, like the invoice view):
// the seller, the customer by name and e-mail (never the internal id), the period,
// opening balance, every entry with its running balance, closing balance, what is
// overdue by age, and the credit held with the dates it runs out. Every amount is the
// engine's (`statement`, `aging`, `credits`); the page lays them out.

import { h, enc, link, scrollBox } from '../ui/dom.js';
import { money, date, kindLabel } from '../ui/format.js';
import { field, FieldErrors } from '../ui/forms.js';
import { seller, demoSellerNote } from '../ui/settings.js';
import { isZero } from '../ui/decimal.js';
import { entryWords } from '../ui/statement-words.js';
import { expiringLots } from '../ui/expiry.js';

const ORIGIN = { payment: 'From a payment', credit: 'Credit granted', credit_note: 'Credit note' };
const BUCKETS = [['current', 'Not yet due'], ['days_1_30', '1–30 days'], ['days_31_60', '31–60 days'], ['days_61_90', '61–90 days'], ['over_90', 'Over 90 days']];

export function render(ctx, { params: [id], query }) {
  const { store } = ctx;
  const c = store.query({ type: 'customers' }).customers.find((x) => x.id === id);
  if (!c) {
    return { title: 'Unknown customer', node: h('section', { class: 'screen' }, h('h1', { tabindex: -1 }, 'Unknown customer'), h('p', {}, 'No customer has this id. ', link('/customers', 'Back to the customers.'))) };
  }
  const cur = query.get('currency') && c.balances.some((b) => b.currency === query.get('currency')) ? query.get('currency') : c.currency;
  const from = query.get('from') ?? '';
  const to = query.get('to') || ctx.today;
  const q = { type: 'statement', customer: id, currency: cur, to };
  if (from) q.from = from;
  const st = store.query(q);

  // The period: changing it changes the address (so a bookmark or a reload keeps it).
  const errors = new FieldErrors();
  const fromField = errors.bind('from', field({ label: 'From', name: 'from', type: 'date', value: from, hint: 'Empty: from the first entry.' }));
  const toField = errors.bind('to', field({ label: 'To', name: 'to', type: 'date', value: to }));
  const period = h('form', { class: 'toolbar no-print', id: 'statement-period', on: { submit: (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ currency: cur });
    if (fromField.input.value) params.set('from', fromField.input.value);
    if (toField.input.value) params.set('to', toField.input.value);
    ctx.go(`/customers/${enc(id)}/statement?${params}`);
  } } }, fromField.el, toField.el, h('button', { type: 'submit', class: 'btn btn-small' }, 'Show period'));
  if (!st.ok) errors.show(st, { focus: false });

  const s = seller();
  const payments = store.query({ type: 'payments', customer: id, currency: cur }).payments;
  const words = entryWords(payments, cur);
  // A lot left by a payment is named by that payment, as the customer knows it.
  const paymentById = new Map(payments.map((p) => [p.id, p]));
  const lotName = (l) => {
    const p = l.origin === 'payment' ? paymentById.get(l.source) : null;
    return p ? `From the payment of ${date(p.date)}${p.reference ? ` (ref. ${p.reference})` : ''}` : ORIGIN[l.origin] ?? l.origin;
  };
  const m = (v) => money(v, cur);
  const entries = st.ok ? h('table', { class: 'doc-lines', id: 'statement-entries' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Entry'), h('th', { scope: 'col' }, 'Description'),
      h('th', { scope: 'col', class: 'money' }, 'Charges'), h('th', { scope: 'col', class: 'money' }, 'Credits'), h('th', { scope: 'col', class: 'money' }, 'Balance'))),
    h('tbody', {},
      h('tr', { class: 'opening' }, h('td', {}, from ? date(from) : ''), h('th', { scope: 'row', colspan: 4 }, 'Opening balance'), h('td', { class: 'money', id: 'statement-opening' }, m(st.opening_balance))),
      st.entries.map((e) => h('tr', {},
        h('td', { class: 'date' }, date(e.date)),
        h('td', {}, kindLabel(e.kind)),
        h('td', {}, words(e)),
        h('td', { class: 'money' }, isZero(e.debit) ? '' : m(e.debit)),
        h('td', { class: 'money' }, isZero(e.credit) ? '' : m(e.credit)),
        h('td', { class: 'money' }, m(e.balance)))),
      st.entries.length === 0 ? h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No entries in this period.')) : null),
    h('tfoot', {}, h('tr', { class: 'closing' }, h('td', {}, date(to)), h('th', { scope: 'row', colspan: 4 }, 'Closing balance'), h('td', { class: 'money', id: 'statement-closing' }, m(st.closing_balance))))) : null;

  // What is owed today, by age (the engine's aging, this customer's row).
  const aging = store.query({ type: 'aging', as_of: ctx.today, currency: cur }).rows.find((r) => r.customer === id);
  const agingTable = aging && !isZero(aging.total)
    ? h('table', { class: 'totals doc-totals', id: 'statement-aging' },
      h('caption', {}, `Owed on ${date(ctx.today)}, by days overdue`),
      h('tbody', {}, BUCKETS.map(([k, label]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'money' }, m(aging[k])))),
        h('tr', { class: 'grand due' }, h('th', { scope: 'row' }, 'Total owed'), h('td', { class: 'money' }, m(aging.total)))))
    : h('p', { id: 'statement-aging' }, `Nothing is owed on ${date(ctx.today)}.`);

  // Credit held today, lot by lot, with the date each runs out.
  const credits = store.query({ type: 'credits', customer: id, currency: cur });
  const { soon } = expiringLots(credits.lots, ctx.today);
  const creditPart = credits.lots.length === 0 ? h('p', { id: 'statement-credit' }, `No credit held on ${date(ctx.today)}.`)
    : [h('table', { class: 'totals doc-totals', id: 'statement-credit' },
      h('caption', {}, `Credit held on ${date(ctx.today)}`),
      h('tbody', {}, credits.lots.map((l) => h('tr', {},
        h('th', { scope: 'row' }, lotName(l), h('span', { class: 'sub' }, l.valid_until ? ` valid until ${date(l.valid_until)}` : ' no end date')),
        h('td', { class: 'money' }, m(l.remaining)))),
        h('tr', { class: 'grand' }, h('th', { scope: 'row' }, 'Total credit'), h('td', { class: 'money' }, m(credits.total))))),
    soon.length ? h('p', { class: 'hint' }, 'Credit with an end date is used for invoices up to that date; use it before it runs out.') : null];

  const doc = h('article', { class: 'invoice-doc statement-doc', id: 'statement-doc', 'aria-label': `Statement for ${c.name}` },
    h('header', { class: 'doc-head' },
      h('div', { class: 'seller' },
        h('p', { class: 'seller-name' }, s.name),
        s.address.split('\n').map((line) => h('p', {}, line)),
        s.email ? h('p', {}, s.email) : null,
        s.tax_id ? h('p', {}, `Tax id ${s.tax_id}`) : null),
      h('div', { class: 'doc-title' }, h('h1', { tabindex: -1 }, 'Statement of account'))),
    h('div', { class: 'doc-meta' },
      h('div', { class: 'bill-to', id: 'statement-customer' }, h('h2', {}, 'Customer'), h('p', { class: 'customer-name' }, c.name), c.email ? h('p', {}, c.email) : null),
      h('dl', { class: 'dates' },
        h('div', {}, h('dt', {}, 'Period'), h('dd', { id: 'statement-period-text' }, `${from ? date(from) : 'From the first entry'} – ${date(to)}`)),
        h('div', {}, h('dt', {}, 'Currency'), h('dd', {}, cur)),
        h('div', {}, h('dt', {}, 'Issued'), h('dd', {}, date(ctx.today))))),
    entries ? scrollBox('Statement entries', entries) : h('p', { class: 'error', id: 'statement-refused' }, `No statement for this period. ${errors.words(st.error)}`),
    h('div', { class: 'statement-summaries' },
      h('section', { 'aria-labelledby': 'aging-title' }, h('h2', { id: 'aging-title' }, 'Overdue'), agingTable),
      h('section', { 'aria-labelledby': 'credit-held-title' }, h('h2', { id: 'credit-held-title' }, 'Credit held'), creditPart)),
    h('footer', { class: 'doc-foot' },
      h('p', {}, 'Charges are invoices, refunds of credit, voided payments and expired credit; credits are payments, credit notes, credit granted, voided invoices and write-offs. A positive balance is owed to us, a negative one is held for you as credit.'),
      s.payment_terms ? h('p', {}, s.payment_terms) : null));

  const node = h('section', { class: 'screen invoice-screen' },
    h('p', { class: 'crumbs no-print' }, link('/customers', 'Customers'), ' › ', link(`/customers/${enc(id)}?currency=${cur}`, c.name), ' › Statement'),
    h('div', { class: 'actions no-print' }, h('button', { type: 'button', class: 'btn btn-primary', id: 'print-statement', on: { click: () => window.print() } }, 'Print')),
    period, errors.summary, demoSellerNote('statement'), doc);
  return { node, title: `Statement · ${c.name}` };
}
