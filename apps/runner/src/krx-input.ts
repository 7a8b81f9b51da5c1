// A symbol or a price typed on the command line, checked with the contract's KRX rules
// (isValidSymbol, isOnTick, roundToTick) before anything is opened or sent: exit 2 with one line.
import { usageFailure } from './failure.js';
import { krw } from './output.js';

/** Exit 2 unless `symbol` is a KRX code (6 digits or capitals, or Q + 6 digits for an ETN). */
export async function checkSymbol(symbol: string): Promise<void> {
  const { isValidSymbol } = await import('@qts/order-contract');
  const text: string = symbol;
  if (isValidSymbol(text)) return;
  const upper = symbol.trim().toUpperCase();
  const suggestion = isValidSymbol(upper) ? ` Did you mean ${upper}?` : '';
  throw usageFailure(
    `Symbol ${JSON.stringify(symbol)} is not a KRX code: use 6 digits or capital letters (e.g. 005930, preferred share 00088K), or Q and 6 digits for an ETN (e.g. Q500001).${suggestion}`,
    'Nothing was sent.',
    'INVALID_ORDER',
  );
}

/**
 * Exit 2 unless `price` is a positive whole number of KRW on the KRX tick of `symbol`'s product
 * (the stock table; 5 KRW for an ETN), naming the two nearest prices that are.
 */
export async function checkLimitPrice(
  price: number,
  symbol: string,
  flag: string,
  nothing = 'Nothing was sent.',
): Promise<void> {
  const { isOnTick, productTypeOfSymbol, roundToTick, tickSize } = await import(
    '@qts/order-contract'
  );
  const productType = productTypeOfSymbol(symbol);
  if (isOnTick(price, productType)) return;
  if (!(price > 0)) {
    throw usageFailure(`${flag} must be more than 0 KRW (got ${price}).`, nothing, 'INVALID_ORDER');
  }
  const below = roundToTick(price, 'down', productType);
  const above = roundToTick(price, 'up', productType);
  const use = below === above ? krw(below) : `${krw(below)} or ${krw(above)}`;
  throw usageFailure(
    `${flag} ${krw(price)} KRW is not on the KRX tick (${krw(tickSize(price, productType))} KRW at this price): use ${use}.`,
    nothing,
    'INVALID_ORDER',
  );
}
