// Turns what the KIS transport returns or throws into the contract's errors.
import {
  BrokerRejectedError,
  ConfigError,
  OutcomeUnknownError,
  QtsError,
  RouteUnavailableError,
} from '@qts/order-contract';
import type { KisResponse } from '../internal/auth-phase2-api.js';
import { kisRejectionCode } from '../kis-error-codes.js';

/** What the failing call was: order calls may have placed something; inquiries never do. */
export type KisCallKind = 'order' | 'inquiry';

/** The KIS message, trimmed of trailing spaces only (KIS pads msg1). */
export function kisMessage(msg1: string): string {
  return msg1.replace(/\s+$/u, '');
}

/**
 * A KIS answer with rt_cd != '0' (HTTP 200 or 500 alike) as a BrokerRejectedError keeping
 * msg_cd and msg1 verbatim.
 */
export function rejectionOf(response: KisResponse, what: string): BrokerRejectedError {
  const brokerCode = response.msgCd.trim();
  const brokerMessage = kisMessage(response.msg1);
  return new BrokerRejectedError(
    kisRejectionCode(brokerCode),
    `${what}: KIS refused (${brokerCode || `rt_cd ${response.rtCd}`}): ${brokerMessage}`,
    { brokerCode: brokerCode === '' ? null : brokerCode, brokerMessage },
  );
}

/** A KIS answer that did not validate. Order calls: the order may exist (unknown). */
export function invalidResponseOf(what: string, issues: string, kind: KisCallKind): QtsError {
  const message =
    kind === 'order'
      ? `${what}: the KIS answer did not validate (${issues}); the order may exist at KIS`
      : `${what}: the KIS answer did not validate (${issues}); nothing was placed by this inquiry`;
  return new OutcomeUnknownError(message, { code: 'INVALID_BROKER_RESPONSE' });
}

function field(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

function isKisError(error: unknown, name: string, code: string): error is object {
  return (
    typeof error === 'object' &&
    error !== null &&
    (field(error, 'name') === name || field(error, 'code') === code)
  );
}

/**
 * Maps a thrown transport, auth or config error to the contract:
 * - KisTransportError phase `not-sent` -> RouteUnavailableError (ABORTED when the caller
 *   aborted), phase `sent` -> OutcomeUnknownError (never resend);
 * - KisAuthError (token / approval-key endpoint) that carries an answer (error_code or an HTTP
 *   status) -> BrokerRejectedError AUTH, or RATE_LIMITED for EGW00133, with the endpoint's
 *   error_code kept; without an answer (unreachable) -> RouteUnavailableError. Either way
 *   nothing of the order itself was sent: the token is fetched before the request is written;
 * - KisConfigError -> ConfigError; a QtsError passes through; anything else is unknown for order
 *   calls (it may have happened after sending) and route-unavailable for nothing else.
 */
export function toContractError(error: unknown, what: string, kind: KisCallKind): QtsError {
  if (QtsError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isKisError(error, 'KisTransportError', 'KIS_TRANSPORT')) {
    const phase = field(error, 'phase');
    const reason = field(error, 'reason');
    if (phase === 'not-sent') {
      return new RouteUnavailableError(`${what}: ${message}`, {
        code: reason === 'aborted' ? 'ABORTED' : 'ROUTE_UNAVAILABLE',
        cause: error,
      });
    }
    return new OutcomeUnknownError(
      kind === 'order'
        ? `${what}: ${message}`
        : `${what}: ${message} (an inquiry; nothing was placed)`,
      { cause: error },
    );
  }
  if (isKisError(error, 'KisAuthError', 'KIS_AUTH')) {
    const errorCode = field(error, 'errorCode');
    const description = field(error, 'errorDescription');
    const httpStatus = field(error, 'httpStatus');
    const brokerCode = typeof errorCode === 'string' ? errorCode : null;
    if (brokerCode === null && typeof httpStatus !== 'number') {
      if (typeof field(error, 'retryAt') === 'string') {
        // auth-phase2 kept to KIS's one issuance a minute without asking: KIS would say EGW00133.
        return new BrokerRejectedError('RATE_LIMITED', `${what}: ${message}`, {
          hint: 'Nothing was sent. KIS issues one access token a minute per app key: try again after the time named.',
          cause: error,
        });
      }
      // The token endpoint gave no answer at all (refused, reset, timed out): the request this
      // token was for was never written, so nothing was placed.
      return new RouteUnavailableError(
        `${what}: no access token (the KIS token endpoint could not be reached); the request itself was not sent: ${message}`,
        {
          hint: 'Could not reach the KIS token endpoint; nothing was sent. Check QTS_KIS_BASE_URL (the KIS host) and the network, then try again.',
          cause: error,
        },
      );
    }
    const rateLimited = brokerCode === 'EGW00133';
    return new BrokerRejectedError(
      rateLimited ? 'RATE_LIMITED' : 'AUTH',
      `${what}: the KIS token endpoint refused (${brokerCode ?? 'no code'}); the request itself was not sent: ${message}`,
      {
        brokerCode,
        brokerMessage: typeof description === 'string' ? kisMessage(description) : null,
        hint: rateLimited
          ? 'Nothing was sent. KIS issues one access token a minute per app key: try again in a minute.'
          : 'KIS refused the token request; nothing was sent. Check the app key and secret (QTS_KIS_APP_KEY / QTS_KIS_APP_SECRET) and that they belong to this environment (paper or real).',
        cause: error,
      },
    );
  }
  if (isKisError(error, 'KisConfigError', 'KIS_CONFIG')) {
    return new ConfigError(`${what}: ${message}`, {
      hint: 'Fix the configuration named in the message; nothing was sent.',
      cause: error,
    });
  }
  if (kind === 'order') {
    return new OutcomeUnknownError(`${what}: unexpected failure (${message})`, { cause: error });
  }
  return new RouteUnavailableError(`${what}: unexpected failure (${message})`, { cause: error });
}
