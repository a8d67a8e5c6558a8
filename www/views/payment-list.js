// Payments received: everyone's in a period, by date, with what each settled, and the
// totals per currency and method that a bank or card statement should show. Rows and
// totals are the engine's `payments` answer; the page adds nothing up.

import { h, enc, link, replace, tableBox } from '../ui/dom.js';
import { money, date, todayISO, addDays, methodLabel, counted } from '../ui/format.js';
import { field, FieldErrors } from '../ui/forms.js';
import { download, toCsv } from '../ui/files.js';

// Survives re-renders (a change from another tab rebuilds the screen).
const view = { from: '', to: '', search: '' };
const SHOWN = 500;

export function render(ctx) {
  const { store } = ctx;
  const names = new Map(store.query({ type: 'customers' }).customers.map((c) => [c.id, c.name]));
  const today = todayISO();
  // The last 30 days at first (on the 1st, "this month" would show nothing yet).
  if (!view.from && !view.to) view.from = addDays(today, -30);
  const errors = new FieldErrors();
  const from = errors.bind('from', field({ label: 'Received from', name: 'from', type: 'date', value: view.from, hint: 'Empty: from the first.' }));
  const to = errors.bind('to', field({ label: 'Received to', name: 'to', type: 'date', value: view.to, hint: 'Empty: to the last.' }));
  const search = h('input', { type: 'search', id: 'payment-search', value: view.search, placeholder: 'Reference or customer', autocomplete: 'off' });
  const area = h('div', { id: 'payment-list' });

  function rows() {
    view.from = from.input.value; view.to = to.input.value;
    const q = { type: 'payments' };
    if (view.from) q.from = view.from;
    if (view.to) q.to = view.to;
    const answer = store.query(q);
    if (!answer.ok) { errors.show(answer, { focus: false }); replace(area); return; }
    errors.clear();
    if (answer.payments.length === 0) { replace(area, h('p', { class: 'empty' }, 'No payments received in this period.')); return; }
    const totals = h('table', { class: 'list', id: 'received-totals' },
      h('caption', {}, 'Received, by currency and method (voided payments left out)'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Method'), h('th', { scope: 'col', class: 'money' }, 'Payments'), h('th', { scope: 'col', class: 'money' }, 'Amount'))),
      h('tbody', {}, answer.totals.map((t) => h('tr', {},
        h('th', { scope: 'row' }, `${methodLabel(t.method)}, ${t.currency}`),
        h('td', { class: 'money' }, String(t.count)),
        h('td', { class: 'money' }, money(t.amount, t.currency))))));
    // The search narrows the rows shown, not the totals: those are the period's.
    view.search = search.value;
    const words = view.search.trim().toLocaleLowerCase();
    const matches = (p) => !words || (p.reference ?? '').toLocaleLowerCase().includes(words) || (names.get(p.customer) ?? p.customer).toLocaleLowerCase().includes(words);
    const all = answer.payments.filter(matches);
    const list = all.slice(-SHOWN).reverse();
    const table = h('table', { class: 'list', id: 'payments-list' },
      h('caption', { class: 'visually-hidden' }, 'Payments received in the period, newest first'),
      h('thead', {}, h('tr', {},
        ['Received', 'Customer', 'Method', 'Reference', 'Settled'].map((t) => h('th', { scope: 'col' }, t)),
        h('th', { scope: 'col', class: 'money' }, 'Amount'))),
      h('tbody', {}, list.map((p) => h('tr', { class: p.voided_by ? 'voided' : null },
        h('th', { scope: 'row' }, date(p.date)),
        h('td', {}, link(`/customers/${enc(p.customer)}?currency=${p.currency}`, names.get(p.customer) ?? p.customer)),
        h('td', {}, methodLabel(p.method)),
        h('td', {}, p.reference ?? ''),
        h('td', {}, p.voided_by ? 'Voided' : settled(p)),
        h('td', { class: 'money' }, money(p.amount, p.currency))))));
    const note = list.length < all.length ? `The newest ${list.length} of ${counted(all.length, 'payment')}; narrow the period to see the rest, or download them all.`
      : words ? `${all.length.toLocaleString()} of ${counted(answer.payments.length, 'payment')} match the search.` : counted(all.length, 'payment');
    const csv = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => downloadCsv(answer) } }, 'Download CSV');
    replace(area, tableBox('Received, by currency and method', totals),
      h('div', { class: 'toolbar' }, h('p', { class: 'hint', 'aria-live': 'polite' }, note), csv),
      tableBox('Payments received', table));
  }

  /** Every payment of the period (not only those shown), oldest first, as the engine answered. */
  function downloadCsv(answer) {
    const rows = [
      ['Received from', view.from], ['Received to', view.to], [],
      ['Date', 'Payment', 'Customer id', 'Customer', 'Currency', 'Method', 'Reference', 'Amount', 'Credit kept', 'Voided by'],
      ...answer.payments.map((p) => [p.date, p.id, p.customer, names.get(p.customer) ?? '', p.currency, p.method, p.reference ?? '', p.amount, p.credit_created, p.voided_by ?? '']),
      [], ['Currency', 'Method', 'Payments that stand', 'Amount'],
      ...answer.totals.map((t) => [t.currency, t.method, t.count, t.amount]),
    ];
    const name = `payments${view.from ? `-from-${view.from}` : ''}${view.to ? `-to-${view.to}` : ''}.csv`;
    download(name, toCsv(rows, [7, 8]), 'text/csv;charset=utf-8');
    ctx.announce(`Payments downloaded as ${name}.`);
  }

  /** What a payment settled, in words: its invoices' numbers and the credit it left. */
  function settled(p) {
    const parts = p.allocations.map((a) => store.query({ type: 'invoice', invoice: a.invoice }).number);
    if (/[1-9]/.test(p.credit_created)) parts.push(`${money(p.credit_created, p.currency)} kept as credit`);
    return parts.join(', ');
  }

  for (const f of [from, to]) f.input.addEventListener('change', rows);
  search.addEventListener('input', rows);
  rows();

  // A month at a click, as a bank statement covers it.
  const thisMonth = `${today.slice(0, 8)}01`;
  const lastMonth = `${addDays(thisMonth, -1).slice(0, 8)}01`;
  const preset = (label, first, last) => h('button', { type: 'button', class: 'btn', on: { click: () => {
    from.input.value = first; to.input.value = last; rows();
  } } }, label);
  const presets = h('div', { class: 'presets' },
    preset('This month', thisMonth, ''), preset('Last month', lastMonth, addDays(thisMonth, -1)));

  const node = h('section', { class: 'screen' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Payments received'),
      link('/payments/new', 'Add payment', { class: 'btn btn-primary needs-write' })),
    h('div', { class: 'toolbar' }, from.el, to.el, presets, h('label', { for: 'payment-search' }, 'Search'), search),
    area);
  return { node, title: 'Payments received' };
}
