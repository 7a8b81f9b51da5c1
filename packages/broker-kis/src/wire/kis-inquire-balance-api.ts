// GET /uapi/domestic-stock/v1/trading/inquire-balance (docs/kis-protocol.md §7).
import * as v from 'valibot';
import {
  type KisPageContext,
  type KisParseResult,
  kisNumber,
  kisNumberOrZero,
  kisRequiredText,
  kisText,
  oneOrMany,
  pageContextOf,
  parseKisBody,
} from './kis-wire.js';

/** The path of inquire-balance. */
export const KIS_INQUIRE_BALANCE_PATH = '/uapi/domestic-stock/v1/trading/inquire-balance';

/** Real TR id (paper: VTTC8434R). */
export const KIS_INQUIRE_BALANCE_TR_ID = 'TTTC8434R';

/**
 * Builds the query: regular session prices (AFHR_FLPR_YN `N`), by stock (INQR_DVSN `02`),
 * UNPR_DVSN `01`, no fund settlement, PRCS_DVSN `00` (including the previous day's trades).
 *
 * @param input Account and paging keys.
 * @returns The query parameters.
 */
export function buildKisInquireBalanceRequest(input: {
  readonly accountNumber: string;
  readonly accountProductCode: string;
  readonly context: KisPageContext;
}): Readonly<Record<string, string>> {
  return {
    CANO: input.accountNumber,
    ACNT_PRDT_CD: input.accountProductCode,
    AFHR_FLPR_YN: 'N',
    OFL_YN: '',
    INQR_DVSN: '02',
    UNPR_DVSN: '01',
    FUND_STTL_ICLD_YN: 'N',
    FNCG_AMT_AUTO_RDPT_YN: 'N',
    PRCS_DVSN: '00',
    CTX_AREA_FK100: input.context.contextFk,
    CTX_AREA_NK100: input.context.contextNk,
  };
}

const HoldingSchema = v.object({
  pdno: kisRequiredText,
  prdt_name: kisText,
  hldg_qty: kisNumber,
  ord_psbl_qty: kisNumberOrZero,
  pchs_avg_pric: kisNumberOrZero,
  prpr: v.optional(v.string()),
  evlu_amt: v.optional(v.string()),
});

const SummarySchema = v.object({
  dnca_tot_amt: kisNumber,
  tot_evlu_amt: v.optional(v.string()),
});

/** The answer: holdings in `output1`, the account summary in `output2` (object or array). */
export const KisInquireBalanceResponse = v.object({
  output1: v.optional(v.array(HoldingSchema), []),
  output2: v.optional(oneOrMany(SummarySchema), []),
});

/** One holding in our terms. */
export interface KisHolding {
  readonly symbol: string;
  readonly name: string;
  readonly quantity: number;
  readonly sellableQuantity: number;
  readonly averagePrice: number;
  readonly currentPrice: number | null;
  readonly marketValue: number | null;
}

/** One parsed page. */
export interface KisBalancePage {
  readonly holdings: readonly KisHolding[];
  /** Deposit (dnca_tot_amt) and total valuation (tot_evlu_amt), when the page carries them. */
  readonly deposit: number | null;
  readonly totalValue: number | null;
  readonly context: KisPageContext;
}

function optionalNumber(text: string | undefined): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim();
  return /^[+-]?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : null;
}

/**
 * Parses one page.
 *
 * @param body The KIS body.
 * @returns Holdings, cash summary and paging keys, or the issues.
 */
export function parseKisInquireBalance(body: unknown): KisParseResult<KisBalancePage> {
  const parsed = parseKisBody(KisInquireBalanceResponse, body);
  if (!parsed.success) return parsed;
  const summary = parsed.output.output2[0];
  return {
    success: true,
    output: {
      holdings: parsed.output.output1.map((row) => ({
        symbol: row.pdno,
        name: row.prdt_name,
        quantity: row.hldg_qty,
        sellableQuantity: row.ord_psbl_qty,
        averagePrice: row.pchs_avg_pric,
        currentPrice: optionalNumber(row.prpr),
        marketValue: optionalNumber(row.evlu_amt),
      })),
      deposit: summary?.dnca_tot_amt ?? null,
      totalValue: optionalNumber(summary?.tot_evlu_amt),
      context: pageContextOf(body),
    },
  };
}
