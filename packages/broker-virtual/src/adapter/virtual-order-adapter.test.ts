import {
  BalanceSchema,
  BrokerOrderSchema,
  ORDER_DIVISIONS,
  type OrderEvent,
  OrderEventSchema,
  type OrderRequest,
  QtsError,
  QuoteSchema,
} from '@qts/order-contract';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { createVirtualExchange } from '../core/exchange.js';
import type { VirtualExchangeOptions } from '../core/types.js';
import { createVirtualOrderAdapter, isoSeoul } from './virtual-order-adapter.js';

const WED_10_KST = Date.UTC(2026, 10, 25, 1, 0, 0);
const TODAY = '20261125';
const S = '005930';
let sequence = 0;

function buy(overrides: Partial<OrderRequest> = {}): OrderRequest {
  sequence += 1;
  return {
    clientOrderId: `test-${sequence}`,
    symbol: S,
    side: 'buy',
    quantity: 10,
    type: 'limit',
    limitPrice: 69_000,
    ...overrides,
  };
}

function setup(options: VirtualExchangeOptions = {}) {
  const exchange = createVirtualExchange({ clock: () => WED_10_KST, ...options });
  exchange.setReferencePrice(S, 70_000);
  const adapter = createVirtualOrderAdapter({ exchange });
  return { exchange, adapter };
}

async function failure(promise: Promise<unknown>): Promise<QtsError> {
  try {
    await promise;
  } catch (error) {
    if (QtsError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('VirtualOrderAdapter basics', () => {
  it('implements contract v1 with every capability and its own in-memory exchange', async () => {
    const adapter = createVirtualOrderAdapter();
    expect(adapter.specificationVersion).toBe('v1');
    expect(adapter.name).toBe('virtual');
    expect(Object.values(adapter.capabilities).every(Boolean)).toBe(true);
    expect(adapter.account).toBe('00000000-01');
    expect(adapter.exchange.file).toBeNull();
    await adapter.close();
    await adapter.close();
    expect(() => adapter.exchange.balance('00000000-01')).toThrow(/closed/);
    const error = await failure(adapter.placeOrder(buy()));
    expect(error).toMatchObject({ code: 'ROUTE_UNAVAILABLE', outcome: 'not_placed' });
  });

  it('places, lists (schema-valid BrokerOrders) and filters by order number and openness', async () => {
    const { adapter, exchange } = setup();
    const ack = await adapter.placeOrder(buy());
    expect(ack).toEqual({
      brokerOrderId: '0000000001',
      brokerBranch: '00950',
      originalBrokerOrderId: null,
      acceptedAt: '2026-11-25T10:00:00.000+09:00',
      tradingDate: TODAY,
      brokerCode: null,
      brokerMessage: null,
    });
    await adapter.placeOrder(buy({ type: 'market', limitPrice: null, quantity: 1 }));
    const orders = await adapter.getOrders({ tradingDate: TODAY });
    expect(orders.length).toBe(2);
    for (const order of orders) expect(v.safeParse(BrokerOrderSchema, order).success).toBe(true);
    expect(orders[1]).toMatchObject({ status: 'filled', averagePrice: 70_000, limitPrice: null });
    expect(await adapter.getOrders({ tradingDate: TODAY, openOnly: true })).toHaveLength(1);
    expect(
      await adapter.getOrders({ tradingDate: TODAY, brokerOrderId: ack.brokerOrderId }),
    ).toHaveLength(1);
    expect(await adapter.getOrders({ tradingDate: '20261124' })).toEqual([]);
    await expect(adapter.getOrders({ tradingDate: '2026-11-25' })).rejects.toMatchObject({
      code: 'INVALID_ORDER',
    });
    await adapter.close();
    exchange.close();
  });

  it('validates before anything reaches the exchange', async () => {
    const { adapter, exchange } = setup();
    for (const bad of [{ quantity: 0 }, { limitPrice: 69_050 }, { symbol: 'abc' }]) {
      const error = await failure(adapter.placeOrder(buy(bad)));
      expect(error).toMatchObject({ name: 'InvalidOrderError', outcome: 'not_placed' });
    }
    expect(exchange.faults.requestCount('place')).toBe(0);
    expect(exchange.orders(adapter.account)).toEqual([]);
  });

  it('cancels and modifies with their own numbers linked to the original', async () => {
    const { adapter } = setup();
    const request = buy();
    const ack = await adapter.placeOrder(request);
    const ref = {
      brokerOrderId: ack.brokerOrderId,
      brokerBranch: ack.brokerBranch,
      symbol: S,
      side: 'buy' as const,
      type: 'limit' as const,
      quantity: 10,
      limitPrice: 69_000,
      tradingDate: TODAY,
    };
    const modified = await adapter.modifyOrder(ref, { limitPrice: 69_500, quantity: 6 });
    expect(modified).toMatchObject({ originalBrokerOrderId: ack.brokerOrderId });
    expect(modified.brokerOrderId).not.toBe(ack.brokerOrderId);
    const orders = await adapter.getOrders({ tradingDate: TODAY });
    expect(orders.map((o) => [o.kind, o.remainingQuantity, o.canceledQuantity])).toEqual([
      ['order', 0, 4],
      ['modify', 6, 0],
    ]);
    expect(orders[1]).toMatchObject({
      limitPrice: 69_500,
      originalBrokerOrderId: ack.brokerOrderId,
    });
    const canceled = await adapter.cancelOrder({ ...ref, brokerOrderId: modified.brokerOrderId });
    expect(canceled.originalBrokerOrderId).toBe(modified.brokerOrderId);
    const after = await adapter.getOrders({ tradingDate: TODAY, openOnly: true });
    expect(after).toEqual([]);
    await expect(adapter.modifyOrder(ref, {})).rejects.toMatchObject({ code: 'INVALID_ORDER' });
    await expect(adapter.modifyOrder(ref, { limitPrice: 69_550 })).rejects.toMatchObject({
      code: 'INVALID_ORDER',
    });
    await expect(
      adapter.cancelOrder({ ...ref, brokerOrderId: '0000000099' }),
    ).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND', brokerCode: 'QTSV0404' });
    await expect(adapter.cancelOrder(ref)).rejects.toMatchObject({
      code: 'ORDER_NOT_OPEN',
      brokerCode: 'QTSV0409',
      details: expect.objectContaining({ remainingQuantity: 0 }),
    });
  });

  it('trades an ETF on its 5 KRW tick, for the order and its modify', async () => {
    const { adapter, exchange } = setup();
    exchange.setReferencePrice('069500', 10_100);
    const etf = buy({ symbol: '069500', productType: 'etf', limitPrice: 10_005, quantity: 1 });
    const ack = await adapter.placeOrder(etf);
    expect(exchange.getOrder(ack.brokerOrderId)).toMatchObject({
      productType: 'etf',
      status: 'open',
    });
    const ref = {
      brokerOrderId: ack.brokerOrderId,
      brokerBranch: ack.brokerBranch,
      symbol: '069500',
      side: 'buy' as const,
      type: 'limit' as const,
      quantity: 1,
      limitPrice: 10_005,
      tradingDate: TODAY,
    };
    const modified = await adapter.modifyOrder(ref, { limitPrice: 10_015 });
    expect(exchange.getOrder(modified.brokerOrderId)).toMatchObject({
      productType: 'etf',
      limitPrice: 10_015,
    });
    // As a stock, 10,005 is off the 10 KRW tick.
    await expect(
      adapter.placeOrder(buy({ symbol: '069500', limitPrice: 10_005 })),
    ).rejects.toMatchObject({
      code: 'INVALID_ORDER',
    });
  });

  it('quotes the reference price with the day limits ±30 % of it on the tick', async () => {
    const { adapter, exchange } = setup();
    expect(adapter.capabilities.quote).toBe(true);
    const quote = await adapter.getQuote(S);
    expect(v.safeParse(QuoteSchema, quote).success).toBe(true);
    expect(quote).toEqual({
      symbol: S,
      price: 70_000,
      upperLimit: 91_000,
      lowerLimit: 49_000,
      basePrice: 70_000,
    });
    exchange.setReferencePrice(S, 12_345);
    expect(await adapter.getQuote(S)).toMatchObject({ upperLimit: 16_040, lowerLimit: 8_650 });
    // No reference price: refused with the way to set one; a bad symbol: invalid, nothing asked.
    const none = await failure(adapter.getQuote('000660'));
    expect(none).toMatchObject({ code: 'BROKER_REJECTED', brokerCode: 'no-reference-price' });
    expect(none.message).toContain('qts virtual price 000660');
    expect((await failure(adapter.getQuote('abc'))).code).toBe('INVALID_ORDER');
  });

  it('reports the balance in the contract shape', async () => {
    const { adapter } = setup();
    await adapter.placeOrder(buy({ type: 'market', limitPrice: null, quantity: 2 }));
    await adapter.placeOrder(buy({ quantity: 1 }));
    const balance = await adapter.getBalance();
    expect(v.safeParse(BalanceSchema, balance).success).toBe(true);
    expect(balance).toEqual({
      cash: {
        currency: 'KRW',
        deposit: 100_000_000 - 140_000,
        orderable: 100_000_000 - 140_000 - 69_000,
        totalValue: 100_000_000,
      },
      positions: [
        {
          symbol: S,
          name: null,
          quantity: 2,
          sellableQuantity: 2,
          averagePrice: 70_000,
          currentPrice: 70_000,
          marketValue: 140_000,
        },
      ],
    });
  });
});

describe('VirtualOrderAdapter rejections', () => {
  it('maps each exchange refusal to its contract code, keeping code and message verbatim', async () => {
    const { adapter } = setup({ startingCash: 500_000 });
    const funds = await failure(adapter.placeOrder(buy()));
    expect(funds).toMatchObject({
      name: 'BrokerRejectedError',
      code: 'INSUFFICIENT_FUNDS',
      outcome: 'rejected',
      brokerCode: 'APBK0952',
      brokerMessage: '주문가능금액을 초과 했습니다',
    });
    const holdings = await failure(adapter.placeOrder(buy({ side: 'sell' })));
    expect(holdings.code).toBe('INSUFFICIENT_HOLDINGS');
    const noPrice = await failure(
      adapter.placeOrder(buy({ symbol: '000660', type: 'market', limitPrice: null, quantity: 1 })),
    );
    expect(noPrice).toMatchObject({ code: 'BROKER_REJECTED', brokerCode: 'QTSV0100' });
    expect(noPrice.brokerMessage).toContain('qts virtual price 000660 <KRW>');
  });

  it('maps a closed market to MARKET_CLOSED when session rules are on', async () => {
    const exchange = createVirtualExchange({
      clock: () => Date.UTC(2026, 10, 25, 12, 0, 0),
      sessionRules: true,
    });
    const adapter = createVirtualOrderAdapter({ exchange });
    const error = await failure(adapter.placeOrder(buy()));
    expect(error).toMatchObject({ code: 'MARKET_CLOSED', brokerCode: '40580000' });
  });
});

describe('VirtualOrderAdapter faults', () => {
  it('a scripted reject keeps the code; known KIS codes get their contract code', async () => {
    const { adapter, exchange } = setup();
    exchange.faults.next('place', { kind: 'reject', code: 'ZZZZ0001', message: '알 수 없음' });
    exchange.faults.next('place', {
      kind: 'reject',
      code: 'EGW00201',
      message: '초당 거래건수를 초과하였습니다.',
    });
    expect(await failure(adapter.placeOrder(buy()))).toMatchObject({
      code: 'BROKER_REJECTED',
      brokerCode: 'ZZZZ0001',
      brokerMessage: '알 수 없음',
    });
    expect(await failure(adapter.placeOrder(buy()))).toMatchObject({ code: 'RATE_LIMITED' });
    expect(exchange.orders(adapter.account)).toEqual([]);
    expect(exchange.faults.requestCount('place')).toBe(2);
  });

  it('never-answer and reset-after-accept book the order but raise OutcomeUnknownError', async () => {
    const { adapter, exchange } = setup();
    exchange.faults.next('place', { kind: 'never-answer' });
    exchange.faults.next('place', { kind: 'reset-after-accept' });
    for (let i = 0; i < 2; i += 1) {
      const error = await failure(adapter.placeOrder(buy()));
      expect(error).toMatchObject({
        name: 'OutcomeUnknownError',
        code: 'OUTCOME_UNKNOWN',
        outcome: 'unknown',
      });
    }
    expect(exchange.orders(adapter.account)).toHaveLength(2);
    const ack = await adapter.placeOrder(buy());
    exchange.faults.next('cancel', { kind: 'never-answer' });
    const ref = {
      brokerOrderId: ack.brokerOrderId,
      brokerBranch: ack.brokerBranch,
      symbol: S,
      side: 'buy' as const,
      type: 'limit' as const,
      quantity: 10,
      limitPrice: 69_000,
      tradingDate: TODAY,
    };
    expect((await failure(adapter.cancelOrder(ref))).outcome).toBe('unknown');
    expect(exchange.getOrder(ack.brokerOrderId)?.status).toBe('canceled');
  });

  it('a refused connection books nothing and raises RouteUnavailableError', async () => {
    const { adapter, exchange } = setup();
    for (const operation of ['place', 'inquiry', 'balance', 'connect'] as const) {
      exchange.faults.next(operation, { kind: 'refuse-connection' });
    }
    expect(await failure(adapter.placeOrder(buy()))).toMatchObject({
      name: 'RouteUnavailableError',
      outcome: 'not_placed',
    });
    expect(exchange.orders(adapter.account)).toEqual([]);
    expect((await failure(adapter.getOrders({ tradingDate: TODAY }))).code).toBe(
      'ROUTE_UNAVAILABLE',
    );
    expect((await failure(adapter.getBalance())).code).toBe('ROUTE_UNAVAILABLE');
    expect((await failure(adapter.subscribe(() => {}))).code).toBe('ROUTE_UNAVAILABLE');
    expect(exchange.faults.requestCount('place')).toBe(0);
  });

  it('a delay answers later; an abort before sending (or during the delay) books nothing', async () => {
    const { adapter, exchange } = setup();
    exchange.faults.next('place', { kind: 'delay', ms: 5 });
    await expect(adapter.placeOrder(buy())).resolves.toMatchObject({ brokerOrderId: '0000000001' });
    const aborted = new AbortController();
    aborted.abort();
    expect(await failure(adapter.placeOrder(buy(), { signal: aborted.signal }))).toMatchObject({
      code: 'ABORTED',
      outcome: 'not_placed',
    });
    exchange.faults.next('place', { kind: 'delay', ms: 10_000 });
    const during = new AbortController();
    const pending = adapter.placeOrder(buy(), { signal: during.signal });
    during.abort();
    expect(await failure(pending)).toMatchObject({ code: 'ABORTED' });
    expect(exchange.orders(adapter.account)).toHaveLength(1);
  });
});

describe('VirtualOrderAdapter notices', () => {
  it('delivers schema-valid events with cumulative fills, for its own account only', async () => {
    const { adapter, exchange } = setup();
    const events: OrderEvent[] = [];
    const unsubscribe = await adapter.subscribe((event) => events.push(event));
    const ack = await adapter.placeOrder(buy());
    exchange.fillPartially(ack.brokerOrderId, 3, 69_000);
    exchange.fillPartially(ack.brokerOrderId, 2, 68_000);
    exchange.place('11111111-01', { symbol: S, side: 'buy', type: 'market', quantity: 1 });
    const modify = await adapter.modifyOrder(
      {
        brokerOrderId: ack.brokerOrderId,
        brokerBranch: ack.brokerBranch,
        symbol: S,
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 69_000,
        tradingDate: TODAY,
      },
      { limitPrice: 68_500 },
    );
    exchange.rejectOrder(modify.brokerOrderId, 'QTSV0500', '거부');
    for (const event of events) expect(v.safeParse(OrderEventSchema, event).success).toBe(true);
    expect(events.map((event) => event.type)).toEqual([
      'order-accepted',
      'order-filled',
      'order-filled',
      'order-modified',
      'order-rejected',
    ]);
    expect(events[2]).toMatchObject({
      filledQuantity: 5,
      averagePrice: (3 * 69_000 + 2 * 68_000) / 5,
      lastQuantity: 2,
      lastPrice: 68_000,
      source: 'notice',
      at: isoSeoul(WED_10_KST),
    });
    expect(events[3]).toMatchObject({
      brokerOrderId: ack.brokerOrderId,
      newBrokerOrderId: modify.brokerOrderId,
      quantity: 5,
      limitPrice: 68_500,
    });
    expect(events[4]).toMatchObject({ brokerCode: 'QTSV0500', brokerMessage: '거부' });
    await unsubscribe();
    await unsubscribe();
    exchange.place(adapter.account, { symbol: S, side: 'buy', type: 'market', quantity: 1 });
    expect(events).toHaveLength(5);
  });

  it('a dropped notice is lost; a duplicated one re-delivers the same cumulative values', async () => {
    const { adapter, exchange } = setup();
    const events: OrderEvent[] = [];
    await adapter.subscribe((event) => events.push(event));
    await adapter.subscribe(() => {
      throw new Error('a listener bug is ignored');
    });
    const ack = await adapter.placeOrder(buy());
    exchange.faults.nextNotice('drop');
    exchange.fillPartially(ack.brokerOrderId, 1, 69_000);
    exchange.faults.nextNotice('duplicate');
    exchange.fillPartially(ack.brokerOrderId, 2, 69_000);
    const fills = events.filter((event) => event.type === 'order-filled');
    expect(fills.map((event) => event.type === 'order-filled' && event.filledQuantity)).toEqual([
      3, 3,
    ]);
    expect(fills[0]).toEqual(fills[1]);
    const cancel = await adapter.cancelOrder({
      brokerOrderId: ack.brokerOrderId,
      brokerBranch: ack.brokerBranch,
      symbol: S,
      side: 'buy',
      type: 'limit',
      quantity: 10,
      limitPrice: 69_000,
      tradingDate: TODAY,
    });
    expect(events.at(-1)).toMatchObject({
      type: 'order-canceled',
      brokerOrderId: ack.brokerOrderId,
      cancelBrokerOrderId: cancel.brokerOrderId,
      canceledQuantity: 7,
    });
    await adapter.close();
  });
});

describe('VirtualOrderAdapter order divisions and venues', () => {
  it('declares every division at every venue', () => {
    const { adapter } = setup();
    expect(adapter.capabilities.orderOptions).toEqual({
      divisions: [...ORDER_DIVISIONS],
      venues: ['KRX', 'NXT', 'SOR'],
    });
  });

  it('sends the division and venue and returns them from getOrders (absent fields for a plain limit on KRX)', async () => {
    const { adapter } = setup();
    const plain = await adapter.placeOrder(buy());
    const conditional = await adapter.placeOrder(
      buy({ priceCondition: 'conditional', venue: 'KRX' }),
    );
    const best = await adapter.placeOrder(
      buy({ priceCondition: 'best', limitPrice: null, venue: 'NXT' }),
    );
    const single = await adapter.placeOrder(buy({ session: 'single' }));
    const orders = await adapter.getOrders({ tradingDate: TODAY });
    for (const order of orders) expect(v.safeParse(BrokerOrderSchema, order).success).toBe(true);
    const byId = new Map(orders.map((order) => [order.brokerOrderId, order]));
    const fields = (id: string) => {
      const order = byId.get(id);
      return {
        priceCondition: order?.priceCondition,
        executionCondition: order?.executionCondition,
        session: order?.session,
        venue: order?.venue,
      };
    };
    expect(fields(plain.brokerOrderId)).toEqual({
      priceCondition: undefined,
      executionCondition: undefined,
      session: undefined,
      venue: undefined,
    });
    expect(fields(conditional.brokerOrderId).priceCondition).toBe('conditional');
    expect(fields(best.brokerOrderId)).toMatchObject({ priceCondition: 'best', venue: 'NXT' });
    expect(fields(single.brokerOrderId).session).toBe('single');
    await adapter.close();
  });

  it('an IOC remainder the exchange cancels reaches a subscriber as order-canceled without a cancel order', async () => {
    const { adapter } = setup();
    const events: OrderEvent[] = [];
    await adapter.subscribe((event) => events.push(event));
    const ack = await adapter.placeOrder(buy({ executionCondition: 'ioc' }));
    expect(events.map((event) => event.type)).toEqual(['order-accepted', 'order-canceled']);
    expect(events[1]).toMatchObject({
      brokerOrderId: ack.brokerOrderId,
      cancelBrokerOrderId: null,
      canceledQuantity: 10,
    });
    for (const event of events) expect(v.safeParse(OrderEventSchema, event).success).toBe(true);
    const [order] = await adapter.getOrders({
      tradingDate: TODAY,
      brokerOrderId: ack.brokerOrderId,
    });
    expect(order).toMatchObject({
      status: 'canceled',
      canceledQuantity: 10,
      remainingQuantity: 0,
      executionCondition: 'ioc',
    });
    await adapter.close();
  });

  it('refuses before sending a cancel of an IOC order and a new price for an exchange-priced order', async () => {
    const { adapter, exchange } = setup();
    const ioc = await adapter.placeOrder(buy({ executionCondition: 'fok' }));
    const ref = {
      brokerOrderId: ioc.brokerOrderId,
      brokerBranch: ioc.brokerBranch,
      symbol: S,
      side: 'buy' as const,
      type: 'limit' as const,
      quantity: 10,
      limitPrice: 69_000,
      tradingDate: TODAY,
      executionCondition: 'fok' as const,
    };
    const before = exchange.faults.requestCount('cancel');
    const canceled = await failure(adapter.cancelOrder(ref));
    expect([canceled.name, canceled.code]).toEqual(['InvalidOrderError', 'INVALID_ORDER']);
    expect(exchange.faults.requestCount('cancel')).toBe(before);
    exchange.place('00000000-09', {
      symbol: S,
      side: 'buy',
      type: 'limit',
      quantity: 1,
      limitPrice: 68_000,
    });
    const priority = await adapter.placeOrder(
      buy({ priceCondition: 'priority', limitPrice: null }),
    );
    const priorityRef = {
      ...ref,
      brokerOrderId: priority.brokerOrderId,
      executionCondition: undefined,
      priceCondition: 'priority' as const,
      limitPrice: 68_000,
    };
    const modified = await failure(adapter.modifyOrder(priorityRef, { limitPrice: 67_000 }));
    expect(modified.name).toBe('InvalidOrderError');
    expect(exchange.faults.requestCount('modify')).toBe(0);
    await adapter.modifyOrder(priorityRef, { quantity: 4 });
    const open = await adapter.getOrders({ tradingDate: TODAY, openOnly: true });
    expect(open.find((order) => order.kind === 'modify')).toMatchObject({
      priceCondition: 'priority',
      limitPrice: 68_000,
      remainingQuantity: 4,
    });
    await adapter.close();
  });
});
