// Regression tests of order-state defects: a stale view overwriting an answer, a reused pid, a
// fast local clock, a broker number reused on another day, an unknown revision that never
// settles, a cancel during an unknown modify, fills made before watch, and a revision refused
// because nothing was left. Each failed on the code before the compare-and-set design.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitUntil } from '@qts/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createExecutionRoute,
  createMemoryJournal,
  createSqliteJournal,
  type Order,
  type OrderJournal,
  RouteRefusedError,
} from '../src/index.js';
import { processStartOf } from '../src/owner.js';
import { createFakeBroker, type FakeBroker } from './helpers/fake-broker.js';
import { BUY, makeRig, type Rig, T0, tempDir } from './helpers/setup.js';
import { pendingOrder } from './helpers/write-ahead.js';

const MIN = 60_000;
let rig: Rig | undefined;
const cleanups: (() => void)[] = [];
afterEach(() => {
  rig?.close();
  rig = undefined;
  for (const c of cleanups.splice(0)) c();
});

function sqliteJournal(file: string): OrderJournal {
  const journal = createSqliteJournal({ file, mode: 'virtual', host: 'virtual', account: 'test' });
  cleanups.push(() => journal.close());
  return journal;
}

/** An order row as a process leaves it: journaled (and maybe sent), owned by `owner`. */
function inFlight(orderId: string, status: 'pending' | 'submitted', at: number): Order {
  const iso = new Date(at).toISOString();
  return {
    ...pendingOrder(orderId),
    status,
    createdAt: iso,
    updatedAt: iso,
    sentAt: status === 'submitted' ? iso : null,
  };
}

describe('recovery never overwrites an answered order (two connections, one file)', () => {
  it('B lists the order in flight, A records the answer, B finds the owner gone: B writes nothing', () => {
    const file = join(tempDir(), 'j.sqlite');
    const a = sqliteJournal(file);
    const b = sqliteJournal(file);
    const at = new Date(T0).toISOString();
    a.insert(inFlight('o-1', 'pending', T0), { at, cause: 'intent', owner: '1:-:aaaa' });
    a.update('o-1', { status: 'submitted', sentAt: at }, { at, cause: 'send' });
    const broker = createFakeBroker({ clock: () => T0 });
    cleanups.push(() => broker.close());
    let judged = 0;
    const route = createExecutionRoute({
      adapter: broker.adapter,
      journal: b,
      mode: 'virtual',
      clock: () => T0,
      // The forced interleaving: while B judges the owner, A records the broker's answer on
      // its own connection (owner cleared), and B then finds no live owner.
      ownerAlive: () => {
        judged += 1;
        a.update(
          'o-1',
          {
            status: 'accepted',
            brokerOrderId: '0000012345',
            brokerBranch: '06010',
            acceptedAt: at,
          },
          { at, cause: 'ack', owner: null },
        );
        return false;
      },
    });
    expect(judged).toBe(1);
    expect(route.recovered).toEqual([]);
    expect(b.get('o-1')).toMatchObject({ status: 'accepted', brokerOrderId: '0000012345' });
    expect(b.events('o-1').map((e) => e.to)).toEqual(['pending', 'submitted', 'accepted']);
  });

  it('the journal itself refuses a stale write, a terminal change and a fill decrease', () => {
    for (const journal of [sqliteJournal(join(tempDir(), 'k.sqlite')), createMemoryJournal()]) {
      const at = new Date(T0).toISOString();
      journal.insert(inFlight('o-2', 'submitted', T0), { at, cause: 'intent' });
      const seen = journal.read('o-2')!;
      journal.update(
        'o-2',
        { status: 'partially_filled', filledQuantity: 3, brokerOrderId: '1' },
        { at, cause: 'ack' },
      );
      expect(() =>
        journal.update(
          'o-2',
          { status: 'unknown' },
          { at, cause: 'recovery', expect: { status: 'submitted', version: seen.version } },
        ),
      ).toThrow(expect.objectContaining({ code: 'JOURNAL_CONFLICT', reason: 'stale' }));
      expect(() => journal.update('o-2', { filledQuantity: 2 }, { at, cause: 'notice' })).toThrow(
        expect.objectContaining({ reason: 'fill-decrease' }),
      );
      journal.update('o-2', { status: 'rejected' }, { at, cause: 'test' });
      expect(() => journal.update('o-2', { status: 'accepted' }, { at, cause: 'test' })).toThrow(
        expect.objectContaining({ reason: 'terminal' }),
      );
      expect(journal.get('o-2')).toMatchObject({ status: 'rejected', filledQuantity: 3 });
    }
  });
});

describe('owner identity survives pid reuse', () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    holder?.kill('SIGKILL');
    holder = undefined;
  });

  it("a live unrelated process holding a dead owner's pid does not keep its submitted order alive", async () => {
    // The unrelated process that now holds the pid.
    holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const pid = holder.pid!;
    const start = await waitUntil(
      () => processStartOf(pid) ?? undefined,
      'the start time of the process holding the pid',
    );
    expect(start).toMatch(/\S/);
    const file = join(tempDir(), 'j.sqlite');
    const journal = sqliteJournal(file);
    const at = new Date(T0).toISOString();
    // The dead owner had this pid but started at another time.
    journal.insert(inFlight('o-dead', 'submitted', T0), {
      at,
      cause: 'intent',
      owner: `${pid}:l00000000.1:abcdef`,
    });
    // The live process's own record (same pid, its real start time) is left alone.
    journal.insert(
      { ...inFlight('o-live', 'submitted', T0), symbol: '000660' },
      { at, cause: 'intent', owner: `${pid}:${start.replaceAll(':', '_')}:123456` },
    );
    const broker = createFakeBroker({ clock: () => T0 });
    cleanups.push(() => broker.close());
    const route = createExecutionRoute({
      adapter: broker.adapter,
      journal,
      mode: 'virtual',
      clock: () => T0,
    });
    expect(route.recovered.map((c) => [c.orderId, c.from, c.to])).toEqual([
      ['o-dead', 'submitted', 'unknown'],
    ]);
    expect(journal.get('o-live')?.status).toBe('submitted');
    // The same order again is refused by the unknown-order guard: nothing sent.
    await expect(route.submit(BUY)).rejects.toMatchObject({
      reason: 'UNKNOWN_ORDER_FINGERPRINT',
    });
    expect(broker.requests('place')).toBe(0);
  });
});

describe('a local clock that runs fast', () => {
  /** Our clock 10 s ahead of the broker's. */
  function skewedRig(): { rig: Rig; broker: FakeBroker } {
    const base = makeRig({ journal: 'sqlite' });
    base.broker.close();
    const broker = createFakeBroker({ clock: () => base.clock.now - 10_000 });
    const route = createExecutionRoute({
      adapter: broker.adapter,
      journal: base.journal,
      mode: 'virtual',
      clock: () => base.clock.now,
    });
    return { rig: { ...base, broker, route }, broker };
  }

  it('the offset measured from bound orders lets the unknown order bind', async () => {
    const { rig: r } = skewedRig();
    rig = r;
    await r.route.submit({ ...BUY, symbol: '000660', limitPrice: 200000 });
    r.broker.script('place', { kind: 'timeout-after-accept' });
    const { order } = await r.route.submit(BUY);
    expect(order.status).toBe('unknown');
    r.clock.now += 10 * MIN;
    await r.route.reconcile();
    expect(r.route.order(order.orderId)).toMatchObject({
      status: 'accepted',
      brokerOrderId: '0000000002',
    });
  });

  it('without any measurement the order never becomes not_found while the broker has its twin', async () => {
    const { rig: r } = skewedRig();
    rig = r;
    r.broker.script('place', { kind: 'timeout-after-accept' });
    const { order } = await r.route.submit(BUY);
    for (const wait of [6, 30, 120]) {
      r.clock.now += wait * MIN;
      await r.route.reconcile();
      expect(r.route.order(order.orderId)?.status).toBe('unknown');
    }
    expect(r.route.order(order.orderId)?.statusReason).toMatch(/0000000001 .*stays unknown/);
    await expect(r.route.submit(BUY)).rejects.toBeInstanceOf(RouteRefusedError);
    expect(r.broker.requests('place')).toBe(1);
  });
});

describe('broker numbers restart every trading day', () => {
  it("a Monday notice for 0000000001 is not applied to Friday's open 0000000001", async () => {
    rig = makeRig({ journal: 'sqlite' });
    const friday = await rig.route.submit(BUY);
    expect(friday.order).toMatchObject({ brokerOrderId: '0000000001', tradingDate: '20261125' });
    const controller = new AbortController();
    const watching = rig.route.watch({ signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    // Three days later, a fill notice of the new day's 0000000001 (not in our journal yet).
    const monday = new Date(T0 + 3 * 24 * 60 * MIN).toISOString();
    rig.broker.emit({
      type: 'order-filled',
      brokerOrderId: '0000000001',
      symbol: BUY.symbol,
      side: 'buy',
      filledQuantity: 4,
      averagePrice: 70000,
      lastQuantity: 4,
      lastPrice: 70000,
      at: monday,
      source: 'notice',
    });
    controller.abort();
    await watching;
    expect(rig.route.order(friday.order.orderId)).toMatchObject({
      status: 'accepted',
      filledQuantity: 0,
    });
    expect(rig.route.strays()).toHaveLength(1);
  });
});

describe('unknown revisions', () => {
  it('an unknown cancel settles 5 minutes after the request even when checked every minute', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { order } = await rig.route.submit(BUY);
    rig.broker.script('cancel', { kind: 'lost-before-book' });
    const canceled = await rig.route.cancel(order.orderId);
    expect(canceled.order.status).toBe('cancel_unknown');
    for (let minute = 1; minute <= 7; minute += 1) {
      rig.clock.now += MIN;
      await rig.route.reconcile();
    }
    expect(rig.route.order(order.orderId)?.status).toBe('accepted');
    expect(rig.broker.requests('cancel')).toBe(1);
  });

  it('an inquiry that does not show the order yet (same-day lag) settles nothing', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { order } = await rig.route.submit(BUY);
    rig.broker.script('cancel', { kind: 'lost-before-book' });
    await rig.route.cancel(order.orderId);
    const full = rig.broker.adapter.getOrders;
    rig.broker.adapter.getOrders = async (query, options) =>
      (await full(query, options)).filter((row) => row.brokerOrderId !== order.brokerOrderId);
    rig.clock.now += 10 * MIN;
    expect(await rig.route.reconcile()).toEqual([]);
    expect(rig.route.order(order.orderId)).toMatchObject({
      status: 'cancel_unknown',
      statusReason: expect.stringMatching(/does not show order 0000000001 yet/),
    });
    rig.broker.adapter.getOrders = full;
    await rig.route.reconcile();
    expect(rig.route.order(order.orderId)?.status).toBe('accepted');
  });

  it('a cancel is refused while a modify has an unknown outcome, and nothing is sent', async () => {
    rig = makeRig();
    const { order } = await rig.route.submit(BUY);
    rig.broker.script('modify', { kind: 'lost-before-book' });
    const modified = await rig.route.modify(order.orderId, { limitPrice: 69900 });
    expect(modified.order.status).toBe('modify_unknown');
    const refusal = await rig.route.cancel(order.orderId).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(RouteRefusedError);
    expect(refusal).toMatchObject({ reason: 'MODIFY_OUTCOME_UNKNOWN', orderIds: [order.orderId] });
    expect((refusal as Error).message).toMatch(/modify whose outcome is unknown.*Nothing was sent/);
    expect(rig.broker.requests('cancel')).toBe(0);
    expect(rig.route.order(order.orderId)?.status).toBe('modify_unknown');
  });

  it('an adapter that says ORDER_NOT_OPEN (nothing left) also brings the journal in line', async () => {
    rig = makeRig({ notices: false });
    const { order } = await rig.route.submit(BUY);
    rig.broker.fill('0000000001', 10, 59000);
    rig.broker.script('cancel', {
      kind: 'reject',
      code: 'ORDER_NOT_OPEN',
      brokerCode: 'APBK0344',
      brokerMessage: '정정/취소할 수량이 없습니다',
    });
    const result = await rig.route.cancel(order.orderId);
    expect(result.order).toMatchObject({ status: 'filled', filledQuantity: 10 });
    expect(result.error).toMatchObject({ code: 'ORDER_NOT_OPEN', brokerCode: 'APBK0344' });
    expect(result.error?.message).toMatch(/filled 10 @ 59,000 before your cancel/);
  });

  it('a cancel refused because nothing is left reconciles the order and tells it filled first', async () => {
    rig = makeRig({ notices: false });
    const { order } = await rig.route.submit(BUY);
    rig.broker.fill('0000000001', 10, 59000);
    rig.broker.script('cancel', {
      kind: 'reject',
      brokerCode: 'APBK0344',
      brokerMessage: '정정/취소할 수량이 없습니다',
    });
    const result = await rig.route.cancel(order.orderId);
    expect(result.order).toMatchObject({
      status: 'filled',
      filledQuantity: 10,
      averagePrice: 59000,
    });
    expect(result.error).toMatchObject({
      code: 'BROKER_REJECTED',
      brokerCode: 'APBK0344',
      brokerMessage: '정정/취소할 수량이 없습니다',
    });
    expect(result.error?.message).toMatch(/filled 10 @ 59,000 before your cancel/);
  });
});

describe('watch after a restart', () => {
  it('3 filled before watch and 4 during (notices counted from the subscription): 7 of 10 at the right average', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { order } = await rig.route.submit(BUY);
    // Before watch: 3 @ 70,000 known from an inquiry.
    rig.broker.fill('0000000001', 3, 70000);
    await rig.route.reconcile();
    expect(rig.route.order(order.orderId)?.filledQuantity).toBe(3);
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = rig.route.watch({
      signal: controller.signal,
      onEvent: (event, current) => {
        if (event.type === 'order-filled') {
          seen.push(`${event.filledQuantity}/${current?.quantity} @ ${event.averagePrice}`);
        }
      },
    });
    await new Promise((r) => setTimeout(r, 20));
    // An adapter whose notice tracker starts at 0 when it subscribes: 4 fills of 1 @ 69,900.
    for (let n = 1; n <= 4; n += 1) {
      const notice = {
        type: 'order-filled' as const,
        brokerOrderId: '0000000001',
        symbol: BUY.symbol,
        side: 'buy' as const,
        filledQuantity: n,
        averagePrice: 69900,
        lastQuantity: 1,
        lastPrice: 69900,
        at: new Date(rig.clock.now).toISOString(),
        source: 'notice' as const,
      };
      rig.broker.emit(notice);
      rig.broker.emit(notice); // a duplicate changes nothing
    }
    controller.abort();
    await watching;
    const after = rig.route.order(order.orderId)!;
    expect(after.filledQuantity).toBe(7);
    // What watch reports is the order's cumulative fill, not the adapter's count.
    expect(seen.at(-1)).toBe(`7/10 @ ${(3 * 70000 + 4 * 69900) / 7}`);
    expect(after.averagePrice).toBeCloseTo((3 * 70000 + 4 * 69900) / 7, 6);
  });

  it('an adapter that counts from the order start is applied as it is', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { order } = await rig.route.submit(BUY);
    rig.broker.fill('0000000001', 3, 70000);
    await rig.route.reconcile();
    const controller = new AbortController();
    const watching = rig.route.watch({ signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    rig.broker.fill('0000000001', 4, 69900);
    controller.abort();
    await watching;
    expect(rig.route.order(order.orderId)).toMatchObject({ filledQuantity: 7 });
    expect(rig.route.order(order.orderId)?.averagePrice).toBeCloseTo(
      (3 * 70000 + 4 * 69900) / 7,
      6,
    );
  });
});
