// A small static server for www/ (and, for tests, extra folders), with the headers the
// page relies on: a Content-Security-Policy without unsafe-inline/unsafe-eval (wasm
// needs only 'wasm-unsafe-eval'), application/wasm for streaming compilation, nosniff.
//
//   node scripts/serve.mjs [--port 8080] [--mount /prefix=folder ...]

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Starts the server; resolves with { server, url }. `isolated: true` adds the
 * cross-origin isolation headers (COOP/COEP), which the benchmark needs for
 * performance.measureUserAgentSpecificMemory and a 5 µs (not 100 µs) performance.now().
 */
export function serve({ port = 8080, host = '127.0.0.1', mounts = {}, isolated = false } = {}) {
  const isolation = isolated
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : {};
  const table = Object.entries({ '/': join(root, 'www'), ...mounts })
    .sort((a, b) => b[0].length - a[0].length);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const [prefix, folder] = table.find(([p]) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
      let file = normalize(join(folder, path.slice(prefix.length)));
      if (!file.startsWith(resolve(folder) + sep) && file !== resolve(folder)) throw Object.assign(new Error('outside'), { status: 403 });
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
        ...isolation,
      });
      res.end(body);
    } catch (e) {
      const status = e.status ?? (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 404 : 500);
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(status === 404 ? 'Not found' : 'Error');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok({ server, url: `http://${host}:${server.address().port}` }));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const mounts = {};
  let port = Number(process.env.PORT ?? 8080);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i]);
    else if (args[i] === '--mount') {
      const [prefix, folder] = args[++i].split('=');
      mounts[prefix] = resolve(folder);
    }
  }
  const { url } = await serve({ port, mounts });
  console.log(`Tally is running at ${url}/  (Ctrl+C to stop)`);
}
