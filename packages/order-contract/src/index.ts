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
  type QtsErrorDetails,
  type QtsErrorJson,
  type QtsErrorOptions,
  type RejectionCode,
  RouteUnavailableError,
} from './errors/qts-error.js';
export {
  createHolidayCalendar,
  type HolidayCalendar,
  KRX_SESSION_PHASES,
  KRX_SESSION_SCHEDULE,
  type KrxSessionPhase,
  type KrxSessionWindow,
  krxSessionAt,
  NO_HOLIDAYS,
  seoulDate,
  seoulTime,
} from './krx/session.js';
export {
  isValidSymbol,
  KRX_ETN_SYMBOL_PATTERN,
  KRX_STOCK_SYMBOL_PATTERN,
  productTypeOfSymbol,
} from './krx/symbol.js';
export {
  isOnTick,
  KRX_FUND_TICK,
  KRX_STOCK_TICK_TABLE,
  roundToTick,
  type TickBand,
  type TickRounding,
  tickBand,
  tickSize,
} from './krx/tick-size.js';
export {
  assertValidOrderRequest,
  DEFAULT_MAX_ORDER_QUANTITY,
  type ValidateOrderRequestOptions,
  validateOrderRequest,
} from './krx/validate-order-request.js';
export {
  ORDER_STATUSES,
  type OrderStatus,
  type OrderTransitionEvent,
  TERMINAL_ORDER_STATUSES,
  type TerminalOrderStatus,
} from './lifecycle/order-status.js';
export {
  isTerminal,
  ORDER_TRANSITIONS,
  type OrderTransitionEventType,
  type OrderTransitionTable,
  type TransitionResult,
  transition,
} from './lifecycle/transition.js';
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
