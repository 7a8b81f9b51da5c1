// The gateway's checks of every /uapi request (route and method, rate limit, app key and secret,
// token, TR id, content type, JSON body, required keys, account), in KIS's order.
import * as v from 'valibot';
import { createRateLimiter } from '../rate-limit.js';
import { gatewayError, type WireResponse } from '../wire.js';
import { business, inputFieldError, type RestScope, type SandboxRequest } from './common.js';
import { checkTrId, findRoute, type KisRoute } from './routes.js';

const StringRecord = v.record(v.string(), v.unknown());

/** Required keys of each endpoint (POST body or GET query). */
const REQUIRED: Record<KisRoute['name'], readonly string[]> = {
  'order-cash': ['CANO', 'ACNT_PRDT_CD', 'PDNO', 'ORD_DVSN', 'ORD_QTY', 'ORD_UNPR'],
  'order-rvsecncl': [
    'CANO',
    'ACNT_PRDT_CD',
    'KRX_FWDG_ORD_ORGNO',
    'ORGN_ODNO',
    'ORD_DVSN',
    'RVSE_CNCL_DVSN_CD',
    'ORD_QTY',
    'ORD_UNPR',
    'QTY_ALL_ORD_YN',
  ],
  'inquire-daily-ccld': [
    'CANO',
    'ACNT_PRDT_CD',
    'INQR_STRT_DT',
    'INQR_END_DT',
    'SLL_BUY_DVSN_CD',
    'INQR_DVSN',
    'PDNO',
    'CCLD_DVSN',
    'ORD_GNO_BRNO',
    'ODNO',
    'INQR_DVSN_3',
    'INQR_DVSN_1',
    'CTX_AREA_FK100',
    'CTX_AREA_NK100',
  ],
  'inquire-psbl-rvsecncl': [
    'CANO',
    'ACNT_PRDT_CD',
    'INQR_DVSN_1',
    'INQR_DVSN_2',
    'CTX_AREA_FK100',
    'CTX_AREA_NK100',
  ],
  'inquire-balance': [
    'CANO',
    'ACNT_PRDT_CD',
    'AFHR_FLPR_YN',
    'OFL_YN',
    'INQR_DVSN',
    'UNPR_DVSN',
    'FUND_STTL_ICLD_YN',
    'FNCG_AMT_AUTO_RDPT_YN',
    'PRCS_DVSN',
    'CTX_AREA_FK100',
    'CTX_AREA_NK100',
  ],
  'inquire-price': ['FID_COND_MRKT_DIV_CODE', 'FID_INPUT_ISCD'],
  'inquire-psbl-order': [
    'CANO',
    'ACNT_PRDT_CD',
    'PDNO',
    'ORD_UNPR',
    'ORD_DVSN',
    'CMA_EVLU_AMT_ICLD_YN',
    'OVRS_ICLD_YN',
  ],
};

export type Checked =
  | { ok: true; route: KisRoute; trId: string; fields: Record<string, string> }
  | { ok: false; response: WireResponse };

function fail(response: WireResponse): Checked {
  return { ok: false, response };
}

/** The check of a /uapi request: its route, TR id and fields, or the gateway's answer. */
export function createGatewayCheck(ctx: RestScope): (request: SandboxRequest) => Checked {
  const limiter = createRateLimiter(ctx.rateLimitPerSecond, ctx.clock);
  const { cano, acntPrdtCd } = ctx;

  function check(request: SandboxRequest): Checked {
    const trId = request.header('tr_id') ?? '';
    const route = findRoute(request.path);
    if (route === undefined || route.method !== request.method) {
      return fail(gatewayError('unknownService', trId || null));
    }
    const appKey = request.header('appkey');
    if (!limiter.take(appKey ?? '')) return fail(gatewayError('rateLimited', trId || null));
    if (appKey !== ctx.credentials.appKey) return fail(gatewayError('badAppKey', trId || null));
    if (request.header('appsecret') !== ctx.credentials.appSecret) {
      return fail(gatewayError('badAppSecret', trId || null));
    }
    const authorization = request.header('authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(authorization);
    const tokenState = match?.[1] === undefined ? 'invalid' : ctx.tokens.check(match[1], appKey);
    if (tokenState === 'invalid') return fail(gatewayError('tokenInvalid', trId || null));
    if (tokenState === 'expired') return fail(gatewayError('tokenExpired', trId || null));
    if (trId === '') return fail(gatewayError('badHeader', null, '(tr_id)'));
    const trCheck = checkTrId(route, ctx.environment, trId);
    if (!trCheck.ok) return fail(gatewayError(trCheck.error, trId));
    // `custtype` (P / B) is documented as required on order APIs, yet widely used clients omit
    // it against real KIS without trouble: the sandbox does not check it.

    let raw: Record<string, unknown>;
    if (route.method === 'POST') {
      const contentType = request.header('content-type') ?? '';
      if (!/^application\/json\b/i.test(contentType)) {
        return fail(gatewayError('badContentType', trId));
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.bodyText);
      } catch {
        return fail(gatewayError('badJson', trId));
      }
      const result = v.safeParse(StringRecord, parsed);
      if (!result.success || Array.isArray(parsed)) return fail(gatewayError('badJson', trId));
      raw = result.output;
    } else {
      raw = Object.fromEntries(request.query.entries());
    }
    const fields: Record<string, string> = {};
    // Keys match case-insensitively: clients send `ctx_area_fk100` in lower case on paging
    // inquiries and KIS answers them. The same key twice with different values is refused.
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value !== 'string') {
        return fail(gatewayError('badValueType', trId, key));
      }
      const upper = key.toUpperCase();
      const previous = fields[upper];
      if (previous !== undefined && previous !== value) return fail(inputFieldError(trId, key));
      fields[upper] = value;
    }
    for (const key of REQUIRED[route.name]) {
      if (fields[key] === undefined) return fail(inputFieldError(trId, key));
    }
    // A quotation names no account.
    if (
      route.name !== 'inquire-price' &&
      (fields.CANO !== cano || fields.ACNT_PRDT_CD !== acntPrdtCd)
    ) {
      return fail(business(trId, 'badAccount', '1'));
    }
    return { ok: true, route, trId, fields };
  }

  return check;
}
