import { describe, expect, it } from 'vitest';
import { VirtualExchangeError } from './errors.js';
import { createVirtualExchange } from './exchange.js';
import type { VirtualEvent, VirtualExchangeOptions, VirtualOrder, VirtualResult } from './types.js';

// Wednesday 2026-11-25 10:00 KST (01:00 UTC): KRX continuous session.
const WED_10_KST = Date.UTC(2026, 10, 25, 1, 0, 0);
const A = '00000000-01';
const S = '005930';

function setup(options: VirtualExchangeOptions = {}) {
  const time = { now: WED_10_KST };
  const exchange = createVirtualExchange({ clock: () => time.now, ...options });
  const events: VirtualEvent[] = [];
  exchange.onEvent((event) => events.push(event));
  return { exchange, events, time };
}

function booked(result: VirtualResult): VirtualOrder {
  if (!result.ok) throw new Error(`expected ok, got ${result.code} ${result.message}`);
  return result.order;
}

const brief = (events: readonly VirtualEvent[]) =>
  events.map((event) => `${event.kind}:${event.order.orderNo}:${event.order.filledQuantity}`);

describe('matching', () => {
  it('fills a market order at the reference price and moves cash and position', () => {
    const { exchange, events } = setup();
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, { symbol: S, side: 'buy', type: 'market', quantity: 3 }),
    );
    expect(order).toMatchObject({
      orderNo: '0000000001',
      branch: '00950',
      kind: 'order',
      status: 'filled',
      filledQuantity: 3,
      averagePrice: 70_000,
      remainingQuantity: 0,
      limitPrice: null,
      tradingDate: '20261125',
    });
    expect(brief(events)).toEqual(['receipt:0000000001:0', 'fill:0000000001:3']);
    expect(events[1]).toMatchObject({ fillQuantity: 3, fillPrice: 70_000 });
    const balance = exchange.balance(A);
    expect(balance.cash).toBe(100_000_000 - 210_000);
    expect(balance.positions).toEqual([
      {
        symbol: S,
        quantity: 3,
        sellableQuantity: 3,
        averagePrice: 70_000,
        lastPrice: 70_000,
        boughtToday: 3,
        soldToday: 0,
      },
    ]);
  });

  it('refuses a market order without a reference price and says how to set one', () => {
    const { exchange, events } = setup();
    const result = exchange.place(A, { symbol: S, side: 'buy', type: 'market', quantity: 1 });
    expect(result).toMatchObject({ ok: false, reason: 'no-reference-price', code: 'QTSV0100' });
    expect(!result.ok && result.message).toContain(`qts virtual price ${S} <KRW>`);
    expect(events).toEqual([]);
    expect(exchange.orders(A)).toEqual([]);
  });

  it('lets the first limit order set the reference price, so it fills at its price', () => {
    const { exchange } = setup();
    const order = booked(
      exchange.place(A, { symbol: S, side: 'buy', type: 'limit', quantity: 2, limitPrice: 65_000 }),
    );
    expect(order).toMatchObject({ status: 'filled', averagePrice: 65_000 });
    expect(exchange.referencePrice(S)).toBe(65_000);
  });

  it('rests a limit buy below the price, holds its cash, and fills when the price crosses', () => {
    const { exchange, events } = setup();
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, {
        symbol: S,
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 69_000,
      }),
    );
    expect(order.status).toBe('open');
    expect(exchange.balance(A)).toMatchObject({
      cash: 100_000_000,
      reservedCash: 690_000,
      orderableCash: 100_000_000 - 690_000,
    });
    expect(exchange.setReferencePrice(S, 69_500)).toEqual([]);
    const filled = exchange.setReferencePrice(S, 68_000);
    expect(filled.map((o) => o.orderNo)).toEqual([order.orderNo]);
    expect(exchange.getOrder(order.orderNo)).toMatchObject({
      status: 'filled',
      averagePrice: 68_000,
      filledAmount: 680_000,
    });
    expect(exchange.balance(A)).toMatchObject({ cash: 100_000_000 - 680_000, reservedCash: 0 });
    expect(brief(events)).toEqual(['receipt:0000000001:0', 'fill:0000000001:10']);
  });

  it('fills a marketable limit buy at the (better) reference price', () => {
    const { exchange } = setup();
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, { symbol: S, side: 'buy', type: 'limit', quantity: 1, limitPrice: 71_000 }),
    );
    expect(order).toMatchObject({ status: 'filled', averagePrice: 70_000 });
  });

  it('rests a limit sell above the price and fills it when the price rises to it', () => {
    const { exchange } = setup();
    exchange.setReferencePrice(S, 70_000);
    booked(exchange.place(A, { symbol: S, side: 'buy', type: 'market', quantity: 5 }));
    const sell = booked(
      exchange.place(A, {
        symbol: S,
        side: 'sell',
        type: 'limit',
        quantity: 4,
        limitPrice: 72_000,
      }),
    );
    expect(sell.status).toBe('open');
    expect(exchange.balance(A).positions[0]).toMatchObject({ quantity: 5, sellableQuantity: 1 });
    exchange.setReferencePrice(S, 72_500);
    expect(exchange.getOrder(sell.orderNo)).toMatchObject({
      status: 'filled',
      averagePrice: 72_500,
    });
    const balance = exchange.balance(A);
    expect(balance.cash).toBe(100_000_000 - 350_000 + 290_000);
    expect(balance.positions[0]).toMatchObject({
      quantity: 1,
      sellableQuantity: 1,
      averagePrice: 70_000,
      soldToday: 4,
      boughtToday: 5,
    });
  });

  it('scripts partial fills with cumulative quantity and average price', () => {
    const { exchange, events } = setup();
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, {
        symbol: S,
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 69_000,
      }),
    );
    exchange.fillPartially(order.orderNo, 3, 69_000);
    const after = exchange.fillPartially(order.orderNo, 2, 68_000);
    expect(after).toMatchObject({
      status: 'partially_filled',
      filledQuantity: 5,
      filledAmount: 3 * 69_000 + 2 * 68_000,
      averagePrice: (3 * 69_000 + 2 * 68_000) / 5,
      remainingQuantity: 5,
    });
    const fills = events.filter((event) => event.kind === 'fill');
    expect(fills.map((e) => [e.fillQuantity, e.fillPrice, e.order.filledQuantity])).toEqual([
      [3, 69_000, 3],
      [2, 68_000, 5],
    ]);
    expect(exchange.balance(A).reservedCash).toBe(5 * 69_000);
    expect(() => exchange.fillPartially(order.orderNo, 6)).toThrow(VirtualExchangeError);
    expect(() => exchange.fillPartially(order.orderNo, 1, 69_100)).toThrow(/cannot fill at/);
    expect(() => exchange.fillPartially('9999999999', 1)).toThrow(/No order/);
  });
});

describe('cancel and modify', () => {
  it('cancels the remainder with a cancel order of its own number, linked to the original', () => {
    const { exchange, events } = setup();
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, {
        symbol: S,
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 69_000,
      }),
    );
    exchange.fillPartially(order.orderNo, 4);
    const cancel = booked(exchange.cancel(A, order.orderNo));
    expect(cancel).toMatchObject({
      orderNo: '0000000002',
      kind: 'cancel',
      originalOrderNo: order.orderNo,
      quantity: 6,
      status: 'canceled',
    });
    expect(exchange.getOrder(order.orderNo)).toMatchObject({
      status: 'canceled',
      filledQuantity: 4,
      canceledQuantity: 6,
      remainingQuantity: 0,
    });
    expect(exchange.balance(A).reservedCash).toBe(0);
    const last = events.at(-1);
    expect(last).toMatchObject({ kind: 'cancel', order: { orderNo: '0000000002' } });
    expect(last?.originalOrder?.orderNo).toBe(order.orderNo);
    expect(exchange.cancel(A, order.orderNo)).toMatchObject({
      ok: false,
      reason: 'not-modifiable',
    });
    expect(exchange.cancel(A, '0000000077')).toMatchObject({
      ok: false,
      reason: 'order-not-found',
      code: 'QTSV0404',
    });
  });

  it('cancels part of the remainder and never another account’s order', () => {
    const { exchange } = setup();
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, {
        symbol: S,
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 69_000,
      }),
    );
    expect(exchange.cancel('99999999-01', order.orderNo)).toMatchObject({
      ok: false,
      reason: 'order-not-found',
    });
    booked(exchange.cancel(A, order.orderNo, 3));
    expect(exchange.getOrder(order.orderNo)).toMatchObject({
      status: 'open',
      remainingQuantity: 7,
      canceledQuantity: 3,
    });
    expect(exchange.cancel(A, order.orderNo, 8)).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
  });

  it('modifies the remainder into a new order number that can fill at the new price', () => {
    const { exchange, events } = setup();
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, {
        symbol: S,
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 69_000,
      }),
    );
    exchange.fillPartially(order.orderNo, 2);
    const modify = booked(exchange.modify(A, order.orderNo, { limitPrice: 69_500 }));
    expect(modify).toMatchObject({
      kind: 'modify',
      originalOrderNo: order.orderNo,
      quantity: 8,
      remainingQuantity: 8,
      limitPrice: 69_500,
      status: 'open',
    });
    expect(exchange.getOrder(order.orderNo)).toMatchObject({
      remainingQuantity: 0,
      modifiedQuantity: 8,
      filledQuantity: 2,
    });
    expect(exchange.balance(A).reservedCash).toBe(8 * 69_500);
    expect(events.at(-1)).toMatchObject({ kind: 'modify', order: { orderNo: modify.orderNo } });
    const crossed = booked(exchange.modify(A, modify.orderNo, { limitPrice: 70_000, quantity: 5 }));
    expect(crossed).toMatchObject({ status: 'filled', quantity: 5, averagePrice: 70_000 });
    expect(exchange.getOrder(modify.orderNo)).toMatchObject({ remainingQuantity: 3 });
    const rest = booked(
      exchange.modify(A, modify.orderNo, { limitPrice: 69_000, quantity: 1, rest: 'cancel' }),
    );
    expect(rest.remainingQuantity).toBe(1);
    expect(exchange.getOrder(modify.orderNo)).toMatchObject({
      remainingQuantity: 0,
      canceledQuantity: 2,
      modifiedQuantity: 6,
    });
  });

  it('refuses a modify that needs more cash than is orderable, or a price off the tick', () => {
    const { exchange } = setup({ startingCash: 1_000_000 });
    exchange.setReferencePrice(S, 100_000);
    const order = booked(
      exchange.place(A, {
        symbol: S,
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 90_000,
      }),
    );
    expect(exchange.modify(A, order.orderNo, { limitPrice: 100_500 })).toMatchObject({
      ok: false,
      code: 'APBK0952',
    });
    expect(exchange.modify(A, order.orderNo, { limitPrice: 90_050 })).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
    expect(exchange.getOrder(order.orderNo)?.remainingQuantity).toBe(10);
  });
});

describe('rejections', () => {
  it('refuses a buy beyond the orderable cash with APBK0952, verbatim', () => {
    const { exchange, events } = setup({ startingCash: 1_000_000 });
    exchange.setReferencePrice(S, 70_000);
    booked(
      exchange.place(A, {
        symbol: S,
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 60_000,
      }),
    );
    const result = exchange.place(A, { symbol: S, side: 'buy', type: 'market', quantity: 6 });
    expect(result).toEqual({
      ok: false,
      reason: 'insufficient-funds',
      code: 'APBK0952',
      message: '주문가능금액을 초과 했습니다',
    });
    expect(events.map((e) => e.kind)).toEqual(['receipt']);
  });

  it('refuses a sell beyond the sellable holdings', () => {
    const { exchange } = setup();
    exchange.setReferencePrice(S, 70_000);
    expect(
      exchange.place(A, { symbol: S, side: 'sell', type: 'market', quantity: 1 }),
    ).toMatchObject({ ok: false, reason: 'insufficient-holdings' });
    booked(exchange.place(A, { symbol: S, side: 'buy', type: 'market', quantity: 2 }));
    booked(
      exchange.place(A, {
        symbol: S,
        side: 'sell',
        type: 'limit',
        quantity: 2,
        limitPrice: 80_000,
      }),
    );
    expect(
      exchange.place(A, { symbol: S, side: 'sell', type: 'market', quantity: 1 }),
    ).toMatchObject({ ok: false, reason: 'insufficient-holdings' });
  });

  it('refuses orders breaking the KRX rules', () => {
    const { exchange } = setup();
    for (const input of [
      { symbol: S, side: 'buy', type: 'limit', quantity: 1, limitPrice: 70_050 },
      { symbol: 'ABC12', side: 'buy', type: 'limit', quantity: 1, limitPrice: 70_000 },
      { symbol: S, side: 'buy', type: 'limit', quantity: 0, limitPrice: 70_000 },
      { symbol: S, side: 'buy', type: 'market', quantity: 1, limitPrice: 70_000 },
    ] as const) {
      expect(exchange.place(A, input)).toMatchObject({ ok: false, reason: 'invalid-request' });
    }
    expect(exchange.orders(A)).toEqual([]);
  });

  it('refuses orders while KRX is closed only when session rules are on', () => {
    const night = Date.UTC(2026, 10, 25, 12, 0, 0); // 21:00 KST
    const early = Date.UTC(2026, 10, 24, 22, 0, 0); // 07:00 KST
    const input = {
      symbol: S,
      side: 'buy',
      type: 'limit',
      quantity: 1,
      limitPrice: 70_000,
    } as const;
    const off = setup();
    off.time.now = night;
    expect(off.exchange.place(A, input).ok).toBe(true);
    const on = setup({ sessionRules: true });
    on.time.now = night;
    expect(on.exchange.place(A, input)).toMatchObject({
      ok: false,
      reason: 'market-closed',
      code: '40580000',
    });
    on.time.now = early;
    expect(on.exchange.place(A, input)).toMatchObject({ ok: false, code: '40570000' });
    on.time.now = Date.UTC(2026, 10, 28, 1, 0, 0); // Saturday 10:00 KST
    expect(on.exchange.place(A, input)).toMatchObject({ ok: false, reason: 'market-closed' });
    on.time.now = WED_10_KST;
    expect(on.exchange.place(A, input).ok).toBe(true);
  });

  it('rejects a resting order after receipt when scripted, with a reject event', () => {
    const { exchange, events } = setup();
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, {
        symbol: S,
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 69_000,
      }),
    );
    const rejected = exchange.rejectOrder(order.orderNo, 'XX0001', '거부');
    expect(rejected).toMatchObject({
      status: 'rejected',
      rejectedQuantity: 10,
      rejectCode: 'XX0001',
      rejectMessage: '거부',
    });
    expect(events.at(-1)).toMatchObject({ kind: 'reject', code: 'XX0001', message: '거부' });
    expect(exchange.balance(A).reservedCash).toBe(0);
  });
});

describe('dates, numbers and events', () => {
  it('books on the Seoul date of the clock and lists orders per trading date', () => {
    const { exchange, time } = setup();
    time.now = Date.UTC(2026, 10, 25, 15, 30, 0); // 00:30 KST on the 26th
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, { symbol: S, side: 'buy', type: 'limit', quantity: 1, limitPrice: 60_000 }),
    );
    expect(order.tradingDate).toBe('20261126');
    expect(exchange.tradingDate()).toBe('20261126');
    expect(exchange.orders(A, { tradingDate: '20261125' })).toEqual([]);
    expect(exchange.orders(A).map((o) => o.orderNo)).toEqual([order.orderNo]);
    expect(exchange.orders(A, { openOnly: true, symbol: S }).length).toBe(1);
    expect(exchange.orders(A, { orderNo: '0000000999' })).toEqual([]);
  });

  it('expires a day order that is still open on a later trading date', () => {
    const { exchange, time } = setup();
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, { symbol: S, side: 'buy', type: 'limit', quantity: 3, limitPrice: 60_000 }),
    );
    time.now += 24 * 60 * 60 * 1000;
    expect(exchange.balance(A).reservedCash).toBe(0);
    expect(exchange.orders(A, { tradingDate: '20261125' })[0]).toMatchObject({
      orderNo: order.orderNo,
      status: 'canceled',
      canceledQuantity: 3,
    });
  });

  it('uses the injected id generator', () => {
    let n = 500;
    const { exchange } = setup({
      ids: () => {
        n += 1;
        return `X${n}`;
      },
    });
    exchange.setReferencePrice(S, 70_000);
    const order = booked(
      exchange.place(A, { symbol: S, side: 'buy', type: 'limit', quantity: 1, limitPrice: 60_000 }),
    );
    expect(order.orderNo).toBe('X501');
    expect(booked(exchange.cancel(A, 'X501')).orderNo).toBe('X502');
  });

  it('replays the last event and ignores throwing listeners; unsubscribe stops delivery', () => {
    const { exchange, events } = setup();
    expect(exchange.replayLastEvent()).toBe(false);
    const stop = exchange.onEvent(() => {
      throw new Error('listener bug');
    });
    exchange.setReferencePrice(S, 70_000);
    booked(exchange.place(A, { symbol: S, side: 'buy', type: 'market', quantity: 1 }));
    expect(exchange.replayLastEvent()).toBe(true);
    expect(brief(events)).toEqual([
      'receipt:0000000001:0',
      'fill:0000000001:1',
      'fill:0000000001:1',
    ]);
    expect(events[2]).toBe(events[1]);
    stop();
    exchange.close();
    exchange.close();
    expect(() => exchange.balance(A)).toThrow(/closed/);
  });
});

describe('event order', () => {
  it('keeps events in order when a listener calls the exchange from inside a notice', () => {
    const { exchange } = setup();
    exchange.setReferencePrice(S, 70_000);
    const seen: string[][] = [[], []];
    exchange.onEvent((event) => {
      seen[0]?.push(`${event.kind}:${event.order.orderNo}`);
      if (event.kind === 'receipt' && event.order.orderNo === '0000000001') {
        exchange.place(A, { symbol: S, side: 'buy', type: 'market', quantity: 1 });
      }
    });
    exchange.onEvent((event) => seen[1]?.push(`${event.kind}:${event.order.orderNo}`));
    booked(exchange.place(A, { symbol: S, side: 'buy', type: 'market', quantity: 1 }));
    const expected = [
      'receipt:0000000001',
      'fill:0000000001',
      'receipt:0000000002',
      'fill:0000000002',
    ];
    expect(seen).toEqual([expected, expected]);
  });
});

describe('fault queues', () => {
  it('hands out scripted faults FIFO per operation and counts requests that arrived', () => {
    const { exchange } = setup();
    const { faults } = exchange;
    faults.next('place', { kind: 'refuse-connection' });
    faults.next('place', {
      kind: 'reject',
      code: 'APBK0952',
      message: '주문가능금액을 초과 했습니다',
    });
    faults.next('place', { kind: 'delay', ms: 5 }, 2);
    faults.next('cancel', { kind: 'never-answer' });
    faults.nextNotice('drop');
    faults.nextNotice('duplicate');
    expect(faults.pending().length).toBe(7);
    expect(faults.take('place')).toEqual({ kind: 'refuse-connection' });
    expect(faults.requestCount('place')).toBe(0);
    expect(faults.take('place')).toMatchObject({ kind: 'reject', code: 'APBK0952' });
    expect(faults.take('place')).toEqual({ kind: 'delay', ms: 5 });
    expect(faults.take('place')).toEqual({ kind: 'delay', ms: 5 });
    expect(faults.take('place')).toBeNull();
    expect(faults.requestCount('place')).toBe(4);
    expect(faults.take('modify')).toBeNull();
    expect(faults.take('cancel')).toEqual({ kind: 'never-answer' });
    expect(faults.takeNotice()).toBe('drop');
    expect(faults.takeNotice()).toBe('duplicate');
    expect(faults.takeNotice()).toBeNull();
    faults.next('inquiry', { kind: 'reset-after-accept' });
    faults.clear();
    expect(faults.pending()).toEqual([]);
    expect(() => faults.next('place', { kind: 'delay', ms: -1 })).toThrow(RangeError);
    expect(() => faults.next('place', { kind: 'never-answer' }, 0)).toThrow(RangeError);
  });
});
