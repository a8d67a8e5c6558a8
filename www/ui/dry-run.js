// What a command would answer now, changing nothing: the engine's dry run. The local
// store has `dryRun`; the synced store runs it on its ledger copy (a dry run changes
// nothing there either). Confirmations and previews use it so the page states the
// engine's own outcome and computes no money.

/** @returns the engine's answer to `command` marked `dry_run: true`. */
export function dryRun(store, command) {
  if (typeof store.dryRun === 'function') return store.dryRun(command);
  return store.ledger.apply({ ...command, dry_run: true });
}
