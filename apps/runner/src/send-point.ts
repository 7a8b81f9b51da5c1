// The send point of a place / cancel / modify: the moment the adapter is asked to reach the
// broker. Before it, a failure means nothing was sent (exit 1 or 2); from it on, a failure the
// route did not classify means the request may have reached the broker (exit 4, with the order).
import type { OrderAdapter } from '@qts/order-contract';

const SENDING = new Set<PropertyKey>(['placeOrder', 'cancelOrder', 'modifyOrder']);

/** An adapter that remembers whether a place, cancel or modify was handed to it. */
export interface SendTracker<A extends OrderAdapter> {
  readonly adapter: A;
  /** True once a sending call started since the last `reset`. */
  sent(): boolean;
  /** The local order id of the last place request (`clientOrderId` of the request), or null. */
  lastPlacedOrderId(): string | null;
  /** Forgets earlier calls (before each command's route call). */
  reset(): void;
}

/** Wraps an adapter; every other member passes through unchanged (bound to the adapter). */
export function trackSends<A extends OrderAdapter>(adapter: A): SendTracker<A> {
  let sent = false;
  let placed: string | null = null;
  const proxy = new Proxy(adapter, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (!SENDING.has(property)) return bound;
      return (...args: unknown[]) => {
        sent = true;
        if (property === 'placeOrder') {
          const request = args[0] as { clientOrderId?: unknown } | undefined;
          placed = typeof request?.clientOrderId === 'string' ? request.clientOrderId : null;
        }
        return bound(...args);
      };
    },
  });
  return {
    adapter: proxy,
    sent: () => sent,
    lastPlacedOrderId: () => placed,
    reset: () => {
      sent = false;
      placed = null;
    },
  };
}
