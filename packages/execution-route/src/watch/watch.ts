// watch: receives notices (or polls inquiries) until aborted. Never places, cancels or modifies.
import { type OrderEvent, OrderEventSchema, QtsError } from '@qts/order-contract';
import * as v from 'valibot';
import { applyBrokerRows, applyOrderEvent, onFresh } from '../apply.js';
import { asInquiryError, OPEN_STATUSES, type RouteContext } from '../context.js';
import type { Order } from '../order.js';
import { inquire } from '../reconcile/inquire.js';
import type { WatchOptions, WatchStatus } from '../types.js';
import { keepStray, noticeTradingDate } from './strays.js';

type Notice = Exclude<OrderEvent, { type: 'connection-lost' }>;
type Base = { readonly filledQuantity: number; readonly averagePrice: number | null };

/**
 * One subscription's view of fills. An adapter may count a number's cumulative fill from the
 * moment it subscribed (not from the order's start). The journal's fill of every open order's
 * numbers is taken when the subscription starts; the first fill notice of a number in the
 * session tells which counting the adapter uses: if the quantity it had before this fill
 * (cumulative minus this fill) is below the journal's, the difference was filled before the
 * session and is added to every notice of that number. Applying stays idempotent (a fill is
 * applied only when the cumulative quantity grows), and the average price combines both parts.
 */
export interface FillSession {
  readonly base: Map<string, Base>;
  readonly carried: Map<string, Base>;
}

const key = (tradingDate: string, brokerOrderId: string) => `${tradingDate}|${brokerOrderId}`;

/** Snapshot of the journal's per-number fills of the open orders, taken before subscribing. */
export function startFillSession(ctx: RouteContext): FillSession {
  const base = new Map<string, Base>();
  for (const order of ctx.journal.list({ statuses: OPEN_STATUSES })) {
    for (const [number, fill] of Object.entries(order.fills)) {
      base.set(key(order.tradingDate, number), fill);
    }
  }
  return { base, carried: new Map() };
}

/** The notice with the cumulative fill of the order's number (see `FillSession`). */
export function seededNotice(session: FillSession, order: Order, event: Notice): Notice {
  if (event.type !== 'order-filled') return event;
  const k = key(order.tradingDate, event.brokerOrderId);
  let carried = session.carried.get(k);
  if (carried === undefined) {
    const base = session.base.get(k) ?? { filledQuantity: 0, averagePrice: null };
    // A notice without a single-fill quantity comes from an inquiry: its cumulative is the
    // broker's total already.
    const before =
      event.lastQuantity === null
        ? event.filledQuantity
        : event.filledQuantity - event.lastQuantity;
    carried = {
      filledQuantity: Math.max(0, base.filledQuantity - before),
      averagePrice: base.averagePrice,
    };
    session.carried.set(k, carried);
  }
  if (carried.filledQuantity === 0) return event;
  const filledQuantity = carried.filledQuantity + event.filledQuantity;
  const averagePrice =
    (carried.filledQuantity * (carried.averagePrice ?? 0) +
      event.filledQuantity * event.averagePrice) /
    filledQuantity;
  return { ...event, filledQuantity, averagePrice };
}

/**
 * Applies one notice to the order that owns its number on its trading date, else keeps it
 * aside. Returns the order as it is now and the notice as applied (a fill with the order's
 * cumulative quantity and average, see `FillSession`).
 */
export function applyNotice(
  ctx: RouteContext,
  event: Notice,
  session: FillSession | null,
): { order: Order | null; event: Notice } {
  const tradingDate = noticeTradingDate(ctx, event);
  const owner = ctx.journal.getByBrokerOrderId(event.brokerOrderId, tradingDate);
  if (owner === null) {
    keepStray(ctx, event);
    return { order: null, event };
  }
  const seeded = session === null ? event : seededNotice(session, owner, event);
  const order = onFresh(
    ctx,
    owner.orderId,
    (current) => applyOrderEvent(ctx, current, seeded) ?? current,
  );
  return { order, event: seeded };
}

/** What an inquiry changed, told as the notices that would have said it (source `inquiry`). */
function eventsBetween(ctx: RouteContext, before: Order, after: Order): OrderEvent[] {
  const at = ctx.now();
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
}

/**
 * Brings the open orders in line with the broker's inquiry. A row an inquiry does not show yet
 * (same-day lag) changes nothing: only what a row shows is applied.
 */
async function pollOpen(
  ctx: RouteContext,
  signal: AbortSignal,
  onEvent?: (event: OrderEvent, order: Order | null) => void,
): Promise<void> {
  const open = ctx.journal
    .list({ statuses: OPEN_STATUSES })
    .filter((o) => o.brokerOrderId !== null);
  for (const tradingDate of [...new Set(open.map((o) => o.tradingDate))].sort()) {
    if (signal.aborted) return;
    try {
      const { rows } = await inquire(ctx, tradingDate, signal);
      for (const o of open.filter((x) => x.tradingDate === tradingDate)) {
        let before: Order | null = null;
        const after = onFresh(ctx, o.orderId, (current) => {
          before = current;
          return applyBrokerRows(ctx, current, rows, 'poll', []);
        });
        if (onEvent === undefined || after === null || before === null || after === before)
          continue;
        for (const event of eventsBetween(ctx, before, after)) {
          try {
            onEvent(event, after);
          } catch (error) {
            ctx.logger({ level: 'warn', message: `onEvent threw: ${String(error)}` });
          }
        }
      }
    } catch (error) {
      ctx.logger({
        level: 'warn',
        message: `poll of ${tradingDate} failed: ${asInquiryError(error).code}`,
      });
    }
  }
}

/** Receives results until the signal aborts. */
export async function watch(ctx: RouteContext, options: WatchOptions): Promise<void> {
  const { adapter, logger, sleep } = ctx;
  const { signal } = options;
  const pollMs = options.pollIntervalMs ?? 5_000;
  const initial = options.backoffInitialMs ?? 500;
  const max = options.backoffMaxMs ?? 30_000;
  const status = (s: WatchStatus) => {
    try {
      options.onStatus?.(s);
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
      await pollOpen(ctx, signal, options.onEvent);
      await sleep(pollMs, signal);
      continue;
    }
    attempt += 1;
    status({ state: 'connecting', attempt });
    let resolveLost: (reason: string) => void = () => {};
    const lost = new Promise<string>((resolve) => {
      resolveLost = resolve;
    });
    const session = startFillSession(ctx);
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
          options.onEvent?.(event, null);
          return;
        }
        const applied = applyNotice(ctx, event, session);
        options.onEvent?.(applied.event, applied.order);
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
      await pollOpen(ctx, signal, options.onEvent);
      await sleep(delayMs, signal);
      continue;
    }
    failures = 0;
    status({ state: 'listening', attempt });
    // Catch up on anything missed while disconnected.
    await pollOpen(ctx, signal, options.onEvent);
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
    await pollOpen(ctx, signal, options.onEvent);
    await sleep(delayMs, signal);
  }
  status({ state: 'stopped', attempt });
}
