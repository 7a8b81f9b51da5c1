// What the KIS face needs from the virtual exchange core, in the sandbox's own terms
// (`ExchangeAccess`), and its implementation over the core's VirtualExchange. The protocol tests
// run the sandbox over a fake ExchangeAccess instead (test/sandbox/fake-exchange.ts).
import type { OrderDivision, Venue } from '@qts/order-contract';
import { createVirtualExchange } from '../core/exchange.js';
import type { VirtualExchange } from '../core/types.js';

export type ExchangeSide = 'buy' | 'sell';
export type ExchangeOrderType = 'limit' | 'market';

export interface ExchangeOrder {
  readonly account: string;
  /** Order number as KIS would send it (ODNO, 10 digits). */
  readonly orderNo: string;
  /** KRX_FWDG_ORD_ORGNO / ord_gno_brno. */
  readonly branch: string;
  readonly originalOrderNo: string | null;
  readonly kind: 'order' | 'modify' | 'cancel';
  readonly symbol: string;
  readonly side: ExchangeSide;
  readonly type: ExchangeOrderType;
  readonly quantity: number;
  readonly limitPrice: number | null;
  readonly filledQuantity: number;
  readonly filledAmount: number;
  readonly remainingQuantity: number;
  readonly canceledQuantity: number;
  readonly rejectedQuantity: number;
  /** Epoch ms. */
  readonly orderedAt: number;
  /** YYYYMMDD (KST). */
  readonly tradingDate: string;
  /** The order division (maps to ORD_DVSN). */
  readonly division: OrderDivision;
  /** KRX, NXT or SOR (EXCG_ID_DVSN_CD). */
  readonly venue: Venue;
}

export interface ExchangePosition {
  readonly symbol: string;
  readonly quantity: number;
  readonly sellableQuantity: number;
  readonly averagePrice: number;
  readonly lastPrice: number | null;
  readonly boughtToday: number;
  readonly soldToday: number;
}

export interface ExchangeBalance {
  readonly cash: number;
  /** Cash available for new buys (cash minus what open buys hold). */
  readonly orderableCash: number;
  readonly positions: readonly ExchangePosition[];
}

export type ExchangeResult =
  | { readonly ok: true; readonly order: ExchangeOrder }
  | {
      readonly ok: false;
      /** KIS msg_cd / msg1 to answer with (HTTP 200, rt_cd "7" unless rtCd given). */
      readonly code: string;
      readonly message: string;
    };

/** One thing a notice reports. */
export interface ExchangeEvent {
  /** `exchange-cancel`: the exchange canceled an IOC / FOK remainder (`order` is the order itself). */
  readonly kind: 'receipt' | 'fill' | 'cancel' | 'modify' | 'reject' | 'exchange-cancel';
  readonly account: string;
  /** The order (for cancel/modify: the cancel/modify order itself). */
  readonly order: ExchangeOrder;
  /** For fills: this fill. */
  readonly fillQuantity: number | null;
  readonly fillPrice: number | null;
  /** Epoch ms. */
  readonly at: number;
}

/** A fault scripted on the exchange, as the HTTP / WebSocket layer applies it. */
export type ExchangeFault =
  | { readonly kind: 'reject'; readonly code: string; readonly message: string }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'never-answer' }
  | { readonly kind: 'reset-after-accept' }
  | { readonly kind: 'refuse-connection' };

/** Fault operations (the core's FaultOperation names). */
export type ExchangeOperation = 'place' | 'cancel' | 'modify' | 'inquiry' | 'balance' | 'connect';

export type ExchangeNoticeFault = 'drop' | 'duplicate' | null;

export interface ExchangeAccess {
  place(
    account: string,
    request: {
      symbol: string;
      side: ExchangeSide;
      type: ExchangeOrderType;
      quantity: number;
      limitPrice: number | null;
      /** @defaultValue `type` */
      division?: OrderDivision;
      /** @defaultValue 'KRX' */
      venue?: Venue;
    },
  ): ExchangeResult;
  cancel(account: string, orderNo: string, quantity: number | 'all'): ExchangeResult;
  modify(
    account: string,
    orderNo: string,
    change: {
      type: ExchangeOrderType;
      /** @defaultValue the order's division (or `type` when it changes) */
      division?: OrderDivision;
      limitPrice: number | null;
      quantity: number | 'all';
    },
  ): ExchangeResult;
  /** Orders of the account on trading dates in [from, to] (YYYYMMDD), oldest first. */
  orders(account: string, from: string, to: string): readonly ExchangeOrder[];
  balance(account: string): ExchangeBalance;
  referencePrice(symbol: string): number | null;
  /** Sets a symbol's reference price (resting orders it crosses fill). */
  setReferencePrice(symbol: string, price: number): void;
  /** Subscribe to events of all accounts. */
  onEvent(listener: (event: ExchangeEvent) => void): () => void;
  /** The next scripted fault for a request of this kind, consumed; null when none (once per request). */
  takeFault(operation: ExchangeOperation): ExchangeFault | null;
  /** Whether a 'connect' fault is queued (so a request on a kept-alive socket can apply it). */
  hasConnectFault(): boolean;
  /** The next scripted notice fault, consumed. */
  takeNoticeFault(): ExchangeNoticeFault;
  /** Ensures the account exists (with the exchange's starting cash). */
  ensureAccount(account: string): void;
  /**
   * Moves the exchange's clock (and the sandbox's) so that it reads `at` now and runs on from
   * there; null returns to the injected clock. Absent when the sandbox serves an exchange it did
   * not make (its clock is the caller's to move).
   */
  readonly setClock?: ((at: number | null) => void) | undefined;
}

/** A clock the sandbox can move: the injected clock plus an offset. */
export interface MovableClock {
  readonly now: () => number;
  set(at: number | null): void;
}

/** Wraps a clock so that `set(at)` makes it read `at` now and run on from there. */
export function movableClock(base: () => number): MovableClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    set(at) {
      offset = at === null ? 0 : at - base();
    },
  };
}

/**
 * @param exchange - The exchange.
 * @param clock - The movable clock the exchange was made with, when the sandbox made it.
 */
export function createExchangeAccess(
  exchange: VirtualExchange,
  clock?: MovableClock,
): ExchangeAccess {
  return {
    ...(clock === undefined ? {} : { setClock: (at: number | null) => clock.set(at) }),
    place: (account, request) => exchange.place(account, request),
    cancel: (account, orderNo, quantity) => exchange.cancel(account, orderNo, quantity),
    modify: (account, orderNo, change) =>
      // KIS semantics: the part of the remainder that is not modified stays open.
      exchange.modify(account, orderNo, { ...change, rest: 'keep' }),
    orders: (account, from, to) => exchange.orders(account, { from, to }),
    balance: (account) => exchange.balance(account),
    referencePrice: (symbol) => exchange.referencePrice(symbol),
    setReferencePrice: (symbol, price) => {
      exchange.setReferencePrice(symbol, price);
    },
    onEvent: (listener) =>
      exchange.onEvent((event) =>
        listener({
          kind: event.kind,
          account: event.account,
          order: event.order,
          fillQuantity: event.fillQuantity,
          fillPrice: event.fillPrice,
          at: event.at,
        }),
      ),
    takeFault: (operation) => exchange.faults.take(operation),
    hasConnectFault: () => exchange.faults.pending().some((p) => p.operation === 'connect'),
    takeNoticeFault: () => exchange.faults.takeNotice(),
    ensureAccount: (account) => exchange.openAccount(account),
  };
}

/** How the sandbox reaches an exchange: the one it was given, or one it makes (and closes). */
export interface SandboxExchange {
  readonly exchange: VirtualExchange;
  readonly access: ExchangeAccess;
  /** The sandbox's clock (movable when the sandbox made the exchange). */
  readonly clock: () => number;
  /** Whether the sandbox made the exchange (and so closes it). */
  readonly own: boolean;
}

/**
 * The exchange a sandbox serves: `options.exchange`, else a new in-memory exchange on a movable
 * clock (`POST /qts-sandbox/clock` moves it).
 */
export function sandboxExchange(options: {
  readonly exchange?: VirtualExchange | undefined;
  readonly sessionRules?: boolean | undefined;
  readonly clock?: (() => number) | undefined;
}): SandboxExchange {
  const clock = movableClock(options.clock ?? Date.now);
  const own = options.exchange === undefined;
  const exchange =
    options.exchange ??
    createVirtualExchange({ clock: clock.now, sessionRules: options.sessionRules ?? false });
  return {
    exchange,
    access: createExchangeAccess(exchange, own ? clock : undefined),
    clock: clock.now,
    own,
  };
}
