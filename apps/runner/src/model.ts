// The CLI's JSON shapes (architecture.md section 5), as plain types. Tests validate them with
// valibot.

/** The order object `qts order|cancel|modify --json` prints (and each row of `qts orders`). */
export interface CliOrder {
  readonly orderId: string;
  readonly brokerOrderId: string | null;
  readonly status: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: number | null;
  readonly type: 'limit' | 'market';
  readonly mode: 'virtual' | 'paper' | 'real';
  readonly filledQuantity: number;
  readonly averagePrice: number | null;
  readonly createdAt: string;
  readonly clientOrderId: string | null;
}

/** One change `qts orders` made while reconciling. */
export interface CliReconciled {
  readonly orderId: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** `qts balance --symbol S [--price P] --json`: `buyingPower`. */
export interface CliBuyingPower {
  readonly symbol: string;
  /** The limit price asked about; null = at market. */
  readonly price: number | null;
  /** The unit price the quantities were sized with (KIS: the upper limit for market). */
  readonly unitPrice: number;
  readonly orderableCash: number;
  /** Shares buyable with cash only, and what they cost. */
  readonly quantity: number;
  readonly amount: number;
  /** Shares buyable counting credit (미수), and what they cost; equal to the above in virtual mode. */
  readonly quantityWithCredit: number;
  readonly amountWithCredit: number;
}

/** `qts balance --json`. */
export interface CliBalance {
  readonly cash: {
    readonly currency: 'KRW';
    readonly deposit: number;
    readonly orderable: number;
    readonly totalValue: number | null;
  };
  readonly positions: readonly {
    readonly symbol: string;
    readonly name: string | null;
    readonly quantity: number;
    readonly sellableQuantity: number;
    readonly averagePrice: number;
    readonly currentPrice: number | null;
    readonly marketValue: number | null;
  }[];
}

/** `qts token --json`. */
export interface CliTokenStatus {
  readonly mode: 'virtual' | 'paper' | 'real';
  readonly host: string | null;
  readonly expiresAt: string | null;
  readonly cachedAt: string | null;
  readonly file: string | null;
}
