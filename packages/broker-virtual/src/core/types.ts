// Public types of the virtual exchange core. Plain data; every face (the in-process adapter,
// the KIS sandbox) reads the same shapes.

import type { HolidayCalendar, OrderDivision, ProductType, Venue } from '@qts/order-contract';

/** The side of an order. */
export type VirtualSide = 'buy' | 'sell';
/** The type of an order. */
export type VirtualOrderType = 'limit' | 'market';
/** A new order, or a modify / cancel order linked to one (KIS gives each its own number). */
export type VirtualOrderKind = 'order' | 'modify' | 'cancel';
/** The state of an order as the exchange's inquiry shows it. */
export type VirtualOrderStatus = 'open' | 'partially_filled' | 'filled' | 'canceled' | 'rejected';

/** The default account: `NNNNNNNN-NN` (CANO-ACNT_PRDT_CD). */
export const DEFAULT_VIRTUAL_ACCOUNT = '00000000-01';
/** The default branch (order organisation) number, as KIS paper trading shows it. */
export const DEFAULT_VIRTUAL_BRANCH = '00950';
/** Starting cash of every new account, KRW. */
export const DEFAULT_STARTING_CASH = 100_000_000;

/** Options of `createVirtualExchange`. */
export interface VirtualExchangeOptions {
  /** SQLite file (libsql, WAL) holding the state across runs. In memory when absent. */
  readonly file?: string | undefined;
  /** Epoch-ms clock. @defaultValue Date.now */
  readonly clock?: (() => number) | undefined;
  /** Order number generator (must return unique strings). @defaultValue a persisted counter, 10 digits zero-padded */
  readonly ids?: (() => string) | undefined;
  /** Cash of a new account, KRW. @defaultValue 100,000,000 */
  readonly startingCash?: number | undefined;
  /** Refuse orders while KRX is closed (`krxSessionAt`). @defaultValue false */
  readonly sessionRules?: boolean | undefined;
  /** Holidays for `sessionRules`. @defaultValue weekends only */
  readonly holidays?: HolidayCalendar | undefined;
  /** Branch number of every order. @defaultValue '00950' */
  readonly branch?: string | undefined;
  /** The account used when a face is given none. @defaultValue '00000000-01' */
  readonly defaultAccount?: string | undefined;
}

/** One order (a new order, or a modify / cancel order) with its cumulative fill state. */
export interface VirtualOrder {
  readonly account: string;
  /** Order number, 10 digits zero-padded (KIS ODNO). */
  readonly orderNo: string;
  /** Branch / order organisation number (KIS KRX_FWDG_ORD_ORGNO). */
  readonly branch: string;
  /** For modify / cancel orders: the order acted on. */
  readonly originalOrderNo: string | null;
  readonly kind: VirtualOrderKind;
  readonly symbol: string;
  readonly side: VirtualSide;
  readonly type: VirtualOrderType;
  /** Ordered quantity (for modify / cancel orders: the quantity modified / canceled). */
  readonly quantity: number;
  /** Limit price, or null for market orders. */
  readonly limitPrice: number | null;
  /** Cumulative filled quantity. */
  readonly filledQuantity: number;
  /** Cumulative filled amount, KRW (sum of quantity x price). */
  readonly filledAmount: number;
  /** Cumulative average fill price, or null when nothing filled. */
  readonly averagePrice: number | null;
  /** Quantity still open. */
  readonly remainingQuantity: number;
  /** Quantity canceled (by a cancel order, a modify with `rest: 'cancel'`, or day-end expiry). */
  readonly canceledQuantity: number;
  /** Quantity moved to modify orders. */
  readonly modifiedQuantity: number;
  /** Quantity the exchange rejected after receipt (`rejectOrder`). */
  readonly rejectedQuantity: number;
  readonly status: VirtualOrderStatus;
  /** Code and message of a rejection after receipt, else null. */
  readonly rejectCode: string | null;
  readonly rejectMessage: string | null;
  /** When the exchange took it, epoch ms. */
  readonly orderedAt: number;
  /** `YYYYMMDD`, the Seoul date of `orderedAt`. */
  readonly tradingDate: string;
  /** Product type (sets the tick): given at placement, else `etn` for Q-symbols, else `stock`. */
  readonly productType: ProductType;
  /**
   * The order division (`limit` or `market` unless placed with another). For divisions the
   * exchange prices (best, priority, the pre/post-market close), `limitPrice` is the price the
   * exchange set when the order arrived.
   */
  readonly division: OrderDivision;
  /** The venue the order was sent to (NXT and SOR trade on the same virtual book as KRX). */
  readonly venue: Venue;
}

/** A new order. Limit price required for limit orders, absent / null for market orders. */
export interface PlaceOrderInput {
  readonly symbol: string;
  readonly side: VirtualSide;
  readonly type: VirtualOrderType;
  readonly quantity: number;
  readonly limitPrice?: number | null | undefined;
  /** Product type when known (ETF / ETN trade on a 5 KRW tick). @defaultValue from the symbol, else stock */
  readonly productType?: ProductType | undefined;
  /**
   * The order division; its `type` must match `type` (ORDER_DIVISION_RULES). Divisions the
   * exchange prices take no limit price. @defaultValue `type`
   */
  readonly division?: OrderDivision | undefined;
  /** The venue. @defaultValue 'KRX' */
  readonly venue?: Venue | undefined;
}

/** A modify of the remainder of an order (KIS semantics: it gets its own order number). */
export interface ModifyOrderInput {
  /** New order type. @defaultValue the order's type */
  readonly type?: VirtualOrderType | undefined;
  /** New limit price (null for market). @defaultValue the order's limit price */
  readonly limitPrice?: number | null | undefined;
  /** How much of the remainder moves to the modify order. @defaultValue 'all' */
  readonly quantity?: number | 'all' | undefined;
  /**
   * What happens to the part of the remainder that does not move: `keep` it open at the old
   * price (KIS), or `cancel` it (so `quantity` becomes the new remaining quantity).
   * @defaultValue 'keep'
   */
  readonly rest?: 'keep' | 'cancel' | undefined;
  /**
   * The modify order's division (KIS: a modify may change the price or the division). Divisions
   * the exchange prices keep the price it set (a new limit price is refused); IOC / FOK are
   * refused (they do not rest). @defaultValue the order's division (or `type` when it changes)
   */
  readonly division?: OrderDivision | undefined;
}

/** Why the exchange refused. Faces map it to their own codes (the adapter to contract codes). */
export type VirtualRejectionReason =
  | 'insufficient-funds'
  | 'insufficient-holdings'
  | 'market-closed'
  | 'order-not-found'
  | 'no-reference-price'
  | 'invalid-request'
  | 'not-modifiable'
  /** The venue does not take the division at this hour (session rules on). */
  | 'outside-session';

/** The answer of `place`, `cancel`, `modify`: the booked order, or a refusal (nothing booked). */
export type VirtualResult =
  | { readonly ok: true; readonly order: VirtualOrder }
  | {
      readonly ok: false;
      /** Broker-style code (e.g. APBK0952) and message, as a KIS face answers them. */
      readonly code: string;
      readonly message: string;
      readonly reason: VirtualRejectionReason;
    };

/** A holding. */
export interface VirtualPosition {
  readonly symbol: string;
  readonly quantity: number;
  /** Quantity not held by resting sell orders. */
  readonly sellableQuantity: number;
  readonly averagePrice: number;
  /** The symbol's reference price, or null. */
  readonly lastPrice: number | null;
  /** Shares bought / sold on today's trading date. */
  readonly boughtToday: number;
  readonly soldToday: number;
}

/** Cash and holdings of an account. */
export interface VirtualBalance {
  readonly account: string;
  /** Cash (deposit), KRW. Fills settle at once; no fees or taxes. */
  readonly cash: number;
  /** Cash minus what resting buy orders hold. */
  readonly orderableCash: number;
  /** What resting buy orders hold (remaining x limit price). */
  readonly reservedCash: number;
  readonly positions: readonly VirtualPosition[];
}

/** What the exchange reports as it happens; both faces turn these into notices. */
export interface VirtualEvent {
  /** Increases by one per event of this exchange instance. */
  readonly sequence: number;
  /**
   * `exchange-cancel`: the exchange canceled the remainder of an IOC or FOK order when it arrived
   * (no cancel order exists; `order` is the order itself, `canceledQuantity` the part canceled).
   */
  readonly kind: 'receipt' | 'fill' | 'cancel' | 'modify' | 'reject' | 'exchange-cancel';
  readonly account: string;
  /**
   * The order after the event: for receipt / fill / reject / exchange-cancel the order itself
   * (cumulative fill values); for cancel / modify the cancel / modify order.
   */
  readonly order: VirtualOrder;
  /** For cancel / modify: the order acted on, after the change; else null. */
  readonly originalOrder: VirtualOrder | null;
  /** For fills: this fill's quantity and price; else null. */
  readonly fillQuantity: number | null;
  readonly fillPrice: number | null;
  /** For rejects: the code and message; else null. */
  readonly code: string | null;
  readonly message: string | null;
  /** Epoch ms. */
  readonly at: number;
}

/** Receives exchange events. Must not throw (errors are ignored). */
export type VirtualEventListener = (event: VirtualEvent) => void;

/** Operations a fault can be scripted for. Each face takes one fault per incoming request. */
export type FaultOperation = 'place' | 'cancel' | 'modify' | 'inquiry' | 'balance' | 'connect';

/** A fault a face applies to one request. */
export type VirtualFault =
  /** Answer with this refusal; nothing is booked. */
  | { readonly kind: 'reject'; readonly code: string; readonly message: string }
  /** Wait this long, then handle the request normally. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Book the request, never answer (in-process: OutcomeUnknownError). */
  | { readonly kind: 'never-answer' }
  /** Book the request, then reset the connection (in-process: OutcomeUnknownError). */
  | { readonly kind: 'reset-after-accept' }
  /** Refuse the connection; nothing reaches the exchange. */
  | { readonly kind: 'refuse-connection' };

/** A fault applied to one notice (exchange event) by the face that delivers it. */
export type NoticeFault = 'drop' | 'duplicate';

/** The scriptable fault queues (FIFO per operation). */
export interface VirtualFaults {
  /** Scripts the fault for the next request(s) of an operation; `times` copies. */
  next(operation: FaultOperation, fault: VirtualFault, times?: number): void;
  /** Scripts a fault for the next notice(s). */
  nextNotice(fault: NoticeFault, times?: number): void;
  /**
   * A face calls this ONCE per incoming request: returns the next scripted fault for that
   * operation (consumed), or null. Counts the request as received unless the fault refuses the
   * connection.
   */
  take(operation: FaultOperation): VirtualFault | null;
  /** A face calls this once per event it delivers: the next notice fault, consumed, or null. */
  takeNotice(): NoticeFault | null;
  /** Requests of an operation that reached the exchange (every `take` except refused ones). */
  requestCount(operation: FaultOperation): number;
  /** Faults still queued. */
  pending(): readonly {
    readonly operation: FaultOperation | 'notice';
    readonly fault: VirtualFault | NoticeFault;
  }[];
  /** Drops every queued fault. */
  clear(): void;
}

/** Which orders `orders` lists. */
export interface VirtualOrdersQuery {
  /** One trading date `YYYYMMDD`. @defaultValue today (Seoul date of the clock) */
  readonly tradingDate?: string | undefined;
  /** Or a range of trading dates (inclusive); overrides `tradingDate`. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly symbol?: string | undefined;
  /** Only orders with quantity still open. */
  readonly openOnly?: boolean | undefined;
  readonly orderNo?: string | undefined;
}

/** The deterministic virtual exchange. Synchronous; state in SQLite (file or memory). */
export interface VirtualExchange {
  readonly branch: string;
  readonly defaultAccount: string;
  readonly startingCash: number;
  readonly sessionRules: boolean;
  /** The SQLite file, or null in memory. */
  readonly file: string | null;
  readonly faults: VirtualFaults;
  /** The injected clock, epoch ms. */
  now(): number;
  /** `YYYYMMDD` Seoul date of an instant. @defaultValue now */
  tradingDate(at?: number): string;
  /** Creates the account with the starting cash if it does not exist. */
  openAccount(account: string): void;
  /** Places an order (receipt event; fills at once when it crosses). */
  place(account: string, input: PlaceOrderInput): VirtualResult;
  /** Cancels `quantity` (or all) of an order's remainder; the cancel gets its own number. */
  cancel(account: string, orderNo: string, quantity?: number | 'all'): VirtualResult;
  /** Moves (part of) an order's remainder to a new modify order with its own number. */
  modify(account: string, orderNo: string, change: ModifyOrderInput): VirtualResult;
  /** Scripted fill of a resting order (any account). Price defaults to the limit price. Throws VirtualExchangeError. */
  fillPartially(orderNo: string, quantity: number, price?: number): VirtualOrder;
  /** Scripted rejection of a resting order's remainder after receipt (reject event). Throws VirtualExchangeError. */
  rejectOrder(orderNo: string, code: string, message: string): VirtualOrder;
  /** Sets a symbol's reference price; resting limit orders that cross fill at it. Returns the orders filled. */
  setReferencePrice(symbol: string, price: number): readonly VirtualOrder[];
  referencePrice(symbol: string): number | null;
  referencePrices(): readonly { readonly symbol: string; readonly price: number }[];
  /** One order by number (any account), or null. */
  getOrder(orderNo: string): VirtualOrder | null;
  /** Orders of an account, oldest first. */
  orders(account: string, query?: VirtualOrdersQuery): readonly VirtualOrder[];
  balance(account: string): VirtualBalance;
  /** Listens to events of all accounts. Returns the unsubscribe function. */
  onEvent(listener: VirtualEventListener): () => void;
  /** Sends the last event again to every listener (a duplicate notice). False when there was none. */
  replayLastEvent(): boolean;
  /** Closes the database. Idempotent. */
  close(): void;
}
