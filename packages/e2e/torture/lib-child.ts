// A library route in its own process (so it can be SIGKILLed like a `qts` process): opens the
// same journal (and, in virtual mode, the same exchange file) as the CLI under QTS_HOME, submits
// one intent, prints the order as JSON and exits with the CLI's meaning: 0 when the route
// reported success, 2/1 refused / not sent, 3 rejected, 4 unknown.
//   TORTURE_MODE=virtual|paper|real  TORTURE_INTENT=<json>  TORTURE_FORCE=1
//   KIS: TORTURE_JOURNAL=<journal file>, QTS_KIS_BASE_URL, QTS_KIS_WS_URL, QTS_KIS_APP_KEY, ...
import { dirname, join } from 'node:path';
import type { ExecutionRoute, ExecutionRouteOptions, OrderJournal } from '@qts/execution-route';

type OrderAdapter = ExecutionRouteOptions['adapter'];

const env = process.env;
const mode = env.TORTURE_MODE ?? 'virtual';
const home = env.QTS_HOME ?? '.';
const intent: unknown = JSON.parse(env.TORTURE_INTENT ?? '{}');
const routes = await import('@qts/execution-route');

let adapter: OrderAdapter;
let journal: OrderJournal;
const closers: (() => unknown)[] = [];
if (mode === 'virtual') {
  const virtual = await import('@qts/broker-virtual');
  const folder = join(home, 'virtual');
  const exchange = virtual.createVirtualExchange({ file: join(folder, 'exchange.sqlite') });
  adapter = virtual.createVirtualOrderAdapter({ exchange });
  const key = { mode: 'virtual' as const, host: 'virtual', account: exchange.defaultAccount };
  journal = routes.createSqliteJournal({ ...key, file: routes.journalPath(folder, key) });
  closers.push(() => exchange.close());
} else {
  const auth2 = await import('@qts/auth-phase2');
  const kis = await import('@qts/broker-kis');
  const environment = mode === 'real' ? 'real' : 'paper';
  const endpoints = auth2.resolveKisEndpoints(environment, {
    restBaseUrl: env.QTS_KIS_BASE_URL ?? '',
    wsBaseUrl: env.QTS_KIS_WS_URL ?? '',
  });
  const credentials = auth2.createKisCredentials({
    appKey: env.QTS_KIS_APP_KEY ?? '',
    appSecret: env.QTS_KIS_APP_SECRET ?? '',
    account: env.QTS_KIS_ACCOUNT ?? '',
    htsId: env.QTS_KIS_HTS_ID ?? '',
  });
  const journalFile = env.TORTURE_JOURNAL ?? '';
  const auth = auth2.createKisAuth({
    endpoints,
    credentials,
    tokenCache: auth2.createFileTokenCache({ home: dirname(dirname(journalFile)) }),
  });
  const transport = auth2.createKisTransport({
    endpoints,
    credentials,
    auth,
    timeoutMs: Number(env.QTS_KIS_TIMEOUT_MS ?? '1500'),
    ratePerSecond: null,
  });
  adapter = kis.createKisOrderAdapter({ transport, auth, environment });
  journal = routes.createSqliteJournal({
    mode: environment,
    host: endpoints.host,
    account: env.QTS_KIS_ACCOUNT ?? '',
    file: journalFile,
  });
}

let code: number;
let route: ExecutionRoute | undefined;
try {
  route = routes.createExecutionRoute({ adapter, journal, mode: mode as 'virtual' });
  const result = await route.submit(intent, { force: env.TORTURE_FORCE === '1' });
  process.stdout.write(
    `${JSON.stringify({ orderId: result.order.orderId, brokerOrderId: result.order.brokerOrderId, status: result.order.status })}\n`,
  );
  const outcome = result.error?.outcome;
  code = outcome === undefined ? 0 : outcome === 'unknown' ? 4 : outcome === 'rejected' ? 3 : 1;
} catch (error) {
  const e = error as { outcome?: unknown; name?: unknown; message?: unknown };
  process.stderr.write(`${String(e.name)}: ${String(e.message)}\n`);
  code =
    e.outcome === 'not_placed' ? 2 : e.outcome === 'unknown' ? 4 : e.outcome === 'rejected' ? 3 : 1;
}
journal.close();
await adapter.close?.();
for (const close of closers) close();
process.exit(code);
