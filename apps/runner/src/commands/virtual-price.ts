// qts virtual price <symbol> <KRW>: sets a reference price in the virtual exchange.
import { EXIT, type ExitCode, usageFailure } from '../failure.js';
import { krw } from '../output.js';
import type { Options } from '../program.js';
import type { Runtime } from '../runtime.js';
import { checkSymbol, parsePrice, withEngine } from './shared.js';

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
  const { validateOrderRequest } = await import('@qts/order-contract');
  const issues = validateOrderRequest({
    clientOrderId: 'cli-check',
    symbol,
    side: 'buy',
    quantity: 1,
    type: 'limit',
    limitPrice: price,
  }).filter((issue) => issue.field === 'limitPrice');
  if (issues.length > 0) {
    throw usageFailure(issues.map((i) => i.message).join(' '), 'Nothing was changed.');
  }
  return withEngine(runtime, 'Setting the price…', async (engine) => {
    await engine.setReferencePrice(symbol, price);
    runtime.log.info({ symbol, price }, 'reference price set');
    if (runtime.out.json) runtime.out.jsonObject({ symbol, price });
    else runtime.out.line(`Reference price of ${symbol} set to ${krw(price)} KRW (virtual).`);
    return EXIT.ok;
  });
}
