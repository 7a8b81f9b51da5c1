// Profiling driver: N route submits (SQLite journal at the default durability) through broker-kis
// against the KIS responder (child process). For `node --cpu-prof` (summarise with
// `node ../broker-kis/bench/profile-summary.mjs <file>`) or `strace -f -c` (syscalls per order).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  resolveKisEndpoints,
} from '@qts/auth-phase2';
import { startKisResponderProcess } from '@qts/bench-kit/kis-responder';
import { createKisOrderAdapter } from '@qts/broker-kis';
import { createExecutionRoute, createSqliteJournal } from '../src/index.js';

const COUNT = Number(process.env.QTS_BENCH_ORDERS ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'qts-route-profile-'));
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
const journal = createSqliteJournal({
  mode: 'real',
  host: endpoints.host,
  account: responder.account,
  file: join(dir, 'journal.sqlite'),
});
const route = createExecutionRoute({ adapter, journal, mode: 'real' });
const intent = {
  symbol: '005930',
  side: 'buy',
  quantity: 1,
  type: 'limit',
  limitPrice: 70_000,
} as const;
for (let i = 0; i < 50; i += 1) await route.submit(intent);
process.stderr.write('MEASURE-START\n');
const start = performance.now();
for (let i = 0; i < COUNT; i += 1) {
  const { error } = await route.submit(intent);
  if (error !== undefined) throw error;
}
const ms = performance.now() - start;
process.stdout.write(`${COUNT} submits, ${(ms / COUNT).toFixed(3)} ms each\n`);
journal.close();
await adapter.close();
await responder.close();
rmSync(dir, { recursive: true, force: true });
