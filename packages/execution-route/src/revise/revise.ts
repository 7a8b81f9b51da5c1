// cancel and modify: one path. Check the order, journal the request (write-ahead, compare-and-
// set), send once, record the answer; when the broker refuses, look at the order once at the
// broker and tell the truth (e.g. it filled before the cancel).
import {
  BrokerRejectedError,
  InvalidOrderError,
  type OrderAck,
  OrderAckSchema,
  type OrderChange,
  type QtsError,
  type RejectionCode,
  revisionIssue,
} from '@qts/order-contract';
import * as v from 'valibot';
import { applyBrokerRows, applyTransition, type OrderStatusChange, onFresh } from '../apply.js';
import { asQtsError, findOrder, type RouteContext, recordFailure, refOf } from '../context.js';
import { RouteRefusedError } from '../errors.js';
import { parseOrderIntent } from '../intent.js';
import { divisionInfoOf, hasDivisionInfo, type Order } from '../order.js';
import { inquire } from '../reconcile/inquire.js';
import type { RouteResult } from '../types.js';

/** One revision: what to check before, how to send it, and what its acceptance changes. */
interface Revision {
  readonly what: 'cancel' | 'modify';
  /** Throws a RouteRefusedError / InvalidOrderError when the order cannot take it now. */
  check(order: Order): void;
  /** The one request to the broker. */
  transmitRevision(order: Order, signal: AbortSignal | undefined): Promise<unknown>;
  accepted(current: Order, ack: OrderAck): Order | null;
}

const CANCELABLE = ['accepted', 'partially_filled', 'cancel_unknown'];

/**
 * Broker refusals after which one inquiry can tell what really happened to the order:
 * ORDER_NOT_OPEN (the adapter saw nothing left: filled or canceled first) and
 * REVISION_INCOMPLETE (a two-step KIS modify did its first step only) included.
 */
const CHECK_AFTER: readonly string[] = [
  'BROKER_REJECTED',
  'ORDER_NOT_FOUND',
  'ORDER_NOT_OPEN',
  'REVISION_INCOMPLETE',
];

function won(n: number | null): string {
  return n === null ? '?' : Math.round(n).toLocaleString('en-US');
}

/**
 * A cancel or modify the order's division does not allow (an IOC / FOK order never rests; an
 * exchange-priced order takes no new price): InvalidOrderError, nothing sent. Plain orders are
 * checked as before (by the revision's own checks).
 */
function checkDivision(
  order: Order,
  action: { readonly kind: 'cancel' } | { readonly kind: 'modify'; readonly limitPrice?: number },
): void {
  if (!hasDivisionInfo(order)) return;
  const issue = revisionIssue({ type: order.type, ...divisionInfoOf(order) }, action);
  if (issue !== null) throw new InvalidOrderError([issue]);
}

async function revise(
  ctx: RouteContext,
  orderId: string,
  revision: Revision,
  signal: AbortSignal | undefined,
): Promise<RouteResult> {
  const { what } = revision;
  // The request record is a compare-and-set on the order as checked: if another process changed
  // it meanwhile, check again over the new state (nothing has been sent yet).
  const pending = onFresh(ctx, findOrder(ctx, orderId).orderId, (order) => {
    revision.check(order);
    return applyTransition(
      ctx,
      order,
      { type: what === 'cancel' ? 'cancel-request' : 'modify-request' },
      {},
      { cause: what, owner: ctx.self, durable: true },
    );
  });
  if (pending === null) throw new Error(`unreachable: ${what}-request refused`);
  let error: QtsError;
  try {
    // An answer that does not validate throws here and is recorded as unknown.
    const ack = v.parse(OrderAckSchema, await revision.transmitRevision(pending, signal));
    const done = onFresh(ctx, orderId, (current) => revision.accepted(current, ack));
    return { order: done ?? ctx.journal.get(orderId) ?? pending };
  } catch (thrown) {
    error = asQtsError(thrown);
  }
  const failed = recordFailure(ctx, orderId, error, what);
  if (error.outcome !== 'rejected' || !CHECK_AFTER.includes(error.code)) return failed;
  return checkAfterRefusal(ctx, failed, error, what, signal);
}

/**
 * The broker refused a revision (e.g. KIS "정정/취소할 수량이 없습니다": nothing left to revise).
 * Our view may be stale: one inquiry of the order's trading date brings it in line, and the
 * error says what the broker really has.
 */
async function checkAfterRefusal(
  ctx: RouteContext,
  failed: RouteResult,
  error: QtsError,
  what: 'cancel' | 'modify',
  signal: AbortSignal | undefined,
): Promise<RouteResult> {
  const before = failed.order;
  let after: Order;
  try {
    const { rows } = await inquire(ctx, before.tradingDate, signal);
    const changes: OrderStatusChange[] = [];
    after =
      onFresh(ctx, before.orderId, (current) =>
        applyBrokerRows(ctx, current, rows, `${what}-check`, changes),
      ) ?? before;
  } catch (thrown) {
    ctx.logger({
      level: 'warn',
      message: `inquiry after the refused ${what} failed: ${asQtsError(thrown).code}`,
      orderId: before.orderId,
    });
    return failed;
  }
  let truth: string | null = null;
  if (after.status === 'filled') {
    truth = `filled ${after.filledQuantity} @ ${won(after.averagePrice)} before your ${what}`;
  } else if (after.status === 'canceled') {
    truth = `was already canceled${after.filledQuantity > 0 ? ` after ${after.filledQuantity} filled @ ${won(after.averagePrice)}` : ''} before your ${what}`;
  } else if (after.filledQuantity > before.filledQuantity) {
    truth = `filled ${after.filledQuantity} of ${after.quantity} @ ${won(after.averagePrice)} before your ${what}; it is ${after.status}`;
  }
  if (truth === null) return { order: after, error };
  const told = new BrokerRejectedError(
    error.code as RejectionCode,
    `The broker refused the ${what} of order ${after.orderId}: it ${truth}. (${error.message})`,
    {
      brokerCode: error.brokerCode,
      brokerMessage: error.brokerMessage,
      hint: `Nothing is left to ${what}; the journal now shows the broker's state (\`qts orders\`).`,
    },
  );
  return { order: after, error: told };
}

/** Cancels an order's remaining quantity. */
export function cancel(
  ctx: RouteContext,
  orderId: string,
  options: { signal?: AbortSignal } = {},
): Promise<RouteResult> {
  return revise(
    ctx,
    orderId,
    {
      what: 'cancel',
      check(order) {
        checkDivision(order, { kind: 'cancel' });
        if (order.status === 'pending_modify' || order.status === 'modify_unknown') {
          throw new RouteRefusedError(
            'MODIFY_OUTCOME_UNKNOWN',
            `Order ${orderId} has a modify whose outcome is ${order.status === 'pending_modify' ? 'not answered yet' : 'unknown'}: a cancel now would go to the number before the modify and could miss the live order. Nothing was sent.`,
            {
              hint: 'Run `qts orders` to reconcile the modify first, then cancel.',
              orderIds: [orderId],
            },
          );
        }
        if (order.brokerOrderId === null || !CANCELABLE.includes(order.status)) {
          throw new RouteRefusedError(
            'ORDER_NOT_CANCELABLE',
            `Order ${orderId} is ${order.status}${order.brokerOrderId === null ? ' without a broker order number' : ''}; it cannot be canceled now. Nothing was sent.`,
            {
              hint:
                order.status === 'unknown'
                  ? 'Run `qts orders` to reconcile it first.'
                  : 'Check its status with `qts orders`.',
              orderIds: [orderId],
            },
          );
        }
      },
      transmitRevision: (order, signal) =>
        ctx.adapter.cancelOrder(refOf(order), signal === undefined ? {} : { signal }),
      accepted(current, ack) {
        const linked = current.linkedBrokerOrderIds.includes(ack.brokerOrderId)
          ? current.linkedBrokerOrderIds
          : [...current.linkedBrokerOrderIds, ack.brokerOrderId];
        return applyTransition(
          ctx,
          current,
          { type: 'cancel' },
          { cancelBrokerOrderId: ack.brokerOrderId, linkedBrokerOrderIds: linked, error: null },
          { cause: 'cancel-ack', owner: null, reason: `cancel ${ack.brokerOrderId} accepted` },
        );
      },
    },
    options.signal,
  );
}

/** Modifies an order's price and / or remaining quantity. */
export function modify(
  ctx: RouteContext,
  orderId: string,
  change: OrderChange,
  options: { signal?: AbortSignal } = {},
): Promise<RouteResult> {
  const { adapter } = ctx;
  return revise(
    ctx,
    orderId,
    {
      what: 'modify',
      check(order) {
        checkDivision(order, {
          kind: 'modify',
          ...(change.limitPrice === undefined ? {} : { limitPrice: change.limitPrice }),
        });
        if (!adapter.capabilities.modify) {
          throw new RouteRefusedError(
            'ORDER_NOT_MODIFIABLE',
            `The ${adapter.name} broker does not support modify; nothing was sent.`,
            { orderIds: [orderId] },
          );
        }
        if (
          order.brokerOrderId === null ||
          !['accepted', 'partially_filled'].includes(order.status)
        ) {
          throw new RouteRefusedError(
            'ORDER_NOT_MODIFIABLE',
            `Order ${orderId} is ${order.status}; it cannot be modified now. Nothing was sent.`,
            { orderIds: [orderId] },
          );
        }
        const issues: string[] = [];
        if (change.limitPrice === undefined && change.quantity === undefined)
          issues.push('Give a new price or a new remaining quantity.');
        if (
          change.quantity !== undefined &&
          (!Number.isInteger(change.quantity) || change.quantity < 1)
        )
          issues.push('The new remaining quantity must be a whole number of at least 1.');
        if (order.type === 'market' && change.limitPrice !== undefined)
          issues.push('A market order has no price to modify.');
        if (issues.length === 0 && change.limitPrice !== undefined) {
          // The new price must satisfy the KRX rules (tick) like a new order; throws InvalidOrderError.
          parseOrderIntent(
            {
              symbol: order.symbol,
              side: order.side,
              quantity: change.quantity ?? order.quantity - order.filledQuantity,
              type: 'limit',
              limitPrice: change.limitPrice,
              ...(order.productType === null ? {} : { productType: order.productType }),
            },
            orderId,
          );
        }
        if (issues.length > 0) {
          throw new InvalidOrderError(
            issues.map((message) => ({
              field: 'quantity' as const,
              code: 'modify-invalid',
              message,
            })),
          );
        }
      },
      transmitRevision: (order, signal) =>
        adapter.modifyOrder(refOf(order), change, signal === undefined ? {} : { signal }),
      accepted(current, ack) {
        const remaining = change.quantity ?? current.quantity - current.filledQuantity;
        return applyTransition(
          ctx,
          current,
          { type: 'modify', filledQuantity: current.filledQuantity },
          {
            modifyBrokerOrderId: ack.brokerOrderId,
            linkedBrokerOrderIds: current.linkedBrokerOrderIds.includes(ack.brokerOrderId)
              ? current.linkedBrokerOrderIds
              : [...current.linkedBrokerOrderIds, ack.brokerOrderId],
            quantity: current.filledQuantity + remaining,
            price: change.limitPrice ?? current.price,
            error: null,
          },
          { cause: 'modify-ack', owner: null, reason: `modify ${ack.brokerOrderId} accepted` },
        );
      },
    },
    options.signal,
  );
}
