import type {
  OrderAdapter,
  OrderChange,
  OrderEvent,
  OrderStatus,
  QtsError,
} from '@qts/order-contract';
import type { OrderStatusChange, RouteLogger } from './apply.js';
import type { OrderIntent } from './intent.js';
import type { OrderJournal } from './journal/types.js';
import type { Order, RouteMode } from './order.js';

/**
 * Points of `submit` where a crash test can stop the process (see `checkpoint`):
 * `before-journal` (nothing journaled), `journaled` (the intent and its write-ahead `submitted`
 * record committed together; an abort signalled by now still fails it unsent), `before-send`,
 * `answered` (the adapter answered, not yet journaled).
 */
export type RouteCheckpoint = 'before-journal' | 'journaled' | 'before-send' | 'answered';

/** Options of `createExecutionRoute`. */
export interface ExecutionRouteOptions {
  /** The broker, injected (virtual, KIS...). */
  readonly adapter: OrderAdapter;
  /** Where every order and transition is recorded. */
  readonly journal: OrderJournal;
  readonly mode: RouteMode;
  /** Milliseconds since the epoch. @defaultValue Date.now */
  readonly clock?: () => number;
  /** New local order ids. @defaultValue time-ordered random ids */
  readonly ids?: () => string;
  readonly logger?: RouteLogger;
  /**
   * Before a limit order, check its price against the day's limits from the adapter's quote
   * (when `capabilities.quote`) and refuse a price outside them. The band is remembered per
   * symbol for the Seoul trading day (a band quoted before 08:00 KST only until 08:00): one
   * inquiry per symbol and day, and a fresh one before any refusal. @defaultValue true
   */
  readonly dailyLimitCheck?: boolean;
  /**
   * Before an order that names a division or venue (IOC, best, an off-hours session, NXT...),
   * refuse it when its venue does not take it at `clock` (`orderWindowIssue`: KRX, NXT and SOR
   * hours as data; the message names the session). Plain limit and market orders on KRX are
   * never checked. Turn it off for a broker that ignores hours (the virtual exchange's default).
   * @defaultValue true
   */
  readonly orderWindowCheck?: boolean;
  /** Waits (watch backoff and polling). Must resolve early, without throwing, when the signal aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Tolerance around the measured clock offset between us and the broker when matching an
   * unknown order to a broker row (the offset itself is measured from the broker's times of
   * orders already bound that day). @defaultValue 5000
   */
  readonly clockSkewMs?: number;
  /** How long after sending an inquiry must be made before `not_found` is allowed. @defaultValue 300000 (5 min) */
  readonly evidenceWindowMs?: number;
  /**
   * Whether the process that owns an in-flight record still runs. @defaultValue pid plus process
   * start time (see the README: a reused pid is not mistaken for the owner)
   */
  readonly ownerAlive?: (owner: string) => boolean;
  /** Called at each step of `submit` (crash tests stop the process here). */
  readonly checkpoint?: (point: RouteCheckpoint, order: Order | null) => void | Promise<void>;
}

/** Options of `submit`. */
export interface SubmitOptions {
  /** Send even when an `unknown` order has the same fingerprint. */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
}

/** What `submit`, `cancel` and `modify` return: the order whatever happened, and the error if any. */
export interface RouteResult {
  readonly order: Order;
  /** Present when the call did not succeed; its `outcome` says whether anything reached the broker. */
  readonly error?: QtsError;
  /** True when the intent id was already journaled: the existing order, nothing sent. */
  readonly replayed?: boolean;
}

/** Which orders `orders` lists. */
export interface RouteOrdersQuery {
  /** YYYYMMDD (Asia/Seoul). */
  readonly tradingDate?: string;
  readonly statuses?: readonly OrderStatus[];
  readonly symbol?: string;
}

/** What `watch` reports about its connection. */
export interface WatchStatus {
  readonly state: 'connecting' | 'listening' | 'reconnecting' | 'polling' | 'stopped';
  readonly attempt: number;
  /** The wait before the next attempt, for `reconnecting` / `polling`. */
  readonly delayMs?: number;
  readonly reason?: string;
}

/** Options of `watch`. */
export interface WatchOptions {
  /** Stops watching; `watch` resolves once everything it opened is closed. */
  readonly signal: AbortSignal;
  /** Each notice, with the order that owns its broker number as it is now (null for an unknown number). */
  readonly onEvent?: (event: OrderEvent, order: Order | null) => void;
  readonly onStatus?: (status: WatchStatus) => void;
  /** Polling interval when notices are unavailable. @defaultValue 5000 */
  readonly pollIntervalMs?: number;
  /** Reconnect backoff: first delay, doubling up to the max. @defaultValue 500 / 30000 */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
}

/** The runtime execution route. */
export interface ExecutionRoute {
  readonly mode: RouteMode;
  readonly journal: OrderJournal;
  /** What the route fixed when it opened (records left in flight by a process that died). */
  readonly recovered: readonly OrderStatusChange[];
  /** Validates, journals (write-ahead), sends once, and records the answer. */
  submit(intent: OrderIntent | unknown, options?: SubmitOptions): Promise<RouteResult>;
  cancel(orderId: string, options?: { signal?: AbortSignal }): Promise<RouteResult>;
  modify(
    orderId: string,
    change: OrderChange,
    options?: { signal?: AbortSignal },
  ): Promise<RouteResult>;
  orders(query?: RouteOrdersQuery): Order[];
  order(orderId: string): Order | null;
  /** Brings unknown, open and abandoned orders in line with the broker's inquiry. Never sends orders. */
  reconcile(options?: { signal?: AbortSignal }): Promise<OrderStatusChange[]>;
  /** Receives results until the signal aborts. Never places, cancels or modifies. */
  watch(options: WatchOptions): Promise<void>;
  /** Notices whose broker number no journal order owns (kept aside, newest last, at most 100). */
  strays(): readonly OrderEvent[];
}
