// KIS order-division and venue codes (docs/kis-protocol.md §4, §6, §8; docs/order-types.md).
import {
  ORDER_DIVISION_RULES,
  type OrderDivision,
  type OrderDivisionParts,
  orderDivisionParts,
  type Venue,
} from '@qts/order-contract';

/** The ORD_DVSN code of every division QTS sends (Portal "주식주문(현금)"). */
export const KIS_ORD_DVSN_CODES = {
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
} as const satisfies Record<OrderDivision, string>;

/** An ORD_DVSN code QTS sends. */
export type KisOrdDvsn = (typeof KIS_ORD_DVSN_CODES)[OrderDivision];

const BY_CODE: ReadonlyMap<string, OrderDivision> = new Map(
  (Object.entries(KIS_ORD_DVSN_CODES) as [OrderDivision, string][]).map(([division, code]) => [
    code,
    division,
  ]),
);

/**
 * The division of an ORD_DVSN code (an inquiry's `ord_dvsn_cd`, a notice's ODER_KIND), or null for
 * a code QTS does not send (mid-price, stop-limit...) or an empty one.
 *
 * @param code The code as KIS sent it.
 * @returns The division, or null.
 */
export function orderDivisionOfKisCode(code: string): OrderDivision | null {
  return BY_CODE.get(code.trim()) ?? null;
}

/**
 * ORD_UNPR of a division: the limit price when the division carries one, `"0"` when the exchange
 * sets the price (market, best, priority, the pre/post-market close sessions).
 *
 * @param division The division.
 * @param limitPrice The request's limit price.
 * @returns The price as KIS takes it.
 */
export function kisOrderPrice(division: OrderDivision, limitPrice: number | null): string {
  return ORDER_DIVISION_RULES[division].limitPrice === 'required' ? String(limitPrice ?? 0) : '0';
}

/** EXCG_ID_DVSN_CD of an order: `KRX`, `NXT` or `SOR` (the wire codes equal the venue names). */
export type KisExchangeCode = 'KRX' | 'NXT' | 'SOR';

const EXCHANGE_CODES: Readonly<Record<Venue, KisExchangeCode>> = {
  KRX: 'KRX',
  NXT: 'NXT',
  SOR: 'SOR',
};

/**
 * EXCG_ID_DVSN_CD for a venue.
 *
 * @param venue The venue.
 * @returns The code.
 */
export function kisExchangeCode(venue: Venue): KisExchangeCode {
  return EXCHANGE_CODES[venue];
}

/**
 * The venue of an inquiry row's `excg_id_dvsn_cd` (`KRX`, `NXT`, `SOR`), or null when absent or
 * another value.
 *
 * @param code The code as KIS sent it.
 * @returns The venue, or null.
 */
export function venueOfKisExchangeCode(code: string): Venue | null {
  const trimmed = code.trim().toUpperCase();
  return trimmed === 'KRX' || trimmed === 'NXT' || trimmed === 'SOR' ? trimmed : null;
}

/**
 * The venue of a notice's ORD_EXG_GB: `1` KRX, `2` NXT, `3` SOR routed to KRX, `4` SOR routed to
 * NXT (an SOR order is an SOR order wherever it went); null when absent or another value.
 *
 * @param code The field as KIS sent it.
 * @returns The venue, or null.
 */
export function venueOfKisNoticeExchange(code: string): Venue | null {
  switch (code.trim()) {
    case '1':
      return 'KRX';
    case '2':
      return 'NXT';
    case '3':
    case '4':
      return 'SOR';
    default:
      return null;
  }
}

/**
 * The order fields a division code names, for inquiry rows and notices: `type` plus the
 * optional price condition, execution condition and session. A code QTS does not send maps to a
 * plain order of its price kind (`01` market, else limit).
 *
 * @param code ORD_DVSN as KIS sent it.
 * @param name The division's name as KIS sent it (used when the code is empty).
 * @returns The fields.
 */
export function orderDivisionFieldsOfKisCode(code: string, name = ''): OrderDivisionParts {
  const division = orderDivisionOfKisCode(code);
  if (division !== null) return orderDivisionParts(division);
  if (code.trim() === '' && name.includes('시장가')) return { type: 'market' };
  return { type: 'limit' };
}
