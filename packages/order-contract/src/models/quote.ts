import * as v from 'valibot';

/**
 * The price of one symbol now and the day's price limits: what a caller needs to check a limit
 * price before sending it. KRX limits the day's prices to ±30 % of the base price (normally the
 * previous close), rounded to the tick.
 */
export const QuoteSchema = v.object({
  symbol: v.string(),
  /** The current price, KRW (KIS stck_prpr; a virtual exchange: its reference price). */
  price: v.number(),
  /** The day's upper limit (상한가), KRW. */
  upperLimit: v.number(),
  /** The day's lower limit (하한가), KRW. */
  lowerLimit: v.number(),
  /** The base price the limits come from (기준가, normally the previous close), or null. */
  basePrice: v.nullable(v.number()),
});
/** The price of one symbol now and the day's price limits. */
export type Quote = v.InferOutput<typeof QuoteSchema>;

/**
 * Tells whether a limit price lies within the day's limits (both limits included).
 *
 * @param quote - The quote with the day's limits.
 * @param price - The limit price, KRW.
 * @returns True when `lowerLimit <= price <= upperLimit`.
 */
export function isWithinPriceLimits(
  quote: Pick<Quote, 'upperLimit' | 'lowerLimit'>,
  price: number,
): boolean {
  return price >= quote.lowerLimit && price <= quote.upperLimit;
}
