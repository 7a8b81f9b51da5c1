// Maps every error to the CLI's exit code and `--json` error object (architecture.md section 5).
// Kept free of heavy imports: errors are recognised by their stable `code` strings, so copies of
// sibling packages (source vs dist) cannot break `instanceof`. The field names are checked
// against the siblings' error classes by type-only imports (erased: nothing loads at start-up).
import type { KisAuthError, KisTransportError } from '@qts/auth-phase2';
import type { RouteRefusedError } from '@qts/execution-route';
import type { QtsError } from '@qts/order-contract';

/** Exit codes of the CLI contract. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Anything else (e.g. could not connect: nothing sent). */
  other: 1,
  /** Nothing sent: invalid input, configuration, unknown order id, real-mode refusal, ... */
  notSent: 2,
  /** The broker refused. */
  rejected: 3,
  /** Sent without a definite answer. */
  unknown: 4,
} as const;
/** An exit code of the CLI contract. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What `--json` prints as `error`. */
export interface ErrorJson {
  readonly code: string;
  readonly outcome: 'not_placed' | 'rejected' | 'unknown';
  readonly message: string;
  readonly brokerCode: string | null;
  readonly brokerMessage: string | null;
  readonly hint: string;
}

/** A failure the CLI knows how to report: its exit code and its JSON form. */
export class CliFailure extends Error {
  readonly exitCode: ExitCode;
  readonly json: ErrorJson;
  /** True when it is known to have happened before the send point (nothing was sent). */
  readonly beforeSend: boolean;
  constructor(
    exitCode: ExitCode,
    json: ErrorJson,
    options?: { cause?: unknown; beforeSend?: boolean },
  ) {
    super(json.message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliFailure';
    this.exitCode = exitCode;
    this.json = json;
    this.beforeSend = options?.beforeSend === true;
  }
}

/** Nothing was sent because the input or the configuration is wrong (exit 2). */
export function usageFailure(message: string, hint: string, code = 'USAGE'): CliFailure {
  return new CliFailure(EXIT.notSent, {
    code,
    outcome: 'not_placed',
    message,
    brokerCode: null,
    brokerMessage: null,
    hint,
  });
}

/** Configuration is wrong or missing (exit 2). */
export function configFailure(message: string, hint: string): CliFailure {
  return usageFailure(message, hint, 'CONFIG');
}

const NOT_SENT_CODES = new Set(['INVALID_ORDER', 'CONFIG', 'NOT_SUPPORTED', 'ABORTED']);
const LOCAL_REFUSAL_CODES = new Set([
  'UNKNOWN_ORDER_ID',
  'ORDER_ID_UNKNOWN',
  'LOCAL_ORDER_NOT_FOUND',
  'DUPLICATE_UNKNOWN',
  'UNKNOWN_ORDER_RETRY',
  'RETRY_OF_UNKNOWN',
  'DUPLICATE_ORDER',
  'ORDER_NOT_OPEN',
  'INVALID_STATE',
  'NOT_CANCELABLE',
  'NOT_MODIFIABLE',
  'CLIENT_ORDER_ID_CONFLICT',
  'USAGE',
]);

/** What a route refusal's `reason` looks like (stable upper-case words). */
const REFUSAL_REASON = /^[A-Z][A-Z0-9_]{2,63}$/;

/** Reads a field of a thrown value; `T` is the error type that declares it (compile-time check). */
function field<T>(error: object, name: keyof T & string): unknown {
  return (error as Record<string, unknown>)[name];
}
function stringField<T>(error: object, name: keyof T & string): string | null {
  const value = field<T>(error, name);
  return typeof value === 'string' ? value : null;
}

/** The words of every unknown outcome (the contract's OUTCOME_UNKNOWN hint). */
export const UNKNOWN_HINT =
  'Do NOT resend. Run `qts orders` to reconcile: the order may exist at the broker.';

function defaultHint(code: string, outcome: ErrorJson['outcome']): string {
  if (outcome === 'unknown') return UNKNOWN_HINT;
  if (outcome === 'rejected') {
    return 'The broker refused; read its message, fix the cause, then try again.';
  }
  if (code === 'ROUTE_UNAVAILABLE') {
    return 'Nothing was sent. Check the network and QTS_KIS_BASE_URL, then try again.';
  }
  return 'Nothing was sent; fix the cause named in the message and try again.';
}

/** Exit code for an error with an outcome and a code (QTS errors and route errors). */
function exitFor(code: string, outcome: ErrorJson['outcome']): ExitCode {
  if (outcome === 'unknown') return EXIT.unknown;
  if (outcome === 'rejected') return EXIT.rejected;
  if (NOT_SENT_CODES.has(code) || LOCAL_REFUSAL_CODES.has(code)) return EXIT.notSent;
  if (code === 'ROUTE_UNAVAILABLE') return EXIT.other;
  return EXIT.other;
}

function isOutcome(value: unknown): value is ErrorJson['outcome'] {
  return value === 'not_placed' || value === 'rejected' || value === 'unknown';
}

/**
 * Classifies any thrown value. QTS errors (`code` + `outcome`) keep their code; auth-phase2
 * errors (`KIS_CONFIG`, `KIS_AUTH`, `KIS_TRANSPORT`) are translated; anything else is exit 1.
 */
export function toFailure(error: unknown): CliFailure {
  if (error instanceof CliFailure) return error;
  if (typeof error === 'object' && error !== null) {
    const code = stringField<QtsError>(error, 'code');
    const outcome = field<QtsError>(error, 'outcome');
    const message = error instanceof Error ? error.message : String(error);
    // A route refusal (execution-route `RouteRefusedError`) is a `ConfigError` there; scripts
    // get its stable `reason` as the code, so a refused retry is never mistaken for bad config.
    const reason = stringField<RouteRefusedError>(error, 'reason');
    if (
      reason !== null &&
      REFUSAL_REASON.test(reason) &&
      stringField<RouteRefusedError>(error, 'name') === 'RouteRefusedError'
    ) {
      return new CliFailure(
        EXIT.notSent,
        {
          code: reason,
          outcome: 'not_placed',
          message,
          brokerCode: null,
          brokerMessage: null,
          hint:
            stringField<RouteRefusedError>(error, 'hint') ??
            'Nothing was sent; see the message for why the order was refused.',
        },
        { cause: error },
      );
    }
    if (code !== null && isOutcome(outcome)) {
      const hint = stringField<QtsError>(error, 'hint') ?? defaultHint(code, outcome);
      return new CliFailure(
        exitFor(code, outcome),
        {
          code,
          outcome,
          message,
          brokerCode: stringField<QtsError>(error, 'brokerCode'),
          brokerMessage: stringField<QtsError>(error, 'brokerMessage'),
          hint,
        },
        { cause: error },
      );
    }
    if (code === 'KIS_CONFIG') {
      return new CliFailure(
        EXIT.notSent,
        {
          code: 'CONFIG',
          outcome: 'not_placed',
          message,
          brokerCode: null,
          brokerMessage: null,
          hint: 'Fix the configuration named in the message (see `qts --help`); nothing was sent.',
        },
        { cause: error },
      );
    }
    if (code === 'KIS_AUTH') {
      const brokerCode = stringField<KisAuthError>(error, 'errorCode');
      const httpStatus = field<KisAuthError>(error, 'httpStatus');
      const answered = brokerCode !== null || typeof httpStatus === 'number';
      return new CliFailure(
        answered ? EXIT.rejected : EXIT.other,
        {
          code: answered ? 'AUTH' : 'ROUTE_UNAVAILABLE',
          outcome: answered ? 'rejected' : 'not_placed',
          message: answered ? message : `Could not connect to KIS, nothing was sent: ${message}`,
          brokerCode,
          brokerMessage: stringField<KisAuthError>(error, 'errorDescription'),
          hint: answered
            ? 'KIS refused the token request: check QTS_KIS_APP_KEY / QTS_KIS_APP_SECRET and the mode; no order was sent.'
            : 'Could not reach the KIS token endpoint; no order was sent. Check QTS_KIS_BASE_URL and the network.',
        },
        { cause: error },
      );
    }
    if (code === 'KIS_TRANSPORT') {
      const sent = field<KisTransportError>(error, 'phase') === 'sent';
      return new CliFailure(
        sent ? EXIT.unknown : EXIT.other,
        {
          code: sent ? 'OUTCOME_UNKNOWN' : 'ROUTE_UNAVAILABLE',
          outcome: sent ? 'unknown' : 'not_placed',
          message: sent
            ? `${message} (the request was sent; its outcome is unknown)`
            : `${message} (nothing was sent)`,
          brokerCode: null,
          brokerMessage: null,
          hint: defaultHint(
            sent ? 'OUTCOME_UNKNOWN' : 'ROUTE_UNAVAILABLE',
            sent ? 'unknown' : 'not_placed',
          ),
        },
        { cause: error },
      );
    }
    const errno = stringField<NodeJS.ErrnoException>(error, 'code');
    if (errno === 'ECONNREFUSED' || errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') {
      return new CliFailure(
        EXIT.other,
        {
          code: 'ROUTE_UNAVAILABLE',
          outcome: 'not_placed',
          message: `Could not connect (${errno}): nothing was sent.`,
          brokerCode: null,
          brokerMessage: null,
          hint: defaultHint('ROUTE_UNAVAILABLE', 'not_placed'),
        },
        { cause: error },
      );
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliFailure(
    EXIT.other,
    {
      code: 'INTERNAL',
      outcome: 'not_placed',
      message: `Unexpected error: ${message}`,
      brokerCode: null,
      brokerMessage: null,
      hint: 'See the log under QTS_HOME/logs (--verbose shows it on stderr).',
    },
    { cause: error },
  );
}

/** Statuses after which the broker may have the order although no definite answer is recorded. */
const IN_DOUBT_STATUSES = new Set([
  'pending',
  'submitted',
  'pending_cancel',
  'pending_modify',
  'unknown',
  'cancel_unknown',
  'modify_unknown',
]);

/**
 * The failure to report for an order the route returned WITHOUT an error but in a state that is
 * not an answer (e.g. the replay of a client order id whose first order is still in flight in
 * another process): the same words as every unknown outcome, exit 4. Null when the status is an
 * answer.
 */
export function inDoubtFailure(order: {
  readonly orderId: string;
  readonly status: string;
  readonly clientOrderId: string | null;
}): CliFailure | null {
  if (!IN_DOUBT_STATUSES.has(order.status)) return null;
  const which =
    order.clientOrderId === null
      ? `Order ${order.orderId}`
      : `Order ${order.orderId} (client order id ${JSON.stringify(order.clientOrderId)})`;
  return new CliFailure(EXIT.unknown, {
    code: 'OUTCOME_UNKNOWN',
    outcome: 'unknown',
    message: `${which} is ${order.status}: no definite answer is recorded yet, so its outcome is unknown.`,
    brokerCode: null,
    brokerMessage: null,
    hint: UNKNOWN_HINT,
  });
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}

/**
 * An unexpected failure AFTER a place / cancel / modify was handed to the broker's adapter: the
 * request may have reached the broker, so it is an unknown outcome (exit 4), never "not sent".
 */
export function afterSendFailure(what: 'order' | 'cancel' | 'modify', error: unknown): CliFailure {
  return new CliFailure(
    EXIT.unknown,
    {
      code: 'OUTCOME_UNKNOWN',
      outcome: 'unknown',
      message: `The ${what} was sent, then recording its answer failed (${errorText(error)}): its outcome is unknown.`,
      brokerCode: null,
      brokerMessage: null,
      hint: UNKNOWN_HINT,
    },
    { cause: error },
  );
}

/**
 * An unexpected failure BEFORE anything was handed to the broker's adapter: nothing was sent
 * (exit 1). A journal locked by another process past its busy timeout gets its own code.
 */
export function beforeSendFailure(what: 'order' | 'cancel' | 'modify', error: unknown): CliFailure {
  const errno =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : null;
  const busy = typeof errno === 'string' && errno.startsWith('SQLITE_BUSY');
  return new CliFailure(
    EXIT.other,
    {
      code: busy ? 'JOURNAL_BUSY' : 'INTERNAL',
      outcome: 'not_placed',
      message: busy
        ? `The order journal stayed locked by another qts process; the ${what} was not sent.`
        : `Unexpected error before the ${what} was sent (${errorText(error)}); nothing was sent.`,
      brokerCode: null,
      brokerMessage: null,
      hint: busy
        ? 'Nothing was sent. Try again when the other qts command has finished.'
        : 'Nothing was sent. See the log under QTS_HOME/logs (--verbose shows it on stderr).',
    },
    { cause: error, beforeSend: true },
  );
}
