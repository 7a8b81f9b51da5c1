// The in-process face of the virtual exchange: implements the Order Adapter contract (v1) over
// a VirtualExchange, applying the exchange's scripted faults the way a network would.

import {
  type AdapterCapabilities,
  assertSupportedOrderRequest,
  type Balance,
  type BrokerOrder,
  BrokerRejectedError,
  type CallOptions,
  InvalidOrderError,
  isOnTick,
  isValidSymbol,
  krxDailyPriceLimits,
  ORDER_DIVISIONS,
  type OrderAck,
  type OrderAdapter,
  type OrderChange,
  OrderChangeSchema,
  type OrderEvent,
  type OrderEventListener,
  type OrderIssue,
  type OrderRef,
  OrderRefSchema,
  type OrderRequest,
  type OrdersQuery,
  OrdersQuerySchema,
  OutcomeUnknownError,
  orderDivisionOf,
  orderDivisionParts,
  productTypeOfSymbol,
  type Quote,
  type RejectionCode,
  RouteUnavailableError,
  revisionIssue,
  type Unsubscribe,
  VENUES,
} from '@qts/order-contract';
import * as v from 'valibot';
import { VirtualExchangeError } from '../core/errors.js';
import { createVirtualExchange } from '../core/exchange.js';
import type {
  FaultOperation,
  VirtualEvent,
  VirtualExchange,
  VirtualOrder,
  VirtualRejectionReason,
  VirtualResult,
} from '../core/types.js';

/** Options of `createVirtualOrderAdapter`. */
export interface VirtualOrderAdapterOptions {
  /** The exchange to trade on. @defaultValue a new in-memory exchange, closed with the adapter */
  readonly exchange?: VirtualExchange | undefined;
  /** The account to trade in. @defaultValue the exchange's default account ('00000000-01') */
  readonly account?: string | undefined;
}

/** The in-process virtual adapter: an OrderAdapter plus the exchange behind it. */
export type VirtualOrderAdapter = OrderAdapter & {
  readonly exchange: VirtualExchange;
  readonly account: string;
  getBalance(options?: CallOptions): Promise<Balance>;
  /**
   * The reference price as the current price and as the previous close: the day's limits are
   * ±30 % of it on the tick (`krxDailyPriceLimits`). Refused (`BROKER_REJECTED`,
   * `no-reference-price`) while the symbol has no reference price.
   */
  getQuote(symbol: string, options?: CallOptions): Promise<Quote>;
  close(): Promise<void>;
};

const CAPABILITIES: AdapterCapabilities = Object.freeze({
  modify: true,
  openOrderInquiry: true,
  notices: true,
  balance: true,
  marketOrders: true,
  quote: true,
  // Every division at every venue that takes it; NXT and SOR trade on the same virtual book.
  orderOptions: Object.freeze({ divisions: ORDER_DIVISIONS, venues: VENUES }),
});

const SEOUL_OFFSET_MS = 9 * 60 * 60 * 1000;

/** ISO 8601 in Asia/Seoul with its offset, e.g. `2026-11-25T10:00:00.000+09:00`. */
export function isoSeoul(epochMs: number): string {
  return new Date(epochMs + SEOUL_OFFSET_MS).toISOString().replace('Z', '+09:00');
}

/** Contract codes of KIS codes whose meaning is known (scripted rejections keep them verbatim). */
const KNOWN_BROKER_CODES: Readonly<Record<string, RejectionCode>> = {
  APBK0952: 'INSUFFICIENT_FUNDS',
  APBK0918: 'MARKET_CLOSED',
  APBK0919: 'MARKET_CLOSED',
  '40570000': 'MARKET_CLOSED',
  '40580000': 'MARKET_CLOSED',
  EGW00201: 'RATE_LIMITED',
  EGW00121: 'AUTH',
  EGW00123: 'AUTH',
  EGW02004: 'ENVIRONMENT_MISMATCH',
  EGW02005: 'ENVIRONMENT_MISMATCH',
  EGW02006: 'ENVIRONMENT_MISMATCH',
};

const REASON_CODES: Readonly<Record<VirtualRejectionReason, RejectionCode>> = {
  'insufficient-funds': 'INSUFFICIENT_FUNDS',
  'insufficient-holdings': 'INSUFFICIENT_HOLDINGS',
  'market-closed': 'MARKET_CLOSED',
  'order-not-found': 'ORDER_NOT_FOUND',
  'no-reference-price': 'BROKER_REJECTED',
  'invalid-request': 'BROKER_REJECTED',
  'not-modifiable': 'BROKER_REJECTED',
  'outside-session': 'MARKET_CLOSED',
};

function rejected(code: RejectionCode, brokerCode: string, brokerMessage: string, what: string) {
  return new BrokerRejectedError(
    code,
    `The virtual exchange refused the ${what}: ${brokerMessage}`,
    {
      brokerCode,
      brokerMessage,
    },
  );
}

function refusal(result: Extract<VirtualResult, { ok: false }>, what: string): BrokerRejectedError {
  return rejected(REASON_CODES[result.reason], result.code, result.message, what);
}

/**
 * A refused cancel / modify. When the order has nothing left open (filled or canceled first),
 * ORDER_NOT_OPEN with the fills in `details`, like every adapter.
 */
function revisionRefusalOf(
  exchange: VirtualExchange,
  result: Extract<VirtualResult, { ok: false }>,
  what: 'cancel' | 'modify',
  orderNo: string,
): BrokerRejectedError {
  const order = result.reason === 'not-modifiable' ? exchange.getOrder(orderNo) : null;
  if (order === null || order.kind === 'cancel' || order.remainingQuantity > 0) {
    return refusal(result, what);
  }
  const filled =
    order.filledQuantity > 0
      ? `filled ${order.filledQuantity}${order.averagePrice === null ? '' : ` @ ${order.averagePrice.toLocaleString('en-US')}`}`
      : order.status;
  return new BrokerRejectedError(
    'ORDER_NOT_OPEN',
    `The virtual exchange refused the ${what}: order ${orderNo} has nothing left open (${filled} before your ${what}).`,
    {
      brokerCode: result.code,
      brokerMessage: result.message,
      details: {
        brokerOrderId: orderNo,
        status: order.status,
        quantity: order.quantity,
        filledQuantity: order.filledQuantity,
        averagePrice: order.averagePrice,
        canceledQuantity: order.canceledQuantity,
        remainingQuantity: order.remainingQuantity,
      },
    },
  );
}

function checkAborted(options: CallOptions | undefined, what: string): void {
  if (options?.signal?.aborted === true) {
    throw new RouteUnavailableError(`The ${what} was aborted before it was sent.`, {
      code: 'ABORTED',
      cause: options.signal.reason,
    });
  }
}

function sleep(ms: number, options: CallOptions | undefined, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const signal = options?.signal;
    const onAbort = () => {
      clearTimeout(timer);
      reject(
        new RouteUnavailableError(`The ${what} was aborted before it was sent.`, {
          code: 'ABORTED',
          cause: signal?.reason,
        }),
      );
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const ISSUE_FIELDS = new Set<OrderIssue['field']>([
  'clientOrderId',
  'symbol',
  'side',
  'quantity',
  'type',
  'limitPrice',
  'productType',
  'session',
]);

function invalid(issues: readonly v.BaseIssue<unknown>[], what: string): InvalidOrderError {
  return new InvalidOrderError(
    issues.map((issue) => {
      const key = issue.path?.[0]?.key;
      const field =
        typeof key === 'string' && ISSUE_FIELDS.has(key as OrderIssue['field'])
          ? (key as OrderIssue['field'])
          : 'symbol';
      return { field, code: `${what}-invalid`, message: `Invalid ${what}: ${issue.message}.` };
    }),
  );
}

function statusOf(order: VirtualOrder): BrokerOrder['status'] {
  return order.status;
}

/** Maps an exchange order to the contract's BrokerOrder. */
function toBrokerOrder(order: VirtualOrder): BrokerOrder {
  const { type: _type, ...parts } = orderDivisionParts(order.division);
  return {
    ...parts,
    ...(order.venue === 'KRX' ? {} : { venue: order.venue }),
    brokerOrderId: order.orderNo,
    brokerBranch: order.branch,
    originalBrokerOrderId: order.originalOrderNo,
    kind: order.kind,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    quantity: order.quantity,
    limitPrice: order.limitPrice,
    filledQuantity: order.filledQuantity,
    remainingQuantity: order.remainingQuantity,
    canceledQuantity: order.canceledQuantity,
    rejectedQuantity: order.rejectedQuantity,
    averagePrice: order.averagePrice,
    status: statusOf(order),
    orderedAt: isoSeoul(order.orderedAt),
    tradingDate: order.tradingDate,
  };
}

/** Maps an exchange event to the contract's OrderEvent (source `notice`). */
function toOrderEvent(event: VirtualEvent): OrderEvent {
  const { order } = event;
  const at = isoSeoul(event.at);
  switch (event.kind) {
    case 'receipt':
      return {
        type: 'order-accepted',
        brokerOrderId: order.orderNo,
        brokerBranch: order.branch,
        symbol: order.symbol,
        side: order.side,
        quantity: order.quantity,
        limitPrice: order.limitPrice,
        at,
        source: 'notice',
      };
    case 'fill':
      return {
        type: 'order-filled',
        brokerOrderId: order.orderNo,
        symbol: order.symbol,
        side: order.side,
        filledQuantity: order.filledQuantity,
        averagePrice: order.averagePrice ?? event.fillPrice ?? 0,
        lastQuantity: event.fillQuantity,
        lastPrice: event.fillPrice,
        at,
        source: 'notice',
      };
    case 'cancel':
      return {
        type: 'order-canceled',
        brokerOrderId: order.originalOrderNo ?? order.orderNo,
        cancelBrokerOrderId: order.orderNo,
        canceledQuantity: order.quantity,
        at,
        source: 'notice',
      };
    case 'exchange-cancel':
      // The exchange canceled what an IOC / FOK order could not fill at once: no cancel order.
      return {
        type: 'order-canceled',
        brokerOrderId: order.orderNo,
        cancelBrokerOrderId: null,
        canceledQuantity: order.canceledQuantity,
        at,
        source: 'notice',
      };
    case 'modify':
      return {
        type: 'order-modified',
        brokerOrderId: order.originalOrderNo ?? order.orderNo,
        newBrokerOrderId: order.orderNo,
        quantity: order.quantity,
        limitPrice: order.limitPrice,
        at,
        source: 'notice',
      };
    case 'reject':
      return {
        type: 'order-rejected',
        brokerOrderId: order.orderNo,
        brokerCode: event.code,
        brokerMessage: event.message,
        at,
        source: 'notice',
      };
  }
}

/**
 * Creates the in-process virtual Order Adapter.
 *
 * @param options The exchange (default: a new in-memory one) and the account.
 * @returns The adapter; `close()` releases its subscriptions (and the exchange it created).
 */
export function createVirtualOrderAdapter(
  options: VirtualOrderAdapterOptions = {},
): VirtualOrderAdapter {
  const ownsExchange = options.exchange === undefined;
  const exchange = options.exchange ?? createVirtualExchange();
  const account = options.account ?? exchange.defaultAccount;
  const listeners = new Set<OrderEventListener>();
  let detach: (() => void) | null = null;
  let closed = false;

  function deliver(event: VirtualEvent): void {
    if (event.account !== account || listeners.size === 0) return;
    const fault = exchange.faults.takeNotice();
    if (fault === 'drop') return;
    const mapped = toOrderEvent(event);
    const times = fault === 'duplicate' ? 2 : 1;
    for (let i = 0; i < times; i += 1) {
      for (const listener of [...listeners]) {
        try {
          listener(mapped);
        } catch {
          // A listener must not throw; the adapter ignores its errors.
        }
      }
    }
  }

  /**
   * Applies the scripted fault of one request, runs it, and maps the outcome: refused (nothing
   * reached the exchange), rejected (answered no), or unknown (booked, no answer).
   */
  async function call<T>(
    operation: FaultOperation,
    what: string,
    callOptions: CallOptions | undefined,
    run: () => T,
  ): Promise<T> {
    if (closed)
      throw new RouteUnavailableError(`The virtual adapter is closed; the ${what} was not sent.`);
    checkAborted(callOptions, what);
    const fault = exchange.faults.take(operation);
    if (fault?.kind === 'refuse-connection') {
      throw new RouteUnavailableError(
        `Could not connect to the virtual exchange (scripted refused connection); the ${what} was not sent.`,
      );
    }
    if (fault?.kind === 'reject') {
      throw rejected(
        KNOWN_BROKER_CODES[fault.code] ?? 'BROKER_REJECTED',
        fault.code,
        fault.message,
        what,
      );
    }
    if (fault?.kind === 'delay') await sleep(fault.ms, callOptions, what);
    let value: T;
    try {
      value = run();
    } catch (error) {
      if (error instanceof VirtualExchangeError) {
        throw new RouteUnavailableError(
          `The virtual exchange could not take the ${what}: ${error.message}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    if (fault?.kind === 'never-answer' || fault?.kind === 'reset-after-accept') {
      const how = fault.kind === 'never-answer' ? 'never answered' : 'reset the connection';
      throw new OutcomeUnknownError(
        `The virtual exchange took the ${what} but ${how} (scripted fault): it may have been booked. Do not resend; check getOrders.`,
      );
    }
    return value;
  }

  function ackOf(order: VirtualOrder): OrderAck {
    return {
      brokerOrderId: order.orderNo,
      brokerBranch: order.branch,
      originalBrokerOrderId: order.originalOrderNo,
      acceptedAt: isoSeoul(order.orderedAt),
      tradingDate: order.tradingDate,
      brokerCode: null,
      brokerMessage: null,
    };
  }

  function checkRef(ref: OrderRef): void {
    const parsed = v.safeParse(OrderRefSchema, ref);
    if (!parsed.success) throw invalid(parsed.issues, 'order reference');
  }

  async function unsubscribeAll(): Promise<void> {
    listeners.clear();
    detach?.();
    detach = null;
  }

  return {
    specificationVersion: 'v1',
    name: 'virtual',
    capabilities: CAPABILITIES,
    exchange,
    account,

    async placeOrder(request: OrderRequest, callOptions?: CallOptions): Promise<OrderAck> {
      assertSupportedOrderRequest(request, CAPABILITIES, 'virtual');
      const result = await call('place', 'order', callOptions, () =>
        exchange.place(account, {
          symbol: request.symbol,
          side: request.side,
          type: request.type,
          quantity: request.quantity,
          limitPrice: request.limitPrice ?? null,
          ...(request.productType === undefined ? {} : { productType: request.productType }),
          // assertSupportedOrderRequest checked the fields name a division.
          division: orderDivisionOf(request) ?? request.type,
          venue: request.venue ?? 'KRX',
        }),
      );
      if (!result.ok) throw refusal(result, 'order');
      return ackOf(result.order);
    },

    async cancelOrder(ref: OrderRef, callOptions?: CallOptions): Promise<OrderAck> {
      checkRef(ref);
      const notRevisable = revisionIssue(ref, { kind: 'cancel' });
      if (notRevisable !== null) throw new InvalidOrderError([notRevisable]);
      const result = await call('cancel', 'cancel', callOptions, () =>
        exchange.cancel(account, ref.brokerOrderId, 'all'),
      );
      if (!result.ok) throw revisionRefusalOf(exchange, result, 'cancel', ref.brokerOrderId);
      return ackOf(result.order);
    },

    async modifyOrder(
      ref: OrderRef,
      change: OrderChange,
      callOptions?: CallOptions,
    ): Promise<OrderAck> {
      checkRef(ref);
      const parsed = v.safeParse(OrderChangeSchema, change);
      if (!parsed.success) throw invalid(parsed.issues, 'order change');
      const issues: OrderIssue[] = [];
      const { limitPrice, quantity } = parsed.output;
      const notRevisable = revisionIssue(ref, {
        kind: 'modify',
        ...(limitPrice === undefined ? {} : { limitPrice }),
      });
      if (notRevisable !== null) throw new InvalidOrderError([notRevisable]);
      if (limitPrice === undefined && quantity === undefined) {
        issues.push({
          field: 'limitPrice',
          code: 'change-empty',
          message: 'A modify needs a new limitPrice, a new remaining quantity, or both.',
        });
      }
      // The product type booked with the order (a local read, not a request) sets the tick.
      const productType =
        exchange.getOrder(ref.brokerOrderId)?.productType ?? productTypeOfSymbol(ref.symbol);
      if (limitPrice !== undefined && !isOnTick(limitPrice, productType)) {
        issues.push({
          field: 'limitPrice',
          code: 'price-off-tick',
          message: `Limit price ${limitPrice} KRW is not a positive price on the KRX tick.`,
        });
      }
      if (quantity !== undefined && (!Number.isInteger(quantity) || quantity < 1)) {
        issues.push({
          field: 'quantity',
          code: 'quantity-not-integer',
          message: `The new remaining quantity must be a whole number of at least 1 (got ${quantity}); cancel the order to leave nothing open.`,
        });
      }
      if (issues.length > 0) throw new InvalidOrderError(issues);
      const result = await call('modify', 'modify', callOptions, () =>
        exchange.modify(account, ref.brokerOrderId, {
          ...(limitPrice === undefined ? {} : { limitPrice }),
          quantity: quantity ?? 'all',
          rest: 'cancel',
        }),
      );
      if (!result.ok) throw revisionRefusalOf(exchange, result, 'modify', ref.brokerOrderId);
      return ackOf(result.order);
    },

    async getOrders(query: OrdersQuery, callOptions?: CallOptions): Promise<BrokerOrder[]> {
      const parsed = v.safeParse(OrdersQuerySchema, query);
      if (!parsed.success) throw invalid(parsed.issues, 'orders query');
      const { tradingDate, symbol, openOnly, brokerOrderId } = parsed.output;
      const orders = await call('inquiry', 'inquiry', callOptions, () =>
        exchange.orders(account, {
          tradingDate,
          ...(symbol === undefined ? {} : { symbol }),
          ...(openOnly === undefined ? {} : { openOnly }),
          ...(brokerOrderId === undefined ? {} : { orderNo: brokerOrderId }),
        }),
      );
      return orders.map(toBrokerOrder);
    },

    async subscribe(listener: OrderEventListener, callOptions?: CallOptions): Promise<Unsubscribe> {
      await call('connect', 'subscription', callOptions, () => undefined).catch(
        (error: unknown) => {
          if (error instanceof OutcomeUnknownError) {
            throw new RouteUnavailableError(
              'The virtual notice connection was reset before it listened; nothing was subscribed.',
              { cause: error },
            );
          }
          throw error;
        },
      );
      listeners.add(listener);
      detach ??= exchange.onEvent(deliver);
      let done = false;
      return async () => {
        if (done) return;
        done = true;
        listeners.delete(listener);
        if (listeners.size === 0) {
          detach?.();
          detach = null;
        }
      };
    },

    async getQuote(symbol: string, callOptions?: CallOptions): Promise<Quote> {
      const what = `quote for ${symbol}`;
      if (!isValidSymbol(symbol)) {
        throw new InvalidOrderError([
          {
            field: 'symbol',
            code: 'symbol-invalid',
            message: `Symbol ${JSON.stringify(symbol)} is not a KRX code: use 6 digits or capital letters (e.g. "005930"), or "Q" and 6 digits for an ETN.`,
          },
        ]);
      }
      if (closed) {
        throw new RouteUnavailableError(`The virtual adapter is closed; the ${what} was not sent.`);
      }
      checkAborted(callOptions, what);
      // No scripted fault applies: faults are scripted for orders and their inquiries.
      const price = exchange.referencePrice(symbol);
      if (price === null) {
        throw rejected(
          'BROKER_REJECTED',
          'no-reference-price',
          `No reference price for ${symbol} in the virtual exchange: set one with \`qts virtual price ${symbol} <KRW>\`.`,
          what,
        );
      }
      const limits = krxDailyPriceLimits(price, productTypeOfSymbol(symbol));
      return { symbol, price, ...limits, basePrice: price };
    },

    async getBalance(callOptions?: CallOptions): Promise<Balance> {
      const balance = await call('balance', 'balance inquiry', callOptions, () =>
        exchange.balance(account),
      );
      const positions = balance.positions.map((position) => ({
        symbol: position.symbol,
        name: null,
        quantity: position.quantity,
        sellableQuantity: position.sellableQuantity,
        averagePrice: position.averagePrice,
        currentPrice: position.lastPrice,
        marketValue: position.lastPrice === null ? null : position.lastPrice * position.quantity,
      }));
      const unpriced = positions.some((position) => position.marketValue === null);
      const totalValue = unpriced
        ? null
        : positions.reduce((sum, position) => sum + (position.marketValue ?? 0), balance.cash);
      return {
        cash: {
          currency: 'KRW',
          deposit: balance.cash,
          orderable: balance.orderableCash,
          totalValue,
        },
        positions,
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await unsubscribeAll();
      if (ownsExchange) exchange.close();
    },
  };
}
