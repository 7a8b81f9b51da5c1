// qts quote <symbol>: the current price, the day's upper and lower limits and the tick.
import { EXIT, type ExitCode, usageFailure } from '../failure.js';
import { checkSymbol } from '../krx-input.js';
import type { Options } from '../options.js';
import { krw } from '../output.js';
import type { Runtime } from '../runtime.js';
import { spin, withEngine } from './shared.js';

export async function quoteCommand(
  runtime: Runtime,
  args: readonly string[],
  _options: Options,
): Promise<ExitCode> {
  const symbol = (args[0] ?? '').trim();
  if (symbol === '') {
    throw usageFailure('Give the symbol to quote.', 'E.g. `qts quote 005930`. Nothing was sent.');
  }
  await checkSymbol(symbol);
  return withEngine(runtime, 'Asking for the price…', async (engine) => {
    const quote = await spin(runtime, 'Asking for the price…', engine.quote(symbol));
    const out = runtime.out;
    if (out.json) {
      out.jsonObject({ ...quote });
      return EXIT.ok;
    }
    out.line(`Quote for ${quote.symbol} (${runtime.config.mode}):`);
    out.table(
      ['', 'KRW'],
      [
        ['price', krw(quote.price)],
        ['upper limit (상한가)', krw(quote.upperLimit)],
        ['lower limit (하한가)', krw(quote.lowerLimit)],
        ['base price (기준가)', krw(quote.basePrice)],
        ['tick at the price', krw(quote.tick)],
      ],
      ['left', 'right'],
    );
    return EXIT.ok;
  });
}
