// What each order division means in the virtual exchange (README "Order divisions").
import { ORDER_DIVISIONS } from '@qts/order-contract';
import { describe, expect, it } from 'vitest';
import { createVirtualExchange } from './exchange.js';
import type {
  PlaceOrderInput,
  VirtualEvent,
  VirtualExchangeOptions,
  VirtualOrder,
  VirtualResult,
} from './types.js';

// Wednesday 2026-11-25 10:00 KST.
const WED_10_KST = Date.UTC(2026, 10, 25, 1, 0, 0);
const kst = (h: number, m: number) => Date.UTC(2026, 10, 25, h - 9, m, 0);
const A = '00000000-01';
const B = '00000000-02';
const S = '005930';

function setup(options: VirtualExchangeOptions = {}) {
  const time = { now: WED_10_KST };
  const exchange = createVirtualExchange({ clock: () => time.now, ...options });
  const events: VirtualEvent[] = [];
  exchange.onEvent((event) => events.push(event));
  exchange.setReferencePrice(S, 70_000);
  return { exchange, events, time };
}

function booked(result: VirtualResult): VirtualOrder {
  if (!result.ok) throw new Error(`expected ok, got ${result.code} ${result.message}`);
  return result.order;
}

const buy = (input: Partial<PlaceOrderInput>): PlaceOrderInput => ({
  symbol: S,
  side: 'buy',
  type: 'limit',
  quantity: 10,
  ...input,
});

/** Account B holds `quantity` shares and offers them at `price` (a resting sell). */
function restingSell(
  exchange: ReturnType<typeof setup>['exchange'],
  quantity: number,
  price: number,
) {
  booked(exchange.place(B, buy({ quantity, limitPrice: 70_000 })));
  return booked(
    exchange.place(B, { symbol: S, side: 'sell', type: 'limit', quantity, limitPrice: price }),
  );
}

describe('IOC and FOK', () => {
  it('IOC limit fills what rests against it now (at the resting price) and the exchange cancels the rest', () => {
    const { exchange, events } = setup();
    const sell = restingSell(exchange, 3, 70_500);
    events.length = 0;
    const order = booked(exchange.place(A, buy({ division: 'ioc-limit', limitPrice: 70_500 })));
    expect(order).toMatchObject({
      division: 'ioc-limit',
      status: 'canceled',
      filledQuantity: 3,
      averagePrice: 70_500,
      canceledQuantity: 7,
      remainingQuantity: 0,
    });
    expect(exchange.getOrder(sell.orderNo)).toMatchObject({ status: 'filled', filledQuantity: 3 });
    expect(events.map((e) => [e.kind, e.order.orderNo])).toEqual([
      ['receipt', order.orderNo],
      ['fill', order.orderNo],
      ['fill', sell.orderNo],
      ['exchange-cancel', order.orderNo],
    ]);
    expect(events.at(-1)?.order.canceledQuantity).toBe(7);
    expect(exchange.balance(A).positions[0]?.quantity).toBe(3);
  });

  it('IOC limit that crosses nothing is canceled whole; with no sell resting it fills at the reference price when its limit reaches it', () => {
    const { exchange } = setup();
    expect(
      booked(exchange.place(A, buy({ division: 'ioc-limit', limitPrice: 69_000 }))),
    ).toMatchObject({
      status: 'canceled',
      filledQuantity: 0,
      canceledQuantity: 10,
    });
    expect(
      booked(exchange.place(A, buy({ division: 'ioc-limit', limitPrice: 70_000 }))),
    ).toMatchObject({
      status: 'filled',
      filledQuantity: 10,
      averagePrice: 70_000,
    });
  });

  it('FOK fills all now or nothing (then the whole order is canceled)', () => {
    const { exchange, events } = setup();
    const sell = restingSell(exchange, 3, 70_500);
    events.length = 0;
    const killed = booked(exchange.place(A, buy({ division: 'fok-limit', limitPrice: 70_500 })));
    expect(killed).toMatchObject({ status: 'canceled', filledQuantity: 0, canceledQuantity: 10 });
    expect(events.map((e) => e.kind)).toEqual(['receipt', 'exchange-cancel']);
    expect(exchange.getOrder(sell.orderNo)?.remainingQuantity).toBe(3);
    const filled = booked(
      exchange.place(A, buy({ division: 'fok-limit', limitPrice: 70_500, quantity: 3 })),
    );
    expect(filled).toMatchObject({ status: 'filled', filledQuantity: 3, averagePrice: 70_500 });
    expect(
      booked(exchange.place(A, buy({ type: 'market', division: 'fok-market', quantity: 2 }))),
    ).toMatchObject({
      status: 'filled',
      averagePrice: 70_000,
    });
  });

  it('IOC / FOK market take every resting sell level; IOC best only the best level', () => {
    const { exchange } = setup();
    restingSell(exchange, 2, 70_500);
    restingSell(exchange, 2, 71_000);
    const market = booked(
      exchange.place(A, buy({ type: 'market', division: 'ioc-market', quantity: 5 })),
    );
    expect(market).toMatchObject({
      filledQuantity: 4,
      canceledQuantity: 1,
      filledAmount: 2 * 70_500 + 2 * 71_000,
    });
    restingSell(exchange, 2, 70_500);
    restingSell(exchange, 2, 71_000);
    const best = booked(exchange.place(A, buy({ division: 'ioc-best', quantity: 5 })));
    expect(best).toMatchObject({ limitPrice: 70_500, filledQuantity: 2, canceledQuantity: 3 });
    const fokBest = booked(exchange.place(A, buy({ division: 'fok-best', quantity: 3 })));
    expect(fokBest).toMatchObject({ filledQuantity: 0, canceledQuantity: 3 });
  });

  it('an IOC / FOK order cannot be canceled or modified: nothing of it rests', () => {
    const { exchange } = setup();
    const order = booked(exchange.place(A, buy({ division: 'ioc-limit', limitPrice: 69_000 })));
    expect(exchange.cancel(A, order.orderNo)).toMatchObject({
      ok: false,
      reason: 'not-modifiable',
    });
    expect(exchange.modify(A, order.orderNo, { limitPrice: 68_000 })).toMatchObject({
      ok: false,
      reason: 'not-modifiable',
    });
    const resting = booked(exchange.place(A, buy({ limitPrice: 69_000 })));
    expect(exchange.modify(A, resting.orderNo, { division: 'ioc-limit' })).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
  });
});

describe('best, priority, conditional', () => {
  it('best (최유리) takes the best resting sell, else the reference price', () => {
    const { exchange } = setup();
    expect(booked(exchange.place(A, buy({ division: 'best' })))).toMatchObject({
      limitPrice: 70_000,
      status: 'filled',
    });
    restingSell(exchange, 2, 70_500);
    const best = booked(exchange.place(A, buy({ division: 'best', quantity: 1 })));
    // Priced at the best sell; like every crossing order here it fills at the reference price.
    expect(best).toMatchObject({
      division: 'best',
      limitPrice: 70_500,
      status: 'filled',
      averagePrice: 70_000,
    });
  });

  it('priority (최우선) takes the best resting order on its own side, else the reference price', () => {
    const { exchange } = setup();
    booked(exchange.place(B, buy({ limitPrice: 69_000 })));
    booked(exchange.place(B, buy({ limitPrice: 68_000 })));
    const joined = booked(exchange.place(A, buy({ division: 'priority' })));
    expect(joined).toMatchObject({ division: 'priority', limitPrice: 69_000, status: 'open' });
    // A priority order keeps the price the exchange set: a new limit price is refused, a
    // quantity change keeps it.
    expect(exchange.modify(A, joined.orderNo, { limitPrice: 68_000 })).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
    const modified = booked(exchange.modify(A, joined.orderNo, { quantity: 4 }));
    expect(modified).toMatchObject({ division: 'priority', limitPrice: 69_000, quantity: 4 });
    const { exchange: empty } = setup();
    expect(booked(empty.place(A, buy({ division: 'priority' })))).toMatchObject({
      limitPrice: 70_000,
    });
    const { exchange: unpriced } = setup();
    expect(unpriced.place(A, { ...buy({ division: 'priority' }), symbol: '000660' })).toMatchObject(
      {
        ok: false,
        reason: 'no-reference-price',
      },
    );
  });

  it('conditional (조건부지정가) rests and fills as a limit order (the closing-auction conversion is not simulated)', () => {
    const { exchange } = setup();
    const order = booked(exchange.place(A, buy({ division: 'conditional', limitPrice: 69_000 })));
    expect(order).toMatchObject({ division: 'conditional', limitPrice: 69_000, status: 'open' });
    exchange.setReferencePrice(S, 69_000);
    expect(exchange.getOrder(order.orderNo)).toMatchObject({
      status: 'filled',
      averagePrice: 69_000,
    });
  });

  it('a division that takes no limit price refuses one; one that needs it refuses none', () => {
    const { exchange } = setup();
    expect(exchange.place(A, buy({ division: 'best', limitPrice: 70_000 }))).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
    expect(exchange.place(A, buy({ division: 'ioc-limit' }))).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
    expect(exchange.place(A, buy({ type: 'market', division: 'best' }))).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
  });
});

describe('off-hours sessions', () => {
  it('pre- and post-market close trade at the reference price (the close) without a limit price', () => {
    const { exchange } = setup();
    for (const division of ['pre-market-close', 'post-market-close'] as const) {
      expect(booked(exchange.place(A, buy({ division })))).toMatchObject({
        division,
        limitPrice: 70_000,
        status: 'filled',
        averagePrice: 70_000,
      });
    }
  });

  it('after-hours single price needs a limit within 10 % of the reference price', () => {
    const { exchange } = setup();
    for (const price of [62_900, 77_100]) {
      expect(
        exchange.place(A, buy({ division: 'after-hours-single', limitPrice: price })),
        String(price),
      ).toMatchObject({ ok: false, reason: 'invalid-request' });
    }
    expect(
      exchange.place(A, buy({ division: 'after-hours-single', limitPrice: 69_050 })),
    ).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
    expect(
      booked(exchange.place(A, buy({ division: 'after-hours-single', limitPrice: 63_000 }))),
    ).toMatchObject({
      status: 'open',
    });
  });

  it('with session rules, each off-hours division is taken only in its session (ORDER_WINDOWS)', () => {
    const { exchange, time } = setup({ sessionRules: true });
    const cases = [
      ['pre-market-close', kst(8, 35), kst(8, 45)],
      ['post-market-close', kst(15, 45), kst(16, 5)],
      ['after-hours-single', kst(16, 30), kst(15, 50)],
    ] as const;
    for (const [division, inside, outside] of cases) {
      const price = division === 'after-hours-single' ? { limitPrice: 69_000 } : {};
      time.now = outside;
      const refused = exchange.place(A, buy({ division, ...price }));
      expect(refused, `${division} outside`).toMatchObject({
        ok: false,
        code: 'QTSV0403',
        reason: 'outside-session',
      });
      time.now = inside;
      expect(exchange.place(A, buy({ division, ...price })).ok, `${division} inside`).toBe(true);
    }
    // NXT takes only plain limit orders in its after-market; KRX limit orders keep their rule.
    time.now = kst(17, 0);
    expect(exchange.place(A, buy({ division: 'best', venue: 'NXT' }))).toMatchObject({
      reason: 'outside-session',
    });
    expect(exchange.place(A, buy({ limitPrice: 69_000, venue: 'NXT' })).ok).toBe(true);
    expect(exchange.place(A, buy({ limitPrice: 69_000 })).ok).toBe(true);
  });
});

describe('venue and storage', () => {
  it('records the venue (NXT / SOR trade on the same book) and refuses a venue that does not take the division', () => {
    const { exchange } = setup();
    const nxt = booked(exchange.place(A, buy({ limitPrice: 69_000, venue: 'NXT' })));
    const sor = booked(
      exchange.place(A, buy({ division: 'ioc-limit', limitPrice: 70_000, venue: 'SOR' })),
    );
    expect([nxt.venue, sor.venue, sor.status]).toEqual(['NXT', 'SOR', 'filled']);
    expect(exchange.place(A, buy({ type: 'market', venue: 'NXT' }))).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
    const cancel = booked(exchange.cancel(A, nxt.orderNo));
    expect([cancel.venue, cancel.division]).toEqual(['NXT', 'limit']);
  });

  it('every division is stored and returned by inquiries', () => {
    const { exchange } = setup();
    for (const division of ORDER_DIVISIONS) {
      const market = division.endsWith('market') && !division.includes('close');
      const priced = [
        'limit',
        'conditional',
        'after-hours-single',
        'ioc-limit',
        'fok-limit',
      ].includes(division);
      booked(
        exchange.place(
          A,
          buy({
            type: market ? 'market' : 'limit',
            division,
            ...(priced ? { limitPrice: 69_000 } : {}),
            quantity: 1,
          }),
        ),
      );
    }
    expect(exchange.orders(A).map((order) => order.division)).toEqual([...ORDER_DIVISIONS]);
  });
});
