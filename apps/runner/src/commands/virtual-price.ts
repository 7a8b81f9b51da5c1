// qts virtual price <symbol> <KRW>: sets a reference price in the virtual exchange.
import { EXIT, type ExitCode, usageFailure } from '../failure.js';
import { checkLimitPrice, checkSymbol } from '../krx-input.js';
import type { Options } from '../options.js';
import { krw } from '../output.js';
import type { Runtime } from '../runtime.js';
import { parsePrice, withEngine } from './shared.js';

export async function virtualPriceCommand(
  runtime: Runtime,
  args: readonly string[],
  _options: Options,
): Promise<ExitCode> {
  if (runtime.config.mode !== 'virtual') {
    throw usageFailure(
      `qts virtual price works in virtual mode only (the mode is ${runtime.config.mode}).`,
      'Run it with --mode virtual; against the sandbox the first limit order on a symbol sets its price.',
    );
  }
  const [symbol = '', priceText = ''] = args;
  await checkSymbol(symbol);
  const price = parsePrice(priceText, '<KRW>');
  await checkLimitPrice(price, symbol, '<KRW>', 'Nothing was changed.');
  return withEngine(runtime, 'Setting the price…', async (engine) => {
    await engine.setReferencePrice(symbol, price);
    runtime.log.info({ symbol, price }, 'reference price set');
    if (runtime.out.json) runtime.out.jsonObject({ symbol, price });
    else runtime.out.line(`Reference price of ${symbol} set to ${krw(price)} KRW (virtual).`);
    return EXIT.ok;
  });
}
