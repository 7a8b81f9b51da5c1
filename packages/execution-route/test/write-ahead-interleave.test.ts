// The one-commit write-ahead (intent and `submitted` together) against a second connection and
// a second route on the same file: versions and caches across connections, the follow-up's owner
// and expectations, an aborted submit's record, the same intent id from two routes at once, a
// route opened (recovery, reconcile, replay) between another's commit and its send, and the
// synchronous level after refused inserts (fsyncs counted with strace).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutionRoute, JournalConflictError, replayJournal } from '../src/index.js';
import { createFakeBroker } from './helpers/fake-broker.js';
import { BUY, T0 } from './helpers/setup.js';
import {
  AT,
  abortingRoute,
  CHILD_PRELUDE,
  countSyncs,
  createScratch,
  pendingOrder,
  SENT,
  STRACE,
  sendRecord as send,
} from './helpers/write-ahead.js';

const scratch = createScratch('qts-wa-interleave-');
afterEach(scratch.cleanup);
const journalOf = scratch.journal;
const tempDir = scratch.dir;

describe('a row inserted with its follow-up, then written by another connection', () => {
  it('versions catch the stale write, caches re-read, the log replays on both connections', () => {
    const file = join(tempDir(), 'j.sqlite');
    const a = journalOf('sqlite', file);
    const b = journalOf('sqlite', file);
    const inserted = a.insert(
      pendingOrder('o-1'),
      { at: AT, cause: 'intent', owner: 'p1' },
      send('p1'),
    );
    const seenByB = b.read('o-1');
    if (seenByB === null) throw new Error('B does not see the order');
    expect(seenByB).toMatchObject({ order: { status: 'submitted' }, version: 0, owner: 'p1' });
    const versionA = a.versionOf(inserted.order);
    if (versionA === undefined) throw new Error('no version handed out');
    expect(versionA).toBe(0);
    // B (a recovery that judged p1 gone) writes first, expecting what it read.
    b.update(
      'o-1',
      { status: 'unknown' },
      {
        at: SENT,
        cause: 'recovery',
        owner: null,
        expect: { status: 'submitted', version: seenByB.version, owner: 'p1' },
      },
    );
    // A's write over its (cached, version 0) copy is refused and writes nothing.
    const before = a.events('o-1').length;
    expect(() =>
      a.update(
        'o-1',
        { status: 'accepted', brokerOrderId: '0000000001' },
        { at: SENT, cause: 'ack', owner: null, expect: { status: 'submitted', version: versionA } },
      ),
    ).toThrow(JournalConflictError);
    expect(a.events('o-1')).toHaveLength(before);
    expect(a.get('o-1')?.status).toBe('unknown');
    expect(a.ownerOf('o-1')).toBeNull();
    // a fresh read gives a version the next compare-and-set accepts
    const fresh = a.read('o-1');
    if (fresh === null) throw new Error('A does not see the order');
    const next = a.update(
      'o-1',
      { status: 'accepted', brokerOrderId: '0000000001' },
      { at: SENT, cause: 'reconcile', expect: { status: 'unknown', version: fresh.version } },
    );
    expect(next.status).toBe('accepted');
    expect(b.get('o-1')).toEqual(next);
    expect(replayJournal(a.events())).toEqual(a.list());
    expect(replayJournal(b.events())).toEqual(b.list());
  });
});

describe.each(['memory', 'sqlite'] as const)('follow-up owner and expectations (%s)', (kind) => {
  it.each([
    ['sets another owner', 'p2' as string | null | undefined, 'p2'],
    ['clears the owner', null, null],
    ['leaves it (undefined)', undefined, 'p1'],
  ])('the follow-up %s', (_label, owner, stored) => {
    const journal = journalOf(kind);
    journal.insert(pendingOrder('o-2'), { at: AT, cause: 'intent', owner: 'p1' }, send(owner));
    expect(journal.ownerOf('o-2')).toBe(stored);
    expect(journal.read('o-2')?.owner).toBe(stored);
  });

  it('the follow-up sees the inserted row: status pending, version 0, the insert owner', () => {
    const journal = journalOf(kind);
    const ok = journal.insert(
      pendingOrder('o-3'),
      { at: AT, cause: 'intent', owner: 'p1' },
      send('p1', { status: 'pending', version: 0, owner: 'p1' }),
    );
    expect(ok.order.status).toBe('submitted');
    for (const expectation of [{ status: 'submitted' as const }, { version: 1 }, { owner: null }]) {
      expect(() =>
        journal.insert(
          pendingOrder('o-4'),
          { at: AT, cause: 'intent', owner: 'p1' },
          send('p1', expectation),
        ),
      ).toThrow(JournalConflictError);
      expect(journal.get('o-4')).toBeNull();
    }
    expect(journal.events().map((e) => e.orderId)).toEqual(['o-3', 'o-3']);
    expect(replayJournal(journal.events())).toEqual(journal.list());
  });

  it('an aborted submit replays to its state; the abort record clears the owner', async () => {
    const journal = journalOf(kind);
    const { route, broker, signal } = abortingRoute(scratch, journal, 'journaled');
    const { order, error } = await route.submit({ ...BUY, intentId: 'i-abort' }, { signal });
    expect(error?.code).toBe('ABORTED');
    expect(order.status).toBe('failed');
    expect(journal.ownerOf(order.orderId)).toBeNull();
    expect(broker.requests()).toBe(0);
    expect(replayJournal(journal.events())).toEqual(journal.list());
    const again = await route.submit({ ...BUY, intentId: 'i-abort' });
    expect(again).toMatchObject({ replayed: true, order: { status: 'failed' } });
    expect(broker.requests()).toBe(0);
  });
});

describe('two routes on one file (two connections)', () => {
  function gate() {
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    let reach: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      reach = resolve;
    });
    return { open, opened, reach, reached };
  }

  it('the same intent id from both, past the pre-check at once: one order sent, the other replays it', async () => {
    const file = join(tempDir(), 'j.sqlite');
    const broker = createFakeBroker({ clock: () => T0, notices: false });
    scratch.defer(() => broker.close());
    const gates = [gate(), gate()];
    const routes = [0, 1].map((n) =>
      createExecutionRoute({
        adapter: broker.adapter,
        journal: journalOf('sqlite', file),
        mode: 'virtual',
        clock: () => T0,
        checkpoint: async (point) => {
          if (point !== 'before-journal') return;
          gates[n]?.reach();
          await gates[n]?.opened;
        },
      }),
    );
    const first = routes[0]?.submit({ ...BUY, intentId: 'same' });
    const second = routes[1]?.submit({ ...BUY, intentId: 'same' });
    await Promise.all(gates.map((g) => g.reached));
    gates[0]?.open();
    const a = await first;
    gates[1]?.open();
    const b = await second;
    expect(a?.order.status).toBe('accepted');
    expect(b).toMatchObject({ replayed: true, order: { orderId: a?.order.orderId } });
    expect(broker.requests('place')).toBe(1);
    expect(routes[0]?.orders()).toHaveLength(1);
  });

  it('a second route opened (recovery, reconcile, a replay) while the first is between its commit and its send leaves it alone', async () => {
    const file = join(tempDir(), 'j.sqlite');
    const broker = createFakeBroker({ clock: () => T0, notices: false });
    scratch.defer(() => broker.close());
    const g = gate();
    const first = createExecutionRoute({
      adapter: broker.adapter,
      journal: journalOf('sqlite', file),
      mode: 'virtual',
      clock: () => T0,
      checkpoint: async (point, order) => {
        if (point !== 'journaled') return;
        expect(order?.status).toBe('submitted');
        g.reach();
        await g.opened;
      },
    });
    const pending = first.submit({ ...BUY, intentId: 'mid' });
    await g.reached;
    const other = createExecutionRoute({
      adapter: broker.adapter,
      journal: journalOf('sqlite', file),
      mode: 'virtual',
      clock: () => T0 + 10 * 60_000,
    });
    expect(other.recovered).toEqual([]);
    await other.reconcile();
    const replay = await other.submit({ ...BUY, intentId: 'mid' });
    expect(replay).toMatchObject({ replayed: true, order: { status: 'submitted' } });
    expect(replay.error?.outcome).toBe('unknown');
    expect(broker.requests()).toBe(0);
    g.open();
    const { order } = await pending;
    expect(order.status).toBe('accepted');
    expect(broker.requests('place')).toBe(1);
  });
});

// The synchronous level after the new insert paths, counted in fsyncs.
describe.skipIf(STRACE === undefined && process.env.CI !== 'true')(
  'fsyncs after the new insert paths',
  () => {
    const CHILD = `${CHILD_PRELUDE}
    const [file, what] = process.argv.slice(2);
    const journal = createSqliteJournal({ file, mode: 'virtual', host: 'virtual', account: 'test' });
    const send = (expect) => ({ patch: { status: 'submitted', sentAt: at }, entry: { at, cause: 'send', owner: 'p', durable: true, ...(expect ? { expect } : {}) } });
    if (what === 'refused') {
      try { journal.insert(order('x'), { at, cause: 'intent', owner: 'p' }, send({ owner: 'q' })); } catch {}
    }
    if (what === 'clash') {
      journal.insert(order('c', 'same'), { at, cause: 'intent', owner: 'p' });
      journal.insert(order('d', 'same'), { at, cause: 'intent', owner: 'p' }, send());
    }
    for (let n = 0; n < 20; n += 1) journal.insert(order(n), { at, cause: 'intent', owner: 'p' });
    process.exit(0);
  `;
    const syncs = (what: string) => countSyncs(tempDir(), CHILD, [what]);

    it('a refused durable follow-up, or an intent-id clash, leaves later plain commits at NORMAL', () => {
      const base = syncs('plain');
      expect(syncs('refused')).toBe(base);
      expect(syncs('clash')).toBe(base);
    }, 60_000);
  },
);
