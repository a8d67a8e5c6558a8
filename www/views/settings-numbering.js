// The invoice number format (Data page): how the next invoices are numbered, e.g.
// "INV-{seq:0000}" or "{year}-{seq:0000}". The sequence itself never restarts. The
// current format is the engine's `settings` query; a change is a `configure` command
// (journal, backup and sync like any other), checked by the engine: a refusal is shown
// next to the field and nothing changes. The example number is the engine's own: the
// `preview_invoice` of a one-line invoice dated today for the first customer.

import { h } from '../ui/dom.js';
import { todayISO } from '../ui/format.js';
import { field, FieldErrors } from '../ui/forms.js';

export function numberingSection(ctx) {
  const { store } = ctx;
  const errors = new FieldErrors();
  const current = () => store.query({ type: 'settings' });
  const format = errors.bind('invoice_number_format', field({
    label: 'Invoice number format', name: 'invoice_number_format', value: current().invoice_number_format, className: 'wide',
    hint: 'Placeholders: {seq} (the sequence number, required), {seq:0000} (padded to 4 digits), {year}, {month}, {day} (of the invoice date). E.g. {year}-{seq:0000}.',
    attrs: { autocomplete: 'off', spellcheck: 'false' },
  }));
  const now = h('p', { id: 'invoice-number-current' });
  const result = h('p', { role: 'status', class: 'hint' });
  let id = `cfg-${crypto.randomUUID()}`;

  /** The number the next invoice would get today, from the engine (null without a customer). */
  function nextNumber() {
    const first = store.query({ type: 'customers' }).customers[0];
    if (!first) return null;
    const preview = store.query({ type: 'preview_invoice', customer: first.id, currency: first.currency, date: todayISO(), lines: [{ description: 'example', unit_price: '1' }] });
    return preview.ok ? preview.number : null;
  }

  const show = () => {
    const s = current();
    const next = nextNumber();
    now.textContent = `In force: ${s.invoice_number_format}. ${next ? `The next invoice issued today gets number ${next}` : `The next invoice gets sequence number ${s.next_invoice_seq}`}; the sequence never restarts, and invoices already issued keep their numbers.`;
  };

  const form = h('form', { class: 'form', novalidate: true, id: 'invoice-number-form', on: { submit: async (event) => {
    event.preventDefault();
    const command = { type: 'configure', id, at: new Date().toISOString(), invoice_number_format: format.input.value.trim() };
    // The engine checks the format first: a refusal changes nothing.
    const dry = store.dryRun(command);
    if (!dry.ok) { errors.show(dry); return; }
    const answer = await store.apply(command);
    if (!answer.ok) { errors.show(answer); return; }
    id = `cfg-${crypto.randomUUID()}`;
    show();
    const next = nextNumber();
    result.textContent = `Saved: invoices issued from now on are numbered ${answer.invoice_number_format}${next ? ` (the next: ${next})` : ''}.`;
    ctx.announce(result.textContent);
  } } }, errors.summary, h('div', { class: 'grid' }, format.el),
  h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save invoice number format')), result);
  format.input.addEventListener('input', () => { errors.clear(); result.textContent = ''; });
  show();
  const canChange = ctx.user?.role !== 'viewer';
  const node = h('section', { class: 'panel', 'aria-labelledby': 'numbering-title' },
    h('h2', { id: 'numbering-title' }, 'Invoice numbers'),
    now,
    canChange ? form : null);
  return { node, refresh: show };
}
