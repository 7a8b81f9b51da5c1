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

/** A fresh sandbox + adapter, so each bench starts from an empty order book. */
async function setup() {
  const exchange = createVirtualExchange({ startingCash: 1e15 });
  exchange.setReferencePrice('005930', 70_000);
  const sandbox = await startKisSandbox({
    environment,
    exchange,
    rateLimitPerSecond: null,
    keepAlive: true,
  });
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
  const fields = {
    CANO: cano,
    ACNT_PRDT_CD: product,
    PDNO: '005930',
    ORD_DVSN: '00',
    ORD_QTY: '1',
    ORD_UNPR: '1000',
    EXCG_ID_DVSN_CD: 'KRX',
  };
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    authorization: `Bearer ${token}`,
    appkey: sandbox.credentials.appKey,
    appsecret: sandbox.credentials.appSecret,
    tr_id: 'VTTC0012U',
    custtype: 'P',
    tr_cont: '',
  };
  return {
    sandbox,
    transport,
    adapter,
    fields,
    bare: {
      url: `${sandbox.baseUrl}/uapi/domestic-stock/v1/trading/order-cash`,
      headers,
      body: JSON.stringify(fields),
    },
    close: async () => {
      await adapter.close();
      await sandbox.close();
      exchange.close();
    },
  };
}

const bareSide = await setup();
const transportSide = await setup();
const adapterSide = await setup();

const request = {
  clientOrderId: 'bench',
  symbol: '005930',
  side: 'buy',
  quantity: 1,
  type: 'limit',
  limitPrice: 1_000,
} as const;

afterAll(async () => {
  await bareSide.close();
  await transportSide.close();
  await adapterSide.close();
});

// Fixed iteration counts: the sandbox's book grows with every order, so each side books the same
// number of orders on its own sandbox. `bench/order-ratio.ts` gives the interleaved ratio.
const options = { time: 0, iterations: 300, warmupTime: 0, warmupIterations: 20 };

describe('one limit order against the local KIS sandbox', () => {
  bench(
    'bare fetch (same request, JSON parsed)',
    async () => {
      const response = await fetch(bareSide.bare.url, {
        method: 'POST',
        headers: bareSide.bare.headers,
        body: bareSide.bare.body,
      });
      const body = (await response.json()) as { rt_cd?: string };
      if (body.rt_cd !== '0') throw new Error('bare fetch: refused');
    },
    options,
  );

  bench(
    'auth-phase2 transport.request (same request)',
    async () => {
      const response = await transportSide.transport.request({
        method: 'POST',
        path: '/uapi/domestic-stock/v1/trading/order-cash',
        trId: 'VTTC0012U',
        body: transportSide.fields,
      });
      if (!response.ok) throw new Error('transport: refused');
    },
    options,
  );

  bench(
    'adapter.placeOrder',
    async () => {
      await adapterSide.adapter.placeOrder(request);
    },
    options,
  );
});
