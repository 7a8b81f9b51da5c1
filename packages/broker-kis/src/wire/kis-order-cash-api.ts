// POST /uapi/domestic-stock/v1/trading/order-cash (docs/kis-protocol.md §4).
import type { OrderDivision, Venue } from '@qts/order-contract';
import * as v from 'valibot';
import {
  KIS_ORD_DVSN_CODES,
  type KisExchangeCode,
  type KisOrdDvsn,
  kisExchangeCode,
  kisOrderPrice,
} from './kis-order-division.js';
import { type KisParseResult, kisRequiredText, kisTime, parseKisBody } from './kis-wire.js';

/** The path of order-cash. */
export const KIS_ORDER_CASH_PATH = '/uapi/domestic-stock/v1/trading/order-cash';

/** Real TR ids of order-cash (current ones; paper: V...). */
export const KIS_ORDER_CASH_TR_IDS = { buy: 'TTTC0012U', sell: 'TTTC0011U' } as const;

/** What an order-cash request says, in our terms. */
export interface KisOrderCashInput {
  readonly accountNumber: string;
  readonly accountProductCode: string;
  readonly symbol: string;
  /** The order division (ORD_DVSN, docs/order-types.md). */
  readonly division: OrderDivision;
  /** Where the order goes (EXCG_ID_DVSN_CD). */
  readonly venue: Venue;
  readonly quantity: number;
  /** Ignored for divisions the exchange prices (ORD_UNPR "0"). */
  readonly limitPrice: number | null;
}

/**
 * The order-cash body: uppercase keys, every value a string, EXCG_ID_DVSN_CD explicit (paper
 * takes KRX only), ORD_DVSN the division's code with ORD_UNPR `"0"` for divisions the exchange
 * prices (market, best, priority, pre/post-market close and their IOC/FOK forms).
 */
export type KisOrderCashRequest = Readonly<{
  CANO: string;
  ACNT_PRDT_CD: string;
  PDNO: string;
  ORD_DVSN: KisOrdDvsn;
  ORD_QTY: string;
  ORD_UNPR: string;
  EXCG_ID_DVSN_CD: KisExchangeCode;
}>;

/**
 * Builds the order-cash body.
 *
 * @param input The order in our terms.
 * @returns The body, every value a string.
 */
export function buildKisOrderCashRequest(input: KisOrderCashInput): KisOrderCashRequest {
  return {
    CANO: input.accountNumber,
    ACNT_PRDT_CD: input.accountProductCode,
    PDNO: input.symbol,
    ORD_DVSN: KIS_ORD_DVSN_CODES[input.division],
    ORD_QTY: String(input.quantity),
    ORD_UNPR: kisOrderPrice(input.division, input.limitPrice),
    EXCG_ID_DVSN_CD: kisExchangeCode(input.venue),
  };
}

/**
 * The `output` of a successful order-cash or order-rvsecncl answer, keys in either case.
 * Example (made up): `{"KRX_FWDG_ORD_ORGNO":"91252","ODNO":"0000437810","ORD_TMD":"101502"}`.
 */
export const KisOrderOutputSchema = v.object({
  output: v.object({
    krx_fwdg_ord_orgno: kisRequiredText,
    odno: kisRequiredText,
    ord_tmd: kisTime,
  }),
});

/** order-cash's answer. */
export const KisOrderCashResponse = KisOrderOutputSchema;

/** What an accepted order answer carries, in our terms (values as sent). */
export interface KisOrderOutput {
  readonly branch: string;
  readonly orderNumber: string;
  /** `HHMMSS`, Seoul. */
  readonly orderTime: string;
}

/**
 * Parses a successful order answer (order-cash or order-rvsecncl).
 *
 * @param body The KIS body.
 * @returns The branch, order number and time, or the validation issues.
 */
export function parseKisOrderOutput(body: unknown): KisParseResult<KisOrderOutput> {
  const parsed = parseKisBody(KisOrderOutputSchema, body);
  if (!parsed.success) return parsed;
  const { output } = parsed.output;
  return {
    success: true,
    output: {
      branch: output.krx_fwdg_ord_orgno,
      orderNumber: output.odno,
      orderTime: output.ord_tmd,
    },
  };
}
