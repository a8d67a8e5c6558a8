// The sync API (docs/sync.md) over fetch and EventSource: what www/sync.js calls a
// transport. Errors are SyncErrors with a code the sync loop acts on (retry, sign in).

import { PULL_PAGE } from './sync-limits.js';
import { trace } from './sync-trace.js';
import { gunzip, isGzip, readAll } from './gzip-bytes.js';

/** A failed call to the server, with a `code`: offline, unauthorized, forbidden, unavailable, too_large, rate_limited, or the API's own (invalid_request, conflict, not_found). */
export class SyncError extends Error {
  constructor(code, message, { status = 0, retryAfterMs = 0 } = {}) {
    super(message);
    this.name = 'SyncError';
    this.code = code;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The sync API (docs/sync.md) over HTTP, relative to `base` (default: this page's server).
 * @param {{ base?: string, fetch?: typeof fetch, EventSource?: typeof EventSource }} [options]
 */
export function httpTransport(options = {}) {
  const base = options.base ?? '';
  const fetchFn = options.fetch ?? ((...a) => globalThis.fetch(...a));
  const EventSourceImpl = options.EventSource ?? globalThis.EventSource;

  async function send(method, path, body) {
    let res;
    try {
      res = await fetchFn(base + path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (e) {
      throw new SyncError('offline', `The server can't be reached (${e?.message ?? e}).`);
    }
    return res;
  }

  async function failure(res) {
    let error = {};
    try { error = (await res.json())?.error ?? {}; } catch { /* not JSON */ }
    const retryAfterMs = Number(res.headers.get('Retry-After')) * 1000 || 0;
    const code = res.status === 401 ? 'unauthorized'
      : res.status === 403 ? 'forbidden'
        : res.status === 413 ? 'too_large'
          : res.status === 429 ? 'rate_limited'
            : res.status >= 500 ? 'unavailable'
              : error.code ?? 'invalid_request';
    return new SyncError(code, error.message ?? `The server answered ${res.status}.`, { status: res.status, retryAfterMs });
  }

  async function json(method, path, body) {
    const res = await send(method, path, body);
    if (!res.ok) throw await failure(res);
    try {
      return await res.json();
    } catch (e) {
      throw new SyncError('unavailable', `The server's answer could not be read (${e.message}).`);
    }
  }

  return {
    /** `{ status, user?, space? }`: 200 signed in, 401 not, 404 no server (a static page). */
    async me() {
      const res = await send('GET', '/api/me');
      if (res.status !== 200) return { status: res.status };
      const body = await res.json();
      return { status: 200, user: body.user, space: body.space };
    },
    login: (email, password) => json('POST', '/api/login', { email, password }),
    logout: () => json('POST', '/api/logout', {}),
    // The space's people and API tokens (docs/sync.md; owner only: anyone else gets 403).
    // A DELETE carries `{}` as JSON: the server checks its Content-Type like a POST's.
    users: () => json('GET', '/api/users'),
    addUser: (email, password, role) => json('POST', '/api/users', { email, password, role }),
    removeUser: (id) => json('DELETE', `/api/users/${encodeURIComponent(id)}`, {}),
    setRole: (id, role) => json('POST', `/api/users/${encodeURIComponent(id)}/role`, { role }),
    resetPassword: (id, password) => json('POST', `/api/users/${encodeURIComponent(id)}/password`, { password }),
    // Anyone signed in in person: their own password (their other sessions end).
    changePassword: (currentPassword, newPassword) => json('POST', '/api/me/password', { current_password: currentPassword, new_password: newPassword }),
    tokens: () => json('GET', '/api/tokens'),
    createToken: (name, role) => json('POST', '/api/tokens', { name, role }),
    revokeToken: (id) => json('DELETE', `/api/tokens/${encodeURIComponent(id)}`, {}),
    push: (client, commands) => json('POST', '/api/push', { client, commands }),
    pull: (after, limit = PULL_PAGE) => json('GET', `/api/pull?after=${after}&limit=${limit}`),
    /**
     * The space's snapshot, or null when it has none yet: `{ seq, bytes, stored }`, where
     * `bytes` are the engine's (to restore) and `stored` the bytes as the server keeps
     * them, gzip (kept so in IndexedDB too) or, from an older server row, the same
     * uncompressed bytes. A gzip answer is decompressed as it arrives
     * (DecompressionStream), each side read into one buffer of its announced size.
     */
    async snapshot() {
      let start = performance.now();
      const res = await send('GET', '/api/snapshot');
      trace('snapshot-wait', start);
      if (res.status === 404) return null;
      if (!res.ok) throw await failure(res);
      const seq = Number(res.headers.get('X-Tally-Seq'));
      const size = Number(res.headers.get('Content-Length')) || 0;
      const rawSize = Number(res.headers.get('X-Tally-Snapshot-Length')) || 0;
      start = performance.now();
      try {
        if (!/^application\/gzip/i.test(res.headers.get('Content-Type') ?? '') || !res.body) {
          const bytes = await readAll(res.body, size);
          trace('snapshot-download', start);
          return { seq, bytes: isGzip(bytes) ? await gunzip(bytes, rawSize) : bytes, stored: bytes };
        }
        const [kept, unzipped] = res.body.tee();
        const [stored, bytes] = await Promise.all([
          readAll(kept, size),
          readAll(unzipped.pipeThrough(new DecompressionStream('gzip')), rawSize),
        ]);
        trace('snapshot-download', start);
        return { seq, bytes, stored };
      } catch (e) {
        if (e instanceof SyncError) throw e;
        throw new SyncError('unavailable', `The server's copy of the books could not be read (${e?.message ?? e}).`);
      }
    },
    /**
     * Listens for new heads (`onHead(seq)`) and the channel's state (`onState('open' |
     * 'error')`); answers a function that stops listening.
     */
    events(onHead, onState = () => {}) {
      if (!EventSourceImpl) return () => {};
      const source = new EventSourceImpl(`${base}/api/events`, { withCredentials: true });
      source.addEventListener('head', (event) => {
        try { onHead(JSON.parse(event.data).head); } catch { /* a malformed event: the next pull tells */ }
      });
      source.onopen = () => onState('open');
      source.onerror = () => onState('error');
      return () => source.close();
    },
  };
}

export { isGzip, gunzip };
