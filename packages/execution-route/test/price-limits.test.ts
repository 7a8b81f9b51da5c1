// The day's price check before a limit order is journaled or sent: refused outside the band,
// accepted at its limits, and an order that goes on unchecked when the quote cannot be had.
import { createVirtualExchange, createVirtualOrderAdapter } from '@qts/broker-virtual';
import type { OrderAdapter, Quote } from '@qts/order-contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutionRoute, type ExecutionRoute, RouteRefusedError } from '../src/index.js';
import { BUY, makeRig, type Rig, T0 } from './helpers/setup.js';

const BAND: Quote = {
  symbol: '005930',
  price: 70_000,
  upperLimit: 91_000,
  lowerLimit: 49_000,
  basePrice: 70_000,
};

let rig: Rig | undefined;
afterEach(() => {
  rig?.close();
  rig = undefined;
});

interface QuoteRig {
  readonly rig: Rig;
  readonly route: ExecutionRoute;
  readonly logs: { level: string; message: string }[];
  readonly quotes: string[];
}

/** The fake broker with a quote: `answer` gives the quote (or throws) for each call. */
function quoteRig(answer: () => unknown, offersQuote = true, dailyLimitCheck = true): QuoteRig {
  rig = makeRig();
  const quotes: string[] = [];
  const logs: { level: string; message: string }[] = [];
  const base = rig.broker.adapter;
  const adapter: OrderAdapter = {
    specificationVersion: 'v1',
    name: base.name,
    capabilities: { ...base.capabilities, quote: offersQuote },
    placeOrder: (request, options) => base.placeOrder(request, options),
    cancelOrder: (ref, options) => base.cancelOrder(ref, options),
    modifyOrder: (ref, change, options) => base.modifyOrder(ref, change, options),
    getOrders: (query, options) => base.getOrders(query, options),
    subscribe: (listener, options) => base.subscribe(listener, options),
    getQuote: async (symbol) => {
      quotes.push(symbol);
      return answer() as Quote;
    },
  };
  const clock = rig.clock;
  const route = createExecutionRoute({
    adapter,
    journal: rig.journal,
    mode: 'virtual',
    clock: () => clock.now,
    logger: (entry) => logs.push({ level: entry.level, message: entry.message }),
    dailyLimitCheck,
  });
  return { rig, route, logs, quotes };
}

describe('submit: the day price limits', () => {
  it.each([
    [91_100, 'above the upper limit'],
    [48_950, 'below the lower limit'],
  ])(
    'refuses %i (%s) naming the band: nothing journaled, no place request',
    async (price, side) => {
      const { rig, route, quotes } = quoteRig(() => BAND);
      const failure = await route.submit({ ...BUY, limitPrice: price }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(RouteRefusedError);
      expect(failure).toMatchObject({ reason: 'PRICE_OUTSIDE_DAILY_LIMITS', code: 'CONFIG' });
      const message = (failure as RouteRefusedError).message;
      expect(message).toContain(side);
      expect(message).toContain('49,000 KRW (하한가) to 91,000 KRW (상한가)');
      expect(message).toContain('Nothing was sent');
      expect(quotes).toEqual(['005930']);
      expect(rig.journal.list()).toEqual([]);
      expect(rig.broker.requests('place')).toBe(0);
    },
  );

  it('accepts a price exactly at either limit, asking the quote once per submit', async () => {
    const { rig, route, quotes } = quoteRig(() => BAND);
    for (const limitPrice of [91_000, 49_000]) {
      const { order, error } = await route.submit({ ...BUY, limitPrice });
      expect(error).toBeUndefined();
      expect(order).toMatchObject({ status: 'accepted', price: limitPrice });
    }
    expect(quotes).toEqual(['005930', '005930']);
    expect(rig.broker.requests('place')).toBe(2);
  });

  it.each([
    [
      'the quote fails',
      () => {
        throw new Error('rate limited');
      },
      'quote failed: rate limited',
    ],
    ['the quote does not validate', () => ({ symbol: '005930', price: 'n/a' }), 'did not validate'],
  ])('%s: the order goes on unchecked and the log says so', async (_name, answer, why) => {
    const { rig, route, logs } = quoteRig(answer);
    const { order, error } = await route.submit({ ...BUY, limitPrice: 95_000 });
    expect(error).toBeUndefined();
    expect(order.status).toBe('accepted');
    expect(rig.broker.requests('place')).toBe(1);
    expect(logs).toContainEqual({
      level: 'warn',
      message: expect.stringContaining(why) as unknown as string,
    });
    expect(logs.find((entry) => entry.message.includes('goes on unchecked'))).toBeDefined();
  });

  it('asks no quote for a market order, an adapter without quotes, or dailyLimitCheck: false', async () => {
    const market = quoteRig(() => BAND);
    await market.route.submit({ ...BUY, type: 'market', limitPrice: null });
    expect(market.quotes).toEqual([]);
    market.rig.close();
    const silent = quoteRig(() => BAND, false);
    const { order } = await silent.route.submit({ ...BUY, limitPrice: 95_000 });
    expect(order.status).toBe('accepted');
    expect(silent.quotes).toEqual([]);
    silent.rig.close();
    const off = quoteRig(() => BAND, true, false);
    expect((await off.route.submit({ ...BUY, limitPrice: 95_000 })).order.status).toBe('accepted');
    expect(off.quotes).toEqual([]);
  });

  it('through the virtual adapter: the band is ±30 % of the reference price', async () => {
    // A Wednesday 10:00 in Seoul: the market is open whatever the real hour.
    const exchange = createVirtualExchange({ clock: () => T0 });
    const adapter = createVirtualOrderAdapter({ exchange });
    rig = makeRig();
    const route = createExecutionRoute({
      adapter,
      journal: rig.journal,
      mode: 'virtual',
      clock: () => T0,
    });
    try {
      exchange.setReferencePrice('005930', 70_000);
      await expect(route.submit({ ...BUY, limitPrice: 91_100 })).rejects.toMatchObject({
        reason: 'PRICE_OUTSIDE_DAILY_LIMITS',
      });
      expect(exchange.orders(exchange.defaultAccount, {})).toEqual([]);
      const { order } = await route.submit({ ...BUY, limitPrice: 91_000 });
      expect(order.status).toBe('accepted');
    } finally {
      await adapter.close();
      exchange.close();
    }
  });
});
