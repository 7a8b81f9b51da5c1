// Whole-route time per intent: validate -> journal (SQLite, temp dir) -> adapter -> journal.
// Run: pnpm --filter @qts/execution-route bench. Prints median and p99 per case (ms/order).
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  resolveKisEndpoints,
} from '@qts/auth-phase2';
import { createKisOrderAdapter } from '@qts/broker-kis';
import {
  createVirtualExchange,
  createVirtualOrderAdapter,
  startKisSandbox,
} from '@qts/broker-virtual';
import type { OrderAdapter } from '@qts/order-contract';
import { afterAll, bench, describe } from 'vitest';
import {
  createExecutionRoute,
  createMemoryJournal,
  createSqliteJournal,
  type ExecutionRoute,
  type OrderJournal,
  type SqliteJournalOptions,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'qts-route-bench-'));
const SYMBOL = '005930';
const INTENT = {
  symbol: SYMBOL,
  side: 'buy',
  quantity: 1,
  type: 'limit',
  // Below the reference price (2,000), so the order rests (accepted), and inside the day's band
  // (±30 %: 1,400 to 2,600), which the route checks before sending.
  limitPrice: 1_500,
} as const;
// Fixed sample counts, and a fresh exchange / sandbox per case: the virtual exchange slows down
// as its book grows, so every case sees the same book sizes.
const OPTIONS = { time: 0, iterations: 400, warmupTime: 0, warmupIterations: 20 } as const;
const samples = new Map<string, number[]>();
const closers: (() => Promise<void> | void)[] = [];

function timed(name: string, fn: () => Promise<unknown>): () => Promise<void> {
  const list: number[] = [];
  samples.set(name, list);
  return async () => {
    const start = performance.now();
    await fn();
    list.push(performance.now() - start);
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

let journals = 0;
function journal(
  synchronous: NonNullable<SqliteJournalOptions['synchronous']> | 'memory',
): OrderJournal {
  if (synchronous === 'memory') return createMemoryJournal();
  journals += 1;
  const j = createSqliteJournal({
    file: join(dir, `j${journals}.sqlite`),
    mode: 'virtual',
    host: 'bench',
    account: 'bench',
    synchronous,
  });
  closers.push(() => j.close());
  return j;
}

function routeOn(
  adapter: OrderAdapter,
  j: OrderJournal,
  mode: 'virtual' | 'paper',
): ExecutionRoute {
  return createExecutionRoute({ adapter, journal: j, mode });
}

async function mustAccept(route: ExecutionRoute): Promise<void> {
  const { order, error } = await route.submit(INTENT);
  if (error !== undefined || order.status !== 'accepted')
    throw new Error(`not accepted: ${order.status} ${error?.code}`);
}

// --- virtual adapter (in process): one exchange per case ---
function virtualAdapter(): OrderAdapter {
  const exchange = createVirtualExchange({ startingCash: 1e12 });
  exchange.setReferencePrice(SYMBOL, 2_000);
  const adapter = createVirtualOrderAdapter({ exchange });
  closers.push(async () => {
    await adapter.close();
    exchange.close();
  });
  return adapter;
}

// --- broker-kis on a local KIS sandbox (paper), limiter off: one sandbox per case ---
type Capture = { url: string; method: string; headers: [string, string][]; body: string };
async function kisOnSandbox(): Promise<{ adapter: OrderAdapter; capture: () => Promise<Capture> }> {
  const sandbox = await startKisSandbox({
    environment: 'paper',
    port: 0,
    rateLimitPerSecond: null,
    // Keep-alive as KIS's own gateway does; the sandbox's default (Connection: close) makes
    // every request, bare or routed, pay a TCP handshake that is not the route's cost.
    keepAlive: true,
  });
  sandbox.exchange.setReferencePrice(SYMBOL, 2_000);
  const endpoints = resolveKisEndpoints('paper', {
    restBaseUrl: sandbox.baseUrl,
    wsBaseUrl: sandbox.wsUrl,
  });
  const credentials = createKisCredentials({
    appKey: sandbox.credentials.appKey,
    appSecret: sandbox.credentials.appSecret,
    account: sandbox.credentials.account,
    htsId: sandbox.credentials.htsId,
  });
  const auth = createKisAuth({ endpoints, credentials, tokenCache: createMemoryTokenCache() });
  const adapter = createKisOrderAdapter({
    transport: createKisTransport({ endpoints, credentials, auth, ratePerSecond: null }),
    auth,
    environment: 'paper',
  });
  closers.push(async () => {
    await adapter.close();
    await sandbox.close();
  });
  // The same order request as broker-kis sends it, captured once, for the bare-fetch baseline.
  const capture = async (): Promise<Capture> => {
    let captured: Capture | null = null;
    const recording = createKisOrderAdapter({
      transport: createKisTransport({
        endpoints,
        credentials,
        auth,
        ratePerSecond: null,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          if (request.method === 'POST' && captured === null) {
            captured = {
              url: request.url,
              method: request.method,
              headers: [...request.headers],
              body: await request.clone().text(),
            };
          }
          return fetch(request);
        },
      }),
      auth,
      environment: 'paper',
    });
    await recording.placeOrder({ clientOrderId: 'capture', ...INTENT });
    await recording.close();
    if (captured === null) throw new Error('the order request was not captured');
    return captured;
  };
  return { adapter, capture };
}

const bareKis = await kisOnSandbox();
const bare = await bareKis.capture();
const kisAlone = (await kisOnSandbox()).adapter;
const kisWriteAhead = (await kisOnSandbox()).adapter;
const kisFull = (await kisOnSandbox()).adapter;
const kisNormal = (await kisOnSandbox()).adapter;
const virtualAlone = virtualAdapter();

/** An adapter that answers at once: the route's own cost (validation, journal, mapping). */
function instantAdapter(): OrderAdapter {
  let n = 0;
  const fail = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    specificationVersion: 'v1',
    name: 'instant',
    capabilities: {
      modify: false,
      openOrderInquiry: false,
      notices: false,
      balance: false,
      marketOrders: true,
    },
    async placeOrder() {
      n += 1;
      return {
        brokerOrderId: String(n).padStart(10, '0'),
        brokerBranch: null,
        originalBrokerOrderId: null,
        acceptedAt: new Date().toISOString(),
        tradingDate: '20261125',
        brokerCode: null,
        brokerMessage: null,
      };
    },
    cancelOrder: fail,
    modifyOrder: fail,
    getOrders: async () => [],
    subscribe: async () => async () => {},
  };
}

/** fsync latency of the journal's folder (what one durable commit costs at least). */
function fsyncProbe(): { median: number; p99: number } {
  const file = join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const times: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    writeSync(fd, 'x');
    const start = performance.now();
    fsyncSync(fd);
    times.push(performance.now() - start);
  }
  closeSync(fd);
  times.sort((a, b) => a - b);
  return { median: quantile(times, 0.5), p99: quantile(times, 0.99) };
}
const probe = fsyncProbe();

afterAll(async () => {
  const rows: string[] = [];
  for (const [name, list] of samples) {
    const sorted = [...list].sort((a, b) => a - b);
    rows.push(
      `${name.padEnd(62)} n=${String(sorted.length).padStart(6)}  median ${quantile(sorted, 0.5).toFixed(3)} ms  p99 ${quantile(sorted, 0.99).toFixed(3)} ms`,
    );
  }
  process.stdout.write(
    `\nms per order (median / p99):\n${rows.join('\n')}\nfsync of the temp dir: median ${probe.median.toFixed(3)} ms, p99 ${probe.p99.toFixed(3)} ms; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores\n`,
  );
  for (const close of closers.reverse()) await close();
  rmSync(dir, { recursive: true, force: true });
});

describe('execution route, instant adapter (the route alone)', () => {
  const memory = routeOn(instantAdapter(), journal('memory'), 'virtual');
  const writeAhead = routeOn(instantAdapter(), journal('WRITE_AHEAD'), 'virtual');
  const normal = routeOn(instantAdapter(), journal('NORMAL'), 'virtual');
  bench(
    'instant: route + memory journal',
    timed('instant adapter: route + memory journal', () => mustAccept(memory)),
    OPTIONS,
  );
  bench(
    'instant: route + SQLite WRITE_AHEAD',
    timed('instant adapter: route + SQLite WRITE_AHEAD', () => mustAccept(writeAhead)),
    OPTIONS,
  );
  bench(
    'instant: route + SQLite NORMAL',
    timed('instant adapter: route + SQLite NORMAL', () => mustAccept(normal)),
    OPTIONS,
  );
});

describe('execution route, virtual adapter', () => {
  const writeAhead = routeOn(virtualAdapter(), journal('WRITE_AHEAD'), 'virtual');
  const full = routeOn(virtualAdapter(), journal('FULL'), 'virtual');
  const normal = routeOn(virtualAdapter(), journal('NORMAL'), 'virtual');
  const memory = routeOn(virtualAdapter(), journal('memory'), 'virtual');
  bench(
    'virtual: adapter alone',
    timed('virtual: adapter.placeOrder alone', () =>
      virtualAlone.placeOrder({ clientOrderId: 'x', ...INTENT }),
    ),
    OPTIONS,
  );
  bench(
    'virtual: route + memory journal',
    timed('virtual: route + memory journal', () => mustAccept(memory)),
    OPTIONS,
  );
  bench(
    'virtual: route + SQLite WRITE_AHEAD',
    timed('virtual: route + SQLite journal, WRITE_AHEAD (default)', () => mustAccept(writeAhead)),
    OPTIONS,
  );
  bench(
    'virtual: route + SQLite FULL',
    timed('virtual: route + SQLite journal, synchronous FULL', () => mustAccept(full)),
    OPTIONS,
  );
  bench(
    'virtual: route + SQLite NORMAL',
    timed('virtual: route + SQLite journal, synchronous NORMAL', () => mustAccept(normal)),
    OPTIONS,
  );
});

describe('execution route, broker-kis on the local KIS sandbox', () => {
  const writeAhead = routeOn(kisWriteAhead, journal('WRITE_AHEAD'), 'paper');
  const full = routeOn(kisFull, journal('FULL'), 'paper');
  const normal = routeOn(kisNormal, journal('NORMAL'), 'paper');
  bench(
    'sandbox: bare fetch',
    timed('sandbox: bare fetch of the same order request', async () => {
      const response = await fetch(bare.url, {
        method: bare.method,
        headers: bare.headers,
        body: bare.body,
      });
      await response.json();
    }),
    OPTIONS,
  );
  bench(
    'sandbox: broker-kis alone',
    timed('sandbox: broker-kis placeOrder alone', () =>
      kisAlone.placeOrder({ clientOrderId: 'x', ...INTENT }),
    ),
    OPTIONS,
  );
  bench(
    'sandbox: route + SQLite WRITE_AHEAD',
    timed('sandbox: route + broker-kis + SQLite WRITE_AHEAD (default)', () =>
      mustAccept(writeAhead),
    ),
    OPTIONS,
  );
  bench(
    'sandbox: route + SQLite FULL',
    timed('sandbox: route + broker-kis + SQLite FULL', () => mustAccept(full)),
    OPTIONS,
  );
  bench(
    'sandbox: route + SQLite NORMAL',
    timed('sandbox: route + broker-kis + SQLite NORMAL', () => mustAccept(normal)),
    OPTIONS,
  );
});
