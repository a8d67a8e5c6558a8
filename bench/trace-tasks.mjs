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
 * Starts V8's sampling profiler on `page` (CDP `Profiler`); `stop()` answers the profile
 * (`.cpuprofile` form), for `longTasks` to name the JS and wasm functions inside each task.
 */
export async function startProfile(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  return {
    async stop() {
      const { profile } = await cdp.send('Profiler.stop');
      await cdp.send('Profiler.disable');
      return profile;
    },
  };
}

/** The profile's samples as [timestamp µs, function name] (same clock as trace events). */
function profileSamples(profile) {
  if (!profile) return [];
  const names = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName || `(anonymous ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1})`]));
  const out = [];
  let ts = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    ts += profile.timeDeltas[i];
    out.push([ts, names.get(profile.samples[i])]);
  }
  return out;
}

/**
 * The main thread's tasks over `minMs` (longest first, `limit` of them), each with the
 * events inside it summed by name (self time, so nested events aren't counted twice).
 * Tasks are ranked by the main thread's CPU time in them (`cpu_ms`, the trace's thread
 * time), not by wall time (`ms`): on a loaded machine a task's wall time includes the
 * time the thread waited for a core, and only its CPU time says what the page costs.
 * With a `profile` (startProfile), `js` names the functions sampled inside each task.
 */
export function longTasks(events, { minMs = 50, limit = 10, profile = null } = {}) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && isTask(x) && x.tid === e.tid));
  if (!main) return [];
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && typeof e.dur === 'number');
  onMain.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const cpu = (e) => (typeof e.tdur === 'number' ? e.tdur : e.dur);
  const tasks = onMain.filter((e) => isTask(e) && cpu(e) >= minMs * 1000).sort((a, b) => cpu(b) - cpu(a)).slice(0, limit);
  const samples = profileSamples(profile);
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
    const sampled = new Map();
    for (const [ts, name] of samples) if (ts >= task.ts && ts <= task.ts + task.dur) sampled.set(name, (sampled.get(name) ?? 0) + 1);
    const total = [...sampled.values()].reduce((a, b) => a + b, 0);
    const js = [...sampled].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, n]) => ({ name, share: +(n / total).toFixed(2) }));
    return { at_s: +((task.ts - start) / 1e6).toFixed(1), ms: +(task.dur / 1000).toFixed(1), cpu_ms: +(cpu(task) / 1000).toFixed(1), causes, js };
  });
}

/** A top-level task of a thread (its name differs between Chromium versions). */
function isTask(e) {
  return e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask';
}
