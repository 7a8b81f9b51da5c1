// The /uapi endpoints the sandbox serves and their TR ids (docs/kis-protocol.md §4-§7).
import type { KisSandboxEnvironment } from '../types.js';

export type RouteName =
  | 'order-cash'
  | 'order-rvsecncl'
  | 'inquire-daily-ccld'
  | 'inquire-psbl-rvsecncl'
  | 'inquire-balance'
  | 'inquire-psbl-order'
  | 'inquire-price';

export interface KisRoute {
  readonly name: RouteName;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Real TR ids; the paper ones are these with the first letter (T/J/C) replaced by V. */
  readonly realTrIds: readonly string[];
  /** Paper does not serve this endpoint (answers EGW02006 like KIS). */
  readonly realOnly: boolean;
}

const TRADING = '/uapi/domestic-stock/v1/trading';

export const KIS_ROUTES: readonly KisRoute[] = [
  {
    name: 'order-cash',
    method: 'POST',
    path: `${TRADING}/order-cash`,
    realTrIds: ['TTTC0012U', 'TTTC0011U', 'TTTC0802U', 'TTTC0801U'],
    realOnly: false,
  },
  {
    name: 'order-rvsecncl',
    method: 'POST',
    path: `${TRADING}/order-rvsecncl`,
    realTrIds: ['TTTC0013U', 'TTTC0803U'],
    realOnly: false,
  },
  {
    name: 'inquire-daily-ccld',
    method: 'GET',
    path: `${TRADING}/inquire-daily-ccld`,
    realTrIds: ['TTTC0081R', 'TTTC8001R', 'CTSC9215R', 'CTSC9115R'],
    realOnly: false,
  },
  {
    name: 'inquire-psbl-rvsecncl',
    method: 'GET',
    path: `${TRADING}/inquire-psbl-rvsecncl`,
    realTrIds: ['TTTC0084R', 'TTTC8036R'],
    realOnly: true,
  },
  {
    name: 'inquire-balance',
    method: 'GET',
    path: `${TRADING}/inquire-balance`,
    realTrIds: ['TTTC8434R'],
    realOnly: false,
  },
  {
    name: 'inquire-psbl-order',
    method: 'GET',
    path: `${TRADING}/inquire-psbl-order`,
    realTrIds: ['TTTC8908R'],
    realOnly: false,
  },
  {
    // A quotation TR: the same id in both environments (paperTrId leaves it alone).
    name: 'inquire-price',
    method: 'GET',
    path: '/uapi/domestic-stock/v1/quotations/inquire-price',
    realTrIds: ['FHKST01010100'],
    realOnly: false,
  },
];

/** Paper TR id of a real one: first letter T/J/C becomes V (OTA `_url_fetch` rule). */
export function paperTrId(realTrId: string): string {
  return /^[TJC]/.test(realTrId) ? `V${realTrId.slice(1)}` : realTrId;
}

export function findRoute(path: string): KisRoute | undefined {
  return KIS_ROUTES.find((route) => route.path === path);
}

export type TrCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: 'notRealTr' | 'notPaperTr' | 'unknownService' };

/** Whether `trId` is served by `route` in `environment`, else the KIS error for it. */
export function checkTrId(
  route: KisRoute,
  environment: KisSandboxEnvironment,
  trId: string,
): TrCheck {
  const paperIds = route.realTrIds.map(paperTrId);
  if (environment === 'real') {
    if (route.realTrIds.includes(trId)) return { ok: true };
    if (trId.startsWith('V')) return { ok: false, error: 'notRealTr' };
    return { ok: false, error: 'unknownService' };
  }
  if (route.realOnly) return { ok: false, error: 'notPaperTr' };
  if (paperIds.includes(trId)) return { ok: true };
  if (route.realTrIds.includes(trId) || /^[TJC]/.test(trId))
    return { ok: false, error: 'notPaperTr' };
  return { ok: false, error: 'unknownService' };
}

/** Buy or sell from an order-cash TR id. */
export function orderCashSide(trId: string): 'buy' | 'sell' {
  return trId.endsWith('0012U') || trId.endsWith('0802U') ? 'buy' : 'sell';
}
