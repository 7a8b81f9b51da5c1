// GET /uapi/domestic-stock/v1/trading/inquire-psbl-order (docs/kis-protocol.md §7).
import * as v from 'valibot';
import { type KisParseResult, kisNumber, kisNumberOrZero, parseKisBody } from './kis-wire.js';

/** The path of inquire-psbl-order. */
export const KIS_INQUIRE_PSBL_ORDER_PATH = '/uapi/domestic-stock/v1/trading/inquire-psbl-order';

/** Real TR id (paper: VTTC8908R). */
export const KIS_INQUIRE_PSBL_ORDER_TR_ID = 'TTTC8908R';

/**
 * Builds the query. KIS needs a PDNO. Without a price (the account's cash, or a market buy) it
 * asks at market type: ORD_DVSN `01`, ORD_UNPR `"0"` (the official sample marks ORD_UNPR as
 * required; KIS then sizes at the upper limit). With a limit price: ORD_DVSN `00` and that
 * price. CMA excluded, overseas excluded.
 *
 * @param input Account, symbol and the limit price (null: none).
 * @returns The query parameters.
 */
export function buildKisInquirePsblOrderRequest(input: {
  readonly accountNumber: string;
  readonly accountProductCode: string;
  readonly symbol: string;
  readonly limitPrice?: number | null;
}): Readonly<Record<string, string>> {
  const price = input.limitPrice ?? null;
  return {
    CANO: input.accountNumber,
    ACNT_PRDT_CD: input.accountProductCode,
    PDNO: input.symbol,
    ORD_UNPR: price === null ? '0' : String(price),
    ORD_DVSN: price === null ? '01' : '00',
    CMA_EVLU_AMT_ICLD_YN: 'N',
    OVRS_ICLD_YN: 'N',
  };
}

/** The answer's `output` (one object): what we read of it. */
export const KisInquirePsblOrderResponse = v.object({
  output: v.object({
    ord_psbl_cash: kisNumber,
    psbl_qty_calc_unpr: kisNumberOrZero,
    nrcvb_buy_qty: kisNumberOrZero,
    nrcvb_buy_amt: kisNumberOrZero,
    max_buy_qty: kisNumberOrZero,
    max_buy_amt: kisNumberOrZero,
  }),
});

/** What inquire-psbl-order says, in our terms. */
export interface KisBuyingPowerOutput {
  /** Cash available for a new buy now (ord_psbl_cash). */
  readonly orderableCash: number;
  /** The unit price KIS sized the quantities with (psbl_qty_calc_unpr). */
  readonly unitPrice: number;
  /** Shares buyable with cash only, no credit (nrcvb_buy_qty) and their amount. */
  readonly quantity: number;
  readonly amount: number;
  /** Shares buyable counting 미수 credit (max_buy_qty) and their amount. */
  readonly quantityWithCredit: number;
  readonly amountWithCredit: number;
}

/**
 * Parses the answer.
 *
 * @param body The KIS body.
 * @returns Cash and buyable quantities, or the issues.
 */
export function parseKisInquirePsblOrder(body: unknown): KisParseResult<KisBuyingPowerOutput> {
  const parsed = parseKisBody(KisInquirePsblOrderResponse, body);
  if (!parsed.success) return parsed;
  const output = parsed.output.output;
  return {
    success: true,
    output: {
      orderableCash: output.ord_psbl_cash,
      unitPrice: output.psbl_qty_calc_unpr,
      quantity: output.nrcvb_buy_qty,
      amount: output.nrcvb_buy_amt,
      quantityWithCredit: output.max_buy_qty,
      amountWithCredit: output.max_buy_amt,
    },
  };
}
