// An order sent at 23:59:59 KST belongs to that trading date, even when it is reconciled, listed
// or canceled at 00:00:01 the next day: KIS order numbers and inquiries are per trading date.
import { afterEach, expect, it } from 'vitest';
import { BUY, makeRig, type Rig } from './helpers/setup.js';

let rig: Rig;
afterEach(() => rig?.close());

/** 2026-11-25 23:59:59 KST (14:59:59 UTC). */
const LAST_SECOND = Date.parse('2026-11-25T14:59:59.000Z');

it('an unknown order sent at 23:59:59 KST is reconciled against its own date after midnight', async () => {
  rig = makeRig({ journal: 'sqlite' });
  rig.clock.now = LAST_SECOND;
  rig.broker.script('place', { kind: 'timeout-after-accept' });
  const { order } = await rig.route.submit(BUY);
  expect(order).toMatchObject({ status: 'unknown', tradingDate: '20261125' });
  rig.clock.now = LAST_SECOND + 2_000; // 2026-11-26 00:00:01 KST
  rig.broker.fill('0000000001', 10, 70000);
  const changes = await rig.route.reconcile();
  expect(changes.map((c) => c.to)).toEqual(['accepted', 'filled']);
  expect(rig.route.order(order.orderId)).toMatchObject({
    brokerOrderId: '0000000001',
    tradingDate: '20261125',
    status: 'filled',
  });
  // Listed under the date it was sent on, not under the new day.
  expect(rig.route.orders({ tradingDate: '20261125' }).map((o) => o.orderId)).toEqual([
    order.orderId,
  ]);
  expect(rig.route.orders({ tradingDate: '20261126' })).toEqual([]);
  expect(rig.broker.requests('place')).toBe(1);
});

it('an order accepted at 23:59:59 KST and canceled at 00:00:01 is canceled by its own date', async () => {
  rig = makeRig({ journal: 'sqlite' });
  rig.clock.now = LAST_SECOND;
  const { order } = await rig.route.submit(BUY);
  expect(order).toMatchObject({ status: 'accepted', tradingDate: '20261125' });
  rig.clock.now = LAST_SECOND + 2_000;
  const result = await rig.route.cancel(order.orderId);
  expect(result.order).toMatchObject({ orderId: order.orderId, tradingDate: '20261125' });
  expect(['canceled', 'pending_cancel']).toContain(result.order.status);
  const row = rig.broker.rows('20261125').find((r) => r.brokerOrderId === order.brokerOrderId);
  expect(row?.status).toBe('canceled');
  // The cancel request itself is a new broker order of the new day, pointing at the original.
  expect(rig.broker.rows('20261126').map((r) => r.originalBrokerOrderId)).toEqual([
    order.brokerOrderId,
  ]);
});
