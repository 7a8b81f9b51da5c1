import * as v from 'valibot';
import {
  EXECUTION_CONDITIONS,
  ORDER_SESSIONS,
  PRICE_CONDITIONS,
  VENUES,
} from '../krx/order-division.js';

/** Sides of an order. */
export const ORDER_SIDES = ['buy', 'sell'] as const;
/** The side of an order: buy or sell. */
export type OrderSide = (typeof ORDER_SIDES)[number];

/** Order types the contract supports. */
export const ORDER_TYPES = ['limit', 'market'] as const;
/** The type of an order: limit (needs a limit price) or market. */
export type OrderType = (typeof ORDER_TYPES)[number];

/** Product types that change KRX rules (ETF and ETN trade on a 5 KRW tick). */
export const PRODUCT_TYPES = ['stock', 'etf', 'etn'] as const;
/** The product type of a symbol, when the caller knows it. */
export type ProductType = (typeof PRODUCT_TYPES)[number];

/** A trading date in Korea (Asia/Seoul), `YYYYMMDD`. */
export const TradingDateSchema = v.pipe(
  v.string(),
  v.regex(/^\d{8}$/, 'a trading date is YYYYMMDD'),
);

/**
 * The optional fields that name an order division beyond plain limit and market orders, and the
 * venue (`orderDivisionOf`, `ORDER_DIVISION_RULES`). Absent, an order is a plain limit or market
 * order on KRX in the regular session, as in contract v1.0.
 */
function divisionFields() {
  return {
    /** `conditional`, `best` or `priority` (with `type: 'limit'`); absent for a plain limit or market order. */
    priceCondition: v.optional(v.picklist(PRICE_CONDITIONS)),
    /** `ioc` or `fok`; absent for an order that rests. */
    executionCondition: v.optional(v.picklist(EXECUTION_CONDITIONS)),
    /** A KRX off-hours session (`pre`, `post`, `single`); absent for the regular session. */
    session: v.optional(v.picklist(ORDER_SESSIONS)),
    /** `KRX`, `NXT` or `SOR`; absent means KRX. */
    venue: v.optional(v.picklist(VENUES)),
  };
}

/**
 * A request to place one order. Plain data; validate it with `validateOrderRequest` for the KRX
 * rules (the schema checks shape only).
 */
export const OrderRequestSchema = v.object({
  /** The caller's id of this order (the route's local order id). Brokers without client ids ignore it. */
  clientOrderId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  /** KRX symbol: `^[0-9A-Z]{6}$` (stocks, preferred shares such as 00088K) or `^Q[0-9]{6}$` (ETNs). */
  symbol: v.string(),
  side: v.picklist(ORDER_SIDES),
  /** Whole shares, at least 1. */
  quantity: v.number(),
  type: v.picklist(ORDER_TYPES),
  /** KRW on the KRX tick; required for limit orders, absent (or null) for market orders. */
  limitPrice: v.optional(v.nullable(v.number())),
  /** Product type when known (changes the tick table); stock when absent. */
  productType: v.optional(v.picklist(PRODUCT_TYPES)),
  ...divisionFields(),
});
/** A request to place one order. */
export type OrderRequest = v.InferOutput<typeof OrderRequestSchema>;

/**
 * What identifies an order at the broker, with what a cancel or modify needs to build its
 * request (KIS needs the branch, the order number, the type and the price).
 */
export const OrderRefSchema = v.object({
  /** The broker's order number, as the broker sent it (KIS ODNO). */
  brokerOrderId: v.pipe(v.string(), v.minLength(1)),
  /** The broker's branch / order organisation number (KIS KRX_FWDG_ORD_ORGNO), or null. */
  brokerBranch: v.nullable(v.string()),
  symbol: v.string(),
  side: v.picklist(ORDER_SIDES),
  type: v.picklist(ORDER_TYPES),
  /** The order's quantity as placed. */
  quantity: v.number(),
  /** The order's limit price, or null for market orders. */
  limitPrice: v.nullable(v.number()),
  /** The order's trading date, `YYYYMMDD` in Asia/Seoul. */
  tradingDate: TradingDateSchema,
  ...divisionFields(),
});
/** What identifies an order at the broker. */
export type OrderRef = v.InferOutput<typeof OrderRefSchema>;

/** A change to a resting order. At least one field. */
export const OrderChangeSchema = v.object({
  /** The new limit price (KRW, on the tick). */
  limitPrice: v.optional(v.number()),
  /** The new REMAINING quantity (not the new total). */
  quantity: v.optional(v.number()),
});
/** A change to a resting order. */
export type OrderChange = v.InferOutput<typeof OrderChangeSchema>;

/** The broker's acknowledgement of a place, cancel or modify request. */
export const OrderAckSchema = v.object({
  /** The broker's order number of this request (for cancel/modify: the NEW number KIS assigns). */
  brokerOrderId: v.pipe(v.string(), v.minLength(1)),
  /** Branch / order organisation number (KIS KRX_FWDG_ORD_ORGNO), or null. */
  brokerBranch: v.nullable(v.string()),
  /** For cancel/modify acks: the order this request acted on; null for a new order. */
  originalBrokerOrderId: v.nullable(v.string()),
  /** When the broker accepted it, ISO 8601 with offset. */
  acceptedAt: v.string(),
  /** The trading date the broker booked it on, `YYYYMMDD` (Asia/Seoul). */
  tradingDate: TradingDateSchema,
  /** The broker's own success code and message (KIS msg_cd, msg1), verbatim, or null. */
  brokerCode: v.nullable(v.string()),
  brokerMessage: v.nullable(v.string()),
});
/** The broker's acknowledgement of a request. */
export type OrderAck = v.InferOutput<typeof OrderAckSchema>;

/** Status of an order as the BROKER's inquiry reports it. */
export const BROKER_ORDER_STATUSES = [
  'open',
  'partially_filled',
  'filled',
  'canceled',
  'rejected',
] as const;
/** Status of an order in a broker inquiry. */
export type BrokerOrderStatus = (typeof BROKER_ORDER_STATUSES)[number];

/** What kind of broker order a row is: a new order, or a modify / cancel order linked to one. */
export const BROKER_ORDER_KINDS = ['order', 'modify', 'cancel'] as const;
/** What kind of broker order a row is. */
export type BrokerOrderKind = (typeof BROKER_ORDER_KINDS)[number];

/** One order as the broker's inquiry shows it, with its fill state. */
export const BrokerOrderSchema = v.object({
  brokerOrderId: v.pipe(v.string(), v.minLength(1)),
  brokerBranch: v.nullable(v.string()),
  /** For modify / cancel orders: the order they act on. */
  originalBrokerOrderId: v.nullable(v.string()),
  kind: v.picklist(BROKER_ORDER_KINDS),
  symbol: v.string(),
  side: v.picklist(ORDER_SIDES),
  type: v.picklist(ORDER_TYPES),
  /** Ordered quantity. */
  quantity: v.number(),
  /** Limit price, or null for market orders. */
  limitPrice: v.nullable(v.number()),
  /** Cumulative filled quantity. */
  filledQuantity: v.number(),
  /** Quantity still open at the broker. */
  remainingQuantity: v.number(),
  canceledQuantity: v.number(),
  rejectedQuantity: v.number(),
  /** Average fill price, or null when nothing filled. */
  averagePrice: v.nullable(v.number()),
  status: v.picklist(BROKER_ORDER_STATUSES),
  /** When the broker took the order, ISO 8601 with offset. */
  orderedAt: v.string(),
  tradingDate: TradingDateSchema,
  ...divisionFields(),
});
/** One order as the broker's inquiry shows it. */
export type BrokerOrder = v.InferOutput<typeof BrokerOrderSchema>;

/** An inquiry of the orders of one trading date. Paging is the adapter's business. */
export const OrdersQuerySchema = v.object({
  tradingDate: TradingDateSchema,
  /** Only this symbol. */
  symbol: v.optional(v.string()),
  /** Only orders with quantity still open (needs `capabilities.openOrderInquiry` or a derivation). */
  openOnly: v.optional(v.boolean()),
  /** Only this broker order number. */
  brokerOrderId: v.optional(v.string()),
});
/** An inquiry of the orders of one trading date. */
export type OrdersQuery = v.InferOutput<typeof OrdersQuerySchema>;
