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
  /** `conditional`, `best` or `priority`; absent for a plain order (docs/order-types.md). */
  readonly priceCondition?: 'conditional' | 'best' | 'priority';
  /** `ioc` or `fok`; absent for an order that rests. */
  readonly executionCondition?: 'ioc' | 'fok';
  /** A KRX off-hours session: `pre`, `post` or `single`; absent for the regular session. */
  readonly session?: 'pre' | 'post' | 'single';
  /** `NXT` or `SOR`; absent for KRX. */
  readonly venue?: 'KRX' | 'NXT' | 'SOR';
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

/** `qts quote <symbol> --json`. */
export interface CliQuote {
  readonly symbol: string;
  /** The current price (virtual mode: the reference price), KRW. */
  readonly price: number;
  /** The day's upper limit (상한가), KRW. */
  readonly upperLimit: number;
  /** The day's lower limit (하한가), KRW. */
  readonly lowerLimit: number;
  /** The base price of the limits (기준가, normally the previous close), or null. */
  readonly basePrice: number | null;
  /** The KRX tick at the current price, KRW. */
  readonly tick: number;
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
