// What the KIS face needs from the virtual exchange core, in the sandbox's own terms.
// `createExchangePort` (port-core.ts) implements it over the core's VirtualExchange.
import type { OrderDivision, Venue } from '@qts/order-contract';

export type PortSide = 'buy' | 'sell';
export type PortOrderType = 'limit' | 'market';

export interface PortOrder {
  readonly account: string;
  /** Order number as KIS would send it (ODNO, 10 digits). */
  readonly orderNo: string;
  /** KRX_FWDG_ORD_ORGNO / ord_gno_brno. */
  readonly branch: string;
  readonly originalOrderNo: string | null;
  readonly kind: 'order' | 'modify' | 'cancel';
  readonly symbol: string;
  readonly side: PortSide;
  readonly type: PortOrderType;
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

export interface PortPosition {
  readonly symbol: string;
  readonly quantity: number;
  readonly sellableQuantity: number;
  readonly averagePrice: number;
  readonly lastPrice: number | null;
  readonly boughtToday: number;
  readonly soldToday: number;
}

export interface PortBalance {
  readonly cash: number;
  /** Cash available for new buys (cash minus what open buys hold). */
  readonly orderableCash: number;
  readonly positions: readonly PortPosition[];
}

export type PortResult =
  | { readonly ok: true; readonly order: PortOrder }
  | {
      readonly ok: false;
      /** KIS msg_cd / msg1 to answer with (HTTP 200, rt_cd "7" unless rtCd given). */
      readonly code: string;
      readonly message: string;
    };

/** One thing a notice reports. */
export interface PortEvent {
  /** `exchange-cancel`: the exchange canceled an IOC / FOK remainder (`order` is the order itself). */
  readonly kind: 'receipt' | 'fill' | 'cancel' | 'modify' | 'reject' | 'exchange-cancel';
  readonly account: string;
  /** The order (for cancel/modify: the cancel/modify order itself). */
  readonly order: PortOrder;
  /** For fills: this fill. */
  readonly fillQuantity: number | null;
  readonly fillPrice: number | null;
  /** Epoch ms. */
  readonly at: number;
}

/** A fault scripted on the exchange, as the HTTP / WebSocket layer applies it. */
export type PortFault =
  | { readonly kind: 'reject'; readonly code: string; readonly message: string }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'never-answer' }
  | { readonly kind: 'reset-after-accept' }
  | { readonly kind: 'refuse-connection' };

/** Fault operations (the core's FaultOperation names). */
export type PortOperation = 'place' | 'cancel' | 'modify' | 'inquiry' | 'balance' | 'connect';

export type PortNoticeFault = 'drop' | 'duplicate' | null;

export interface ExchangePort {
  place(
    account: string,
    request: {
      symbol: string;
      side: PortSide;
      type: PortOrderType;
      quantity: number;
      limitPrice: number | null;
      /** @defaultValue `type` */
      division?: OrderDivision;
      /** @defaultValue 'KRX' */
      venue?: Venue;
    },
  ): PortResult;
  cancel(account: string, orderNo: string, quantity: number | 'all'): PortResult;
  modify(
    account: string,
    orderNo: string,
    change: {
      type: PortOrderType;
      /** @defaultValue the order's division (or `type` when it changes) */
      division?: OrderDivision;
      limitPrice: number | null;
      quantity: number | 'all';
    },
  ): PortResult;
  /** Orders of the account on trading dates in [from, to] (YYYYMMDD), oldest first. */
  orders(account: string, from: string, to: string): readonly PortOrder[];
  balance(account: string): PortBalance;
  referencePrice(symbol: string): number | null;
  /** Sets a symbol's reference price (resting orders it crosses fill). */
  setReferencePrice(symbol: string, price: number): void;
  /** Subscribe to events of all accounts. */
  onEvent(listener: (event: PortEvent) => void): () => void;
  /** The next scripted fault for a request of this kind, consumed; null when none (once per request). */
  takeFault(operation: PortOperation): PortFault | null;
  /** Whether a 'connect' fault is queued (so a request on a kept-alive socket can apply it). */
  hasConnectFault(): boolean;
  /** The next scripted notice fault, consumed. */
  takeNoticeFault(): PortNoticeFault;
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
