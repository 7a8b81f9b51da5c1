// POST /uapi/domestic-stock/v1/trading/order-rvsecncl (docs/kis-protocol.md §5).
import type { OrderDivision, Venue } from '@qts/order-contract';
import {
  KIS_ORD_DVSN_CODES,
  type KisExchangeCode,
  type KisOrdDvsn,
  kisExchangeCode,
  kisOrderPrice,
} from './kis-order-division.js';

/** The path of order-rvsecncl. */
export const KIS_ORDER_RVSECNCL_PATH = '/uapi/domestic-stock/v1/trading/order-rvsecncl';

/** Real TR id of order-rvsecncl (paper: VTTC0013U). */
export const KIS_ORDER_RVSECNCL_TR_ID = 'TTTC0013U';

/** A cancel or modify in our terms. */
export interface KisOrderRvsecnclInput {
  readonly accountNumber: string;
  readonly accountProductCode: string;
  /** KRX_FWDG_ORD_ORGNO of the original order. */
  readonly branch: string;
  /** ODNO of the original order, as KIS sent it. */
  readonly originalOrderNumber: string;
  readonly action: 'cancel' | 'modify';
  /**
   * The order's division after the request: a modify sends the division the order keeps (a new
   * price on a market order makes it a limit order) as ORD_DVSN; a cancel sends `00` whatever the
   * division (docs/kis-protocol.md §5: the code KIS is known to take on a cancel).
   */
  readonly division: OrderDivision;
  /** The venue of the original order (EXCG_ID_DVSN_CD). */
  readonly venue: Venue;
  /** `all` = every remaining share (QTY_ALL_ORD_YN Y, ORD_QTY "0"); else the shares to modify / cancel. */
  readonly quantity: number | 'all';
  /** New price for a modify of a priced division; ignored for a cancel and for divisions the exchange prices (ORD_UNPR "0"). */
  readonly limitPrice: number | null;
}

/** The order-rvsecncl body: uppercase keys, every value a string. */
export type KisOrderRvsecnclRequest = Readonly<{
  CANO: string;
  ACNT_PRDT_CD: string;
  KRX_FWDG_ORD_ORGNO: string;
  ORGN_ODNO: string;
  ORD_DVSN: KisOrdDvsn;
  RVSE_CNCL_DVSN_CD: '01' | '02';
  ORD_QTY: string;
  ORD_UNPR: string;
  QTY_ALL_ORD_YN: 'Y' | 'N';
  EXCG_ID_DVSN_CD: KisExchangeCode;
}>;

/**
 * ORD_DVSN of every cancel: the official sample's cancel sends `00`, and python-kis sends `00` on
 * every cancel whatever the order's type; which code KIS expects for a cancel of another division
 * is not documented, so QTS sends the one known to be taken.
 */
const CANCEL_ORD_DVSN: KisOrdDvsn = '00';

/**
 * Builds the order-rvsecncl body: RVSE_CNCL_DVSN_CD `01` modify / `02` cancel; ORD_DVSN of the
 * order for a modify and `00` for a cancel; EXCG_ID_DVSN_CD of the order; cancel sends ORD_UNPR `"0"`, so does a modify of a division the
 * exchange prices; QTY_ALL_ORD_YN `Y` with ORD_QTY `"0"` for all remaining shares.
 *
 * @param input The cancel or modify.
 * @returns The body.
 */
export function buildKisOrderRvsecnclRequest(
  input: KisOrderRvsecnclInput,
): KisOrderRvsecnclRequest {
  const all = input.quantity === 'all';
  return {
    CANO: input.accountNumber,
    ACNT_PRDT_CD: input.accountProductCode,
    KRX_FWDG_ORD_ORGNO: input.branch,
    ORGN_ODNO: input.originalOrderNumber,
    ORD_DVSN: input.action === 'cancel' ? CANCEL_ORD_DVSN : KIS_ORD_DVSN_CODES[input.division],
    RVSE_CNCL_DVSN_CD: input.action === 'cancel' ? '02' : '01',
    ORD_QTY: all ? '0' : String(input.quantity),
    ORD_UNPR: input.action === 'modify' ? kisOrderPrice(input.division, input.limitPrice) : '0',
    QTY_ALL_ORD_YN: all ? 'Y' : 'N',
    EXCG_ID_DVSN_CD: kisExchangeCode(input.venue),
  };
}

export { parseKisOrderOutput as parseKisOrderRvsecnclOutput } from './kis-order-cash-api.js';
