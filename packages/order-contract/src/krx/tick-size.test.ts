import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isOnTick,
  KRX_STOCK_TICK_TABLE,
  krxDailyPriceLimits,
  roundToTick,
  type TickRounding,
  tickBand,
  tickSize,
} from './tick-size.js';

const productTypes = fc.constantFrom(undefined, 'stock', 'etf', 'etn' as const);
const prices = fc.oneof(
  fc.integer({ min: 1, max: 5_000_000 }),
  fc.double({ min: 0, max: 5_000_000, noNaN: true }),
  fc.constantFrom(
    ...KRX_STOCK_TICK_TABLE.flatMap((band) => [band.from - 1, band.from, band.from + 1]).filter(
      (p) => p >= 0,
    ),
  ),
);
const roundings = fc.constantFrom<TickRounding>('down', 'up', 'nearest');

describe('tickSize', () => {
  it.each([
    [1, 1],
    [1_999, 1],
    [2_000, 5],
    [4_995, 5],
    [5_000, 10],
    [19_990, 10],
    [20_000, 50],
    [49_950, 50],
    [50_000, 100],
    [199_900, 100],
    [200_000, 500],
    [499_500, 500],
    [500_000, 1_000],
    [3_000_000, 1_000],
  ])('stock price %d trades on a %d KRW tick', (price, tick) => {
    expect(tickSize(price)).toBe(tick);
    expect(tickSize(price, 'stock')).toBe(tick);
  });

  it('is 5 KRW for ETFs and ETNs at any price', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom('etf', 'etn' as const),
        (price, type) => {
          expect(tickSize(price, type)).toBe(5);
        },
      ),
    );
  });

  it('never shrinks as the price grows', () => {
    fc.assert(
      fc.property(prices, prices, (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(tickSize(low)).toBeLessThanOrEqual(tickSize(high));
      }),
    );
  });

  it('changes exactly at the band boundaries', () => {
    for (const band of KRX_STOCK_TICK_TABLE.slice(1)) {
      expect(tickSize(band.from - 1)).toBeLessThan(tickSize(band.from));
      expect(tickBand(band.from)).toBe(band);
      // Each boundary is on the ticks of both bands, so rounding never skips it.
      expect(band.from % tickSize(band.from - 1)).toBe(0);
      expect(band.from % band.tick).toBe(0);
    }
  });

  it('refuses prices that are not finite or negative', () => {
    expect(() => tickSize(Number.NaN)).toThrow(RangeError);
    expect(() => tickSize(-1)).toThrow(RangeError);
    expect(() => tickSize(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('isOnTick', () => {
  it.each([
    [10_000, true],
    [10_005, false],
    [10_010, true],
    [1_999, true],
    [2_001, false],
    [500_500, false],
    [0, false],
    [-10, false],
    [100.5, false],
    [Number.NaN, false],
  ])('%d -> %s', (price, expected) => {
    expect(isOnTick(price)).toBe(expected);
  });

  it('uses the 5 KRW tick for funds', () => {
    expect(isOnTick(10_005, 'etf')).toBe(true);
    expect(isOnTick(10_005, 'stock')).toBe(false);
    expect(isOnTick(2_001, 'etn')).toBe(false);
  });
});

describe('roundToTick', () => {
  it.each([
    [10_005, 'down', 10_000],
    [10_005, 'up', 10_010],
    [10_005, 'nearest', 10_010],
    [10_004, 'nearest', 10_000],
    [4_998, 'up', 5_000],
    [19_995, 'down', 19_990],
    [19_995, 'up', 20_000],
    [499_999, 'up', 500_000],
    [0.4, 'down', 1],
  ] as const)('%d rounded %s is %d', (price, rounding, expected) => {
    expect(roundToTick(price, rounding)).toBe(expected);
  });

  it('always lands on the tick', () => {
    fc.assert(
      fc.property(prices, roundings, productTypes, (price, rounding, type) => {
        expect(isOnTick(roundToTick(price, rounding, type), type)).toBe(true);
      }),
    );
  });

  it('rounds in the asked direction, by less than one tick', () => {
    fc.assert(
      fc.property(prices, productTypes, (price, type) => {
        // Below one tick, `down` still returns one tick (the smallest price there is).
        fc.pre(price >= tickSize(price, type));
        const down = roundToTick(price, 'down', type);
        const up = roundToTick(price, 'up', type);
        const nearest = roundToTick(price, 'nearest', type);
        expect(down).toBeLessThanOrEqual(price);
        expect(up).toBeGreaterThanOrEqual(price);
        expect(price - down).toBeLessThan(tickSize(price, type));
        expect(up - price).toBeLessThan(tickSize(price, type));
        expect([down, up]).toContain(nearest);
      }),
    );
  });

  it('leaves a price on the tick unchanged', () => {
    fc.assert(
      fc.property(prices, roundings, productTypes, (price, rounding, type) => {
        const onTick = roundToTick(price, 'down', type);
        expect(roundToTick(onTick, rounding, type)).toBe(onTick);
      }),
    );
  });
});

describe('krxDailyPriceLimits', () => {
  it('is ±30 % of the base price when that lands on the tick', () => {
    expect(krxDailyPriceLimits(70_000)).toEqual({ upperLimit: 91_000, lowerLimit: 49_000 });
  });
  it('rounds the upper limit down and the lower limit up to the tick', () => {
    // 12,345 * 1.3 = 16,048.5 -> 16,040 (tick 10); 12,345 * 0.7 = 8,641.5 -> 8,650.
    expect(krxDailyPriceLimits(12_345)).toEqual({ upperLimit: 16_040, lowerLimit: 8_650 });
    // ETF: flat 5 KRW tick. 10,001 * 1.3 = 13,001.3 -> 13,000; * 0.7 = 7,000.7 -> 7,005.
    expect(krxDailyPriceLimits(10_001, 'etf')).toEqual({ upperLimit: 13_000, lowerLimit: 7_005 });
  });
  it('refuses a base price that is not a positive whole number', () => {
    expect(() => krxDailyPriceLimits(0)).toThrow(RangeError);
    expect(() => krxDailyPriceLimits(100.5)).toThrow(RangeError);
  });
});
