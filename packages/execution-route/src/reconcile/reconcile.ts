// Reconciliation: brings unknown, open and abandoned orders in line with the broker's inquiry.
// Never sends orders. Concludes nothing from what an inquiry does not show until the evidence
// window has passed (same-day inquiries can lag), and never concludes `not_found` while the
// broker has an unbound order with the same fingerprint that day.
import { type BrokerOrder, type QtsError, seoulDate } from '@qts/order-contract';
import {
  applyBrokerRows,
  applyTransition,
  type OrderStatusChange,
  onFresh,
  rowsOf,
  writeOver,
} from '../apply.js';
import { asInquiryError, OPEN_STATUSES, type RouteContext } from '../context.js';
import { divisionInfoOf, type Order, orderFingerprint } from '../order.js';
import { recoverAbandoned } from '../recovery/recovery.js';
import { adoptStrays } from '../watch/strays.js';
import { inquire } from './inquire.js';

/** Our clock against the broker's on one trading date, measured from orders already bound. */
export interface ClockOffset {
  /** Broker time minus our time (median over the samples), ms; 0 without samples. */
  readonly offsetMs: number;
  readonly samples: number;
}

/** How many of the latest bound orders the clock offset is measured from. */
const OFFSET_SAMPLES = 7;

/**
 * Measures the broker's clock against ours: for the latest rows of the inquiry that a journal
 * order owns (up to 7, by our send time, so a clock that was stepped earlier in the day weighs
 * less), the broker's order time minus our send time (network delay and the broker's one-second
 * resolution included). The median is the offset.
 */
export function measureClockOffset(ctx: RouteContext, rows: readonly BrokerOrder[]): ClockOffset {
  const found: { sentAt: number; sample: number }[] = [];
  for (const row of rows) {
    if (row.kind !== 'order') continue;
    const order = ctx.journal.getByBrokerOrderId(row.brokerOrderId, row.tradingDate);
    if (order === null || order.brokerOrderId !== row.brokerOrderId || order.sentAt === null)
      continue;
    const sentAt = Date.parse(order.sentAt);
    const sample = Date.parse(row.orderedAt) - sentAt;
    if (Number.isFinite(sample)) found.push({ sentAt, sample });
  }
  if (found.length === 0) return { offsetMs: 0, samples: 0 };
  const samples = found
    .sort((a, b) => a.sentAt - b.sentAt)
    .slice(-OFFSET_SAMPLES)
    .map((f) => f.sample)
    .sort((a, b) => a - b);
  const mid = Math.floor(samples.length / 2);
  const offsetMs =
    samples.length % 2 === 1 ? samples[mid]! : Math.round((samples[mid - 1]! + samples[mid]!) / 2);
  return { offsetMs, samples: samples.length };
}

function fingerprintOf(row: BrokerOrder): string {
  return orderFingerprint({
    symbol: row.symbol,
    side: row.side,
    quantity: row.quantity,
    type: row.type,
    price: row.limitPrice,
    ...divisionInfoOf(row),
  });
}

/** Broker order rows of the same fingerprint that no journal order owns on their date. */
function unboundTwins(ctx: RouteContext, order: Order, rows: readonly BrokerOrder[]) {
  const fingerprint = orderFingerprint(order);
  return rows.filter(
    (row) =>
      row.kind === 'order' &&
      row.status !== 'rejected' &&
      fingerprintOf(row) === fingerprint &&
      ctx.journal.getByBrokerOrderId(row.brokerOrderId, row.tradingDate) === null,
  );
}

/** Unbound twins booked no earlier than our send time (corrected by the measured offset). */
function matchesFor(
  ctx: RouteContext,
  order: Order,
  rows: readonly BrokerOrder[],
  clock: ClockOffset,
): BrokerOrder[] {
  const sentAt = Date.parse(order.sentAt ?? order.createdAt);
  return unboundTwins(ctx, order, rows).filter(
    (row) => Date.parse(row.orderedAt) >= sentAt + clock.offsetMs - ctx.skewMs,
  );
}

/** Writes a new status reason (compare-and-set; skipped when it is unchanged). */
function noteReason(
  ctx: RouteContext,
  orderId: string,
  reason: string,
  data: Readonly<Record<string, unknown>>,
): void {
  onFresh(ctx, orderId, (current) => {
    if (current.statusReason === reason) return current;
    return writeOver(ctx, current, { statusReason: reason }, { cause: 'reconcile', data });
  });
}

function bindUnknown(
  ctx: RouteContext,
  order: Order,
  rows: readonly BrokerOrder[],
  inquiredAt: number,
  rivals: readonly Order[],
  clock: ClockOffset,
  changes: OrderStatusChange[],
): void {
  const sentAt = Date.parse(order.sentAt ?? order.createdAt);
  const matches = matchesFor(ctx, order, rows, clock);
  // A row that could also be another unknown order's is ambiguous: bind neither.
  const contested = matches.filter((row) =>
    rivals.some(
      (other) =>
        other.orderId !== order.orderId && matchesFor(ctx, other, [row], clock).length === 1,
    ),
  );
  const evidence = {
    inquiredAt: new Date(inquiredAt).toISOString(),
    rowsSeen: rows.length,
    tradingDate: order.tradingDate,
    matches: matches.map((m) => m.brokerOrderId),
    clockOffsetMs: clock.offsetMs,
    clockSamples: clock.samples,
  };
  const row = matches.length === 1 && contested.length === 0 ? matches[0] : undefined;
  if (row !== undefined) {
    const after = onFresh(ctx, order.orderId, (current) => {
      if (current.status !== 'unknown' || current.brokerOrderId !== null) return current;
      const bound = writeOver(
        ctx,
        current,
        { brokerOrderId: row.brokerOrderId, brokerBranch: row.brokerBranch },
        { cause: 'reconcile', data: evidence },
      );
      return applyBrokerRows(ctx, bound, rows, 'reconcile', changes);
    });
    if (after !== null) adoptStrays(ctx, after);
    return;
  }
  const twins = unboundTwins(ctx, order, rows);
  let reason: string;
  if (matches.length > 1) {
    reason = `${matches.length} broker orders match (${matches.map((m) => m.brokerOrderId).join(', ')}): stays unknown; check them by hand`;
  } else if (contested.length > 0) {
    reason = `broker order ${contested.map((m) => m.brokerOrderId).join(', ')} also matches another unknown order with the same fingerprint: stays unknown; check by hand`;
  } else if (twins.length > 0) {
    // Booked before our send time: an older order placed elsewhere, or ours seen through a clock
    // that is off by more than we measured. Either way the broker has such an order: never
    // not_found (the guard against resending stays on).
    reason = `broker order ${twins.map((t) => `${t.brokerOrderId} (booked ${t.orderedAt})`).join(', ')} has the same symbol, side, quantity and price but was booked before this order was sent (clock offset measured ${clock.offsetMs} ms from ${clock.samples} order(s)): stays unknown; check by hand`;
  } else if (
    inquiredAt - sentAt < ctx.windowMs ||
    seoulDate(new Date(sentAt)) !== order.tradingDate
  ) {
    reason = `no broker order matches yet; not_found possible after ${new Date(sentAt + ctx.windowMs).toISOString()}`;
  } else {
    onFresh(ctx, order.orderId, (current) =>
      current.status !== 'unknown'
        ? null
        : applyTransition(
            ctx,
            current,
            { type: 'not-found' },
            {},
            {
              cause: 'reconcile',
              owner: null,
              data: evidence,
              reason: `the broker's complete inquiry of ${order.tradingDate} at ${evidence.inquiredAt} (${rows.length} rows) shows no matching order, ${Math.round((inquiredAt - sentAt) / 1000)} s after sending`,
            },
            changes,
          ),
    );
    return;
  }
  noteReason(ctx, order.orderId, reason, evidence);
}

/**
 * When the cancel / modify whose outcome is unknown was requested: the request record's time
 * (a later check writes nothing that moves it, so the evidence window cannot restart).
 */
function requestedAt(ctx: RouteContext, order: Order): number {
  const requested = order.status === 'cancel_unknown' ? 'pending_cancel' : 'pending_modify';
  const events = ctx.journal.events(order.orderId);
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i]!;
    if (event.to === requested && event.from !== requested) return Date.parse(event.at);
  }
  const entered = events.findLast((e) => e.to === order.status && e.from !== order.status);
  return entered === undefined ? Date.parse(order.updatedAt) : Date.parse(entered.at);
}

function settleUnknownRequests(
  ctx: RouteContext,
  order: Order,
  rows: readonly BrokerOrder[],
  inquiredAt: number,
  changes: OrderStatusChange[],
): void {
  if (order.status !== 'cancel_unknown' && order.status !== 'modify_unknown') return;
  const what = order.status === 'cancel_unknown' ? 'cancel' : 'modify';
  const since = requestedAt(ctx, order);
  const data = { inquiredAt: new Date(inquiredAt).toISOString(), rowsSeen: rows.length };
  if (rowsOf(order, rows).own === undefined) {
    // The inquiry does not show the order itself yet (same-day lag): it is no evidence.
    noteReason(
      ctx,
      order.orderId,
      `${what} outcome unknown; the broker's inquiry does not show order ${order.brokerOrderId} yet`,
      data,
    );
    return;
  }
  if (inquiredAt - since < ctx.windowMs) {
    noteReason(
      ctx,
      order.orderId,
      `${what} not seen at the broker yet; checked again after ${new Date(since + ctx.windowMs).toISOString()}`,
      data,
    );
    return;
  }
  onFresh(ctx, order.orderId, (current) =>
    current.status !== order.status
      ? null
      : applyTransition(
          ctx,
          current,
          {
            type: what === 'cancel' ? 'cancel-reject' : 'modify-reject',
            filledQuantity: current.filledQuantity,
          },
          {},
          {
            cause: 'reconcile',
            owner: null,
            data: { ...data, tradingDate: order.tradingDate },
            reason: `the broker's complete inquiry shows no ${what} of this order ${Math.round((inquiredAt - since) / 1000)} s after it was requested: it did not take effect`,
          },
          changes,
        ),
  );
}

/** Brings unknown, open and abandoned orders in line with the broker's inquiry. */
export async function reconcile(
  ctx: RouteContext,
  options: { signal?: AbortSignal } = {},
): Promise<OrderStatusChange[]> {
  const changes: OrderStatusChange[] = recoverAbandoned(ctx);
  const candidates = ctx.journal.list({ statuses: ['unknown', ...OPEN_STATUSES] }).filter((o) => {
    if (o.status === 'pending_cancel' || o.status === 'pending_modify') {
      const owner = ctx.journal.ownerOf(o.orderId);
      return owner === null || !ctx.ownerAlive(owner);
    }
    return true;
  });
  const dates = [...new Set(candidates.map((o) => o.tradingDate))].sort();
  let failure: QtsError | null = null;
  for (const tradingDate of dates) {
    let rows: BrokerOrder[];
    let inquiredAt: number;
    try {
      ({ rows, inquiredAt } = await inquire(ctx, tradingDate, options.signal));
    } catch (error) {
      failure = asInquiryError(error);
      ctx.logger({
        level: 'error',
        message: `inquiry of ${tradingDate} failed: ${failure.code}`,
        tradingDate,
      });
      continue;
    }
    const clock = measureClockOffset(ctx, rows);
    const rivals = candidates.filter(
      (o) => o.tradingDate === tradingDate && o.status === 'unknown' && o.brokerOrderId === null,
    );
    for (const candidate of candidates.filter((o) => o.tradingDate === tradingDate)) {
      const order = ctx.journal.get(candidate.orderId);
      if (order === null) continue;
      if (order.brokerOrderId !== null) {
        const after = onFresh(ctx, order.orderId, (current) =>
          applyBrokerRows(ctx, current, rows, 'reconcile', changes),
        );
        if (after !== null) settleUnknownRequests(ctx, after, rows, inquiredAt, changes);
        continue;
      }
      if (order.status !== 'unknown') continue;
      bindUnknown(ctx, order, rows, inquiredAt, rivals, clock, changes);
    }
  }
  if (failure !== null) throw failure;
  return changes;
}
