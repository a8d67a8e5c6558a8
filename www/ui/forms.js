// Form fields with a label, an optional hint and an error slot wired with
// aria-describedby, and the mapping of engine refusals to the field they name.
//
// Engine messages start with the field and value that were wrong: "amount: '10.001'
// has more decimals than USD allows (2)", "lines[1].unit_price: 'x' is not a decimal
// number...", "name must not be empty". The path is read off the front, matched to the
// input bound to it, and the message is shown there with the field's label instead of
// the JSON name. A refusal never clears what was typed.

import { h, uid } from './dom.js';

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

/** The field path an engine message starts with ("lines[1].unit_price"), or null. */
export function fieldPath(message) {
  const m = /^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)?)(?=: | must | is | has | can)/.exec(message ?? '');
  return m ? m[1] : null;
}

/** The message with the JSON field name replaced by the label a person sees. */
export function plainMessage(message, path, label) {
  if (!path || !label) return message;
  let rest = message.slice(path.length);
  if (rest.startsWith(': ')) return `${label}: ${rest.slice(2)}`;
  return `${label}${rest}`;
}

/**
 * Shows refusals next to the fields they name. Bind each field to its engine path;
 * `rewrite(message)` may restate a message in the form's own terms (percentages).
 */
export class FieldErrors {
  constructor(summary) {
    this.summary = summary ?? h('div', { class: 'form-error', role: 'alert', hidden: true });
    this.bindings = new Map();
    this.shown = [];
    /** Optional () => Map of record id → words ("INV-0003"), so messages don't show raw ids. */
    this.idWords = null;
  }

  bind(path, f, { label, rewrite } = {}) {
    this.bindings.set(path, { f, label: label ?? f.label, rewrite });
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

  /** Finds the binding for a path: exact, then without its index, then its head. */
  lookup(path) {
    if (!path) return null;
    const candidates = [path, path.replace(/\[\d+\]$/, ''), path.replace(/\.[a-z_]+$/, ''), path.replace(/\[\d+\].*$/, '')];
    for (const c of candidates) if (this.bindings.has(c)) return this.bindings.get(c);
    return null;
  }

  /**
   * Shows a refused answer. Returns the element that got the message (the field's
   * input, or the summary). `focus` moves the keyboard there.
   */
  show(answer, { focus = true, prefix = '' } = {}) {
    this.clear();
    let message = answer?.error?.message ?? String(answer);
    const words = this.idWords?.();
    if (words) message = message.replace(/'([^']+)'/g, (all, id) => (words.has(id) ? words.get(id) : all));
    const path = fieldPath(message);
    const binding = this.lookup(path);
    if (binding) {
      const { f, label, rewrite } = binding;
      const text = rewrite ? rewrite(message) : plainMessage(message, path, label);
      f.error.textContent = text;
      f.error.hidden = false;
      f.input.setAttribute('aria-invalid', 'true');
      this.shown.push(f);
      if (focus) f.input.focus();
      return f.input;
    }
    this.summary.textContent = `${prefix}${explain({ ...answer, error: { ...answer?.error, message } })}`;
    this.summary.hidden = false;
    if (focus) {
      this.summary.setAttribute('tabindex', '-1');
      this.summary.focus();
    }
    return this.summary;
  }
}

const CODE_WORDS = {
  storage_failed: '',
  conflict: 'This form was already used for a different record. Reload the page and enter it again. ',
};

/** A refusal in words, for messages that name no field on the form. */
export function explain(answer) {
  const error = answer?.error;
  if (!error) return String(answer);
  return `${CODE_WORDS[error.code] ?? ''}${error.message}`;
}
