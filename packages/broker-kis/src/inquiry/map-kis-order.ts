// Maps inquiry rows (already in our terms) to the contract's BrokerOrder.
import type { BrokerOrder, BrokerOrderKind, BrokerOrderStatus } from '@qts/order-contract';
import { normalizeOrderNumber, seoulIso } from '../internal/seoul-time.js';
import type { KisDailyCcldRow } from '../wire/kis-inquire-daily-ccld-api.js';
import type { KisPsblRvsecnclRow } from '../wire/kis-inquire-psbl-rvsecncl-api.js';

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

/** Market (`01`) or limit (everything else, which carries a price). */
export function orderTypeOf(code: string, name: string): 'limit' | 'market' {
  if (code === '01') return 'market';
  if (code === '' && name.includes('시장가')) return 'market';
  return 'limit';
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
 * from orgn_odno and the 정정 / 취소 in the names. Order numbers stay as KIS sent them.
 */
export function mapKisDailyCcldRow(row: KisDailyCcldRow): BrokerOrder {
  const type = orderTypeOf(row.orderTypeCode, row.orderTypeName);
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
    limitPrice: type === 'market' ? null : row.price,
    filledQuantity: row.filledQuantity,
    remainingQuantity: row.remainingQuantity,
    canceledQuantity: row.canceledQuantity,
    rejectedQuantity: row.rejectedQuantity,
    averagePrice: row.filledQuantity > 0 && row.averagePrice > 0 ? row.averagePrice : null,
    status: brokerStatusOf(row),
    orderedAt: seoulIso(row.tradingDate, row.orderTime),
    tradingDate: row.tradingDate,
  };
}

/**
 * An inquire-psbl-rvsecncl row (an open order today) as a BrokerOrder: remaining psbl_qty,
 * average tot_ccld_amt / tot_ccld_qty, nothing canceled or rejected (the row is open).
 */
export function mapKisPsblRvsecnclRow(row: KisPsblRvsecnclRow, tradingDate: string): BrokerOrder {
  const type = orderTypeOf(row.orderTypeCode, row.orderTypeName);
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
    limitPrice: type === 'market' ? null : row.price,
    filledQuantity: row.filledQuantity,
    remainingQuantity: row.openQuantity,
    canceledQuantity: 0,
    rejectedQuantity: 0,
    averagePrice: row.filledQuantity > 0 ? row.filledAmount / row.filledQuantity : null,
    status:
      row.openQuantity > 0 ? (row.filledQuantity > 0 ? 'partially_filled' : 'open') : 'filled',
    orderedAt: seoulIso(tradingDate, row.orderTime),
    tradingDate,
  };
}
