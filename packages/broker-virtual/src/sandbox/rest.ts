// The KIS REST face: token endpoints, request checks and the /uapi endpoints over the exchange.
import { createHash } from 'node:crypto';
import {
  krxDailyPriceLimits,
  ORDER_DIVISION_RULES,
  type OrderDivision,
  type Venue,
} from '@qts/order-contract';
import * as v from 'valibot';
import {
  ccldCndtName,
  divisionOfOrdDvsn,
  ORD_DVSN_OF,
  ordDvsnName,
  PAPER_ORD_DVSN,
  UNSERVED_ORD_DVSN,
} from './divisions.js';
import type { ExchangePort, PortFault, PortOrder, PortResult } from './exchange-port.js';
import { kstDate, kstDateTime, kstTime } from './kst.js';
import { productName } from './names.js';
import { createRateLimiter } from './rate-limit.js';
import { checkTrId, findRoute, type KisRoute, orderCashSide } from './routes.js';
import type { TokenStore } from './tokens.js';
import type { KisSandboxCredentials, KisSandboxEnvironment } from './types.js';
import {
  gatewayError,
  KIS_ERRORS,
  type KisErrorName,
  kisError,
  kisJson,
  tokenEndpointError,
  type WireOutcome,
  type WireResponse,
} from './wire.js';

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
  readonly port: ExchangePort;
  readonly clock: () => number;
  readonly rateLimitPerSecond: number | null;
  readonly tokenLifetimeMs: number;
}

const StringRecord = v.record(v.string(), v.unknown());

const TokenBody = v.object({
  grant_type: v.optional(v.unknown()),
  appkey: v.optional(v.unknown()),
  appsecret: v.optional(v.unknown()),
  secretkey: v.optional(v.unknown()),
  token: v.optional(v.unknown()),
});

const respond = (response: WireResponse): WireOutcome => ({ kind: 'respond', response });

/** The control endpoints (not KIS): set a price, read the book. */
export const SANDBOX_CONTROL_PATHS = {
  price: '/qts-sandbox/price',
  book: '/qts-sandbox/book',
  clock: '/qts-sandbox/clock',
} as const;

/** `{"at": "<ISO 8601>" | <epoch ms>}` moves the clock there; `{"at": null}` puts it back. */
const ClockBody = v.object({
  at: v.nullable(v.union([v.pipe(v.number(), v.integer()), v.pipe(v.string(), v.isoTimestamp())])),
});

const PriceBody = v.object({
  symbol: v.pipe(v.string(), v.regex(/^(?:[0-9A-Z]{6}|Q[0-9]{6})$/)),
  price: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

const CLOCK_USAGE =
  'the body must be {"at":"2026-11-25T16:30:00+09:00"} (ISO 8601 or epoch ms), or {"at":null} for the real clock';

/** Page sizes per environment (docs/kis-protocol.md §6, §7). */
const PAGE = {
  'inquire-daily-ccld': { real: 100, paper: 15 },
  'inquire-psbl-rvsecncl': { real: 50, paper: 50 },
  'inquire-balance': { real: 50, paper: 20 },
} as const;

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

const SYMBOL = /^(?:[0-9A-Z]{6}|Q[0-9]{6})$/;

/**
 * `excg_dvsn_cd` of a KRX row. KIS's list of values is not published; python-kis reads it with
 * a table where `01`-`07` mean a KRX market and raises on anything else (an empty value too), so
 * the sandbox sends `01` rather than nothing.
 */
const KRX_EXCHANGE_CODE = '01';
const DIGITS = /^\d+$/;

function stripZeros(orderNo: string): string {
  return orderNo.replace(/^0+(?=\d)/, '');
}

function toInt(value: number): string {
  return String(Math.round(value));
}

/** KRX stock tick (docs/kis-protocol.md §10): inquire-psbl-order's upper-limit estimate, aspr_unit. */
function tick(price: number): number {
  if (price < 2_000) return 1;
  if (price < 5_000) return 5;
  if (price < 20_000) return 10;
  if (price < 50_000) return 50;
  if (price < 200_000) return 100;
  if (price < 500_000) return 500;
  return 1_000;
}

export function createRestHandler(ctx: RestContext) {
  const limiter = createRateLimiter(ctx.rateLimitPerSecond, ctx.clock);
  const [cano, acntPrdtCd] = ctx.credentials.account.split('-') as [string, string];
  const accountKey = ctx.credentials.account;
  const paper = ctx.environment === 'paper';

  const okMessage = paper
    ? { code: '20310000', msg: '모의투자 조회가 완료되었습니다.' }
    : { code: 'KIOK0000', msg: '정상처리 되었습니다.' };

  // ---------- token endpoints ----------

  function parseTokenBody(text: string): v.InferOutput<typeof TokenBody> | null {
    try {
      const parsed = v.safeParse(TokenBody, JSON.parse(text));
      return parsed.success ? parsed.output : null;
    } catch {
      return null;
    }
  }

  function tokenP(request: SandboxRequest): WireResponse {
    const body = parseTokenBody(request.bodyText);
    if (body === null) return tokenEndpointError(400, 'badJson');
    if (body.grant_type !== 'client_credentials') return tokenEndpointError(400, 'badGrantType');
    if (body.appkey !== ctx.credentials.appKey) return tokenEndpointError(403, 'badAppKey');
    if (body.appsecret !== ctx.credentials.appSecret)
      return tokenEndpointError(403, 'badAppSecret');
    const issued = ctx.tokens.issue(ctx.credentials.appKey);
    if (issued === null) return tokenEndpointError(403, 'tokenTooSoon');
    return kisJson(200, {
      access_token: issued.token,
      access_token_token_expired: kstDateTime(issued.expiresAt),
      token_type: 'Bearer',
      expires_in: Math.round(ctx.tokenLifetimeMs / 1000),
    });
  }

  function revokeP(request: SandboxRequest): WireResponse {
    const body = parseTokenBody(request.bodyText);
    if (body === null) return tokenEndpointError(400, 'badJson');
    if (body.appkey !== ctx.credentials.appKey) return tokenEndpointError(403, 'badAppKey');
    if (body.appsecret !== ctx.credentials.appSecret)
      return tokenEndpointError(403, 'badAppSecret');
    if (typeof body.token !== 'string' || !ctx.tokens.revoke(body.token, ctx.credentials.appKey)) {
      return tokenEndpointError(403, 'tokenInvalid');
    }
    return kisJson(200, { code: 200, message: '접근토큰 폐기에 성공하였습니다' });
  }

  function approval(request: SandboxRequest): WireResponse {
    const body = parseTokenBody(request.bodyText);
    if (body === null) return tokenEndpointError(400, 'badJson');
    if (body.grant_type !== 'client_credentials') return tokenEndpointError(400, 'badGrantType');
    if (body.appkey !== ctx.credentials.appKey) return tokenEndpointError(403, 'badAppKey');
    // KIS names the secret `secretkey` here (not `appsecret`).
    if (body.secretkey !== ctx.credentials.appSecret) {
      return tokenEndpointError(403, 'badAppSecret');
    }
    return kisJson(200, { approval_key: ctx.tokens.issueApprovalKey() });
  }

  /** Optional hashkey (docs/kis-protocol.md §2.4): appkey/appsecret headers, echoes the body with HASH. */
  function hashkey(request: SandboxRequest): WireResponse {
    if (request.header('appkey') !== ctx.credentials.appKey) return gatewayError('badAppKey', null);
    if (request.header('appsecret') !== ctx.credentials.appSecret) {
      return gatewayError('badAppSecret', null);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.bodyText);
    } catch {
      return gatewayError('badJson', null);
    }
    const hash = createHash('sha256').update(request.bodyText, 'utf8').digest('base64');
    return kisJson(200, { JsonBody: parsed, HASH: hash });
  }

  // ---------- /uapi checks ----------

  type Checked =
    | { ok: true; route: KisRoute; trId: string; fields: Record<string, string> }
    | { ok: false; response: WireResponse };

  function fail(response: WireResponse): Checked {
    return { ok: false, response };
  }

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

  function inputFieldError(trId: string, key: string): WireResponse {
    return kisError(
      500,
      '1',
      KIS_ERRORS.inputField.code,
      `${KIS_ERRORS.inputField.msg} ${key}`,
      trId,
    );
  }

  function business(trId: string, name: KisErrorName, rtCd = '7', detail?: string): WireResponse {
    const entry = KIS_ERRORS[name];
    return kisError(200, rtCd, entry.code, detail ?? entry.msg, trId);
  }

  function rejection(trId: string, code: string, message: string): WireResponse {
    return kisError(200, '7', code, message, trId);
  }

  function invalid(trId: string, message: string): WireResponse {
    return kisError(200, '1', 'QTSV1010', message, trId);
  }

  // ---------- faults ----------

  /**
   * Applies a scripted fault around a booking. `book` runs unless the fault prevents it.
   */
  function withFault(fault: PortFault | null, trId: string, book: () => WireResponse): WireOutcome {
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

  // ---------- endpoints ----------

  function orderOutput(order: PortOrder): Record<string, string> {
    return {
      KRX_FWDG_ORD_ORGNO: order.branch,
      ODNO: order.orderNo,
      ORD_TMD: kstTime(order.orderedAt),
    };
  }

  function answerOrder(trId: string, result: PortResult, okMsg: string): WireResponse {
    if (!result.ok) return rejection(trId, result.code, result.message);
    return kisJson(
      200,
      {
        rt_cd: '0',
        msg_cd: paper ? '40600000' : 'APBK0013',
        msg1: paper ? okMsg : '주문 전송 완료 되었습니다.',
        output: orderOutput(result.order),
      },
      { trId },
    );
  }

  /** Paper's refusal of a division or venue it does not offer (KIS's code is not confirmed). */
  function notInPaper(trId: string, message: string): WireResponse {
    return kisError(200, '1', 'QTSV1015', message, trId);
  }

  /** The venue a request names (absent or empty: KRX), or the refusal. */
  function venueOf(trId: string, fields: Record<string, string>): Venue | WireResponse {
    const exchange = fields.EXCG_ID_DVSN_CD;
    if (exchange === undefined || exchange === '' || exchange === 'KRX') return 'KRX';
    if (exchange === 'NXT' || exchange === 'SOR') {
      if (!paper) return exchange;
      return notInPaper(
        trId,
        `모의투자에서는 KRX 주문만 가능합니다. (EXCG_ID_DVSN_CD ${exchange})`,
      );
    }
    return invalid(trId, `거래소ID구분코드(EXCG_ID_DVSN_CD)를 확인하여 주십시오. (${exchange})`);
  }

  function exchangeCheck(trId: string, fields: Record<string, string>): WireResponse | null {
    const venue = venueOf(trId, fields);
    return typeof venue === 'string' ? null : venue;
  }

  function divisionOf(trId: string, ordDvsn: string): OrderDivision | WireResponse {
    const division = divisionOfOrdDvsn(ordDvsn);
    if (division === undefined) {
      if (UNSERVED_ORD_DVSN.has(ordDvsn)) {
        return invalid(
          trId,
          `샌드박스는 중간가(21, 23, 24)와 스톱지정가(22) 주문을 지원하지 않습니다. (ORD_DVSN ${ordDvsn})`,
        );
      }
      return invalid(trId, `주문구분(ORD_DVSN)을 확인하여 주십시오.`);
    }
    if (paper && !PAPER_ORD_DVSN.has(ordDvsn)) {
      return notInPaper(
        trId,
        `모의투자에서는 해당주문구분이 불가합니다. (ORD_DVSN ${ordDvsn} ${ordDvsnName(division)})`,
      );
    }
    return division;
  }

  /** ORD_UNPR of a division: "0" where the exchange sets the price, a price above 0 otherwise. */
  function priceOf(
    trId: string,
    division: OrderDivision,
    priceText: string,
  ): number | WireResponse {
    if (!DIGITS.test(priceText)) return invalid(trId, '주문단가를 확인하여 주십시오.');
    const price = Number(priceText);
    const rule = ORDER_DIVISION_RULES[division];
    if (rule.limitPrice === 'required' && price <= 0) {
      return invalid(trId, '주문단가를 확인하여 주십시오.');
    }
    if (rule.limitPrice === 'forbidden' && price !== 0) {
      return invalid(
        trId,
        `${rule.koreanName} 주문은 주문단가를 0으로 입력하여 주십시오. (ORD_DVSN ${ORD_DVSN_OF[division]})`,
      );
    }
    return price;
  }

  function orderCash(trId: string, fields: Record<string, string>): WireOutcome {
    const side = orderCashSide(trId);
    const pdno = fields.PDNO ?? '';
    if (!SYMBOL.test(pdno))
      return respond(rejection(trId, 'APBK0656', '상품번호를 확인하여 주십시오.'));
    const division = divisionOf(trId, fields.ORD_DVSN ?? '');
    if (typeof division !== 'string') return respond(division);
    const rule = ORDER_DIVISION_RULES[division];
    const qtyText = fields.ORD_QTY ?? '';
    const quantity = DIGITS.test(qtyText) ? Number(qtyText) : 0;
    if (quantity <= 0) return respond(invalid(trId, '주문수량을 확인 하여 주십시요.'));
    const price = priceOf(trId, division, fields.ORD_UNPR ?? '');
    if (typeof price !== 'number') return respond(price);
    // SLL_TYPE is for sells only; KIS ignores it on buys, so does the sandbox.
    const venue = venueOf(trId, fields);
    if (typeof venue !== 'string') return respond(venue);
    if (!rule.venues.includes(venue)) {
      return respond(
        invalid(
          trId,
          `${venue} 에서는 ${rule.koreanName} 주문이 불가합니다. (ORD_DVSN ${ORD_DVSN_OF[division]}, EXCG_ID_DVSN_CD ${venue})`,
        ),
      );
    }
    const fault = ctx.port.takeFault('place');
    return withFault(fault, trId, () =>
      answerOrder(
        trId,
        ctx.port.place(accountKey, {
          symbol: pdno,
          side,
          type: rule.type,
          quantity,
          limitPrice: rule.limitPrice === 'required' ? price : null,
          division,
          venue,
        }),
        side === 'buy'
          ? '모의투자 매수주문이 완료 되었습니다.'
          : '모의투자 매도주문이 완료 되었습니다.',
      ),
    );
  }

  function orderRvsecncl(trId: string, fields: Record<string, string>): WireOutcome {
    const orgBranch = fields.KRX_FWDG_ORD_ORGNO ?? '';
    if (orgBranch === '') {
      return respond(invalid(trId, '주문조직번호(KRX_FWDG_ORD_ORGNO)를 입력하여 주십시오.'));
    }
    const original = fields.ORGN_ODNO ?? '';
    if (!DIGITS.test(original)) return respond(invalid(trId, '원주문번호를 확인하여 주십시오.'));
    const target = ctx.port
      .orders(accountKey, '00000000', '99999999')
      .find((order) => stripZeros(order.orderNo) === stripZeros(original));
    if (target === undefined || target.branch !== orgBranch) {
      return respond(invalid(trId, '원주문번호를 확인하여 주십시오.'));
    }
    const allText = fields.QTY_ALL_ORD_YN ?? '';
    if (allText !== 'Y' && allText !== 'N') {
      return respond(invalid(trId, '잔량전부주문여부(QTY_ALL_ORD_YN)를 확인하여 주십시오.'));
    }
    const qtyText = fields.ORD_QTY ?? '';
    if (!DIGITS.test(qtyText)) return respond(invalid(trId, '주문수량을 확인 하여 주십시요.'));
    const quantity: number | 'all' = allText === 'Y' ? 'all' : Number(qtyText);
    if (quantity !== 'all' && quantity <= 0) {
      return respond(invalid(trId, '주문수량을 확인 하여 주십시요.'));
    }
    const exchangeError = exchangeCheck(trId, fields);
    if (exchangeError !== null) return respond(exchangeError);
    const priceText = fields.ORD_UNPR ?? '';
    if (!DIGITS.test(priceText)) return respond(invalid(trId, '주문단가를 확인하여 주십시오.'));
    const dvsn = fields.RVSE_CNCL_DVSN_CD;
    if (dvsn === '02') {
      const fault = ctx.port.takeFault('cancel');
      return withFault(fault, trId, () =>
        answerOrder(
          trId,
          ctx.port.cancel(accountKey, target.orderNo, quantity),
          '모의투자 취소주문이 완료 되었습니다.',
        ),
      );
    }
    if (dvsn !== '01') {
      return respond(invalid(trId, '정정취소구분코드(RVSE_CNCL_DVSN_CD)를 확인하여 주십시오.'));
    }
    // A modify's ORD_DVSN is the division of the modified order (KIS: a modify changes the price
    // or the division); sending the order's own code keeps it. Where the exchange sets the price,
    // ORD_UNPR is "0" and the price it set stays.
    const division = divisionOf(trId, fields.ORD_DVSN ?? '');
    if (typeof division !== 'string') return respond(division);
    const rule = ORDER_DIVISION_RULES[division];
    if (!rule.rests) {
      return respond(
        invalid(
          trId,
          `${rule.koreanName} 주문으로는 정정할 수 없습니다. (ORD_DVSN ${ORD_DVSN_OF[division]})`,
        ),
      );
    }
    const price = priceOf(trId, division, priceText);
    if (typeof price !== 'number') return respond(price);
    const fault = ctx.port.takeFault('modify');
    return withFault(fault, trId, () =>
      answerOrder(
        trId,
        ctx.port.modify(accountKey, target.orderNo, {
          type: rule.type,
          division,
          limitPrice: rule.limitPrice === 'required' ? price : null,
          quantity,
        }),
        '모의투자 정정주문이 완료 되었습니다.',
      ),
    );
  }

  interface Page<T> {
    readonly rows: readonly T[];
    readonly more: boolean;
    readonly nextKey: string;
  }

  /** Cursor paging: nk100 carries the last key served; fk100 the filter fingerprint. */
  function paginate<T>(
    items: readonly T[],
    keyOf: (item: T) => string,
    size: number,
    after: string,
  ): Page<T> | null {
    let start = 0;
    if (after !== '') {
      const index = items.findIndex((item) => keyOf(item) === after);
      if (index < 0) return null;
      start = index + 1;
    }
    const rows = items.slice(start, start + size);
    const more = start + size < items.length;
    const last = rows.at(-1);
    return { rows, more, nextKey: more && last !== undefined ? keyOf(last) : '' };
  }

  function pagedResponse(
    trId: string,
    request: SandboxRequest,
    fk: string,
    page: Page<unknown>,
    body: Record<string, unknown>,
  ): WireResponse {
    const continued = (request.header('tr_cont') ?? '') === 'N';
    const trCont = page.more ? (continued ? 'M' : 'F') : continued ? 'E' : 'D';
    return kisJson(
      200,
      {
        ctx_area_fk100: fk,
        ctx_area_nk100: page.nextKey,
        ...body,
        rt_cd: '0',
        msg_cd: okMessage.code,
        msg1: okMessage.msg,
      },
      { trId, trCont },
    );
  }

  function ctxError(trId: string): WireResponse {
    return invalid(trId, KIS_ERRORS.badCtx.msg);
  }

  function averagePrice(order: PortOrder): number {
    return order.filledQuantity > 0 ? order.filledAmount / order.filledQuantity : 0;
  }

  function dailyCcldRow(order: PortOrder): Record<string, string> {
    const sideCode = order.side === 'sell' ? '01' : '02';
    const sideName = order.side === 'sell' ? '매도' : '매수';
    const kindName = order.kind === 'cancel' ? '취소' : order.kind === 'modify' ? '정정' : '';
    return {
      ord_dt: order.tradingDate,
      ord_gno_brno: order.branch,
      odno: order.orderNo,
      orgn_odno: order.originalOrderNo ?? '',
      ord_dvsn_name: ordDvsnName(order.division),
      sll_buy_dvsn_cd: sideCode,
      sll_buy_dvsn_cd_name: `${sideName}${kindName}`,
      pdno: order.symbol,
      prdt_name: productName(order.symbol),
      ord_qty: String(order.quantity),
      ord_unpr: String(order.limitPrice ?? 0),
      ord_tmd: kstTime(order.orderedAt),
      tot_ccld_qty: String(order.filledQuantity),
      avg_prvs: toInt(averagePrice(order)),
      cncl_yn: order.kind === 'cancel' ? 'Y' : 'N',
      tot_ccld_amt: toInt(order.filledAmount),
      loan_dt: '',
      ordr_empno: '',
      ord_dvsn_cd: ORD_DVSN_OF[order.division],
      cnc_cfrm_qty: String(order.canceledQuantity),
      rmn_qty: String(order.remainingQuantity),
      rjct_qty: String(order.rejectedQuantity),
      ccld_cndt_name: ccldCndtName(order.division),
      inqr_ip_addr: '',
      cpbc_ordp_ord_rcit_dvsn_cd: '',
      cpbc_ordp_infm_mthd_dvsn_cd: '',
      infm_tmd: '',
      ctac_tlno: '',
      prdt_type_cd: '300',
      excg_dvsn_cd: KRX_EXCHANGE_CODE,
      cpbc_ordp_mtrl_dvsn_cd: '',
      ord_orgno: '',
      rsvn_ord_end_dt: '',
      excg_id_dvsn_Cd: order.venue,
      stpm_cndt_pric: '0',
      stpm_efct_occr_dtmd: '',
    };
  }

  function inquireDailyCcld(trId: string, request: SandboxRequest, f: Record<string, string>) {
    const from = f.INQR_STRT_DT ?? '';
    const to = f.INQR_END_DT ?? '';
    if (!/^\d{8}$/.test(from) || !/^\d{8}$/.test(to)) {
      return invalid(trId, '조회일자(INQR_STRT_DT/INQR_END_DT)를 확인하여 주십시오.');
    }
    const sideFilter = f.SLL_BUY_DVSN_CD ?? '';
    const ccld = f.CCLD_DVSN ?? '';
    const order = f.INQR_DVSN ?? '';
    if (!['00', '01', '02'].includes(sideFilter)) {
      return invalid(trId, '매도매수구분코드(SLL_BUY_DVSN_CD)를 확인하여 주십시오.');
    }
    if (!['00', '01', '02'].includes(ccld)) {
      return invalid(trId, '체결구분(CCLD_DVSN)을 확인하여 주십시오.');
    }
    if (!['00', '01'].includes(order)) {
      return invalid(trId, '조회구분(INQR_DVSN)을 확인하여 주십시오.');
    }
    // EXCG_ID_DVSN_CD: KRX / NXT / SOR / ALL (official inquire_daily_ccld.py). A venue shows
    // the orders sent to it; ALL (or none) shows every order.
    const venueFilter = f.EXCG_ID_DVSN_CD === 'ALL' ? 'ALL' : venueOf(trId, f);
    if (typeof venueFilter !== 'string') return venueFilter;
    const venueOnly =
      f.EXCG_ID_DVSN_CD === undefined || f.EXCG_ID_DVSN_CD === '' ? 'ALL' : venueFilter;
    const pdno = f.PDNO ?? '';
    const odno = f.ODNO ?? '';
    const branchFilter = f.ORD_GNO_BRNO ?? '';
    // TTTC0081R / VTTC0081R hold the current month and the three before it, CTSC9215R /
    // VTSC9215R older dates (official inquire_daily_ccld.py): each answers for its own period.
    const months = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(4, 6));
    const thisMonth = months(kstDate(ctx.clock()));
    const period = trId.endsWith('0081R') ? 'recent' : trId.endsWith('9215R') ? 'old' : 'any';
    let rows = ctx.port.orders(accountKey, from, to).filter((o) => {
      const recent = thisMonth - months(o.tradingDate) <= 3;
      if (period === 'recent' && !recent) return false;
      if (period === 'old' && recent) return false;
      if (venueOnly !== 'ALL' && o.venue !== venueOnly) return false;
      if (sideFilter === '01' && o.side !== 'sell') return false;
      if (sideFilter === '02' && o.side !== 'buy') return false;
      if (pdno !== '' && o.symbol !== pdno) return false;
      if (odno !== '' && stripZeros(o.orderNo) !== stripZeros(odno)) return false;
      if (branchFilter !== '' && o.branch !== branchFilter) return false;
      if (ccld === '01' && o.filledQuantity <= 0) return false;
      if (ccld === '02' && o.remainingQuantity <= 0) return false;
      return true;
    });
    if (order === '00') rows = [...rows].reverse();
    const fk = [cano, acntPrdtCd, from, to, sideFilter, order, pdno, ccld, odno].join('^');
    const ctxFk = f.CTX_AREA_FK100 ?? '';
    const ctxNk = (f.CTX_AREA_NK100 ?? '').trim();
    if (ctxNk !== '' && ctxFk.trim() !== fk) return ctxError(trId);
    const page = paginate(
      rows,
      (o) => o.orderNo,
      PAGE['inquire-daily-ccld'][ctx.environment],
      ctxNk,
    );
    if (page === null) return ctxError(trId);
    const totalQty = rows.reduce((sum, o) => sum + o.quantity, 0);
    const totalFilled = rows.reduce((sum, o) => sum + o.filledQuantity, 0);
    const totalAmount = rows.reduce((sum, o) => sum + o.filledAmount, 0);
    return pagedResponse(trId, request, fk, page, {
      output1: page.rows.map(dailyCcldRow),
      output2: {
        tot_ord_qty: String(totalQty),
        tot_ccld_qty: String(totalFilled),
        tot_ccld_amt: toInt(totalAmount),
        prsm_tlex_smtl: '0',
        pchs_avg_pric: totalFilled > 0 ? (totalAmount / totalFilled).toFixed(4) : '0.0000',
      },
    });
  }

  function inquirePsblRvsecncl(trId: string, request: SandboxRequest, f: Record<string, string>) {
    const byStock = f.INQR_DVSN_1 === '1';
    const sideFilter = f.INQR_DVSN_2 ?? '0';
    let rows = ctx.port
      .orders(accountKey, '00000000', '99999999')
      .filter((o) => o.kind !== 'cancel' && o.remainingQuantity > 0)
      .filter((o) =>
        sideFilter === '1' ? o.side === 'sell' : sideFilter === '2' ? o.side === 'buy' : true,
      );
    if (byStock) rows = [...rows].sort((a, b) => a.symbol.localeCompare(b.symbol));
    const fk = [cano, acntPrdtCd, f.INQR_DVSN_1 ?? '', sideFilter].join('^');
    const ctxNk = (f.CTX_AREA_NK100 ?? '').trim();
    if (ctxNk !== '' && (f.CTX_AREA_FK100 ?? '').trim() !== fk) return ctxError(trId);
    const page = paginate(rows, (o) => o.orderNo, PAGE['inquire-psbl-rvsecncl'].real, ctxNk);
    if (page === null) return ctxError(trId);
    return pagedResponse(trId, request, fk, page, {
      output: page.rows.map((o) => ({
        ord_gno_brno: o.branch,
        odno: o.orderNo,
        orgn_odno: o.originalOrderNo ?? '',
        ord_dvsn_name: ordDvsnName(o.division),
        pdno: o.symbol,
        prdt_name: productName(o.symbol),
        rvse_cncl_dvsn_name: o.kind === 'modify' ? '정정' : '',
        ord_qty: String(o.quantity),
        ord_unpr: String(o.limitPrice ?? 0),
        ord_tmd: kstTime(o.orderedAt),
        tot_ccld_qty: String(o.filledQuantity),
        tot_ccld_amt: toInt(o.filledAmount),
        psbl_qty: String(o.remainingQuantity),
        sll_buy_dvsn_cd: o.side === 'sell' ? '01' : '02',
        ord_dvsn_cd: ORD_DVSN_OF[o.division],
        mgco_aptm_odno: '',
        excg_dvsn_cd: KRX_EXCHANGE_CODE,
        excg_id_dvsn_cd: o.venue,
        excg_id_dvsn_name: o.venue,
        stpm_cndt_pric: '0',
        stpm_efct_occr_yn: 'N',
      })),
    });
  }

  function inquireBalance(trId: string, request: SandboxRequest, f: Record<string, string>) {
    const balance = ctx.port.balance(accountKey);
    const positions = balance.positions.filter((p) => p.quantity > 0 || p.soldToday > 0);
    const fk = [cano, acntPrdtCd, f.INQR_DVSN ?? ''].join('^');
    const ctxNk = (f.CTX_AREA_NK100 ?? '').trim();
    if (ctxNk !== '' && (f.CTX_AREA_FK100 ?? '').trim() !== fk) return ctxError(trId);
    const page = paginate(
      positions,
      (p) => p.symbol,
      PAGE['inquire-balance'][ctx.environment],
      ctxNk,
    );
    if (page === null) return ctxError(trId);
    let stockValue = 0;
    let purchase = 0;
    for (const p of positions) {
      const price = p.lastPrice ?? p.averagePrice;
      stockValue += price * p.quantity;
      purchase += p.averagePrice * p.quantity;
    }
    const total = balance.cash + stockValue;
    // Today's traded amounts from today's fills; the core keeps no fees, loans or previous-day
    // snapshot, so those fields carry KIS's empty values ("0", "" or zero rates).
    const today = kstDate(ctx.clock());
    let boughtAmount = 0;
    let soldAmount = 0;
    for (const o of ctx.port.orders(accountKey, today, today)) {
      if (o.side === 'buy') boughtAmount += o.filledAmount;
      else soldAmount += o.filledAmount;
    }
    return pagedResponse(trId, request, fk, page, {
      output1: page.rows.map((p) => {
        const price = p.lastPrice ?? p.averagePrice;
        const value = price * p.quantity;
        const cost = p.averagePrice * p.quantity;
        const rate = cost > 0 ? ((value - cost) / cost) * 100 : 0;
        return {
          pdno: p.symbol,
          prdt_name: productName(p.symbol),
          trad_dvsn_name: '현금',
          bfdy_buy_qty: '0',
          bfdy_sll_qty: '0',
          thdt_buyqty: String(p.boughtToday),
          thdt_sll_qty: String(p.soldToday),
          hldg_qty: String(p.quantity),
          ord_psbl_qty: String(p.sellableQuantity),
          pchs_avg_pric: p.averagePrice.toFixed(4),
          pchs_amt: toInt(cost),
          prpr: toInt(price),
          evlu_amt: toInt(value),
          evlu_pfls_amt: toInt(value - cost),
          evlu_pfls_rt: rate.toFixed(2),
          evlu_erng_rt: rate.toFixed(8),
          loan_dt: '',
          loan_amt: '0',
          stln_slng_chgs: '0',
          expd_dt: '',
          fltt_rt: '0.00000000',
          bfdy_cprs_icdc: '0',
          item_mgna_rt_name: '',
          grta_rt_name: '',
          sbst_pric: '0',
          stck_loan_unpr: '0.0000',
        };
      }),
      output2: [
        {
          dnca_tot_amt: toInt(balance.cash),
          nxdy_excc_amt: toInt(balance.cash),
          prvs_rcdl_excc_amt: toInt(balance.cash),
          cma_evlu_amt: '0',
          bfdy_buy_amt: '0',
          thdt_buy_amt: toInt(boughtAmount),
          nxdy_auto_rdpt_amt: '0',
          bfdy_sll_amt: '0',
          thdt_sll_amt: toInt(soldAmount),
          d2_auto_rdpt_amt: '0',
          bfdy_tlex_amt: '0',
          thdt_tlex_amt: '0',
          tot_loan_amt: '0',
          scts_evlu_amt: toInt(stockValue),
          tot_evlu_amt: toInt(total),
          nass_amt: toInt(total),
          fncg_gld_auto_rdpt_yn: 'N',
          pchs_amt_smtl_amt: toInt(purchase),
          evlu_amt_smtl_amt: toInt(stockValue),
          evlu_pfls_smtl_amt: toInt(stockValue - purchase),
          tot_stln_slng_chgs: '0',
          bfdy_tot_asst_evlu_amt: '0',
          asst_icdc_amt: '0',
          asst_icdc_erng_rt: '0.00000000',
        },
      ],
    });
  }

  function inquirePsblOrder(trId: string, f: Record<string, string>) {
    const pdno = f.PDNO ?? '';
    if (!SYMBOL.test(pdno)) return rejection(trId, 'APBK0656', '상품번호를 확인하여 주십시오.');
    const cma = f.CMA_EVLU_AMT_ICLD_YN ?? '';
    if (cma !== 'Y' && cma !== 'N') return inputFieldError(trId, 'CMA_EVLU_AMT_ICLD_YN');
    const priceText = (f.ORD_UNPR ?? '').trim();
    if (priceText !== '' && !DIGITS.test(priceText)) {
      return invalid(trId, '주문단가를 확인하여 주십시오.');
    }
    const balance = ctx.port.balance(accountKey);
    let unitPrice = priceText === '' ? 0 : Number(priceText);
    if (unitPrice <= 0) {
      // Market-type: KIS prices the margin at the upper limit (+30 %), rounded down to the tick.
      const reference = ctx.port.referencePrice(pdno);
      if (reference !== null) {
        const upper = reference * 1.3;
        unitPrice = Math.floor(upper / tick(upper)) * tick(upper);
      }
    }
    const cash = Math.max(0, balance.orderableCash);
    const qty = unitPrice > 0 ? Math.floor(cash / unitPrice) : 0;
    return kisJson(
      200,
      {
        output: {
          ord_psbl_cash: toInt(cash),
          ord_psbl_sbst: '0',
          ruse_psbl_amt: '0',
          fund_rpch_chgs: '0',
          psbl_qty_calc_unpr: toInt(unitPrice),
          nrcvb_buy_amt: toInt(qty * unitPrice),
          nrcvb_buy_qty: String(qty),
          max_buy_amt: toInt(qty * unitPrice),
          max_buy_qty: String(qty),
          cma_evlu_amt: '0',
          ovrs_re_use_amt_wcrc: '0',
          ord_psbl_frcr_amt_wcrc: '0',
        },
        rt_cd: '0',
        msg_cd: okMessage.code,
        msg1: okMessage.msg,
      },
      { trId },
    );
  }

  /**
   * inquire-price: the reference price is the current price AND the previous close (기준가), so
   * the day's limits are ±30 % of the reference price on the tick and move with it.
   */
  function inquirePrice(trId: string, f: Record<string, string>) {
    if ((f.FID_COND_MRKT_DIV_CODE ?? '') !== 'J') {
      return inputFieldError(trId, 'FID_COND_MRKT_DIV_CODE');
    }
    const symbol = f.FID_INPUT_ISCD ?? '';
    if (!SYMBOL.test(symbol)) return inputFieldError(trId, 'FID_INPUT_ISCD');
    const reference = ctx.port.referencePrice(symbol);
    if (reference === null) {
      return invalid(
        trId,
        `종목 ${symbol} 의 기준가가 없습니다 (sandbox: set one with POST /qts-sandbox/price).`,
      );
    }
    const { upperLimit, lowerLimit } = krxDailyPriceLimits(
      reference,
      symbol.startsWith('Q') ? 'etn' : undefined,
    );
    return kisJson(
      200,
      {
        output: {
          stck_shrn_iscd: symbol,
          stck_prpr: toInt(reference),
          prdy_vrss: '0',
          prdy_vrss_sign: '3',
          prdy_ctrt: '0.00',
          stck_oprc: toInt(reference),
          stck_hgpr: toInt(reference),
          stck_lwpr: toInt(reference),
          stck_mxpr: toInt(upperLimit),
          stck_llam: toInt(lowerLimit),
          stck_sdpr: toInt(reference),
          aspr_unit: String(tick(reference)),
          acml_vol: '0',
          acml_tr_pbmn: '0',
        },
        rt_cd: '0',
        msg_cd: okMessage.code,
        msg1: okMessage.msg,
      },
      { trId },
    );
  }

  function uapi(request: SandboxRequest): WireOutcome {
    const checked = check(request);
    if (!checked.ok) return respond(checked.response);
    const { route, trId, fields } = checked;
    if (route.name === 'order-cash') return orderCash(trId, fields);
    if (route.name === 'order-rvsecncl') return orderRvsecncl(trId, fields);
    // A quote takes no scripted fault: faults are scripted for orders and their inquiries.
    if (route.name === 'inquire-price') return respond(inquirePrice(trId, fields));
    const operation =
      route.name === 'inquire-balance' || route.name === 'inquire-psbl-order'
        ? 'balance'
        : 'inquiry';
    const fault = ctx.port.takeFault(operation);
    return withFault(fault, trId, () => {
      switch (route.name) {
        case 'inquire-daily-ccld':
          return inquireDailyCcld(trId, request, fields);
        case 'inquire-psbl-rvsecncl':
          return inquirePsblRvsecncl(trId, request, fields);
        case 'inquire-balance':
          return inquireBalance(trId, request, fields);
        default:
          return inquirePsblOrder(trId, fields);
      }
    });
  }

  // ---------- control (not KIS): the sandbox's own endpoints for a person or a script ----------

  function controlError(status: number, message: string): WireResponse {
    return kisJson(status, { error: message });
  }

  function book(symbol: string): Record<string, unknown> {
    const open = ctx.port
      .orders(accountKey, '00000000', '99999999')
      .filter((o) => o.symbol === symbol && o.kind !== 'cancel' && o.remainingQuantity > 0);
    const level = (side: 'buy' | 'sell') => {
      const byPrice = new Map<string, { quantity: number; orders: number }>();
      for (const o of open.filter((order) => order.side === side)) {
        const key = o.limitPrice === null ? 'market' : String(o.limitPrice);
        const entry = byPrice.get(key) ?? { quantity: 0, orders: 0 };
        entry.quantity += o.remainingQuantity;
        entry.orders += 1;
        byPrice.set(key, entry);
      }
      return [...byPrice.entries()]
        .map(([price, entry]) => ({ price: price === 'market' ? null : Number(price), ...entry }))
        .sort((a, b) => (side === 'buy' ? -1 : 1) * ((a.price ?? 0) - (b.price ?? 0)));
    };
    return {
      symbol,
      referencePrice: ctx.port.referencePrice(symbol),
      bids: level('buy'),
      asks: level('sell'),
      orders: open.map((o) => ({
        orderNo: o.orderNo,
        side: o.side,
        limitPrice: o.limitPrice,
        remainingQuantity: o.remainingQuantity,
        filledQuantity: o.filledQuantity,
      })),
    };
  }

  /** `POST /qts-sandbox/price {"symbol","price"}` and `GET /qts-sandbox/book?symbol=`; header `appkey`. */
  function control(request: SandboxRequest): WireResponse {
    if (request.header('appkey') !== ctx.credentials.appKey) {
      return controlError(403, 'send the sandbox app key in the appkey header');
    }
    if (request.path === SANDBOX_CONTROL_PATHS.price && request.method === 'POST') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.bodyText);
      } catch {
        return controlError(400, 'the body must be JSON: {"symbol":"005930","price":70000}');
      }
      const body = v.safeParse(PriceBody, parsed);
      if (!body.success) {
        return controlError(
          400,
          'the body must be {"symbol":"005930","price":70000} (price a whole number of KRW)',
        );
      }
      ctx.port.setReferencePrice(body.output.symbol, body.output.price);
      return kisJson(200, book(body.output.symbol));
    }
    if (request.path === SANDBOX_CONTROL_PATHS.book && request.method === 'GET') {
      const symbol = request.query.get('symbol') ?? '';
      if (!SYMBOL.test(symbol)) return controlError(400, 'give ?symbol=005930');
      return kisJson(200, book(symbol));
    }
    if (request.path === SANDBOX_CONTROL_PATHS.clock && request.method === 'POST') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.bodyText);
      } catch {
        return controlError(400, CLOCK_USAGE);
      }
      const body = v.safeParse(ClockBody, parsed);
      const at = body.success ? body.output.at : undefined;
      const epoch = typeof at === 'string' ? Date.parse(at) : at;
      if (epoch === undefined || (epoch !== null && !Number.isFinite(epoch))) {
        return controlError(400, CLOCK_USAGE);
      }
      if (ctx.port.setClock === undefined) {
        return controlError(
          409,
          'this sandbox serves an exchange it was given: move that exchange clock instead',
        );
      }
      ctx.port.setClock(epoch);
      const now = ctx.clock();
      return kisJson(200, { now: new Date(now).toISOString(), kst: kstDateTime(now) });
    }
    return controlError(
      404,
      'control endpoints: POST /qts-sandbox/price, GET /qts-sandbox/book, POST /qts-sandbox/clock',
    );
  }

  return {
    handle(request: SandboxRequest): WireOutcome {
      if (request.path.startsWith('/qts-sandbox/')) return respond(control(request));
      if (request.method === 'POST') {
        if (request.path === '/oauth2/tokenP') return respond(tokenP(request));
        if (request.path === '/oauth2/revokeP') return respond(revokeP(request));
        if (request.path === '/oauth2/Approval') return respond(approval(request));
        if (request.path === '/uapi/hashkey') return respond(hashkey(request));
      }
      return uapi(request);
    },
  };
}

export type RestHandler = ReturnType<typeof createRestHandler>;
