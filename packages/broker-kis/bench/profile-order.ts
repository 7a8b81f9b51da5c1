// Profiling driver: N placeOrder calls (limiter off) against the KIS responder in a child
// process. Run under `node --cpu-prof --conditions=@qts/source --import tsx bench/profile-order.ts`
// and summarise the profile with `node bench/profile-summary.mjs <file>.cpuprofile`.
import {
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  resolveKisEndpoints,
} from '@qts/auth-phase2';
import { startKisResponderProcess } from '@qts/bench-kit/kis-responder';
import { createKisOrderAdapter } from '../src/index.js';

const COUNT = Number(process.env.QTS_BENCH_ORDERS ?? 3000);
const responder = await startKisResponderProcess('real');
const endpoints = resolveKisEndpoints('real', { restBaseUrl: responder.baseUrl });
const credentials = createKisCredentials({
  appKey: responder.appKey,
  appSecret: responder.appSecret,
  account: responder.account,
});
const auth = createKisAuth({ endpoints, credentials, tokenCache: createMemoryTokenCache() });
const transport = createKisTransport({ endpoints, credentials, auth, ratePerSecond: null });
const adapter = createKisOrderAdapter({ transport, auth, environment: 'real' });
const order = {
  clientOrderId: 'p',
  symbol: '005930',
  side: 'buy',
  quantity: 1,
  type: 'limit',
  limitPrice: 70_000,
} as const;
for (let i = 0; i < 200; i += 1) await adapter.placeOrder(order);
const start = performance.now();
for (let i = 0; i < COUNT; i += 1) await adapter.placeOrder(order);
const ms = performance.now() - start;
process.stdout.write(`${COUNT} orders, ${(ms / COUNT).toFixed(3)} ms each\n`);
await adapter.close();
await responder.close();
