import type { ProductType } from '../models/order.js';

/** One band of the KRX stock tick table: prices below `below` (and at or above the previous band) trade on `tick`. */
export interface TickBand {
  /** The band's lowest price (inclusive), KRW. */
  readonly from: number;
  /** The band's upper bound (exclusive), KRW; `Infinity` for the top band. */
  readonly below: number;
  /** The tick (price unit) in this band, KRW. */
  readonly tick: number;
}

/**
 * The KRX stock tick table in force since 2023-01-25 (KOSPI, KOSDAQ and KONEX alike).
 * ETFs and ETNs trade on a flat 5 KRW tick instead (see `tickSize`).
 */
export const KRX_STOCK_TICK_TABLE: readonly TickBand[] = [
  { from: 0, below: 2_000, tick: 1 },
  { from: 2_000, below: 5_000, tick: 5 },
  { from: 5_000, below: 20_000, tick: 10 },
  { from: 20_000, below: 50_000, tick: 50 },
  { from: 50_000, below: 200_000, tick: 100 },
  { from: 200_000, below: 500_000, tick: 500 },
  { from: 500_000, below: Number.POSITIVE_INFINITY, tick: 1_000 },
];

/** The flat tick of ETFs and ETNs, KRW. */
export const KRX_FUND_TICK = 5;

/** How `roundToTick` rounds: down (never above), up (never below) or to the nearest tick (ties up). */
export type TickRounding = 'down' | 'up' | 'nearest';

function assertPrice(price: number, what: string): void {
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
    throw new RangeError(`${what} needs a finite price of 0 KRW or more (got ${String(price)}).`);
  }
}

/**
 * Finds the band of the stock tick table that holds a price.
 *
 * @param price - The price in KRW (finite, not negative).
 * @returns The band.
 * @throws `RangeError` when the price is not finite or negative.
 */
export function tickBand(price: number): TickBand {
  assertPrice(price, 'tickBand');
  for (const band of KRX_STOCK_TICK_TABLE) {
    if (price < band.below) return band;
  }
  // Unreachable: the top band is unbounded.
  return KRX_STOCK_TICK_TABLE[KRX_STOCK_TICK_TABLE.length - 1]!;
}

/**
 * Returns the KRX tick (price unit) for a price: the 2023 stock table, or 5 KRW for ETFs and ETNs.
 *
 * @param price - The price in KRW (finite, not negative).
 * @param productType - The product type when known; stock when absent.
 * @returns The tick in KRW.
 * @throws `RangeError` when the price is not finite or negative.
 */
export function tickSize(price: number, productType?: ProductType): number {
  assertPrice(price, 'tickSize');
  if (productType === 'etf' || productType === 'etn') return KRX_FUND_TICK;
  return tickBand(price).tick;
}

/**
 * Tells whether a price can be ordered on KRX: a positive whole number of KRW on its tick.
 *
 * @param price - The price in KRW (any value; never throws).
 * @param productType - The product type when known; stock when absent.
 * @returns True when the price is on the tick.
 */
export function isOnTick(price: number, productType?: ProductType): boolean {
  if (typeof price !== 'number' || !Number.isInteger(price) || price <= 0) return false;
  return price % tickSize(price, productType) === 0;
}

/**
 * Rounds a price to the KRX tick. The result is always on the tick and at least one tick.
 * Rounding up across a band boundary lands on the boundary, which is on both ticks.
 *
 * @param price - The price in KRW (finite, not negative).
 * @param rounding - `down` (never above the price, but at least one tick), `up` (never below) or
 *   `nearest` (ties go up).
 * @param productType - The product type when known; stock when absent.
 * @returns The rounded price, KRW.
 * @throws `RangeError` when the price is not finite or negative.
 */
export function roundToTick(
  price: number,
  rounding: TickRounding,
  productType?: ProductType,
): number {
  const tick = tickSize(price, productType);
  const down = Math.max(tick, Math.floor(price / tick) * tick);
  const up = Math.max(tick, Math.ceil(price / tick) * tick);
  switch (rounding) {
    case 'down':
      return down;
    case 'up':
      return up;
    default:
      return price - down < up - price ? down : up;
  }
}

/** The KRX daily price limit: ±30 % of the base price. */
export const KRX_DAILY_LIMIT_RATE = 0.3;

/**
 * The day's upper and lower limits (상한가 / 하한가) from a base price (normally the previous
 * close): ±30 %, the upper limit rounded down and the lower one rounded up to the tick, so the
 * band never exceeds 30 % and both limits can be ordered. KIS publishes the exchange's own values
 * in `inquire-price`; this is for a market without them (a virtual exchange).
 *
 * @param basePrice - The base price, KRW (a positive whole number).
 * @param productType - The product type when known; stock when absent.
 * @returns The limits, KRW.
 * @throws `RangeError` when the base price is not a positive whole number.
 */
export function krxDailyPriceLimits(
  basePrice: number,
  productType?: ProductType,
): { readonly upperLimit: number; readonly lowerLimit: number } {
  if (!Number.isInteger(basePrice) || basePrice <= 0) {
    throw new RangeError(
      `krxDailyPriceLimits needs a positive whole base price (got ${String(basePrice)}).`,
    );
  }
  // Whole-number arithmetic: base * 13 / 10 and base * 7 / 10 without floating-point drift.
  const upperLimit = roundToTick(Math.floor((basePrice * 13) / 10), 'down', productType);
  const lowerLimit = roundToTick(Math.ceil((basePrice * 7) / 10), 'up', productType);
  return { upperLimit, lowerLimit };
}
