import type { OrderStatus } from '@qts/order-contract';
import type { Order, OrderPatch } from '../order.js';

/** Why and when a journal record was written. */
export interface JournalEntry {
  /** ISO 8601. */
  readonly at: string;
  /** What caused it, e.g. `intent`, `send`, `ack`, `notice`, `reconcile`, `recovery`. */
  readonly cause: string;
  /** Extra facts (broker code, reconciliation evidence...). JSON-safe. */
  readonly data?: Readonly<Record<string, unknown>>;
  /**
   * The process that has a request of this order in flight (set while pending / submitted /
   * pending_cancel / pending_modify), or null to clear it. Absent: unchanged.
   */
  readonly owner?: string | null;
  /**
   * A write-ahead record: the request it announces may reach the broker right after it
   * (`submitted`, `pending_cancel`, `pending_modify`). A durable journal fsyncs it (and, with it,
   * every earlier record) before returning.
   */
  readonly durable?: boolean;
  /**
   * Compare-and-set: the write happens only if the row, read inside the write transaction,
   * still has this status, version and owner (each checked when given); else the journal throws
   * `JournalConflictError` and writes nothing.
   */
  readonly expect?: JournalExpectation;
}

/** What a compare-and-set write expects of the row (see `JournalEntry.expect`). */
export interface JournalExpectation {
  readonly status?: OrderStatus;
  /** The row's version as `read` or `versionOf` returned it. */
  readonly version?: number;
  /** The in-flight owner (null: none). */
  readonly owner?: string | null;
}

/** One order as stored: the order, its version (changes with every write) and its owner. */
export interface JournalRecord {
  readonly order: Order;
  readonly version: number;
  readonly owner: string | null;
}

/** One appended record of the journal's event log. */
export interface JournalEvent {
  readonly seq: number;
  readonly orderId: string;
  readonly at: string;
  readonly cause: string;
  /** Status before (null for the record that created the order). */
  readonly from: OrderStatus | null;
  readonly to: OrderStatus;
  /** The fields this record changed (the whole order for the creating record). */
  readonly patch: OrderPatch;
  readonly data: Readonly<Record<string, unknown>> | null;
}

/** Which orders to list. */
export interface JournalQuery {
  readonly tradingDate?: string;
  readonly statuses?: readonly OrderStatus[];
  readonly symbol?: string;
}

/** The result of `insert`: the new order, or the order that already holds that client order id. */
export type InsertResult =
  | { readonly inserted: true; readonly order: Order }
  | { readonly inserted: false; readonly order: Order };

/**
 * A record written in the same transaction right after an insert: the intent and its write-ahead
 * send record land together (one commit, one fsync) or not at all.
 */
export interface JournalFollowUp {
  /** The change applied to the inserted order (its status moves, e.g. to `submitted`). */
  readonly patch: OrderPatch;
  /** Why and when; `expect` is checked against the row as just inserted (its status and owner). */
  readonly entry: JournalEntry;
}

/**
 * The follow-up of an insert, or a function that makes it from the order as inserted. A function
 * is called once, inside the write transaction with the write lock held, so a time it stamps
 * (`sentAt`) is the commit's, not from before a wait for another process's lock; such a commit
 * is always durable (a durable journal fsyncs it).
 */
export type JournalFollowUpInput = JournalFollowUp | ((inserted: Order) => JournalFollowUp);

/** A day's price band as a journal stores it (see `src/submit/day-bands.ts`). */
export interface StoredDayBand {
  readonly upperLimit: number;
  readonly lowerLimit: number;
  /** The Seoul trading date (YYYYMMDD) of the quote. */
  readonly tradingDate: string;
  /** Until when (ms since the epoch) the band may be used without a new quote. */
  readonly heldUntil: number;
  /** When its quote was asked (ms since the epoch). */
  readonly askedAt: number;
}

/** Where a journal keeps the day's bands, shared by every route (and process) that opens it. */
export interface DayBandStorage {
  /** The band stored for `symbol` (any date), or null. */
  read(symbol: string): StoredDayBand | null;
  /**
   * Stores the band unless one of the same trading date asked later is stored (answers can
   * arrive out of order, from several processes); one of another date is always replaced.
   */
  write(symbol: string, band: StoredDayBand): void;
}

/**
 * The order journal: an append-only event log plus the current state derived from it. Every
 * write is one transaction: the event and the new state land together or not at all.
 * Synchronous on purpose (a write-ahead record must be durable before the network call starts).
 *
 * Orders are values: a journal may keep the objects it is given and hands out (a cache), so
 * never change one in place; build a new object (`{ ...order, ... }`). Versions (`versionOf`,
 * `read`) are opaque and belong to one journal: compare them, never compute them.
 */
export interface OrderJournal {
  /** The file, or `:memory:`. */
  readonly location: string;
  /**
   * Adds an order. A clash on `clientOrderId` returns the existing order and writes nothing
   * (`next` included). With `next`, the order's next record (the write-ahead `submitted`) is
   * appended in the same transaction: two events, one commit, durable when either entry is.
   * When the follow-up's `expect` does not hold, it throws `JournalConflictError` (its `current`
   * is the order as it would have been inserted) and writes nothing. A journal that ignores
   * `next` returns the order as inserted (`pending`); the route then writes the next record
   * itself, before sending.
   */
  insert(order: Order, entry: JournalEntry, next?: JournalFollowUpInput): InsertResult;
  /**
   * Applies a change; appends an event with the status before and after. Throws for an unknown
   * id. Inside its write transaction it checks `entry.expect` against the row and refuses (with
   * `JournalConflictError`, nothing written) a stale write, a change of a terminal status (except
   * a late fill of a canceled order) and a decrease of the filled quantity.
   */
  update(orderId: string, patch: OrderPatch, entry: JournalEntry): Order;
  get(orderId: string): Order | null;
  /** The order with its version and owner, read together. */
  read(orderId: string): JournalRecord | null;
  /** The version of an order object this journal returned (undefined for any other object). */
  versionOf(order: Order): number | undefined;
  getByClientOrderId(clientOrderId: string): Order | null;
  /** The order that owns a broker number (its own, or one of its cancel / modify numbers) on a trading date. */
  getByBrokerOrderId(brokerOrderId: string, tradingDate?: string): Order | null;
  /** Orders, oldest first. */
  list(query?: JournalQuery): Order[];
  /** The in-flight owner of an order (see `JournalEntry.owner`), or null. */
  ownerOf(orderId: string): string | null;
  /** The event log, oldest first (one order's, or all). */
  events(orderId?: string): JournalEvent[];
  /**
   * The day's price bands, shared by the routes on this journal. A journal without it leaves
   * each route its own memory.
   */
  readonly dayBands?: DayBandStorage;
  /** Releases the file. Idempotent. */
  close(): void;
}
