import { brokerNumbersOf, type Order, type OrderPatch } from '../order.js';
import { checkFollowUp, checkWrite } from './conflict.js';
import type {
  InsertResult,
  JournalEntry,
  JournalEvent,
  JournalFollowUpInput,
  JournalQuery,
  OrderJournal,
} from './types.js';

/** A journal in memory, for tests and throwaway runs. Same semantics as the SQLite one. */
export function createMemoryJournal(): OrderJournal {
  const orders = new Map<string, Order>();
  const owners = new Map<string, string | null>();
  const rowVersions = new Map<string, number>();
  const versions = new WeakMap<Order, number>();
  const handOut = (order: Order): Order => {
    const version = rowVersions.get(order.orderId);
    if (version !== undefined) versions.set(order, version);
    return order;
  };
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
    insert(order: Order, entry: JournalEntry, input?: JournalFollowUpInput): InsertResult {
      if (order.clientOrderId !== null) {
        for (const existing of orders.values()) {
          if (existing.clientOrderId === order.clientOrderId) {
            return { inserted: false, order: handOut(existing) };
          }
        }
      }
      if (orders.has(order.orderId)) throw new Error(`Order ${order.orderId} already exists.`);
      const copy = structuredClone(order);
      const created = entry.owner ?? null;
      // The follow-up is checked as an update of the row just inserted; both records land or
      // neither does (nothing is stored before the check).
      const next = typeof input === 'function' ? input(copy) : input;
      const after: Order =
        next === undefined
          ? copy
          : { ...copy, ...structuredClone(next.patch), orderId: copy.orderId };
      if (next !== undefined) checkFollowUp(copy, created, after, next.entry.expect);
      orders.set(order.orderId, after);
      owners.set(order.orderId, next?.entry.owner === undefined ? created : next.entry.owner);
      const { orderId: _id, ...patch } = copy;
      append(copy, null, patch, entry);
      if (next !== undefined) append(after, copy.status, next.patch, next.entry);
      rowVersions.set(order.orderId, seq);
      return { inserted: true, order: handOut(after) };
    },
    update(orderId: string, patch: OrderPatch, entry: JournalEntry): Order {
      const before = orders.get(orderId);
      if (before === undefined) throw new Error(`No order ${orderId} in the journal.`);
      const after: Order = { ...before, ...structuredClone(patch), orderId };
      checkWrite(
        before,
        rowVersions.get(orderId) ?? 0,
        owners.get(orderId) ?? null,
        after,
        entry.expect,
      );
      orders.set(orderId, after);
      if (entry.owner !== undefined) owners.set(orderId, entry.owner);
      append(after, before.status, patch, entry);
      rowVersions.set(orderId, seq);
      return handOut(after);
    },
    get: (orderId) => {
      const order = orders.get(orderId);
      return order === undefined ? null : handOut(order);
    },
    read(orderId) {
      const order = orders.get(orderId);
      if (order === undefined) return null;
      return {
        order: handOut(order),
        version: rowVersions.get(orderId) ?? 0,
        owner: owners.get(orderId) ?? null,
      };
    },
    versionOf: (order) => versions.get(order),
    getByClientOrderId(clientOrderId) {
      for (const order of orders.values()) {
        if (order.clientOrderId === clientOrderId) return handOut(order);
      }
      return null;
    },
    getByBrokerOrderId(brokerOrderId, tradingDate) {
      let found: Order | null = null;
      for (const order of orders.values()) {
        if (tradingDate !== undefined && order.tradingDate !== tradingDate) continue;
        if (brokerNumbersOf(order).includes(brokerOrderId)) found = order;
      }
      return found === null ? null : handOut(found);
    },
    list(query: JournalQuery = {}) {
      return [...orders.values()]
        .filter(
          (o) =>
            (query.tradingDate === undefined || o.tradingDate === query.tradingDate) &&
            (query.symbol === undefined || o.symbol === query.symbol) &&
            (query.statuses === undefined || query.statuses.includes(o.status)),
        )
        .map(handOut);
    },
    ownerOf: (orderId) => owners.get(orderId) ?? null,
    events: (orderId) => log.filter((e) => orderId === undefined || e.orderId === orderId),
    close() {},
  };
}
