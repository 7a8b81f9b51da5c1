// Cursor paging of the list inquiries: page sizes, CTX_AREA_FK100 / NK100 and tr_cont.
import { KIS_ERRORS, kisJson, type WireResponse } from '../wire.js';
import { invalid, type RestScope, type SandboxRequest } from './common.js';

/** Page sizes per environment (docs/kis-protocol.md §6, §7). */
export const PAGE = {
  'inquire-daily-ccld': { real: 100, paper: 15 },
  'inquire-psbl-rvsecncl': { real: 50, paper: 50 },
  'inquire-balance': { real: 50, paper: 20 },
} as const;

export interface Page<T> {
  readonly rows: readonly T[];
  readonly more: boolean;
  readonly nextKey: string;
}

/** Cursor paging: nk100 carries the last key served; fk100 the filter fingerprint. */
export function paginate<T>(
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

export function pagedResponse(
  ctx: RestScope,
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
      msg_cd: ctx.okMessage.code,
      msg1: ctx.okMessage.msg,
    },
    { trId, trCont },
  );
}

export function ctxError(trId: string): WireResponse {
  return invalid(trId, KIS_ERRORS.badCtx.msg);
}
