// Adapter time per order against the local KIS sandbox vs a bare fetch of the same request, in
// the same run (rate limiter off). Goal: adapter <= 1.3x bare fetch.
import {
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  resolveKisEndpoints,
} from '@qts/auth-phase2';
import { createVirtualExchange, startKisSandbox } from '@qts/broker-virtual';
import { afterAll, bench, describe } from 'vitest';
import { createKisOrderAdapter } from '../src/index.js';

const environment = 'paper';
const exchange = createVirtualExchange({ startingCash: 1e15 });
exchange.setReferencePrice('005930', 70_000);
const sandbox = await startKisSandbox({ environment, exchange, rateLimitPerSecond: null });
const credentials = createKisCredentials({ ...sandbox.credentials });
const endpoints = resolveKisEndpoints(environment, {
  restBaseUrl: sandbox.baseUrl,
  wsBaseUrl: sandbox.wsUrl,
});
const auth = createKisAuth({ endpoints, credentials, tokenCache: createMemoryTokenCache() });
const transport = createKisTransport({ endpoints, credentials, auth, ratePerSecond: null });
const adapter = createKisOrderAdapter({ transport, auth, environment });
const token = await auth.getAccessToken();
const [cano, product] = sandbox.credentials.account.split('-') as [string, string];

const request = {
  clientOrderId: 'bench',
  symbol: '005930',
  side: 'buy',
  quantity: 1,
  type: 'limit',
  limitPrice: 1_000,
} as const;

const bareBody = JSON.stringify({
  CANO: cano,
  ACNT_PRDT_CD: product,
  PDNO: '005930',
  ORD_DVSN: '00',
  ORD_QTY: '1',
  ORD_UNPR: '1000',
  EXCG_ID_DVSN_CD: 'KRX',
});
const bareHeaders = {
  'content-type': 'application/json; charset=utf-8',
  authorization: `Bearer ${token}`,
  appkey: sandbox.credentials.appKey,
  appsecret: sandbox.credentials.appSecret,
  tr_id: 'VTTC0012U',
  custtype: 'P',
  tr_cont: '',
};

afterAll(async () => {
  await adapter.close();
  await sandbox.close();
  exchange.close();
});

describe('one limit order against the local KIS sandbox', () => {
  bench(
    'bare fetch (same request, JSON parsed)',
    async () => {
      const response = await fetch(`${sandbox.baseUrl}/uapi/domestic-stock/v1/trading/order-cash`, {
        method: 'POST',
        headers: bareHeaders,
        body: bareBody,
      });
      const body = (await response.json()) as { rt_cd?: string };
      if (body.rt_cd !== '0') throw new Error('bare fetch: refused');
    },
    { time: 3_000, warmupTime: 500 },
  );

  bench(
    'adapter.placeOrder',
    async () => {
      await adapter.placeOrder(request);
    },
    { time: 3_000, warmupTime: 500 },
  );
});
