// qts balance [--symbol S [--price P]]: cash and positions, and buying power for one symbol.
import { EXIT, type ExitCode, usageFailure } from '../failure.js';
import { krw } from '../output.js';
import type { Options } from '../program.js';
import type { Runtime } from '../runtime.js';
import { checkSymbol, parsePrice, spin, withEngine } from './shared.js';

export async function balanceCommand(
  runtime: Runtime,
  _args: readonly string[],
  options: Options,
): Promise<ExitCode> {
  const symbol = typeof options.symbol === 'string' ? options.symbol.trim() : null;
  const price = typeof options.price === 'string' ? parsePrice(options.price, '--price') : null;
  if (symbol === null && price !== null) {
    throw usageFailure(
      '--price needs --symbol: buying power is asked for one symbol at one price.',
      'E.g. `qts balance --symbol 005930 --price 70000`. Nothing was sent.',
    );
  }
  if (symbol !== null) await checkSymbol(symbol);
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
