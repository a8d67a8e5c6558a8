// Declarations for www/sync-trace.js: a first sync's phases as User Timing measures.

/** Turns tracing on (the first sync starts) or off (it ended). */
export function traceFirstSync(on: boolean): void;
/** Records `phase` ("tally-sync <phase>") as having run from `start` (a `performance.now()`) until now. */
export function trace(phase: string, start: number): void;
