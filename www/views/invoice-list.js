// Invoices: everyone's, issued in a period or still open, with what each still asks for.
// The rows and their amounts are the engine's `invoices` answer; the page adds nothing up.

import { h, enc, link, replace, tableBox } from '../ui/dom.js';
import { money, date, todayISO, statusLabel, counted } from '../ui/format.js';
import { field, FieldErrors } from '../ui/forms.js';
import { download, toCsv } from '../ui/files.js';

// Survives re-renders (a change from another tab rebuilds the screen).
const view = { status: 'open', from: '', to: '', search: '' };
const SHOWN = 500;

/** The first day of the month `iso` falls in. */
const monthStart = (iso) => `${iso.slice(0, 8)}01`;

export function render(ctx) {
  const { store } = ctx;
  const names = new Map(store.query({ type: 'customers' }).customers.map((c) => [c.id, c.name]));
  const today = todayISO();
  if (!view.from && !view.to) view.from = monthStart(today);
  const errors = new FieldErrors();
  const status = field({ label: 'Show', name: 'status', type: 'select', value: view.status,
    options: [['open', 'Open (something still due), whenever issued'], ['overdue', 'Overdue (due before today, something still due)'], ['all', 'All issued in the period']] });
  const from = errors.bind('from', field({ label: 'Issued from', name: 'from', type: 'date', value: view.from }));
  const to = errors.bind('to', field({ label: 'Issued to', name: 'to', type: 'date', value: view.to, hint: 'Empty: no end.' }));
  const search = h('input', { type: 'search', id: 'invoice-search', value: view.search, placeholder: 'Number or customer', autocomplete: 'off' });
  const area = h('div', { id: 'invoice-list' });

  function rows() {
    view.status = status.input.value; view.from = from.input.value; view.to = to.input.value;
    const open = view.status !== 'all';
    from.el.hidden = open; to.el.hidden = open;
    const q = { type: 'invoices', status: open ? 'open' : 'all' };
    if (!open && view.from) q.from = view.from;
    if (!open && view.to) q.to = view.to;
    const answer = store.query(q);
    if (!answer.ok) { errors.show(answer, { focus: false }); replace(area); return; }
    errors.clear();
    // Newest first (the engine lists everyone's in issue order), at most SHOWN rows: a
    // big operator's month holds tens of thousands.
    // Overdue is a question of dates, not money: the engine's open invoices due before today.
    view.search = search.value;
    const words = view.search.trim().toLocaleLowerCase();
    const matches = (i) => !words || i.number.toLocaleLowerCase().includes(words) || (names.get(i.customer) ?? i.customer).toLocaleLowerCase().includes(words);
    const all = answer.invoices.filter((i) => (view.status !== 'overdue' || i.due_date < today) && matches(i));
    const list = all.slice(-SHOWN).reverse();
    if (list.length === 0) {
      replace(area, h('p', { class: 'empty' }, words ? 'No invoice matches the search.' : { open: 'No invoice has anything due.', overdue: 'No invoice is overdue.', all: 'No invoices issued in this period.' }[view.status]));
      return;
    }
    const table = h('table', { class: 'list', id: 'invoices-table' },
      h('caption', { class: 'visually-hidden' }, { open: 'Open invoices, newest first', overdue: 'Overdue invoices, newest first', all: 'Invoices issued in the period, newest first' }[view.status]),
      h('thead', {}, h('tr', {},
        ['Invoice', 'Customer', 'Date', 'Due', 'Status'].map((t) => h('th', { scope: 'col' }, t)),
        h('th', { scope: 'col', class: 'money' }, 'Total'), h('th', { scope: 'col', class: 'money' }, 'Due now'))),
      h('tbody', {}, list.map((i) => h('tr', { class: i.status === 'void' ? 'voided' : null },
        h('th', { scope: 'row' }, link(`/invoices/${enc(i.id)}`, i.number)),
        h('td', {}, link(`/customers/${enc(i.customer)}?currency=${i.currency}`, names.get(i.customer) ?? i.customer)),
        h('td', {}, date(i.date)),
        h('td', { class: i.due_date < today && /[1-9]/.test(i.amount_due) ? 'overdue' : null }, date(i.due_date)),
        h('td', {}, statusLabel(i.status)),
        h('td', { class: 'money' }, money(i.total, i.currency)),
        h('td', { class: ['money', /[1-9]/.test(i.amount_due) ? null : 'zero'] }, money(i.amount_due, i.currency))))));
    const note = list.length < all.length ? `The newest ${list.length} of ${counted(all.length, 'invoice')}; narrow the period to see the rest, or download them all.` : counted(all.length, 'invoice');
    const csv = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => downloadCsv(all) } }, 'Download CSV');
    replace(area, h('div', { class: 'toolbar' }, h('p', { class: 'hint', 'aria-live': 'polite' }, note), csv), tableBox('Invoices', table));
  }

  /** Every invoice listed (not only those shown), in issue order, as the engine answered. */
  function downloadCsv(all) {
    const rows = [
      ['Invoice', 'Invoice id', 'Customer id', 'Customer', 'Currency', 'Date', 'Due', 'Status', 'Total', 'Due now'],
      ...all.map((i) => [i.number, i.id, i.customer, names.get(i.customer) ?? '', i.currency, i.date, i.due_date, i.status, i.total, i.amount_due]),
    ];
    const period = view.status === 'all' ? `${view.from ? `-from-${view.from}` : ''}${view.to ? `-to-${view.to}` : ''}` : `-${view.status}-${today}`;
    const name = `invoices${period}.csv`;
    download(name, toCsv(rows, [8, 9]), 'text/csv;charset=utf-8');
    ctx.announce(`Invoices downloaded as ${name}.`);
  }
  for (const f of [status, from, to]) f.input.addEventListener('change', rows);
  search.addEventListener('input', rows);
  rows();

  const node = h('section', { class: 'screen' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Invoices'),
      link('/invoices/new', 'New invoice', { class: 'btn btn-primary needs-write' })),
    h('div', { class: 'toolbar' }, status.el, from.el, to.el, h('label', { for: 'invoice-search' }, 'Search'), search),
    area);
  return { node, title: 'Invoices' };
}
