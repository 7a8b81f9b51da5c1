import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createKisAuth,
  createKisTransport,
  createMemoryTokenCache,
  KisConfigError,
  KisTransportError,
  kisTrId,
  resolveKisEndpoints,
} from '../src/index.js';
import { CANARY_SECRET, CANARY_TOKEN, testCredentials } from './helpers.js';
import { fakeClock, KIS, mswFetch, newTokenState, tokenHandlers } from './msw-kis.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const endpoints = resolveKisEndpoints('paper', { restBaseUrl: KIS });
const ORDER_PATH = '/uapi/domestic-stock/v1/trading/order-cash';
const CCLD_PATH = '/uapi/domestic-stock/v1/trading/inquire-daily-ccld';

function setup() {
  const time = fakeClock();
  const state = newTokenState();
  server.use(...tokenHandlers(time.clock, state));
  const credentials = testCredentials();
  const cache = createMemoryTokenCache();
  const auth = createKisAuth({
    endpoints,
    credentials,
    tokenCache: cache,
    clock: time.clock,
    sleep: time.sleep,
    fetch: mswFetch,
  });
  const transport = createKisTransport({
    endpoints,
    credentials,
    auth,
    fetch: mswFetch,
    ratePerSecond: null,
  });
  return { time, state, auth, transport };
}

const order = {
  method: 'POST',
  path: ORDER_PATH,
  trId: kisTrId('paper', 'TTTC0012U'),
  body: {
    CANO: '50012345',
    ACNT_PRDT_CD: '01',
    PDNO: '005930',
    ORD_DVSN: '00',
    ORD_QTY: '1',
    ORD_UNPR: '70000',
  },
} as const;

describe('KIS transport over msw', () => {
  it('HTTP 200 rt_cd 0: headers, body, outputs', async () => {
    const { transport } = setup();
    let seen: Request | undefined;
    let sentBody: unknown;
    server.use(
      http.post(`${KIS}${ORDER_PATH}`, async ({ request }) => {
        seen = request;
        sentBody = await request.json();
        return HttpResponse.json(
          {
            rt_cd: '0',
            msg_cd: 'APBK0013',
            msg1: '주문 전송 완료 되었습니다.',
            output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000117057', ORD_TMD: '121052' },
          },
          { headers: { tr_id: 'VTTC0012U', tr_cont: '' } },
        );
      }),
    );
    const response = await transport.request(order);
    expect(response).toEqual({
      httpStatus: 200,
      ok: true,
      rtCd: '0',
      msgCd: 'APBK0013',
      msg1: '주문 전송 완료 되었습니다.',
      trCont: '',
      body: {
        rt_cd: '0',
        msg_cd: 'APBK0013',
        msg1: '주문 전송 완료 되었습니다.',
        output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000117057', ORD_TMD: '121052' },
      },
    });
    expect(sentBody).toEqual(order.body);
    expect(Object.fromEntries(seen?.headers ?? [])).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${CANARY_TOKEN}-1`,
      appkey: 'PSabcdefghijklmnopqrstuvwxyz01234567',
      appsecret: CANARY_SECRET,
      tr_id: 'VTTC0012U',
      custtype: 'P',
      tr_cont: '',
    });
  });

  it('HTTP 200 rt_cd 7 is returned (ok false), not thrown', async () => {
    const { transport } = setup();
    server.use(
      http.post(`${KIS}${ORDER_PATH}`, () =>
        HttpResponse.json({
          rt_cd: '7',
          msg_cd: 'APBK0952',
          msg1: '주문가능금액을 초과 했습니다   ',
        }),
      ),
    );
    expect(await transport.request(order)).toMatchObject({
      httpStatus: 200,
      ok: false,
      rtCd: '7',
      msgCd: 'APBK0952',
      msg1: '주문가능금액을 초과 했습니다',
    });
  });

  it('HTTP 500 with a KIS body (EGW00201) is returned, not thrown, not retried', async () => {
    const { transport } = setup();
    let calls = 0;
    server.use(
      http.post(`${KIS}${ORDER_PATH}`, () => {
        calls += 1;
        return HttpResponse.json(
          { rt_cd: '1', msg_cd: 'EGW00201', msg1: '초당 거래건수를 초과하였습니다.' },
          { status: 500 },
        );
      }),
    );
    expect(await transport.request(order)).toMatchObject({
      httpStatus: 500,
      ok: false,
      rtCd: '1',
      msgCd: 'EGW00201',
    });
    expect(calls).toBe(1);
  });

  it('HTTP 500 without a KIS body -> KisTransportError sent/http-error (no retry)', async () => {
    const { transport } = setup();
    let calls = 0;
    server.use(
      http.post(`${KIS}${ORDER_PATH}`, () => {
        calls += 1;
        return new HttpResponse('<html>Internal Server Error</html>', { status: 500 });
      }),
    );
    const error = await transport.request(order).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KisTransportError);
    expect(error).toMatchObject({ phase: 'sent', reason: 'http-error', httpStatus: 500 });
    expect(calls).toBe(1);
  });

  it('HTTP 200 with an unreadable body -> sent/invalid-body', async () => {
    const { transport } = setup();
    server.use(http.post(`${KIS}${ORDER_PATH}`, () => HttpResponse.json({ hello: 'world' })));
    await expect(transport.request(order)).rejects.toMatchObject({
      phase: 'sent',
      reason: 'invalid-body',
      httpStatus: 200,
    });
  });

  it.each(['EGW00123', 'EGW00121'])(
    '%s drops the token (no resend); the next call gets a new one',
    async (code) => {
      const { transport, auth, state, time } = setup();
      let calls = 0;
      server.use(
        http.post(`${KIS}${ORDER_PATH}`, () => {
          calls += 1;
          return calls === 1
            ? HttpResponse.json(
                { rt_cd: '1', msg_cd: code, msg1: '기간이 만료된 token 입니다.' },
                { status: 500 },
              )
            : HttpResponse.json({ rt_cd: '0', msg_cd: 'APBK0013', msg1: 'ok' });
        }),
      );
      expect(await transport.request(order)).toMatchObject({ ok: false, msgCd: code });
      expect(calls).toBe(1);
      expect(await auth.tokenStatus()).toBeNull();
      time.state.now += 61_000;
      expect(await transport.request(order)).toMatchObject({ ok: true });
      expect(state.issued).toBe(2);
    },
  );

  it('GET with query and paging: tr_cont request/response headers', async () => {
    const { transport } = setup();
    const seen: { query: Record<string, string>; trCont: string | null }[] = [];
    server.use(
      http.get(`${KIS}${CCLD_PATH}`, ({ request }) => {
        const url = new URL(request.url);
        seen.push({
          query: Object.fromEntries(url.searchParams),
          trCont: request.headers.get('tr_cont'),
        });
        const more = seen.length === 1;
        return HttpResponse.json(
          {
            rt_cd: '0',
            msg_cd: 'KIOK0000',
            msg1: '조회가 완료되었습니다',
            output1: [{ ODNO: String(seen.length) }],
            output2: {},
            ctx_area_fk100: 'FK',
            ctx_area_nk100: more ? 'NK1' : '',
          },
          { headers: { tr_cont: more ? 'M' : 'D' } },
        );
      }),
    );
    const query = {
      CANO: '50012345',
      ACNT_PRDT_CD: '01',
      INQR_STRT_DT: '20261125',
      INQR_END_DT: '20261125',
      CTX_AREA_FK100: '',
      CTX_AREA_NK100: '',
    };
    const first = await transport.request({
      method: 'GET',
      path: CCLD_PATH,
      trId: 'VTTC0081R',
      query,
    });
    expect(first.trCont).toBe('M');
    const second = await transport.request({
      method: 'GET',
      path: CCLD_PATH,
      trId: 'VTTC0081R',
      trCont: 'N',
      query: {
        ...query,
        CTX_AREA_FK100: String(first.body.ctx_area_fk100),
        CTX_AREA_NK100: String(first.body.ctx_area_nk100),
      },
    });
    expect(second.trCont).toBe('D');
    expect(second.body.output1).toEqual([{ ODNO: '2' }]);
    expect(seen[0]).toEqual({ query, trCont: '' });
    expect(seen[1]?.trCont).toBe('N');
    expect(seen[1]?.query.CTX_AREA_NK100).toBe('NK1');
  });

  it('a token failure throws KisAuthError and sends no request', async () => {
    const { transport, state } = setup();
    state.mode = 'egw00133';
    let calls = 0;
    server.use(
      http.post(`${KIS}${ORDER_PATH}`, () => {
        calls += 1;
        return HttpResponse.json({ rt_cd: '0' });
      }),
    );
    await expect(transport.request(order)).rejects.toMatchObject({
      name: 'KisAuthError',
      errorCode: 'EGW00133',
    });
    expect(calls).toBe(0);
  });

  it('refuses malformed requests and mismatched auth before sending', async () => {
    const { transport, auth } = setup();
    await expect(transport.request({ ...order, path: 'no-slash' })).rejects.toBeInstanceOf(
      KisConfigError,
    );
    await expect(transport.request({ ...order, trId: 'bad id' })).rejects.toBeInstanceOf(
      KisConfigError,
    );
    expect(() =>
      createKisTransport({
        endpoints: resolveKisEndpoints('real', { restBaseUrl: KIS }),
        credentials: testCredentials(),
        auth,
      }),
    ).toThrow(KisConfigError);
  });
});
