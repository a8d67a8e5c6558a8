// Where a first sync's time goes, as User Timing measures ("tally-sync <phase>") that
// the browser's performance tools and bench/sync-browser.mjs read. Only the first sync
// of a fresh browser is traced (`tracing` on), so a long session adds no entries.

let tracing = false;

/** Turns tracing on (the first sync starts) or off (it ended). */
export function traceFirstSync(on) {
  tracing = on;
}

/** Records `phase` as having run from `start` (a `performance.now()`) until now. */
export function trace(phase, start) {
  if (!tracing || typeof performance?.measure !== 'function') return;
  try {
    performance.measure(`tally-sync ${phase}`, { start, end: performance.now() });
  } catch { /* an old browser without measure options: no trace */ }
}
