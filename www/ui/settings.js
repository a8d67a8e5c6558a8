// The seller's details printed on invoices. They are the operator's own settings, not
// ledger records, so they live in localStorage next to the ledger, not in it.

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
