/** Stable error codes of this package. */
export type KisErrorCode = 'KIS_CONFIG' | 'KIS_AUTH' | 'KIS_TRANSPORT';

const kisErrorMarker = Symbol.for('qts.auth-phase2.error');

/**
 * Base class of every error this package throws. `code` is stable; messages never carry
 * secrets (app secret, tokens, approval keys).
 */
export class KisError extends Error {
  /** The stable error code. */
  readonly code: KisErrorCode;

  constructor(code: KisErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KisError';
    this.code = code;
    Object.defineProperty(this, kisErrorMarker, { value: true });
  }

  /** True for any KisError, also across duplicate copies of this package. */
  static isInstance(value: unknown): value is KisError {
    return typeof value === 'object' && value !== null && kisErrorMarker in value;
  }

  /** A plain, secret-free JSON view (name, code, message and the subclass fields). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** Bad configuration (credentials, endpoints, options, environment values). Nothing was sent. */
export class KisConfigError extends KisError {
  /** The setting at fault (e.g. `account`, `QTS_KIS_TIMEOUT_MS`), when known. */
  readonly field: string | null;

  constructor(message: string, options?: { field?: string | null; cause?: unknown }) {
    super('KIS_CONFIG', message, options);
    this.name = 'KisConfigError';
    this.field = options?.field ?? null;
  }

  /** A plain, secret-free JSON view including this class's fields. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field };
  }
}

/**
 * The token or approval-key endpoint refused, failed or could not be reached, or issuance was
 * refused locally (one issuance a minute). No order request was sent when this is thrown.
 */
export class KisAuthError extends KisError {
  /** The token endpoint's `error_code` (e.g. `EGW00133`), or null. */
  readonly errorCode: string | null;
  /** The token endpoint's `error_description`, or null. */
  readonly errorDescription: string | null;
  /** When a new issuance may be tried (ISO 8601), or null. */
  readonly retryAt: string | null;
  /** The HTTP status of the token endpoint's answer, or null when there was none. */
  readonly httpStatus: number | null;

  constructor(
    message: string,
    options?: {
      errorCode?: string | null;
      errorDescription?: string | null;
      retryAt?: string | null;
      httpStatus?: number | null;
      cause?: unknown;
    },
  ) {
    super('KIS_AUTH', message, options);
    this.name = 'KisAuthError';
    this.errorCode = options?.errorCode ?? null;
    this.errorDescription = options?.errorDescription ?? null;
    this.retryAt = options?.retryAt ?? null;
    this.httpStatus = options?.httpStatus ?? null;
  }

  /** A plain, secret-free JSON view including this class's fields. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      errorCode: this.errorCode,
      errorDescription: this.errorDescription,
      retryAt: this.retryAt,
      httpStatus: this.httpStatus,
    };
  }
}

/** Whether a request may have reached KIS: `not-sent` = definitely not; `sent` = unknown. */
export type KisTransportPhase = 'not-sent' | 'sent';

/** Why a transport call failed. */
export type KisTransportReason =
  | 'connection-refused'
  | 'dns'
  | 'connect-timeout'
  | 'aborted'
  | 'response-timeout'
  | 'reset'
  | 'invalid-body'
  | 'http-error';

/**
 * A KIS request failed without a KIS answer. `phase: 'not-sent'` means the request definitely
 * did not reach KIS (nothing placed); `phase: 'sent'` means it may have (outcome unknown: never
 * resend, reconcile).
 */
export class KisTransportError extends KisError {
  /** `not-sent`: definitely not placed; `sent`: outcome unknown. */
  readonly phase: KisTransportPhase;
  /** What went wrong. */
  readonly reason: KisTransportReason;
  /** The HTTP status when a response (without a KIS body) arrived, else null. */
  readonly httpStatus: number | null;

  constructor(
    message: string,
    options: {
      phase: KisTransportPhase;
      reason: KisTransportReason;
      httpStatus?: number | null;
      cause?: unknown;
    },
  ) {
    super('KIS_TRANSPORT', message, options);
    this.name = 'KisTransportError';
    this.phase = options.phase;
    this.reason = options.reason;
    this.httpStatus = options.httpStatus ?? null;
  }

  /** A plain, secret-free JSON view including this class's fields. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      phase: this.phase,
      reason: this.reason,
      httpStatus: this.httpStatus,
    };
  }
}
