// An issued invoice, laid out as the document a customer receives (seller block,
// customer, number, dates, lines, totals per tax rate, credit applied, amount due).
// "Print" uses the print style sheet, which shows only the document.

import { h, enc, link, scrollBox } from '../ui/dom.js';
import { money, unitPrice, quantity, date, percent, statusLabel, methodLabel } from '../ui/format.js';
import { seller, demoSellerNote } from '../ui/settings.js';
import { isZero, scaleOf } from '../ui/decimal.js';

export function render(ctx, { params: [id] }) {
  const { store } = ctx;
  const inv = store.query({ type: 'invoice', invoice: id });
  if (!inv.ok) {
    return { title: 'Unknown invoice', node: h('section', { class: 'screen' }, h('h1', { tabindex: -1 }, 'Unknown invoice'), h('p', {}, 'No invoice has this id. ', link('/customers', 'Back to the customers.'))) };
  }
  const cur = inv.currency;
  const m = (v) => money(v, cur);
  // Entered here and not yet confirmed: the server's order gives the number.
  const provisional = store.isPending?.(inv.id) ? h('span', { class: 'badge provisional', title: 'Invoice numbers are given in the server\'s order: this one may change when it is synced.' }, 'provisional') : null;
  const c = store.query({ type: 'customers' }).customers.find((x) => x.id === inv.customer);
  const s = seller();
  const payments = new Map(store.query({ type: 'payments', customer: inv.customer, currency: cur }).payments.map((p) => [p.id, p]));
  const open = inv.status === 'open' || inv.status === 'partially_paid';
  // Void, or partly written off (final even when a bounced payment re-opened it): the
  // engine refuses a credit note or a void on it, so neither is offered.
  const final = inv.status === 'void' || !isZero(inv.written_off);
  const nonZero = (v) => !isZero(v);

  const lines = h('table', { class: 'doc-lines' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Description'),
      h('th', { scope: 'col', class: 'num' }, 'Qty'),
      h('th', { scope: 'col', class: 'money' }, inv.prices_include_tax ? 'Unit price (incl. tax)' : 'Unit price'),
      h('th', { scope: 'col', class: 'num' }, 'Discount'),
      h('th', { scope: 'col', class: 'num' }, 'Tax rate'),
      h('th', { scope: 'col', class: 'money' }, 'Net'),
      h('th', { scope: 'col', class: 'money' }, 'Tax'),
      h('th', { scope: 'col', class: 'money' }, 'Amount'))),
    h('tbody', {}, inv.lines.map((l) => h('tr', {},
      h('td', {}, l.description),
      h('td', { class: 'num' }, quantity(l.quantity)),
      h('td', { class: 'money' }, unitPrice(l.unit_price, cur, undefined, scaleOf(inv.total))),
      h('td', { class: 'num' }, nonZero(l.discount_rate) ? percent(l.discount_rate) : '—'),
      h('td', { class: 'num' }, percent(l.tax_rate)),
      h('td', { class: 'money' }, m(l.net)),
      h('td', { class: 'money' }, m(l.tax)),
      h('td', { class: 'money' }, m(l.gross))))));

  const totalsRow = (label, value, cls, rowId) => h('tr', { class: cls, id: rowId }, h('th', { scope: 'row' }, label), h('td', { class: 'money' }, value));
  const totals = h('table', { class: 'totals doc-totals', id: 'invoice-totals' }, h('tbody', {},
    totalsRow('Subtotal', m(inv.subtotal)),
    inv.tax_breakdown.map((t) => totalsRow(`Tax ${percent(t.rate)} on ${m(t.net)}`, m(t.tax), 'tax-rate')),
    totalsRow('Total tax', m(inv.tax)),
    totalsRow('Total', m(inv.total), 'grand', 'total-row'),
    nonZero(inv.credit_applied) ? totalsRow('Credit applied', `−${m(inv.credit_applied)}`, null, 'credit-row') : null,
    nonZero(inv.paid) ? totalsRow('Paid', `−${m(inv.paid)}`, null, 'paid-row') : null,
    nonZero(inv.credited) ? totalsRow('Credit notes', `−${m(inv.credited)}`, null, 'credited-row') : null,
    nonZero(inv.written_off) ? totalsRow('Written off', `−${m(inv.written_off)}`, null, 'written-off-row') : null,
    totalsRow('Amount due', m(inv.amount_due), 'grand due', 'due-row')));

  const doc = h('article', { class: ['invoice-doc', `status-${inv.status}`], id: 'invoice-doc', 'aria-label': `Invoice ${inv.number}` },
    h('header', { class: 'doc-head' },
      h('div', { class: 'seller' },
        h('p', { class: 'seller-name' }, s.name),
        s.address.split('\n').map((line) => h('p', {}, line)),
        s.email ? h('p', {}, s.email) : null,
        s.tax_id ? h('p', {}, `Tax id ${s.tax_id}`) : null),
      h('div', { class: 'doc-title' },
        h('h1', { tabindex: -1 }, 'Invoice ', h('span', { class: 'doc-number' }, inv.number), provisional),
        inv.status === 'void' ? h('p', { class: 'stamp' }, 'VOID') : inv.status === 'written_off' ? h('p', { class: 'stamp' }, 'WRITTEN OFF') : inv.status === 'paid' ? h('p', { class: 'stamp stamp-paid' }, 'PAID') : null)),
    h('div', { class: 'doc-meta' },
      h('div', { class: 'bill-to', id: 'bill-to' }, h('h2', {}, 'Bill to'), h('p', { class: 'customer-name' }, inv.customer_name), c?.email ? h('p', {}, c.email) : null),
      h('dl', { class: 'dates' },
        h('div', {}, h('dt', {}, 'Invoice number'), h('dd', {}, inv.number, provisional ? ' (provisional until synced)' : '')),
        h('div', {}, h('dt', {}, 'Invoice date'), h('dd', {}, date(inv.date))),
        h('div', {}, h('dt', {}, 'Due date'), h('dd', {}, date(inv.due_date))),
        h('div', {}, h('dt', {}, 'Status'), h('dd', {}, statusLabel(inv.status))),
        h('div', {}, h('dt', {}, 'Currency'), h('dd', {}, cur)))),
    scrollBox('Invoice lines', lines),
    totals,
    h('footer', { class: 'doc-foot' },
      inv.status === 'void' ? h('p', {}, 'This invoice has been cancelled; nothing is owed on it.')
        : nonZero(inv.amount_due) ? h('p', {}, `Please pay ${m(inv.amount_due)} by ${date(inv.due_date)}. ${s.payment_terms}`)
          : h('p', {}, 'Nothing is due on this invoice. Thank you.'),
      inv.prices_include_tax ? h('p', { class: 'sub' }, 'Unit prices include tax.') : null,
      inv.tax_rounding === 'invoice' ? h('p', { class: 'sub', id: 'rounding-note' }, 'Tax is rounded once per rate on this invoice and shared out over its lines.') : null));

  // Credit that didn't come from a payment is named by its grant or credit note (date and
  // reason, from the statement), never by its internal id.
  const grants = new Map();
  if (inv.settlements.some((st) => st.kind === 'credit' && !payments.has(st.source))) {
    for (const e of store.query({ type: 'statement', customer: inv.customer, currency: cur }).entries ?? []) {
      const why = e.reason ? ` (${e.reason})` : '';
      if (e.kind === 'credit') grants.set(e.ref, `Credit granted on ${date(e.date)}${why}`);
      if (e.kind === 'credit_note') grants.set(e.ref, `Credit from the credit note of ${date(e.date)}${why}`);
    }
  }
  const settlements = inv.settlements.length === 0 ? null : h('section', { class: 'panel no-print', 'aria-labelledby': 'settled-title' },
    h('h2', { id: 'settled-title' }, 'What settles it'),
    h('ul', { class: 'plan-list' }, inv.settlements.map((st) => {
      const p = payments.get(st.source);
      const what = st.kind === 'payment' && p ? `Payment of ${date(p.date)} by ${methodLabel(p.method).toLowerCase()}${p.reference ? ` (ref. ${p.reference})` : ''}`
        : st.kind === 'credit' ? (p ? `Credit (from payment of ${date(p.date)})` : grants.get(st.source) ?? 'Credit') : st.source;
      return h('li', {}, `${what}: ${m(st.amount)}`);
    })));

  // "Apply credit" only when the customer holds credit that can pay some of it (the
  // engine's dry run of apply_credit with its defaults): otherwise it could only be refused.
  const creditUsable = () => store.dryRun?.({ type: 'apply_credit', id: `probe-${crypto.randomUUID()}`, customer: inv.customer, invoice: inv.id })?.ok ?? true;
  const q = `customer=${enc(inv.customer)}&invoice=${enc(inv.id)}`;
  const actions = h('div', { class: 'actions no-print' },
    h('button', { type: 'button', class: 'btn btn-primary', id: 'print-invoice', on: { click: () => window.print() } }, 'Print'),
    open ? link(`/payments/new?${q}&currency=${cur}`, 'Add payment', { class: 'btn' }) : null,
    open && creditUsable() ? link(`/corrections?${q}&action=apply_credit`, 'Apply credit', { class: 'btn' }) : null,
    !final ? link(`/corrections?${q}&action=credit_note`, 'Credit note', { class: 'btn' }) : null,
    open ? link(`/corrections?${q}&action=write_off`, 'Write off…', { class: 'btn btn-danger-quiet' }) : null,
    !final ? link(`/corrections?${q}&action=void_invoice`, 'Void invoice…', { class: 'btn btn-danger-quiet' }) : null);

  const node = h('section', { class: 'screen invoice-screen' },
    h('p', { class: 'crumbs no-print' }, link('/customers', 'Customers'), ' › ', link(`/customers/${enc(inv.customer)}?currency=${cur}`, inv.customer_name), ' › ', inv.number),
    actions, demoSellerNote('invoice'), doc, settlements);
  return { node, title: `Invoice ${inv.number}` };
}

