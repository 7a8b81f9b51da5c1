// The fault matrix through broker-virtual (the in-process adapter over the virtual exchange):
// zero duplicate and zero lost orders whatever the broker does.
import {
  createVirtualExchange,
  createVirtualOrderAdapter,
  type VirtualExchange,
  type VirtualFault,
} from '@qts/broker-virtual';
import { waitUntil } from '@qts/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createExecutionRoute,
  createSqliteJournal,
  type ExecutionRoute,
  type OrderJournal,
} from '../src/index.js';
import { tempDir } from './helpers/setup.js';

interface VRig {
  exchange: VirtualExchange;
  route: ExecutionRoute;
  journal: OrderJournal;
  booked(): readonly { orderNo: string }[];
  close(): Promise<void>;
}
let rig: VRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function open(clockOffset = { ms: 0 }): VRig {
  const exchange = createVirtualExchange();
  const adapter = createVirtualOrderAdapter({ exchange });
  const journal = createSqliteJournal({
    file: `${tempDir()}/j.sqlite`,
    mode: 'virtual',
    host: 'virtual',
    account: exchange.defaultAccount,
  });
  const route = createExecutionRoute({
    adapter,
    journal,
    mode: 'virtual',
    clock: () => Date.now() + clockOffset.ms,
  });
  return {
    exchange,
    route,
    journal,
    booked: () =>
      exchange
        .orders(exchange.defaultAccount, { tradingDate: exchange.tradingDate() })
        .filter((o) => o.kind === 'order'),
    async close() {
      journal.close();
      await adapter.close();
      exchange.close();
    },
  };
}

const BUY = {
  symbol: '005930',
  side: 'buy',
  quantity: 5,
  type: 'limit',
  limitPrice: 69_000,
} as const;

describe('fault matrix through broker-virtual', () => {
  const cases: {
    fault: VirtualFault;
    status: string;
    outcome: string;
    code: string;
    booked: number;
  }[] = [
    {
      fault: { kind: 'refuse-connection' },
      status: 'failed',
      outcome: 'not_placed',
      code: 'ROUTE_UNAVAILABLE',
      booked: 0,
    },
    {
      fault: { kind: 'never-answer' },
      status: 'unknown',
      outcome: 'unknown',
      code: 'OUTCOME_UNKNOWN',
      booked: 1,
    },
    {
      fault: { kind: 'reset-after-accept' },
      status: 'unknown',
      outcome: 'unknown',
      code: 'OUTCOME_UNKNOWN',
      booked: 1,
    },
    {
      fault: { kind: 'reject', code: 'APBK0919', message: '장운영시간이 아닙니다.' },
      status: 'rejected',
      outcome: 'rejected',
      code: 'MARKET_CLOSED',
      booked: 0,
    },
    {
      fault: { kind: 'reject', code: 'EGW00201', message: '초당 거래건수를 초과하였습니다.' },
      status: 'rejected',
      outcome: 'rejected',
      code: 'RATE_LIMITED',
      booked: 0,
    },
  ];
  it.each(cases)(
    '$fault.kind $fault.code -> $status',
    async ({ fault, status, outcome, code, booked }) => {
      rig = open();
      rig.exchange.setReferencePrice('005930', 70_000);
      rig.exchange.faults.next('place', fault);
      const result = await rig.route.submit(BUY);
      expect(result.order.status).toBe(status);
      expect(result.error).toMatchObject({ outcome });
      if (code !== 'MARKET_CLOSED') expect(result.error?.code).toBe(code);
      expect(rig.booked()).toHaveLength(booked);
      if (status === 'unknown') {
        await expect(rig.route.submit(BUY)).rejects.toMatchObject({
          reason: 'UNKNOWN_ORDER_FINGERPRINT',
        });
        const changes = await rig.route.reconcile();
        expect(changes[0]).toMatchObject({ from: 'unknown', to: 'accepted' });
        expect(rig.route.order(result.order.orderId)?.brokerOrderId).toBe(rig.booked()[0]?.orderNo);
      }
      // zero duplicate, zero lost
      expect(rig.booked()).toHaveLength(booked);
      for (const o of rig.booked())
        expect(rig.journal.getByBrokerOrderId(o.orderNo)).not.toBeNull();
    },
  );

  it('duplicated and dropped notices: the watch applies each fill once; a dropped one is caught up by reconcile', async () => {
    rig = open();
    rig.exchange.setReferencePrice('005930', 70_000);
    const ac = new AbortController();
    const watching = rig.route.watch({ signal: ac.signal });
    for (let i = 0; i < 50; i += 1) await new Promise((r) => setImmediate(r));
    const { order } = await rig.route.submit(BUY);
    expect(order.status).toBe('accepted');
    rig.exchange.faults.nextNotice('duplicate', 3);
    rig.exchange.fillPartially(order.brokerOrderId!, 2);
    const { route } = rig;
    await waitUntil(
      () => route.order(order.orderId)?.filledQuantity === 2,
      'the route applied the fill notice',
    );
    expect(rig.route.order(order.orderId)).toMatchObject({
      status: 'partially_filled',
      filledQuantity: 2,
    });
    const fillEvents = rig.journal
      .events(order.orderId)
      .filter((e) => e.from !== null && e.patch.filledQuantity !== undefined);
    expect(fillEvents).toHaveLength(1);
    rig.exchange.faults.nextNotice('drop', 5);
    rig.exchange.fillPartially(order.brokerOrderId!, 3);
    await rig.route.reconcile();
    expect(rig.route.order(order.orderId)).toMatchObject({
      status: 'filled',
      filledQuantity: 5,
      averagePrice: 69_000,
    });
    ac.abort();
    await watching;
    expect(rig.booked()).toHaveLength(1);
  });

  it('cancel and modify through the virtual exchange', async () => {
    rig = open();
    rig.exchange.setReferencePrice('005930', 70_000);
    const { order } = await rig.route.submit(BUY);
    const modified = await rig.route.modify(order.orderId, { limitPrice: 68_900, quantity: 4 });
    expect(modified.error).toBeUndefined();
    expect(modified.order).toMatchObject({ status: 'accepted', price: 68_900, quantity: 4 });
    const canceled = await rig.route.cancel(order.orderId);
    expect(canceled.error).toBeUndefined();
    expect(canceled.order.status).toBe('canceled');
    await rig.route.reconcile();
    expect(rig.route.order(order.orderId)?.status).toBe('canceled');
  });
});
