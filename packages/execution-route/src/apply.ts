import {
  type BrokerOrder,
  type OrderEvent,
  type OrderStatus,
  type OrderTransitionEvent,
  transition,
} from '@qts/order-contract';
import { JournalConflictError } from './journal/conflict.js';
import type { JournalEntry, JournalExpectation, OrderJournal } from './journal/types.js';
import { brokerNumbersOf, type Order, type OrderPatch, totalFills } from './order.js';

/** One change the route made to an order's state, as `reconcile` reports it. */
export interface OrderStatusChange {
  readonly orderId: string;
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly reason: string;
}

/** Log entry shape (compatible with the KIS packages' logger). */
export type RouteLogger = (entry: {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  [field: string]: unknown;
}) => void;

/** What `Applier` needs. */
export interface ApplyContext {
  readonly journal: OrderJournal;
  readonly now: () => string;
  readonly logger: RouteLogger;
}

/**
 * What a write based on `order` expects of the row: the status and version the caller saw.
 * Every route write is a compare-and-set: a view that is no longer current never overwrites.
 */
export function expectationOf(ctx: ApplyContext, order: Order): JournalExpectation {
  const version = ctx.journal.versionOf(order);
  return version === undefined ? { status: order.status } : { status: order.status, version };
}

/**
 * Writes a change that keeps the status (binding numbers, a new status reason) as a
 * compare-and-set against the view it was computed from.
 *
 * @throws {JournalConflictError} when the view is stale.
 */
export function writeOver(
  ctx: ApplyContext,
  order: Order,
  patch: OrderPatch,
  entry: Omit<JournalEntry, 'at'>,
): Order {
  const at = ctx.now();
  return ctx.journal.update(
    order.orderId,
    { ...patch, updatedAt: at },
    { ...entry, at, expect: { ...expectationOf(ctx, order), ...entry.expect } },
  );
}

/**
 * Runs `step` on the order as it is in the journal now; when a write inside it finds the row
 * changed meanwhile (another process wrote), reads it again and runs `step` again. `step` must
 * derive everything from the order it is given (broker facts applied idempotently).
 *
 * @param known - The order as this call last wrote or read it, tried first without a read: its
 *   version is the compare-and-set's expectation, so a row changed since is caught by the write
 *   and `step` runs again over the journal's current state (as it does when `step` returns null
 *   over `known`).
 * @returns What `step` returned, or null when the order does not exist.
 */
export function onFresh<T>(
  ctx: ApplyContext,
  orderId: string,
  step: (order: Order) => T,
  attempts = 10,
  known?: Order,
): T | null {
  let conflict: unknown = null;
  let guess = known !== undefined && ctx.journal.versionOf(known) !== undefined ? known : null;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const order = guess ?? ctx.journal.get(orderId);
    if (order === null) return null;
    try {
      const result = step(order);
      // A step that did nothing over the guess (a move its status does not allow) is judged
      // again over the journal's current state.
      if (guess !== null && result === null) {
        guess = null;
        attempt -= 1;
        continue;
      }
      return result;
    } catch (error) {
      guess = null;
      if (!JournalConflictError.isInstance(error)) throw error;
      conflict = error;
      ctx.logger({
        level: 'debug',
        message: `order ${orderId} changed meanwhile; applying again over the current state`,
        orderId,
      });
    }
  }
  throw conflict;
}

/**
 * Applies a lifecycle event through the contract's `transition` and journals the result in one
 * record, as a compare-and-set on the status and version of `order` (plus `entry.expect`). An
 * impossible move changes nothing (and is logged). Returns the new order, or null.
 *
 * @throws {JournalConflictError} when `order` is no longer the journal's current state.
 */
export function applyTransition(
  ctx: ApplyContext,
  order: Order,
  event: OrderTransitionEvent,
  patch: OrderPatch,
  entry: Omit<JournalEntry, 'at'> & { readonly reason?: string },
  changes?: OrderStatusChange[],
): Order | null {
  const result = transition(order.status, event);
  if (!result.ok) {
    ctx.logger({
      level: 'warn',
      message: `Ignored ${event.type} for order ${order.orderId}: ${result.reason}`,
      orderId: order.orderId,
    });
    return null;
  }
  const at = ctx.now();
  const { reason, ...journalEntry } = entry;
  const after = ctx.journal.update(
    order.orderId,
    {
      ...patch,
      status: result.status,
      updatedAt: at,
      ...(reason === undefined ? {} : { statusReason: reason }),
    },
    { ...journalEntry, at, expect: { ...expectationOf(ctx, order), ...entry.expect } },
  );
  changes?.push({
    orderId: order.orderId,
    from: order.status,
    to: after.status,
    reason: reason ?? entry.cause,
  });
  return after;
}

/**
 * Applies a cumulative fill of one broker number: only when that number's filled quantity grows
 * (a duplicate or replayed fill changes nothing). Returns the new order, or null when nothing changed.
 */
export function applyFill(
  ctx: ApplyContext,
  order: Order,
  brokerOrderId: string,
  filledQuantity: number,
  averagePrice: number | null,
  cause: string,
  changes?: OrderStatusChange[],
): Order | null {
  const before = order.fills[brokerOrderId]?.filledQuantity ?? 0;
  if (!(filledQuantity > before)) return null;
  const fills = { ...order.fills, [brokerOrderId]: { filledQuantity, averagePrice } };
  const total = totalFills(fills);
  if (total.filledQuantity > order.quantity) {
    ctx.logger({
      level: 'error',
      message: `Fill of ${total.filledQuantity} exceeds order ${order.orderId}'s quantity ${order.quantity}; kept aside.`,
      orderId: order.orderId,
    });
    return null;
  }
  return applyTransition(
    ctx,
    order,
    { type: 'fill', filledQuantity: total.filledQuantity, quantity: order.quantity },
    { fills, filledQuantity: total.filledQuantity, averagePrice: total.averagePrice },
    { cause, reason: `filled ${total.filledQuantity} of ${order.quantity}` },
    changes,
  );
}

/**
 * Applies one notice to the order that owns its broker number. Idempotent: duplicate and
 * replayed notices change nothing.
 */
export function applyOrderEvent(
  ctx: ApplyContext,
  order: Order,
  event: Exclude<OrderEvent, { type: 'connection-lost' }>,
): Order | null {
  const cause = `event:${event.type}:${event.source}`;
  switch (event.type) {
    case 'order-accepted': {
      if (order.status !== 'submitted' && order.status !== 'unknown') return null;
      return applyTransition(
        ctx,
        order,
        { type: 'accept' },
        {
          brokerOrderId: order.brokerOrderId ?? event.brokerOrderId,
          brokerBranch: order.brokerBranch ?? event.brokerBranch,
          acceptedAt: order.acceptedAt ?? event.at,
          error: null,
        },
        { cause, owner: null, reason: 'the broker accepted it' },
      );
    }
    case 'order-filled':
      return applyFill(
        ctx,
        order,
        event.brokerOrderId,
        event.filledQuantity,
        event.averagePrice,
        cause,
      );
    case 'order-canceled': {
      if (order.status === 'canceled') return null;
      const linked =
        event.cancelBrokerOrderId !== null &&
        !order.linkedBrokerOrderIds.includes(event.cancelBrokerOrderId)
          ? [...order.linkedBrokerOrderIds, event.cancelBrokerOrderId]
          : order.linkedBrokerOrderIds;
      return applyTransition(
        ctx,
        order,
        { type: 'cancel' },
        {
          cancelBrokerOrderId: event.cancelBrokerOrderId ?? order.cancelBrokerOrderId,
          linkedBrokerOrderIds: linked,
        },
        { cause, owner: null, reason: `canceled ${event.canceledQuantity}` },
      );
    }
    case 'order-modified': {
      if (order.linkedBrokerOrderIds.includes(event.newBrokerOrderId)) return null;
      return applyTransition(
        ctx,
        order,
        { type: 'modify', filledQuantity: order.filledQuantity },
        {
          modifyBrokerOrderId: event.newBrokerOrderId,
          linkedBrokerOrderIds: [...order.linkedBrokerOrderIds, event.newBrokerOrderId],
          quantity: order.filledQuantity + event.quantity,
          price: event.limitPrice,
        },
        { cause, owner: null, reason: 'modified' },
      );
    }
    case 'order-rejected': {
      const error = {
        code: 'BROKER_REJECTED' as const,
        outcome: 'rejected' as const,
        message: event.brokerMessage ?? 'The broker rejected it.',
        brokerCode: event.brokerCode,
        brokerMessage: event.brokerMessage,
        hint: 'Read the broker message; the request was not carried out.',
      };
      if (event.brokerOrderId === order.brokerOrderId) {
        if (order.status === 'rejected') return null;
        return applyTransition(
          ctx,
          order,
          { type: 'reject' },
          { error },
          { cause, owner: null, reason: 'the broker rejected the order' },
        );
      }
      if (event.brokerOrderId === order.cancelBrokerOrderId) {
        return applyTransition(
          ctx,
          order,
          { type: 'cancel-reject', filledQuantity: order.filledQuantity },
          { error },
          { cause, owner: null, reason: 'the broker rejected the cancel' },
        );
      }
      return applyTransition(
        ctx,
        order,
        { type: 'modify-reject', filledQuantity: order.filledQuantity },
        { error },
        { cause, owner: null, reason: 'the broker rejected the modify' },
      );
    }
  }
}

/** Rows of an inquiry that belong to an order: its own row and its modify / cancel rows (transitively). */
export function rowsOf(
  order: Order,
  rows: readonly BrokerOrder[],
): { own: BrokerOrder | undefined; modifies: BrokerOrder[]; cancels: BrokerOrder[] } {
  const own = rows.find((r) => r.kind === 'order' && r.brokerOrderId === order.brokerOrderId);
  const numbers = new Set(brokerNumbersOf(order));
  const modifies: BrokerOrder[] = [];
  const cancels: BrokerOrder[] = [];
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of rows) {
      if (row.kind === 'order' || row.originalBrokerOrderId === null) continue;
      if (
        !numbers.has(row.originalBrokerOrderId) ||
        modifies.includes(row) ||
        cancels.includes(row)
      )
        continue;
      (row.kind === 'modify' ? modifies : cancels).push(row);
      numbers.add(row.brokerOrderId);
      grew = true;
    }
  }
  return { own, modifies, cancels };
}

/**
 * Brings one bound order (broker number known) in line with the broker's inquiry rows of its
 * trading date: acceptance, modifies, fills (cumulative, per number), cancels and rejections.
 */
export function applyBrokerRows(
  ctx: ApplyContext,
  start: Order,
  rows: readonly BrokerOrder[],
  cause: string,
  changes: OrderStatusChange[],
): Order {
  let order = start;
  const { own, modifies, cancels } = rowsOf(order, rows);
  if (own === undefined) return order;
  const step = (next: Order | null) => {
    if (next !== null) order = next;
  };
  if ((order.status === 'submitted' || order.status === 'unknown') && own.status !== 'rejected') {
    step(
      applyTransition(
        ctx,
        order,
        { type: 'accept' },
        { acceptedAt: order.acceptedAt ?? own.orderedAt, error: null },
        { cause, owner: null, reason: `broker inquiry shows order ${own.brokerOrderId}` },
        changes,
      ),
    );
  }
  if (own.status === 'rejected' && order.status !== 'rejected') {
    step(
      applyTransition(
        ctx,
        order,
        { type: 'reject' },
        {},
        { cause, owner: null, reason: 'broker inquiry shows the order rejected' },
        changes,
      ),
    );
    return order;
  }
  // Fills of the order's own number first (before a modify moves the remaining quantity).
  step(
    applyFill(ctx, order, own.brokerOrderId, own.filledQuantity, own.averagePrice, cause, changes),
  );
  for (const row of modifies) {
    if (row.status === 'rejected') {
      if (order.status === 'pending_modify' || order.status === 'modify_unknown') {
        step(
          applyTransition(
            ctx,
            order,
            { type: 'modify-reject', filledQuantity: order.filledQuantity },
            { linkedBrokerOrderIds: addNumber(order, row.brokerOrderId) },
            {
              cause,
              owner: null,
              reason: `broker inquiry shows modify ${row.brokerOrderId} rejected`,
            },
            changes,
          ),
        );
      }
      continue;
    }
    if (!order.linkedBrokerOrderIds.includes(row.brokerOrderId)) {
      step(
        applyTransition(
          ctx,
          order,
          { type: 'modify', filledQuantity: order.filledQuantity },
          {
            modifyBrokerOrderId: row.brokerOrderId,
            linkedBrokerOrderIds: addNumber(order, row.brokerOrderId),
            quantity: order.filledQuantity + row.quantity,
            price: row.limitPrice,
          },
          { cause, owner: null, reason: `broker inquiry shows modify ${row.brokerOrderId}` },
          changes,
        ),
      );
    }
    step(
      applyFill(
        ctx,
        order,
        row.brokerOrderId,
        row.filledQuantity,
        row.averagePrice,
        cause,
        changes,
      ),
    );
  }
  for (const row of cancels) {
    if (!order.linkedBrokerOrderIds.includes(row.brokerOrderId)) {
      order = writeOver(
        ctx,
        order,
        {
          cancelBrokerOrderId: row.brokerOrderId,
          linkedBrokerOrderIds: addNumber(order, row.brokerOrderId),
        },
        { cause },
      );
    }
    if (
      row.status === 'rejected' &&
      (order.status === 'pending_cancel' || order.status === 'cancel_unknown')
    ) {
      step(
        applyTransition(
          ctx,
          order,
          { type: 'cancel-reject', filledQuantity: order.filledQuantity },
          {},
          {
            cause,
            owner: null,
            reason: `broker inquiry shows cancel ${row.brokerOrderId} rejected`,
          },
          changes,
        ),
      );
    }
  }
  const live = modifies.filter((r) => r.status !== 'rejected').at(-1) ?? own;
  if (live.status === 'canceled' && order.status !== 'canceled' && order.status !== 'filled') {
    step(
      applyTransition(
        ctx,
        order,
        { type: 'cancel' },
        {},
        { cause, owner: null, reason: `broker inquiry shows ${live.brokerOrderId} canceled` },
        changes,
      ),
    );
  }
  return order;
}

function addNumber(order: Order, number: string): string[] {
  return order.linkedBrokerOrderIds.includes(number)
    ? [...order.linkedBrokerOrderIds]
    : [...order.linkedBrokerOrderIds, number];
}
