// The intent and its write-ahead record are ONE commit: `pending` and `submitted` land together
// (one fsync) or not at all, before anything is sent. Tried from outside: another connection
// polling the file while orders go out, a compare-and-set that fails inside the commit, a clash
// of intent ids, a journal that ignores the follow-up, and the system calls of the commit.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createExecutionRoute,
  JournalConflictError,
  type Order,
  type OrderJournal,
  replayJournal,
} from '../src/index.js';
import { createFakeBroker, type FakeBroker } from './helpers/fake-broker.js';
import { BUY, T0 } from './helpers/setup.js';
import {
  AT,
  CHILD_PRELUDE,
  countSyncs,
  createScratch,
  PACKAGE,
  pendingOrder,
  SENT,
  STRACE,
  sendRecord,
  spyOnPlace,
} from './helpers/write-ahead.js';

const scratch = createScratch('qts-wa-commit-');
afterEach(scratch.cleanup);
const journalOf = scratch.journal;
const tempDir = scratch.dir;

describe.each(['memory', 'sqlite'] as const)('insert with its follow-up (%s journal)', (kind) => {
  it('writes both records in order; the row is the state after both, owned as the follow-up says', () => {
    const journal = journalOf(kind);
    const result = journal.insert(
      pendingOrder('o-wa-1'),
      { at: AT, cause: 'intent', owner: 'p1' },
      sendRecord('p2'),
    );
    expect(result.inserted).toBe(true);
    expect(result.order).toMatchObject({ status: 'submitted', sentAt: SENT, updatedAt: SENT });
    expect(journal.get('o-wa-1')).toEqual(result.order);
    expect(journal.ownerOf('o-wa-1')).toBe('p2');
    expect(journal.events('o-wa-1').map((e) => [e.from, e.to, e.cause, e.at])).toEqual([
      [null, 'pending', 'intent', AT],
      ['pending', 'submitted', 'send', SENT],
    ]);
    // The log alone rebuilds the row.
    expect(replayJournal(journal.events())).toEqual(journal.list());
    // The next write expects the version the insert handed out.
    const version = journal.versionOf(result.order);
    if (version === undefined) throw new Error('the insert handed out no version');
    const accepted = journal.update(
      'o-wa-1',
      { status: 'accepted', brokerOrderId: '0000000001', acceptedAt: SENT },
      { at: SENT, cause: 'ack', owner: null, expect: { status: 'submitted', version } },
    );
    expect(accepted.status).toBe('accepted');
    expect(journal.getByBrokerOrderId('0000000001')?.orderId).toBe('o-wa-1');
  });

  it('a follow-up whose compare-and-set fails writes nothing at all: no row, no event', () => {
    const journal = journalOf(kind);
    expect(() =>
      journal.insert(
        pendingOrder('o-wa-2', 'intent-2'),
        { at: AT, cause: 'intent', owner: 'p1' },
        sendRecord('p1', { owner: 'somebody-else' }),
      ),
    ).toThrow(JournalConflictError);
    expect(journal.get('o-wa-2')).toBeNull();
    expect(journal.getByClientOrderId('intent-2')).toBeNull();
    expect(journal.events()).toEqual([]);
    // The intent id is still free: the same order goes in afterwards.
    const again = journal.insert(
      pendingOrder('o-wa-2', 'intent-2'),
      { at: AT, cause: 'intent', owner: 'p1' },
      sendRecord('p1', { owner: 'p1', status: 'pending' }),
    );
    expect(again.order.status).toBe('submitted');
  });

  it('an intent id already journaled returns that order and appends neither record', () => {
    const journal = journalOf(kind);
    journal.insert(pendingOrder('o-wa-3', 'same'), { at: AT, cause: 'intent', owner: 'p1' });
    const clash = journal.insert(
      pendingOrder('o-wa-4', 'same'),
      { at: AT, cause: 'intent', owner: 'p2' },
      sendRecord('p2'),
    );
    expect(clash).toMatchObject({
      inserted: false,
      order: { orderId: 'o-wa-3', status: 'pending' },
    });
    expect(journal.get('o-wa-4')).toBeNull();
    expect(journal.events().map((e) => e.orderId)).toEqual(['o-wa-3']);
  });
});

/** A route on `journal` whose adapter records, at each send, the order as the journal has it. */
function routeOn(journal: OrderJournal, checkpoint?: () => Promise<void>) {
  const broker: FakeBroker = createFakeBroker({ clock: () => T0, notices: false });
  scratch.defer(() => broker.close());
  const seenAtSend: (string | undefined)[] = [];
  const adapter = spyOnPlace(broker.adapter, () => {
    seenAtSend.push(journal.list({ statuses: ['submitted'] }).at(-1)?.status);
  });
  const route = createExecutionRoute({
    adapter,
    journal,
    mode: 'virtual',
    clock: () => T0,
    ...(checkpoint === undefined
      ? {}
      : {
          checkpoint: async (point: string) => {
            if (point === 'journaled') await checkpoint();
          },
        }),
  });
  return { route, broker, seenAtSend };
}

/** A journal that stores what `insert` is given but never its follow-up (an older or foreign one). */
function ignoringFollowUps(journal: OrderJournal): OrderJournal {
  return new Proxy(journal, {
    get(target, name, receiver) {
      if (name === 'insert') {
        return (order: Order, entry: Parameters<OrderJournal['insert']>[1]) =>
          target.insert(order, entry);
      }
      return Reflect.get(target, name, receiver);
    },
  });
}

/**
 * Polls the journal file from another thread (its own SQLite connection) as fast as it can,
 * until stopped; returns every status it saw.
 */
function pollStatuses(file: string): { stop: () => Promise<Set<string>> } {
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
    const { createRequire } = require('node:module');
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = createRequire(workerData.from)('libsql');
    const db = new Database(workerData.file, { readonly: true });
    db.exec('PRAGMA busy_timeout = 5000');
    const select = db.prepare('SELECT status FROM orders');
    const seen = new Set();
    let polls = 0;
    while (Atomics.load(workerData.stop, 0) === 0) {
      for (const row of select.all()) seen.add(row.status);
      polls += 1;
    }
    db.close();
    parentPort.postMessage({ seen: [...seen], polls });
    `,
    { eval: true, workerData: { file, stop: stopFlag, from: join(PACKAGE, 'package.json') } },
  );
  const result = new Promise<{ seen: string[]; polls: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      Atomics.store(stopFlag, 0, 1);
      const { seen, polls } = await result;
      expect(polls).toBeGreaterThan(10);
      return new Set(seen);
    },
  };
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('another connection reading the journal while orders go out', () => {
  it('never sees an order pending: the intent and its write-ahead record commit together', async () => {
    const file = join(tempDir(), 'j.sqlite');
    const journal = journalOf('sqlite', file);
    // Every order waits 5 ms between its commit and its send, so the reader sees that state.
    const { route, seenAtSend } = routeOn(journal, () => pause(5));
    const poller = pollStatuses(file);
    for (let n = 0; n < 30; n += 1) {
      const { order, error } = await route.submit({ ...BUY, quantity: n + 1 });
      expect(error).toBeUndefined();
      expect(order.status).toBe('accepted');
    }
    const seen = await poller.stop();
    expect(seen.has('submitted'), `statuses seen: ${[...seen]}`).toBe(true);
    expect(seen.has('pending'), `statuses seen: ${[...seen]}`).toBe(false);
    expect(seenAtSend).toEqual(Array(30).fill('submitted'));
  });

  it('a journal that ignores the follow-up: the reader sees pending, and the route still writes submitted before each send', async () => {
    const file = join(tempDir(), 'j.sqlite');
    const journal = ignoringFollowUps(journalOf('sqlite', file));
    const { route, seenAtSend, broker } = routeOn(journal, () => pause(5));
    const poller = pollStatuses(file);
    for (let n = 0; n < 30; n += 1) {
      const { order } = await route.submit({ ...BUY, quantity: n + 1 });
      expect(order.status).toBe('accepted');
    }
    const seen = await poller.stop();
    // The control of the test above: the same reader does catch a pending order.
    expect(seen.has('pending'), `statuses seen: ${[...seen]}`).toBe(true);
    expect(seenAtSend).toEqual(Array(30).fill('submitted'));
    expect(broker.requests('place')).toBe(30);
    for (const order of journal.list()) {
      expect(journal.events(order.orderId).map((e) => e.to)).toEqual([
        'pending',
        'submitted',
        'accepted',
      ]);
    }
  });

  it('aborted while at the journaled point: the order fails, nothing is sent', async () => {
    const journal = journalOf('sqlite');
    const controller = new AbortController();
    const { route, broker } = routeOn(journal, async () => controller.abort());
    const { order, error } = await route.submit(BUY, { signal: controller.signal });
    expect(error?.code).toBe('ABORTED');
    expect(order.status).toBe('failed');
    expect(broker.requests()).toBe(0);
    expect(journal.events(order.orderId).map((e) => e.to)).toEqual([
      'pending',
      'submitted',
      'failed',
    ]);
  });
});

// The durability promise, counted in system calls: a write-ahead commit fsyncs the WAL once, a
// record that is not a write-ahead one does not fsync at all (strace; CI installs it).
describe.skipIf(STRACE === undefined && process.env.CI !== 'true')('fsyncs of the journal', () => {
  const CHILD = `${CHILD_PRELUDE}
    const [file, what, count] = process.argv.slice(2);
    const journal = createSqliteJournal({ file, mode: 'virtual', host: 'virtual', account: 'test' });
    const send = { patch: { status: 'submitted', sentAt: at }, entry: { at, cause: 'send', owner: 'p', durable: true } };
    for (let n = 0; n < Number(count); n += 1) {
      if (what === 'intent+send') journal.insert(order(n), { at, cause: 'intent', owner: 'p' }, send);
      if (what === 'intent') journal.insert(order(n), { at, cause: 'intent', owner: 'p' });
      if (what === 'intent,send') {
        journal.insert(order(n), { at, cause: 'intent', owner: 'p' });
        journal.update('o-' + n, send.patch, send.entry);
      }
    }
    // No close: a checkpoint there would fsync too; only the commits are counted.
    process.exit(0);
  `;
  const syncs = (what: string, count: number) =>
    countSyncs(tempDir(), CHILD, [what, String(count)]);

  it('one fsync per intent with its write-ahead record, none per plain intent', () => {
    const base = syncs('intent', 0);
    expect(syncs('intent+send', 20) - base).toBe(20);
    expect(syncs('intent', 20) - base).toBe(0);
    // the two-commit way costs the same one fsync (the intent commit has none)
    expect(syncs('intent,send', 20) - base).toBe(20);
  }, 60_000);
});
