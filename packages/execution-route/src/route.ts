import { randomBytes } from 'node:crypto';
import {
  type BrokerOrder,
  BrokerOrderSchema,
  type OrderChange as ContractOrderChange,
  InvalidOrderError,
  OrderAckSchema,
  type OrderAdapter,
  type OrderEvent,
  OrderEventSchema,
  type OrderRef,
  type OrderStatus,
  OutcomeUnknownError,
  QtsError,
  RouteUnavailableError,
  seoulDate,
} from '@qts/order-contract';
import * as v from 'valibot';
import {
  type ApplyContext,
  applyBrokerRows,
  applyOrderEvent,
  applyTransition,
  type OrderChange,
  type RouteLogger,
} from './apply.js';
import { RouteRefusedError } from './errors.js';
import { type OrderIntent, parseOrderIntent } from './intent.js';
import type { OrderJournal } from './journal/types.js';
import { brokerNumbersOf, type Order, orderFingerprint, type RouteMode } from './order.js';

/** Points of `submit` where a crash test can stop the process (see `checkpoint`). */
export type RouteCheckpoint = 'before-journal' | 'journaled' | 'before-send' | 'answered';

/** Options of `createExecutionRoute`. */
export interface ExecutionRouteOptions {
  /** The broker, injected (virtual, KIS...). */
  readonly adapter: OrderAdapter;
  /** Where every order and transition is recorded. */
  readonly journal: OrderJournal;
  readonly mode: RouteMode;
  /** Milliseconds since the epoch. @defaultValue Date.now */
  readonly clock?: () => number;
  /** New local order ids. @defaultValue time-ordered random ids */
  readonly ids?: () => string;
  readonly logger?: RouteLogger;
  /** Waits (watch backoff and polling). Must resolve early, without throwing, when the signal aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Allowed clock difference between us and the broker when matching an unknown order. @defaultValue 5000 */
  readonly clockSkewMs?: number;
  /** How long after sending an inquiry must be made before `not_found` is allowed. @defaultValue 300000 (5 min) */
  readonly evidenceWindowMs?: number;
  /** Whether the process that owns an in-flight record still runs. @defaultValue a pid check */
  readonly ownerAlive?: (owner: string) => boolean;
  /** Called at each step of `submit` (crash tests stop the process here). */
  readonly checkpoint?: (point: RouteCheckpoint, order: Order | null) => void | Promise<void>;
}

/** Options of `submit`. */
export interface SubmitOptions {
  /** Send even when an `unknown` order has the same fingerprint. */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
}

/** What `submit`, `cancel` and `modify` return: the order whatever happened, and the error if any. */
export interface RouteResult {
  readonly order: Order;
  /** Present when the call did not succeed; its `outcome` says whether anything reached the broker. */
  readonly error?: QtsError;
  /** True when the intent id was already journaled: the existing order, nothing sent. */
  readonly replayed?: boolean;
}

/** Which orders `orders` lists. */
export interface RouteOrdersQuery {
  /** YYYYMMDD (Asia/Seoul). */
  readonly tradingDate?: string;
  readonly statuses?: readonly OrderStatus[];
  readonly symbol?: string;
}

/** What `watch` reports about its connection. */
export interface WatchStatus {
  readonly state: 'connecting' | 'listening' | 'reconnecting' | 'polling' | 'stopped';
  readonly attempt: number;
  /** The wait before the next attempt, for `reconnecting` / `polling`. */
  readonly delayMs?: number;
  readonly reason?: string;
}

/** Options of `watch`. */
export interface WatchOptions {
  /** Stops watching; `watch` resolves once everything it opened is closed. */
  readonly signal: AbortSignal;
  /** Each notice, with the order that owns its broker number as it is now (null for an unknown number). */
  readonly onEvent?: (event: OrderEvent, order: Order | null) => void;
  readonly onStatus?: (status: WatchStatus) => void;
  /** Polling interval when notices are unavailable. @defaultValue 5000 */
  readonly pollIntervalMs?: number;
  /** Reconnect backoff: first delay, doubling up to the max. @defaultValue 500 / 30000 */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
}

/** The runtime execution route. */
export interface ExecutionRoute {
  readonly mode: RouteMode;
  readonly journal: OrderJournal;
  /** What the route fixed when it opened (records left in flight by a process that died). */
  readonly recovered: readonly OrderChange[];
  /** Validates, journals (write-ahead), sends once, and records the answer. */
  submit(intent: OrderIntent | unknown, options?: SubmitOptions): Promise<RouteResult>;
  cancel(orderId: string, options?: { signal?: AbortSignal }): Promise<RouteResult>;
  modify(
    orderId: string,
    change: ContractOrderChange,
    options?: { signal?: AbortSignal },
  ): Promise<RouteResult>;
  orders(query?: RouteOrdersQuery): Order[];
  order(orderId: string): Order | null;
  /** Brings unknown, open and abandoned orders in line with the broker's inquiry. Never sends orders. */
  reconcile(options?: { signal?: AbortSignal }): Promise<OrderChange[]>;
  /** Receives results until the signal aborts. Never places, cancels or modifies. */
  watch(options: WatchOptions): Promise<void>;
  /** Notices whose broker number no journal order owns (kept aside, newest last, at most 100). */
  strays(): readonly OrderEvent[];
}

const OPEN_STATUSES: readonly OrderStatus[] = [
  'accepted',
  'partially_filled',
  'pending_cancel',
  'pending_modify',
  'cancel_unknown',
  'modify_unknown',
];
const IN_FLIGHT: readonly OrderStatus[] = [
  'pending',
  'submitted',
  'pending_cancel',
  'pending_modify',
];

function defaultIds(clock: () => number): () => string {
  let last = '';
  let n = 0;
  return () => {
    const time = clock().toString(36).padStart(9, '0');
    n = time === last ? n + 1 : 0;
    last = time;
    return `o-${time}-${n.toString(36)}${randomBytes(3).toString('hex')}`;
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

/** Owner tokens of the routes created in this process (a record of our own pid with another token is a previous process's: containers reuse pids). */
const LIVE_OWNERS = new Set<string>();

function pidAlive(owner: string): boolean {
  if (LIVE_OWNERS.has(owner)) return true;
  const pid = Number(owner.split(':')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function asQtsError(error: unknown): QtsError {
  if (QtsError.isInstance(error)) return error;
  // An adapter error we cannot classify may have happened after sending: never assume not sent.
  return new OutcomeUnknownError(
    `The adapter failed with an unclassified error (${error instanceof Error ? error.name : typeof error}); the request may have reached the broker.`,
    { cause: error },
  );
}

/**
 * Creates the execution route over an injected adapter and journal. Opening it recovers records
 * left in flight by a process that died (`recovered`): `pending` (journaled, never sent) becomes
 * `failed`; `submitted` becomes `unknown` (reconcile it); a pending cancel / modify becomes
 * cancel_unknown / modify_unknown.
 */
export function createExecutionRoute(options: ExecutionRouteOptions): ExecutionRoute {
  const { adapter, journal, mode } = options;
  const clock = options.clock ?? Date.now;
  const ids = options.ids ?? defaultIds(clock);
  const logger: RouteLogger = options.logger ?? (() => {});
  const sleep = options.sleep ?? defaultSleep;
  const skewMs = options.clockSkewMs ?? 5_000;
  const windowMs = options.evidenceWindowMs ?? 300_000;
  const self = `${process.pid}:${randomBytes(6).toString('hex')}`;
  LIVE_OWNERS.add(self);
  const ownerAlive = options.ownerAlive ?? pidAlive;
  const checkpoint = options.checkpoint;
  const now = () => new Date(clock()).toISOString();
  const ctx: ApplyContext = { journal, now, logger };
  const strays: OrderEvent[] = [];

  const recoverAbandoned = (): OrderChange[] => {
    const changes: OrderChange[] = [];
    for (const order of journal.list({ statuses: IN_FLIGHT })) {
      const owner = journal.ownerOf(order.orderId);
      if (owner !== null && ownerAlive(owner)) continue;
      const died = 'the process that sent it stopped';
      if (order.status === 'pending') {
        const error = new RouteUnavailableError(
          `The process that journaled order ${order.orderId} stopped before sending it; nothing was sent.`,
          { code: 'ABORTED' },
        );
        applyTransition(
          ctx,
          order,
          { type: 'send-failed' },
          { error: error.toJSON() },
          { cause: 'recovery', owner: null, reason: `${died} before sending: never sent` },
          changes,
        );
      } else if (order.status === 'submitted') {
        const error = new OutcomeUnknownError(
          `The process that sent order ${order.orderId} stopped before recording the answer.`,
        );
        applyTransition(
          ctx,
          order,
          { type: 'outcome-unknown' },
          { error: error.toJSON() },
          {
            cause: 'recovery',
            owner: null,
            reason: `${died} after sending, before the answer was recorded: reconcile`,
          },
          changes,
        );
      } else {
        applyTransition(
          ctx,
          order,
          { type: order.status === 'pending_cancel' ? 'cancel-unknown' : 'modify-unknown' },
          {},
          { cause: 'recovery', owner: null, reason: `${died} during the request: reconcile` },
          changes,
        );
      }
    }
    return changes;
  };

  const recovered = recoverAbandoned();
  for (const change of recovered) logger({ level: 'warn', message: 'recovered', ...change });

  const findOrder = (orderId: string): Order => {
    const order = journal.get(orderId);
    if (order === null) {
      throw new RouteRefusedError('UNKNOWN_ORDER_ID', `No order ${orderId} in this journal.`, {
        hint: 'Check the id with `qts orders`; nothing was sent.',
      });
    }
    return order;
  };

  const refOf = (order: Order): OrderRef => {
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
    };
  };

  const submit = async (
    input: unknown,
    submitOptions: SubmitOptions = {},
  ): Promise<RouteResult> => {
    const orderId = ids();
    const { intent, request } = parseOrderIntent(input, orderId);
    const fingerprint = orderFingerprint({
      symbol: request.symbol,
      side: request.side,
      quantity: request.quantity,
      type: request.type,
      price: request.limitPrice ?? null,
    });
    if (intent.intentId !== undefined) {
      const existing = journal.getByClientOrderId(intent.intentId);
      if (existing !== null) return replay(existing, fingerprint);
    }
    const unknown = journal
      .list({ statuses: ['unknown'], symbol: request.symbol })
      .filter((o) => orderFingerprint(o) === fingerprint);
    if (unknown.length > 0 && submitOptions.force !== true) {
      throw new RouteRefusedError(
        'UNKNOWN_ORDER_FINGERPRINT',
        `Order ${unknown.map((o) => o.orderId).join(', ')} with the same symbol, side, quantity and price has an unknown outcome; sending again could double it. Nothing was sent.`,
        {
          hint: 'Run `qts orders` to reconcile first, or pass --force if you really want a second order.',
          orderIds: unknown.map((o) => o.orderId),
        },
      );
    }
    if (submitOptions.signal?.aborted === true) {
      throw new RouteUnavailableError('Aborted before anything was journaled or sent.', {
        code: 'ABORTED',
      });
    }
    await checkpoint?.('before-journal', null);
    const at = now();
    const order: Order = {
      orderId,
      clientOrderId: intent.intentId ?? null,
      brokerOrderId: null,
      brokerBranch: null,
      status: 'pending',
      statusReason:
        unknown.length > 0
          ? `forced past unknown ${unknown.map((o) => o.orderId).join(', ')}`
          : null,
      symbol: request.symbol,
      side: request.side,
      quantity: request.quantity,
      price: request.limitPrice ?? null,
      type: request.type,
      productType: request.productType ?? null,
      mode,
      filledQuantity: 0,
      averagePrice: null,
      fills: {},
      createdAt: at,
      updatedAt: at,
      tradingDate: seoulDate(new Date(clock())),
      sentAt: null,
      acceptedAt: null,
      error: null,
      cancelBrokerOrderId: null,
      modifyBrokerOrderId: null,
      linkedBrokerOrderIds: [],
      note: intent.note ?? null,
    };
    // Write-ahead: the intent is durable before any network call.
    const inserted = journal.insert(order, { at, cause: 'intent', owner: self });
    if (!inserted.inserted) return replay(inserted.order, fingerprint);
    await checkpoint?.('journaled', order);
    if (isAborted(submitOptions.signal)) {
      const error = new RouteUnavailableError('Aborted before sending; nothing was sent.', {
        code: 'ABORTED',
      });
      const failed = applyTransition(
        ctx,
        order,
        { type: 'send-failed' },
        { error: error.toJSON() },
        { cause: 'aborted', owner: null, reason: 'aborted before sending' },
      );
      return { order: failed ?? order, error };
    }
    const sentAt = now();
    const submitted =
      applyTransition(
        ctx,
        order,
        { type: 'submit' },
        { sentAt },
        { cause: 'send', owner: self, durable: true },
      ) ?? order;
    await checkpoint?.('before-send', submitted);
    let outcome: { ack: Awaited<ReturnType<OrderAdapter['placeOrder']>> } | { error: QtsError };
    try {
      const answer: unknown = await adapter.placeOrder(
        request,
        submitOptions.signal === undefined ? {} : { signal: submitOptions.signal },
      );
      const parsed = v.safeParse(OrderAckSchema, answer);
      outcome = parsed.success
        ? { ack: parsed.output }
        : {
            error: new OutcomeUnknownError(
              `The adapter's answer to order ${orderId} did not validate (${parsed.issues.map((i) => i.message).join('; ')}); the order may exist.`,
              { code: 'INVALID_BROKER_RESPONSE' },
            ),
          };
    } catch (error) {
      outcome = { error: asQtsError(error) };
    }
    await checkpoint?.('answered', submitted);
    try {
      if ('ack' in outcome) {
        const { ack } = outcome;
        const accepted = applyTransition(
          ctx,
          submitted,
          { type: 'accept' },
          {
            brokerOrderId: ack.brokerOrderId,
            brokerBranch: ack.brokerBranch,
            acceptedAt: ack.acceptedAt,
            tradingDate: ack.tradingDate,
          },
          {
            cause: 'ack',
            owner: null,
            data: { brokerCode: ack.brokerCode, brokerMessage: ack.brokerMessage },
          },
        );
        // A notice may have moved it already (a fill before the ack): then the journal has it.
        if (accepted !== null) adoptStrays(accepted);
        return { order: journal.get(orderId) ?? accepted ?? submitted };
      }
      return recordFailure(submitted, outcome.error, 'place');
    } catch (error) {
      // The broker answered but the journal could not record it: the order stays `submitted`
      // (a restart makes it unknown and reconcile settles it). Say so; never claim not sent.
      const unknown = new OutcomeUnknownError(
        `The broker answered order ${orderId} but the journal could not record it (${error instanceof Error ? error.message : String(error)}).`,
        { cause: error },
      );
      logger({ level: 'error', message: unknown.message, orderId });
      return { order: submitted, error: unknown };
    }
  };

  const replay = (existing: Order, fingerprint: string): RouteResult => {
    if (orderFingerprint(existing) !== fingerprint) {
      throw new RouteRefusedError(
        'INTENT_ID_CONFLICT',
        `Intent id ${JSON.stringify(existing.clientOrderId)} already belongs to order ${existing.orderId} (${existing.side} ${existing.quantity} ${existing.symbol}); nothing was sent.`,
        { hint: 'Use a new intent id for a different order.', orderIds: [existing.orderId] },
      );
    }
    logger({ level: 'info', message: 'intent already journaled', orderId: existing.orderId });
    // The same answer as the first time: an order that ended without success carries its error.
    const info = existing.error;
    if (info !== null && ['rejected', 'failed', 'unknown', 'not_found'].includes(existing.status)) {
      const error = new QtsError(info.code, info.message, {
        brokerCode: info.brokerCode,
        brokerMessage: info.brokerMessage,
        hint: info.hint,
      });
      return { order: existing, error, replayed: true };
    }
    return { order: existing, replayed: true };
  };

  const recordFailure = (
    order: Order,
    error: QtsError,
    what: 'place' | 'cancel' | 'modify',
  ): RouteResult => {
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
    const event =
      type === 'cancel-reject' || type === 'modify-reject'
        ? { type, filledQuantity: order.filledQuantity }
        : { type };
    const after = applyTransition(
      ctx,
      order,
      event,
      { error: info },
      {
        cause: `${what}-error`,
        owner: null,
        reason,
        data: { code: error.code, outcome: error.outcome },
      },
    );
    logger({
      level: 'warn',
      message: `${what} failed: ${error.code}`,
      orderId: order.orderId,
      outcome: error.outcome,
    });
    return { order: after ?? journal.get(order.orderId) ?? order, error };
  };

  const cancel = async (
    orderId: string,
    callOptions: { signal?: AbortSignal } = {},
  ): Promise<RouteResult> => {
    const order = findOrder(orderId);
    if (
      order.brokerOrderId === null ||
      ![
        'accepted',
        'partially_filled',
        'pending_modify',
        'modify_unknown',
        'cancel_unknown',
      ].includes(order.status)
    ) {
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
    const pending = applyTransition(
      ctx,
      order,
      { type: 'cancel-request' },
      {},
      { cause: 'cancel', owner: self, durable: true },
    );
    if (pending === null) throw new Error('unreachable: cancel-request refused');
    try {
      // An answer that does not validate throws here and is recorded as cancel_unknown.
      const ack = v.parse(
        OrderAckSchema,
        await adapter.cancelOrder(
          refOf(pending),
          callOptions.signal === undefined ? {} : { signal: callOptions.signal },
        ),
      );
      const current = journal.get(orderId) ?? pending;
      const linked = current.linkedBrokerOrderIds.includes(ack.brokerOrderId)
        ? current.linkedBrokerOrderIds
        : [...current.linkedBrokerOrderIds, ack.brokerOrderId];
      const done = applyTransition(
        ctx,
        current,
        { type: 'cancel' },
        { cancelBrokerOrderId: ack.brokerOrderId, linkedBrokerOrderIds: linked, error: null },
        { cause: 'cancel-ack', owner: null, reason: `cancel ${ack.brokerOrderId} accepted` },
      );
      return { order: done ?? journal.get(orderId) ?? current };
    } catch (error) {
      return recordFailure(journal.get(orderId) ?? pending, asQtsError(error), 'cancel');
    }
  };

  const modify = async (
    orderId: string,
    change: ContractOrderChange,
    callOptions: { signal?: AbortSignal } = {},
  ): Promise<RouteResult> => {
    const order = findOrder(orderId);
    if (!adapter.capabilities.modify) {
      throw new RouteRefusedError(
        'ORDER_NOT_MODIFIABLE',
        `The ${adapter.name} broker does not support modify; nothing was sent.`,
        { orderIds: [orderId] },
      );
    }
    if (order.brokerOrderId === null || !['accepted', 'partially_filled'].includes(order.status)) {
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
        issues.map((message) => ({ field: 'quantity' as const, code: 'modify-invalid', message })),
      );
    }
    const pending = applyTransition(
      ctx,
      order,
      { type: 'modify-request' },
      {},
      { cause: 'modify', owner: self, durable: true },
    );
    if (pending === null) throw new Error('unreachable: modify-request refused');
    try {
      // An answer that does not validate throws here and is recorded as modify_unknown.
      const ack = v.parse(
        OrderAckSchema,
        await adapter.modifyOrder(
          refOf(pending),
          change,
          callOptions.signal === undefined ? {} : { signal: callOptions.signal },
        ),
      );
      const current = journal.get(orderId) ?? pending;
      const remaining = change.quantity ?? current.quantity - current.filledQuantity;
      const done = applyTransition(
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
      return { order: done ?? journal.get(orderId) ?? current };
    } catch (error) {
      return recordFailure(journal.get(orderId) ?? pending, asQtsError(error), 'modify');
    }
  };

  const inquire = async (tradingDate: string, signal: AbortSignal | undefined) => {
    const inquiredAt = clock();
    const answer: unknown = await adapter.getOrders(
      { tradingDate },
      signal === undefined ? {} : { signal },
    );
    // An inquiry that does not validate is not evidence of anything: nothing is decided from it.
    const parsed = v.safeParse(v.array(BrokerOrderSchema), answer);
    if (!parsed.success) {
      throw new OutcomeUnknownError(
        `The broker's inquiry of ${tradingDate} did not validate (${parsed.issues.map((i) => i.message).join('; ')}); the journal was left as it was.`,
        {
          code: 'INVALID_BROKER_RESPONSE',
          hint: 'Try `qts orders` again later; nothing was changed.',
        },
      );
    }
    const rows: BrokerOrder[] = parsed.output;
    return { rows, inquiredAt };
  };

  const reconcile = async (
    reconcileOptions: { signal?: AbortSignal } = {},
  ): Promise<OrderChange[]> => {
    const changes: OrderChange[] = recoverAbandoned();
    const candidates = journal.list({ statuses: ['unknown', ...OPEN_STATUSES] }).filter((o) => {
      if (o.status === 'pending_cancel' || o.status === 'pending_modify') {
        const owner = journal.ownerOf(o.orderId);
        return owner === null || !ownerAlive(owner);
      }
      return true;
    });
    const dates = [...new Set(candidates.map((o) => o.tradingDate))].sort();
    let failure: QtsError | null = null;
    for (const tradingDate of dates) {
      let inquiry: { rows: BrokerOrder[]; inquiredAt: number };
      try {
        inquiry = await inquire(tradingDate, reconcileOptions.signal);
      } catch (error) {
        failure = asInquiryError(error);
        logger({
          level: 'error',
          message: `inquiry of ${tradingDate} failed: ${failure.code}`,
          tradingDate,
        });
        continue;
      }
      const { rows, inquiredAt } = inquiry;
      const rivals = candidates.filter(
        (o) => o.tradingDate === tradingDate && o.status === 'unknown' && o.brokerOrderId === null,
      );
      for (const candidate of candidates.filter((o) => o.tradingDate === tradingDate)) {
        const order = journal.get(candidate.orderId);
        if (order === null) continue;
        if (order.brokerOrderId !== null) {
          const after = applyBrokerRows(ctx, order, rows, 'reconcile', changes);
          settleUnknownRequests(after, rows, inquiredAt, changes);
          continue;
        }
        if (order.status !== 'unknown') continue;
        bindUnknown(order, rows, inquiredAt, rivals, changes);
      }
    }
    if (failure !== null) throw failure;
    return changes;
  };

  const asInquiryError = (error: unknown): QtsError => {
    if (QtsError.isInstance(error)) return error;
    return new RouteUnavailableError(
      `The broker inquiry failed (${error instanceof Error ? error.message : String(error)}); the journal was left as it was.`,
      { cause: error, hint: 'Check the network and the broker URL, then run `qts orders` again.' },
    );
  };

  const settleUnknownRequests = (
    order: Order,
    rows: readonly BrokerOrder[],
    inquiredAt: number,
    changes: OrderChange[],
  ) => {
    if (order.status !== 'cancel_unknown' && order.status !== 'modify_unknown') return;
    const lastEvent = journal.events(order.orderId).at(-1);
    const since = lastEvent === undefined ? 0 : Date.parse(lastEvent.at);
    if (inquiredAt - since < windowMs) {
      journal.update(
        order.orderId,
        {
          statusReason: `${order.status === 'cancel_unknown' ? 'cancel' : 'modify'} not seen at the broker yet; checked again after ${new Date(since + windowMs).toISOString()}`,
          updatedAt: now(),
        },
        {
          at: now(),
          cause: 'reconcile',
          data: { inquiredAt: new Date(inquiredAt).toISOString(), rowsSeen: rows.length },
        },
      );
      return;
    }
    const evidence = {
      inquiredAt: new Date(inquiredAt).toISOString(),
      rowsSeen: rows.length,
      tradingDate: order.tradingDate,
    };
    applyTransition(
      ctx,
      order,
      {
        type: order.status === 'cancel_unknown' ? 'cancel-reject' : 'modify-reject',
        filledQuantity: order.filledQuantity,
      },
      {},
      {
        cause: 'reconcile',
        owner: null,
        data: evidence,
        reason: `the broker's complete inquiry shows no ${order.status === 'cancel_unknown' ? 'cancel' : 'modify'} of this order ${Math.round((inquiredAt - since) / 1000)} s later: it did not take effect`,
      },
      changes,
    );
  };

  const matchesFor = (order: Order, rows: readonly BrokerOrder[]): BrokerOrder[] => {
    const sentAt = Date.parse(order.sentAt ?? order.createdAt);
    const fingerprint = orderFingerprint(order);
    return rows.filter(
      (row) =>
        row.kind === 'order' &&
        orderFingerprint({
          symbol: row.symbol,
          side: row.side,
          quantity: row.quantity,
          type: row.type,
          price: row.limitPrice,
        }) === fingerprint &&
        Date.parse(row.orderedAt) >= sentAt - skewMs &&
        journal.getByBrokerOrderId(row.brokerOrderId, row.tradingDate) === null,
    );
  };

  const bindUnknown = (
    order: Order,
    rows: readonly BrokerOrder[],
    inquiredAt: number,
    rivals: readonly Order[],
    changes: OrderChange[],
  ) => {
    const sentAt = Date.parse(order.sentAt ?? order.createdAt);
    const matches = matchesFor(order, rows);
    // A row that could also be another unknown order's is ambiguous: bind neither.
    const contested = matches.filter((row) =>
      rivals.some(
        (other) => other.orderId !== order.orderId && matchesFor(other, [row]).length === 1,
      ),
    );
    const evidence = {
      inquiredAt: new Date(inquiredAt).toISOString(),
      rowsSeen: rows.length,
      tradingDate: order.tradingDate,
      matches: matches.map((m) => m.brokerOrderId),
    };
    const row = matches.length === 1 && contested.length === 0 ? matches[0] : undefined;
    if (row !== undefined) {
      const bound = journal.update(
        order.orderId,
        { brokerOrderId: row.brokerOrderId, brokerBranch: row.brokerBranch, updatedAt: now() },
        { at: now(), cause: 'reconcile', data: evidence },
      );
      adoptStrays(applyBrokerRows(ctx, bound, rows, 'reconcile', changes));
      return;
    }
    let reason: string;
    if (matches.length > 1) {
      reason = `${matches.length} broker orders match (${matches.map((m) => m.brokerOrderId).join(', ')}): stays unknown; check them by hand`;
    } else if (contested.length > 0) {
      reason = `broker order ${contested.map((m) => m.brokerOrderId).join(', ')} also matches another unknown order with the same fingerprint: stays unknown; check by hand`;
    } else if (
      inquiredAt - sentAt < windowMs ||
      seoulDate(new Date(sentAt)) !== order.tradingDate
    ) {
      reason = `no broker order matches yet; not_found possible after ${new Date(sentAt + windowMs).toISOString()}`;
    } else {
      applyTransition(
        ctx,
        order,
        { type: 'not-found' },
        {},
        {
          cause: 'reconcile',
          owner: null,
          data: evidence,
          reason: `the broker's complete inquiry of ${order.tradingDate} at ${evidence.inquiredAt} (${rows.length} rows) shows no matching order, ${Math.round((inquiredAt - sentAt) / 1000)} s after sending`,
        },
        changes,
      );
      return;
    }
    if (order.statusReason !== reason) {
      journal.update(
        order.orderId,
        { statusReason: reason, updatedAt: now() },
        { at: now(), cause: 'reconcile', data: evidence },
      );
    }
  };

  /** Applies notices kept aside because they arrived before the order's broker number was known. */
  function adoptStrays(order: Order): void {
    const numbers = brokerNumbersOf(order);
    let current = order;
    for (let i = 0; i < strays.length; ) {
      const event = strays[i]!;
      if (event.type !== 'connection-lost' && numbers.includes(event.brokerOrderId)) {
        strays.splice(i, 1);
        current = applyOrderEvent(ctx, current, event) ?? current;
      } else {
        i += 1;
      }
    }
  }

  const onNotice = (event: Exclude<OrderEvent, { type: 'connection-lost' }>): Order | null => {
    const order = journal.getByBrokerOrderId(event.brokerOrderId);
    if (order === null) {
      strays.push(event);
      if (strays.length > 100) strays.shift();
      logger({
        level: 'info',
        message: `notice for broker order ${event.brokerOrderId} that no journal order owns; kept aside`,
        type: event.type,
      });
      return null;
    }
    return applyOrderEvent(ctx, order, event) ?? order;
  };

  /** What an inquiry changed, told as the notices that would have said it (source `inquiry`). */
  const eventsBetween = (before: Order, after: Order): OrderEvent[] => {
    const at = now();
    const events: OrderEvent[] = [];
    const brokerOrderId = after.brokerOrderId ?? '';
    if (
      (before.status === 'unknown' || before.status === 'submitted') &&
      after.brokerOrderId !== null &&
      after.status !== 'rejected'
    ) {
      events.push({
        type: 'order-accepted',
        brokerOrderId,
        brokerBranch: after.brokerBranch,
        symbol: after.symbol,
        side: after.side,
        quantity: after.quantity,
        limitPrice: after.price,
        at,
        source: 'inquiry',
      });
    }
    if (after.filledQuantity > before.filledQuantity) {
      events.push({
        type: 'order-filled',
        brokerOrderId,
        symbol: after.symbol,
        side: after.side,
        filledQuantity: after.filledQuantity,
        averagePrice: after.averagePrice ?? 0,
        lastQuantity: null,
        lastPrice: null,
        at,
        source: 'inquiry',
      });
    }
    if (after.status === 'canceled' && before.status !== 'canceled') {
      events.push({
        type: 'order-canceled',
        brokerOrderId,
        cancelBrokerOrderId: after.cancelBrokerOrderId,
        canceledQuantity: after.quantity - after.filledQuantity,
        at,
        source: 'inquiry',
      });
    }
    if (after.status === 'rejected' && before.status !== 'rejected') {
      events.push({
        type: 'order-rejected',
        brokerOrderId,
        brokerCode: after.error?.brokerCode ?? null,
        brokerMessage: after.error?.brokerMessage ?? null,
        at,
        source: 'inquiry',
      });
    }
    return events;
  };

  const pollOpen = async (
    signal: AbortSignal,
    onEvent?: (event: OrderEvent, order: Order | null) => void,
  ): Promise<void> => {
    const open = journal.list({ statuses: OPEN_STATUSES }).filter((o) => o.brokerOrderId !== null);
    for (const tradingDate of [...new Set(open.map((o) => o.tradingDate))].sort()) {
      if (signal.aborted) return;
      try {
        const { rows } = await inquire(tradingDate, signal);
        for (const o of open.filter((x) => x.tradingDate === tradingDate)) {
          const current = journal.get(o.orderId);
          if (current === null) continue;
          const after = applyBrokerRows(ctx, current, rows, 'poll', []);
          if (onEvent !== undefined && after !== current) {
            for (const event of eventsBetween(current, after)) {
              try {
                onEvent(event, after);
              } catch (error) {
                logger({ level: 'warn', message: `onEvent threw: ${String(error)}` });
              }
            }
          }
        }
      } catch (error) {
        logger({
          level: 'warn',
          message: `poll of ${tradingDate} failed: ${asInquiryError(error).code}`,
        });
      }
    }
  };

  const watch = async (watchOptions: WatchOptions): Promise<void> => {
    const { signal } = watchOptions;
    const pollMs = watchOptions.pollIntervalMs ?? 5_000;
    const initial = watchOptions.backoffInitialMs ?? 500;
    const max = watchOptions.backoffMaxMs ?? 30_000;
    const status = (s: WatchStatus) => {
      try {
        watchOptions.onStatus?.(s);
      } catch (error) {
        logger({ level: 'warn', message: `onStatus threw: ${String(error)}` });
      }
    };
    let attempt = 0;
    let failures = 0;
    const backoff = () => Math.min(max, initial * 2 ** Math.max(0, failures - 1));
    while (!signal.aborted) {
      if (!adapter.capabilities.notices) {
        status({
          state: 'polling',
          attempt,
          delayMs: pollMs,
          reason: 'the adapter delivers no notices',
        });
        await pollOpen(signal, watchOptions.onEvent);
        await sleep(pollMs, signal);
        continue;
      }
      attempt += 1;
      status({ state: 'connecting', attempt });
      let resolveLost: (reason: string) => void = () => {};
      const lost = new Promise<string>((resolve) => {
        resolveLost = resolve;
      });
      const listener = (input: OrderEvent) => {
        try {
          const parsed = v.safeParse(OrderEventSchema, input);
          if (!parsed.success) {
            logger({ level: 'warn', message: 'a notice did not validate; ignored' });
            return;
          }
          const event = parsed.output;
          if (event.type === 'connection-lost') {
            resolveLost(event.reason);
            watchOptions.onEvent?.(event, null);
            return;
          }
          const changed = onNotice(event);
          watchOptions.onEvent?.(event, changed);
        } catch (error) {
          logger({ level: 'error', message: `notice not applied: ${String(error)}` });
        }
      };
      let unsubscribe: (() => Promise<void>) | null = null;
      try {
        unsubscribe = await adapter.subscribe(listener, { signal });
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        const delayMs = backoff();
        const reason = QtsError.isInstance(error) ? error.code : String(error);
        status({
          state: 'polling',
          attempt,
          delayMs,
          reason: `notices unavailable (${reason}); polling inquiries`,
        });
        await pollOpen(signal, watchOptions.onEvent);
        await sleep(delayMs, signal);
        continue;
      }
      failures = 0;
      status({ state: 'listening', attempt });
      // Catch up on anything missed while disconnected.
      await pollOpen(signal, watchOptions.onEvent);
      let onAbort: () => void = () => {};
      const aborted = new Promise<string>((resolve) => {
        onAbort = () => resolve('aborted');
        if (signal.aborted) onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      });
      const reason = await Promise.race([lost, aborted]);
      signal.removeEventListener('abort', onAbort);
      try {
        await unsubscribe();
      } catch (error) {
        logger({ level: 'warn', message: `unsubscribe failed: ${String(error)}` });
      }
      if (signal.aborted) break;
      failures += 1;
      const delayMs = backoff();
      status({ state: 'reconnecting', attempt, delayMs, reason });
      await pollOpen(signal, watchOptions.onEvent);
      await sleep(delayMs, signal);
    }
    status({ state: 'stopped', attempt });
  };

  return {
    mode,
    journal,
    recovered,
    submit,
    cancel,
    modify,
    orders: (query = {}) => journal.list(query),
    order: (orderId) => journal.get(orderId),
    reconcile,
    watch,
    strays: () => [...strays],
  };
}
