// The seam between commands and the packages they wire (adapter + execution route). Commands
// only see this interface; `openEngine` builds it for the configured mode with dynamic imports,
// so only commands that need SQLite, ws or HTTP load them.
import type { WatchStatus } from '@qts/execution-route';
import type { OrderChange, OrderEvent, OrderSide, OrderType } from '@qts/order-contract';
import type {
  CliBalance,
  CliBuyingPower,
  CliOrder,
  CliQuote,
  CliReconciled,
  CliTokenStatus,
} from './model.js';
import type { Runtime } from './runtime.js';

/** A new order, checked by the command already. */
export interface SubmitInput {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: number;
  readonly type: OrderType;
  readonly limitPrice: number | null;
  /** The order division and venue beyond a plain limit / market order on KRX, when asked. */
  readonly division: CliOrderDivision;
  readonly clientOrderId: string | null;
  readonly force: boolean;
}

/** The division and venue fields of an order (each absent for a plain order on KRX). */
export type CliOrderDivision = Pick<
  CliOrder,
  'priceCondition' | 'executionCondition' | 'session' | 'venue'
>;

/** The order after a place / cancel / modify, with the error when it did not succeed. */
export interface OrderOutcome {
  readonly order: CliOrder;
  /** Null on success; otherwise what the route threw (exit 3 or 4 usually). */
  readonly error: unknown;
}

/** What `qts watch` hears from the engine; the command presents it. */
export interface WatchListener {
  /** A result for an order of the journal (order null: a notice no journal order matches). */
  onEvent(event: OrderEvent, order: CliOrder | null): void;
  /** The notice connection's state (connecting, listening, reconnecting, polling). */
  onStatus(status: WatchStatus): void;
}

/** What commands use. */
export interface Engine {
  /** Broker host (`host:port`), or null in virtual mode. */
  readonly host: string | null;
  /** Account shown in banners, or null in virtual mode. */
  readonly account: string | null;
  submit(input: SubmitInput): Promise<OrderOutcome>;
  /**
   * Looks an order up in the journal by its local id, a unique prefix of it, or today's broker
   * order number; null when nothing matches. Throws (exit 2, listing candidates) when several do.
   */
  find(orderId: string): Promise<CliOrder | null>;
  cancel(orderId: string): Promise<OrderOutcome>;
  modify(orderId: string, change: OrderChange): Promise<OrderOutcome>;
  /**
   * Reconciles with the broker, then lists the orders of a trading date. When reconciliation
   * fails the journal is listed anyway and `error` says why (the caller exits non-zero).
   */
  orders(tradingDate: string): Promise<{
    orders: CliOrder[];
    /** Changes to the listed orders. */
    reconciled: CliReconciled[];
    /** Changes to orders of other trading dates (open orders are reconciled whatever their date). */
    otherDates: (CliReconciled & { readonly tradingDate: string | null })[];
    /** Why the broker was not asked or did not answer; null when reconciled. */
    error: unknown;
  }>;
  /** The journal's orders of a trading date, without asking the broker. */
  journalOrders(tradingDate: string): CliOrder[];
  balance(): Promise<CliBalance>;
  /** Buying power for one symbol at a limit price (null: at market). One inquiry in KIS modes. */
  buyingPower(symbol: string, price: number | null): Promise<CliBuyingPower>;
  /** The current price, the day's limits and the tick of one symbol. One inquiry in KIS modes. */
  quote(symbol: string): Promise<CliQuote>;
  token(): Promise<CliTokenStatus>;
  /** Follows today's orders until `signal` aborts, telling `listener` what happens. */
  watch(tradingDate: string, listener: WatchListener, signal: AbortSignal): Promise<CliOrder[]>;
  /** Virtual mode only: sets a symbol's reference price. */
  setReferencePrice(symbol: string, price: number): Promise<void>;
  /** Closes adapters, journals, sockets. Idempotent. */
  close(): Promise<void>;
}

/** Builds the engine of the configured mode. */
export async function openEngine(runtime: Runtime): Promise<Engine> {
  const { createEngine } = await import('./wiring.js');
  return createEngine(runtime);
}

/** Host and account of the configured broker without opening anything (for the REAL banner). */
export async function brokerIdentity(
  runtime: Runtime,
): Promise<{ host: string | null; account: string | null }> {
  const { config } = runtime;
  if (config.mode === 'virtual' || config.kis === undefined) return { host: null, account: null };
  const { resolveKisEndpoints } = await import('@qts/auth-phase2');
  const endpoints = resolveKisEndpoints(config.mode, {
    restBaseUrl: config.kis.baseUrl,
    wsBaseUrl: config.kis.wsUrl,
  });
  return { host: endpoints.host, account: config.kis.account };
}
