// Form fields with a label, an optional hint and an error slot wired with
// aria-describedby, and refusals shown next to the field they are about: the engine
// names it (`field`: "amount", "lines[1].unit_price", "allocate_to[0]"), the field's
// label replaces the JSON name, and ui/refusal.js words the rest from `details`. No
// engine message is read. A refusal never clears what was typed.

import { h, uid } from './dom.js';
import { refusalText } from './refusal.js';

/**
 * A labelled control. `type` is an input type, or "select" (with `options`:
 * [[value, label], ...]) or "textarea". Returns { el, input, error }.
 */
export function field({ label, name, type = 'text', value, required = false, hint, options = [], attrs = {}, className }) {
  const id = uid(name || 'field');
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : undefined;
  let input;
  const common = { id, name, required, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' '), ...attrs };
  if (type === 'select') {
    input = h('select', common, options.map(([v, text]) => h('option', { value: v }, text)));
    if (value !== undefined) input.value = value;
  } else if (type === 'textarea') {
    input = h('textarea', { ...common, value });
  } else {
    input = h('input', { ...common, type, value });
  }
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const labelEl = h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const el = type === 'checkbox'
    ? h('div', { class: ['field', 'field-check', className] }, input, labelEl, hint ? h('p', { id: hintId, class: 'hint' }, hint) : null, error)
    : h('div', { class: ['field', className] }, labelEl, input, hint ? h('p', { id: hintId, class: 'hint' }, hint) : null, error);
  return { el, input, error, label };
}

/** Sets the options of a select, keeping its value when still offered. */
export function setOptions(select, options, keep = select.value) {
  select.replaceChildren(...options.map(([v, text]) => h('option', { value: v }, text)));
  if (options.some(([v]) => v === keep)) select.value = keep;
}

/**
 * Shows refusals next to the fields they name. Bind each field to its engine path
 * (`bind('amount', f)`); options say how to word values for it: `percent` (the form takes
 * a percentage, the engine a fraction), `currency()` (the currency of a money field).
 */
export class FieldErrors {
  constructor(summary) {
    this.summary = summary ?? h('div', { class: 'form-error', role: 'alert', hidden: true });
    this.bindings = new Map();
    this.shown = [];
    /** Optional () => Map of record id → words ("INV-0003"), so refusals don't show raw ids. */
    this.idWords = null;
  }

  bind(path, f, { label, percent = false, currency } = {}) {
    this.bindings.set(path, { f, label: label ?? f.label, percent, currency });
    return f;
  }

  unbindPrefix(prefix) {
    for (const key of [...this.bindings.keys()]) if (key.startsWith(prefix)) this.bindings.delete(key);
  }

  clear() {
    for (const f of this.shown) {
      f.error.hidden = true;
      f.error.textContent = '';
      f.input.removeAttribute('aria-invalid');
    }
    this.shown = [];
    this.summary.hidden = true;
    this.summary.textContent = '';
  }

  /**
   * The binding for a refusal's `field`: the path itself, else the list it is an item of
   * (`allocate_to[0]` → `allocate_to`), else the item it is a part of (`lines[2].x` →
   * `lines[2]` → `lines`).
   */
  lookup(path) {
    if (!path) return null;
    let p = path;
    while (p) {
      if (this.bindings.has(p)) return this.bindings.get(p);
      const cut = Math.max(p.lastIndexOf('['), p.lastIndexOf('.'));
      p = cut > 0 ? p.slice(0, cut) : '';
    }
    return null;
  }

  /** A refusal in the user's words, for the field it is bound to (or none). */
  words(error, binding = this.lookup(error?.field)) {
    const names = this.idWords?.();
    return refusalText(error, {
      label: binding?.label,
      percent: binding?.percent,
      currency: binding?.currency?.() ?? null,
      words: (id) => names?.get(id) ?? null,
    });
  }

  /**
   * Shows a refused answer. Returns the element that got the message (the field's
   * input, or the summary). `focus` moves the keyboard there.
   */
  show(answer, { focus = true, prefix = '' } = {}) {
    this.clear();
    const error = answer?.error ?? { code: 'invalid_input', message: String(answer), field: null, details: {} };
    const binding = this.lookup(error.field);
    if (binding) {
      const { f } = binding;
      f.error.textContent = this.words(error, binding);
      f.error.hidden = false;
      f.input.setAttribute('aria-invalid', 'true');
      this.shown.push(f);
      if (focus) f.input.focus();
      return f.input;
    }
    this.summary.textContent = `${prefix}${this.words(error, null)}`;
    this.summary.hidden = false;
    if (focus) {
      this.summary.setAttribute('tabindex', '-1');
      this.summary.focus();
    }
    return this.summary;
  }
}
