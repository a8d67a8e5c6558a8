// A refusal in the user's terms, from its code, field and details (contract v1.1), never
// from its message: money with Intl in the user's locale, dates as the forms show them,
// limits as plain numbers, rates in percent, record ids as the invoice numbers or payment
// dates the user knows. The engine's English message is the last resort, for refusals a
// person filling in the panel's forms can't cause (a malformed command).

import { money, formDate, plainNumber } from './format.js';
import { shift, isDecimal, isZero, scaleOf } from './decimal.js';

const NAMES = {
  amount: 'Amount', currency: 'Currency', customer: 'Customer', date: 'Date', due_date: 'Due date',
  description: 'Description', quantity: 'Quantity', unit_price: 'Unit price', tax_rate: 'Tax rate',
  discount_rate: 'Discount', lines: 'Lines', invoice: 'Invoice', payment: 'Payment', method: 'Method',
  reference: 'Reference', reason: 'Reason', name: 'Name', email: 'E-mail', allocate_to: 'Invoices to pay',
  from: 'From', to: 'To', as_of: 'As of', valid_until: 'Valid until', invoice_number_format: 'Invoice number format',
};

/** A field path in words, for a refusal shown away from its field: `lines[1].unit_price` → "Unit price, line 2". */
export function fieldLabel(path) {
  if (!path) return null;
  const line = path.startsWith('lines[') ? Number(path.slice(6, path.indexOf(']'))) : null;
  const last = path.slice(path.lastIndexOf('.') + 1).split('[')[0];
  const name = NAMES[last];
  if (!name) return null;
  return line === null || last === 'lines' ? name : `${name}, line ${line + 1}`;
}

/**
 * The sentence for refusal `error`. Options:
 * - `label`: the label of the field it is shown next to (null: none; default: the field's
 *   name from its path, for a refusal shown away from the field);
 * - `percent`: the field takes a percentage while the engine takes a fraction (default:
 *   for rates);
 * - `currency`: the currency of a money field, to word amounts the details give bare;
 * - `words(id)`: how the user knows a record ("INV-0003", "the payment of Mar 3, 2026"), or null;
 * - `locale`: for Intl (default: the user's).
 */
export function refusalText(error, { label = fieldLabel(error?.field), percent = Boolean(error?.field?.endsWith('_rate')), currency = null, words = () => null, locale } = {}) {
  const d = error?.details ?? {};
  const m = (v) => (v && typeof v === 'object' ? money(v.amount, v.currency, locale) : currency ? money(v, currency, locale) : plainNumber(v, locale));
  const rate = (v) => `${plainNumber(shift(String(v), 2), locale)}%`;
  const record = (id) => (id ? words(id) ?? `“${id}”` : 'it');
  // A value the engine received: a number as the user would write it, anything else quoted.
  const typed = (v) => {
    if (v && typeof v === 'object') return m(v);
    if (!isDecimal(v)) return `“${v}”`;
    return percent ? rate(v) : m(v);
  };
  const whole = (text) => `${text[0].toUpperCase()}${text.slice(1)}`;
  // About the field's value: after its label. About the record as a whole: a sentence of its own.
  const sentence = (text) => (label ? `${label}: ${text}` : whole(text));

  switch (d.rule) {
    case 'required':
      return sentence('required.');
    case 'empty':
      return sentence(error.field === 'lines' ? 'add at least one line.' : 'must not be empty.');
    case 'too_long':
      return sentence(d.max_length !== undefined ? `too long: at most ${plainNumber(d.max_length, locale)} characters.` : `too long: at most ${plainNumber(d.max_bytes, locale)} bytes.`);
    case 'control_characters':
      return sentence('must not contain control characters (such as tabs or line breaks).');
    case 'not_allowed':
      return sentence(`${typed(d.value)} is not one of the choices.`);
    case 'listed_twice':
      return sentence(`${record(d.value)} is listed twice.`);
    case 'too_many':
      return sentence(`at most ${plainNumber(d.max_items, locale)}.`);
    case 'not_decimal':
      return sentence(d.value === '' ? 'enter a number.' : `${typed(d.value)} is not a number${percent ? ' (a percentage such as 20 or 5.5)' : ' (such as 1250.50)'}.`);
    case 'too_many_digits':
      return sentence(`${typed(d.value)} has more digits than the ledger can hold exactly.`);
    case 'not_positive':
      return sentence('must be more than zero.');
    case 'not_an_email':
      return sentence(`${typed(d.value)} is not an e-mail address (like name@example.com).`);
    case 'too_large':
      return sentence(`${typed(d.value)} is more than the ledger takes: at most ${plainNumber(d.max, locale)}.`);
    case 'too_many_decimals':
      if (d.currency) {
        const has = `“${d.value}” has ${plainNumber(scaleOf(String(d.value)), locale)}`;
        return sentence(d.max_decimals === 0 ? `${d.currency} amounts have no decimals; ${has}.` : `${d.currency} amounts have at most ${plainNumber(d.max_decimals, locale)} decimals; ${has}.`);
      }
      return sentence(`at most ${plainNumber(percent ? Math.max(0, d.max_decimals - 2) : d.max_decimals, locale)} decimals.`);
    case 'out_of_range':
      return percent
        ? sentence(`must be between ${rate(d.min)} and ${rate(d.max)}, not ${rate(d.value)}.`)
        : sentence(`must be between ${plainNumber(d.min, locale)} and ${plainNumber(d.max, locale)}, not ${plainNumber(d.value, locale)}.`);
    case 'negative_total':
      return sentence(`the invoice total would be negative (${m(d.total)}); to give money back, use a credit note.`);
    case 'unknown_currency':
      return sentence(`${typed(d.value)} is not a currency code (three letters, such as EUR).`);
    case 'not_a_date':
    case 'not_a_day':
      return sentence(d.value ? `${typed(d.value)} is not a date in the calendar.` : 'enter a complete, valid date.');
    case 'before_date': {
      const what = { due_date: 'the invoice date', to: 'the “from” date' }[error.field];
      return sentence(`must be on or after ${what ? `${what} (${formDate(d.earliest, locale)})` : formDate(d.earliest, locale)}.`);
    }
    case 'before_record':
      return sentence(`must be on or after ${formDate(d.earliest, locale)}, the date of what it corrects.`);
    case 'not_found':
      return sentence(d.id ? `${record(d.id)} is not in this ledger.` : 'choose one.');
    case 'other_customer':
      return sentence(`${record(d.invoice ?? d.payment ?? d.id)} belongs to another customer.`);
    case 'invoice_currency':
      return sentence(`${record(d.invoice)} is in ${d.invoice_currency}, not ${d.currency}.`);
    case 'more_than_available':
      return sentence(`${m(d.value)} is more than the credit available (${m(d.available)}).`);
    case 'no_credit':
      return sentence(`there is no credit available${d.available?.currency ? ` in ${d.available.currency}` : ''}.`);
    case 'credit_refunded':
      return whole(`this payment can't be voided: ${m(d.refunded)} of the credit it left has already been refunded, so that money has left${d.available && !isZero(d.available.amount) ? ` (${m(d.available)} of its credit is still held)` : ''}.`);
    case 'more_than_due':
      return sentence(`${m(d.value)} is more than ${record(d.invoice)} still asks (${m(d.amount_due)}).`);
    case 'more_than_creditable':
      return sentence(`${m(d.value)} is more than ${record(d.invoice)} can still be credited (${m(d.creditable)}).`);
    case 'void':
      return sentence(`${record(d.invoice)} is void.`);
    case 'paid':
      return sentence(`${record(d.invoice)} is already paid in full.`);
    case 'written_off':
      return sentence(`${record(d.invoice)} was written off as bad debt, which is final: no credit note, void or payment on it (money received later is kept as credit).`);
    case 'already_void':
      return sentence(`${record(d.payment ?? d.invoice)} was already voided.`);
    case 'missing_seq':
      return sentence(`“${d.value}” needs {seq} (or {seq:0000}), so that every invoice number is different.`);
    case 'unknown_placeholder':
      return sentence(`“${d.value}” has a placeholder that isn't one of {year}, {month}, {day}, {seq} or {seq:0000} (zeros only after “seq:”).`);
    case 'unclosed_brace':
      return sentence(`“${d.value}” has a “{” without its “}”.`);
    case 'stray_brace':
      return sentence(`“${d.value}” has a “}” without its “{”.`);
    case 'id_taken':
      return 'This form was already used for a different record. Reload the page and enter it again.';
    default:
      return label ? `${label}: ${error.message}` : error?.message ?? String(error);
  }
}
