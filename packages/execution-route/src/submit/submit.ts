// submit: validate, journal (write-ahead), send once, record the answer.
import {
  defaultOrderOptionSupport,
  InvalidOrderError,
  isWithinPriceLimits,
  OrderAckSchema,
  type OrderAdapter,
  type OrderRequest,
  OutcomeUnknownError,
  orderWindowIssue,
  QtsError,
  QuoteSchema,
  RouteUnavailableError,
  seoulDate,
  transition,
  unsupportedOrderOptions,
} from '@qts/order-contract';
import * as v from 'valibot';
import { applyTransition, onFresh } from '../apply.js';
import { asQtsError, type RouteContext, recordFailure } from '../context.js';
import { RouteRefusedError } from '../errors.js';
import { parseOrderIntent } from '../intent.js';
import { JournalConflictError } from '../journal/conflict.js';
import { divisionInfoOf, hasDivisionInfo, type Order, orderFingerprint } from '../order.js';
import type { RouteResult, SubmitOptions } from '../types.js';
import { adoptStrays } from '../watch/strays.js';
import { isPlausibleBand } from './day-bands.js';

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** The same answer as the first time for an intent id already journaled; nothing is sent. */
function replay(ctx: RouteContext, existing: Order, fingerprint: string): RouteResult {
  if (orderFingerprint(existing) !== fingerprint) {
    throw new RouteRefusedError(
      'INTENT_ID_CONFLICT',
      `Intent id ${JSON.stringify(existing.clientOrderId)} already belongs to order ${existing.orderId} (${existing.side} ${existing.quantity} ${existing.symbol}); nothing was sent.`,
      { hint: 'Use a new intent id for a different order.', orderIds: [existing.orderId] },
    );
  }
  ctx.logger({ level: 'info', message: 'intent already journaled', orderId: existing.orderId });
  // An order that ended without success carries its error.
  const info = existing.error;
  if (info !== null && ['rejected', 'failed', 'unknown', 'not_found'].includes(existing.status)) {
    const error = new QtsError(info.code, info.message, {
      brokerCode: info.brokerCode,
      brokerMessage: info.brokerMessage,
      hint: info.hint,
    });
    return { order: existing, error, replayed: true };
  }
  // The first call with this intent id is still in flight (or its process died before the
  // answer was recorded): whether the broker has the order is not known yet. A replay must say
  // so, never report success.
  if (existing.status === 'pending' || existing.status === 'submitted') {
    const error = new OutcomeUnknownError(
      `Order ${existing.orderId} with this intent id is ${existing.status}: its first send has no recorded answer yet, so whether the broker has it is unknown. Nothing new was sent.`,
    );
    return { order: existing, error, replayed: true };
  }
  return { order: existing, replayed: true };
}

/**
 * The caller aborted after the order was journaled (`submitted`, or `pending` on a journal that
 * ignores follow-ups) and before the send: nothing was sent, so the order fails definitely
 * (`send-failed`, over the record just written).
 */
function abortBeforeSend(ctx: RouteContext, journaled: Order): RouteResult {
  const error = new RouteUnavailableError('Aborted before sending; nothing was sent.', {
    code: 'ABORTED',
  });
  try {
    const failed = applyTransition(
      ctx,
      journaled,
      { type: 'send-failed' },
      { error: error.toJSON() },
      { cause: 'aborted', owner: null, reason: 'aborted before sending' },
    );
    return { order: failed ?? journaled, error };
  } catch (conflict) {
    // Another process changed the record meanwhile (it judged this process gone): it is theirs
    // to settle; nothing was sent from here.
    if (!JournalConflictError.isInstance(conflict)) throw conflict;
    return { order: conflict.current, error };
  }
}

const krw = (value: number): string => `${value.toLocaleString('en-US')} KRW`;

/**
 * The day's price check of a limit order, before anything is journaled or sent, against the
 * adapter's quote when it offers one (`capabilities.quote`). The band is remembered per symbol
 * for the trading day (`day-bands.ts`): the first limit order of a symbol that day asks a quote,
 * later ones inside the band ask none. A price outside the band is refused
 * (`PRICE_OUTSIDE_DAILY_LIMITS`, naming the band) only on a fresh quote, never on a remembered
 * band. When the quote cannot be had (failure, answer that does not validate) the order goes on
 * unchecked and the log says so: the exchange still refuses a price outside the band itself.
 */
async function checkDailyLimits(
  ctx: RouteContext,
  request: OrderRequest,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { adapter } = ctx;
  const price = request.limitPrice;
  if (!ctx.dailyLimitCheck) return;
  if (request.type !== 'limit' || price === undefined || price === null) return;
  if (adapter.capabilities.quote !== true || adapter.getQuote === undefined) return;
  const askedAt = ctx.clock();
  const remembered = ctx.dayBands.get(request.symbol, askedAt);
  if (remembered !== null && isWithinPriceLimits(remembered, price)) return;
  let answer: unknown;
  try {
    answer = await adapter.getQuote(request.symbol, signal === undefined ? {} : { signal });
  } catch (error) {
    ctx.logger({
      level: 'warn',
      message: `day limits of ${request.symbol} unknown (quote failed: ${error instanceof Error ? error.message : String(error)}); the order goes on unchecked`,
      symbol: request.symbol,
    });
    return;
  }
  const parsed = v.safeParse(QuoteSchema, answer);
  if (!parsed.success || !isPlausibleBand(parsed.output)) {
    ctx.logger({
      level: 'warn',
      message: `day limits of ${request.symbol} unknown (the quote did not validate); the order goes on unchecked`,
      symbol: request.symbol,
    });
    return;
  }
  const quote = parsed.output;
  ctx.dayBands.set(request.symbol, quote, askedAt);
  if (isWithinPriceLimits(quote, price)) return;
  const side = price > quote.upperLimit ? 'above the upper limit' : 'below the lower limit';
  throw new RouteRefusedError(
    'PRICE_OUTSIDE_DAILY_LIMITS',
    `Limit price ${krw(price)} for ${request.symbol} is ${side}: today's band is ${krw(quote.lowerLimit)} (하한가) to ${krw(quote.upperLimit)} (상한가). Nothing was sent.`,
    {
      hint: `Use a price from ${krw(quote.lowerLimit)} to ${krw(quote.upperLimit)}; \`qts quote ${request.symbol}\` shows the band.`,
    },
  );
}

/**
 * An order that names a division or venue (IOC, best, an off-hours session, NXT...), before
 * anything is journaled or sent: the adapter must offer it (`capabilities.orderOptions`), and
 * the venue must take it at the route's clock (`orderWindowIssue`: the message names the
 * sessions that would). A plain limit or market order on KRX is not checked here, as before.
 */
function checkOrderOptions(ctx: RouteContext, request: OrderRequest): void {
  if (!hasDivisionInfo(request)) return;
  const { capabilities, name } = ctx.adapter;
  const support = capabilities.orderOptions ?? defaultOrderOptionSupport(capabilities.marketOrders);
  const unsupported = unsupportedOrderOptions(support, request, `${name} (${ctx.mode})`);
  if (unsupported.length > 0) throw new InvalidOrderError(unsupported);
  if (!ctx.orderWindowCheck) return;
  const outside = orderWindowIssue(request, new Date(ctx.clock()));
  if (outside !== null) throw new InvalidOrderError([outside]);
}

/** Validates, journals (write-ahead), sends once, and records the answer. */
export async function submit(
  ctx: RouteContext,
  input: unknown,
  options: SubmitOptions = {},
): Promise<RouteResult> {
  const { journal, adapter, checkpoint } = ctx;
  const orderId = ctx.ids();
  const { intent, request } = parseOrderIntent(input, orderId);
  const division = divisionInfoOf(request);
  const fingerprint = orderFingerprint({
    symbol: request.symbol,
    side: request.side,
    quantity: request.quantity,
    type: request.type,
    price: request.limitPrice ?? null,
    ...division,
  });
  if (intent.intentId !== undefined) {
    const existing = journal.getByClientOrderId(intent.intentId);
    if (existing !== null) return replay(ctx, existing, fingerprint);
  }
  const unknown = journal
    .list({ statuses: ['unknown'], symbol: request.symbol })
    .filter((o) => orderFingerprint(o) === fingerprint);
  if (unknown.length > 0 && options.force !== true) {
    throw new RouteRefusedError(
      'UNKNOWN_ORDER_FINGERPRINT',
      `Order ${unknown.map((o) => o.orderId).join(', ')} with the same symbol, side, quantity and price has an unknown outcome; sending again could double it. Nothing was sent.`,
      {
        hint: 'Run `qts orders` to reconcile first, or pass --force if you really want a second order.',
        orderIds: unknown.map((o) => o.orderId),
      },
    );
  }
  // Before the write-ahead record: a refused division, session or price leaves no trace.
  checkOrderOptions(ctx, request);
  await checkDailyLimits(ctx, request, options.signal);
  if (options.signal?.aborted === true) {
    throw new RouteUnavailableError('Aborted before anything was journaled or sent.', {
      code: 'ABORTED',
    });
  }
  await checkpoint?.('before-journal', null);
  const at = ctx.now();
  const order: Order = {
    orderId,
    clientOrderId: intent.intentId ?? null,
    brokerOrderId: null,
    brokerBranch: null,
    status: 'pending',
    statusReason:
      unknown.length > 0 ? `forced past unknown ${unknown.map((o) => o.orderId).join(', ')}` : null,
    symbol: request.symbol,
    side: request.side,
    quantity: request.quantity,
    price: request.limitPrice ?? null,
    type: request.type,
    ...division,
    productType: request.productType ?? null,
    mode: ctx.mode,
    filledQuantity: 0,
    averagePrice: null,
    fills: {},
    createdAt: at,
    updatedAt: at,
    tradingDate: seoulDate(new Date(ctx.clock())),
    sentAt: null,
    acceptedAt: null,
    error: null,
    cancelBrokerOrderId: null,
    modifyBrokerOrderId: null,
    linkedBrokerOrderIds: [],
    note: intent.note ?? null,
  };
  // Write-ahead, in one commit: the intent (`pending`) and the record that says "it may be at
  // the broker now" (`submitted`, fsynced) land together before any network call. A process
  // killed before that commit leaves no record (nothing was sent); after it, `submitted`
  // (recovery makes it unknown, reconcile settles it). The owner is this process either way.
  // `sentAt` is stamped inside the transaction, once the write lock is held (a wait for another
  // process's lock comes before it, not between it and the send).
  const send = transition(order.status, { type: 'submit' });
  if (!send.ok) throw new Error(`submit: ${send.reason}`);
  if (isAborted(options.signal)) {
    throw new RouteUnavailableError('Aborted before anything was journaled or sent.', {
      code: 'ABORTED',
    });
  }
  const inserted = journal.insert(order, { at, cause: 'intent', owner: ctx.self }, () => {
    const sentAt = ctx.now();
    return {
      patch: { status: send.status, sentAt, updatedAt: sentAt },
      entry: { at: sentAt, cause: 'send', owner: ctx.self, durable: true },
    };
  });
  if (!inserted.inserted) return replay(ctx, inserted.order, fingerprint);
  const journaled = inserted.order;
  await checkpoint?.('journaled', journaled);
  // A journal that ignored the follow-up stored the intent alone: the write-ahead record is
  // written now, expecting the row it inserted (if anything else touched it, nothing is sent).
  let submitted = journaled;
  if (journaled.status === 'pending') {
    if (isAborted(options.signal)) return abortBeforeSend(ctx, journaled);
    try {
      submitted =
        applyTransition(
          ctx,
          journaled,
          { type: 'submit' },
          { sentAt: ctx.now() },
          { cause: 'send', owner: ctx.self, durable: true, expect: { owner: ctx.self } },
        ) ?? journaled;
    } catch (error) {
      if (!JournalConflictError.isInstance(error)) throw error;
      // Another process settled the record first (it judged this process gone): do not send.
      const stopped = new RouteUnavailableError(
        `Order ${orderId} was changed by another process (${error.current.status}) before it was sent; nothing was sent.`,
        { code: 'ABORTED', hint: 'Check it with `qts orders`; nothing was sent for this order.' },
      );
      return { order: error.current, error: stopped };
    }
  } else if (isAborted(options.signal)) {
    return abortBeforeSend(ctx, journaled);
  }
  await checkpoint?.('before-send', submitted);
  let outcome: { ack: Awaited<ReturnType<OrderAdapter['placeOrder']>> } | { error: QtsError };
  try {
    const answer: unknown = await adapter.placeOrder(
      request,
      options.signal === undefined ? {} : { signal: options.signal },
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
      // Over the order as it is now: a notice may have moved it already (a fill before the ack).
      const accepted = onFresh(
        ctx,
        orderId,
        (current) =>
          applyTransition(
            ctx,
            current,
            { type: 'accept' },
            {
              brokerOrderId: current.brokerOrderId ?? ack.brokerOrderId,
              brokerBranch: current.brokerBranch ?? ack.brokerBranch,
              acceptedAt: current.acceptedAt ?? ack.acceptedAt,
              tradingDate: ack.tradingDate,
            },
            {
              cause: 'ack',
              owner: null,
              data: { brokerCode: ack.brokerCode, brokerMessage: ack.brokerMessage },
            },
          ),
        10,
        submitted,
      );
      // Notices that arrived before the ack (kept aside) may move the order further.
      if (accepted !== null && adoptStrays(ctx, accepted)) {
        return { order: journal.get(orderId) ?? accepted };
      }
      return { order: accepted ?? journal.get(orderId) ?? submitted };
    }
    return recordFailure(ctx, orderId, outcome.error, 'place');
  } catch (error) {
    // The broker answered but the journal could not record it: the order stays `submitted`
    // (a restart makes it unknown and reconcile settles it). Say so; never claim not sent.
    const unknown = new OutcomeUnknownError(
      `The broker answered order ${orderId} but the journal could not record it (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
    ctx.logger({ level: 'error', message: unknown.message, orderId });
    return { order: submitted, error: unknown };
  }
}
