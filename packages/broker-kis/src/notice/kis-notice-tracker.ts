// Turns notice records into contract events: cumulative fills per order, duplicates dropped.
import { ORDER_DIVISION_RULES, type OrderEvent } from '@qts/order-contract';
import { normalizeOrderNumber, seoulIso } from '../internal/seoul-time.js';
import type { KisNoticeRecord } from '../wire/kis-ccnl-notice-api.js';
import { orderDivisionOfKisCode } from '../wire/kis-order-division.js';

interface FillState {
  quantity: number;
  amount: number;
  readonly seen: Set<string>;
}

/** Options of the tracker. */
export interface KisNoticeTrackerOptions {
  /** The form of an order number to report (the one the adapter returned in an ack, when known). */
  readonly displayId?: (orderNumber: string) => string;
}

/**
 * Keeps what notices have said so far and maps each record to at most one event.
 *
 * Fills: KIS notices carry one fill each (CNTG_QTY, CNTG_UNPR); the tracker adds them up per
 * order (ODNO without leading zeros) and emits the CUMULATIVE quantity and average price.
 *
 * Duplicates: a notice carries no sequence number, so a fill is identified by (ODNO, fill time
 * HHMMSS, quantity, price, k) where k counts identical records earlier IN THE SAME FRAME. A
 * replayed frame yields the same keys and is dropped; two identical fills in one frame stay two.
 * The cost: two genuinely identical fills of one order in the same second arriving in separate
 * frames count once (an undercount, never an overcount); inquiry (`getOrders`, cumulative
 * totals) repairs it, since cumulative events are applied only when they grow. Receipts,
 * modifies, cancels and rejects are reported once per (kind, ODNO); a modify or cancel only on
 * its confirmation (ACPT_YN 2), never on its receipt (ACPT_YN 1).
 */
export class KisNoticeTracker {
  readonly #fills = new Map<string, FillState>();
  readonly #reported = new Set<string>();
  readonly #displayId: (orderNumber: string) => string;
  /** The last notice time converted (notices come in bursts within the same second). */
  #atDate = '';
  #atTime = '';
  #at = '';

  constructor(options: KisNoticeTrackerOptions = {}) {
    this.#displayId = options.displayId ?? ((orderNumber) => orderNumber);
  }

  /**
   * Maps the records of one frame to events.
   *
   * @param records The frame's records, in order.
   * @param tradingDate Today in Seoul, `YYYYMMDD` (notice times are HHMMSS only).
   * @returns The events, in order (possibly none).
   */
  map(records: readonly KisNoticeRecord[], tradingDate: string): OrderEvent[] {
    const events: OrderEvent[] = [];
    const occurrences = records.length > 1 ? new Map<string, number>() : null;
    for (const record of records) {
      const event = this.#mapOne(record, tradingDate, occurrences);
      if (event !== null) events.push(event);
    }
    return events;
  }

  #once(kind: string, orderNumber: string): boolean {
    const key = `${kind}|${normalizeOrderNumber(orderNumber)}`;
    if (this.#reported.has(key)) return false;
    this.#reported.add(key);
    return true;
  }

  #mapOne(
    record: KisNoticeRecord,
    tradingDate: string,
    occurrences: Map<string, number> | null,
  ): OrderEvent | null {
    if (record.time !== this.#atTime || tradingDate !== this.#atDate) {
      this.#atDate = tradingDate;
      this.#atTime = record.time;
      this.#at = seoulIso(tradingDate, record.time);
    }
    const at = this.#at;
    const id = this.#displayId(record.orderNumber);
    if (record.rejected) {
      if (!this.#once('rejected', record.orderNumber)) return null;
      return {
        type: 'order-rejected',
        brokerOrderId: id,
        brokerCode: null,
        brokerMessage: null,
        at,
        source: 'notice',
      };
    }
    if (record.fill) return this.#fill(record, id, at, occurrences);
    const quantity = record.quantity > 0 ? record.quantity : record.orderQuantity;
    // A cancel or modify comes as a receipt (ACPT_YN 1: the request was received) and then a
    // confirmation (ACPT_YN 2). Only the confirmation says it took effect.
    if ((record.action === 'cancel' || record.action === 'modify') && record.acceptance === '1') {
      return null;
    }
    if (record.action === 'cancel') {
      if (!this.#once('canceled', record.orderNumber)) return null;
      return {
        type: 'order-canceled',
        brokerOrderId: this.#displayId(record.originalOrderNumber),
        cancelBrokerOrderId: id,
        canceledQuantity: quantity,
        at,
        source: 'notice',
      };
    }
    if (record.action === 'modify') {
      if (!this.#once('modified', record.orderNumber)) return null;
      return {
        type: 'order-modified',
        brokerOrderId: this.#displayId(record.originalOrderNumber),
        newBrokerOrderId: id,
        quantity,
        limitPrice: this.#limitPrice(record),
        at,
        source: 'notice',
      };
    }
    // ACPT_YN 3: the exchange canceled what an IOC / FOK order (ODER_COND 1 / 2, ORD_DVSN 11-16)
    // could not fill at once. A normal end of such an order, reported as a cancel.
    if (record.acceptance === '3') {
      if (!this.#once('canceled', record.orderNumber)) return null;
      return {
        type: 'order-canceled',
        brokerOrderId: id,
        cancelBrokerOrderId: null,
        canceledQuantity: quantity,
        at,
        source: 'notice',
      };
    }
    if (!this.#once('accepted', record.orderNumber)) return null;
    return {
      type: 'order-accepted',
      brokerOrderId: id,
      brokerBranch: record.branch === '' ? null : record.branch,
      symbol: record.symbol,
      side: record.side,
      quantity,
      limitPrice: this.#limitPrice(record),
      at,
      source: 'notice',
    };
  }

  #limitPrice(record: KisNoticeRecord): number | null {
    // Divisions the exchange prices (market, best, priority...) have no limit price.
    const division = orderDivisionOfKisCode(record.orderTypeCode);
    if (division !== null && ORDER_DIVISION_RULES[division].limitPrice === 'forbidden') return null;
    if (record.orderPrice !== null && record.orderPrice > 0) return record.orderPrice;
    return record.price > 0 ? record.price : null;
  }

  #fill(
    record: KisNoticeRecord,
    id: string,
    at: string,
    occurrences: Map<string, number> | null,
  ): OrderEvent | null {
    if (!(record.quantity > 0)) return null;
    const orderKey = normalizeOrderNumber(record.orderNumber);
    // The fill's identity within its order (the set of seen fills is per order).
    const fill = `${record.time}|${record.quantity}|${record.price}`;
    let k = 0;
    if (occurrences !== null) {
      const base = `${orderKey}|${fill}`;
      k = occurrences.get(base) ?? 0;
      occurrences.set(base, k + 1);
    }
    let state = this.#fills.get(orderKey);
    if (state === undefined) {
      state = { quantity: 0, amount: 0, seen: new Set() };
      this.#fills.set(orderKey, state);
    }
    const key = `${fill}|${k}`;
    if (state.seen.has(key)) return null;
    state.seen.add(key);
    state.quantity += record.quantity;
    state.amount += record.quantity * record.price;
    return {
      type: 'order-filled',
      brokerOrderId: id,
      symbol: record.symbol,
      side: record.side,
      filledQuantity: state.quantity,
      averagePrice: state.amount / state.quantity,
      lastQuantity: record.quantity,
      lastPrice: record.price,
      at,
      source: 'notice',
    };
  }
}
