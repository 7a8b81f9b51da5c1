import type { ProductType } from '../models/order.js';

/** KRX stock codes: six digits or capital letters (preferred shares such as `00088K`). */
export const KRX_STOCK_SYMBOL_PATTERN: RegExp = /^[0-9A-Z]{6}$/;
/** KRX ETN codes: `Q` and six digits. */
export const KRX_ETN_SYMBOL_PATTERN: RegExp = /^Q[0-9]{6}$/;

/**
 * Tells whether a value is a KRX symbol: `^[0-9A-Z]{6}$` (stocks, incl. preferred shares such as
 * `00088K`) or `^Q[0-9]{6}$` (ETNs).
 *
 * @param symbol - Any value; never throws.
 * @returns True for a well-formed KRX symbol.
 */
export function isValidSymbol(symbol: unknown): symbol is string {
  return (
    typeof symbol === 'string' &&
    (KRX_STOCK_SYMBOL_PATTERN.test(symbol) || KRX_ETN_SYMBOL_PATTERN.test(symbol))
  );
}

/**
 * The product type a symbol's format proves: `etn` for `Q` + six digits, else undefined (the
 * format cannot tell a stock from an ETF).
 *
 * @param symbol - A KRX symbol.
 * @returns `etn`, or undefined when the format does not tell.
 */
export function productTypeOfSymbol(symbol: string): ProductType | undefined {
  return KRX_ETN_SYMBOL_PATTERN.test(symbol) ? 'etn' : undefined;
}
