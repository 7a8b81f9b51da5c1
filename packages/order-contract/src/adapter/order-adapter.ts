import type { OrderOptionSupport } from '../krx/order-division.js';
import type { Balance } from '../models/balance.js';
import type { OrderEvent } from '../models/event.js';
import type {
  BrokerOrder,
  OrderAck,
  OrderChange,
  OrderRef,
  OrderRequest,
  OrdersQuery,
} from '../models/order.js';
import type { Quote } from '../models/quote.js';

/** Options every adapter call takes. */
export interface CallOptions {
  /** Aborts the call. An abort before sending is not_placed; after sending it is unknown. */
  readonly signal?: AbortSignal;
}

/** What an adapter supports, so callers check instead of catching. */
export interface AdapterCapabilities {
  /** `modifyOrder` works. */
  readonly modify: boolean;
  /** `getOrders({ openOnly: true })` is answered by the broker (or derived faithfully). */
  readonly openOrderInquiry: boolean;
  /** `subscribe` delivers broker notices (else it only reports connection state). */
  readonly notices: boolean;
  /** `getBalance` exists. */
  readonly balance: boolean;
  /** Market orders are accepted. */
  readonly marketOrders: boolean;
  /**
   * `getQuote` exists (the current price and the day's limits). Optional: an adapter that does
   * not set it offers no quote.
   */
  readonly quote?: boolean;
  /**
   * The order divisions and venues the adapter sends (`ORDER_DIVISIONS`, `VENUES`). Optional: an
   * adapter that does not set it sends limit orders (and market orders when `marketOrders`) to
   * KRX only (`defaultOrderOptionSupport`). A request for anything else is refused with
   * `InvalidOrderError` before anything is sent (`unsupportedOrderOptions`).
   */
  readonly orderOptions?: OrderOptionSupport;
}

/** Receives order events. Must not throw; an adapter ignores a listener's errors. */
export type OrderEventListener = (event: OrderEvent) => void;

/** Stops a subscription and closes what it opened. */
export type Unsubscribe = () => Promise<void>;

/**
 * The Order Adapter contract (v1): inquire, place, receive results. An adapter builds requests,
 * calls the broker, parses answers and hands results over. It does not manage tokens, decide
 * whether to trade, or retry: a timeout after sending raises `OutcomeUnknownError`, never a
 * second send.
 *
 * Errors: `InvalidOrderError` (before any I/O), `ConfigError`, `BrokerRejectedError`,
 * `RouteUnavailableError` (nothing sent), `OutcomeUnknownError` (sent, no definite answer).
 */
export interface OrderAdapter {
  /** The contract version this adapter implements. */
  readonly specificationVersion: 'v1';
  /** A short name: `virtual`, `kis`. */
  readonly name: string;
  /** What this adapter supports. */
  readonly capabilities: AdapterCapabilities;
  /** Places one order. Sends at most once. */
  placeOrder(request: OrderRequest, options?: CallOptions): Promise<OrderAck>;
  /** Cancels the remaining quantity of an order. The ack carries the cancel's own number. */
  cancelOrder(ref: OrderRef, options?: CallOptions): Promise<OrderAck>;
  /** Modifies price and/or remaining quantity of an order (`capabilities.modify`). */
  modifyOrder(ref: OrderRef, change: OrderChange, options?: CallOptions): Promise<OrderAck>;
  /** The orders of one trading date with their fill state, every page. */
  getOrders(query: OrdersQuery, options?: CallOptions): Promise<BrokerOrder[]>;
  /** Starts result reception: one connection attempt. Resolves once listening. */
  subscribe(listener: OrderEventListener, options?: CallOptions): Promise<Unsubscribe>;
  /** Cash and positions (`capabilities.balance`). */
  getBalance?(options?: CallOptions): Promise<Balance>;
  /**
   * The current price and the day's upper and lower limits of one symbol (`capabilities.quote`).
   * An inquiry: nothing is ordered. Throws `InvalidOrderError` for a malformed symbol (nothing
   * sent) and the usual broker errors otherwise.
   */
  getQuote?(symbol: string, options?: CallOptions): Promise<Quote>;
  /** Releases sockets, timers and files. Idempotent. */
  close?(): Promise<void>;
}
