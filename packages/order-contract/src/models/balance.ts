import * as v from 'valibot';

/** A holding in the account. */
export const PositionSchema = v.object({
  symbol: v.string(),
  /** The product name as the broker sent it, or null. */
  name: v.nullable(v.string()),
  quantity: v.number(),
  /** Quantity that can be sold now. */
  sellableQuantity: v.number(),
  averagePrice: v.number(),
  /** The broker's current price, or null when unknown. */
  currentPrice: v.nullable(v.number()),
  /** Valuation at current price, or null. */
  marketValue: v.nullable(v.number()),
});
/** A holding in the account. */
export type Position = v.InferOutput<typeof PositionSchema>;

/** Cash and positions of the account. */
export const BalanceSchema = v.object({
  cash: v.object({
    currency: v.literal('KRW'),
    /** Deposit (KIS dnca_tot_amt). */
    deposit: v.number(),
    /** Cash available for a new buy order now (KIS ord_psbl_cash). */
    orderable: v.number(),
    /** Total valuation of cash and positions, or null. */
    totalValue: v.nullable(v.number()),
  }),
  positions: v.array(PositionSchema),
});
/** Cash and positions of the account. */
export type Balance = v.InferOutput<typeof BalanceSchema>;
