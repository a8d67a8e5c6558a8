// The ledger's health as the store reported it on opening (or found later): a notice in
// plain words above the screens, with the way out the store offers, a download of the
// backup of what could be read.

import { exportJournal } from '../store.js';
import { h } from './dom.js';
import { download } from './files.js';
import { todayISO } from './format.js';

/**
 * A notice for `store.health`, or null when all is well.
 * @param {import('../store.js').Store} store
 * @param {(text: string, kind?: string) => void} announce
 */
export function healthNotice(store, announce) {
  const health = store.health;
  if (!health || health.status === 'ok') return null;
  const title = health.status === 'recovered'
    ? 'The books were repaired on opening'
    : health.writable ? 'Part of the journal is damaged' : 'The stored ledger is damaged: the books are read-only';
  const save = h('button', { type: 'button', class: 'btn', id: 'health-backup', on: { click: async () => {
    let backup;
    try {
      backup = await store.exportBackup();
    } catch {
      // The journal can't be read in full: what checks out, from the first record on.
      const { damaged, problem, ...readable } = await exportJournal(store.name);
      backup = readable;
    }
    const name = `tally-backup-readable-${todayISO()}.json`;
    download(name, JSON.stringify(backup, null, 1), 'application/json');
    announce(`Backup of the ${backup.entries.length} records that could be read downloaded as ${name}. Import it under Data to go on from there.`);
  } } }, 'Download the backup of what could be read');
  return h('section', { class: `health health-${health.status}`, role: 'alert', 'aria-labelledby': 'health-title', id: 'health' },
    h('h2', { id: 'health-title' }, title),
    h('p', {}, health.message),
    health.status === 'recovered' ? null : save);
}
