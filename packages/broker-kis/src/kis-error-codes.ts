// The ONE table from KIS msg_cd to contract error codes (docs/kis-protocol.md §9; the
// `source` of each entry names a section of that page).
import type { RejectionCode } from '@qts/order-contract';

/** A KIS message code and the contract code it maps to, with where the fact comes from. */
export interface KisErrorCodeEntry {
  readonly code: RejectionCode;
  readonly source: string;
}

/** Exact msg_cd matches, checked first. */
export const KIS_ERROR_CODES: Readonly<Record<string, KisErrorCodeEntry>> = Object.freeze({
  APBK0952: { code: 'INSUFFICIENT_FUNDS', source: 'kis-protocol.md §9: 주문가능금액을 초과' },
  APBK0918: { code: 'MARKET_CLOSED', source: 'kis-protocol.md §9: 장운영시간이 아닙니다' },
  APBK0919: { code: 'MARKET_CLOSED', source: 'kis-protocol.md §9: market not open (PYKIS)' },
  '40570000': { code: 'MARKET_CLOSED', source: 'kis-protocol.md §9: 모의투자 장시작전' },
  '40580000': { code: 'MARKET_CLOSED', source: 'kis-protocol.md §9: 모의투자 장종료' },
  EGW00201: { code: 'RATE_LIMITED', source: 'kis-protocol.md §9: 초당 거래건수를 초과' },
  EGW00215: { code: 'RATE_LIMITED', source: 'kis-protocol.md §9: 원장 초당 거래건수 초과' },
  EGW00133: { code: 'RATE_LIMITED', source: 'kis-protocol.md §9: token issuance 1/min' },
  EGW00121: { code: 'AUTH', source: 'kis-protocol.md §9: 유효하지 않은 token' },
  EGW00123: { code: 'AUTH', source: 'kis-protocol.md §9: 기간이 만료된 token' },
  EGW02004: { code: 'ENVIRONMENT_MISMATCH', source: 'kis-protocol.md §9: paper key on real host' },
  EGW02005: { code: 'ENVIRONMENT_MISMATCH', source: 'kis-protocol.md §9: 실전투자 TR 이 아닙니다' },
  EGW02006: { code: 'ENVIRONMENT_MISMATCH', source: 'kis-protocol.md §9: 모의투자 TR 이 아닙니다' },
});

/**
 * Prefix matches, checked after the exact table, longest prefix first. Empty on purpose: no
 * source confirms a whole family of KIS codes meaning one thing (docs/kis-protocol.md §9 warns
 * against inferring EGW meanings), so unknown codes stay BROKER_REJECTED with the raw code kept. Add an
 * entry only with a source.
 */
export const KIS_ERROR_CODE_PREFIXES: readonly (readonly [string, KisErrorCodeEntry])[] =
  Object.freeze([]);

/**
 * The contract code of a KIS msg_cd: the exact table first, then the longest matching prefix,
 * else `BROKER_REJECTED` (the raw code is kept by the caller as `brokerCode`).
 *
 * @param msgCd The KIS `msg_cd` (or the token endpoint's `error_code`).
 * @param exact The exact table. @defaultValue `KIS_ERROR_CODES`
 * @param prefixes The prefix table. @defaultValue `KIS_ERROR_CODE_PREFIXES`
 * @returns The contract rejection code.
 */
export function kisRejectionCode(
  msgCd: string,
  exact: Readonly<Record<string, KisErrorCodeEntry>> = KIS_ERROR_CODES,
  prefixes: readonly (readonly [string, KisErrorCodeEntry])[] = KIS_ERROR_CODE_PREFIXES,
): RejectionCode {
  const code = msgCd.trim();
  const hit = Object.hasOwn(exact, code) ? exact[code] : undefined;
  if (hit !== undefined) return hit.code;
  let best: readonly [string, KisErrorCodeEntry] | undefined;
  for (const entry of prefixes) {
    if (code.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length)) {
      best = entry;
    }
  }
  return best?.[1].code ?? 'BROKER_REJECTED';
}
