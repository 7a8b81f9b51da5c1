// What every part of the route shares: the injected adapter and journal, the clock, the owner
// token of this process, and the small helpers the parts have in common.
import { randomBytes } from 'node:crypto';
import {
  type OrderAdapter,
  type OrderEvent,
  type OrderRef,
  type OrderStatus,
  OutcomeUnknownError,
  QtsError,
  RouteUnavailableError,
} from '@qts/order-contract';
import { type ApplyContext, applyTransition, onFresh, type RouteLogger } from './apply.js';
import { RouteRefusedError } from './errors.js';
import type { OrderJournal } from './journal/types.js';
import type { Order, RouteMode } from './order.js';
import { divisionInfoOf } from './order.js';
import { ownerAlive as defaultOwnerAlive, newOwnerToken } from './owner.js';
import { createDayBands, type DayBands } from './submit/day-bands.js';
import type { ExecutionRouteOptions, RouteResult } from './types.js';

/** The state the route's parts share. */
export interface RouteContext extends ApplyContext {
  readonly adapter: OrderAdapter;
  readonly journal: OrderJournal;
  readonly mode: RouteMode;
  readonly clock: () => number;
  readonly ids: () => string;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly skewMs: number;
  readonly windowMs: number;
  /** This process's owner token for in-flight records. */
  readonly self: string;
  readonly ownerAlive: (owner: string) => boolean;
  readonly checkpoint: ExecutionRouteOptions['checkpoint'];
  /** Whether submit checks a limit price against the adapter's quote. */
  readonly dailyLimitCheck: boolean;
  /** The day's price bands already quoted, per symbol. */
  readonly dayBands: DayBands;
  /** Whether submit checks an order's division and venue against their hours. */
  readonly orderWindowCheck: boolean;
  /** Notices no journal order owns yet (newest last, at most 100). */
  readonly strays: OrderEvent[];
}

export const OPEN_STATUSES: readonly OrderStatus[] = [
  'accepted',
  'partially_filled',
  'pending_cancel',
  'pending_modify',
  'cancel_unknown',
  'modify_unknown',
];
export const IN_FLIGHT: readonly OrderStatus[] = [
  'pending',
  'submitted',
  'pending_cancel',
  'pending_modify',
];

/** Random hex from one 4 KiB draw at a time (a draw per id costs more than the rest of the id). */
function randomHex(): (bytes: number) => string {
  let pool = randomBytes(4_096);
  let at = 0;
  return (bytes) => {
    if (at + bytes > pool.length) {
      pool = randomBytes(4_096);
      at = 0;
    }
    at += bytes;
    return pool.toString('hex', at - bytes, at);
  };
}

function defaultIds(clock: () => number): () => string {
  let last = '';
  let n = 0;
  const hex = randomHex();
  return () => {
    const time = clock().toString(36).padStart(9, '0');
    n = time === last ? n + 1 : 0;
    last = time;
    return `o-${time}-${n.toString(36)}${hex(3)}`;
  };
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Builds the shared context from the route's options (defaults applied). */
export function createRouteContext(options: ExecutionRouteOptions): RouteContext {
  const clock = options.clock ?? Date.now;
  const logger: RouteLogger = options.logger ?? (() => {});
  return {
    adapter: options.adapter,
    journal: options.journal,
    mode: options.mode,
    clock,
    now: () => new Date(clock()).toISOString(),
    logger,
    dailyLimitCheck: options.dailyLimitCheck ?? true,
    // Virtual quotes cost no request, and `qts virtual price` may move a symbol's band at any
    // time: a virtual route keeps bands in its own memory only.
    dayBands: createDayBands(options.mode === 'virtual' ? undefined : options.journal.dayBands),
    orderWindowCheck: options.orderWindowCheck ?? true,
    ids: options.ids ?? defaultIds(clock),
    sleep: options.sleep ?? defaultSleep,
    skewMs: options.clockSkewMs ?? 5_000,
    windowMs: options.evidenceWindowMs ?? 300_000,
    self: newOwnerToken(),
    ownerAlive: options.ownerAlive ?? defaultOwnerAlive,
    checkpoint: options.checkpoint,
    strays: [],
  };
}

export function asQtsError(error: unknown): QtsError {
  if (QtsError.isInstance(error)) return error;
  // An adapter error we cannot classify may have happened after sending: never assume not sent.
  return new OutcomeUnknownError(
    `The adapter failed with an unclassified error (${error instanceof Error ? error.name : typeof error}); the request may have reached the broker.`,
    { cause: error },
  );
}

export function asInquiryError(error: unknown): QtsError {
  if (QtsError.isInstance(error)) return error;
  return new RouteUnavailableError(
    `The broker inquiry failed (${error instanceof Error ? error.message : String(error)}); the journal was left as it was.`,
    { cause: error, hint: 'Check the network and the broker URL, then run `qts orders` again.' },
  );
}

export function findOrder(ctx: RouteContext, orderId: string): Order {
  const order = ctx.journal.get(orderId);
  if (order === null) {
    throw new RouteRefusedError('UNKNOWN_ORDER_ID', `No order ${orderId} in this journal.`, {
      hint: 'Check the id with `qts orders`; nothing was sent.',
    });
  }
  return order;
}

/** The broker reference of an order's live number (the latest modify's, else its own). */
export function refOf(order: Order): OrderRef {
  const brokerOrderId = order.modifyBrokerOrderId ?? order.brokerOrderId;
  if (brokerOrderId === null) throw new Error('unreachable: order without broker number');
  return {
    brokerOrderId,
    brokerBranch: order.brokerBranch,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    quantity: order.quantity - order.filledQuantity,
    limitPrice: order.price,
    tradingDate: order.tradingDate,
    // The division and venue: KIS cancels and modifies an order with its own ORD_DVSN and venue.
    ...divisionInfoOf(order),
  };
}

/**
 * Records a failed place / cancel / modify on the order as it is now (compare-and-set; applied
 * again over a newer state when another process wrote meanwhile).
 */
export function recordFailure(
  ctx: RouteContext,
  orderId: string,
  error: QtsError,
  what: 'place' | 'cancel' | 'modify',
): RouteResult {
  const info = error.toJSON();
  const events = {
    place: { not_placed: 'send-failed', rejected: 'reject', unknown: 'outcome-unknown' },
    cancel: { not_placed: 'cancel-reject', rejected: 'cancel-reject', unknown: 'cancel-unknown' },
    modify: { not_placed: 'modify-reject', rejected: 'modify-reject', unknown: 'modify-unknown' },
  } as const;
  const type = events[what][error.outcome];
  const reason =
    error.outcome === 'unknown'
      ? `${what} sent without a definite answer (${error.code}): reconcile, never resend`
      : error.outcome === 'rejected'
        ? `the broker refused the ${what} (${error.brokerCode ?? error.code})`
        : `${what} not sent (${error.code})`;
  const after = onFresh(ctx, orderId, (order) =>
    applyTransition(
      ctx,
      order,
      type === 'cancel-reject' || type === 'modify-reject'
        ? { type, filledQuantity: order.filledQuantity }
        : { type },
      { error: info },
      {
        cause: `${what}-error`,
        owner: null,
        reason,
        data: { code: error.code, outcome: error.outcome },
      },
    ),
  );
  ctx.logger({
    level: 'warn',
    message: `${what} failed: ${error.code}`,
    orderId,
    outcome: error.outcome,
  });
  const order = after ?? ctx.journal.get(orderId);
  if (order === null) throw new Error(`unreachable: order ${orderId} vanished`);
  return { order, error };
}
