// Maps inquiry rows (already in our terms) to the contract's BrokerOrder.
import {
  type BrokerOrder,
  type BrokerOrderKind,
  type BrokerOrderStatus,
  ORDER_DIVISION_RULES,
  orderDivisionOf,
  type Venue,
} from '@qts/order-contract';
import { normalizeOrderNumber, seoulIso } from '../internal/seoul-time.js';
import type { KisDailyCcldRow } from '../wire/kis-inquire-daily-ccld-api.js';
import type { KisPsblRvsecnclRow } from '../wire/kis-inquire-psbl-rvsecncl-api.js';
import {
  orderDivisionFieldsOfKisCode,
  venueOfKisExchangeCode,
} from '../wire/kis-order-division.js';

/** Cancel (취소) or modify (정정) from the original order number and the names KIS sends. */
export function orderKindOf(
  originalOrderNumber: string,
  names: readonly string[],
  fallbackCancel: boolean,
): BrokerOrderKind {
  if (originalOrderNumber === '' || normalizeOrderNumber(originalOrderNumber) === '0') {
    return 'order';
  }
  if (names.some((name) => name.includes('취소'))) return 'cancel';
  if (names.some((name) => name.includes('정정'))) return 'modify';
  return fallbackCancel ? 'cancel' : 'modify';
}

/** What a row's order-type code and exchange code say, as BrokerOrder fields. */
interface DivisionOfRow {
  readonly type: 'limit' | 'market';
  /** True when the exchange sets the price (market, best, priority...): no limit price. */
  readonly exchangePriced: boolean;
  /** The optional division and venue fields (absent for a plain order on KRX). */
  readonly fields: Pick<BrokerOrder, 'priceCondition' | 'executionCondition' | 'session' | 'venue'>;
}

/**
 * The division and venue of a row: the ORD_DVSN code (name when the code is empty), the
 * exchange code (absent or KRX: no `venue` field, as for every plain KRX order).
 */
export function divisionOfRow(code: string, name: string, exchangeCode: string): DivisionOfRow {
  const parts = orderDivisionFieldsOfKisCode(code, name);
  const venue: Venue | null = venueOfKisExchangeCode(exchangeCode);
  const division = orderDivisionOf(parts);
  return {
    type: parts.type,
    exchangePriced: division !== null && ORDER_DIVISION_RULES[division].limitPrice === 'forbidden',
    fields: {
      ...(parts.priceCondition === undefined ? {} : { priceCondition: parts.priceCondition }),
      ...(parts.executionCondition === undefined
        ? {}
        : { executionCondition: parts.executionCondition }),
      ...(parts.session === undefined ? {} : { session: parts.session }),
      ...(venue === null || venue === 'KRX' ? {} : { venue }),
    },
  };
}

/** The broker status from the quantities. */
export function brokerStatusOf(row: {
  readonly quantity: number;
  readonly filledQuantity: number;
  readonly remainingQuantity: number;
  readonly canceledQuantity: number;
  readonly rejectedQuantity: number;
}): BrokerOrderStatus {
  if (row.remainingQuantity > 0) return row.filledQuantity > 0 ? 'partially_filled' : 'open';
  if (row.filledQuantity > 0 && row.filledQuantity >= row.quantity) return 'filled';
  if (row.canceledQuantity > 0) return 'canceled';
  if (row.rejectedQuantity > 0) return 'rejected';
  return row.filledQuantity > 0 ? 'filled' : 'canceled';
}

/**
 * A daily-ccld row as a BrokerOrder: ordered ord_qty, filled tot_ccld_qty, remaining rmn_qty,
 * canceled cnc_cfrm_qty, rejected rjct_qty, average avg_prvs (null when nothing filled), kind
 * from orgn_odno and the 정정 / 취소 in the names, division from ord_dvsn_cd, venue from
 * excg_id_dvsn_cd. Order numbers stay as KIS sent them.
 */
export function mapKisDailyCcldRow(row: KisDailyCcldRow): BrokerOrder {
  const division = divisionOfRow(row.orderTypeCode, row.orderTypeName, row.exchangeCode);
  const type = division.type;
  const kind = orderKindOf(
    row.originalOrderNumber,
    [row.sideName, row.orderTypeName],
    row.canceledQuantity > 0 && row.filledQuantity === 0,
  );
  return {
    brokerOrderId: row.orderNumber,
    brokerBranch: row.branch === '' ? null : row.branch,
    originalBrokerOrderId: kind === 'order' ? null : row.originalOrderNumber,
    kind,
    symbol: row.symbol,
    side: row.side,
    type,
    quantity: row.quantity,
    limitPrice: division.exchangePriced ? null : row.price,
    filledQuantity: row.filledQuantity,
    remainingQuantity: row.remainingQuantity,
    canceledQuantity: row.canceledQuantity,
    rejectedQuantity: row.rejectedQuantity,
    averagePrice: row.filledQuantity > 0 && row.averagePrice > 0 ? row.averagePrice : null,
    status: brokerStatusOf(row),
    orderedAt: seoulIso(row.tradingDate, row.orderTime),
    tradingDate: row.tradingDate,
    ...division.fields,
  };
}

/**
 * An inquire-psbl-rvsecncl row (an open order today) as a BrokerOrder: remaining psbl_qty,
 * average tot_ccld_amt / tot_ccld_qty, nothing canceled or rejected (the row is open).
 */
export function mapKisPsblRvsecnclRow(row: KisPsblRvsecnclRow, tradingDate: string): BrokerOrder {
  const division = divisionOfRow(row.orderTypeCode, row.orderTypeName, row.exchangeCode);
  const type = division.type;
  const kind = orderKindOf(row.originalOrderNumber, [row.actionName, row.orderTypeName], false);
  return {
    brokerOrderId: row.orderNumber,
    brokerBranch: row.branch === '' ? null : row.branch,
    originalBrokerOrderId: kind === 'order' ? null : row.originalOrderNumber,
    kind,
    symbol: row.symbol,
    side: row.side,
    type,
    quantity: row.quantity,
    limitPrice: division.exchangePriced ? null : row.price,
    filledQuantity: row.filledQuantity,
    remainingQuantity: row.openQuantity,
    canceledQuantity: 0,
    rejectedQuantity: 0,
    averagePrice: row.filledQuantity > 0 ? row.filledAmount / row.filledQuantity : null,
    status:
      row.openQuantity > 0 ? (row.filledQuantity > 0 ? 'partially_filled' : 'open') : 'filled',
    orderedAt: seoulIso(tradingDate, row.orderTime),
    tradingDate,
    ...division.fields,
  };
}
