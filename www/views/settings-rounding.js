// The tax rounding setting (Data page): "per line" or "per invoice", for invoices issued
// from now on. The current setting is the engine's `settings` query; a change is a
// `configure` command, so it is in the journal, the backup and the sync like any other.

import { h } from '../ui/dom.js';
import { field, FieldErrors } from '../ui/forms.js';

export const ROUNDING = [
  ['line', 'Per line: each line\'s tax is rounded on its own'],
  ['invoice', 'Per invoice: tax is rounded once per rate over the invoice, then shared out over the lines'],
];

/** "line" → "per line", in a sentence. */
export function roundingWords(mode) {
  return mode === 'invoice' ? 'per invoice (once per tax rate)' : 'per line';
}

export function roundingSection(ctx) {
  const { store } = ctx;
  const errors = new FieldErrors();
  const current = () => store.query({ type: 'settings' });
  const choice = errors.bind('tax_rounding', field({ label: 'Tax rounding for new invoices', name: 'tax_rounding', type: 'select', options: ROUNDING, value: current().tax_rounding, className: 'wide' }));
  const now = h('p', { id: 'tax-rounding-current' });
  const result = h('p', { role: 'status', class: 'hint' });
  let id = `cfg-${crypto.randomUUID()}`;
  const show = () => { now.textContent = `In force: tax is rounded ${roundingWords(current().tax_rounding)}. Invoices already issued keep the rounding they were issued with.`; };
  const form = h('form', { class: 'form', novalidate: true, id: 'tax-rounding-form', on: { submit: async (event) => {
    event.preventDefault();
    const answer = await store.apply({ type: 'configure', id, at: new Date().toISOString(), tax_rounding: choice.input.value });
    if (!answer.ok) { errors.show(answer); return; }
    id = `cfg-${crypto.randomUUID()}`;
    result.textContent = `Saved: invoices issued from now on round tax ${roundingWords(answer.tax_rounding)}.`;
    ctx.announce(result.textContent);
    show();
  } } }, errors.summary, h('div', { class: 'grid' }, choice.el), h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save tax rounding')), result);
  show();
  // A viewer reads the setting but cannot change the books.
  const canChange = ctx.user?.role !== 'viewer';
  const node = h('section', { class: 'panel', 'aria-labelledby': 'rounding-title' },
    h('h2', { id: 'rounding-title' }, 'Tax rounding'),
    now,
    h('p', { class: 'hint' }, 'Some countries and accountants want tax rounded once per rate on each invoice rather than line by line; the lines still add up to the total. The new-invoice preview follows the setting.'),
    canChange ? form : null);
  return { node, refresh: show };
}
