// @qts/order-contract: the Order Adapter contract. Every export is named here.

export type {
  AdapterCapabilities,
  CallOptions,
  OrderAdapter,
  OrderEventListener,
  Unsubscribe,
} from './adapter/order-adapter.js';
export {
  BrokerRejectedError,
  ConfigError,
  ERROR_OUTCOMES,
  type ErrorOutcome,
  InvalidOrderError,
  type OrderIssue,
  OutcomeUnknownError,
  QTS_ERROR_CODES,
  QtsError,
  type QtsErrorCode,
  type QtsErrorJson,
  type QtsErrorOptions,
  type RejectionCode,
  RouteUnavailableError,
} from './errors/qts-error.js';
export {
  ORDER_STATUSES,
  type OrderStatus,
  type OrderTransitionEvent,
  TERMINAL_ORDER_STATUSES,
  type TerminalOrderStatus,
} from './lifecycle/order-status.js';
export { type Balance, BalanceSchema, type Position, PositionSchema } from './models/balance.js';
export {
  ConnectionLostEventSchema,
  OrderAcceptedEventSchema,
  OrderCanceledEventSchema,
  type OrderEvent,
  OrderEventSchema,
  type OrderFilledEvent,
  OrderFilledEventSchema,
  OrderModifiedEventSchema,
  OrderRejectedEventSchema,
} from './models/event.js';
export {
  BROKER_ORDER_KINDS,
  BROKER_ORDER_STATUSES,
  type BrokerOrder,
  type BrokerOrderKind,
  BrokerOrderSchema,
  type BrokerOrderStatus,
  ORDER_SIDES,
  ORDER_TYPES,
  type OrderAck,
  OrderAckSchema,
  type OrderChange,
  OrderChangeSchema,
  type OrderRef,
  OrderRefSchema,
  type OrderRequest,
  OrderRequestSchema,
  type OrderSide,
  type OrdersQuery,
  OrdersQuerySchema,
  type OrderType,
  PRODUCT_TYPES,
  type ProductType,
  TradingDateSchema,
} from './models/order.js';
