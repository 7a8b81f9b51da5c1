// GET /uapi/domestic-stock/v1/trading/inquire-psbl-order (docs/kis-protocol.md §7).
import * as v from 'valibot';
import { type KisParseResult, kisNumber, parseKisBody } from './kis-wire.js';

/** The path of inquire-psbl-order. */
export const KIS_INQUIRE_PSBL_ORDER_PATH = '/uapi/domestic-stock/v1/trading/inquire-psbl-order';

/** Real TR id (paper: VTTC8908R). */
export const KIS_INQUIRE_PSBL_ORDER_TR_ID = 'TTTC8908R';

/**
 * Builds the query. KIS needs a PDNO; `ord_psbl_cash` does not depend on it, so the balance
 * asks with a reference symbol at market type (ORD_DVSN `01`, ORD_UNPR `""`), CMA excluded.
 *
 * @param input Account and the reference symbol.
 * @returns The query parameters.
 */
export function buildKisInquirePsblOrderRequest(input: {
  readonly accountNumber: string;
  readonly accountProductCode: string;
  readonly symbol: string;
}): Readonly<Record<string, string>> {
  return {
    CANO: input.accountNumber,
    ACNT_PRDT_CD: input.accountProductCode,
    PDNO: input.symbol,
    ORD_UNPR: '',
    ORD_DVSN: '01',
    CMA_EVLU_AMT_ICLD_YN: 'N',
    OVRS_ICLD_YN: 'N',
  };
}

/** The answer's `output` (one object): what we read of it. */
export const KisInquirePsblOrderResponse = v.object({
  output: v.object({ ord_psbl_cash: kisNumber }),
});

/**
 * Parses the answer.
 *
 * @param body The KIS body.
 * @returns Cash available for a new buy now, or the issues.
 */
export function parseKisInquirePsblOrder(
  body: unknown,
): KisParseResult<{ readonly orderableCash: number }> {
  const parsed = parseKisBody(KisInquirePsblOrderResponse, body);
  return parsed.success
    ? { success: true, output: { orderableCash: parsed.output.output.ord_psbl_cash } }
    : parsed;
}
