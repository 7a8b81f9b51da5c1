// POST /uapi/domestic-stock/v1/trading/order-cash (docs/kis-protocol.md §4).
import * as v from 'valibot';
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
  readonly type: 'limit' | 'market';
  readonly quantity: number;
  /** Ignored for market orders (ORD_UNPR "0"). */
  readonly limitPrice: number | null;
}

/**
 * The order-cash body: uppercase keys, every value a string, EXCG_ID_DVSN_CD explicit (KRX;
 * paper takes KRX only), ORD_DVSN `00` limit / `01` market with ORD_UNPR `"0"`.
 */
export type KisOrderCashRequest = Readonly<{
  CANO: string;
  ACNT_PRDT_CD: string;
  PDNO: string;
  ORD_DVSN: '00' | '01';
  ORD_QTY: string;
  ORD_UNPR: string;
  EXCG_ID_DVSN_CD: 'KRX';
}>;

/**
 * Builds the order-cash body.
 *
 * @param input The order in our terms.
 * @returns The body, every value a string.
 */
export function buildKisOrderCashRequest(input: KisOrderCashInput): KisOrderCashRequest {
  const market = input.type === 'market';
  return {
    CANO: input.accountNumber,
    ACNT_PRDT_CD: input.accountProductCode,
    PDNO: input.symbol,
    ORD_DVSN: market ? '01' : '00',
    ORD_QTY: String(input.quantity),
    ORD_UNPR: market ? '0' : String(input.limitPrice ?? 0),
    EXCG_ID_DVSN_CD: 'KRX',
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
