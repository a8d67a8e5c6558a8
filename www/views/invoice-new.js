// New invoice, with a live preview: every keystroke runs the `preview_invoice` query
// (nothing is posted) and shows the lines' amounts, the totals per tax rate, the credit
// the invoice will use and the amount due. Then "Issue invoice" posts it with an id
// made once per form, so a double click issues one invoice.
//
// Rates are entered as percentages (20 means 20 %) and sent as the fractions the engine
// takes ("0.2"), shifted as decimal strings, never through floats.

import { roundingWords } from './settings-rounding.js';
import { h, enc, replace } from '../ui/dom.js';
import { money, date, todayISO, addDays, percent, COMMON_CURRENCIES, zeroAmount } from '../ui/format.js';
import { field, setOptions, FieldErrors } from '../ui/forms.js';
import { shift, compareDecimals } from '../ui/decimal.js';
import { confirmDialog } from '../ui/dialog.js';
import { unusualAmount, unusualWords } from '../ui/usual.js';

const COLUMNS = [
  ['description', 'Description'],
  ['quantity', 'Quantity'],
  ['unit_price', 'Unit price'],
  ['tax_rate', 'Tax %'],
  ['discount_rate', 'Discount %'],
];

export function render(ctx, { query }) {
  const { store } = ctx;
  const commandId = `inv-${crypto.randomUUID()}`; // one per form: a second click is a duplicate
  let saving = false;
  let done = false;
  let attempted = false; // after a first "Issue", every refusal is shown
  const touched = new WeakSet();

  const errors = new FieldErrors();
  const customer = errors.bind('customer', field({ label: 'Customer', name: 'customer', type: 'select', required: true, options: [] }));
  const currency = errors.bind('currency', field({ label: 'Currency', name: 'currency', type: 'select', options: [] }));
  const day = errors.bind('date', field({ label: 'Invoice date', name: 'date', type: 'date', required: true, value: todayISO() }));
  const due = errors.bind('due_date', field({ label: 'Due date', name: 'due_date', type: 'date', value: addDays(todayISO(), 14), hint: 'Empty: due on the invoice date.' }));
  // The due date follows the invoice date (14 days after it) until it is typed in.
  let dueTyped = false;
  due.input.addEventListener('input', () => { dueTyped = true; });
  day.input.addEventListener('input', () => {
    if (!dueTyped && /^\d{4}-\d{2}-\d{2}$/.test(day.input.value)) due.input.value = addDays(day.input.value, 14);
  });
  const inclusive = errors.bind('prices_include_tax', field({ label: 'Prices include tax', name: 'prices_include_tax', type: 'checkbox' }));
  const useCredit = errors.bind('use_credit', field({ label: 'Use the customer\'s available credit', name: 'use_credit', type: 'checkbox', attrs: { checked: true } }));
  useCredit.input.checked = true;
  const creditHint = h('p', { class: 'hint', id: 'credit-available' });
  useCredit.el.append(creditHint);

  const tbody = h('tbody');
  const linesError = h('p', { class: 'field-error', id: 'lines-error', hidden: true });
  const linesTable = h('table', { class: 'lines', id: 'invoice-lines', tabindex: -1, 'aria-describedby': 'lines-error' },
    h('caption', { class: 'visually-hidden' }, 'Invoice lines'),
    h('thead', {}, h('tr', {}, COLUMNS.map(([, label]) => h('th', { scope: 'col' }, label)), h('th', { scope: 'col', class: 'money' }, 'Amount'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Remove')))),
    tbody);
  const rows = [];

  function addRow(values = {}, focus = false) {
    const n = rows.length + 1;
    const prev = rows[rows.length - 1];
    const inputs = {};
    const row = { inputs, fields: {} };
    const cells = COLUMNS.map(([key, label]) => {
      const f = field({
        label: `${label}, line ${n}`,
        name: `${key}`,
        value: values[key] ?? (key === 'quantity' ? '1' : key === 'tax_rate' ? prev?.inputs.tax_rate.value ?? '' : ''),
        attrs: key === 'description' ? { autocomplete: 'off' } : { inputmode: 'decimal', autocomplete: 'off', placeholder: key === 'unit_price' ? '0.00' : '0', size: 6 },
        className: 'cell-field',
      });
      f.el.querySelector('label').classList.add('visually-hidden');
      inputs[key] = f.input;
      row.fields[key] = f;
      return h('td', { class: `col-${key}` }, f.el);
    });
    row.amount = h('td', { class: 'money line-amount' });
    row.remove = h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-label': `Remove line ${n}`, on: { click: () => {
      rows.splice(rows.indexOf(row), 1);
      row.tr.remove();
      relabel();
      update();
      (rows[rows.length - 1]?.inputs.description ?? addLine).focus();
    } } }, '✕');
    row.tr = h('tr', {}, cells, row.amount, h('td', {}, row.remove));
    rows.push(row);
    tbody.append(row.tr);
    if (focus) inputs.description.focus();
    return row;
  }

  function relabel() {
    rows.forEach((row, i) => {
      for (const [key, label] of COLUMNS) {
        row.fields[key].label = `${label}, line ${i + 1}`;
        row.tr.querySelector(`label[for="${row.inputs[key].id}"]`).firstChild.textContent = `${label}, line ${i + 1}`;
      }
      row.remove.setAttribute('aria-label', `Remove line ${i + 1}`);
    });
  }

  // Rates above 100 % are allowed by the engine (up to 1000 %) but are almost always a
  // slip ("150" for "15"): said under the lines while typing, asked again on "Issue".
  const rateWarning = h('p', { class: 'warning', id: 'tax-rate-warning', 'aria-live': 'polite', hidden: true });

  /** The lines (1-based numbers) whose tax rate is above 100 %, with the rate typed. */
  function highRates() {
    return rows.map((row, i) => ({ n: i + 1, rate: row.inputs.tax_rate.value.trim() }))
      .filter(({ rate }) => compareDecimals(rate, '100') > 0);
  }

  function rateWords(high) {
    const list = high.map(({ n, rate }) => `line ${n} (${rate}%)`).join(', ');
    return `A tax rate above 100% is unusual: ${list}. Check it is not a slip (15% typed as 150%).`;
  }

  function showRateWarning() {
    const high = highRates();
    rateWarning.hidden = high.length === 0;
    rateWarning.textContent = high.length ? `${rateWords(high)} You will be asked to confirm it.` : '';
  }

  const addLine = h('button', { type: 'button', class: 'btn btn-small', id: 'add-line', on: { click: () => { addRow({}, true); update(); } } }, 'Add a line');

  const preview = h('div', { class: 'preview', id: 'invoice-preview', 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'issue-invoice' }, 'Issue invoice');
  const fields = h('fieldset', { class: 'plain' }, h('legend', { class: 'visually-hidden' }, 'Invoice'),
    h('div', { class: 'grid' }, customer.el, currency.el, day.el, due.el),
    h('div', { class: 'checks' }, inclusive.el, useCredit.el),
    h('h2', {}, 'Lines'),
    h('div', { class: 'table-wrap' }, linesTable), linesError, rateWarning, addLine);
  const form = h('form', { class: 'form invoice-form', novalidate: true, id: 'invoice-form' },
    errors.summary, fields, h('div', { class: 'form-actions' }, save));

  errors.bind('lines', { el: linesTable, input: linesTable, error: linesError, label: 'Lines' }, { currency: () => currency.input.value });

  function isBlank(row) {
    return !row.inputs.description.value.trim() && !row.inputs.unit_price.value.trim();
  }

  /** The issue_invoice fields from the form, and which row each sent line came from. */
  function draft() {
    const d = { customer: customer.input.value, currency: currency.input.value, date: day.input.value, lines: [] };
    if (due.input.value) d.due_date = due.input.value;
    if (inclusive.input.checked) d.prices_include_tax = true;
    if (!useCredit.input.checked) d.use_credit = false;
    const sent = [];
    for (const row of rows) {
      if (isBlank(row) && rows.length > 1) continue;
      const v = (k) => row.inputs[k].value.trim();
      const line = { description: v('description'), unit_price: v('unit_price') };
      if (v('quantity')) line.quantity = v('quantity');
      if (v('tax_rate')) line.tax_rate = shift(v('tax_rate'), -2);
      if (v('discount_rate')) line.discount_rate = shift(v('discount_rate'), -2);
      d.lines.push(line);
      sent.push(row);
    }
    errors.unbindPrefix('lines[');
    sent.forEach((row, i) => {
      for (const [key] of COLUMNS) {
        const rate = key === 'tax_rate' || key === 'discount_rate';
        errors.bind(`lines[${i}].${key}`, row.fields[key], { percent: rate, currency: key === 'unit_price' ? () => currency.input.value : undefined });
      }
    });
    return { d, sent };
  }

  function currentCustomer() {
    return store.query({ type: 'customers' }).customers.find((c) => c.id === customer.input.value);
  }

  function fillCustomers(keep) {
    const list = store.query({ type: 'customers' }).customers.sort((a, b) => a.name.localeCompare(b.name));
    setOptions(customer.input, [['', 'Choose a customer…'], ...list.map((c) => [c.id, c.name])], keep);
  }

  function fillCurrencies(keep) {
    const c = currentCustomer();
    const mine = c ? [c.currency, ...c.balances.map((b) => b.currency)] : [];
    setOptions(currency.input, [...new Set([...mine, ...COMMON_CURRENCIES])].map((x) => [x, x]), keep ?? c?.currency);
    if (!keep && c) currency.input.value = c.currency;
  }

  function update() {
    if (done) return;
    showRateWarning();
    const c = currentCustomer();
    const cur = currency.input.value;
    for (const row of rows) row.inputs.unit_price.placeholder = zeroAmount(cur);
    if (c) {
      const bal = store.query({ type: 'balance', customer: c.id, currency: cur });
      creditHint.textContent = bal.ok ? `${money(bal.credit, cur)} of credit available in ${cur}.` : '';
    } else creditHint.textContent = '';
    const { d, sent } = draft();
    if (!c) {
      for (const row of rows) row.amount.textContent = '';
      replace(preview, h('h2', {}, 'Preview'), h('p', { class: 'hint' }, 'Choose a customer to see the invoice as it will be issued.'));
      errors.clear();
      return;
    }
    const answer = store.query({ type: 'preview_invoice', ...d });
    if (!answer.ok) {
      showRefusal(answer, false);
      // A line's amount from before the change would be wrong: none until the engine answers again.
      for (const row of rows) row.amount.textContent = '';
      preview.classList.add('stale');
      const note = preview.querySelector('.preview-note') ?? preview.appendChild(h('p', { class: 'preview-note hint' }));
      note.textContent = preview.querySelector('table') ? 'The preview waits until the form is complete.' : 'Fill in a line (description and unit price) to see the invoice as it will be issued.';
      return;
    }
    errors.clear();
    preview.classList.remove('stale');
    sent.forEach((row, i) => {
      const line = answer.lines[i];
      row.amount.textContent = money(answer.prices_include_tax ? line.gross : line.net, cur);
    });
    for (const row of rows) if (!sent.includes(row)) row.amount.textContent = '';
    replace(preview, renderPreview(answer));
  }

  /** Shows a refusal next to its field: always after an issue attempt, else only for fields the user has typed in. */
  function showRefusal(answer, focus) {
    const binding = errors.lookup(answer.error.field);
    const typedIn = binding && (binding.f.input === linesTable
      ? rows.some((r) => Object.values(r.inputs).some((i) => touched.has(i)))
      : touched.has(binding.f.input));
    if (attempted || !binding || typedIn) errors.show(answer, { focus });
    else errors.clear();
  }

  function renderPreview(inv) {
    const cur = inv.currency;
    const row = (label, value, id, cls) => h('tr', { class: cls }, h('th', { scope: 'row' }, label), h('td', { class: 'money', id }, money(value, cur)));
    return [
      h('h2', {}, `Preview: invoice ${inv.number}`),
      h('p', { class: 'sub' }, `${inv.customer_name} · ${date(inv.date)} · due ${date(inv.due_date)} · ${inv.prices_include_tax ? 'prices include tax' : 'prices exclude tax'}`),
      h('table', { class: 'totals', id: 'preview-totals' },
        h('tbody', {},
          row('Subtotal (before tax)', inv.subtotal, 'preview-subtotal'),
          inv.tax_breakdown.map((t) => h('tr', { class: 'tax-rate' }, h('th', { scope: 'row' }, `Tax ${percent(t.rate)} on ${money(t.net, cur)}`), h('td', { class: 'money' }, money(t.tax, cur)))),
          row('Tax', inv.tax, 'preview-tax'),
          row('Total', inv.total, 'preview-total', 'grand'),
          row('Credit it will use', inv.credit_applied, 'preview-credit'),
          row('Amount due', inv.amount_due, 'preview-due', 'grand'))),
      h('p', { class: 'hint', id: 'preview-rounding' }, `Tax rounded ${roundingWords(inv.tax_rounding)} (set under `, h('a', { href: '#/data' }, 'Data › Tax rounding'), ').'),
    ];
  }

  form.addEventListener('input', (event) => { touched.add(event.target); update(); });
  form.addEventListener('change', (event) => {
    touched.add(event.target);
    if (event.target === customer.input) fillCurrencies();
    update();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (saving || done) return;
    attempted = true;
    saving = true;
    const { d } = draft();
    if (!(await confirmUnusual(d))) {
      saving = false;
      return;
    }
    save.disabled = true;
    save.textContent = 'Issuing…';
    let answer;
    try {
      answer = await store.apply({ type: 'issue_invoice', id: commandId, ...d, at: new Date().toISOString() });
    } catch (error) {
      answer = { ok: false, error: { code: 'storage_failed', message: `Not saved: ${error.message}` } };
    }
    saving = false;
    save.disabled = false;
    save.textContent = 'Issue invoice';
    if (!answer.ok) {
      errors.show(answer);
      return;
    }
    done = true;
    ctx.announce(answer.duplicate ? `Invoice ${answer.number} was already issued.` : `Invoice ${answer.number}${answer.pending ? ' (provisional number until synced)' : ''} issued: ${money(answer.total, answer.currency)}, credit used ${money(answer.credit_applied, answer.currency)}, ${money(answer.amount_due, answer.currency)} due.`);
    ctx.go(`/invoices/${enc(answer.invoice)}`);
  });

  /** Asks before issuing an invoice with a tax rate above 100 % or a total far above the usual; true to go on. */
  async function confirmUnusual(d) {
    const reasons = [];
    const high = highRates();
    if (high.length) reasons.push(h('p', {}, rateWords(high)));
    const preview = store.query({ type: 'preview_invoice', ...d });
    if (!preview.ok) return true; // the engine refuses it: that is shown, not asked about
    const c = currentCustomer();
    const u = c ? unusualAmount(store, { customer: c.id, currency: preview.currency, amount: preview.total, today: todayISO() }) : null;
    if (u) reasons.push(h('p', {}, unusualWords(u, c.name)));
    if (reasons.length === 0) return true;
    const ok = await confirmDialog({
      title: `Issue invoice ${preview.number} for ${money(preview.total, preview.currency)}?`,
      body: [...reasons, h('p', {}, 'An issued invoice is never edited: a mistake is corrected with a credit note or a void.')],
      confirmLabel: 'Yes, issue it',
      cancelLabel: 'No, go back to the lines',
    });
    if (!ok) ((high.length && rows[high[0].n - 1]?.inputs.tax_rate) || rows[0]?.inputs.unit_price)?.focus();
    return ok;
  }

  fillCustomers(query.get('customer') ?? '');
  fillCurrencies(query.get('currency') ?? undefined);
  addRow();
  update();

  const node = h('section', { class: 'screen' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'New invoice')),
    h('div', { class: 'split' }, form, h('aside', { class: 'panel preview-panel', 'aria-label': 'Preview' }, preview)));

  return {
    node,
    title: 'New invoice',
    onStoreChange() {
      if (done) return;
      fillCustomers(customer.input.value);
      update();
    },
  };
}
