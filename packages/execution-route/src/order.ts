import {
  ERROR_OUTCOMES,
  EXECUTION_CONDITIONS,
  type ExecutionCondition,
  ORDER_DIVISION_RULES,
  ORDER_SESSIONS,
  ORDER_SIDES,
  ORDER_STATUSES,
  ORDER_TYPES,
  type OrderSession,
  type OrderSide,
  type OrderStatus,
  type OrderType,
  orderDivisionOf,
  PRICE_CONDITIONS,
  PRODUCT_TYPES,
  type PriceCondition,
  type ProductType,
  QTS_ERROR_CODES,
  type QtsErrorCode,
  type QtsErrorJson,
  VENUES,
  type Venue,
} from '@qts/order-contract';
import * as v from 'valibot';

/** Where the route sends orders. Journals of different modes never mix. */
export const ROUTE_MODES = ['virtual', 'paper', 'real'] as const;
/** Where the route sends orders. */
export type RouteMode = (typeof ROUTE_MODES)[number];

/** The last error an order met, in the CLI's `error` shape. */
export type OrderErrorInfo = QtsErrorJson;

/** Cumulative fill state of one broker order number (the order, or a modify of it). */
export interface BrokerFill {
  readonly filledQuantity: number;
  readonly averagePrice: number | null;
}

/**
 * The runtime order: what the route knows about one order, as the journal keeps it and the CLI
 * prints it. Plain data (JSON-safe).
 */
export interface Order {
  /** Local id, unique in the journal. */
  readonly orderId: string;
  /** The caller's intent id (`--client-order-id`), or null. */
  readonly clientOrderId: string | null;
  /** The broker's order number as the broker sent it (KIS ODNO), or null while not known. */
  readonly brokerOrderId: string | null;
  /** The broker's branch (KIS KRX_FWDG_ORD_ORGNO), or null. */
  readonly brokerBranch: string | null;
  readonly status: OrderStatus;
  /** Why the order is in its status (e.g. why an unknown order stays unknown), or null. */
  readonly statusReason: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  /** Total ordered quantity (after a modify: filled + new remaining). */
  readonly quantity: number;
  /** Limit price in KRW; null for market orders. */
  readonly price: number | null;
  readonly type: OrderType;
  /** `conditional`, `best` or `priority`; absent for a plain limit or market order. */
  readonly priceCondition?: PriceCondition;
  /** `ioc` or `fok`; absent for an order that rests. */
  readonly executionCondition?: ExecutionCondition;
  /** A KRX off-hours session (`pre`, `post`, `single`); absent for the regular session. */
  readonly session?: OrderSession;
  /** `NXT` or `SOR`; absent for KRX. */
  readonly venue?: Venue;
  readonly productType: ProductType | null;
  readonly mode: RouteMode;
  /** Cumulative filled quantity (sum over the order's broker numbers). */
  readonly filledQuantity: number;
  /** Average fill price, or null when nothing filled. */
  readonly averagePrice: number | null;
  /** Cumulative fills per broker order number (a modify gets its own number at KIS). */
  readonly fills: Readonly<Record<string, BrokerFill>>;
  /** When the intent was journaled, ISO 8601. */
  readonly createdAt: string;
  /** Last change, ISO 8601. */
  readonly updatedAt: string;
  /** The order's trading date (YYYYMMDD, Asia/Seoul): the broker's when known, else ours at creation. */
  readonly tradingDate: string;
  /** When the place request went on the wire (status submitted), or null if never. */
  readonly sentAt: string | null;
  /** When the broker accepted it (its own time when given), or null. */
  readonly acceptedAt: string | null;
  /** The last error (place, cancel or modify), or null. */
  readonly error: OrderErrorInfo | null;
  /** The broker number of the cancel request, once known. */
  readonly cancelBrokerOrderId: string | null;
  /** The broker number of the latest modify request, once known (it carries the remaining quantity). */
  readonly modifyBrokerOrderId: string | null;
  /** Every broker number of this order's cancel / modify requests, oldest first. */
  readonly linkedBrokerOrderIds: readonly string[];
  /** The caller's note, or null. */
  readonly note: string | null;
}

const statusSchema = v.picklist(ORDER_STATUSES);
const nullableString = v.nullable(v.string());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));

const ErrorInfoSchema = v.object({
  code: v.picklist(Object.keys(QTS_ERROR_CODES) as [QtsErrorCode, ...QtsErrorCode[]]),
  outcome: v.picklist(ERROR_OUTCOMES),
  message: v.string(),
  brokerCode: nullableString,
  brokerMessage: nullableString,
  hint: v.string(),
});

/** Valibot schema of a journaled order (the journal file is outside input: it is parsed on read). */
export const OrderSchema = v.object({
  orderId: v.pipe(v.string(), v.minLength(1)),
  clientOrderId: nullableString,
  brokerOrderId: nullableString,
  brokerBranch: nullableString,
  status: statusSchema,
  statusReason: nullableString,
  symbol: v.string(),
  side: v.picklist(ORDER_SIDES),
  quantity: count,
  price: v.nullable(v.number()),
  type: v.picklist(ORDER_TYPES),
  priceCondition: v.exactOptional(v.picklist(PRICE_CONDITIONS)),
  executionCondition: v.exactOptional(v.picklist(EXECUTION_CONDITIONS)),
  session: v.exactOptional(v.picklist(ORDER_SESSIONS)),
  venue: v.exactOptional(v.picklist(VENUES)),
  productType: v.nullable(v.picklist(PRODUCT_TYPES)),
  mode: v.picklist(ROUTE_MODES),
  filledQuantity: count,
  averagePrice: v.nullable(v.number()),
  fills: v.record(
    v.string(),
    v.object({ filledQuantity: count, averagePrice: v.nullable(v.number()) }),
  ),
  createdAt: v.string(),
  updatedAt: v.string(),
  tradingDate: v.pipe(v.string(), v.regex(/^\d{8}$/)),
  sentAt: nullableString,
  acceptedAt: nullableString,
  error: v.nullable(ErrorInfoSchema),
  cancelBrokerOrderId: nullableString,
  modifyBrokerOrderId: nullableString,
  linkedBrokerOrderIds: v.array(v.string()),
  note: nullableString,
});

/** A change to an order (any subset of its fields except the id). */
export type OrderPatch = { -readonly [K in Exclude<keyof Order, 'orderId'>]?: Order[K] };

/** The division and venue fields of an order (all absent: a plain limit or market order on KRX). */
export interface OrderDivisionInfo {
  readonly priceCondition?: PriceCondition | undefined;
  readonly executionCondition?: ExecutionCondition | undefined;
  readonly session?: OrderSession | undefined;
  readonly venue?: Venue | undefined;
}

/** The division and venue fields that are set (none `undefined`). */
export interface OrderDivisionFieldsSet {
  readonly priceCondition?: PriceCondition;
  readonly executionCondition?: ExecutionCondition;
  readonly session?: OrderSession;
  readonly venue?: Venue;
}

/** The division and venue fields that are set, for spreading into an order or a reference. */
export function divisionInfoOf(source: OrderDivisionInfo): OrderDivisionFieldsSet {
  return {
    ...(source.priceCondition === undefined ? {} : { priceCondition: source.priceCondition }),
    ...(source.executionCondition === undefined
      ? {}
      : { executionCondition: source.executionCondition }),
    ...(source.session === undefined ? {} : { session: source.session }),
    ...(source.venue === undefined || source.venue === 'KRX' ? {} : { venue: source.venue }),
  };
}

/** True when an order names a division or venue beyond a plain limit / market order on KRX. */
export function hasDivisionInfo(source: OrderDivisionInfo): boolean {
  return Object.keys(divisionInfoOf(source)).length > 0;
}

/**
 * What identifies "the same order" for the unknown-order guard and reconciliation: symbol, side,
 * quantity, type and price, plus the division and venue of an order that names one (two orders
 * that differ only there are different orders). A division the exchange prices counts without
 * its price (the broker may report the price it set). A plain order's fingerprint is what it was
 * before divisions.
 */
export function orderFingerprint(
  order: {
    readonly symbol: string;
    readonly side: OrderSide;
    readonly quantity: number;
    readonly type: OrderType;
    readonly price: number | null;
  } & OrderDivisionInfo,
): string {
  const plain = `${order.symbol}|${order.side}|${order.quantity}|${order.type}`;
  if (!hasDivisionInfo(order)) return `${plain}|${order.price ?? 'market'}`;
  const division = orderDivisionOf({ type: order.type, ...divisionInfoOf(order) });
  const priced = division !== null && ORDER_DIVISION_RULES[division].limitPrice === 'required';
  return `${plain}|${priced ? (order.price ?? '-') : 'exchange'}|${division ?? 'unknown-division'}|${order.venue ?? 'KRX'}`;
}

/** Every broker number that belongs to an order (the order's own and its cancel / modify requests). */
export function brokerNumbersOf(order: Order): string[] {
  const numbers: string[] = [];
  if (order.brokerOrderId !== null) numbers.push(order.brokerOrderId);
  for (const n of order.linkedBrokerOrderIds) if (!numbers.includes(n)) numbers.push(n);
  return numbers;
}

/** Sums per-number fills into the order's filled quantity and average price. */
export function totalFills(fills: Readonly<Record<string, BrokerFill>>): {
  filledQuantity: number;
  averagePrice: number | null;
} {
  let quantity = 0;
  let notional = 0;
  for (const fill of Object.values(fills)) {
    quantity += fill.filledQuantity;
    notional += fill.filledQuantity * (fill.averagePrice ?? 0);
  }
  return { filledQuantity: quantity, averagePrice: quantity > 0 ? notional / quantity : null };
}
