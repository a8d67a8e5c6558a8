// A customer's ledger: balance, statement with running balance over a date range (CSV
// download, balance chart), open invoices with amount due, available credit lot by lot,
// and payments with method and reference.

import { h, enc, link, replace, scrollBox, tableBox } from '../ui/dom.js';
import { money, date, methodLabel, statusLabel, kindLabel, daysBetween, addDays } from '../ui/format.js';
import { balanceChart } from '../ui/charts.js';
import { download, toCsv, safeName } from '../ui/files.js';
import { field, FieldErrors } from '../ui/forms.js';
import { expiryWarning } from '../ui/expiry.js';
import { entryWords } from '../ui/statement-words.js';

// Chosen range and currency per customer, kept across re-renders.
const ranges = new Map();

const ORIGIN = { payment: 'Payment', credit: 'Credit granted', credit_note: 'Credit note' };

export function render(ctx, { params: [id], query }) {
  const { store } = ctx;
  const list = store.query({ type: 'customers' }).customers;
  const c = list.find((x) => x.id === id);
  if (!c) {
    return { title: 'Unknown customer', node: h('section', { class: 'screen' }, h('h1', { tabindex: -1 }, 'Unknown customer'), h('p', {}, 'No customer has this id. ', link('/customers', 'Back to the customers.'))) };
  }
  const state = ranges.get(id) ?? { from: '', to: '', currency: c.currency };
  ranges.set(id, state);
  if (query.get('currency')) state.currency = query.get('currency');
  if (!c.balances.some((b) => b.currency === state.currency)) state.currency = c.currency;
  const cur = state.currency;
  const bal = store.query({ type: 'balance', customer: id, currency: cur });

  // Everything this screen lists, once.
  const invoices = store.query({ type: 'invoices', customer: id, currency: cur }).invoices;
  const numbers = new Map(invoices.map((i) => [i.id, i.number]));
  const open = invoices.filter((i) => i.status !== 'void' && !isZero(i.amount_due))
    .sort((a, b) => a.due_date.localeCompare(b.due_date) || a.date.localeCompare(b.date));
  const payments = store.query({ type: 'payments', customer: id, currency: cur }).payments;
  const credits = store.query({ type: 'credits', customer: id, currency: cur });
  const fullStatement = store.query({ type: 'statement', customer: id, currency: cur });
  const describe = new Map(fullStatement.entries.map((e) => [e.ref, e]));
  const words = entryWords(payments, cur);

  // Currency switcher (only when the customer deals in several).
  const currencyPicker = c.balances.length > 1
    ? field({ label: 'Currency', name: 'currency', type: 'select', value: cur, options: c.balances.map((b) => [b.currency, b.currency]) })
    : null;
  currencyPicker?.input.addEventListener('change', () => {
    state.currency = currencyPicker.input.value;
    history.replaceState(null, '', `#/customers/${enc(id)}?currency=${state.currency}`);
    ctx.rerender();
    document.querySelector('main select[name="currency"]')?.focus();
  });

  const statementSection = h('section', { class: 'panel', 'aria-labelledby': 'statement-title' });
  renderStatement();

  function renderStatement() {
    const from = field({ label: 'From', name: 'from', type: 'date', value: state.from });
    const to = field({ label: 'To', name: 'to', type: 'date', value: state.to });
    const q = { type: 'statement', customer: id, currency: cur };
    if (state.from) q.from = state.from;
    if (state.to) q.to = state.to;
    const st = store.query(q);
    const errors = new FieldErrors();
    errors.bind('from', from);
    errors.bind('to', to);
    const apply = () => {
      state.from = from.input.value; state.to = to.input.value;
      const y = window.scrollY;
      const focused = document.activeElement?.name;
      renderStatement();
      window.scrollTo(0, y);
      if (focused) statementSection.querySelector(`[name="${focused}"]`)?.focus();
    };
    from.input.addEventListener('change', apply);
    to.input.addEventListener('change', apply);
    const clear = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => { state.from = ''; state.to = ''; renderStatement(); } } }, 'Whole history');
    const csv = h('button', { type: 'button', class: 'btn btn-small', disabled: !st.ok, on: { click: () => downloadCsv(st) } }, 'Download CSV');

    let body;
    if (!st.ok) {
      errors.show(st, { focus: false });
      body = [errors.summary, h('p', { class: 'empty' }, 'Correct the dates to see the statement.')];
    } else {
      // The chart starts at `from` (or a little before the first entry) and spans a month at least.
      const first = st.entries[0]?.date ?? ctx.today;
      const lastDay = state.to || (st.entries.length && st.entries[st.entries.length - 1].date > ctx.today ? st.entries[st.entries.length - 1].date : ctx.today);
      let start = state.from || addDays(first, -3);
      if (!state.from && daysBetween(start, lastDay) < 30) start = addDays(lastDay, -30);
      const points = [{ date: start, balance: st.opening_balance }, ...st.entries.map((e) => ({ date: e.date, balance: e.balance }))];
      if (points[points.length - 1].date < lastDay) points.push({ date: lastDay, balance: st.closing_balance });
      body = [
        h('figure', { class: 'chart-figure' }, balanceChart({ points, currency: cur, name: c.name }),
          h('figcaption', { class: 'hint' }, 'Balance over time: above the line the customer owes, below it the customer is in credit.')),
        tableBox('Statement entries', h('table', { class: 'list statement', id: 'statement-table' },
          h('caption', { class: 'visually-hidden' }, `Statement of ${c.name} in ${cur}`),
          h('thead', {}, h('tr', {}, ['Date', 'Entry', 'Description'].map((t) => h('th', { scope: 'col' }, t)),
            ['Debit', 'Credit', 'Balance'].map((t) => h('th', { scope: 'col', class: 'money' }, t)),
            store.synced ? h('th', { scope: 'col' }, 'Entered by') : null)),
          h('tbody', {},
            h('tr', { class: 'opening' }, h('td', {}, state.from ? date(state.from) : ''), h('th', { scope: 'row', colspan: 4 }, 'Opening balance'), h('td', { class: 'money' }, money(st.opening_balance, cur)), store.synced ? h('td') : null),
            st.entries.map((e) => h('tr', {},
              h('td', {}, date(e.date)),
              h('td', {}, e.kind === 'invoice' ? link(`/invoices/${enc(e.ref)}`, kindLabel(e.kind)) : kindLabel(e.kind)),
              h('td', {}, words(e)),
              h('td', { class: 'money' }, isZero(e.debit) ? '' : money(e.debit, cur)),
              h('td', { class: 'money' }, isZero(e.credit) ? '' : money(e.credit, cur)),
              h('td', { class: 'money' }, money(e.balance, cur)),
              store.synced ? h('td', { class: 'by', dataset: { ref: e.ref } }, store.isPending(e.ref) ? 'you · not yet sent' : '') : null)),
            st.entries.length === 0 ? h('tr', {}, h('td', { colspan: store.synced ? 7 : 6, class: 'empty' }, 'No entries in this period.')) : null),
          h('tfoot', {}, h('tr', {}, h('td', {}, state.to ? date(state.to) : ''), h('th', { scope: 'row', colspan: 4 }, 'Closing balance'), h('td', { class: 'money' }, money(st.closing_balance, cur)), store.synced ? h('td') : null)))),
      ];
    }
    replace(statementSection,
      h('h2', { id: 'statement-title' }, 'Statement'),
      h('div', { class: 'toolbar' }, from.el, to.el, clear, csv,
        link(`/customers/${enc(id)}/statement?${new URLSearchParams({ currency: cur, ...(state.from ? { from: state.from } : {}), ...(state.to ? { to: state.to } : {}) })}`, 'Printable statement', { class: 'btn btn-small', id: 'printable-statement' })),
      body,
    );
    if (store.synced) fillAuthors(store, statementSection);
  }

  function downloadCsv(st) {
    const rows = [
      ['Customer', c.name], ['Currency', cur], ['From', state.from || ''], ['To', state.to || ''], [],
      ['Date', 'Entry', 'Reference', 'Description', 'Debit', 'Credit', 'Balance'],
      [state.from || '', 'Opening balance', '', '', '', '', st.opening_balance],
      ...st.entries.map((e) => [e.date, kindLabel(e.kind), e.ref, words(e), e.debit, e.credit, e.balance]),
      [state.to || '', 'Closing balance', '', '', '', '', st.closing_balance],
    ];
    const name = `statement-${safeName(c.name)}-${cur}${state.from ? `-from-${state.from}` : ''}${state.to ? `-to-${state.to}` : ''}.csv`;
    download(name, toCsv(rows, [4, 5, 6]), 'text/csv;charset=utf-8');
    ctx.announce(`Statement downloaded as ${name}.`);
  }

  const openSection = h('section', { class: 'panel', 'aria-labelledby': 'open-title' },
    h('h2', { id: 'open-title' }, 'Open invoices'),
    open.length === 0 ? h('p', { class: 'empty' }, `Nothing owed in ${cur}.`) : h('div', { class: 'table-wrap' }, h('table', { class: 'list', id: 'open-invoices' },
      h('thead', {}, h('tr', {}, ['Invoice', 'Date', 'Due', 'Status'].map((t) => h('th', { scope: 'col' }, t)),
        ['Total', 'Amount due'].map((t) => h('th', { scope: 'col', class: 'money' }, t)))),
      h('tbody', {}, open.map((i) => {
        const late = daysBetween(i.due_date, ctx.today);
        return h('tr', {},
          h('th', { scope: 'row' }, link(`/invoices/${enc(i.id)}`, i.number), store.isPending?.(i.id) ? h('span', { class: 'badge provisional' }, 'provisional') : null),
          h('td', {}, date(i.date)),
          h('td', {}, date(i.due_date), late > 0 ? h('span', { class: 'sub overdue' }, `${late} days overdue`) : null),
          h('td', {}, statusLabel(i.status)),
          h('td', { class: 'money' }, money(i.total, cur)),
          h('td', { class: 'money' }, money(i.amount_due, cur)));
      })))),
  );

  /**
   * Credit held while invoices are open: it settles invoices issued after it, and one
   * already open only when applied. How much it can pay of the oldest open one is the
   * engine's dry run of "Apply credit" with its defaults.
   */
  function creditCouldSettle() {
    if (isZero(credits.total) || open.length === 0) return null;
    const first = open[0];
    const dry = store.dryRun({ type: 'apply_credit', id: `probe-${crypto.randomUUID()}`, customer: id, invoice: first.id });
    if (!dry.ok || isZero(dry.applied)) return null;
    return h('p', { class: 'warning', id: 'credit-could-settle' },
      `Credit is not used for an invoice that was already open until it is applied: ${money(dry.applied, cur)} of it can settle ${first.number}. `,
      link(`/corrections?customer=${enc(id)}&invoice=${enc(first.id)}&action=apply_credit`, `Apply credit to ${first.number}`));
  }

  const creditSection = h('section', { class: 'panel', 'aria-labelledby': 'credit-title' },
    h('h2', { id: 'credit-title' }, 'Available credit'),
    h('p', { class: 'big', id: 'credit-total' }, money(credits.total, cur)),
    expiryWarning(credits.lots, cur, ctx.today, { id: 'credit-expiry-warning' }),
    creditCouldSettle(),
    credits.lots.length === 0 ? h('p', { class: 'empty' }, 'No credit held.') : scrollBox('Credit lots', h('table', { class: 'list', id: 'credit-lots' },
      h('caption', { class: 'hint' }, 'Oldest first: the order invoices and refunds use it.'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'From'), h('th', { scope: 'col' }, 'Valid until'), h('th', { scope: 'col', class: 'money' }, 'Remaining'))),
      h('tbody', {}, credits.lots.map((l) => h('tr', {},
        h('td', {}, describe.has(l.source) ? date(describe.get(l.source).date) : ''),
        h('td', {}, ORIGIN[l.origin] ?? l.origin, h('span', { class: 'sub' }, describe.has(l.source) ? words(describe.get(l.source)) : l.source)),
        h('td', { class: 'valid-until' }, l.valid_until ? date(l.valid_until) : 'no end date'),
        h('td', { class: 'money' }, money(l.remaining, cur))))))),
  );

  const paymentSection = h('section', { class: 'panel', 'aria-labelledby': 'payments-title' },
    h('h2', { id: 'payments-title' }, 'Payments'),
    payments.length === 0 ? h('p', { class: 'empty' }, `No payments in ${cur}.`) : tableBox('Payments', h('table', { class: 'list', id: 'payments-table' },
      h('thead', {}, h('tr', {}, ['Date'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col', class: 'money' }, 'Amount'),
        ['Method', 'Reference', 'Settled'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col', class: 'money' }, 'Kept as credit'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, [...payments].reverse().map((p) => h('tr', { class: p.voided_by ? 'voided' : null },
        h('td', {}, date(p.date)),
        h('td', { class: 'money' }, money(p.amount, cur)),
        h('td', {}, methodLabel(p.method)),
        h('td', {}, p.reference ?? ''),
        h('td', {}, p.allocations.length ? p.allocations.map((a) => h('span', { class: 'amount-line' }, `${numbers.get(a.invoice) ?? a.invoice}: ${money(a.amount, cur)}`)) : '—'),
        h('td', { class: 'money' }, money(p.credit_created, cur)),
        h('td', {}, p.voided_by ? h('span', { class: 'badge' }, 'Voided')
          : link(`/corrections?customer=${enc(id)}&action=void_payment&payment=${enc(p.id)}`, 'Void…', { 'aria-label': `Void the payment of ${money(p.amount, cur)} on ${date(p.date)}` }))))))),
  );

  const owes = !bal.balance.startsWith('-') && !isZero(bal.balance);
  const node = h('section', { class: 'screen' },
    h('p', { class: 'crumbs' }, link('/customers', 'Customers'), ' › '),
    h('div', { class: 'screen-head' },
      h('div', {}, h('h1', { tabindex: -1 }, c.name),
        h('p', { class: 'sub' }, [c.email, `Billing currency ${c.currency}`, `Id ${c.id}`].filter(Boolean).join(' · '))),
      h('div', { class: 'actions' },
        link(`/payments/new?customer=${enc(id)}&currency=${cur}`, 'Add payment', { class: 'btn btn-primary' }),
        link(`/invoices/new?customer=${enc(id)}&currency=${cur}`, 'New invoice', { class: 'btn' }),
        link(`/corrections?customer=${enc(id)}`, 'Credits & corrections', { class: 'btn' }))),
    currencyPicker ? h('div', { class: 'toolbar' }, currencyPicker.el) : null,
    h('dl', { class: 'summary', id: 'balance-summary' },
      h('div', {}, h('dt', {}, 'Owes'), h('dd', { id: 'summary-outstanding' }, money(bal.outstanding, cur))),
      h('div', {}, h('dt', {}, 'Credit available'), h('dd', { id: 'summary-credit' }, money(bal.credit, cur))),
      h('div', {}, h('dt', {}, 'Balance'), h('dd', { id: 'summary-balance', class: owes ? 'owes' : isZero(bal.balance) ? null : 'in-credit' }, money(bal.balance, cur),
        h('span', { class: 'sub' }, owes ? 'owed to you' : isZero(bal.balance) ? 'settled' : 'in credit')))),
    h('div', { class: 'columns columns-wide-first' }, openSection, creditSection),
    statementSection,
    paymentSection,
  );
  return { node, title: c.name };
}

/** Fills the statement's "Entered by" cells from the journal's `by` (read from storage). */
async function fillAuthors(store, section) {
  const cells = [...section.querySelectorAll('td.by')].filter((td) => !td.textContent);
  if (!cells.length) return;
  const authors = await store.authors([...new Set(cells.map((td) => td.dataset.ref))]);
  for (const td of cells) {
    const a = authors.get(td.dataset.ref);
    if (a?.by) td.textContent = a.by;
  }
}

function isZero(s) {
  return !/[1-9]/.test(s);
}
