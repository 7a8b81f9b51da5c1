// The whole route (submit: validation, SQLite journal at the default durability, broker-kis,
// state mapping) against the lightweight KIS responder (a child process), beside the node:http
// keep-alive floor and Node's fetch of the identical order request, in one run, interleaved.
// Limiter off. Goals: route <= 1.5x fetch (median), or the physical floor (fetch + one fsync,
// printed) + 0.2x where that floor is above 1.3x; p99 <= 3x fetch p99.
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
  stats,
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
// The physical floor of a journaled order: the request plus one fsync (the write-ahead record
// must be on disk before the send), paired round by round. Where it is above 1.5x the fetch, the
// 1.5x goal is out of reach on this machine and the floor (plus the route's 0.2x of journal
// statements and mapping) is the reachable goal.
const fetchTimes = times['fetch (Node undici, keep-alive)'] ?? [];
const fsyncTimes = times['fsync of one byte in the journal folder'] ?? [];
const routeTimes = times['route submit + SQLite journal (default durability) + broker-kis'] ?? [];
const placeTimes = times['broker-kis placeOrder'] ?? [];
const paired = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x + (b[i] ?? 0));
const fetchStats = stats(fetchTimes);
const floorStats = stats(paired(fetchTimes, fsyncTimes));
const ownFloorStats = stats(paired(placeTimes, fsyncTimes));
const routeStats = stats(routeTimes);
const floorRatio = floorStats.median / fetchStats.median;
const goal = Math.max(1.5, floorRatio + 0.2);
const p99Goal = 3;
const summary = {
  floorRatio: Number(floorRatio.toFixed(2)),
  ownFloorRatio: Number((ownFloorStats.median / fetchStats.median).toFixed(2)),
  routeRatio: Number((routeStats.median / fetchStats.median).toFixed(2)),
  goalRatio: Number(goal.toFixed(2)),
  routeP99Ratio: Number((routeStats.p99 / fetchStats.p99).toFixed(2)),
  p99GoalRatio: p99Goal,
};
process.stdout.write(
  `${[
    `  physical floor, fetch + one fsync (paired by round): ${floorStats.median.toFixed(3)} ms = ${summary.floorRatio}x fetch`,
    `  the route's own floor, placeOrder + one fsync: ${ownFloorStats.median.toFixed(3)} ms = ${summary.ownFloorRatio}x fetch`,
    `  route: ${summary.routeRatio}x fetch (goal: at most ${summary.goalRatio}x = max(1.5x, floor + 0.2x)) ${summary.routeRatio <= goal ? 'MET' : 'NOT MET'}`,
    `  route p99: ${summary.routeP99Ratio}x the fetch p99 (goal: at most ${p99Goal}x) ${summary.routeP99Ratio <= p99Goal ? 'MET' : 'NOT MET'}`,
  ].join('\n')}\n`,
);
process.stdout.write(`${JSON.stringify({ environment, ...summary, ...result })}\n`);
closeSync(probeFd);
sqlite.close();
await adapter.close();
await responder.close();
rmSync(dir, { recursive: true, force: true });
