import { brokerNumbersOf, type Order, type OrderPatch } from '../order.js';
import type {
  InsertResult,
  JournalEntry,
  JournalEvent,
  JournalQuery,
  OrderJournal,
} from './types.js';

/** A journal in memory, for tests and throwaway runs. Same semantics as the SQLite one. */
export function createMemoryJournal(): OrderJournal {
  const orders = new Map<string, Order>();
  const owners = new Map<string, string | null>();
  const log: JournalEvent[] = [];
  let seq = 0;
  const append = (
    order: Order,
    from: Order['status'] | null,
    patch: OrderPatch,
    entry: JournalEntry,
  ) => {
    seq += 1;
    log.push({
      seq,
      orderId: order.orderId,
      at: entry.at,
      cause: entry.cause,
      from,
      to: order.status,
      patch: structuredClone(patch),
      data: entry.data === undefined ? null : structuredClone(entry.data),
    });
  };
  return {
    location: ':memory:',
    insert(order: Order, entry: JournalEntry): InsertResult {
      if (order.clientOrderId !== null) {
        for (const existing of orders.values()) {
          if (existing.clientOrderId === order.clientOrderId) {
            return { inserted: false, order: existing };
          }
        }
      }
      if (orders.has(order.orderId)) throw new Error(`Order ${order.orderId} already exists.`);
      const copy = structuredClone(order);
      orders.set(order.orderId, copy);
      owners.set(order.orderId, entry.owner ?? null);
      const { orderId: _id, ...patch } = copy;
      append(copy, null, patch, entry);
      return { inserted: true, order: copy };
    },
    update(orderId: string, patch: OrderPatch, entry: JournalEntry): Order {
      const before = orders.get(orderId);
      if (before === undefined) throw new Error(`No order ${orderId} in the journal.`);
      const after: Order = { ...before, ...structuredClone(patch), orderId };
      orders.set(orderId, after);
      if (entry.owner !== undefined) owners.set(orderId, entry.owner);
      append(after, before.status, patch, entry);
      return after;
    },
    get: (orderId) => orders.get(orderId) ?? null,
    getByClientOrderId(clientOrderId) {
      for (const order of orders.values()) if (order.clientOrderId === clientOrderId) return order;
      return null;
    },
    getByBrokerOrderId(brokerOrderId, tradingDate) {
      let found: Order | null = null;
      for (const order of orders.values()) {
        if (tradingDate !== undefined && order.tradingDate !== tradingDate) continue;
        if (brokerNumbersOf(order).includes(brokerOrderId)) found = order;
      }
      return found;
    },
    list(query: JournalQuery = {}) {
      return [...orders.values()].filter(
        (o) =>
          (query.tradingDate === undefined || o.tradingDate === query.tradingDate) &&
          (query.symbol === undefined || o.symbol === query.symbol) &&
          (query.statuses === undefined || query.statuses.includes(o.status)),
      );
    },
    ownerOf: (orderId) => owners.get(orderId) ?? null,
    events: (orderId) => log.filter((e) => orderId === undefined || e.orderId === orderId),
    close() {},
  };
}
