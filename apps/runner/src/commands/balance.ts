// qts balance: cash and positions.
import { EXIT, type ExitCode } from '../failure.js';
import { krw } from '../output.js';
import type { Options } from '../program.js';
import type { Runtime } from '../runtime.js';
import { spin, withEngine } from './shared.js';

export async function balanceCommand(
  runtime: Runtime,
  _args: readonly string[],
  _options: Options,
): Promise<ExitCode> {
  return withEngine(runtime, 'Asking the broker…', async (engine) => {
    const balance = await spin(runtime, 'Asking the broker…', engine.balance());
    const out = runtime.out;
    if (out.json) {
      out.jsonObject({ cash: balance.cash, positions: balance.positions });
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
    return EXIT.ok;
  });
}
