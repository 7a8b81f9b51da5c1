// The exact outgoing requests, per endpoint and environment: auth-phase2's real transport over
// globalThis.fetch, intercepted by msw (nothing leaves the process). Secrets are masked before
// the snapshot: the test fails if an unmasked secret would be recorded.
import {
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  resolveKisEndpoints,
} from '@qts/auth-phase2';
import type { OrderRef } from '@qts/order-contract';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKisOrderAdapter, type KisOrderAdapter } from '../src/index.js';
import { FIXED_NOW } from './helpers.js';

const BASE = 'http://127.0.0.1:9';
const APP_KEY = `PS${'a'.repeat(34)}`;
const APP_SECRET = 'b'.repeat(180);
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.test-access-token';

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

const recorded: Recorded[] = [];

function mask(value: string): string {
  return value
    .replaceAll(TOKEN, '[token]')
    .replaceAll(APP_SECRET, '[app secret]')
    .replaceAll(APP_KEY, '[app key]');
}

const ORDER_OUTPUT = { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000437810', ORD_TMD: '101502' };

function answerFor(path: string): Record<string, unknown> {
  if (path.endsWith('/order-cash') || path.endsWith('/order-rvsecncl'))
    return { output: ORDER_OUTPUT };
  if (path.endsWith('/inquire-psbl-order')) return { output: { ord_psbl_cash: '1000' } };
  if (path.endsWith('/inquire-balance'))
    return { output1: [], output2: [{ dnca_tot_amt: '1000' }] };
  if (path.endsWith('/inquire-psbl-rvsecncl')) return { output: [] };
  return { output1: [], output2: {} };
}

const server = setupServer(
  http.post(`${BASE}/oauth2/tokenP`, () =>
    HttpResponse.json({
      access_token: TOKEN,
      token_type: 'Bearer',
      expires_in: 86_400,
      access_token_token_expired: '2099-01-01 00:00:00',
    }),
  ),
  http.all(`${BASE}/uapi/*`, async ({ request }) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = mask(value);
    });
    const text = request.method === 'POST' ? await request.text() : '';
    recorded.push({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: text === '' ? null : JSON.parse(text),
    });
    return HttpResponse.json(
      { rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.', ...answerFor(url.pathname) },
      { headers: { tr_cont: 'D' } },
    );
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  recorded.length = 0;
});

function adapterFor(environment: 'real' | 'paper'): KisOrderAdapter {
  const credentials = createKisCredentials({
    appKey: APP_KEY,
    appSecret: APP_SECRET,
    account: '50123456-01',
    htsId: 'qtsuser',
  });
  const endpoints = resolveKisEndpoints(environment, {
    restBaseUrl: BASE,
    wsBaseUrl: 'ws://127.0.0.1:9',
  });
  const fetch = (input: Request | URL | string, init?: RequestInit) =>
    globalThis.fetch(input, init);
  const auth = createKisAuth({
    endpoints,
    credentials,
    tokenCache: createMemoryTokenCache(),
    fetch,
  });
  const transport = createKisTransport({
    endpoints,
    credentials,
    auth,
    ratePerSecond: null,
    fetch,
  });
  return createKisOrderAdapter({ transport, auth, environment, clock: () => FIXED_NOW });
}

function only(): Recorded {
  expect(recorded).toHaveLength(1);
  const request = recorded[0] as Recorded;
  const text = JSON.stringify(request);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(APP_SECRET);
  return request;
}

const ref: OrderRef = {
  brokerOrderId: '0000437810',
  brokerBranch: '91252',
  symbol: '005930',
  side: 'buy',
  type: 'limit',
  quantity: 10,
  limitPrice: 70_000,
  tradingDate: '20260105',
};

describe('pinned requests: real', () => {
  const adapter = adapterFor('real');

  it('order-cash buy (limit)', async () => {
    await adapter.placeOrder({
      clientOrderId: 'a',
      symbol: '005930',
      side: 'buy',
      quantity: 10,
      type: 'limit',
      limitPrice: 70_000,
    });
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "EXCG_ID_DVSN_CD": "KRX",
          "ORD_DVSN": "00",
          "ORD_QTY": "10",
          "ORD_UNPR": "70000",
          "PDNO": "005930",
        },
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "TTTC0012U",
        },
        "method": "POST",
        "path": "/uapi/domestic-stock/v1/trading/order-cash",
        "query": {},
      }
    `);
  });

  it('order-cash sell (market)', async () => {
    await adapter.placeOrder({
      clientOrderId: 'a',
      symbol: '005930',
      side: 'sell',
      quantity: 3,
      type: 'market',
    });
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "EXCG_ID_DVSN_CD": "KRX",
          "ORD_DVSN": "01",
          "ORD_QTY": "3",
          "ORD_UNPR": "0",
          "PDNO": "005930",
        },
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "TTTC0011U",
        },
        "method": "POST",
        "path": "/uapi/domestic-stock/v1/trading/order-cash",
        "query": {},
      }
    `);
  });

  it('order-rvsecncl cancel', async () => {
    await adapter.cancelOrder(ref);
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "EXCG_ID_DVSN_CD": "KRX",
          "KRX_FWDG_ORD_ORGNO": "91252",
          "ORD_DVSN": "00",
          "ORD_QTY": "0",
          "ORD_UNPR": "0",
          "ORGN_ODNO": "0000437810",
          "QTY_ALL_ORD_YN": "Y",
          "RVSE_CNCL_DVSN_CD": "02",
        },
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "TTTC0013U",
        },
        "method": "POST",
        "path": "/uapi/domestic-stock/v1/trading/order-rvsecncl",
        "query": {},
      }
    `);
  });

  it('order-rvsecncl modify', async () => {
    await adapter.modifyOrder(ref, { limitPrice: 69_900 });
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "EXCG_ID_DVSN_CD": "KRX",
          "KRX_FWDG_ORD_ORGNO": "91252",
          "ORD_DVSN": "00",
          "ORD_QTY": "0",
          "ORD_UNPR": "69900",
          "ORGN_ODNO": "0000437810",
          "QTY_ALL_ORD_YN": "Y",
          "RVSE_CNCL_DVSN_CD": "01",
        },
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "TTTC0013U",
        },
        "method": "POST",
        "path": "/uapi/domestic-stock/v1/trading/order-rvsecncl",
        "query": {},
      }
    `);
  });

  it('inquire-daily-ccld', async () => {
    await adapter.getOrders({ tradingDate: '20260105' });
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": null,
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "TTTC0081R",
        },
        "method": "GET",
        "path": "/uapi/domestic-stock/v1/trading/inquire-daily-ccld",
        "query": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "CCLD_DVSN": "00",
          "CTX_AREA_FK100": "",
          "CTX_AREA_NK100": "",
          "EXCG_ID_DVSN_CD": "KRX",
          "INQR_DVSN": "01",
          "INQR_DVSN_1": "",
          "INQR_DVSN_3": "00",
          "INQR_END_DT": "20260105",
          "INQR_STRT_DT": "20260105",
          "ODNO": "",
          "ORD_GNO_BRNO": "",
          "PDNO": "",
          "SLL_BUY_DVSN_CD": "00",
        },
      }
    `);
  });

  it('inquire-psbl-rvsecncl (open orders today)', async () => {
    await adapter.getOrders({ tradingDate: '20260105', openOnly: true });
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": null,
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "TTTC0084R",
        },
        "method": "GET",
        "path": "/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl",
        "query": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "CTX_AREA_FK100": "",
          "CTX_AREA_NK100": "",
          "INQR_DVSN_1": "0",
          "INQR_DVSN_2": "0",
        },
      }
    `);
  });

  it('inquire-balance + inquire-psbl-order', async () => {
    await adapter.getBalance();
    expect(recorded).toMatchInlineSnapshot(`
      [
        {
          "body": null,
          "headers": {
            "appkey": "[app key]",
            "appsecret": "[app secret]",
            "authorization": "Bearer [token]",
            "content-type": "application/json; charset=utf-8",
            "custtype": "P",
            "tr_cont": "",
            "tr_id": "TTTC8434R",
          },
          "method": "GET",
          "path": "/uapi/domestic-stock/v1/trading/inquire-balance",
          "query": {
            "ACNT_PRDT_CD": "01",
            "AFHR_FLPR_YN": "N",
            "CANO": "50123456",
            "CTX_AREA_FK100": "",
            "CTX_AREA_NK100": "",
            "FNCG_AMT_AUTO_RDPT_YN": "N",
            "FUND_STTL_ICLD_YN": "N",
            "INQR_DVSN": "02",
            "OFL_YN": "",
            "PRCS_DVSN": "00",
            "UNPR_DVSN": "01",
          },
        },
        {
          "body": null,
          "headers": {
            "appkey": "[app key]",
            "appsecret": "[app secret]",
            "authorization": "Bearer [token]",
            "content-type": "application/json; charset=utf-8",
            "custtype": "P",
            "tr_cont": "",
            "tr_id": "TTTC8908R",
          },
          "method": "GET",
          "path": "/uapi/domestic-stock/v1/trading/inquire-psbl-order",
          "query": {
            "ACNT_PRDT_CD": "01",
            "CANO": "50123456",
            "CMA_EVLU_AMT_ICLD_YN": "N",
            "ORD_DVSN": "01",
            "ORD_UNPR": "0",
            "OVRS_ICLD_YN": "N",
            "PDNO": "005930",
          },
        },
      ]
    `);
  });
});

describe('pinned requests: paper', () => {
  const adapter = adapterFor('paper');

  it('order-cash buy (limit)', async () => {
    await adapter.placeOrder({
      clientOrderId: 'a',
      symbol: '005930',
      side: 'buy',
      quantity: 10,
      type: 'limit',
      limitPrice: 70_000,
    });
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "EXCG_ID_DVSN_CD": "KRX",
          "ORD_DVSN": "00",
          "ORD_QTY": "10",
          "ORD_UNPR": "70000",
          "PDNO": "005930",
        },
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "VTTC0012U",
        },
        "method": "POST",
        "path": "/uapi/domestic-stock/v1/trading/order-cash",
        "query": {},
      }
    `);
  });

  it('order-cash sell (market)', async () => {
    await adapter.placeOrder({
      clientOrderId: 'a',
      symbol: '005930',
      side: 'sell',
      quantity: 3,
      type: 'market',
    });
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "EXCG_ID_DVSN_CD": "KRX",
          "ORD_DVSN": "01",
          "ORD_QTY": "3",
          "ORD_UNPR": "0",
          "PDNO": "005930",
        },
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "VTTC0011U",
        },
        "method": "POST",
        "path": "/uapi/domestic-stock/v1/trading/order-cash",
        "query": {},
      }
    `);
  });

  it('order-rvsecncl cancel', async () => {
    await adapter.cancelOrder(ref);
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "EXCG_ID_DVSN_CD": "KRX",
          "KRX_FWDG_ORD_ORGNO": "91252",
          "ORD_DVSN": "00",
          "ORD_QTY": "0",
          "ORD_UNPR": "0",
          "ORGN_ODNO": "0000437810",
          "QTY_ALL_ORD_YN": "Y",
          "RVSE_CNCL_DVSN_CD": "02",
        },
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "VTTC0013U",
        },
        "method": "POST",
        "path": "/uapi/domestic-stock/v1/trading/order-rvsecncl",
        "query": {},
      }
    `);
  });

  it('order-rvsecncl modify', async () => {
    await adapter.modifyOrder(ref, { limitPrice: 69_900 });
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "EXCG_ID_DVSN_CD": "KRX",
          "KRX_FWDG_ORD_ORGNO": "91252",
          "ORD_DVSN": "00",
          "ORD_QTY": "0",
          "ORD_UNPR": "69900",
          "ORGN_ODNO": "0000437810",
          "QTY_ALL_ORD_YN": "Y",
          "RVSE_CNCL_DVSN_CD": "01",
        },
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "VTTC0013U",
        },
        "method": "POST",
        "path": "/uapi/domestic-stock/v1/trading/order-rvsecncl",
        "query": {},
      }
    `);
  });

  it('inquire-daily-ccld (open orders: CCLD_DVSN 02)', async () => {
    await adapter.getOrders({ tradingDate: '20260105', openOnly: true });
    expect(only()).toMatchInlineSnapshot(`
      {
        "body": null,
        "headers": {
          "appkey": "[app key]",
          "appsecret": "[app secret]",
          "authorization": "Bearer [token]",
          "content-type": "application/json; charset=utf-8",
          "custtype": "P",
          "tr_cont": "",
          "tr_id": "VTTC0081R",
        },
        "method": "GET",
        "path": "/uapi/domestic-stock/v1/trading/inquire-daily-ccld",
        "query": {
          "ACNT_PRDT_CD": "01",
          "CANO": "50123456",
          "CCLD_DVSN": "02",
          "CTX_AREA_FK100": "",
          "CTX_AREA_NK100": "",
          "EXCG_ID_DVSN_CD": "KRX",
          "INQR_DVSN": "01",
          "INQR_DVSN_1": "",
          "INQR_DVSN_3": "00",
          "INQR_END_DT": "20260105",
          "INQR_STRT_DT": "20260105",
          "ODNO": "",
          "ORD_GNO_BRNO": "",
          "PDNO": "",
          "SLL_BUY_DVSN_CD": "00",
        },
      }
    `);
  });

  it('inquire-balance + inquire-psbl-order', async () => {
    await adapter.getBalance();
    expect(recorded).toMatchInlineSnapshot(`
      [
        {
          "body": null,
          "headers": {
            "appkey": "[app key]",
            "appsecret": "[app secret]",
            "authorization": "Bearer [token]",
            "content-type": "application/json; charset=utf-8",
            "custtype": "P",
            "tr_cont": "",
            "tr_id": "VTTC8434R",
          },
          "method": "GET",
          "path": "/uapi/domestic-stock/v1/trading/inquire-balance",
          "query": {
            "ACNT_PRDT_CD": "01",
            "AFHR_FLPR_YN": "N",
            "CANO": "50123456",
            "CTX_AREA_FK100": "",
            "CTX_AREA_NK100": "",
            "FNCG_AMT_AUTO_RDPT_YN": "N",
            "FUND_STTL_ICLD_YN": "N",
            "INQR_DVSN": "02",
            "OFL_YN": "",
            "PRCS_DVSN": "00",
            "UNPR_DVSN": "01",
          },
        },
        {
          "body": null,
          "headers": {
            "appkey": "[app key]",
            "appsecret": "[app secret]",
            "authorization": "Bearer [token]",
            "content-type": "application/json; charset=utf-8",
            "custtype": "P",
            "tr_cont": "",
            "tr_id": "VTTC8908R",
          },
          "method": "GET",
          "path": "/uapi/domestic-stock/v1/trading/inquire-psbl-order",
          "query": {
            "ACNT_PRDT_CD": "01",
            "CANO": "50123456",
            "CMA_EVLU_AMT_ICLD_YN": "N",
            "ORD_DVSN": "01",
            "ORD_UNPR": "0",
            "OVRS_ICLD_YN": "N",
            "PDNO": "005930",
          },
        },
      ]
    `);
  });
});
