// KIS's order-division codes (ORD_DVSN) and venue ids (EXCG_ID_DVSN_CD) as the sandbox reads and
// writes them (docs/kis-protocol.md §4, §8; docs/order-types.md).
import {
  ORDER_DIVISION_RULES,
  type OrderDivision,
  orderDivisionParts,
  type Venue,
} from '@qts/order-contract';

/** ORD_DVSN of each division (KIS Portal "주식주문(현금)"). */
export const ORD_DVSN_OF: Readonly<Record<OrderDivision, string>> = {
  limit: '00',
  market: '01',
  conditional: '02',
  best: '03',
  priority: '04',
  'pre-market-close': '05',
  'post-market-close': '06',
  'after-hours-single': '07',
  'ioc-limit': '11',
  'fok-limit': '12',
  'ioc-market': '13',
  'fok-market': '14',
  'ioc-best': '15',
  'fok-best': '16',
};

const DIVISION_OF_CODE: ReadonlyMap<string, OrderDivision> = new Map(
  Object.entries(ORD_DVSN_OF).map(([division, code]) => [code, division as OrderDivision]),
);

/** The division of an ORD_DVSN code the sandbox serves, or undefined. */
export function divisionOfOrdDvsn(code: string): OrderDivision | undefined {
  return DIVISION_OF_CODE.get(code);
}

/**
 * ORD_DVSN codes KIS paper trading takes: `00`-`04` (python-kis `pykis/api/account/order.py`
 * marks `05`-`07` and `11`-`16` as not offered in paper).
 */
export const PAPER_ORD_DVSN: ReadonlySet<string> = new Set(['00', '01', '02', '03', '04']);

/** ORD_DVSN codes KIS knows but the sandbox does not serve (mid-price, stop-limit). */
export const UNSERVED_ORD_DVSN: ReadonlySet<string> = new Set(['21', '22', '23', '24']);

/** `ord_dvsn_name` of an inquiry row: the division's Korean name. */
export function ordDvsnName(division: OrderDivision): string {
  return ORDER_DIVISION_RULES[division].koreanName;
}

/** Notice `ODER_COND`: `0` none, `1` IOC, `2` FOK (docs/kis-protocol.md §8). */
export function oderCond(division: OrderDivision): string {
  const condition = orderDivisionParts(division).executionCondition;
  return condition === 'ioc' ? '1' : condition === 'fok' ? '2' : '0';
}

/**
 * Notice `ORD_EXG_GB`: `1` KRX, `2` NXT, `3` SOR→KRX, `4` SOR→NXT (docs/kis-protocol.md §8). The
 * sandbox has one book, so an SOR order is reported as routed to KRX.
 */
export function ordExgGb(venue: Venue): string {
  return venue === 'NXT' ? '2' : venue === 'SOR' ? '3' : '1';
}

/**
 * `ccld_cndt_name` (체결조건명) of an inquiry row. KIS's values are not confirmed: the sandbox
 * writes `없음` (none), `IOC` or `FOK`.
 */
export function ccldCndtName(division: OrderDivision): string {
  const condition = orderDivisionParts(division).executionCondition;
  return condition === 'ioc' ? 'IOC' : condition === 'fok' ? 'FOK' : '없음';
}
