// Data: the JSON backup (download), import with a progress bar, reset to the demo space
// or to an empty ledger (both after a confirmation), and the seller's details printed
// on invoices.

import { h, replace } from '../ui/dom.js';
import { todayISO, counted } from '../ui/format.js';
import { field } from '../ui/forms.js';
import { confirmDialog } from '../ui/dialog.js';
import { download } from '../ui/files.js';
import { seller, saveSeller } from '../ui/settings.js';
import { backupOf } from '../store.js';
import { roundingSection } from './settings-rounding.js';
import { numberingSection } from './settings-numbering.js';
import { exportSection } from './accountant-export.js';

export function render(ctx) {
  const { store } = ctx;
  const progress = h('progress', { id: 'import-progress', max: 100, value: 0, hidden: true, 'aria-label': 'Import progress' });
  const progressText = h('p', { id: 'import-status', role: 'status', 'aria-live': 'polite' });
  let busy = false;

  const exportButton = h('button', { type: 'button', class: 'btn btn-primary', id: 'export-backup', on: { click: async () => {
    try {
      const backup = await store.exportBackup();
      const name = `tally-backup-${todayISO()}.json`;
      download(name, JSON.stringify(backup, null, 1), 'application/json');
      ctx.announce(`Backup of ${counted(backup.entries.length, 'record')} downloaded as ${name}.`);
    } catch (error) {
      ctx.announce(`The backup could not be made: ${error.message}`, 'error');
    }
  } } }, 'Download backup (JSON)');

  const file = field({ label: 'Backup file', name: 'backup', type: 'file', attrs: { accept: '.json,application/json' }, hint: 'A file made with "Download backup". It replaces the whole ledger.' });
  const importButton = h('button', { type: 'button', class: 'btn', id: 'import-backup' }, 'Import backup…');

  /** Replaces the ledger with `backup`, showing progress. */
  async function replaceWith(backup, label) {
    if (busy) return false;
    busy = true;
    for (const b of [importButton, resetButton, emptyButton]) b.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    progressText.textContent = `${label}: checking…`;
    try {
      await store.importBackup(backup, {
        onProgress(done, total) {
          progress.max = Math.max(total, 1);
          progress.value = done;
          progressText.textContent = `${label}: ${done} of ${total} records checked…`;
        },
      });
      progress.value = progress.max;
      progressText.textContent = `${label}: done, ${counted(backup.entries.length, 'record')}.`;
      ctx.announce(`${label}: done, ${counted(backup.entries.length, 'record')}.`);
      return true;
    } catch (error) {
      progressText.textContent = `${label} failed: ${error.message}`;
      progressText.className = 'field-error';
      progress.hidden = true;
      return false;
    } finally {
      busy = false;
      for (const b of [importButton, resetButton, emptyButton]) b.disabled = false;
    }
  }

  importButton.addEventListener('click', async () => {
    progressText.className = '';
    const chosen = file.input.files?.[0];
    if (!chosen) {
      file.error.textContent = 'Backup file: choose a file first.';
      file.error.hidden = false;
      file.input.setAttribute('aria-invalid', 'true');
      file.input.focus();
      return;
    }
    file.error.hidden = true;
    file.input.removeAttribute('aria-invalid');
    let backup;
    try {
      backup = JSON.parse(await chosen.text());
    } catch (error) {
      file.error.textContent = `Backup file: "${chosen.name}" is not JSON (${error.message}). Nothing was changed.`;
      file.error.hidden = false;
      file.input.focus();
      return;
    }
    const count = Array.isArray(backup?.entries) ? backup.entries.length : 0;
    const ok = await confirmDialog({
      title: 'Replace the ledger with this backup?',
      body: [h('p', {}, `The ledger now holds ${counted(store.seq, 'record')}. It will be replaced by the ${counted(count, 'record')} in "${chosen.name}".`),
        h('p', {}, 'The backup is checked in full first: if anything in it is wrong, nothing changes.')],
      confirmLabel: 'Replace the ledger',
      danger: true,
    });
    if (ok) { ctx.keepEmpty(false); await replaceWith(backup, 'Import'); }
  });

  const resetButton = h('button', { type: 'button', class: 'btn', id: 'reset-demo', on: { click: async () => {
    const ok = await confirmDialog({
      title: 'Reset to the demo space?',
      body: [h('p', {}, `All ${store.seq} records of this ledger will be replaced by the demo space (about forty customers' year). Download a backup first if you want to keep them.`)],
      confirmLabel: 'Reset to the demo',
      danger: true,
    });
    if (!ok) return;
    ctx.keepEmpty(false);
    await replaceWith(await ctx.demoBackup(), 'Reset to the demo');
  } } }, 'Reset to the demo space…');

  const emptyButton = h('button', { type: 'button', class: 'btn', id: 'start-empty', on: { click: async () => {
    const ok = await confirmDialog({
      title: 'Start an empty ledger?',
      body: [h('p', {}, `All ${store.seq} records of this ledger will be removed, leaving an empty ledger for your own customers. Download a backup first if you want to keep them.`)],
      confirmLabel: 'Empty the ledger',
      danger: true,
    });
    if (!ok) return;
    if (await replaceWith(backupOf([]), 'Empty ledger')) ctx.keepEmpty(true);
  } } }, 'Start an empty ledger…');

  // Seller details.
  const s = seller();
  const sellerFields = [
    field({ label: 'Business name', name: 'name', value: s.name }),
    field({ label: 'Address', name: 'address', type: 'textarea', value: s.address, attrs: { rows: 3 } }),
    field({ label: 'E-mail', name: 'email', type: 'email', value: s.email }),
    field({ label: 'Tax id', name: 'tax_id', value: s.tax_id }),
    field({ label: 'Payment terms', name: 'payment_terms', type: 'textarea', value: s.payment_terms, attrs: { rows: 2 } }),
  ];
  const sellerSaved = h('p', { role: 'status', class: 'hint' });
  const sellerForm = h('form', { class: 'form', novalidate: true, on: { submit: (event) => {
    event.preventDefault();
    saveSeller(Object.fromEntries(sellerFields.map((f) => [f.input.name, f.input.value.trim()])));
    sellerSaved.textContent = 'Saved: printed invoices show these details.';
  } } }, h('div', { class: 'grid' }, sellerFields.map((f) => f.el)),
  h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save seller details')), sellerSaved);

  // Synced books are the server's: an import or reset here would not reach the others.
  const local = !store.synced;
  const rounding = roundingSection(ctx);
  const numbering = numberingSection(ctx);
  const node = h('section', { class: 'screen' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Data')),
    h('p', { class: 'lead' }, `The ledger lives in this browser (${counted(store.seq, 'record')}${store.persisted ? ', in persistent storage' : ''}). Download a backup regularly.`),
    h('section', { class: 'panel', 'aria-labelledby': 'backup-title' },
      h('h2', { id: 'backup-title' }, 'Backup'),
      h('p', {}, 'The backup is the whole journal: every record, in order, as JSON.'),
      exportButton),
    exportSection(ctx),
    local ? h('section', { class: 'panel', 'aria-labelledby': 'import-title' },
      h('h2', { id: 'import-title' }, 'Import a backup'),
      file.el, importButton, progress, progressText) : null,
    local ? h('section', { class: 'panel', 'aria-labelledby': 'reset-title' },
      h('h2', { id: 'reset-title' }, 'Start over'),
      h('div', { class: 'actions' }, resetButton, emptyButton))
      : h('p', { class: 'hint' }, 'These books are kept by the server and shared with the other admins: importing a backup or starting over is done on the server, not here.'),
    numbering.node,
    rounding.node,
    h('section', { class: 'panel', 'aria-labelledby': 'seller-title' },
      h('h2', { id: 'seller-title' }, 'Seller details on invoices'),
      sellerForm));
  const lead = () => (local
    ? `The ledger lives in this browser (${counted(store.seq, 'record')}${store.persisted ? ', in persistent storage' : ''}). Download a backup regularly.`
    : `The books are kept on the server; this browser holds a copy of its ${counted(store.confirmedSeq, 'record')}${store.status.pending ? ` and ${store.status.pending} not yet sent` : ''}.`);
  replace(node.querySelector('.lead'), lead());
  return {
    node,
    title: 'Data',
    onStoreChange() {
      node.querySelector('.lead').textContent = lead();
      rounding.refresh();
      numbering.refresh();
    },
  };
}
