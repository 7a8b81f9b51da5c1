// qts modify <orderId> [--price <KRW>] [--qty <n>]   (--qty = the new REMAINING quantity)

import * as v from 'valibot';
import { brokerIdentity } from '../engine.js';
import { type ExitCode, usageFailure } from '../failure.js';
import { confirmReal } from '../interlock.js';
import { checkLimitPrice } from '../krx-input.js';
import { type Options, readOptions } from '../options.js';
import type { Runtime } from '../runtime.js';
import {
  parsePrice,
  parseQuantity,
  reportOutcome,
  spin,
  unknownOrderId,
  withEngine,
} from './shared.js';

/** The flags of `qts modify`. */
const ModifyOptionsSchema = v.object({
  price: v.optional(v.string()),
  qty: v.optional(v.string()),
});

export async function modifyCommand(
  runtime: Runtime,
  args: readonly string[],
  options: Options,
): Promise<ExitCode> {
  const orderId = (args[0] ?? '').trim();
  const { price: priceText, qty: qtyText } = readOptions(ModifyOptionsSchema, options);
  if (priceText === undefined && qtyText === undefined) {
    throw usageFailure(
      'Give --price <KRW> and/or --qty <n> (the new remaining quantity).',
      `E.g. \`qts modify ${orderId || '<orderId>'} --price 69900\`. Nothing was sent.`,
      'INVALID_ORDER',
    );
  }
  const change: { limitPrice?: number; quantity?: number } = {};
  if (qtyText !== undefined) {
    change.quantity = parseQuantity(qtyText, '--qty (the new remaining quantity)', '--qty 3');
  }
  if (priceText !== undefined) change.limitPrice = parsePrice(priceText, '--price');
  return withEngine(runtime, 'Opening…', async (engine) => {
    const order = await engine.find(orderId);
    if (order === null) throw unknownOrderId(orderId, runtime.config.mode);
    // The tick depends on the product (5 KRW for an ETN): checked once the order is known.
    if (change.limitPrice !== undefined) {
      await checkLimitPrice(change.limitPrice, order.symbol, '--price');
    }
    if (order.type === 'market' && change.limitPrice !== undefined) {
      // Allowed by KIS (market -> limit) only in some cases; let the route/broker decide.
      runtime.log.info({ orderId: order.orderId }, 'modifying a market order with a price');
    }
    if (runtime.config.mode === 'real') {
      const identity = await brokerIdentity(runtime);
      await confirmReal(runtime.config, runtime.out, {
        action: `modify order ${order.orderId}`,
        account: identity.account ?? '-',
        host: identity.host ?? '-',
        side: order.side,
        symbol: order.symbol,
        quantity: change.quantity ?? order.quantity - order.filledQuantity,
        price: change.limitPrice ?? order.price ?? 'market',
      });
    }
    runtime.log.info({ orderId: order.orderId, change }, 'modifying order');
    const outcome = await spin(runtime, 'Modifying…', engine.modify(order.orderId, change));
    runtime.log.info({ order: outcome.order }, 'modify result');
    return reportOutcome(runtime, outcome, 'Modify of order');
  });
}
