// Customers: a searchable, sortable list with what each owes or holds as credit in each
// currency, and the form to create a customer (in a dialog).

import { h, enc, link } from '../ui/dom.js';
import { money, todayISO, COMMON_CURRENCIES } from '../ui/format.js';
import { field, FieldErrors } from '../ui/forms.js';
import { openModal } from '../ui/dialog.js';
import { sortKey } from '../ui/decimal.js';
import { download, toCsv } from '../ui/files.js';

// Survives re-renders (a change from another tab rebuilds the screen).
const view = { search: '', sort: 'name', dir: 1 };

const COLUMNS = [
  ['name', 'Customer'],
  ['currency', 'Billing currency'],
  ['outstanding', 'Owes'],
  ['credit', 'Credit held'],
  ['balance', 'Balance'],
];

function billing(c) {
  return c.balances.find((b) => b.currency === c.currency) ?? c.balances[0];
}

function compare(a, b) {
  const key = view.sort;
  let r;
  if (key === 'name') r = a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });
  else if (key === 'currency') r = a.currency.localeCompare(b.currency);
  else r = sortKey(billing(a)?.[key]) - sortKey(billing(b)?.[key]);
  return r * view.dir || a.name.localeCompare(b.name);
}

function amounts(c, key) {
  const rows = c.balances.filter((b) => b.currency === c.currency || b.outstanding !== zero(b.outstanding) || b.credit !== zero(b.credit));
  return rows.map((b) => h('span', { class: ['amount-line', !/[1-9]/.test(b[key]) ? 'zero' : key === 'balance' && b.balance.startsWith('-') ? 'in-credit' : null] }, money(b[key], b.currency)));
}

function zero(s) {
  return s.replace(/[1-9]/g, '0').replace(/^-/, '');
}

export function render(ctx) {
  const { customers: all, totals } = ctx.store.query({ type: 'customers' });

  const search = h('input', { type: 'search', id: 'customer-search', value: view.search, placeholder: 'Name, e-mail or id', autocomplete: 'off' });
  const tbody = h('tbody');
  const count = h('p', { class: 'hint', 'aria-live': 'polite' });
  const headRow = h('tr');
  const table = h('table', { class: 'list', id: 'customers-table' },
    h('caption', { class: 'visually-hidden' }, 'Customers with what they owe and the credit they hold, per currency'),
    h('thead', {}, headRow), tbody);

  function header() {
    headRow.replaceChildren(...COLUMNS.map(([key, label]) => {
      const sorted = view.sort === key;
      const numeric = ['outstanding', 'credit', 'balance'].includes(key);
      return h('th', { scope: 'col', class: numeric ? 'money' : null, 'aria-sort': sorted ? (view.dir > 0 ? 'ascending' : 'descending') : 'none' },
        h('button', { type: 'button', class: 'sort', on: { click: () => {
          if (view.sort === key) view.dir = -view.dir; else { view.sort = key; view.dir = numeric ? -1 : 1; }
          header(); rows();
        } } }, label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (view.dir > 0 ? ' ▲' : ' ▼') : '')));
    }));
  }

  function rows() {
    const q = view.search.trim().toLocaleLowerCase();
    const shown = all.filter((c) => !q || c.name.toLocaleLowerCase().includes(q) || (c.email ?? '').toLocaleLowerCase().includes(q) || c.id.toLocaleLowerCase().includes(q))
      .sort(compare);
    tbody.replaceChildren(...shown.map((c) => h('tr', {},
      h('th', { scope: 'row' }, link(`/customers/${enc(c.id)}`, c.name), c.email ? h('span', { class: 'sub' }, c.email) : null),
      h('td', {}, c.currency),
      h('td', { class: 'money' }, amounts(c, 'outstanding')),
      h('td', { class: 'money' }, amounts(c, 'credit')),
      h('td', { class: 'money' }, amounts(c, 'balance')),
    )));
    if (shown.length === 0) {
      tbody.append(h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'empty' }, all.length ? 'No customer matches the search.' : 'No customers yet. Create the first one.')));
    }
    count.textContent = q ? `${shown.length} of ${all.length} customers match.` : `${all.length} customers.`;
  }

  search.addEventListener('input', () => { view.search = search.value; rows(); });
  header();
  rows();

  // Totals per currency across customers, from the engine.
  const overview = totals.map((t) => h('div', {},
    h('dt', {}, t.currency), h('dd', {}, `owed to you ${money(t.outstanding, t.currency)}`, h('span', { class: 'sub' }, `credit held ${money(t.credit, t.currency)}`))));

  const newButton = h('button', { type: 'button', class: 'btn btn-primary needs-write', on: { click: () => newCustomer(ctx) } }, 'New customer');
  // Every customer and currency with the engine's balances, whatever the search shows.
  const csv = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => {
    const rows = [['Customer id', 'Customer', 'E-mail', 'Billing currency', 'Currency', 'Owes', 'Credit held', 'Balance'],
      ...all.flatMap((c) => c.balances.map((b) => [c.id, c.name, c.email ?? '', c.currency, b.currency, b.outstanding, b.credit, b.balance]))];
    const name = `customers-${todayISO()}.csv`;
    download(name, toCsv(rows, [5, 6, 7]), 'text/csv;charset=utf-8');
    ctx.announce(`Customers downloaded as ${name}.`);
  } } }, 'Download CSV');
  const node = h('section', { class: 'screen' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Customers'), newButton),
    overview.length ? h('dl', { class: 'summary summary-small', id: 'customers-overview' }, overview) : null,
    h('div', { class: 'toolbar' }, h('label', { for: 'customer-search' }, 'Search customers'), search, count, csv),
    h('div', { class: 'table-wrap' }, table),
  );
  return { node, title: 'Customers' };
}

/** The create-customer form, in a dialog. */
function newCustomer(ctx) {
  const id = `cus-${crypto.randomUUID()}`; // one id per form: a resend is a duplicate
  const errors = new FieldErrors();
  const name = errors.bind('name', field({ label: 'Name', name: 'name', required: true, attrs: { autocomplete: 'off' } }));
  const currencies = COMMON_CURRENCIES.map((c) => [c, c]);
  const currency = errors.bind('currency', field({ label: 'Billing currency', name: 'currency', type: 'select', options: currencies, value: 'EUR', hint: 'Invoices and payments default to it.' }));
  const email = errors.bind('email', field({ label: 'E-mail', name: 'email', type: 'email', attrs: { autocomplete: 'off' } }));
  // A second customer of the same name can't be told apart in the forms' lists: say so while typing.
  const sameName = h('p', { class: 'warning', id: 'same-name-warning', 'aria-live': 'polite', hidden: true });
  name.el.append(sameName);
  name.input.setAttribute('aria-describedby', `${name.input.getAttribute('aria-describedby')} same-name-warning`);
  name.input.addEventListener('input', () => {
    const typed = name.input.value.trim().toLocaleLowerCase();
    const twin = typed && ctx.store.query({ type: 'customers' }).customers.find((c) => c.name.trim().toLocaleLowerCase() === typed);
    sameName.hidden = !twin;
    sameName.textContent = twin ? `There is already a customer named ${twin.name} (${[twin.email, twin.currency].filter(Boolean).join(', ')}). Create another only if it is a different customer.` : '';
  });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create customer');
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  let saving = false;
  const form = h('form', { class: 'form', novalidate: true }, errors.summary, name.el, currency.el, email.el,
    h('div', { class: 'modal-actions' }, cancel, save));
  const modal = openModal({ title: 'New customer', content: form, initialFocus: name.input });
  cancel.addEventListener('click', () => modal.close(null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (saving) return;
    // The engine keeps an e-mail as text (old books hold what was typed); the form checks
    // its shape as the browser knows it, since it is printed on invoices and statements.
    if (email.input.validity.typeMismatch) {
      errors.show({ ok: false, error: { code: 'invalid_input', field: 'email', message: `email: '${email.input.value}' is not an e-mail address`, details: { rule: 'not_an_email', value: email.input.value.trim() } } });
      return;
    }
    saving = true; save.disabled = true; save.textContent = 'Saving…';
    const command = { type: 'create_customer', id, name: name.input.value.trim(), currency: currency.input.value, at: new Date().toISOString() };
    if (email.input.value.trim()) command.email = email.input.value.trim();
    const answer = await ctx.store.apply(command);
    saving = false; save.disabled = false; save.textContent = 'Create customer';
    if (!answer.ok) { errors.show(answer); return; }
    modal.close(id);
    ctx.announce(`Customer ${command.name} created.`);
    ctx.go(`/customers/${enc(id)}`);
  });
}
