// Add payment: the central flow. The operator picks the customer, amount, currency,
// method, date and reference and, if they want, which open invoices it pays. Before
// saving, the screen says in words what will happen (computed here from the open
// invoices, the engine's rule: oldest due date first, or the ticked ones in order; the
// rest is credit for the next invoice). After saving it shows what the engine did
// (`allocations`, `credit_created`), which matches.
//
// Never twice: the command id is made once per form (crypto.randomUUID) and the button
// is disabled while saving, so a double click or a slow disk records one payment; a
// resend of the same command is answered as a duplicate.

import { h, enc, link, replace } from '../ui/dom.js';
import { money, date, todayISO, METHODS, methodLabel, COMMON_CURRENCIES } from '../ui/format.js';
import { field, setOptions, FieldErrors } from '../ui/forms.js';
import { toUnits, fromUnits, scaleOf } from '../ui/decimal.js';
import { unusualAmount, unusualWords, confirmUsualAmount } from '../ui/usual.js';

export function render(ctx, { query }) {
  const { store } = ctx;
  let commandId = `pay-${crypto.randomUUID()}`;
  let saving = false;
  let done = false;

  const errors = new FieldErrors();
  const customer = errors.bind('customer', field({ label: 'Customer', name: 'customer', type: 'select', required: true, options: [] }));
  const amount = errors.bind('amount', field({ label: 'Amount', name: 'amount', required: true, attrs: { inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00' } }));
  const currency = errors.bind('currency', field({ label: 'Currency', name: 'currency', type: 'select', options: [] }));
  const method = errors.bind('method', field({ label: 'Method', name: 'method', type: 'select', options: METHODS, value: 'bank_transfer' }));
  const day = errors.bind('date', field({ label: 'Date received', name: 'date', type: 'date', required: true, value: todayISO() }));
  const reference = errors.bind('reference', field({ label: 'Reference', name: 'reference', hint: 'Bank, card or cheque reference; shown on the statement.', attrs: { autocomplete: 'off' } }));

  // Which invoices it pays.
  const modeName = 'allocation-mode';
  const modes = [
    ['auto', 'Open invoices, oldest due date first'],
    ['credit', 'None: keep it all as credit (a prepayment)'],
    ['choose', 'Only the invoices I tick, in the order listed:'],
  ];
  const modeInputs = modes.map(([value, label], i) => {
    const input = h('input', { type: 'radio', name: modeName, id: `mode-${value}`, value, checked: i === 0 });
    return { value, input, el: h('div', { class: 'field-check' }, input, h('label', { for: `mode-${value}` }, label)) };
  });
  const invoiceList = h('ul', { class: 'checklist', id: 'open-invoice-list' });
  const allocationError = h('p', { class: 'field-error', id: 'allocate-error', hidden: true });
  const allocationFieldset = h('fieldset', { class: 'allocation', tabindex: -1, 'aria-describedby': 'allocate-error' },
    h('legend', {}, 'Which invoices it pays'), modeInputs.map((m) => m.el), invoiceList, allocationError);
  errors.bind('allocate_to', { el: allocationFieldset, input: allocationFieldset, error: allocationError, label: 'Invoices' });
  errors.idWords = () => new Map(open.map((i) => [i.id, i.number]));

  const planBox = h('div', { class: 'plan', id: 'payment-plan', 'aria-live': 'polite' });
  const resultBox = h('div', { class: 'result', id: 'payment-result', role: 'status', hidden: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'save-payment' }, 'Save payment');
  const fields = h('fieldset', { class: 'plain' },
    h('legend', { class: 'visually-hidden' }, 'Payment'),
    h('div', { class: 'grid' }, customer.el, amount.el, currency.el, method.el, day.el, reference.el),
    allocationFieldset);
  const form = h('form', { class: 'form', novalidate: true, id: 'payment-form' },
    errors.summary, fields,
    h('h2', {}, 'What will happen'), planBox,
    h('div', { class: 'form-actions' }, save), resultBox);

  let open = []; // open invoices of the chosen customer and currency, in settle order

  function customerList() {
    return store.query({ type: 'customers' }).customers.sort((a, b) => a.name.localeCompare(b.name));
  }

  function fillCustomers(keep) {
    const list = customerList();
    setOptions(customer.input, [['', 'Choose a customer…'], ...list.map((c) => [c.id, c.name])], keep);
    return list;
  }

  function currentCustomer() {
    return store.query({ type: 'customers' }).customers.find((c) => c.id === customer.input.value);
  }

  function fillCurrencies(keep) {
    const c = currentCustomer();
    const mine = c ? [c.currency, ...c.balances.map((b) => b.currency)] : [];
    const all = [...new Set([...mine, ...COMMON_CURRENCIES])];
    setOptions(currency.input, all.map((x) => [x, x]), keep ?? c?.currency);
    if (!keep && c) currency.input.value = c.currency;
  }

  function mode() {
    return modeInputs.find((m) => m.input.checked)?.value ?? 'auto';
  }

  function fillInvoices() {
    const ticked = new Set([...invoiceList.querySelectorAll('input:checked')].map((i) => i.value));
    const c = customer.input.value;
    open = c ? (store.query({ type: 'invoices', customer: c, currency: currency.input.value, status: 'open' }).invoices ?? []) : [];
    open.sort((a, b) => a.due_date.localeCompare(b.due_date) || a.date.localeCompare(b.date));
    const cur = currency.input.value;
    replace(invoiceList, open.length === 0
      ? h('li', { class: 'empty' }, c ? `No open invoices in ${cur}.` : 'Choose a customer to see their open invoices.')
      : open.map((inv) => {
        const id = `alloc-${inv.id}`;
        const box = h('input', { type: 'checkbox', id, value: inv.id, checked: ticked.has(inv.id), on: { change: () => {
          if (box.checked) modeInputs.find((m) => m.value === 'choose').input.checked = true;
          update();
        } } });
        return h('li', {}, box, h('label', { for: id },
          h('span', { class: 'inv-number' }, inv.number), ` due ${date(inv.due_date)}, `,
          h('strong', {}, `${money(inv.amount_due, cur)} to pay`),
          inv.amount_due !== inv.total ? ` (of ${money(inv.total, cur)})` : ''));
      }));
  }

  /** What the engine will do with this payment, worked out from the open invoices. */
  function plan() {
    const c = currentCustomer();
    if (!c) return { why: 'Choose a customer to see what this payment will settle.' };
    const cur = currency.input.value;
    const bal = store.query({ type: 'balance', customer: c.id, currency: cur });
    if (!bal.ok) return { why: bal.error.message };
    const scale = scaleOf(bal.outstanding);
    const text = amount.input.value.trim();
    const units = toUnits(text, scale);
    if (!text) return { why: 'Enter the amount received to see what it will settle.' };
    if (units === null || units <= 0n) return { why: `Enter an amount greater than zero with at most ${scale} decimals for ${cur}.` };
    const m = mode();
    const ticked = new Set([...invoiceList.querySelectorAll('input:checked')].map((i) => i.value));
    const targets = m === 'auto' ? open : m === 'choose' ? open.filter((i) => ticked.has(i.id)) : [];
    let left = units;
    const allocations = [];
    for (const inv of targets) {
      if (left === 0n) break;
      const due = toUnits(inv.amount_due, scale);
      const take = left < due ? left : due;
      if (take > 0n) allocations.push({ invoice: inv.id, number: inv.number, amount: fromUnits(take, scale), rest: fromUnits(due - take, scale), full: take === due });
      left -= take;
    }
    return { customer: c, cur, mode: m, amount: fromUnits(units, scale), allocations, credit: fromUnits(left, scale), creditUnits: left, owed: bal.outstanding, tickedCount: ticked.size };
  }

  function describe(p) {
    if (p.why) return [h('p', { class: 'hint' }, p.why)];
    const { cur } = p;
    const out = [];
    const nothingOwed = !/[1-9]/.test(p.owed);
    if (p.allocations.length === 0) {
      const why = p.mode === 'credit' ? 'You chose to keep it as credit, so'
        : p.mode === 'choose' && p.tickedCount === 0 ? 'No invoice is ticked, so'
          : nothingOwed ? `${p.customer.name} owes nothing in ${cur}, so` : 'It settles no invoice, so';
      out.push(h('p', {}, `${why} all of ${money(p.amount, cur)} will be kept as credit, and used for ${p.customer.name}'s next invoice.`));
      return out;
    }
    out.push(h('p', {}, `This payment of ${money(p.amount, cur)} will settle:`));
    out.push(h('ul', { class: 'plan-list' }, p.allocations.map((a) => h('li', {},
      h('strong', {}, a.number), ': ', money(a.amount, cur),
      a.full ? ', paid in full' : `; ${money(a.rest, cur)} will still be due`))));
    out.push(h('p', {}, p.creditUnits > 0n
      ? `The remaining ${money(p.credit, cur)} will be kept as credit for the next invoice.`
      : 'Nothing will be left over as credit.'));
    return out;
  }

  /** A warning when the amount is far above the customer's usual invoices (asked again on saving). */
  function amountCheck() {
    const c = currentCustomer();
    const u = c && unusualAmount(store, { customer: c.id, currency: currency.input.value, amount: amount.input.value, today: todayISO() });
    return u ? h('p', { class: 'warning', id: 'amount-warning' }, `${unusualWords(u, c.name)} You will be asked to confirm it.`) : null;
  }

  function update() {
    if (done) return;
    replace(planBox, describe(plan()), amountCheck());
  }

  function command() {
    const cmd = {
      type: 'record_payment', id: commandId, customer: customer.input.value, amount: amount.input.value.trim(),
      currency: currency.input.value, method: method.input.value, date: day.input.value,
      at: new Date().toISOString(), // when it was entered (audit trail)
    };
    const ref = reference.input.value.trim();
    if (ref) cmd.reference = ref;
    const m = mode();
    if (m === 'choose') {
      const ticked = new Set([...invoiceList.querySelectorAll('input:checked')].map((i) => i.value));
      cmd.allocate_to = open.filter((i) => ticked.has(i.id)).map((i) => i.id);
    } else if (m === 'credit') cmd.allocate_to = [];
    return cmd;
  }

  function showResult(answer, expected) {
    const cur = answer.currency;
    const numbers = new Map(store.query({ type: 'invoices', customer: customer.input.value, currency: cur }).invoices.map((i) => [i.id, i.number]));
    const matches = expected && !expected.why
      && expected.credit === answer.credit_created
      && expected.allocations.length === answer.allocations.length
      && expected.allocations.every((a, i) => a.invoice === answer.allocations[i].invoice && a.amount === answer.allocations[i].amount);
    const c = currentCustomer();
    replace(resultBox,
      h('h2', {}, answer.duplicate ? 'This payment was already recorded' : 'Payment recorded'),
      h('p', {}, `${money(answer.amount, cur)} from ${c?.name ?? answer.customer} by ${methodLabel(method.input.value).toLowerCase()} on ${date(day.input.value)}.`),
      answer.allocations.length
        ? h('ul', { class: 'plan-list', id: 'result-allocations' }, answer.allocations.map((a) => h('li', {}, h('strong', {}, numbers.get(a.invoice) ?? a.invoice), `: ${money(a.amount, cur)} settled`)))
        : h('p', {}, 'It settled no invoice.'),
      h('p', { id: 'result-credit' }, `Kept as credit: ${money(answer.credit_created, cur)}`),
      expected && !matches ? h('p', { class: 'warning' }, 'The ledger changed while you were entering this payment (another tab?), so it was settled differently from the preview above. What is shown here is what was recorded.') : null,
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', class: 'btn btn-primary', id: 'another-payment', on: { click: another } }, 'Add another payment'),
        link(`/customers/${enc(customer.input.value)}?currency=${cur}`, `Open ${c?.name ?? 'the customer'}'s ledger`, { class: 'btn' })));
    resultBox.hidden = false;
  }

  function another() {
    commandId = `pay-${crypto.randomUUID()}`;
    done = false;
    fields.disabled = false;
    save.hidden = false;
    resultBox.hidden = true;
    amount.input.value = '';
    reference.input.value = '';
    modeInputs[0].input.checked = true;
    for (const box of invoiceList.querySelectorAll('input:checked')) box.checked = false;
    fillInvoices();
    update();
    amount.input.focus();
  }

  form.addEventListener('input', () => { errors.clear(); update(); });
  form.addEventListener('change', (event) => {
    if (event.target === customer.input) { fillCurrencies(); fillInvoices(); }
    if (event.target === currency.input) fillInvoices();
    update();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (saving || done) return;
    saving = true;
    const c = currentCustomer();
    const usual = await confirmUsualAmount(store, { customer: c?.id, customerName: c?.name, currency: currency.input.value, amount: amount.input.value, today: todayISO(), what: 'a payment' });
    if (!usual) {
      saving = false;
      amount.input.focus();
      amount.input.select();
      return;
    }
    save.disabled = true;
    save.textContent = 'Saving…';
    const expected = plan();
    const cmd = command();
    let answer;
    try {
      answer = await store.apply(cmd);
    } catch (error) {
      answer = { ok: false, error: { code: 'storage_failed', message: `Not saved: ${error.message}` } };
    }
    saving = false;
    save.disabled = false;
    save.textContent = 'Save payment';
    if (!answer.ok) {
      errors.show(answer);
      return;
    }
    done = true;
    fields.disabled = true;
    save.hidden = true;
    replace(planBox, h('p', { class: 'hint' }, 'Saved: see below.'));
    showResult(answer, expected);
    ctx.announce(answer.duplicate ? 'This payment was already recorded; nothing was added.' : `Payment of ${money(answer.amount, answer.currency)} recorded.`);
    resultBox.querySelector('h2').setAttribute('tabindex', '-1');
    resultBox.querySelector('h2').focus();
  });

  // Prefill from the address: #/payments/new?customer=ID&currency=EUR&invoice=ID
  fillCustomers(query.get('customer') ?? '');
  fillCurrencies(query.get('currency') ?? undefined);
  fillInvoices();
  if (query.get('invoice')) {
    // From an invoice's "Add payment": that invoice, and what it still asks for.
    const box = invoiceList.querySelector(`input[value="${CSS.escape(query.get('invoice'))}"]`);
    const inv = open.find((i) => i.id === query.get('invoice'));
    if (box) { box.checked = true; modeInputs.find((m) => m.value === 'choose').input.checked = true; }
    if (inv) amount.input.value = inv.amount_due;
  }
  update();

  const node = h('section', { class: 'screen' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Add payment')),
    h('p', { class: 'lead' }, 'Money received from a customer. It settles open invoices; whatever is left is kept as credit and used for the next invoice.'),
    form);

  return {
    node,
    title: 'Add payment',
    onStoreChange() {
      // Another tab (or an import) changed the ledger: refresh the lists, keep what was typed.
      fillCustomers(customer.input.value);
      if (!done) { fillInvoices(); update(); }
    },
  };
}
