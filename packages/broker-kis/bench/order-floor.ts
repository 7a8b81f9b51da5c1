// broker-kis placeOrder against the lightweight KIS responder (a child process, so the server
// does not share this event loop), beside the node:http keep-alive floor and Node's fetch of the
// identical request, in one run, interleaved. Limiter off. Goal: placeOrder <= 1.3x fetch.
// `pnpm --filter @qts/broker-kis bench` runs it; QTS_BENCH_ROUNDS changes the round count.
import {
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  resolveKisEndpoints,
} from '@qts/auth-phase2';
import {
  fetchClient,
  interleave,
  nodeHttpClient,
  orderCashRequest,
  report,
} from '@qts/bench-kit/floor';
import { startKisResponderProcess } from '@qts/bench-kit/kis-responder';
import { createKisOrderAdapter } from '../src/index.js';

const ROUNDS = Number(process.env.QTS_BENCH_ROUNDS ?? 300);
const WARMUP = 20;
const results: Record<string, unknown> = {};

for (const environment of ['real', 'paper'] as const) {
  const responder = await startKisResponderProcess(environment);
  const endpoints = resolveKisEndpoints(environment, { restBaseUrl: responder.baseUrl });
  const credentials = createKisCredentials({
    appKey: responder.appKey,
    appSecret: responder.appSecret,
    account: responder.account,
  });
  const auth = createKisAuth({ endpoints, credentials, tokenCache: createMemoryTokenCache() });
  const transport = createKisTransport({ endpoints, credentials, auth, ratePerSecond: null });
  const adapter = createKisOrderAdapter({ transport, auth, environment });
  const bare = orderCashRequest({ ...responder, environment, token: await auth.getAccessToken() });
  const body = JSON.parse(bare.body) as Record<string, string>;
  const times = await interleave(
    {
      'node:http keep-alive (floor)': nodeHttpClient(bare),
      'fetch (Node undici, keep-alive)': fetchClient(bare),
      'auth-phase2 transport.request': async () => {
        const answer = await transport.request({
          method: 'POST',
          path: '/uapi/domestic-stock/v1/trading/order-cash',
          trId: bare.headers.tr_id as string,
          body,
        });
        if (!answer.ok) throw new Error(`transport: refused ${answer.msgCd}`);
      },
      'broker-kis placeOrder': () =>
        adapter.placeOrder({
          clientOrderId: 'bench',
          symbol: '005930',
          side: 'buy',
          quantity: 1,
          type: 'limit',
          limitPrice: 70_000,
        }),
    },
    ROUNDS,
    WARMUP,
  );
  results[environment] = report(
    `broker-kis placeOrder vs fetch, ${environment} env, ${ROUNDS} rounds after ${WARMUP} warm-up`,
    times,
    'fetch (Node undici, keep-alive)',
    'node:http keep-alive (floor)',
  );
  await adapter.close();
  await responder.close();
}
process.stdout.write(`${JSON.stringify(results)}\n`);
