/**
 * What an error says about the order: `not_placed` (nothing reached the broker), `rejected`
 * (the broker answered no), `unknown` (sent, no definite answer: check before doing anything).
 */
export const ERROR_OUTCOMES = ['not_placed', 'rejected', 'unknown'] as const;
/** What an error says about the order. */
export type ErrorOutcome = (typeof ERROR_OUTCOMES)[number];

/**
 * The closed list of stable error codes, each with the outcome it implies. Scripts may rely on
 * these strings; adding one is a contract change.
 */
export const QTS_ERROR_CODES = {
  /** The order breaks a contract or KRX rule; nothing was sent. */
  INVALID_ORDER: 'not_placed',
  /** Configuration or credentials are missing or malformed; nothing was sent. */
  CONFIG: 'not_placed',
  /** The adapter does not support this call (see `capabilities`); nothing was sent. */
  NOT_SUPPORTED: 'not_placed',
  /** The broker could not be reached (refused, DNS, connect timeout); nothing was sent. */
  ROUTE_UNAVAILABLE: 'not_placed',
  /** The caller aborted before anything was sent. */
  ABORTED: 'not_placed',
  /** The broker refused, for a reason without a more specific code. */
  BROKER_REJECTED: 'rejected',
  /** Not enough cash for the order. */
  INSUFFICIENT_FUNDS: 'rejected',
  /** Not enough shares to sell. */
  INSUFFICIENT_HOLDINGS: 'rejected',
  /** The market is closed for this order. */
  MARKET_CLOSED: 'rejected',
  /** The broker's request rate was exceeded. */
  RATE_LIMITED: 'rejected',
  /** The broker refused the credentials or token. */
  AUTH: 'rejected',
  /** Paper key / TR on the real host or the reverse. */
  ENVIRONMENT_MISMATCH: 'rejected',
  /** The broker does not know the order (cancel / modify / inquiry). */
  ORDER_NOT_FOUND: 'rejected',
  /**
   * The order has nothing left open at the broker (filled or canceled before this cancel or
   * modify): the revision was refused or not sent. `details` carries the order's fills.
   */
  ORDER_NOT_OPEN: 'rejected',
  /**
   * A revision done in two broker requests stopped after the first one: the first step
   * (`details.completed`) took effect, the second was refused. The order exists in between.
   */
  REVISION_INCOMPLETE: 'rejected',
  /** Sent, but no definite answer: the order may or may not exist. Never resend; reconcile. */
  OUTCOME_UNKNOWN: 'unknown',
  /** Sent, and the answer could not be understood (did not validate). Treat as unknown. */
  INVALID_BROKER_RESPONSE: 'unknown',
} as const satisfies Record<string, ErrorOutcome>;
/** A stable error code. */
export type QtsErrorCode = keyof typeof QTS_ERROR_CODES;

/** Codes that mean "the broker refused". */
export type RejectionCode = {
  [K in QtsErrorCode]: (typeof QTS_ERROR_CODES)[K] extends 'rejected' ? K : never;
}[QtsErrorCode];

const MARKER = Symbol.for('qts.error');

/** Options every QTS error takes. */
export interface QtsErrorOptions {
  /** The broker's own code (KIS msg_cd / error_code), verbatim. */
  readonly brokerCode?: string | null;
  /** The broker's own message (KIS msg1 / error_description), verbatim UTF-8. */
  readonly brokerMessage?: string | null;
  /** What the user should do next. A default per code is used when absent. */
  readonly hint?: string;
  /** The underlying error. Never put secrets in it. */
  readonly cause?: unknown;
  /** Facts about the order the error concerns (fills, what was done). Never secrets. */
  readonly details?: QtsErrorDetails | null;
}

/** Plain facts an error carries about its order, e.g. `{ filledQuantity: 5, averagePrice: 59000 }`. */
export type QtsErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/** The plain-data form of an error, as `--json` prints it. */
export interface QtsErrorJson {
  readonly code: QtsErrorCode;
  readonly outcome: ErrorOutcome;
  readonly message: string;
  readonly brokerCode: string | null;
  readonly brokerMessage: string | null;
  readonly hint: string;
  /** Facts about the order; present only when the error carries some. */
  readonly details?: QtsErrorDetails;
}

const DEFAULT_HINTS: Record<QtsErrorCode, string> = {
  INVALID_ORDER: 'Fix the order and send it again; nothing was sent.',
  CONFIG: 'Fix the configuration named in the message; nothing was sent.',
  NOT_SUPPORTED: 'This broker or mode does not support the call; nothing was sent.',
  ROUTE_UNAVAILABLE: 'Nothing was sent. Check the network and the broker URL, then try again.',
  ABORTED: 'Nothing was sent; the call was aborted before sending.',
  BROKER_REJECTED: 'The broker refused; read its message, fix the cause, then try again.',
  INSUFFICIENT_FUNDS: 'Lower the quantity or price, or add cash; the order was not placed.',
  INSUFFICIENT_HOLDINGS: 'Sell no more than you hold; the order was not placed.',
  MARKET_CLOSED: 'Send the order during market hours; it was not placed.',
  RATE_LIMITED: 'Wait a second and try again; the broker refused this request.',
  AUTH: 'Check the app key and secret (and refresh the token); the request was refused.',
  ENVIRONMENT_MISMATCH:
    'Paper and real keys, hosts and TR ids must not be mixed; check --mode and the credentials.',
  ORDER_NOT_FOUND: 'Check the order id with `qts orders`; the broker does not know it.',
  ORDER_NOT_OPEN:
    'Nothing is left open to cancel or modify: the order filled or was canceled before. Run `qts orders` to see its final state.',
  REVISION_INCOMPLETE:
    'Only the first step of the change took effect (see the details). Run `qts orders`, then modify or cancel what is still open.',
  OUTCOME_UNKNOWN:
    'Do NOT resend. Run `qts orders` to reconcile: the order may exist at the broker.',
  INVALID_BROKER_RESPONSE:
    'Do NOT resend. Run `qts orders` to reconcile: the broker answered in an unexpected form.',
};

/**
 * The base of every error QTS raises. It carries a stable `code`, the `outcome` that code
 * implies, the broker's own code and message, and a hint. It never carries secrets.
 */
export class QtsError extends Error {
  /** The stable code. */
  readonly code: QtsErrorCode;
  /** What this error says about the order. */
  readonly outcome: ErrorOutcome;
  /** The broker's own code, verbatim, or null. */
  readonly brokerCode: string | null;
  /** The broker's own message, verbatim, or null. */
  readonly brokerMessage: string | null;
  /** What to do next. */
  readonly hint: string;
  /** Facts about the order (fills, steps done), or null. */
  readonly details: QtsErrorDetails | null;
  /** @internal */
  readonly [MARKER] = true;

  constructor(code: QtsErrorCode, message: string, options: QtsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QtsError';
    this.code = code;
    this.outcome = QTS_ERROR_CODES[code];
    this.brokerCode = options.brokerCode ?? null;
    this.brokerMessage = options.brokerMessage ?? null;
    this.hint = options.hint ?? DEFAULT_HINTS[code];
    this.details = options.details ?? null;
  }

  /** True for any QTS error, also across duplicate copies of this package. */
  static isInstance(error: unknown): error is QtsError {
    return typeof error === 'object' && error !== null && MARKER in error;
  }

  /** The plain-data form, as `--json` prints it. */
  toJSON(): QtsErrorJson {
    return {
      code: this.code,
      outcome: this.outcome,
      message: this.message,
      brokerCode: this.brokerCode,
      brokerMessage: this.brokerMessage,
      hint: this.hint,
      ...(this.details === null ? {} : { details: this.details }),
    };
  }
}

/** One problem found in an order request. */
export interface OrderIssue {
  /** The field at fault. */
  readonly field:
    | 'clientOrderId'
    | 'symbol'
    | 'side'
    | 'quantity'
    | 'type'
    | 'limitPrice'
    | 'productType'
    | 'session'
    | 'priceCondition'
    | 'executionCondition'
    | 'venue';
  /** A stable code for the problem, e.g. `quantity-not-integer`, `price-off-tick`. */
  readonly code: string;
  /** A sentence saying what is wrong and how to fix it. */
  readonly message: string;
}

/** The order breaks a contract or KRX rule. Thrown before any I/O: nothing was sent. */
export class InvalidOrderError extends QtsError {
  /** Every problem found. */
  readonly issues: readonly OrderIssue[];
  constructor(issues: readonly OrderIssue[], options: QtsErrorOptions = {}) {
    super(
      'INVALID_ORDER',
      issues.map((issue) => issue.message).join(' ') || 'Invalid order.',
      options,
    );
    this.name = 'InvalidOrderError';
    this.issues = issues;
  }
}

/** Configuration, credentials or an unsupported call; nothing was sent. */
export class ConfigError extends QtsError {
  constructor(
    message: string,
    options: QtsErrorOptions & { readonly code?: 'CONFIG' | 'NOT_SUPPORTED' } = {},
  ) {
    super(options.code ?? 'CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/** The broker answered and refused. Its code and message are kept verbatim. */
export class BrokerRejectedError extends QtsError {
  constructor(code: RejectionCode, message: string, options: QtsErrorOptions = {}) {
    super(code, message, options);
    this.name = 'BrokerRejectedError';
  }
}

/** The broker could not be reached, or the call was aborted before sending: nothing was sent. */
export class RouteUnavailableError extends QtsError {
  constructor(
    message: string,
    options: QtsErrorOptions & { readonly code?: 'ROUTE_UNAVAILABLE' | 'ABORTED' } = {},
  ) {
    super(options.code ?? 'ROUTE_UNAVAILABLE', message, options);
    this.name = 'RouteUnavailableError';
  }
}

/** Sent without a definite answer (or with one that could not be understood). Never resend. */
export class OutcomeUnknownError extends QtsError {
  constructor(
    message: string,
    options: QtsErrorOptions & {
      readonly code?: 'OUTCOME_UNKNOWN' | 'INVALID_BROKER_RESPONSE';
    } = {},
  ) {
    super(options.code ?? 'OUTCOME_UNKNOWN', message, options);
    this.name = 'OutcomeUnknownError';
  }
}
