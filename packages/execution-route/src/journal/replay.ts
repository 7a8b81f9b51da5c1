import * as v from 'valibot';
import { type Order, OrderSchema } from '../order.js';
import type { JournalEvent } from './types.js';

/**
 * Derives every order's current state from the event log alone (fold of the patches). Used to
 * prove the log is complete, and to rebuild the state table if ever needed.
 *
 * @param events The log, oldest first.
 * @returns The orders, in creation order.
 */
export function replayJournal(events: readonly JournalEvent[]): Order[] {
  const orders = new Map<string, Order>();
  for (const event of events) {
    const before = orders.get(event.orderId);
    if (before === undefined) {
      orders.set(event.orderId, v.parse(OrderSchema, { ...event.patch, orderId: event.orderId }));
    } else {
      orders.set(event.orderId, { ...before, ...event.patch, orderId: event.orderId });
    }
  }
  return [...orders.values()];
}
