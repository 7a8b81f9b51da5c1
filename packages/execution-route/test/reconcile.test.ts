import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUY, makeRig, type Rig, T0 } from './helpers/setup.js';

let rig: Rig;
afterEach(() => rig?.close());

const MIN = 60_000;

async function unknownOrder(r: Rig, fault: 'timeout-after-accept' | 'lost-before-book') {
  r.broker.script('place', { kind: fault });
  const { order } = await r.route.submit(BUY);
  expect(order.status).toBe('unknown');
  return order;
}

describe('reconcile', () => {
  it('a single fingerprint match binds the unknown order', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const order = await unknownOrder(rig, 'timeout-after-accept');
    rig.broker.fill('0000000001', 3, 70000);
    const changes = await rig.route.reconcile();
    expect(changes).toEqual([
      {
        orderId: order.orderId,
        from: 'unknown',
        to: 'accepted',
        reason: 'broker inquiry shows order 0000000001',
      },
      {
        orderId: order.orderId,
        from: 'accepted',
        to: 'partially_filled',
        reason: 'filled 3 of 10',
      },
    ]);
    expect(rig.route.order(order.orderId)).toMatchObject({
      brokerOrderId: '0000000001',
      filledQuantity: 3,
      averagePrice: 70000,
    });
    expect(await rig.route.reconcile()).toEqual([]);
    expect(rig.broker.requests('place')).toBe(1);
  });

  it('two matches: stays unknown with the reason', async () => {
    rig = makeRig();
    const order = await unknownOrder(rig, 'timeout-after-accept');
    rig.broker.book({
      symbol: '005930',
      side: 'buy',
      type: 'limit',
      quantity: 10,
      limitPrice: 70000,
      orderedAt: new Date(T0 + 10).toISOString(),
      tradingDate: '20261125',
    });
    rig.clock.now += 10 * MIN;
    expect(await rig.route.reconcile()).toEqual([]);
    const after = rig.route.order(order.orderId)!;
    expect(after.status).toBe('unknown');
    expect(after.statusReason).toMatch(/2 broker orders match \(0000000001, 0000000002\)/);
    expect(rig.broker.requests('place')).toBe(1);
  });

  it('no match before 5 minutes stays unknown; after 5 minutes -> not_found with evidence', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const order = await unknownOrder(rig, 'lost-before-book');
    rig.clock.now += 4 * MIN;
    expect(await rig.route.reconcile()).toEqual([]);
    expect(rig.route.order(order.orderId)).toMatchObject({ status: 'unknown' });
    expect(rig.route.order(order.orderId)?.statusReason).toMatch(
      /not_found possible after 2026-11-25T01:05:00.000Z/,
    );
    rig.clock.now += 2 * MIN;
    const changes = await rig.route.reconcile();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ from: 'unknown', to: 'not_found' });
    expect(changes[0]?.reason).toMatch(
      /complete inquiry of 20261125 at 2026-11-25T01:06:00.000Z \(0 rows\)/,
    );
    const last = rig.journal.events(order.orderId).at(-1);
    expect(last?.data).toEqual({
      inquiredAt: '2026-11-25T01:06:00.000Z',
      rowsSeen: 0,
      tradingDate: '20261125',
      matches: [],
      clockOffsetMs: 0,
      clockSamples: 0,
    });
  });

  it('a broker number already bound to another journal order is not reused', async () => {
    rig = makeRig();
    const bound = await rig.route.submit(BUY);
    expect(bound.order.brokerOrderId).toBe('0000000001');
    const order = await unknownOrder(rig, 'lost-before-book');
    rig.clock.now += 6 * MIN;
    const changes = await rig.route.reconcile();
    expect(changes.map((c) => [c.orderId, c.to])).toEqual([[order.orderId, 'not_found']]);
    expect(rig.route.order(bound.order.orderId)?.status).toBe('accepted');
  });

  it('a broker order placed before our send (minus skew) is not bound, and keeps the order from not_found', async () => {
    rig = makeRig();
    rig.broker.book({
      symbol: '005930',
      side: 'buy',
      type: 'limit',
      quantity: 10,
      limitPrice: 70000,
      orderedAt: new Date(T0 - 60_000).toISOString(),
      tradingDate: '20261125',
    });
    const order = await unknownOrder(rig, 'lost-before-book');
    rig.clock.now += 6 * MIN;
    // It may be an older order placed elsewhere, or ours seen through a clock that is off: the
    // broker has such an order, so the order stays unknown (the resend guard stays on).
    expect(await rig.route.reconcile()).toEqual([]);
    expect(rig.route.order(order.orderId)).toMatchObject({
      status: 'unknown',
      brokerOrderId: null,
    });
    expect(rig.route.order(order.orderId)?.statusReason).toMatch(
      /broker order 0000000001 .* booked before this order was sent .*stays unknown/,
    );
  });

  it('orders of another trading date are reconciled against their own date', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const order = await unknownOrder(rig, 'timeout-after-accept');
    const open = await rig.route.submit({ ...BUY, quantity: 3 });
    rig.broker.fill(open.order.brokerOrderId!, 3, 70000);
    rig.clock.now += 24 * 60 * MIN; // next day in Seoul
    const spy = vi.spyOn(rig.broker.adapter, 'getOrders');
    const changes = await rig.route.reconcile();
    expect(spy.mock.calls.map((c) => c[0])).toEqual([{ tradingDate: '20261125' }]);
    expect(changes.map((c) => [c.orderId, c.to])).toEqual([
      [order.orderId, 'accepted'],
      [open.order.orderId, 'filled'],
    ]);
    // the new day's orders use the new date
    const today = await rig.route.submit({ ...BUY, quantity: 4 });
    expect(today.order.tradingDate).toBe('20261126');
  });

  it('an inquiry failure leaves the journal exact and reports ROUTE_UNAVAILABLE', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const order = await unknownOrder(rig, 'timeout-after-accept');
    const before = rig.journal.events().length;
    rig.broker.failInquiries(1);
    await expect(rig.route.reconcile()).rejects.toMatchObject({
      code: 'ROUTE_UNAVAILABLE',
      outcome: 'not_placed',
    });
    expect(rig.journal.events().length).toBe(before);
    expect(rig.route.order(order.orderId)?.status).toBe('unknown');
  });

  it('two unknown orders with the same fingerprint and one broker order: both stay unknown', async () => {
    rig = makeRig();
    const a = await unknownOrder(rig, 'timeout-after-accept');
    rig.broker.script('place', { kind: 'lost-before-book' });
    const b = await rig.route.submit(BUY, { force: true });
    expect(b.order.status).toBe('unknown');
    rig.clock.now += 6 * MIN;
    await rig.route.reconcile();
    // each sees one matching row, but the row is claimed by the first: the second must not bind it
    for (const id of [a.orderId, b.order.orderId]) {
      expect(rig.route.order(id)).toMatchObject({ status: 'unknown', brokerOrderId: null });
      expect(rig.route.order(id)?.statusReason).toMatch(/also matches another unknown order/);
    }
    expect(rig.broker.requests('place')).toBe(2);
  });
});
