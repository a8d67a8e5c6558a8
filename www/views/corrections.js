// Credits and corrections: add credit (optionally valid until a date), apply credit to
// an open invoice, credit note (against an invoice or not), refund credit, void a
// payment, void an invoice, write off an invoice, expire credit past its date. Records
// are never edited: every correction is a new record.
//
// Every form says what it will do before it is sent, and the voids ask for a
// confirmation that says what they undo: both are worded from the engine's dry run of
// the very command the button sends, so they can't disagree with what it then does. A
// command the engine would refuse shows the refusal instead, before any confirmation.

import { h, enc, link, replace } from '../ui/dom.js';
import { money, date, todayISO, METHODS, methodLabel, statusLabel, COMMON_CURRENCIES } from '../ui/format.js';
import { field, setOptions, FieldErrors } from '../ui/forms.js';
import { confirmDialog } from '../ui/dialog.js';
import { isZero } from '../ui/decimal.js';
import { confirmUsualAmount } from '../ui/usual.js';
import { expiryWarning } from '../ui/expiry.js';

const ACTIONS = [
  ['add_credit', 'Add credit'],
  ['apply_credit', 'Apply credit to an open invoice'],
  ['credit_note', 'Credit note'],
  ['refund', 'Refund credit'],
  ['void_payment', 'Void a payment'],
  ['void_invoice', 'Void an invoice'],
  ['write_off', 'Write off an invoice (bad debt)'],
  ['expire_credit', 'Expire credit past its date'],
];

const nonZero = (v) => !isZero(v);

export function render(ctx, { query }) {
  const { store } = ctx;
  const customers = () => store.query({ type: 'customers' }).customers.sort((a, b) => a.name.localeCompare(b.name));
  const customer = field({ label: 'Customer', name: 'customer', type: 'select', options: [] });
  const action = field({ label: 'What to do', name: 'action', type: 'select', options: ACTIONS, value: query.get('action') ?? 'add_credit' });
  setOptions(customer.input, [['', 'Choose a customer…'], ...customers().map((c) => [c.id, c.name])], query.get('customer') ?? '');
  const summary = h('div', { class: 'summary-line', id: 'corrections-summary', 'aria-live': 'polite' });
  const area = h('div', { class: 'panel', id: 'correction-area' });
  let current = null;
  const preset = { invoice: query.get('invoice'), payment: query.get('payment') };

  function syncAddress() {
    const params = new URLSearchParams();
    if (customer.input.value) params.set('customer', customer.input.value);
    params.set('action', action.input.value);
    history.replaceState(null, '', `#/corrections?${params}`);
  }

  function showSummary() {
    const c = customers().find((x) => x.id === customer.input.value);
    if (!c) { summary.textContent = ''; return; }
    replace(summary, link(`/customers/${enc(c.id)}`, c.name), ': ',
      c.balances.map((b, i) => [i ? '; ' : '', `owes ${money(b.outstanding, b.currency)}, credit available ${money(b.credit, b.currency)}`]),
      c.balances.map((b) => expiryWarning(store.query({ type: 'credits', customer: c.id, currency: b.currency }).lots, b.currency, todayISO())));
  }

  function build() {
    showSummary();
    const c = customers().find((x) => x.id === customer.input.value);
    if (!c && action.input.value === 'expire_credit') {
      // Month-end: every customer's credit past its date at once.
      current = FORMS.expire_credit(ctx, null);
      replace(area, h('h2', {}, 'Expire credit past its date, every customer'), current.node);
      return;
    }
    if (!c) {
      current = null;
      replace(area, h('p', { class: 'hint' }, 'Choose a customer first (or "Expire credit past its date" for every customer at once).'));
      return;
    }
    const make = FORMS[action.input.value] ?? FORMS.add_credit;
    current = make(ctx, c, preset);
    preset.invoice = null; preset.payment = null;
    replace(area, h('h2', {}, ACTIONS.find(([k]) => k === action.input.value)?.[1] ?? ''), current.node);
  }

  customer.input.addEventListener('change', () => { syncAddress(); build(); });
  action.input.addEventListener('change', () => { syncAddress(); build(); });
  build();

  const node = h('section', { class: 'screen' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Credits and corrections')),
    h('p', { class: 'lead' }, 'Records are never edited or deleted: a mistake is corrected with a credit note, a refund or a void, which the statement shows.'),
    h('div', { class: 'grid' }, customer.el, action.el),
    summary,
    area);
  return {
    node,
    title: 'Credits and corrections',
    onStoreChange() {
      setOptions(customer.input, [['', 'Choose a customer…'], ...customers().map((c) => [c.id, c.name])], customer.input.value);
      showSummary();
      current?.refresh?.();
    },
  };
}

/**
 * A form that sends one command. `build()` gives the command (without id); `ready()`
 * says whether enough is filled in for a preview. `plan(dry)`
 * words what the engine's dry run of it says it will do, shown under the form as it is
 * filled in (`standIn` fills free-text fields still empty for that preview only: a
 * reason changes no amount). On "save": the dry run first, and a refusal is shown next
 * to its field, before anything else; then `before(command, dry)` may ask for a
 * confirmation; `after(answer)` says what was done. The id is made once per form and
 * renewed after a success; the button is disabled while saving.
 */
function commandForm(ctx, { prefix, errors, fields, submitLabel, build, ready = () => true, plan, standIn = {}, before, after, reset, extra = [], customer, planId }) {
  let id = `${prefix}-${crypto.randomUUID()}`;
  errors.idWords = () => recordWords(ctx, customer);
  let saving = false;
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel);
  const result = h('div', { class: 'result', role: 'status', tabindex: -1, hidden: true });
  const planBox = plan ? h('div', { class: 'plan', id: planId, 'aria-live': 'polite' }) : null;
  const form = h('form', { class: 'form', novalidate: true }, errors.summary, h('div', { class: 'grid' }, fields.map((f) => f.el)), extra,
    planBox ? [h('h3', {}, 'What will happen'), planBox] : null, h('div', { class: 'form-actions' }, save), result);

  /** The dry run of the command as typed (with stand-ins for empty free text). */
  function dryRun(command) {
    const filled = { ...command };
    for (const [key, value] of Object.entries(standIn)) if (!filled[key]) filled[key] = value;
    return ctx.store.dryRun({ ...filled, id });
  }

  function update() {
    if (!planBox) return;
    if (!ready()) { replace(planBox, h('p', { class: 'hint' }, 'Fill in the form to see what it will do.')); return; }
    const dry = dryRun(build());
    replace(planBox, dry.ok ? plan(dry) : h('p', { class: 'refusal' }, errors.words(dry.error)));
  }

  form.addEventListener('input', () => { errors.clear(); update(); });
  form.addEventListener('change', update);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (saving) return;
    saving = true;
    const command = { ...build(), id, at: new Date().toISOString() };
    try {
      // What the engine would answer, before any confirmation: a refusal is shown now.
      const dry = ctx.store.dryRun(command);
      if (!dry.ok) { errors.show(dry); return; }
      // The confirmation (the button keeps the focus to come back to), then saving.
      if (before && !(await before(command, dry))) return;
      save.disabled = true;
      save.textContent = 'Saving…';
      let answer;
      try {
        answer = await ctx.store.apply(command);
      } catch (error) {
        answer = { ok: false, error: { code: 'storage_failed', message: `Not saved: ${error.message}`, field: null, details: {} } };
      }
      if (!answer.ok) { errors.show(answer); return; }
      id = `${prefix}-${crypto.randomUUID()}`;
      replace(result, after(answer));
      result.hidden = false;
      ctx.announce(result.textContent);
      reset?.();
      update();
      result.focus();
    } finally {
      saving = false;
      save.disabled = false;
      save.textContent = submitLabel;
    }
  });
  return { form, update };
}

function currencyOptions(c) {
  return [...new Set([c.currency, ...c.balances.map((b) => b.currency), ...COMMON_CURRENCIES])].map((x) => [x, x]);
}

function invoicesOf(ctx, c, filter) {
  return ctx.store.query({ type: 'invoices', customer: c.id }).invoices.filter(filter);
}

/**
 * Whether a credit note or a void can still be made on invoice `i` (a row of the
 * `invoices` list): not on a void invoice, nor on one a write-off took part of. That one
 * is final even when a bounced payment re-opened it (status open or partly paid, with
 * `written_off` above zero), and the engine refuses both (`invoice_closed`).
 */
function correctable(ctx, i) {
  if (i.status === 'void' || i.status === 'written_off') return false;
  if (i.status !== 'open' && i.status !== 'partially_paid') return true;
  return isZero(ctx.store.query({ type: 'invoice', invoice: i.id }).written_off);
}

function invoiceLabel(i) {
  return `${i.number} · ${date(i.date)} · ${statusLabel(i.status)} · ${money(i.amount_due, i.currency)} due of ${money(i.total, i.currency)}`;
}

const FORMS = {
  add_credit(ctx, c) {
    const errors = new FieldErrors();
    const currency = field({ label: 'Currency', name: 'currency', type: 'select', options: currencyOptions(c), value: c.currency });
    const amount = errors.bind('amount', field({ label: 'Amount', name: 'amount', required: true, attrs: { inputmode: 'decimal', autocomplete: 'off' } }), { currency: () => currency.input.value });
    errors.bind('currency', currency);
    const day = errors.bind('date', field({ label: 'Date', name: 'date', type: 'date', value: todayISO() }));
    const reason = errors.bind('reason', field({ label: 'Reason', name: 'reason', required: true, hint: 'Shown on the statement, e.g. "Heating outage in March".' }));
    const validUntil = errors.bind('valid_until', field({ label: 'Valid until (optional)', name: 'valid_until', type: 'date', hint: 'The last day it can be used; empty: it never expires.' }));
    const { form: node, update } = commandForm(ctx, {
      customer: c, prefix: 'crd', errors, fields: [amount, currency, day, validUntil, reason], submitLabel: 'Add credit', planId: 'add-credit-plan',
      build: () => {
        const cmd = { type: 'add_credit', customer: c.id, amount: amount.input.value.trim(), currency: currency.input.value, date: day.input.value, reason: reason.input.value.trim() };
        if (validUntil.input.value) cmd.valid_until = validUntil.input.value;
        return cmd;
      },
      ready: () => amount.input.value.trim() !== '',
      standIn: { reason: 'preview' },
      plan: (d) => [h('p', {}, `${c.name} gets ${money(d.amount, d.currency)} of credit${d.valid_until ? `, valid until ${date(d.valid_until)}` : ''}, used for the next invoice in ${d.currency} (or applied to an open invoice now). No money is received: it is booked as goodwill.`)],
      before: (cmd) => usualOrConfirmed(ctx, c, cmd, 'a credit', amount),
      after: (a) => [h('p', {}, `Credit of ${money(a.amount, a.currency)} added for ${c.name}${a.valid_until ? `, valid until ${date(a.valid_until)}` : ''}. It will be used for the next invoice in ${a.currency}, or can be applied to an open invoice now.`)],
      reset: () => { amount.input.value = ''; reason.input.value = ''; validUntil.input.value = ''; },
    });
    update();
    return { node, refresh: update };
  },

  apply_credit(ctx, c, preset) {
    const errors = new FieldErrors();
    const invoice = errors.bind('invoice', field({ label: 'Open invoice', name: 'invoice', type: 'select', options: [], className: 'wide' }));
    const amount = errors.bind('amount', field({ label: 'Amount', name: 'amount', hint: 'Empty: as much as the credit and the invoice allow.', attrs: { inputmode: 'decimal', autocomplete: 'off' } }), { currency: () => selected()?.currency });
    const info = h('p', { class: 'hint', id: 'apply-credit-available', 'aria-live': 'polite' });
    const selected = () => ctx.store.query({ type: 'invoices', customer: c.id }).invoices.find((i) => i.id === invoice.input.value);
    function explain() {
      const inv = selected();
      if (!inv) { info.textContent = ''; return; }
      const cur = inv.currency;
      const credit = ctx.store.query({ type: 'credits', customer: c.id, currency: cur });
      // Credit whose "valid until" is before the invoice's date is held until expired but
      // can't pay it: the engine's dry run of applying all of it says what can.
      const all = isZero(credit.total) ? null : ctx.store.dryRun({ type: 'apply_credit', id: `probe-${crypto.randomUUID()}`, customer: c.id, invoice: inv.id, amount: credit.total });
      const usable = all && !all.ok && all.error.details?.rule === 'more_than_available' ? all.error.details.available.amount : null;
      const due = `${inv.number} has ${money(inv.amount_due, cur)} due.`;
      info.textContent = usable === null
        ? `${money(credit.total, cur)} of credit available in ${cur}; ${due}`
        : `${money(usable, cur)} of the ${money(credit.total, cur)} of credit held can pay ${inv.number}, dated ${date(inv.date)}: the rest is past its "valid until" date. ${due}`;
    }
    invoice.input.addEventListener('change', explain);
    const { form: node, update } = commandForm(ctx, {
      customer: c, prefix: 'app', errors, fields: [invoice, amount], submitLabel: 'Apply credit', extra: [info], planId: 'apply-credit-plan',
      ready: () => invoice.input.value !== '',
      build: () => {
        const cmd = { type: 'apply_credit', customer: c.id, invoice: invoice.input.value };
        if (amount.input.value.trim()) cmd.amount = amount.input.value.trim();
        return cmd;
      },
      plan: (d) => {
        const inv = selected();
        return [h('p', {}, `${money(d.applied, d.currency)} of ${c.name}'s credit will settle ${inv?.number ?? 'the invoice'}${inv ? `, which has ${money(inv.amount_due, d.currency)} due` : ''}. No money moves.`)];
      },
      after: (a) => {
        const inv = ctx.store.query({ type: 'invoice', invoice: a.invoice });
        return [h('p', {}, `Applied ${money(a.applied, a.currency)} of credit to ${inv.number}; it now has ${money(inv.amount_due, a.currency)} due.`)];
      },
      reset: () => { amount.input.value = ''; },
    });
    function refresh() {
      const open = invoicesOf(ctx, c, (i) => i.status === 'open' || i.status === 'partially_paid');
      setOptions(invoice.input, open.length ? open.map((i) => [i.id, invoiceLabel(i)]) : [['', 'No open invoices']], preset.invoice ?? invoice.input.value);
      explain();
      update();
    }
    refresh();
    return { node, refresh };
  },

  credit_note(ctx, c, preset) {
    const errors = new FieldErrors();
    const invoice = errors.bind('invoice', field({ label: 'Invoice', name: 'invoice', type: 'select', options: [], className: 'wide' }));
    const currency = field({ label: 'Currency', name: 'currency', type: 'select', options: currencyOptions(c), value: c.currency, hint: 'Only for a credit note without invoice.' });
    const selected = () => (invoice.input.value ? ctx.store.query({ type: 'invoice', invoice: invoice.input.value }) : null);
    const amount = errors.bind('amount', field({ label: 'Amount (tax included)', name: 'amount', required: true, attrs: { inputmode: 'decimal', autocomplete: 'off' } }), { currency: () => selected()?.currency ?? currency.input.value });
    errors.bind('currency', currency);
    const day = errors.bind('date', field({ label: 'Date', name: 'date', type: 'date', value: todayISO() }));
    const reason = errors.bind('reason', field({ label: 'Reason', name: 'reason', required: true }));
    const { form: node, update } = commandForm(ctx, {
      customer: c, prefix: 'cn', errors, fields: [invoice, amount, currency, day, reason], submitLabel: 'Issue credit note', planId: 'credit-note-plan',
      ready: () => {
        currency.input.disabled = Boolean(invoice.input.value);
        return amount.input.value.trim() !== '';
      },
      build: () => {
        const cmd = { type: 'issue_credit_note', customer: c.id, amount: amount.input.value.trim(), date: day.input.value, reason: reason.input.value.trim() };
        if (invoice.input.value) cmd.invoice = invoice.input.value;
        else cmd.currency = currency.input.value;
        return cmd;
      },
      standIn: { reason: 'preview' },
      plan: (d) => {
        const m = (v) => money(v, d.currency);
        if (!d.invoice) return [h('p', {}, `${c.name} gets ${m(d.credit_created)} of credit for the next invoice in ${d.currency}.`)];
        const number = selected()?.number ?? d.invoice;
        if (!nonZero(d.reduced_amount_due)) return [h('p', {}, `${number} is already settled: its amount due stays at zero, and ${m(d.credit_released)} paid on it becomes credit for ${c.name}.`)];
        return [h('p', {}, `${number}: its amount due goes down by ${m(d.reduced_amount_due)}`
          + (nonZero(d.credit_released) ? `, and ${m(d.credit_released)} already paid on it becomes credit for ${c.name}.` : '.'))];
      },
      before: (cmd) => (cmd.invoice ? true : usualOrConfirmed(ctx, c, cmd, 'a credit note', amount)),
      after: (a) => {
        const inv = a.invoice ? ctx.store.query({ type: 'invoice', invoice: a.invoice }) : null;
        return [h('p', {}, inv
          ? (!nonZero(a.reduced_amount_due)
            ? `Credit note of ${money(a.amount, a.currency)} issued for ${inv.number}, already settled: ${money(a.credit_created, a.currency)} became credit.`
            : `Credit note of ${money(a.amount, a.currency)} issued for ${inv.number}: its amount due went down by ${money(a.reduced_amount_due, a.currency)} (now ${money(inv.amount_due, a.currency)})${nonZero(a.credit_created) ? `, and ${money(a.credit_created, a.currency)} became credit` : ''}.`)
          : `Credit note of ${money(a.amount, a.currency)} issued: ${money(a.credit_created, a.currency)} of credit for ${c.name}.`)];
      },
      reset: () => { amount.input.value = ''; reason.input.value = ''; refresh(); },
    });
    function refresh() {
      // A void or written-off invoice is final (also re-opened): no credit note or void on it.
      const list = invoicesOf(ctx, c, (i) => correctable(ctx, i));
      setOptions(invoice.input, [['', 'No invoice: all of it becomes credit'], ...list.map((i) => [i.id, invoiceLabel(i)])], preset.invoice ?? invoice.input.value);
      update();
    }
    refresh();
    return { node, refresh };
  },

  refund(ctx, c) {
    const errors = new FieldErrors();
    const currency = field({ label: 'Currency', name: 'currency', type: 'select', options: currencyOptions(c), value: c.currency });
    const amount = errors.bind('amount', field({ label: 'Amount', name: 'amount', required: true, attrs: { inputmode: 'decimal', autocomplete: 'off' } }), { currency: () => currency.input.value });
    errors.bind('currency', currency);
    const method = errors.bind('method', field({ label: 'Paid out by', name: 'method', type: 'select', options: METHODS, value: 'bank_transfer' }));
    const day = errors.bind('date', field({ label: 'Date', name: 'date', type: 'date', value: todayISO() }));
    const reference = errors.bind('reference', field({ label: 'Reference', name: 'reference' }));
    const info = h('p', { class: 'hint', id: 'refund-available', 'aria-live': 'polite' });
    function available() {
      const cur = currency.input.value;
      const credit = ctx.store.query({ type: 'credits', customer: c.id, currency: cur });
      if (!credit.ok) { info.textContent = ''; return; }
      // Credit past its "valid until" date is held until expired but can't be refused on
      // the refund's date: the engine's dry run of refunding all of it says what can.
      const all = isZero(credit.total) ? null : ctx.store.dryRun({ type: 'refund_credit', id: `probe-${crypto.randomUUID()}`, customer: c.id, amount: credit.total, currency: cur, method: 'other', date: day.input.value });
      const usable = all && !all.ok && all.error.details?.rule === 'more_than_available' ? all.error.details.available.amount : null;
      info.textContent = usable === null
        ? `${money(credit.total, cur)} of credit available to refund.`
        : `${money(usable, cur)} of the ${money(credit.total, cur)} of credit held can be refunded on ${date(day.input.value)}: the rest is past its "valid until" date.`;
    }
    currency.input.addEventListener('change', available);
    day.input.addEventListener('input', available);
    const { form: node, update } = commandForm(ctx, {
      customer: c, prefix: 'ref', errors, fields: [amount, currency, method, day, reference], submitLabel: 'Refund credit', extra: [info], planId: 'refund-plan',
      ready: () => amount.input.value.trim() !== '',
      build: () => {
        const cmd = { type: 'refund_credit', customer: c.id, amount: amount.input.value.trim(), currency: currency.input.value, method: method.input.value, date: day.input.value };
        if (reference.input.value.trim()) cmd.reference = reference.input.value.trim();
        return cmd;
      },
      plan: (d) => {
        const words = recordWords(ctx, c);
        return [h('p', {}, `${money(d.amount, d.currency)} will be paid back to ${c.name} by ${methodLabel(method.input.value).toLowerCase()}, taken from this credit, oldest first:`),
          h('ul', { class: 'plan-list' }, d.credit_used.map((part) => h('li', {}, `${money(part.amount, d.currency)} from ${words.get(part.credit) ?? part.credit}`)))];
      },
      after: (a) => [h('p', {}, `Refunded ${money(a.amount, a.currency)} of credit to ${c.name} by ${methodLabel(method.input.value).toLowerCase()}.`)],
      reset: () => { amount.input.value = ''; reference.input.value = ''; refresh(); },
    });
    function refresh() { available(); update(); }
    refresh();
    return { node, refresh };
  },

  void_payment(ctx, c, preset) {
    const errors = new FieldErrors();
    const payment = errors.bind('payment', field({ label: 'Payment', name: 'payment', type: 'select', options: [], className: 'wide' }));
    const day = errors.bind('date', field({ label: 'Date of the void', name: 'date', type: 'date', value: todayISO() }));
    const reason = errors.bind('reason', field({ label: 'Reason', name: 'reason', hint: 'E.g. "Cheque bounced".' }));
    const all = () => ctx.store.query({ type: 'payments', customer: c.id }).payments;
    const { form: node, update } = commandForm(ctx, {
      customer: c, prefix: 'vp', errors, fields: [payment, day, reason], submitLabel: 'Void payment…', planId: 'void-payment-plan',
      ready: () => payment.input.value !== '',
      build: () => {
        const cmd = { type: 'void_payment', payment: payment.input.value, date: day.input.value };
        if (reason.input.value.trim()) cmd.reason = reason.input.value.trim();
        return cmd;
      },
      plan: (d) => voidPaymentWords(ctx, c, all().find((x) => x.id === d.payment), d),
      before: async (cmd, dry) => confirmDialog({ title: 'Void this payment?', body: voidPaymentWords(ctx, c, all().find((x) => x.id === cmd.payment), dry), confirmLabel: 'Void payment', danger: true }),
      after: (a) => {
        const numbers = new Map(ctx.store.query({ type: 'invoices', customer: c.id }).invoices.map((i) => [i.id, i.number]));
        return [h('p', {}, 'Payment voided.'),
          a.reopened.length ? h('ul', { class: 'plan-list' }, a.reopened.map((r) => h('li', {}, `${numbers.get(r.invoice) ?? r.invoice} owes ${money(r.amount, a.currency)} again`))) : h('p', {}, 'No invoice owes again.'),
          h('p', {}, `Credit withdrawn: ${money(a.credit_withdrawn, a.currency)}.`)];
      },
      reset: () => { reason.input.value = ''; refresh(); },
    });
    function refresh() {
      const live = all().filter((p) => !p.voided_by).reverse();
      setOptions(payment.input, live.length ? live.map((p) => [p.id, `${date(p.date)} · ${money(p.amount, p.currency)} · ${methodLabel(p.method)}${p.reference ? ` · ${p.reference}` : ''}`]) : [['', 'No payments to void']], preset.payment ?? payment.input.value);
      update();
    }
    refresh();
    return { node, refresh };
  },

  void_invoice(ctx, c, preset) {
    const errors = new FieldErrors();
    const invoice = errors.bind('invoice', field({ label: 'Invoice', name: 'invoice', type: 'select', options: [], className: 'wide' }));
    const day = errors.bind('date', field({ label: 'Date of the void', name: 'date', type: 'date', value: todayISO() }));
    const reason = errors.bind('reason', field({ label: 'Reason', name: 'reason', hint: 'E.g. "Issued to the wrong customer".' }));
    const { form: node, update } = commandForm(ctx, {
      customer: c, prefix: 'vi', errors, fields: [invoice, day, reason], submitLabel: 'Void invoice…', planId: 'void-invoice-plan',
      ready: () => invoice.input.value !== '',
      build: () => {
        const cmd = { type: 'void_invoice', invoice: invoice.input.value, date: day.input.value };
        if (reason.input.value.trim()) cmd.reason = reason.input.value.trim();
        return cmd;
      },
      plan: (d) => voidInvoiceWords(ctx, c, d),
      before: async (cmd, dry) => {
        const inv = ctx.store.query({ type: 'invoice', invoice: cmd.invoice });
        return confirmDialog({ title: `Void invoice ${inv.number}?`, body: voidInvoiceWords(ctx, c, dry), confirmLabel: 'Void invoice', danger: true });
      },
      after: (a) => {
        const inv = ctx.store.query({ type: 'invoice', invoice: a.invoice });
        return [h('p', {}, `Invoice ${inv.number} voided: ${money(a.cancelled, a.currency)} cancelled; ${money(a.credit_returned, a.currency)} returned to ${c.name} as credit.`)];
      },
      reset: () => { reason.input.value = ''; refresh(); },
    });
    function refresh() {
      // A void or written-off invoice is final (also re-opened): no credit note or void on it.
      const list = invoicesOf(ctx, c, (i) => correctable(ctx, i));
      setOptions(invoice.input, list.length ? list.map((i) => [i.id, invoiceLabel(i)]) : [['', 'No invoices to void']], preset.invoice ?? invoice.input.value);
      update();
    }
    refresh();
    return { node, refresh };
  },

  // Writing off keeps the revenue (the service was delivered): what is still owed becomes
  // bad debt, its tax part reversed. The outcome is the engine's dry run, shown while
  // choosing and again in the confirmation.
  write_off(ctx, c, preset) {
    const errors = new FieldErrors();
    const invoice = errors.bind('invoice', field({ label: 'Open invoice', name: 'invoice', type: 'select', options: [], className: 'wide' }));
    const day = errors.bind('date', field({ label: 'Date of the write-off', name: 'date', type: 'date', value: todayISO() }));
    const reason = errors.bind('reason', field({ label: 'Reason', name: 'reason', required: true, hint: 'Shown on the statement, e.g. "Member left, debt collection abandoned".' }));
    const { form: node, update } = commandForm(ctx, {
      customer: c, prefix: 'wo', errors, fields: [invoice, day, reason], submitLabel: 'Write off…', planId: 'write-off-plan',
      build: () => ({ type: 'write_off_invoice', invoice: invoice.input.value, date: day.input.value, reason: reason.input.value.trim() }),
      ready: () => invoice.input.value !== '',
      standIn: { reason: 'preview' },
      plan: (d) => writeOffWords(ctx, c, d),
      before: (cmd, dry) => {
        const inv = ctx.store.query({ type: 'invoice', invoice: cmd.invoice });
        return confirmDialog({ title: `Write off invoice ${inv.number}?`, body: [...writeOffWords(ctx, c, dry, true), h('p', { class: 'hint' }, 'The invoice keeps its revenue and stays in the records, marked as written off; it leaves the open invoices and the aging.')], confirmLabel: 'Write off', danger: true });
      },
      after: (a) => [h('p', {}, `Invoice ${ctx.store.query({ type: 'invoice', invoice: a.invoice }).number} written off: ${money(a.written_off, a.currency)} (tax reversed ${money(a.tax_reversed, a.currency)}, bad debt ${money(a.bad_debt, a.currency)}).`)],
      reset: () => { reason.input.value = ''; refresh(); },
    });
    function refresh() {
      const open = invoicesOf(ctx, c, (i) => i.status === 'open' || i.status === 'partially_paid');
      setOptions(invoice.input, open.length ? open.map((i) => [i.id, invoiceLabel(i)]) : [['', 'No open invoices']], preset.invoice ?? invoice.input.value);
      update();
    }
    refresh();
    return { node, refresh };
  },

  // Removes what is left of credit past its "valid until" date, dated today; the dry run
  // says lot by lot what will go, and with nothing past its date nothing is sent.
  // With no customer (`c` null): every customer's credit.
  expire_credit(ctx, c) {
    const errors = new FieldErrors();
    const { form: node, update } = commandForm(ctx, {
      customer: c, prefix: 'exp', errors, fields: [], submitLabel: 'Expire credit…', planId: 'expire-plan',
      build: () => ({ type: 'expire_credit', ...(c ? { customer: c.id } : {}), date: todayISO() }),
      plan: (d) => expireWords(ctx, c, d),
      before: (cmd, dry) => (dry.expired.length
        ? confirmDialog({ title: 'Expire this credit?', body: expireWords(ctx, c, dry), confirmLabel: 'Expire credit', danger: true })
        : false),
      after: (a) => [h('p', {}, a.expired.length ? `Expired: ${a.expired.length} credit lot${a.expired.length === 1 ? '' : 's'} past ${a.expired.length === 1 ? 'its' : 'their'} date${c ? ` of ${c.name}` : ''}.` : 'No credit had expired.')],
    });
    update();
    return { node, refresh: update };
  },
};

/** A write-off's outcome in words, from the engine's (dry-run) answer. */
function writeOffWords(ctx, c, a, inDialog = false) {
  const inv = ctx.store.query({ type: 'invoice', invoice: a.invoice });
  // Credit the customer holds that could pay it (the engine's dry run of "Apply credit"
  // with its defaults): writing off a debt while keeping the debtor's money is a slip.
  const usable = ctx.store.dryRun({ type: 'apply_credit', id: `probe-${crypto.randomUUID()}`, customer: c.id, invoice: a.invoice });
  return [
    h('p', {}, `${money(a.written_off, a.currency)} still owed by ${c.name} on ${inv.number} will be written off: ${c.name} will no longer owe it.`),
    h('ul', { class: 'plan-list' },
      h('li', {}, `Tax reversed (no longer payable): ${money(a.tax_reversed, a.currency)}`),
      h('li', {}, `Bad debt (an expense): ${money(a.bad_debt, a.currency)}`)),
    usable.ok && nonZero(usable.applied)
      ? h('p', { class: 'warning', id: inDialog ? null : 'write-off-credit-warning' }, `${c.name} holds credit that could pay ${money(usable.applied, a.currency)} of it. `,
        // No link inside the confirmation: it would leave the dialog open over another screen.
        inDialog ? 'Apply that credit first' : link(`/corrections?customer=${enc(c.id)}&invoice=${enc(a.invoice)}&action=apply_credit`, 'Apply that credit first'),
        ' unless it is kept for something else: the write-off then covers only what is left.')
      : null,
  ];
}

/** What `expire_credit` will remove (or removed), lot by lot, in words. */
function expireWords(ctx, c, a) {
  const whose = c ? `of ${c.name} ` : '';
  if (!a.expired.length) return [h('p', {}, `No credit ${whose}is past its "valid until" date on ${date(a.date)}: nothing will expire.`)];
  const names = c ? null : new Map(ctx.store.query({ type: 'customers' }).customers.map((x) => [x.id, x.name]));
  return [
    h('p', {}, `On ${date(a.date)} this credit ${whose}is past its "valid until" date and will be removed:`),
    h('ul', { class: 'plan-list' }, a.expired.map((x) => h('li', {}, `${names ? `${names.get(x.customer) ?? x.customer}: ` : ''}${money(x.amount, x.currency)} left of credit valid until ${date(x.valid_until)}`))),
    h('p', { class: 'hint' }, 'Each removal is a "Credit expired" entry on the statement.'),
  ];
}

/** True when the command's amount is usual for `c`, or the user confirms it; else back to the amount field. */
async function usualOrConfirmed(ctx, c, cmd, what, amountField) {
  const ok = await confirmUsualAmount(ctx.store, { customer: c.id, customerName: c.name, currency: cmd.currency, amount: cmd.amount, today: todayISO(), what });
  if (!ok) { amountField.input.focus(); amountField.input.select(); }
  return ok;
}

/**
 * Record ids of a customer in words, for refusals and plans: invoices by number,
 * payments by date and amount, credit granted and credit notes by date.
 */
function recordWords(ctx, c) {
  const words = new Map();
  if (!c) return words;
  for (const i of ctx.store.query({ type: 'invoices', customer: c.id }).invoices) words.set(i.id, i.number);
  for (const p of ctx.store.query({ type: 'payments', customer: c.id }).payments) words.set(p.id, `the payment of ${date(p.date)} (${money(p.amount, p.currency)})`);
  for (const b of c.balances) {
    for (const e of ctx.store.query({ type: 'statement', customer: c.id, currency: b.currency }).entries ?? []) {
      if (e.kind === 'credit') words.set(e.ref, `the credit granted on ${date(e.date)}`);
      if (e.kind === 'credit_note') words.set(e.ref, `the credit note of ${date(e.date)}`);
    }
  }
  return words;
}

/** What voiding payment `p` will undo, in words, from the engine's dry run `dry` of the void. */
export function voidPaymentWords(ctx, c, p, dry) {
  const cur = dry.currency;
  const numbers = new Map(ctx.store.query({ type: 'invoices', customer: c.id, currency: cur }).invoices.map((i) => [i.id, i.number]));
  const words = [h('p', {}, p
    ? `The payment of ${money(p.amount, cur)} received from ${c.name} on ${date(p.date)} by ${methodLabel(p.method).toLowerCase()}${p.reference ? ` (ref. ${p.reference})` : ''} will be cancelled.`
    : `The payment of ${money(dry.amount, cur)} will be cancelled.`)];
  if (dry.reopened.length) {
    words.push(h('p', {}, 'These invoices will owe again:'));
    words.push(h('ul', { class: 'plan-list' }, dry.reopened.map((r) => h('li', {}, `${numbers.get(r.invoice) ?? r.invoice}: ${money(r.amount, cur)}`))));
  } else words.push(h('p', {}, 'No invoice will owe again.'));
  words.push(h('p', {}, nonZero(dry.credit_withdrawn) ? `${money(dry.credit_withdrawn, cur)} of credit it left will be withdrawn.` : 'No credit will be withdrawn.'));
  words.push(h('p', { class: 'hint' }, 'The payment stays in the records, marked as voided.'));
  return words;
}

/** What voiding an invoice will undo, in words, from the engine's dry run `dry` of the void. */
export function voidInvoiceWords(ctx, c, dry) {
  const cur = dry.currency;
  const m = (v) => money(v, cur);
  const inv = ctx.store.query({ type: 'invoice', invoice: dry.invoice });
  const payments = new Set(ctx.store.query({ type: 'payments', customer: c.id, currency: cur }).payments.map((p) => p.id));
  const words = recordWords(ctx, c);
  const parts = dry.returned.map((part) => (payments.has(part.credit)
    ? `${m(part.amount)} paid by ${words.get(part.credit)}`
    : `${m(part.amount)} of credit: ${words.get(part.credit) ?? part.credit}`));
  return [
    h('p', {}, `Invoice ${inv.number} of ${date(inv.date)} for ${m(inv.total)} will be cancelled: ${nonZero(inv.amount_due) ? `${c.name} will no longer owe its ${m(inv.amount_due)} due` : 'nothing is due on it'}, and the statement will credit the ${m(dry.cancelled)} it asked for.`),
    nonZero(dry.credit_returned)
      ? [h('p', {}, `${m(dry.credit_returned)} that settled it will return to ${c.name} as credit:`), h('ul', { class: 'plan-list' }, parts.map((t) => h('li', {}, t)))]
      : h('p', {}, 'Nothing was paid on it, so no credit is returned.'),
    h('p', { class: 'hint' }, 'The invoice keeps its number and stays in the records, marked as void.'),
  ];
}
