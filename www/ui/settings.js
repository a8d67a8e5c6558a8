// The seller's details printed on invoices. They are the operator's own settings, not
// ledger records, so they live in localStorage next to the ledger, not in it.

import { h, link } from './dom.js';

const KEY = 'tally.seller';

// The demo space's seller; the operator replaces it under Data.
const DEFAULTS = {
  name: 'Tally Coworking (demo)',
  address: 'Harbour Street 12\n1011 AB Amsterdam\nNetherlands',
  email: 'billing@tally.example',
  tax_id: 'NL000099998B57',
  payment_terms: 'Please pay by bank transfer to IBAN NL00 BANK 0123 4567 89, quoting the invoice number.',
};

export function seller() {
  try {
    return { ...DEFAULTS, ...JSON.parse(localStorage.getItem(KEY) ?? '{}') };
  } catch {
    return { ...DEFAULTS };
  }
}

export function saveSeller(values) {
  localStorage.setItem(KEY, JSON.stringify(values));
}

/**
 * The seller details that are still the demo's (field names: name, address, email,
 * tax_id, payment_terms): printed on a real invoice they would send payments to a
 * made-up bank account. Empty when the operator has set their own.
 */
export function demoSellerFields() {
  const s = seller();
  return Object.keys(DEFAULTS).filter((k) => s[k] === DEFAULTS[k]);
}

/**
 * A note (not printed) while the seller details printed on a `what` ("invoice",
 * "statement") are still the demo's, with the way to set them: an empty ledger keeps
 * them until the operator does.
 */
export function demoSellerNote(what) {
  const names = demoSellerFields().map((k) => FIELD_WORDS[k]);
  if (names.length === 0) return null;
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return h('p', { class: 'warning no-print', id: 'demo-seller-note' },
    `The seller's ${list} printed on this ${what} ${names.length === 1 ? 'is' : 'are'} still the demo's. `,
    link('/data', 'Set your own under Data'), ' before sending it.');
}

const FIELD_WORDS = { name: 'business name', address: 'address', email: 'e-mail', tax_id: 'tax id', payment_terms: 'payment terms' };
