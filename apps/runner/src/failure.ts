// Maps every error to the CLI's exit code and `--json` error object (architecture.md section 5).
// The CLI sees the contract's errors (`QtsError`: code + outcome; broker-kis translates KIS's own
// errors, also for the token calls the runner makes itself), the route's refusals and its own
// usage failures. Kept free of heavy imports: errors are recognised by their stable `code`
// strings, so copies of sibling packages (source vs dist) cannot break `instanceof`; the field
// names are checked against the siblings' error classes by type-only imports (erased).
import type { RouteRefusedError } from '@qts/execution-route';
import type { QtsError, QtsErrorJson } from '@qts/order-contract';

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

/**
 * What `--json` prints as `error`: the contract's `QtsErrorJson` without `details`, with any
 * stable code (the contract's, a route refusal's reason, or the CLI's own such as `USAGE`).
 */
export type ErrorJson = Omit<QtsErrorJson, 'code' | 'details'> & { readonly code: string };

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

/** Hints for an error object that carries none of its own (a QtsError always has one). */
const FALLBACK_HINTS: Record<ErrorJson['outcome'], string> = {
  unknown: UNKNOWN_HINT,
  rejected: 'The broker refused; read its message, fix the cause, then try again.',
  not_placed: 'Nothing was sent; fix the cause named in the message and try again.',
};

/** Exit code for an error with an outcome and a code (QTS errors and route errors). */
function exitFor(code: string, outcome: ErrorJson['outcome']): ExitCode {
  if (outcome === 'unknown') return EXIT.unknown;
  if (outcome === 'rejected') return EXIT.rejected;
  return NOT_SENT_CODES.has(code) ? EXIT.notSent : EXIT.other;
}

function isOutcome(value: unknown): value is ErrorJson['outcome'] {
  return value === 'not_placed' || value === 'rejected' || value === 'unknown';
}

/**
 * Classifies any thrown value. QTS errors (`code` + `outcome`) keep their code, route refusals
 * their reason; a refused connection is "could not connect"; anything else is exit 1.
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
      const hint = stringField<QtsError>(error, 'hint') ?? FALLBACK_HINTS[outcome];
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
          hint: 'Nothing was sent. Check the network and QTS_KIS_BASE_URL, then try again.',
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
