// The day's price check before a limit order is journaled or sent: refused outside the band,
// accepted at its limits, and an order that goes on unchecked when the quote cannot be had.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualExchange, createVirtualOrderAdapter } from '@qts/broker-virtual';
import type { OrderAdapter, Quote } from '@qts/order-contract';
import { pragmaValue } from '@qts/sqlite-store';
import Database from 'libsql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createExecutionRoute,
  createSqliteJournal,
  type ExecutionRoute,
  JOURNAL_MIGRATIONS,
  RouteRefusedError,
} from '../src/index.js';
import type { DayBandStorage } from '../src/journal/types.js';
import { bandHeldUntil, createDayBands, memoryDayBandStorage } from '../src/submit/day-bands.js';
import { createFakeBroker } from './helpers/fake-broker.js';
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
function quoteRig(
  answer: () => unknown,
  offersQuote = true,
  dailyLimitCheck = true,
  journal: 'memory' | 'sqlite' = 'memory',
  mode: 'virtual' | 'paper' = 'virtual',
): QuoteRig {
  rig = makeRig({ journal });
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
    mode,
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

  it('accepts a price exactly at either limit, asking the quote once for the symbol that day', async () => {
    const { rig, route, quotes } = quoteRig(() => BAND);
    for (const limitPrice of [91_000, 49_000, 70_000]) {
      const { order, error } = await route.submit({ ...BUY, limitPrice });
      expect(error).toBeUndefined();
      expect(order).toMatchObject({ status: 'accepted', price: limitPrice });
    }
    expect(quotes).toEqual(['005930']);
    expect(rig.broker.requests('place')).toBe(3);
  });

  it('asks again for another symbol, on the next Seoul day, and when the clock goes back a day', async () => {
    const bands: Record<string, Quote> = {
      '005930': BAND,
      '000660': {
        ...BAND,
        symbol: '000660',
        price: 200_000,
        upperLimit: 260_000,
        lowerLimit: 140_000,
      },
    };
    let asked = '';
    const { rig, route, quotes } = quoteRig(() => bands[asked]);
    const submit = async (symbol: string, limitPrice: number) => {
      asked = symbol;
      return route.submit({ ...BUY, symbol, limitPrice });
    };
    // T0 is 10:00 in Seoul.
    expect((await submit('005930', 70_000)).order.status).toBe('accepted');
    expect((await submit('000660', 200_000)).order.status).toBe('accepted');
    expect((await submit('005930', 71_000)).order.status).toBe('accepted');
    expect(quotes).toEqual(['005930', '000660']);
    // 23:59:59.999 in Seoul is still the same trading day: no quote.
    rig.clock.now = T0 + 14 * 3_600_000 - 1;
    expect((await submit('005930', 72_000)).order.status).toBe('accepted');
    expect(quotes).toHaveLength(2);
    // Midnight in Seoul: a new trading day, a new base price, a new quote.
    rig.clock.now = T0 + 14 * 3_600_000;
    expect((await submit('005930', 72_000)).order.status).toBe('accepted');
    expect(quotes).toEqual(['005930', '000660', '005930']);
    // A clock moved back to the day before: that band is not the new day's either.
    rig.clock.now = T0;
    expect((await submit('005930', 72_000)).order.status).toBe('accepted');
    expect(quotes).toHaveLength(4);
  });

  it("holds a band quoted before 08:00 KST only until 08:00 (it may still be the previous day's)", async () => {
    const { rig, route, quotes } = quoteRig(() => BAND);
    // 07:59:59 in Seoul (T0 is 10:00).
    rig.clock.now = T0 - 2 * 3_600_000 - 1_000;
    expect((await route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe('accepted');
    rig.clock.now += 999;
    expect((await route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe('accepted');
    expect(quotes).toHaveLength(1);
    rig.clock.now += 1;
    expect((await route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe('accepted');
    expect((await route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe('accepted');
    expect(quotes).toHaveLength(2);
  });

  it('never refuses on a remembered band: a fresh quote decides, and replaces the band', async () => {
    let band: Quote = BAND;
    const { rig, route, quotes } = quoteRig(() => band);
    expect((await route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe('accepted');
    // The broker's band moved (a corrected base price): 95,000 is inside the new one.
    band = { ...BAND, upperLimit: 100_000, lowerLimit: 60_000 };
    expect((await route.submit({ ...BUY, limitPrice: 95_000 })).order.status).toBe('accepted');
    expect(quotes).toHaveLength(2);
    // The new band is the one remembered: 95,000 again needs no quote, 55,000 asks and is refused.
    expect((await route.submit({ ...BUY, limitPrice: 95_000 })).order.status).toBe('accepted');
    expect(quotes).toHaveLength(2);
    await expect(route.submit({ ...BUY, limitPrice: 55_000 })).rejects.toMatchObject({
      reason: 'PRICE_OUTSIDE_DAILY_LIMITS',
      message: expect.stringContaining('60,000 KRW (하한가) to 100,000 KRW (상한가)'),
    });
    expect(quotes).toHaveLength(3);
    expect(rig.broker.requests('place')).toBe(3);
    // A refusal remembers nothing that lets the next order skip the check.
    await expect(route.submit({ ...BUY, limitPrice: 55_000 })).rejects.toMatchObject({
      reason: 'PRICE_OUTSIDE_DAILY_LIMITS',
    });
    expect(quotes).toHaveLength(4);
    expect(rig.broker.requests('place')).toBe(3);
  });

  it('dates a band by when its quote was asked: asked at 07:59:59.9 and answered after 08:00, it holds only until 08:00', async () => {
    let rig!: Rig;
    const slow = quoteRig(() => {
      // The answer comes back 200 ms later, after 08:00 KST.
      rig.clock.now += 200;
      return BAND;
    });
    rig = slow.rig;
    rig.clock.now = T0 - 2 * 3_600_000 - 100;
    expect((await slow.route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe('accepted');
    expect(slow.quotes).toHaveLength(1);
    // 08:00:00.100 KST: the band from 07:59:59.900 may be the previous day's; ask again.
    expect((await slow.route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe('accepted');
    expect(slow.quotes).toHaveLength(2);
    // That one was asked after 08:00: held for the rest of the day.
    rig.clock.now = T0 + 6 * 3_600_000;
    expect((await slow.route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe('accepted');
    expect(slow.quotes).toHaveLength(2);
  });

  it('keeps the band of the later question when two answers arrive out of order', async () => {
    const answers: ((quote: Quote) => void)[] = [];
    const LATER: Quote = { ...BAND, upperLimit: 100_000, lowerLimit: 60_000 };
    // The first two quotes wait to be answered by the test; later ones answer at once.
    const { rig, route, quotes } = quoteRig(() =>
      answers.length < 2 ? new Promise<Quote>((resolve) => answers.push(resolve)) : LATER,
    );
    // Two orders and no band yet: both ask. The first is asked before 08:00, the second after.
    rig.clock.now = T0 - 2 * 3_600_000 - 1_000;
    const early = route.submit({ ...BUY, limitPrice: 70_000 });
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    rig.clock.now = T0;
    const late = route.submit({ ...BUY, limitPrice: 70_000 });
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    // The later question answers first, then the earlier one.
    answers[1]?.(LATER);
    expect((await late).order.status).toBe('accepted');
    answers[0]?.(BAND);
    expect((await early).order.status).toBe('accepted');
    expect(quotes).toHaveLength(2);
    // The band held is the later question's (60,000-100,000), for the rest of the day: 95,000
    // passes without a quote (the earlier band, 49,000-91,000, would have asked again).
    expect((await route.submit({ ...BUY, limitPrice: 95_000 })).order.status).toBe('accepted');
    expect(quotes).toHaveLength(2);
    await expect(route.submit({ ...BUY, limitPrice: 55_000 })).rejects.toMatchObject({
      reason: 'PRICE_OUTSIDE_DAILY_LIMITS',
    });
    expect(quotes).toHaveLength(3);
  });

  it.each([
    ['an infinite upper limit', { upperLimit: Number.POSITIVE_INFINITY }],
    ['a lower limit above the upper', { upperLimit: 49_000, lowerLimit: 91_000 }],
    ['a zero lower limit', { lowerLimit: 0 }],
    ['a NaN limit', { upperLimit: Number.NaN }],
  ])(
    'a quote with %s is not a band: the order goes on unchecked and nothing is remembered',
    async (_name, broken) => {
      let answer: Quote = { ...BAND, ...broken };
      const { rig, route, quotes, logs } = quoteRig(() => answer);
      expect((await route.submit({ ...BUY, limitPrice: 95_000 })).order.status).toBe('accepted');
      expect(logs.find((entry) => entry.message.includes('goes on unchecked'))).toBeDefined();
      answer = BAND;
      await expect(route.submit({ ...BUY, limitPrice: 95_000 })).rejects.toMatchObject({
        reason: 'PRICE_OUTSIDE_DAILY_LIMITS',
      });
      expect(quotes).toHaveLength(2);
      expect(rig.broker.requests('place')).toBe(1);
    },
  );

  it('remembers nothing from a quote that failed or did not validate', async () => {
    let answer: () => unknown = () => {
      throw new Error('rate limited');
    };
    const { rig, route, quotes } = quoteRig(() => answer());
    expect((await route.submit({ ...BUY, limitPrice: 95_000 })).order.status).toBe('accepted');
    answer = () => ({ ...BAND, upperLimit: 0 });
    expect((await route.submit({ ...BUY, limitPrice: 95_000 })).order.status).toBe('accepted');
    answer = () => BAND;
    await expect(route.submit({ ...BUY, limitPrice: 95_000 })).rejects.toMatchObject({
      reason: 'PRICE_OUTSIDE_DAILY_LIMITS',
    });
    expect(quotes).toHaveLength(3);
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

describe('bandHeldUntil', () => {
  const kst = (text: string) => Date.parse(`${text}+09:00`);
  it.each([
    ['2026-11-25T00:00:00.000', '2026-11-25T08:00:00.000'],
    ['2026-11-25T07:59:59.999', '2026-11-25T08:00:00.000'],
    ['2026-11-25T08:00:00.000', '2026-11-26T00:00:00.000'],
    ['2026-11-25T15:30:00.000', '2026-11-26T00:00:00.000'],
    ['2026-11-25T23:59:59.999', '2026-11-26T00:00:00.000'],
    ['2026-12-31T12:00:00.000', '2027-01-01T00:00:00.000'],
    ['1969-12-31T12:00:00.000', '1970-01-01T00:00:00.000'],
  ])('a band quoted at %s KST holds until %s KST', (at, until) => {
    expect(bandHeldUntil(kst(at))).toBe(kst(until));
  });
});

describe('the day bands a SQLite journal shares', () => {
  /** Another process on the same journal file: its own journal handle, route and quotes. */
  function secondRoute(
    first: QuoteRig,
    answer: () => unknown,
    mode: 'virtual' | 'paper' = 'paper',
  ) {
    const journal = createSqliteJournal({
      file: join(first.rig.dir, 'j.sqlite'),
      mode: 'virtual',
      host: 'virtual',
      account: 'test',
    });
    const quotes: string[] = [];
    const base = first.rig.broker.adapter;
    const route = createExecutionRoute({
      adapter: {
        ...base,
        capabilities: { ...base.capabilities, quote: true },
        getQuote: async (symbol) => {
          quotes.push(symbol);
          return answer() as Quote;
        },
      },
      journal,
      mode,
      clock: () => first.rig.clock.now,
    });
    return { route, quotes, journal };
  }

  it('a band one process quoted lets the next process on the file skip the quote', async () => {
    const first = quoteRig(() => BAND, true, true, 'sqlite', 'paper');
    expect((await first.route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe(
      'accepted',
    );
    expect(first.quotes).toEqual(['005930']);
    const second = secondRoute(first, () => BAND);
    try {
      expect((await second.route.submit({ ...BUY, limitPrice: 71_000 })).order.status).toBe(
        'accepted',
      );
      expect(second.quotes).toEqual([]);
      // Outside the stored band: the second process asks, and its fresh quote refuses.
      await expect(second.route.submit({ ...BUY, limitPrice: 95_000 })).rejects.toMatchObject({
        reason: 'PRICE_OUTSIDE_DAILY_LIMITS',
      });
      expect(second.quotes).toEqual(['005930']);
      // The next Seoul day: no band for anyone.
      first.rig.clock.now = T0 + 24 * 3_600_000;
      expect((await first.route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe(
        'accepted',
      );
      expect(first.quotes).toHaveLength(2);
    } finally {
      second.journal.close();
    }
  });

  it('keeps the band asked later on the same date, across journal handles; only a later date replaces it', () => {
    const first = quoteRig(() => BAND, true, true, 'sqlite', 'paper');
    const second = secondRoute(first, () => BAND);
    try {
      const a = first.rig.journal.dayBands as DayBandStorage;
      const b = second.journal.dayBands as DayBandStorage;
      const band = (askedAt: number, upperLimit: number) => ({
        upperLimit,
        lowerLimit: 49_000,
        tradingDate: '20261125',
        heldUntil: T0 + 14 * 3_600_000,
        askedAt,
      });
      a.write('005930', band(T0 + 2_000, 91_000));
      b.write('005930', band(T0 + 1_000, 80_000));
      expect(a.read('005930')).toMatchObject({ upperLimit: 91_000, askedAt: T0 + 2_000 });
      b.write('005930', band(T0 + 2_000, 92_000));
      expect(a.read('005930')).toMatchObject({ upperLimit: 92_000 });
      // An earlier date never displaces a later one (a quote asked at 23:59:59, answered after
      // midnight); a later date always replaces.
      b.write('005930', { ...band(T0 - 86_400_000, 70_000), tradingDate: '20261124' });
      expect(a.read('005930')).toMatchObject({ upperLimit: 92_000, tradingDate: '20261125' });
      b.write('005930', { ...band(T0 + 86_400_000, 75_000), tradingDate: '20261126' });
      expect(a.read('005930')).toMatchObject({ upperLimit: 75_000, tradingDate: '20261126' });
    } finally {
      second.journal.close();
    }
  });

  it.each([
    ['a limit that is not a number', "'abc'", '49000', "'20261125'"],
    ['an infinite limit', '9e999', '49000', "'20261125'"],
    ['a malformed date', '91000', '49000', "'2026-11-25'"],
    ['no lower limit above zero', '91000', '0', "'20261125'"],
    ['a lower limit above the upper', '49000', '91000', "'20261125'"],
  ])(
    'a stored row with %s is no band: the route asks a quote',
    async (_name, upper, lower, date) => {
      const first = quoteRig(() => BAND, true, true, 'sqlite', 'paper');
      const raw = new Database(join(first.rig.dir, 'j.sqlite'));
      try {
        raw.exec(
          `INSERT INTO day_bands VALUES ('005930', ${upper}, ${lower}, ${date}, ${T0 + 3_600_000}, ${T0})`,
        );
      } finally {
        raw.close();
      }
      expect((await first.route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe(
        'accepted',
      );
      expect(first.quotes).toEqual(['005930']);
    },
  );

  it('opens a journal made before the bands, keeps its orders, adds the table and keeps its schema version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-bands-v1-'));
    const file = join(dir, 'j.sqlite');
    const broker = createFakeBroker({ clock: () => T0 });
    try {
      // A file with one order in it and no day_bands table, as an older QTS left it.
      const older = createSqliteJournal({ file, mode: 'virtual', host: 'virtual', account: 'a' });
      const placed = await createExecutionRoute({
        adapter: broker.adapter,
        journal: older,
        mode: 'virtual',
        clock: () => T0,
      }).submit({ ...BUY, limitPrice: 70_000 });
      older.close();
      const raw = new Database(file);
      raw.exec('DROP TABLE day_bands');
      raw.close();
      const journal = createSqliteJournal({ file, mode: 'virtual', host: 'virtual', account: 'a' });
      try {
        expect(journal.get(placed.order.orderId)).toMatchObject({ status: 'accepted' });
        journal.dayBands?.write('005930', {
          upperLimit: 91_000,
          lowerLimit: 49_000,
          tradingDate: '20261125',
          heldUntil: T0 + 3_600_000,
          askedAt: T0,
        });
        expect(journal.dayBands?.read('005930')).toMatchObject({ upperLimit: 91_000 });
      } finally {
        journal.close();
      }
      const check = new Database(file);
      expect(pragmaValue(check, 'user_version')).toBe(JOURNAL_MIGRATIONS.length);
      check.close();
    } finally {
      broker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('virtual routes keep bands to themselves (virtual quotes are free, and `qts virtual price` moves bands)', async () => {
    const first = quoteRig(() => BAND, true, true, 'sqlite', 'virtual');
    expect((await first.route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe(
      'accepted',
    );
    const second = secondRoute(first, () => BAND, 'virtual');
    try {
      expect((await second.route.submit({ ...BUY, limitPrice: 70_000 })).order.status).toBe(
        'accepted',
      );
      expect([first.quotes.length, second.quotes.length]).toEqual([1, 1]);
      expect(second.journal.dayBands?.read('005930')).toBeNull();
    } finally {
      second.journal.close();
    }
  });

  it('a band write never waits for another process holding the write lock', () => {
    const first = quoteRig(() => BAND, true, true, 'sqlite', 'paper');
    const storage = first.rig.journal.dayBands as DayBandStorage;
    const band = {
      upperLimit: 91_000,
      lowerLimit: 49_000,
      tradingDate: '20261125',
      heldUntil: T0 + 3_600_000,
      askedAt: T0,
    };
    const other = new Database(join(first.rig.dir, 'j.sqlite'));
    try {
      other.exec('BEGIN IMMEDIATE');
      const start = performance.now();
      expect(() => storage.write('005930', band)).toThrow(/busy|locked/i);
      // The journal waits up to 5 s for a lock; the band write gave up at once.
      expect(performance.now() - start).toBeLessThan(1_000);
      other.exec('COMMIT');
      storage.write('005930', band);
      expect(storage.read('005930')).toMatchObject({ upperLimit: 91_000 });
    } finally {
      other.close();
    }
  });

  it.each([
    ['a trading date that is not the one it was asked on', { tradingDate: '20261126' }, T0],
    [
      'an expiry past the one its asking time gives',
      { heldUntil: T0 + 86_400_000 },
      T0 + 15 * 3_600_000,
    ],
  ])('a stored band with %s is not taken on trust', (_name, tampered, now) => {
    const bands = createDayBands({
      read: () => ({
        upperLimit: 91_000,
        lowerLimit: 49_000,
        tradingDate: '20261125',
        heldUntil: bandHeldUntil(T0),
        askedAt: T0,
        ...tampered,
      }),
      write: () => {},
    });
    expect(bands.get('005930', now)).toBeNull();
  });

  it('a band the route has read stays in its memory: one row read, until it expires', () => {
    let reads = 0;
    const stored = {
      upperLimit: 91_000,
      lowerLimit: 49_000,
      tradingDate: '20261125',
      heldUntil: bandHeldUntil(T0),
      askedAt: T0,
    };
    const bands = createDayBands({
      read: () => {
        reads += 1;
        return stored;
      },
      write: () => {},
    });
    expect(bands.get('005930', T0 + 1_000)).toMatchObject({ upperLimit: 91_000 });
    expect(bands.get('005930', T0 + 2_000)).toMatchObject({ upperLimit: 91_000 });
    expect(reads).toBe(1);
    // Past midnight KST the remembered band is gone, and so is the stored one.
    expect(bands.get('005930', T0 + 14 * 3_600_000)).toBeNull();
    expect(reads).toBe(2);
  });

  it('in memory too: the same date asked later wins, an earlier date never displaces a later one', () => {
    const storage = memoryDayBandStorage();
    const band = (tradingDate: string, askedAt: number, upperLimit: number) => ({
      upperLimit,
      lowerLimit: 49_000,
      tradingDate,
      heldUntil: askedAt + 3_600_000,
      askedAt,
    });
    storage.write('005930', band('20261125', T0 + 2_000, 91_000));
    storage.write('005930', band('20261125', T0 + 1_000, 80_000));
    expect(storage.read('005930')).toMatchObject({ upperLimit: 91_000 });
    storage.write('005930', band('20261124', T0 - 86_400_000, 70_000));
    expect(storage.read('005930')).toMatchObject({ upperLimit: 91_000 });
    storage.write('005930', band('20261126', T0 + 86_400_000, 75_000));
    expect(storage.read('005930')).toMatchObject({ upperLimit: 75_000 });
  });

  it('a storage that fails costs a quote, never an order', async () => {
    const failing: DayBandStorage = {
      read: () => {
        throw new Error('SQLITE_BUSY');
      },
      write: () => {
        throw new Error('SQLITE_BUSY');
      },
    };
    const bands = createDayBands(failing);
    expect(bands.get('005930', T0)).toBeNull();
    expect(() => bands.set('005930', BAND, T0)).not.toThrow();
  });
});
