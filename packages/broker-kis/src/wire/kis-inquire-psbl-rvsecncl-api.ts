// GET /uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl (docs/kis-protocol.md §7; real only).
import * as v from 'valibot';
import {
  type KisPageContext,
  type KisParseResult,
  kisNumber,
  kisNumberOrZero,
  kisRequiredText,
  kisSide,
  kisText,
  pageContextOf,
  parseKisBody,
} from './kis-wire.js';

/** The path of inquire-psbl-rvsecncl. */
export const KIS_INQUIRE_PSBL_RVSECNCL_PATH =
  '/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl';

/** Real TR id (paper has no such TR). */
export const KIS_INQUIRE_PSBL_RVSECNCL_TR_ID = 'TTTC0084R';

/**
 * Builds the query: INQR_DVSN_1 `0` by order, INQR_DVSN_2 `0` both sides, paging keys.
 *
 * @param input Account and paging keys.
 * @returns The query parameters.
 */
export function buildKisInquirePsblRvsecnclRequest(input: {
  readonly accountNumber: string;
  readonly accountProductCode: string;
  readonly context: KisPageContext;
}): Readonly<Record<string, string>> {
  return {
    CANO: input.accountNumber,
    ACNT_PRDT_CD: input.accountProductCode,
    CTX_AREA_FK100: input.context.contextFk,
    CTX_AREA_NK100: input.context.contextNk,
    INQR_DVSN_1: '0',
    INQR_DVSN_2: '0',
  };
}

const RowSchema = v.object({
  ord_gno_brno: kisText,
  odno: kisRequiredText,
  orgn_odno: kisText,
  ord_dvsn_name: kisText,
  rvse_cncl_dvsn_name: kisText,
  pdno: kisRequiredText,
  ord_qty: kisNumber,
  ord_unpr: kisNumberOrZero,
  ord_tmd: kisText,
  tot_ccld_qty: kisNumberOrZero,
  tot_ccld_amt: kisNumberOrZero,
  psbl_qty: kisNumber,
  sll_buy_dvsn_cd: kisSide,
  ord_dvsn_cd: kisText,
  excg_id_dvsn_cd: kisText,
});

/** The answer: an `output` array (or `output1` in some copies of the spec) plus paging keys. */
export const KisInquirePsblRvsecnclResponse = v.object({
  output: v.optional(v.array(RowSchema)),
  output1: v.optional(v.array(RowSchema)),
});

/** One open order in our terms. */
export interface KisPsblRvsecnclRow {
  readonly branch: string;
  readonly orderNumber: string;
  readonly originalOrderNumber: string;
  readonly orderTypeName: string;
  readonly actionName: string;
  readonly orderTypeCode: string;
  readonly side: 'buy' | 'sell';
  readonly symbol: string;
  readonly quantity: number;
  readonly price: number;
  readonly orderTime: string;
  readonly filledQuantity: number;
  readonly filledAmount: number;
  /** Quantity that can still be modified or canceled (the open quantity). */
  readonly openQuantity: number;
  /** EXCG_ID_DVSN_CD as KIS sent it (`KRX`, `NXT`, `SOR`), or `''`. */
  readonly exchangeCode: string;
}

/**
 * Parses one page.
 *
 * @param body The KIS body.
 * @returns Rows and paging keys, or the issues.
 */
export function parseKisInquirePsblRvsecncl(
  body: unknown,
): KisParseResult<{ rows: readonly KisPsblRvsecnclRow[]; context: KisPageContext }> {
  const parsed = parseKisBody(KisInquirePsblRvsecnclResponse, body);
  if (!parsed.success) return parsed;
  const rows = parsed.output.output ?? parsed.output.output1 ?? [];
  return {
    success: true,
    output: {
      rows: rows.map((row) => ({
        branch: row.ord_gno_brno,
        orderNumber: row.odno,
        originalOrderNumber: row.orgn_odno,
        orderTypeName: row.ord_dvsn_name,
        actionName: row.rvse_cncl_dvsn_name,
        orderTypeCode: row.ord_dvsn_cd,
        side: row.sll_buy_dvsn_cd,
        symbol: row.pdno,
        quantity: row.ord_qty,
        price: row.ord_unpr,
        orderTime: row.ord_tmd,
        filledQuantity: row.tot_ccld_qty,
        filledAmount: row.tot_ccld_amt,
        openQuantity: row.psbl_qty,
        exchangeCode: row.excg_id_dvsn_cd,
      })),
      context: pageContextOf(body),
    },
  };
}
