// KIS wire envelope: bodies, headers and the error catalogue the sandbox answers with.
import { randomHex } from './credentials.js';

/** A finished HTTP answer, independent of node:http and fetch. */
export interface WireResponse {
  readonly status: number;
  /** Header names exactly as sent on the wire (case matters to the official Python client). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * What the HTTP layer does with a request. `hang` = never answer (accept-then-never-answer),
 * `reset` = destroy the connection (after booking), `refuse` = close without reading/booking.
 */
export type WireOutcome =
  | { readonly kind: 'respond'; readonly response: WireResponse }
  /** Wait `ms`, then handle the request (`resume`) normally. */
  | { readonly kind: 'delay'; readonly ms: number; readonly resume: () => WireOutcome }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'refuse' };

export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';

/** A 20-byte-ish transaction id like KIS's `gt_uid` (32 hex chars). */
export function newGtUid(): string {
  return randomHex(32);
}

/** Response with KIS headers: capitalised `Content-Type`, lower-case `tr_id`/`tr_cont`/`gt_uid`. */
export function kisJson(
  status: number,
  body: unknown,
  kisHeaders?: { trId?: string | null; trCont?: string },
): WireResponse {
  const headers: Record<string, string> = { 'Content-Type': JSON_CONTENT_TYPE };
  if (kisHeaders !== undefined) {
    headers.tr_id = kisHeaders.trId ?? '';
    headers.tr_cont = kisHeaders.trCont ?? '';
    headers.gt_uid = newGtUid();
  }
  return { status, headers, body: JSON.stringify(body) };
}

/** A KIS error envelope `{rt_cd, msg_cd, msg1}`. */
export function kisError(
  status: number,
  rtCd: string,
  msgCd: string,
  msg1: string,
  trId: string | null,
): WireResponse {
  return kisJson(status, { rt_cd: rtCd, msg_cd: msgCd, msg1 }, { trId });
}

/**
 * Gateway and request errors. Codes from docs/kis-protocol.md §9 where one is known;
 * `QTSV1…` codes are the sandbox's own (KIS's code for that case is not confirmed) - see SANDBOX.md.
 */
export const KIS_ERRORS = {
  tokenInvalid: { code: 'EGW00121', msg: '유효하지 않은 token 입니다.' },
  tokenExpired: { code: 'EGW00123', msg: '기간이 만료된 token 입니다.' },
  tokenTooSoon: { code: 'EGW00133', msg: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)' },
  rateLimited: { code: 'EGW00201', msg: '초당 거래건수를 초과하였습니다.' },
  notRealTr: { code: 'EGW02005', msg: '실전투자 TR 이 아닙니다' },
  notPaperTr: { code: 'EGW02006', msg: '모의투자 TR 이 아닙니다.' },
  unknownService: { code: 'OPSQ0002', msg: '없는 서비스 코드 입니다' },
  inputField: { code: 'OPSQ2001', msg: 'ERROR : INPUT_FIELD_NAME' },
  badAppKey: { code: 'QTSV1001', msg: '유효하지 않은 AppKey입니다.' },
  badAppSecret: { code: 'QTSV1002', msg: '유효하지 않은 AppSecret입니다.' },
  badGrantType: { code: 'QTSV1003', msg: 'grant_type 은 client_credentials 이어야 합니다.' },
  badHeader: { code: 'QTSV1004', msg: '필수 헤더를 확인하여 주십시오.' },
  badValueType: { code: 'QTSV1005', msg: 'ERROR : INPUT_FIELD_TYPE (값은 문자열이어야 합니다)' },
  badAccount: { code: 'QTSV1006', msg: '계좌번호를 확인하여 주십시오.' },
  badContentType: {
    code: 'QTSV1007',
    msg: 'ERROR : Content-Type 은 application/json 이어야 합니다.',
  },
  badJson: { code: 'QTSV1008', msg: 'ERROR : JSON PARSING ERROR' },
  badCtx: { code: 'QTSV1009', msg: '연속조회 키(CTX_AREA_FK100/NK100)를 확인하여 주십시오.' },
} as const;

export type KisErrorName = keyof typeof KIS_ERRORS;

/** Gateway-style error: HTTP 500, rt_cd "1". */
export function gatewayError(
  name: KisErrorName,
  trId: string | null,
  detail?: string,
): WireResponse {
  const entry = KIS_ERRORS[name];
  return kisError(
    500,
    '1',
    entry.code,
    detail === undefined ? entry.msg : `${entry.msg} ${detail}`,
    trId,
  );
}

/** The token endpoint's own error shape `{error_code, error_description}`. */
export function tokenEndpointError(status: number, name: KisErrorName): WireResponse {
  const entry = KIS_ERRORS[name];
  return kisJson(status, { error_code: entry.code, error_description: entry.msg });
}
