// Interleaved A/B measurement of adapter.placeOrder vs a bare fetch of the same request against
// the local KIS sandbox (rate limiter off): medians over ROUNDS rounds, so machine load hits both
// sides alike. Run by `pnpm bench` after the vitest benches; prints one JSON line.
import { performance } from 'node:perf_hooks';
import {
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  resolveKisEndpoints,
} from '@qts/auth-phase2';
import { createVirtualExchange, startKisSandbox } from '@qts/broker-virtual';
import { createKisOrderAdapter } from '../src/index.js';

const ROUNDS = Number(process.env.QTS_BENCH_ROUNDS ?? 300);
const environment = 'paper';
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
const url = `${sandbox.baseUrl}/uapi/domestic-stock/v1/trading/order-cash`;
const body = JSON.stringify({
  CANO: cano,
  ACNT_PRDT_CD: product,
  PDNO: '005930',
  ORD_DVSN: '00',
  ORD_QTY: '1',
  ORD_UNPR: '1000',
  EXCG_ID_DVSN_CD: 'KRX',
});
const headers = {
  'content-type': 'application/json; charset=utf-8',
  authorization: `Bearer ${token}`,
  appkey: sandbox.credentials.appKey,
  appsecret: sandbox.credentials.appSecret,
  tr_id: 'VTTC0012U',
  custtype: 'P',
  tr_cont: '',
};

async function bare(): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const parsed = (await response.json()) as { rt_cd?: string };
  if (parsed.rt_cd !== '0') throw new Error('bare fetch refused');
}

async function viaAdapter(): Promise<void> {
  await adapter.placeOrder({
    clientOrderId: 'bench',
    symbol: '005930',
    side: 'buy',
    quantity: 1,
    type: 'limit',
    limitPrice: 1_000,
  });
}

async function time(action: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

for (let i = 0; i < 20; i += 1) {
  await bare();
  await viaAdapter();
}
const bareTimes: number[] = [];
const adapterTimes: number[] = [];
for (let i = 0; i < ROUNDS; i += 1) {
  if (i % 2 === 0) {
    bareTimes.push(await time(bare));
    adapterTimes.push(await time(viaAdapter));
  } else {
    adapterTimes.push(await time(viaAdapter));
    bareTimes.push(await time(bare));
  }
}
const bareMedian = median(bareTimes);
const adapterMedian = median(adapterTimes);
console.log(
  JSON.stringify({
    rounds: ROUNDS,
    bareFetchMedianMs: Number(bareMedian.toFixed(3)),
    adapterMedianMs: Number(adapterMedian.toFixed(3)),
    ratio: Number((adapterMedian / bareMedian).toFixed(3)),
  }),
);
await adapter.close();
await sandbox.close();
exchange.close();
