// GET /uapi/domestic-stock/v1/quotations/inquire-price (docs/kis-protocol.md §10): 주식현재가 시세.
// Fields per the official sample koreainvestment/open-trading-api
// examples_llm/domestic_stock/inquire_price/chk_inquire_price.py.
import * as v from 'valibot';
import { type KisParseResult, kisNumber, kisNumberOrZero, parseKisBody } from './kis-wire.js';

/** The path of inquire-price. */
export const KIS_INQUIRE_PRICE_PATH = '/uapi/domestic-stock/v1/quotations/inquire-price';

/** TR id of inquire-price: a quotation TR, the same in real and paper (no T/J/C prefix). */
export const KIS_INQUIRE_PRICE_TR_ID = 'FHKST01010100';

/**
 * Builds the query: market `J` (stocks, ETFs and ETNs) and the symbol.
 *
 * @param symbol The KRX symbol (`005930`).
 * @returns The query parameters.
 */
export function buildKisInquirePriceRequest(symbol: string): Readonly<Record<string, string>> {
  return { FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: symbol };
}

/**
 * The answer's `output` (one object of some 80 fields): what we read of it.
 * Example (made up, trimmed): `{"rt_cd":"0","msg_cd":"MCA00000","msg1":"정상처리 되었습니다.",
 * "output":{"stck_prpr":"70000","stck_mxpr":"90900","stck_llam":"49000","stck_sdpr":"70000",
 * "aspr_unit":"100", ...}}`.
 */
export const KisInquirePriceResponse = v.object({
  output: v.object({
    /** 주식 현재가. */
    stck_prpr: kisNumber,
    /** 주식 상한가. */
    stck_mxpr: kisNumber,
    /** 주식 하한가. */
    stck_llam: kisNumber,
    /** 주식 기준가 (normally the previous close). */
    stck_sdpr: kisNumberOrZero,
  }),
});

/** What inquire-price says, in our terms. */
export interface KisPriceOutput {
  readonly price: number;
  readonly upperLimit: number;
  readonly lowerLimit: number;
  /** Null when KIS sends none. */
  readonly basePrice: number | null;
}

/**
 * Parses the answer.
 *
 * @param body The KIS body.
 * @returns The price and the day's limits, or the issues.
 */
export function parseKisInquirePrice(body: unknown): KisParseResult<KisPriceOutput> {
  const parsed = parseKisBody(KisInquirePriceResponse, body);
  if (!parsed.success) return parsed;
  const output = parsed.output.output;
  return {
    success: true,
    output: {
      price: output.stck_prpr,
      upperLimit: output.stck_mxpr,
      lowerLimit: output.stck_llam,
      basePrice: output.stck_sdpr === 0 ? null : output.stck_sdpr,
    },
  };
}
