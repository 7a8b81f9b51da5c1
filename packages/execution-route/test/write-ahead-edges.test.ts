// Edges of the one-commit write-ahead: a refused follow-up inserts nothing and says so, an abort
// before the insert journals nothing, and `sentAt` is stamped once the write lock is held (a
// wait for another process's lock never makes it older than the send).
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutionRoute, JournalConflictError } from '../src/index.js';
import { createFakeBroker } from './helpers/fake-broker.js';
import { BUY } from './helpers/setup.js';
import {
  AT,
  abortingRoute,
  createScratch,
  PACKAGE,
  pendingOrder,
  sendRecord,
  spyOnPlace,
} from './helpers/write-ahead.js';

const scratch = createScratch('qts-wa-edges-');
afterEach(scratch.cleanup);
const journalOf = scratch.journal;
const tempDir = scratch.dir;

describe.each(['memory', 'sqlite'] as const)('refused follow-up (%s journal)', (kind) => {
  it('throws a conflict that says nothing was inserted; current is the order it would have been; the journal is empty', () => {
    const journal = journalOf(kind);
    let conflict: unknown;
    try {
      journal.insert(
        pendingOrder('o-r-1', 'intent-r-1'),
        { at: AT, cause: 'intent', owner: 'p1' },
        sendRecord('p1', { owner: 'p2' }),
      );
    } catch (error) {
      conflict = error;
    }
    if (!JournalConflictError.isInstance(conflict)) throw new Error('expected a conflict');
    expect(conflict.reason).toBe('stale');
    expect(conflict.message).toContain('o-r-1 was not inserted');
    expect(conflict.message).toContain('nothing was written');
    expect(conflict.current).toMatchObject({ orderId: 'o-r-1', status: 'pending' });
    expect(journal.get('o-r-1')).toBeNull();
    expect(journal.getByClientOrderId('intent-r-1')).toBeNull();
    expect(journal.events()).toEqual([]);
  });
});

describe('abort before the write-ahead commit', () => {
  it('an abort signalled at the before-journal point journals nothing and sends nothing', async () => {
    const journal = journalOf('sqlite');
    const { route, broker, signal } = abortingRoute(scratch, journal, 'before-journal');
    await expect(route.submit(BUY, { signal })).rejects.toMatchObject({
      code: 'ABORTED',
      outcome: 'not_placed',
    });
    expect(broker.requests()).toBe(0);
    expect(journal.list()).toEqual([]);
    expect(journal.events()).toEqual([]);
  });
});

describe('sentAt of the one-commit write-ahead record', () => {
  it('is stamped once the write lock is held: a 600 ms wait for another connection comes before it', async () => {
    const file = join(tempDir(), 'j.sqlite');
    const journal = journalOf('sqlite', file);
    const broker = createFakeBroker({ notices: false });
    scratch.defer(() => broker.close());
    let placedAt = 0;
    const adapter = spyOnPlace(broker.adapter, () => {
      placedAt = Date.now();
    });
    const route = createExecutionRoute({
      adapter,
      journal,
      mode: 'virtual',
      dailyLimitCheck: false,
      orderWindowCheck: false,
    });
    // Another process (here a thread with its own connection) holds the write lock for 600 ms.
    const worker = new Worker(
      `
      const { createRequire } = require('node:module');
      const { workerData, parentPort } = require('node:worker_threads');
      const Database = createRequire(workerData.from)('libsql');
      const db = new Database(workerData.file);
      db.exec('BEGIN IMMEDIATE');
      db.exec("INSERT INTO journal_meta (key, value) VALUES ('review-lock', 'x')");
      parentPort.postMessage('locked');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600);
      db.exec('COMMIT');
      db.close();
      `,
      { eval: true, workerData: { file, from: join(PACKAGE, 'package.json') } },
    );
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await new Promise((resolve) => worker.once('message', resolve));
    const asked = Date.now();
    const { order, error } = await route.submit(BUY);
    await exited;
    expect(error).toBeUndefined();
    // The submit did wait for the lock...
    expect(placedAt - asked).toBeGreaterThanOrEqual(500);
    // ...and sentAt (the start of the not_found evidence window, the clock-offset samples, the
    // binding window) was stamped after it, never long before the send.
    const sentAt = Date.parse(order.sentAt ?? '');
    expect(sentAt).toBeGreaterThanOrEqual(asked + 500);
    expect(placedAt - sentAt).toBeGreaterThanOrEqual(0);
    expect(placedAt - sentAt).toBeLessThan(200);
  });
});
