// qts cancel <orderId>
import { brokerIdentity } from '../engine.js';
import { type ExitCode, usageFailure } from '../failure.js';
import { confirmReal } from '../interlock.js';
import type { Options } from '../options.js';
import type { Runtime } from '../runtime.js';
import { reportOutcome, spin, unknownOrderId, withEngine } from './shared.js';

export async function cancelCommand(
  runtime: Runtime,
  args: readonly string[],
  _options: Options,
): Promise<ExitCode> {
  const orderId = (args[0] ?? '').trim();
  if (orderId === '') {
    throw usageFailure(
      'Give the order id to cancel.',
      'E.g. `qts cancel <orderId>`; see `qts orders`.',
    );
  }
  return withEngine(runtime, 'Opening…', async (engine) => {
    const order = await engine.find(orderId);
    if (order === null) throw unknownOrderId(orderId, runtime.config.mode);
    if (runtime.config.mode === 'real') {
      const identity = await brokerIdentity(runtime);
      await confirmReal(runtime.config, runtime.out, {
        action: `cancel order ${order.orderId}`,
        account: identity.account ?? '-',
        host: identity.host ?? '-',
        side: order.side,
        symbol: order.symbol,
        quantity: order.quantity - order.filledQuantity,
        price: order.price ?? 'market',
      });
    }
    runtime.log.info({ orderId: order.orderId }, 'canceling order');
    const outcome = await spin(runtime, 'Canceling…', engine.cancel(order.orderId));
    runtime.log.info({ order: outcome.order }, 'cancel result');
    return reportOutcome(runtime, outcome, 'Cancel of order');
  });
}
