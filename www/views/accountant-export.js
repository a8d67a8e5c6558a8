// The accountant's export (Data page): the general ledger as CSV (one line per posting)
// and as a Beancount file, both written by the engine from the `postings` it keeps. The
// page only names and downloads the file.

import { h } from '../ui/dom.js';
import { todayISO } from '../ui/format.js';
import { download } from '../ui/files.js';
import * as engine from '../engine.js';

const FORMATS = {
  csv: { ext: 'csv', mime: 'text/csv;charset=utf-8', label: 'Download general ledger (CSV)' },
  beancount: { ext: 'beancount', mime: 'text/plain;charset=utf-8', label: 'Download general ledger (Beancount)' },
};

/**
 * The general ledger of the store's ledger as `format`. A module-level `exportLedger`
 * (the export kept in a module loaded on first need) is used when the engine offers
 * one; else the ledger writes it itself.
 */
export async function ledgerFile(store, format) {
  if (typeof engine.exportLedger === 'function') return engine.exportLedger(store.ledger, format);
  return store.ledger.exportLedger(format);
}

export function exportSection(ctx) {
  const status = h('p', { role: 'status', class: 'hint', id: 'ledger-export-status' });
  const button = (format) => h('button', { type: 'button', class: 'btn', id: `export-${format}`, on: { click: async (event) => {
    const b = event.currentTarget;
    b.disabled = true;
    try {
      const text = await ledgerFile(ctx.store, format);
      const name = `tally-general-ledger-${todayISO()}.${FORMATS[format].ext}`;
      download(name, text, FORMATS[format].mime);
      status.textContent = `General ledger downloaded as ${name}.`;
      ctx.announce(status.textContent);
    } catch (error) {
      status.textContent = `The export could not be made: ${error.message}`;
      ctx.announce(status.textContent, 'error');
    } finally {
      b.disabled = false;
    }
  } } }, FORMATS[format].label);
  return h('section', { class: 'panel', 'aria-labelledby': 'ledger-export-title' },
    h('h2', { id: 'ledger-export-title' }, 'Export for the accountant'),
    h('p', {}, 'The general ledger: every posting the books made, each debiting or crediting one account (receivables and credit per customer, cash per payment method, revenue, tax payable, credit notes, goodwill credit, bad debt).'),
    h('dl', { class: 'explain' },
      h('dt', {}, 'CSV'),
      h('dd', {}, 'One line per posting: date, entry, account, debit, credit, currency, reference, description. Opens in a spreadsheet and imports into most bookkeeping tools.'),
      h('dt', {}, 'Beancount'),
      h('dd', {}, 'A plain-text double-entry ledger for Beancount (and Fava); its account balances equal the trial balance under Reports.')),
    h('div', { class: 'actions' }, button('csv'), button('beancount')),
    status);
}
