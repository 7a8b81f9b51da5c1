import * as v from 'valibot';
import { ORDER_SIDES } from './order.js';

const base = {
  /** When it happened, ISO 8601 with offset. */
  at: v.string(),
  /** Where the adapter learned it. */
  source: v.picklist(['notice', 'inquiry', 'local'] as const),
};

/** The broker took the order (a receipt). */
export const OrderAcceptedEventSchema = v.object({
  type: v.literal('order-accepted'),
  brokerOrderId: v.string(),
  brokerBranch: v.nullable(v.string()),
  symbol: v.string(),
  side: v.picklist(ORDER_SIDES),
  quantity: v.number(),
  limitPrice: v.nullable(v.number()),
  ...base,
});

/**
 * A fill. Carries the order's CUMULATIVE filled quantity and average price, so events from
 * notices (per fill) and inquiries (totals) are both safe to apply: apply only when the
 * cumulative quantity grows.
 */
export const OrderFilledEventSchema = v.object({
  type: v.literal('order-filled'),
  brokerOrderId: v.string(),
  symbol: v.string(),
  side: v.picklist(ORDER_SIDES),
  /** Cumulative filled quantity of the order after this fill. */
  filledQuantity: v.number(),
  /** Cumulative average fill price of the order after this fill. */
  averagePrice: v.number(),
  /** This fill's quantity and price, when the source reports single fills (notices); else null. */
  lastQuantity: v.nullable(v.number()),
  lastPrice: v.nullable(v.number()),
  ...base,
});

/** The order's remaining quantity was canceled. */
export const OrderCanceledEventSchema = v.object({
  type: v.literal('order-canceled'),
  /** The canceled order. */
  brokerOrderId: v.string(),
  /** The cancel order's own number (KIS gives a cancel its own ODNO), or null. */
  cancelBrokerOrderId: v.nullable(v.string()),
  canceledQuantity: v.number(),
  ...base,
});

/** The order was modified; KIS gives the modify its own number. */
export const OrderModifiedEventSchema = v.object({
  type: v.literal('order-modified'),
  /** The order that was modified. */
  brokerOrderId: v.string(),
  /** The number of the modify order, which now carries the remaining quantity. */
  newBrokerOrderId: v.string(),
  quantity: v.number(),
  limitPrice: v.nullable(v.number()),
  ...base,
});

/** The broker refused the order (or a cancel / modify of it). */
export const OrderRejectedEventSchema = v.object({
  type: v.literal('order-rejected'),
  brokerOrderId: v.string(),
  brokerCode: v.nullable(v.string()),
  brokerMessage: v.nullable(v.string()),
  ...base,
});

/** The notice connection was lost; events may have been missed (use inquiry). */
export const ConnectionLostEventSchema = v.object({
  type: v.literal('connection-lost'),
  reason: v.string(),
  at: v.string(),
});

/** Everything `subscribe` delivers. */
export const OrderEventSchema = v.variant('type', [
  OrderAcceptedEventSchema,
  OrderFilledEventSchema,
  OrderCanceledEventSchema,
  OrderModifiedEventSchema,
  OrderRejectedEventSchema,
  ConnectionLostEventSchema,
]);
/** Everything `subscribe` delivers. */
export type OrderEvent = v.InferOutput<typeof OrderEventSchema>;
/** A fill event. */
export type OrderFilledEvent = v.InferOutput<typeof OrderFilledEventSchema>;
