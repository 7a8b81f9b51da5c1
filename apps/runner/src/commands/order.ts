// qts order buy|sell <symbol> <qty> (--price <KRW> | --market) [--client-order-id <id>] [--force]
// with the order types and venues: --ioc | --fok, --best | --priority | --conditional,
// --session pre|post|single, --venue KRX|NXT|SOR (docs/order-types.md).

import * as v from 'valibot';
import { brokerIdentity } from '../engine.js';
import { type ExitCode, usageFailure } from '../failure.js';
import { confirmReal } from '../interlock.js';
import { checkMarketHours } from '../market-hours.js';
import { type Options, readOptions } from '../options.js';
import type { Runtime } from '../runtime.js';
import { divisionFlagsText, readDivisionFlags } from './order-division.js';
import { parsePrice, parseQuantity, reportOutcome, spin, withEngine } from './shared.js';

/** The flags of `qts order`. */
const OrderOptionsSchema = v.object({
  price: v.optional(v.string()),
  market: v.optional(v.boolean()),
  clientOrderId: v.optional(v.string()),
  force: v.optional(v.boolean()),
});

export async function orderCommand(
  runtime: Runtime,
  args: readonly string[],
  options: Options,
): Promise<ExitCode> {
  const [sideText = '', symbol = '', qtyText = ''] = args;
  const side = sideText === 'sell' ? 'sell' : 'buy';
  const flags = readOptions(OrderOptionsSchema, options);
  const hasPrice = flags.price !== undefined;
  const market = flags.market === true;
  const choice = readDivisionFlags(options);
  const { ORDER_DIVISION_RULES, validateOrderRequest } = await import('@qts/order-contract');
  const rule = ORDER_DIVISION_RULES[choice.division];
  if (choice.named && !market) {
    const flags = divisionFlagsText(choice);
    if (rule.limitPrice === 'required' && !hasPrice) {
      throw usageFailure(
        `A ${choice.division} order (${rule.koreanName}, ${flags}) needs --price <KRW>.`,
        `E.g. \`qts order ${side} ${symbol || '005930'} ${qtyText || '1'} ${flags} --price 70000\`. Nothing was sent.`,
        'INVALID_ORDER',
      );
    }
    if (rule.limitPrice === 'forbidden' && hasPrice) {
      throw usageFailure(
        `A ${choice.division} order (${rule.koreanName}, ${flags}) is priced by the exchange: drop --price.`,
        `E.g. \`qts order ${side} ${symbol || '005930'} ${qtyText || '1'} ${flags}\`, or a plain limit order with --price only. Nothing was sent.`,
        'INVALID_ORDER',
      );
    }
  }
  if (hasPrice && market) {
    throw usageFailure(
      'Give either --price <KRW> or --market, not both.',
      'A limit order takes --price 70000; a market order takes --market. Nothing was sent.',
      'INVALID_ORDER',
    );
  }
  if (!hasPrice && !market && rule.limitPrice === 'required') {
    throw usageFailure(
      'Give exactly one of --price <KRW> (limit order) or --market (market order).',
      `E.g. \`qts order ${side} ${symbol || '005930'} ${qtyText || '1'} --price 70000\`. Nothing was sent.`,
      'INVALID_ORDER',
    );
  }
  const quantity = parseQuantity(
    qtyText,
    'Quantity',
    `qts order ${side} ${symbol || '005930'} 10 --price 70000`,
  );
  const limitPrice = flags.price === undefined ? null : parsePrice(flags.price, '--price');
  const clientOrderId = flags.clientOrderId ?? null;
  const issues = validateOrderRequest({
    clientOrderId: clientOrderId ?? 'cli-check',
    symbol,
    side,
    quantity,
    type: choice.type,
    limitPrice,
    ...choice.fields,
  });
  if (issues.length > 0) {
    const first = issues[0]!;
    const fix =
      first.field === 'clientOrderId'
        ? '--client-order-id must be 1 to 64 characters.'
        : issues.map((issue) => issue.message).join(' ');
    throw usageFailure(fix, 'Nothing was sent. See `qts order --help`.', 'INVALID_ORDER');
  }
  checkMarketHours(runtime.config, runtime.out);
  if (runtime.config.mode === 'real') {
    const identity = await brokerIdentity(runtime);
    await confirmReal(runtime.config, runtime.out, {
      action: choice.named ? `new ${choice.division} order at ${choice.venue}` : 'new order',
      account: identity.account ?? '-',
      host: identity.host ?? '-',
      side,
      symbol,
      quantity,
      price: limitPrice ?? (market ? 'market' : `set by the exchange (${choice.division})`),
    });
  }
  runtime.log.info(
    { symbol, side, quantity, limitPrice, type: choice.type, ...choice.fields, clientOrderId },
    'placing order',
  );
  return withEngine(runtime, 'Opening…', async (engine) => {
    const outcome = await spin(
      runtime,
      'Sending the order…',
      engine.submit({
        symbol,
        side,
        quantity,
        type: choice.type,
        limitPrice,
        division: choice.fields,
        clientOrderId,
        force: flags.force === true,
      }),
    );
    runtime.log.info({ order: outcome.order }, 'order result');
    return reportOutcome(runtime, outcome, 'Order');
  });
}
