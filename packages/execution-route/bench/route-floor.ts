// The whole route (submit: validation, SQLite journal at the default durability, broker-kis,
// state mapping) against the lightweight KIS responder (a child process), beside the node:http
// keep-alive floor and Node's fetch of the identical order request, in one run, interleaved.
// Limiter off. Goals: route <= 1.5x fetch (median), p99 <= 3x fetch p99.
// `pnpm --filter @qts/execution-route bench` runs it; QTS_BENCH_ROUNDS changes the round count.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { createKisOrderAdapter } from '@qts/broker-kis';
import {
  createExecutionRoute,
  createMemoryJournal,
  createSqliteJournal,
  type ExecutionRoute,
} from '../src/index.js';

const ROUNDS = Number(process.env.QTS_BENCH_ROUNDS ?? 300);
const WARMUP = 20;
const environment = (process.env.QTS_BENCH_ENV === 'paper' ? 'paper' : 'real') as 'real' | 'paper';
const dir = mkdtempSync(join(tmpdir(), 'qts-route-floor-'));

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
const key = { mode: environment, host: endpoints.host, account: responder.account } as const;
const sqlite = createSqliteJournal({ ...key, file: join(dir, 'journal.sqlite') });
const sqliteRoute = createExecutionRoute({ adapter, journal: sqlite, mode: environment });
const memoryRoute = createExecutionRoute({
  adapter,
  journal: createMemoryJournal(),
  mode: environment,
});
const intent = {
  symbol: '005930',
  side: 'buy',
  quantity: 1,
  type: 'limit',
  limitPrice: 70_000,
} as const;

async function submit(route: ExecutionRoute): Promise<void> {
  const { order, error } = await route.submit(intent);
  if (error !== undefined || order.status !== 'accepted') {
    throw new Error(`not accepted: ${order.status} ${error?.code}`);
  }
}

const probeFd = openSync(join(dir, 'fsync-probe'), 'w');
const times = await interleave(
  {
    'node:http keep-alive (floor)': nodeHttpClient(bare),
    // What one durable commit costs at least, measured in the same rounds (disk load varies).
    'fsync of one byte in the journal folder': async () => {
      writeSync(probeFd, 'x');
      fsyncSync(probeFd);
    },
    'fetch (Node undici, keep-alive)': fetchClient(bare),
    'broker-kis placeOrder': () =>
      adapter.placeOrder({ clientOrderId: 'bench', ...intent } as const),
    'route submit + memory journal + broker-kis': () => submit(memoryRoute),
    'route submit + SQLite journal (default durability) + broker-kis': () => submit(sqliteRoute),
  },
  ROUNDS,
  WARMUP,
);
const result = report(
  `execution-route submit vs fetch, ${environment} env, ${ROUNDS} rounds after ${WARMUP} warm-up`,
  times,
  'fetch (Node undici, keep-alive)',
  'node:http keep-alive (floor)',
);
process.stdout.write(`${JSON.stringify({ environment, ...result })}\n`);
closeSync(probeFd);
sqlite.close();
await adapter.close();
await responder.close();
rmSync(dir, { recursive: true, force: true });
