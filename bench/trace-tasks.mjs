// Chromium tracing of one page (CDP `Tracing`), and what ran inside its long main-thread
// tasks: the Long Tasks API the page observes names only what the page wrapped (engine
// calls, IndexedDB, streams), so a task it can't name (garbage collection, IndexedDB or
// stream internals) is looked up here, in the browser's own events.
//   BENCH_TRACE=out.json node bench/run.mjs     traces the writes phase (3b), prints the causes
import { closeSync, openSync, writeSync } from 'node:fs';

const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-v8.gc', 'v8.execute'].join(',');

/** Starts tracing `page`; `stop()` answers the trace's events (and writes them to `file`). */
export async function startTrace(page, file) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReturnAsStream' });
  return {
    async stop() {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      const { stream } = await complete;
      // Read a line at a time (Chromium writes one event per line): a whole trace of a
      // minute of writing at 1M commands is longer than a JS string can be.
      const events = [];
      const out = file ? openSync(file, 'w') : null;
      let rest = '';
      const take = (line) => {
        const text = line.trim().replace(/^\{"traceEvents":\[/, '').replace(/,$/, '').replace(/\]\}?$/, '');
        if (!text.startsWith('{')) return;
        try {
          events.push(JSON.parse(text));
        } catch { /* metadata or a partial line: not an event */ }
      };
      for (;;) {
        const { data, eof, base64Encoded } = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
        const chunk = base64Encoded ? Buffer.from(data, 'base64').toString() : data;
        if (out !== null) writeSync(out, chunk);
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        lines.forEach(take);
        if (eof) break;
      }
      take(rest);
      if (out !== null) closeSync(out);
      await cdp.send('IO.close', { handle: stream });
      return events;
    },
  };
}

/**
 * The main thread's tasks over `minMs` (longest first, `limit` of them), each with the
 * events inside it summed by name (self time, so nested events aren't counted twice).
 */
export function longTasks(events, { minMs = 50, limit = 10 } = {}) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && isTask(x) && x.tid === e.tid));
  if (!main) return [];
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && typeof e.dur === 'number');
  onMain.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const tasks = onMain.filter((e) => isTask(e) && e.dur >= minMs * 1000).sort((a, b) => b.dur - a.dur).slice(0, limit);
  const start = onMain.length ? onMain[0].ts : 0;
  return tasks.map((task) => {
    const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur);
    // Self time: an event's duration less that of the events directly inside it.
    const self = new Map();
    const stack = [];
    for (const e of inside) {
      while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
      const parent = stack.at(-1);
      if (parent) self.set(parent, (self.get(parent) ?? parent.dur) - e.dur);
      self.set(e, self.get(e) ?? e.dur);
      stack.push(e);
    }
    const byName = new Map();
    for (const [e, us] of self) {
      const name = e.name === 'FunctionCall' && e.args?.data?.functionName ? `FunctionCall ${e.args.data.functionName}` : e.name;
      byName.set(name, (byName.get(name) ?? 0) + us);
    }
    const causes = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([name, us]) => ({ name, ms: +(us / 1000).toFixed(1) }));
    return { at_s: +((task.ts - start) / 1e6).toFixed(1), ms: +(task.dur / 1000).toFixed(1), causes };
  });
}

/** A top-level task of a thread (its name differs between Chromium versions). */
function isTask(e) {
  return e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask';
}
