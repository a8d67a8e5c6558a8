// Add payment: the central flow. The operator picks the customer, amount, currency,
// method, date and reference and, if they want, which open invoices it pays. Before
// saving, the screen says in words what will happen: the engine's dry run of the very
// command "Save payment" sends (its allocations and the credit it would create, or its
// refusal), so the preview and the result can't disagree. After saving it shows what
// the engine did (`allocations`, `credit_created`).
//
// Never twice: the command id is made once per form (crypto.randomUUID) and the button
// is disabled while saving, so a double click or a slow disk records one payment; a
// resend of the same command is answered as a duplicate.

import { h, enc, link, replace } from '../ui/dom.js';
import { money, date, todayISO, METHODS, methodLabel, COMMON_CURRENCIES, zeroAmount } from '../ui/format.js';
import { field, setOptions, FieldErrors } from '../ui/forms.js';
import { compareDecimals, isZero } from '../ui/decimal.js';
import { unusualAmount, unusualWords, confirmUsualAmount } from '../ui/usual.js';

export function render(ctx, { query }) {
  const { store } = ctx;
  let commandId = `pay-${crypto.randomUUID()}`;
  let saving = false;
  let done = false;

  const errors = new FieldErrors();
  const customer = errors.bind('customer', field({ label: 'Customer', name: 'customer', type: 'select', required: true, options: [] }));
  const amount = errors.bind('amount', field({ label: 'Amount', name: 'amount', required: true, attrs: { inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00' } }), { currency: () => currency.input.value });
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

  /**
   * What the engine would do with this payment now: its dry run of the very command
   * "Save payment" sends (accepted with its allocations and credit, or refused), or why
   * there is nothing to ask yet.
   */
  function plan() {
    const c = currentCustomer();
    if (!c) return { why: 'Choose a customer to see what this payment will settle.' };
    if (!amount.input.value.trim()) return { why: 'Enter the amount received to see what it will settle.' };
    return { customer: c, mode: mode(), answer: store.dryRun(command()) };
  }

  function describe(p) {
    if (p.why) return [h('p', { class: 'hint' }, p.why)];
    const { answer, customer: c } = p;
    if (!answer.ok) {
      return [h('p', { class: 'refusal', id: 'plan-refusal' }, h('strong', {}, 'This payment can\'t be saved as it is. '), errors.words(answer.error))];
    }
    const cur = answer.currency;
    const m = (v) => money(v, cur);
    // Money in another currency than the customer's billing one is often a slip of the currency field.
    let otherCurrency = null;
    if (cur !== c.currency) {
      const billing = store.query({ type: 'balance', customer: c.id, currency: c.currency });
      const owes = billing.ok && !isZero(billing.outstanding) ? ` and owes ${money(billing.outstanding, c.currency)}` : '';
      otherCurrency = h('p', { class: 'warning', id: 'currency-warning' }, `${c.name} is billed in ${c.currency}${owes}: a payment in ${cur} settles only invoices in ${cur}, and credit in ${cur} pays only invoices in ${cur}.`);
    }
    if (answer.allocations.length === 0) {
      const ticked = invoiceList.querySelectorAll('input:checked').length;
      const bal = store.query({ type: 'balance', customer: c.id, currency: cur });
      const why = p.mode === 'credit' ? 'You chose to keep it as credit, so'
        : p.mode === 'choose' && ticked === 0 ? 'No invoice is ticked, so'
          : bal.ok && isZero(bal.outstanding) ? `${c.name} owes nothing in ${cur}, so` : 'It settles no invoice, so';
      return [h('p', {}, `${why} all of ${m(answer.amount)} will be kept as credit, and used for ${c.name}'s next invoice in ${cur}.`), otherCurrency];
    }
    const due = new Map(open.map((i) => [i.id, i]));
    return [
      h('p', {}, `This payment of ${m(answer.amount)} will settle:`),
      h('ul', { class: 'plan-list' }, answer.allocations.map((a) => {
        const inv = due.get(a.invoice);
        const full = !inv || compareDecimals(a.amount, inv.amount_due) === 0;
        return h('li', {}, h('strong', {}, inv?.number ?? a.invoice), ': ', m(a.amount),
          full ? ', paid in full' : ` of the ${m(inv.amount_due)} it asks`);
      })),
      h('p', {}, isZero(answer.credit_created)
        ? 'Nothing will be left over as credit.'
        : `The remaining ${m(answer.credit_created)} will be kept as credit for the next invoice in ${cur}.`),
      otherCurrency,
    ];
  }

  /** A warning when the amount is far above the customer's usual invoices (asked again on saving). */
  function amountCheck() {
    const c = currentCustomer();
    const u = c && unusualAmount(store, { customer: c.id, currency: currency.input.value, amount: amount.input.value, today: todayISO() });
    return u ? h('p', { class: 'warning', id: 'amount-warning' }, `${unusualWords(u, c.name)} You will be asked to confirm it.`) : null;
  }

  function update() {
    if (done) return;
    amount.input.placeholder = zeroAmount(currency.input.value);
    const p = plan();
    replace(planBox, describe(p), p.answer?.ok ? amountCheck() : null);
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
    const preview = expected?.answer?.ok ? expected.answer : null;
    const matches = preview
      && preview.credit_created === answer.credit_created
      && preview.allocations.length === answer.allocations.length
      && preview.allocations.every((a, i) => a.invoice === answer.allocations[i].invoice && a.amount === answer.allocations[i].amount);
    const c = currentCustomer();
    replace(resultBox,
      h('h2', {}, answer.duplicate ? 'This payment was already recorded' : 'Payment recorded'),
      h('p', {}, `${money(answer.amount, cur)} from ${c?.name ?? answer.customer} by ${methodLabel(method.input.value).toLowerCase()} on ${date(day.input.value)}.`),
      answer.allocations.length
        ? h('ul', { class: 'plan-list', id: 'result-allocations' }, answer.allocations.map((a) => h('li', {}, h('strong', {}, numbers.get(a.invoice) ?? a.invoice), `: ${money(a.amount, cur)} settled`)))
        : h('p', {}, 'It settled no invoice.'),
      h('p', { id: 'result-credit' }, `Kept as credit: ${money(answer.credit_created, cur)}`),
      preview && !matches ? h('p', { class: 'warning' }, 'The ledger changed while you were entering this payment (another tab?), so it was settled differently from the preview above. What is shown here is what was recorded.') : null,
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
    // A command the engine would refuse is shown as such at once, before any question.
    const dry = store.dryRun(command());
    if (!dry.ok) {
      saving = false;
      errors.show(dry);
      return;
    }
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
