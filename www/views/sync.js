// Sync: the books shared through the server. Who is signed in, the sync status, what is
// waiting to be sent, and the commands the server refused when they were synced, each
// with the engine's reason (in the user's words, from its details) and what to do, until
// dismissed.

import { h } from '../ui/dom.js';
import { describeCommand, statusWords, timeOfDay, whatToDo } from '../ui/sync-words.js';
import { refusalText } from '../ui/refusal.js';

export function render(ctx) {
  const { store } = ctx;
  if (!store.synced) {
    return { title: 'Sync', node: h('section', { class: 'screen' }, h('h1', { tabindex: -1 }, 'Sync'), h('p', {}, 'These books are kept in this browser only: no server is configured.')) };
  }
  const names = new Map(store.query({ type: 'customers' }).customers.map((c) => [c.id, c]));
  const status = store.status;
  const pending = store.pendingCommands();
  const refused = store.refused();

  const refusedList = refused.length === 0
    ? h('p', { class: 'empty' }, 'Nothing was refused.')
    : h('ul', { class: 'refused-list', id: 'refused-list' }, refused.map((r) => h('li', { class: 'refused-item', dataset: { id: r.id } },
      h('p', { class: 'refused-what' }, h('strong', {}, describeCommand(r.command, names)), h('span', { class: 'sub' }, ` · refused ${timeOfDay(r.refusedAt)}`)),
      h('p', { class: 'refused-reason' }, 'Reason: ', r.error ? refusalText(r.error) : 'refused by the server'),
      h('p', { class: 'hint' }, 'What to do: ', whatToDo(r.error?.code)),
      h('button', { type: 'button', class: 'btn btn-small', on: { click: async () => {
        await store.dismissRefused(r.id);
        ctx.announce('Dismissed.');
      } } }, 'Dismiss'))));

  const node = h('section', { class: 'screen' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Sync')),
    h('p', { class: 'lead' }, `Signed in as ${ctx.user?.email ?? '?'} (${ctx.user?.role ?? '?'}) to ${ctx.space?.name ?? 'the books'}. ${statusWords(status)}.`),
    status.state === 'signed_out' ? h('p', {}, h('a', { href: '#/sign-in', class: 'btn btn-primary' }, 'Sign in again')) : null,
    h('section', { class: 'panel', 'aria-labelledby': 'refused-title' },
      h('h2', { id: 'refused-title' }, `Refused when synced (${refused.length})`),
      h('p', { class: 'hint' }, 'These were entered here while the books changed elsewhere; the server refused them, so they are not in the books.'),
      refusedList),
    h('section', { class: 'panel', 'aria-labelledby': 'pending-title' },
      h('h2', { id: 'pending-title' }, `Waiting to be sent (${pending.length})`),
      pending.length === 0 ? h('p', { class: 'empty' }, 'Everything entered here is on the server.')
        : h('ol', { id: 'pending-list' }, pending.map((c) => h('li', {}, describeCommand(c, names)))),
      h('button', { type: 'button', class: 'btn', on: { click: () => { store.syncNow(); ctx.announce('Syncing now…'); } } }, 'Sync now')));
  return { node, title: 'Sync' };
}
