// Shared set-up of the order benches: a fresh paper sandbox (keep-alive, limiter off) with an
// adapter, a transport and the bare order-cash request built from the same credentials.
import {
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  resolveKisEndpoints,
} from '@qts/auth-phase2';
import { createVirtualExchange, startKisSandbox } from '@qts/broker-virtual';
import { createKisOrderAdapter } from '../src/index.js';

const environment = 'paper';

/** A fresh sandbox + adapter, so each bench starts from an empty order book. */
export async function setupOrderBench() {
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
