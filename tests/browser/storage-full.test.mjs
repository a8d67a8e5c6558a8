// A real full disk: Chromium's profile on a small filesystem of its own (a tmpfs mounted
// for the test), filled until IndexedDB can't write. The write is answered
// `storage_failed`, the engine stays at what is stored, and once space is freed a retry
// records the command once. (Chromium's DevTools quota override is not enforced, and the
// harness's injected QuotaExceededError in store.test.mjs is not the browser's own path.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { harness, launchPersistent, startServer, tempDir } from './browser.mjs';

let server;
let url;
let mountPoint = null;
let mountError = null;

before(async () => {
  ({ server, url } = await startServer());
  const dir = tempDir('full-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
    mountPoint = dir;
  } catch (e) {
    mountError = `mount -t tmpfs failed (${String(e.stderr || e.message).trim()}); run the tests as root, or where mounting a tmpfs is allowed`;
  }
});

after(() => {
  server?.close();
  if (mountPoint) execFileSync('umount', ['-l', mountPoint]);
});

/** Fills the filesystem at `dir` to the last byte; answers the filler's path. */
function fill(dir) {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  for (const size of [1 << 20, 1 << 12, 1 << 9, 1]) {
    const chunk = Buffer.alloc(size, 1);
    try { for (;;) writeSync(fd, chunk); } catch (e) { if (e.code !== 'ENOSPC') throw e; }
  }
  closeSync(fd);
  return path;
}

const reference = 'r'.repeat(490);
/** What the first test left stored, for the restart test. */
let afterRetry = null;
const payment = (id) => ({ type: 'record_payment', id, customer: 'c1', amount: '1.00', method: 'cash', date: '2026-01-05', reference });

test('a full disk: the write is storage_failed, the books stay as stored, and a retry after freeing space records it once', async (t) => {
  if (!mountPoint) {
    t.skip(mountError);
    return;
  }
  const profile = join(mountPoint, 'profile');
  const context = await launchPersistent(profile);
  try {
    const page = await context.newPage();
    await harness(page, url);
    await page.evaluate(async (first) => {
      window.store = await window.storeModule.openStore({ name: 'full' });
      await window.store.apply({ type: 'create_customer', id: 'c1', name: 'Customer c1', currency: 'EUR' });
      await window.store.apply(first);
    }, payment('p0'));
    const filler = fill(mountPoint);
    assert.equal(statfsSync(mountPoint).bavail, 0, 'the filesystem is full');
    // Write until the disk refuses (the database's files have a little room left in
    // blocks they already hold).
    const failure = await page.evaluate(async (commands) => {
      const s = window.store;
      for (const command of commands) {
        const before = s.seq;
        const answer = await s.apply(command);
        if (!answer.ok) {
          return { answer, command, before, seq: s.seq, query: s.query({ type: 'balance', customer: 'c1' }) };
        }
      }
      return null;
    }, Array.from({ length: 2000 }, (_, i) => payment(`p${i + 1}`)));
    assert.ok(failure, 'IndexedDB ran out of space within 2,000 writes');
    t.diagnostic(`failed at seq ${failure.before + 1}: ${failure.answer.error.message}`);
    assert.equal(failure.answer.error.code, 'storage_failed');
    assert.match(failure.answer.error.message, /Nothing was recorded/);
    assert.match(failure.answer.error.message, /disk is full|quota/);
    assert.equal(failure.seq, failure.before, 'the engine is back to what is stored');
    // The balance shown is either the stored books or a refusal while storage is out of
    // reach, never one with the unstored payment.
    if (failure.query.ok) assert.equal(failure.query.credit, `${failure.before - 1}.00`);
    else assert.equal(failure.query.error.code, 'storage_failed');

    rmSync(filler);
    // Another tab opening now reads exactly what the first one kept.
    const other = await context.newPage();
    await harness(other, url);
    const stored = await other.evaluate(async () => {
      const s = await window.storeModule.openStore({ name: 'full' });
      const out = { seq: s.seq, health: s.health.status };
      s.close();
      return out;
    });
    assert.deepEqual(stored, { seq: failure.before, health: 'ok' });
    await other.close();
    const retried = await page.evaluate(async (command) => {
      const first = await window.store.apply(command);
      const again = await window.store.apply(command);
      return { first, again, seq: window.store.seq };
    }, failure.command);
    assert.equal(retried.first.ok, true, JSON.stringify(retried.first));
    assert.equal(retried.first.duplicate, false, 'the failed command was never recorded');
    assert.equal(retried.again.duplicate, true);
    assert.equal(retried.seq, failure.before + 1);
    const seen = await page.evaluate(async () => {
      const s = await window.storeModule.openStore({ name: 'full' });
      const out = { seq: s.seq, health: s.health.status };
      s.close();
      return out;
    });
    assert.deepEqual(seen, { seq: failure.before + 1, health: 'ok' }, 'stored once, as another connection reads it');
    afterRetry = { seq: failure.before + 1, id: failure.command.id };
  } finally {
    await context.close().catch(() => {});
  }
});

// Found by the test above: Chromium 156's IndexedDB (LevelDB) keeps working in the
// session after its log write failed with ENOSPC, but on the next browser start the
// database comes back without the writes acknowledged after the failure, and after a
// start that follows a write made since, empty (Chromium discards a backing store it
// finds corrupt). A browser restart before the retry does not avoid it, nor did a
// padding write past the log block. The store can't prevent it; it can refuse to let it
// pass silently: its witness in localStorage names the loss on the next open.
let restarted = null;

test('a full disk, then a browser restart: records the browser lost are named, never silently missing', async (t) => {
  if (!mountPoint || !afterRetry) {
    t.skip(mountError ?? 'the full-disk test did not get as far as a retry');
    return;
  }
  const context = await launchPersistent(join(mountPoint, 'profile'));
  try {
    const page = await context.newPage();
    await harness(page, url);
    restarted = await page.evaluate(async (id) => {
      const s = await window.storeModule.openStore({ name: 'full' });
      const write = await s.apply({ type: 'record_payment', id: 'after-restart', customer: 'c1', amount: '1.00', method: 'cash', date: '2026-01-05' });
      return { seq: s.seq, health: s.health, write };
    }, afterRetry.id);
    t.diagnostic(`after a restart: seq ${restarted.seq} (acknowledged: ${afterRetry.seq}); ${restarted.health.message || 'no problem reported'}`);
    if (restarted.seq < afterRetry.seq) {
      assert.equal(restarted.health.status, 'damaged');
      assert.equal(restarted.health.writable, false, 'no new record on top of a lost one');
      assert.match(restarted.health.message, new RegExp(`The browser lost (records|the stored ledger).*acknowledged ${afterRetry.seq} records|it held ${afterRetry.seq} records`));
      assert.equal(restarted.write.error?.code, 'storage_failed');
    } else {
      assert.equal(restarted.health.status, 'ok');
    }
  } finally {
    await context.close().catch(() => {});
  }
});

test('a full disk: the retried command survives a browser restart', { todo: 'Chromium 156 loses IndexedDB writes acknowledged after an ENOSPC, on restart' }, (t) => {
  if (!restarted) {
    t.skip('no restart was made');
    return;
  }
  assert.equal(restarted.seq, afterRetry.seq);
});
