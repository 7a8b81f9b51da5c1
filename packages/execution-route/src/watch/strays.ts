// Notices whose broker number no journal order owns yet, keyed by (trading date, number): KIS
// order numbers restart every trading day, so a number alone names no order.
import { type OrderEvent, seoulDate } from '@qts/order-contract';
import { applyOrderEvent, onFresh } from '../apply.js';
import type { RouteContext } from '../context.js';
import { brokerNumbersOf, type Order } from '../order.js';

type Notice = Exclude<OrderEvent, { type: 'connection-lost' }>;

/** The trading date (Asia/Seoul) a notice belongs to: the day of its time, else today. */
export function noticeTradingDate(ctx: RouteContext, event: Notice): string {
  const at = Date.parse(event.at);
  return seoulDate(new Date(Number.isNaN(at) ? ctx.clock() : at));
}

/** Keeps a notice aside (at most 100, oldest dropped). */
export function keepStray(ctx: RouteContext, event: Notice): void {
  ctx.strays.push(event);
  if (ctx.strays.length > 100) ctx.strays.shift();
  ctx.logger({
    level: 'info',
    message: `notice for broker order ${event.brokerOrderId} that no journal order owns; kept aside`,
    type: event.type,
  });
}

/** Applies the notices kept aside for this order's numbers on its trading date; true if any. */
export function adoptStrays(ctx: RouteContext, order: Order): boolean {
  if (ctx.strays.length === 0) return false;
  let adopted = false;
  const numbers = brokerNumbersOf(order);
  for (let i = 0; i < ctx.strays.length; ) {
    const event = ctx.strays[i]!;
    if (
      event.type !== 'connection-lost' &&
      numbers.includes(event.brokerOrderId) &&
      noticeTradingDate(ctx, event) === order.tradingDate
    ) {
      ctx.strays.splice(i, 1);
      adopted = true;
      onFresh(ctx, order.orderId, (current) => applyOrderEvent(ctx, current, event));
    } else {
      i += 1;
    }
  }
  return adopted;
}
