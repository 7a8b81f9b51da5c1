// What every REST endpoint group shares: the request as the sandbox sees it, the context the
// handler is made with, and the KIS answers (errors, refusals, scripted faults) they all give.
import type { ExchangeAccess, ExchangeFault } from '../exchange-access.js';
import type { TokenStore } from '../tokens.js';
import type { KisSandboxCredentials, KisSandboxEnvironment } from '../types.js';
import {
  KIS_ERRORS,
  type KisErrorName,
  kisError,
  type WireOutcome,
  type WireResponse,
} from '../wire.js';

/** A request as the sandbox sees it (from node:http or from a fetch Request). */
export interface SandboxRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header lookup by lower-case name. */
  readonly header: (name: string) => string | undefined;
  readonly bodyText: string;
}

export interface RestContext {
  readonly environment: KisSandboxEnvironment;
  readonly credentials: KisSandboxCredentials;
  readonly tokens: TokenStore;
  readonly exchange: ExchangeAccess;
  readonly clock: () => number;
  readonly rateLimitPerSecond: number | null;
  readonly tokenLifetimeMs: number;
}

/** The context plus what every endpoint derives from it once. */
export interface RestScope extends RestContext {
  /** The account's CANO (8 digits) and ACNT_PRDT_CD (2 digits). */
  readonly cano: string;
  readonly acntPrdtCd: string;
  /** The account as the exchange knows it (`NNNNNNNN-NN`). */
  readonly accountKey: string;
  readonly paper: boolean;
  /** msg_cd / msg1 of a successful inquiry. */
  readonly okMessage: { readonly code: string; readonly msg: string };
}

export function restScope(ctx: RestContext): RestScope {
  const [cano, acntPrdtCd] = ctx.credentials.account.split('-') as [string, string];
  const accountKey = ctx.credentials.account;
  const paper = ctx.environment === 'paper';

  const okMessage = paper
    ? { code: '20310000', msg: '모의투자 조회가 완료되었습니다.' }
    : { code: 'KIOK0000', msg: '정상처리 되었습니다.' };
  return { ...ctx, cano, acntPrdtCd, accountKey, paper, okMessage };
}

export const respond = (response: WireResponse): WireOutcome => ({ kind: 'respond', response });

export const SYMBOL = /^(?:[0-9A-Z]{6}|Q[0-9]{6})$/;

/**
 * `excg_dvsn_cd` of a KRX row. KIS's list of values is not published; python-kis reads it with
 * a table where `01`-`07` mean a KRX market and raises on anything else (an empty value too), so
 * the sandbox sends `01` rather than nothing.
 */
export const KRX_EXCHANGE_CODE = '01';
export const DIGITS = /^\d+$/;

export function stripZeros(orderNo: string): string {
  return orderNo.replace(/^0+(?=\d)/, '');
}

export function toInt(value: number): string {
  return String(Math.round(value));
}

/** KRX stock tick (docs/kis-protocol.md §10): inquire-psbl-order's upper-limit estimate, aspr_unit. */
export function tick(price: number): number {
  if (price < 2_000) return 1;
  if (price < 5_000) return 5;
  if (price < 20_000) return 10;
  if (price < 50_000) return 50;
  if (price < 200_000) return 100;
  if (price < 500_000) return 500;
  return 1_000;
}
export function inputFieldError(trId: string, key: string): WireResponse {
  return kisError(
    500,
    '1',
    KIS_ERRORS.inputField.code,
    `${KIS_ERRORS.inputField.msg} ${key}`,
    trId,
  );
}

export function business(
  trId: string,
  name: KisErrorName,
  rtCd = '7',
  detail?: string,
): WireResponse {
  const entry = KIS_ERRORS[name];
  return kisError(200, rtCd, entry.code, detail ?? entry.msg, trId);
}

export function rejection(trId: string, code: string, message: string): WireResponse {
  return kisError(200, '7', code, message, trId);
}

export function invalid(trId: string, message: string): WireResponse {
  return kisError(200, '1', 'QTSV1010', message, trId);
}

/** Paper's refusal of a division or venue it does not offer (KIS's code is not confirmed). */
export function notInPaper(trId: string, message: string): WireResponse {
  return kisError(200, '1', 'QTSV1015', message, trId);
}

/**
 * Applies a scripted fault around a booking. `book` runs unless the fault prevents it.
 */
export function withFault(
  fault: ExchangeFault | null,
  trId: string,
  book: () => WireResponse,
): WireOutcome {
  if (fault === null) return respond(book());
  switch (fault.kind) {
    case 'reject':
      // A gateway code (EGW...) answers like the gateway: HTTP 500, rt_cd "1".
      return respond(
        fault.code.startsWith('EGW')
          ? kisError(500, '1', fault.code, fault.message, trId)
          : rejection(trId, fault.code, fault.message),
      );
    case 'delay':
      return { kind: 'delay', ms: fault.ms, resume: () => respond(book()) };
    case 'never-answer':
      book();
      return { kind: 'hang' };
    case 'reset-after-accept':
      book();
      return { kind: 'reset' };
    case 'refuse-connection':
      return { kind: 'refuse' };
  }
}
