// The notice decoding as it was before it was tuned for throughput (split on '^', a fresh
// buffer per step): the reference the tuned code in src/wire/kis-ccnl-notice-api.ts must match
// record for record (test/notice-equivalence.test.ts).
import { createDecipheriv } from 'node:crypto';
import type { OrderEvent } from '@qts/order-contract';
import type { KisNoticeRecord } from '../src/wire/kis-ccnl-notice-api.js';

/** A record as the reference decoder knew it (before the division fields ODER_COND, ORD_EXG_GB). */
type ReferenceRecord = Omit<KisNoticeRecord, 'executionConditionCode' | 'exchangeCode'>;

const EXCHANGE_PRICED_CODES = new Set(['01', '03', '04', '05', '06', '13', '14', '15', '16']);

/** base64 -> AES-256-CBC (one fresh decipher) -> PKCS#7 -> UTF-8. */
export function referenceDecrypt(cipher: { key: string; iv: string }, payload: string): string {
  const decipher = createDecipheriv(
    'aes-256-cbc',
    Buffer.from(cipher.key, 'utf8'),
    Buffer.from(cipher.iv, 'utf8'),
  );
  return Buffer.concat([
    decipher.update(Buffer.from(payload, 'base64')),
    decipher.final(),
  ]).toString('utf8');
}

/** The current 26-field layout's tail and the older 23-field one's: index of ODER_PRC. */
const LAYOUTS = {
  current: { fields: 26, orderPrice: 25 },
  older: { fields: 23, orderPrice: 22 },
} as const;

function toNumber(text: string | undefined): number {
  if (text === undefined || text === '') return Number.NaN;
  // Number() ignores surrounding spaces; '' and blanks are NaN here (not 0).
  const value = Number(text);
  return value === 0 && text.trim() === '' ? Number.NaN : value;
}

function recordLength(total: number, count: number): number | null {
  if (total === LAYOUTS.current.fields * count) return LAYOUTS.current.fields;
  if (total === LAYOUTS.older.fields * count) return LAYOUTS.older.fields;
  if (total % count !== 0) return null;
  const each = total / count;
  return each >= LAYOUTS.older.fields ? each : null;
}

/**
 * Parses a decrypted payload of `count` records tolerantly: the 26-field layout and the older
 * 23-field one (fields 0-17 are the same in both; ODER_PRC is last), extra trailing fields are
 * ignored (the record length is total / count).
 *
 * @param text The decrypted payload (`^`-separated).
 * @param count The frame's record count.
 * @returns The records, or a reason when the payload does not fit either layout.
 */
export function referenceParseKisNoticeRecords(
  text: string,
  count: number,
): { readonly records: ReferenceRecord[] } | { readonly error: string } {
  const fields = text.split('^');
  const each = recordLength(fields.length, count);
  if (each === null) {
    return { error: `${fields.length} fields do not make ${count} record(s) of 23 or 26 fields` };
  }
  const priceIndex =
    each >= LAYOUTS.current.fields ? LAYOUTS.current.orderPrice : LAYOUTS.older.orderPrice;
  const records: ReferenceRecord[] = [];
  for (let start = 0; start < fields.length; start += each) {
    const orderNumber = (fields[start + 2] ?? '').trim();
    const sideCode = fields[start + 4];
    const actionCode = fields[start + 5];
    const quantity = toNumber(fields[start + 9]);
    const orderQuantity = toNumber(fields[start + 16]);
    const price = toNumber(fields[start + 10]);
    if (
      orderNumber === '' ||
      (sideCode !== '01' && sideCode !== '02') ||
      (actionCode !== '0' && actionCode !== '1' && actionCode !== '2') ||
      !(Number.isFinite(quantity) || Number.isFinite(orderQuantity))
    ) {
      return { error: `record ${records.length + 1} has no order number, side or quantity` };
    }
    const orderPrice = toNumber(fields[start + priceIndex]);
    records.push({
      customerId: fields[start] ?? '',
      orderNumber,
      originalOrderNumber: (fields[start + 3] ?? '').trim(),
      side: sideCode === '01' ? 'sell' : 'buy',
      action: actionCode === '1' ? 'modify' : actionCode === '2' ? 'cancel' : 'new',
      orderTypeCode: fields[start + 6] ?? '',
      symbol: (fields[start + 8] ?? '').trim(),
      quantity: Number.isFinite(quantity) ? quantity : 0,
      price: Number.isFinite(price) ? price : 0,
      time: fields[start + 11] ?? '',
      rejected: fields[start + 12] === '1',
      fill: fields[start + 13] === '2',
      acceptance: fields[start + 14] ?? '',
      branch: (fields[start + 15] ?? '').trim(),
      orderQuantity: Number.isFinite(orderQuantity) ? orderQuantity : 0,
      orderPrice: Number.isFinite(orderPrice) ? orderPrice : null,
    });
  }
  return { records };
}

function seoulIso(date: string, time: string): string {
  const t = /^\d{6}$/.test(time) ? time : '000000';
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}+09:00`;
}

function normalizeOrderNumber(orderNumber: string): string {
  const trimmed = orderNumber.trim().replace(/^0+/, '');
  return trimmed === '' ? '0' : trimmed;
}

interface FillState {
  quantity: number;
  amount: number;
  readonly seen: Set<string>;
}

/** The tracker as it was (records -> events). */
export class ReferenceKisNoticeTracker {
  readonly #fills = new Map<string, FillState>();
  readonly #reported = new Set<string>();
  readonly #displayId: (orderNumber: string) => string;

  constructor(options: { readonly displayId?: (orderNumber: string) => string } = {}) {
    this.#displayId = options.displayId ?? ((orderNumber) => orderNumber);
  }

  /**
   * Maps the records of one frame to events.
   *
   * @param records The frame's records, in order.
   * @param tradingDate Today in Seoul, `YYYYMMDD` (notice times are HHMMSS only).
   * @returns The events, in order (possibly none).
   */
  map(records: readonly ReferenceRecord[], tradingDate: string): OrderEvent[] {
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
    record: ReferenceRecord,
    tradingDate: string,
    occurrences: Map<string, number> | null,
  ): OrderEvent | null {
    const at = seoulIso(tradingDate, record.time);
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

  #limitPrice(record: ReferenceRecord): number | null {
    // the one rule that changed in meaning since: every division the exchange prices (market,
    // best, priority, the pre/post close sessions and their IOC/FOK forms) has no limit price
    if (EXCHANGE_PRICED_CODES.has(record.orderTypeCode)) return null;
    if (record.orderPrice !== null && record.orderPrice > 0) return record.orderPrice;
    return record.price > 0 ? record.price : null;
  }

  #fill(
    record: ReferenceRecord,
    id: string,
    at: string,
    occurrences: Map<string, number> | null,
  ): OrderEvent | null {
    if (!(record.quantity > 0)) return null;
    const orderKey = normalizeOrderNumber(record.orderNumber);
    const base = `${orderKey}|${record.time}|${record.quantity}|${record.price}`;
    let k = 0;
    if (occurrences !== null) {
      k = occurrences.get(base) ?? 0;
      occurrences.set(base, k + 1);
    }
    let state = this.#fills.get(orderKey);
    if (state === undefined) {
      state = { quantity: 0, amount: 0, seen: new Set() };
      this.#fills.set(orderKey, state);
    }
    const key = `${base}|${k}`;
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
