// Test helpers: a recording fake KisTransport and KIS answer builders.
import type { KisRequest, KisResponse, KisTransport } from '@qts/auth-phase2';

/** A scripted answer: a KIS body (with header tr_cont), or a thrown error. */
export type FakeAnswer =
  | {
      readonly body: Record<string, unknown>;
      readonly trCont?: string;
      readonly httpStatus?: number;
    }
  | { readonly throws: unknown };

/** A fake transport answering from a queue (or a function), recording every request. */
export function createFakeTransport(
  answer: FakeAnswer[] | ((request: KisRequest) => FakeAnswer),
  environment: 'real' | 'paper' = 'paper',
  htsId: string | null = 'qtsuser',
): KisTransport & { readonly requests: KisRequest[] } {
  const requests: KisRequest[] = [];
  return {
    requests,
    endpoints: {
      environment,
      restBaseUrl: 'http://127.0.0.1:1',
      wsBaseUrl: 'ws://127.0.0.1:1',
      host: '127.0.0.1:1',
    },
    credentials: {
      appKey: 'k'.repeat(36),
      appSecret: 's'.repeat(180),
      accountNumber: '50123456',
      accountProductCode: '01',
      htsId,
      appKeyHash: 'hash',
    },
    async request(request) {
      const { signal: _signal, ...recorded } = request;
      requests.push(recorded);
      const next = typeof answer === 'function' ? answer(request) : answer.shift();
      if (next === undefined) throw new Error('fake transport: no answer scripted');
      if ('throws' in next) throw next.throws;
      const body = next.body;
      const rtCd = typeof body.rt_cd === 'string' ? body.rt_cd : '';
      return {
        httpStatus: next.httpStatus ?? 200,
        ok: rtCd === '0',
        rtCd,
        msgCd: typeof body.msg_cd === 'string' ? body.msg_cd : '',
        msg1: typeof body.msg1 === 'string' ? body.msg1 : '',
        trCont: next.trCont ?? null,
        body,
      } satisfies KisResponse;
    },
  };
}

/** A success envelope around outputs. */
export function ok(outputs: Record<string, unknown>, trCont?: string): FakeAnswer {
  return {
    body: { rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.', ...outputs },
    ...(trCont === undefined ? {} : { trCont }),
  };
}

/** A refusal envelope. */
export function refusal(msgCd: string, msg1: string, rtCd = '7', httpStatus = 200): FakeAnswer {
  return { body: { rt_cd: rtCd, msg_cd: msgCd, msg1 }, httpStatus };
}

/** A daily-ccld row (strings, as KIS sends). */
export function dailyRow(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ord_dt: '20260105',
    ord_gno_brno: '91252',
    odno: '0000437810',
    orgn_odno: '',
    ord_dvsn_name: '지정가',
    sll_buy_dvsn_cd: '02',
    sll_buy_dvsn_cd_name: '현금매수',
    pdno: '005930',
    prdt_name: '삼성전자',
    ord_qty: '10',
    ord_unpr: '70000',
    ord_tmd: '101502',
    tot_ccld_qty: '0',
    avg_prvs: '0',
    cncl_yn: '',
    tot_ccld_amt: '0',
    ord_dvsn_cd: '00',
    cnc_cfrm_qty: '0',
    rmn_qty: '10',
    rjct_qty: '0',
    excg_id_dvsn_Cd: 'KRX',
    ...overrides,
  };
}

/** A fixed clock: 2026-01-05 10:15:02 in Seoul (01:15:02 UTC). */
export const FIXED_NOW = Date.UTC(2026, 0, 5, 1, 15, 2);
