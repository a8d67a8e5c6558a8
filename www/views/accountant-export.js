// The accountant's export (Data page): the general ledger as CSV (one line per posting)
// and as a Beancount file, both written by the engine (its bulk module, loaded on the
// first export). The page only names and downloads the file.

import { h } from '../ui/dom.js';
import { todayISO } from '../ui/format.js';
import { download } from '../ui/files.js';
import { exportLedger } from '../engine.js';

const FORMATS = {
  csv: { ext: 'csv', mime: 'text/csv;charset=utf-8', label: 'Download general ledger (CSV)' },
  beancount: { ext: 'beancount', mime: 'text/plain;charset=utf-8', label: 'Download general ledger (Beancount)' },
};

/**
 * The general ledger of the books as `format`, written by the engine's bulk module
 * (loaded on first use, so the shipped module stays small): the store's `exportLedger`,
 * or for the synced store (which has none) the engine's, from its ledger copy.
 */
export function ledgerFile(store, format) {
  if (typeof store.exportLedger === 'function') return store.exportLedger(format);
  return exportLedger(store.ledger, format);
}

export function exportSection(ctx) {
  const status = h('p', { role: 'status', 'aria-live': 'polite', id: 'ledger-export-status' });
  const buttons = Object.keys(FORMATS).map((format) => h('button', { type: 'button', class: 'btn', id: `export-ledger-${format}`, on: { click: async () => {
    for (const b of buttons) b.disabled = true;
    status.className = '';
    // The first export fetches the bulk module: say something meanwhile.
    status.textContent = 'Preparing the file…';
    try {
      const text = await ledgerFile(ctx.store, format);
      const name = `tally-general-ledger-${todayISO()}.${FORMATS[format].ext}`;
      download(name, text, FORMATS[format].mime);
      status.textContent = `General ledger downloaded as ${name}.`;
      ctx.announce(status.textContent);
    } catch (error) {
      status.className = 'field-error';
      status.textContent = `The general ledger could not be made: ${error.message}`;
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  } } }, FORMATS[format].label));
  return h('section', { class: 'panel', 'aria-labelledby': 'ledger-export-title' },
    h('h2', { id: 'ledger-export-title' }, 'Export for the accountant'),
    h('p', {}, 'The general ledger: every posting the books made, each debiting or crediting one account (receivables and credit per customer, cash per payment method, revenue, tax payable, credit notes, goodwill credit, bad debt).'),
    h('dl', { class: 'explain' },
      h('dt', {}, 'CSV'),
      h('dd', {}, 'One line per posting: date, entry, account, debit, credit, currency, reference, description. Opens in a spreadsheet and imports into most bookkeeping tools.'),
      h('dt', {}, 'Beancount'),
      h('dd', {}, 'A plain-text double-entry ledger for Beancount (and Fava); its account balances equal the trial balance under Reports.')),
    h('div', { class: 'actions' }, buttons),
    status);
}
