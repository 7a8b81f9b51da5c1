// qts balance [--symbol S [--price P]]: cash and positions, and buying power for one symbol.

import * as v from 'valibot';
import { EXIT, type ExitCode, usageFailure } from '../failure.js';
import { checkLimitPrice, checkSymbol } from '../krx-input.js';
import { type Options, readOptions } from '../options.js';
import { krw } from '../output.js';
import type { Runtime } from '../runtime.js';
import { parsePrice, spin, withEngine } from './shared.js';

/** The flags of `qts balance`. */
const BalanceOptionsSchema = v.object({
  symbol: v.optional(v.string()),
  price: v.optional(v.string()),
});

export async function balanceCommand(
  runtime: Runtime,
  _args: readonly string[],
  options: Options,
): Promise<ExitCode> {
  const flags = readOptions(BalanceOptionsSchema, options);
  const symbol = flags.symbol?.trim() ?? null;
  const price = flags.price === undefined ? null : parsePrice(flags.price, '--price');
  if (symbol === null && price !== null) {
    throw usageFailure(
      '--price needs --symbol: buying power is asked for one symbol at one price.',
      'E.g. `qts balance --symbol 005930 --price 70000`. Nothing was sent.',
    );
  }
  if (symbol !== null) await checkSymbol(symbol);
  if (symbol !== null && price !== null) await checkLimitPrice(price, symbol, '--price');
  return withEngine(runtime, 'Asking the broker…', async (engine) => {
    const balance = await spin(runtime, 'Asking the broker…', engine.balance());
    const power =
      symbol === null
        ? null
        : await spin(runtime, 'Asking for buying power…', engine.buyingPower(symbol, price));
    const out = runtime.out;
    if (out.json) {
      out.jsonObject({
        cash: balance.cash,
        positions: balance.positions,
        ...(power === null ? {} : { buyingPower: power }),
      });
      return EXIT.ok;
    }
    out.line(`Balance (${runtime.config.mode}):`);
    out.table(
      ['cash', 'KRW'],
      [
        ['deposit', krw(balance.cash.deposit)],
        ['orderable', krw(balance.cash.orderable)],
        ['total value', krw(balance.cash.totalValue)],
      ],
      ['left', 'right'],
    );
    if (balance.positions.length === 0) {
      out.line('No positions.');
    } else {
      out.table(
        ['symbol', 'name', 'qty', 'sellable', 'avg price', 'price', 'value'],
        balance.positions.map((p) => [
          p.symbol,
          p.name,
          p.quantity,
          p.sellableQuantity,
          krw(p.averagePrice),
          krw(p.currentPrice),
          krw(p.marketValue),
        ]),
        ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
      );
    }
    if (power !== null) {
      out.line(
        `Buying power for ${power.symbol} at ${power.price === null ? `market (sized at ${krw(power.unitPrice)} KRW)` : `${krw(power.price)} KRW`}:`,
      );
      out.table(
        ['', 'shares', 'KRW'],
        [
          ['cash only', power.quantity, krw(power.amount)],
          ['with credit', power.quantityWithCredit, krw(power.amountWithCredit)],
        ],
        ['left', 'right', 'right'],
      );
    }
    return EXIT.ok;
  });
}
