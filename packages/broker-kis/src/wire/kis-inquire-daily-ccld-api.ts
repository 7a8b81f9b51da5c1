// GET /uapi/domestic-stock/v1/trading/inquire-daily-ccld (docs/kis-protocol.md §6).
import * as v from 'valibot';
import {
  type KisPageContext,
  type KisParseResult,
  kisDate,
  kisNumber,
  kisNumberOrZero,
  kisRequiredText,
  kisSide,
  kisText,
  pageContextOf,
  parseKisBody,
} from './kis-wire.js';

/** The path of inquire-daily-ccld. */
export const KIS_INQUIRE_DAILY_CCLD_PATH = '/uapi/domestic-stock/v1/trading/inquire-daily-ccld';

/** Real TR id for the current month and the three before (paper: VTTC0081R). */
export const KIS_INQUIRE_DAILY_CCLD_TR_ID = 'TTTC0081R';

/** Real TR id for dates before that (paper: VTSC9215R; official `inquire_daily_ccld.py`, pd_dv "before"). */
export const KIS_INQUIRE_DAILY_CCLD_OLD_TR_ID = 'CTSC9215R';

/**
 * The daily-ccld TR id (real form) for a trading date: TTTC0081R within the current month and
 * the three months before it (by calendar month, in Seoul), CTSC9215R for older dates.
 *
 * @param tradingDate The queried date, `YYYYMMDD`.
 * @param today Today in Seoul, `YYYYMMDD`.
 * @returns The real TR id (`kisTrId` makes the paper one).
 */
export function kisDailyCcldTrIdFor(tradingDate: string, today: string): string {
  const months = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(4, 6)) - 1;
  return months(today) - months(tradingDate) <= 3
    ? KIS_INQUIRE_DAILY_CCLD_TR_ID
    : KIS_INQUIRE_DAILY_CCLD_OLD_TR_ID;
}

/** Largest number of pages one inquiry follows (real 100 rows a page, paper 15). */
export const KIS_MAX_PAGES = 200;

/** A daily-ccld query in our terms. */
export interface KisDailyCcldInput {
  readonly accountNumber: string;
  readonly accountProductCode: string;
  /** `YYYYMMDD`, Seoul: used as both INQR_STRT_DT and INQR_END_DT. */
  readonly tradingDate: string;
  /** `''` = every symbol. */
  readonly symbol: string;
  /** Only orders with quantity open (CCLD_DVSN `02`); else all (`00`). */
  readonly openOnly: boolean;
  /**
   * Which venues' orders (EXCG_ID_DVSN_CD): `KRX` only, or `ALL` (KRX, NXT and SOR; official
   * `inquire_daily_ccld.py` lists KRX / NXT / SOR / ALL). Paper takes KRX only.
   */
  readonly exchanges: 'KRX' | 'ALL';
  /** Continuation keys from the previous page (empty on the first). */
  readonly context: KisPageContext;
}

/** The daily-ccld query: uppercase keys, two-digit codes, all strings. */
export type KisInquireDailyCcldRequest = Readonly<Record<string, string>>;

/**
 * Builds the daily-ccld query: INQR_STRT_DT = INQR_END_DT = the trading date, SLL_BUY_DVSN_CD
 * `00` (two digits; python-kis#27), INQR_DVSN `01` oldest first, CCLD_DVSN `00` or `02`,
 * INQR_DVSN_3 `00`, EXCG_ID_DVSN_CD `KRX` or `ALL` (real orders may go to NXT or SOR; paper
 * is KRX only), ODNO `""` (order numbers are matched locally, without leading zeros).
 *
 * @param input The query.
 * @returns The query parameters.
 */
export function buildKisInquireDailyCcldRequest(
  input: KisDailyCcldInput,
): KisInquireDailyCcldRequest {
  return {
    CANO: input.accountNumber,
    ACNT_PRDT_CD: input.accountProductCode,
    INQR_STRT_DT: input.tradingDate,
    INQR_END_DT: input.tradingDate,
    SLL_BUY_DVSN_CD: '00',
    INQR_DVSN: '01',
    PDNO: input.symbol,
    CCLD_DVSN: input.openOnly ? '02' : '00',
    ORD_GNO_BRNO: '',
    ODNO: '',
    INQR_DVSN_3: '00',
    INQR_DVSN_1: '',
    CTX_AREA_FK100: input.context.contextFk,
    CTX_AREA_NK100: input.context.contextNk,
    EXCG_ID_DVSN_CD: input.exchanges,
  };
}

const RowSchema = v.object({
  ord_dt: kisDate,
  ord_gno_brno: kisText,
  odno: kisRequiredText,
  orgn_odno: kisText,
  ord_dvsn_name: kisText,
  sll_buy_dvsn_cd: kisSide,
  sll_buy_dvsn_cd_name: kisText,
  pdno: kisRequiredText,
  ord_qty: kisNumber,
  ord_unpr: kisNumberOrZero,
  ord_tmd: kisText,
  tot_ccld_qty: kisNumber,
  avg_prvs: kisNumberOrZero,
  ord_dvsn_cd: kisText,
  cnc_cfrm_qty: kisNumberOrZero,
  rmn_qty: kisNumberOrZero,
  rjct_qty: kisNumberOrZero,
  // The Portal spells it `excg_id_dvsn_Cd`; keys are read lower-cased.
  excg_id_dvsn_cd: kisText,
});

/**
 * daily-ccld's answer: `output1` rows (may be absent or empty on an empty day) plus the paging
 * keys. Example row (trimmed): `{"ord_dt":"20260105","ord_gno_brno":"91252","odno":"0000437810",
 * "orgn_odno":"","sll_buy_dvsn_cd":"02","pdno":"005930","ord_qty":"10","ord_unpr":"70000",
 * "ord_tmd":"101502","tot_ccld_qty":"0","avg_prvs":"0","cnc_cfrm_qty":"0","rmn_qty":"10",
 * "rjct_qty":"0","ord_dvsn_cd":"00","excg_id_dvsn_Cd":"KRX"}`.
 */
export const KisInquireDailyCcldResponse = v.object({
  output1: v.optional(v.array(RowSchema), []),
});

/** One daily-ccld row in our terms (numbers parsed, order numbers as sent). */
export interface KisDailyCcldRow {
  readonly tradingDate: string;
  readonly orderTime: string;
  readonly branch: string;
  readonly orderNumber: string;
  readonly originalOrderNumber: string;
  /** Order-type name and side name as KIS sent them (they say 정정 / 취소 for modify / cancel). */
  readonly orderTypeName: string;
  readonly sideName: string;
  readonly orderTypeCode: string;
  readonly side: 'buy' | 'sell';
  readonly symbol: string;
  readonly quantity: number;
  readonly price: number;
  readonly filledQuantity: number;
  readonly averagePrice: number;
  readonly canceledQuantity: number;
  readonly remainingQuantity: number;
  readonly rejectedQuantity: number;
  /** EXCG_ID_DVSN_CD as KIS sent it (`KRX`, `NXT`, `SOR`), or `''`. */
  readonly exchangeCode: string;
}

/** One parsed page. */
export interface KisDailyCcldPage {
  readonly rows: readonly KisDailyCcldRow[];
  readonly context: KisPageContext;
}

/**
 * Parses one daily-ccld page.
 *
 * @param body The KIS body.
 * @returns The rows and paging keys, or the validation issues.
 */
export function parseKisInquireDailyCcld(body: unknown): KisParseResult<KisDailyCcldPage> {
  const parsed = parseKisBody(KisInquireDailyCcldResponse, body);
  if (!parsed.success) return parsed;
  return {
    success: true,
    output: {
      rows: parsed.output.output1.map((row) => ({
        tradingDate: row.ord_dt,
        orderTime: row.ord_tmd,
        branch: row.ord_gno_brno,
        orderNumber: row.odno,
        originalOrderNumber: row.orgn_odno,
        orderTypeName: row.ord_dvsn_name,
        sideName: row.sll_buy_dvsn_cd_name,
        orderTypeCode: row.ord_dvsn_cd,
        side: row.sll_buy_dvsn_cd,
        symbol: row.pdno,
        quantity: row.ord_qty,
        price: row.ord_unpr,
        filledQuantity: row.tot_ccld_qty,
        averagePrice: row.avg_prvs,
        canceledQuantity: row.cnc_cfrm_qty,
        remainingQuantity: row.rmn_qty,
        rejectedQuantity: row.rjct_qty,
        exchangeCode: row.excg_id_dvsn_cd,
      })),
      context: pageContextOf(body),
    },
  };
}
