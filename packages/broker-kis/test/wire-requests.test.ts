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
import {
  ORDER_DIVISION_RULES,
  ORDER_DIVISIONS,
  type OrderDivision,
  type OrderRef,
  type OrderRequest,
  orderDivisionParts,
  VENUES,
  type Venue,
} from '@qts/order-contract';
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
          "EXCG_ID_DVSN_CD": "ALL",
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

/** A request for one division at one venue: a price only where the division takes one. */
function divisionRequest(division: OrderDivision, venue: Venue): OrderRequest {
  const priced = ORDER_DIVISION_RULES[division].limitPrice === 'required';
  return {
    clientOrderId: `${division}-${venue}`,
    symbol: '005930',
    side: 'buy',
    quantity: 10,
    ...orderDivisionParts(division),
    ...(priced ? { limitPrice: 70_000 } : {}),
    ...(venue === 'KRX' ? {} : { venue }),
  };
}

/** One line per request: what was asked, the TR id and the exact body (keys sorted). */
function lineOf(label: string): string {
  const request = only();
  const body = request.body as Record<string, string>;
  const sorted = Object.fromEntries(
    Object.keys(body)
      .sort()
      .map((key) => [key, body[key]]),
  );
  recorded.length = 0;
  return `${label} ${request.headers.tr_id} ${JSON.stringify(sorted)}`;
}

async function refusedBeforeSending(call: () => Promise<unknown>): Promise<string> {
  const error = await call().then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(recorded).toHaveLength(0);
  expect(error).toMatchObject({ name: 'InvalidOrderError', outcome: 'not_placed' });
  const issues = (error as { issues: { code: string }[] }).issues;
  return issues.map((issue) => issue.code).join(',');
}

describe('order divisions and venues on the wire', () => {
  it('real: every division at every venue that takes it (ORD_DVSN, ORD_UNPR "0" when the exchange prices it, EXCG_ID_DVSN_CD)', async () => {
    const adapter = adapterFor('real');
    const lines: string[] = [];
    for (const division of ORDER_DIVISIONS) {
      for (const venue of ORDER_DIVISION_RULES[division].venues) {
        await adapter.placeOrder(divisionRequest(division, venue));
        lines.push(lineOf(`${division}@${venue}`));
      }
    }
    expect(lines).toMatchInlineSnapshot(`
      [
        "limit@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"00","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "limit@NXT TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","ORD_DVSN":"00","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "limit@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"00","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "market@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"01","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "market@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"01","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "conditional@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"02","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "best@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"03","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "best@NXT TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","ORD_DVSN":"03","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "best@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"03","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "priority@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"04","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "priority@NXT TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","ORD_DVSN":"04","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "priority@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"04","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "pre-market-close@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"05","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "post-market-close@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"06","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "after-hours-single@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"07","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "ioc-limit@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"11","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "ioc-limit@NXT TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","ORD_DVSN":"11","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "ioc-limit@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"11","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "fok-limit@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"12","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "fok-limit@NXT TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","ORD_DVSN":"12","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "fok-limit@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"12","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "ioc-market@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"13","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "ioc-market@NXT TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","ORD_DVSN":"13","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "ioc-market@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"13","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "fok-market@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"14","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "fok-market@NXT TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","ORD_DVSN":"14","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "fok-market@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"14","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "ioc-best@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"15","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "ioc-best@NXT TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","ORD_DVSN":"15","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "ioc-best@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"15","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "fok-best@KRX TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"16","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "fok-best@NXT TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","ORD_DVSN":"16","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "fok-best@SOR TTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","ORD_DVSN":"16","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
      ]
    `);
  });

  it('paper: the five divisions paper takes, on KRX', async () => {
    const adapter = adapterFor('paper');
    const lines: string[] = [];
    for (const division of ['limit', 'market', 'conditional', 'best', 'priority'] as const) {
      await adapter.placeOrder(divisionRequest(division, 'KRX'));
      lines.push(lineOf(`${division}@KRX`));
    }
    expect(lines).toMatchInlineSnapshot(`
      [
        "limit@KRX VTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"00","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "market@KRX VTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"01","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "conditional@KRX VTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"02","ORD_QTY":"10","ORD_UNPR":"70000","PDNO":"005930"}",
        "best@KRX VTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"03","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
        "priority@KRX VTTC0012U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","ORD_DVSN":"04","ORD_QTY":"10","ORD_UNPR":"0","PDNO":"005930"}",
      ]
    `);
  });

  it('paper refuses before sending: the off-hours, IOC and FOK divisions, and NXT / SOR', async () => {
    const adapter = adapterFor('paper');
    const refusals: string[] = [];
    for (const division of ORDER_DIVISIONS) {
      for (const venue of VENUES) {
        if (!ORDER_DIVISION_RULES[division].venues.includes(venue)) continue;
        const offered =
          ['limit', 'market', 'conditional', 'best', 'priority'].includes(division) &&
          venue === 'KRX';
        if (offered) continue;
        const codes = await refusedBeforeSending(() =>
          adapter.placeOrder(divisionRequest(division, venue)),
        );
        refusals.push(`${division}@${venue} ${codes}`);
      }
    }
    expect(refusals).toMatchInlineSnapshot(`
      [
        "limit@NXT venue-not-supported",
        "limit@SOR venue-not-supported",
        "market@SOR venue-not-supported",
        "best@NXT venue-not-supported",
        "best@SOR venue-not-supported",
        "priority@NXT venue-not-supported",
        "priority@SOR venue-not-supported",
        "pre-market-close@KRX division-not-supported",
        "post-market-close@KRX division-not-supported",
        "after-hours-single@KRX division-not-supported",
        "ioc-limit@KRX division-not-supported",
        "ioc-limit@NXT division-not-supported,venue-not-supported",
        "ioc-limit@SOR division-not-supported,venue-not-supported",
        "fok-limit@KRX division-not-supported",
        "fok-limit@NXT division-not-supported,venue-not-supported",
        "fok-limit@SOR division-not-supported,venue-not-supported",
        "ioc-market@KRX division-not-supported",
        "ioc-market@NXT division-not-supported,venue-not-supported",
        "ioc-market@SOR division-not-supported,venue-not-supported",
        "fok-market@KRX division-not-supported",
        "fok-market@NXT division-not-supported,venue-not-supported",
        "fok-market@SOR division-not-supported,venue-not-supported",
        "ioc-best@KRX division-not-supported",
        "ioc-best@NXT division-not-supported,venue-not-supported",
        "ioc-best@SOR division-not-supported,venue-not-supported",
        "fok-best@KRX division-not-supported",
        "fok-best@NXT division-not-supported,venue-not-supported",
        "fok-best@SOR division-not-supported,venue-not-supported",
      ]
    `);
  });

  it('real refuses before sending what a venue does not take (NXT market, SOR conditional, NXT off-hours)', async () => {
    const adapter = adapterFor('real');
    const cases: [OrderDivision, Venue][] = [
      ['market', 'NXT'],
      ['conditional', 'NXT'],
      ['conditional', 'SOR'],
      ['pre-market-close', 'NXT'],
      ['after-hours-single', 'SOR'],
    ];
    const refusals: string[] = [];
    for (const [division, venue] of cases) {
      refusals.push(
        `${division}@${venue} ${await refusedBeforeSending(() => adapter.placeOrder(divisionRequest(division, venue)))}`,
      );
    }
    expect(refusals).toMatchInlineSnapshot(`
      [
        "market@NXT venue-not-offered",
        "conditional@NXT venue-not-offered",
        "conditional@SOR venue-not-offered",
        "pre-market-close@NXT venue-not-offered",
        "after-hours-single@SOR venue-not-offered",
      ]
    `);
  });

  const divisionRef = (division: OrderDivision, venue: Venue): OrderRef => ({
    ...ref,
    ...orderDivisionParts(division),
    limitPrice: ORDER_DIVISION_RULES[division].limitPrice === 'required' ? 70_000 : null,
    ...(venue === 'KRX' ? {} : { venue }),
  });

  it("real: a cancel sends 00 and the order's venue; a modify keeps the order's division and venue", async () => {
    const adapter = adapterFor('real');
    const lines: string[] = [];
    await adapter.cancelOrder(divisionRef('best', 'NXT'));
    lines.push(lineOf('cancel best@NXT'));
    await adapter.cancelOrder(divisionRef('market', 'SOR'));
    lines.push(lineOf('cancel market@SOR'));
    await adapter.cancelOrder(divisionRef('after-hours-single', 'KRX'));
    lines.push(lineOf('cancel after-hours-single@KRX'));
    await adapter.modifyOrder(divisionRef('conditional', 'KRX'), { limitPrice: 69_900 });
    lines.push(lineOf('modify conditional@KRX 69900'));
    await adapter.modifyOrder(divisionRef('limit', 'SOR'), { limitPrice: 69_900 });
    lines.push(lineOf('modify limit@SOR 69900'));
    await adapter.modifyOrder(divisionRef('after-hours-single', 'KRX'), { limitPrice: 69_900 });
    lines.push(lineOf('modify after-hours-single@KRX 69900'));
    expect(lines).toMatchInlineSnapshot(`
      [
        "cancel best@NXT TTTC0013U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"NXT","KRX_FWDG_ORD_ORGNO":"91252","ORD_DVSN":"00","ORD_QTY":"0","ORD_UNPR":"0","ORGN_ODNO":"0000437810","QTY_ALL_ORD_YN":"Y","RVSE_CNCL_DVSN_CD":"02"}",
        "cancel market@SOR TTTC0013U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","KRX_FWDG_ORD_ORGNO":"91252","ORD_DVSN":"00","ORD_QTY":"0","ORD_UNPR":"0","ORGN_ODNO":"0000437810","QTY_ALL_ORD_YN":"Y","RVSE_CNCL_DVSN_CD":"02"}",
        "cancel after-hours-single@KRX TTTC0013U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","KRX_FWDG_ORD_ORGNO":"91252","ORD_DVSN":"00","ORD_QTY":"0","ORD_UNPR":"0","ORGN_ODNO":"0000437810","QTY_ALL_ORD_YN":"Y","RVSE_CNCL_DVSN_CD":"02"}",
        "modify conditional@KRX 69900 TTTC0013U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","KRX_FWDG_ORD_ORGNO":"91252","ORD_DVSN":"02","ORD_QTY":"0","ORD_UNPR":"69900","ORGN_ODNO":"0000437810","QTY_ALL_ORD_YN":"Y","RVSE_CNCL_DVSN_CD":"01"}",
        "modify limit@SOR 69900 TTTC0013U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"SOR","KRX_FWDG_ORD_ORGNO":"91252","ORD_DVSN":"00","ORD_QTY":"0","ORD_UNPR":"69900","ORGN_ODNO":"0000437810","QTY_ALL_ORD_YN":"Y","RVSE_CNCL_DVSN_CD":"01"}",
        "modify after-hours-single@KRX 69900 TTTC0013U {"ACNT_PRDT_CD":"01","CANO":"50123456","EXCG_ID_DVSN_CD":"KRX","KRX_FWDG_ORD_ORGNO":"91252","ORD_DVSN":"07","ORD_QTY":"0","ORD_UNPR":"69900","ORGN_ODNO":"0000437810","QTY_ALL_ORD_YN":"Y","RVSE_CNCL_DVSN_CD":"01"}",
      ]
    `);
  });

  it('real refuses before sending a cancel of an IOC / FOK order and a new price on an exchange-priced one', async () => {
    const adapter = adapterFor('real');
    const refusals = [
      await refusedBeforeSending(() => adapter.cancelOrder(divisionRef('ioc-limit', 'KRX'))),
      await refusedBeforeSending(() => adapter.cancelOrder(divisionRef('fok-best', 'NXT'))),
      await refusedBeforeSending(() =>
        adapter.modifyOrder(divisionRef('ioc-market', 'SOR'), { limitPrice: 69_900 }),
      ),
      await refusedBeforeSending(() =>
        adapter.modifyOrder(divisionRef('best', 'KRX'), { limitPrice: 69_900 }),
      ),
      await refusedBeforeSending(() =>
        adapter.modifyOrder(divisionRef('pre-market-close', 'KRX'), { limitPrice: 69_900 }),
      ),
    ];
    expect(refusals).toEqual([
      'order-does-not-rest',
      'order-does-not-rest',
      'order-does-not-rest',
      'price-set-by-exchange',
      'price-set-by-exchange',
    ]);
  });

  it('real: a plain market order may still be modified to a limit price (as before divisions)', async () => {
    const adapter = adapterFor('real');
    await adapter.modifyOrder({ ...ref, type: 'market', limitPrice: null }, { limitPrice: 69_900 });
    expect(lineOf('modify market@KRX 69900')).toContain('"ORD_DVSN":"00"');
  });
});
