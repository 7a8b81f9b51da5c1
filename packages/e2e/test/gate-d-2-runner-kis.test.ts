// Gate D 2 (the user's own path): `qts` as a child process against a `qts sandbox` child process,
// in paper and in real mode: order, orders (inquiry), cancel, a broker rejection, all with
// --json and the exit codes of the CLI contract. Only 127.0.0.1 is reached.

import { existsSync, rmSync } from 'node:fs';
import {
  parseEnvLines,
  QTS_CLI,
  seoulDateOf,
  tempDir,
  withinOneTradingDate,
} from '@qts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvidence } from '../src/evidence.js';
import { ordersOn } from './dates.js';
import {
  type ProcessResult,
  parseJsonStdout,
  type RunningProcess,
  runCli,
  startCli,
} from './processes.js';

const homes: string[] = [];
const sandboxes: RunningProcess[] = [];
afterAll(async () => {
  for (const s of sandboxes) await s.stop('SIGINT');
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

async function startSandbox(environment: 'paper' | 'real'): Promise<Record<string, string>> {
  const home = tempDir();
  homes.push(home);
  const sandbox = startCli(['sandbox', '--env', environment, '--port', '0'], {
    home,
    timeoutMs: 110_000,
  });
  sandboxes.push(sandbox);
  await sandbox.waitFor(/^QTS_KIS_HTS_ID=.*$/m, 'stdout', 30_000);
  return parseEnvLines(sandbox.stdout());
}

const ORDER_KEYS = [
  'averagePrice',
  'brokerOrderId',
  'clientOrderId',
  'createdAt',
  'filledQuantity',
  'mode',
  'orderId',
  'price',
  'quantity',
  'side',
  'status',
  'symbol',
  'type',
];

function describeRun(r: ProcessResult): string {
  return `exit ${r.code}; stdout: ${r.stdout.slice(0, 600)} stderr: ${r.stderr.slice(-600)}`;
}

for (const environment of ['paper', 'real'] as const) {
  describe(`Gate D 2: the user's KIS flow through the runner (${environment})`, () => {
    let env: Record<string, string> = {};
    const home = tempDir();
    homes.push(home);

    beforeAll(async () => {
      if (!existsSync(QTS_CLI)) return;
      const printed = await startSandbox(environment);
      env = {
        ...printed,
        QTS_MODE: environment,
        ...(environment === 'real' ? { QTS_ALLOW_REAL: 'yes' } : {}),
      };
    }, 40_000);

    const qts = (args: string[]) =>
      runCli([...args, ...(environment === 'real' ? ['--yes'] : [])], {
        home,
        env,
        timeoutMs: 30_000,
      });

    it(`Gate D 2: runner ${environment}: qts order / qts orders / qts cancel against qts sandbox`, async () => {
      await withinOneTradingDate(); // the resting order is canceled on its own trading date
      expect(existsSync(QTS_CLI), `compiled runner missing at ${QTS_CLI}`).toBe(true);
      expect(env.QTS_MODE).toBe(environment);
      expect(env.QTS_KIS_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(env.QTS_KIS_WS_URL).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      expect(env.QTS_KIS_ACCOUNT).toMatch(/^\d{8}-\d{2}$/);

      // 1. a limit order that fills (the first limit order sets the reference price)
      const filledRun = await qts([
        'order',
        'buy',
        '005930',
        '3',
        '--price',
        '70000',
        '--client-order-id',
        `e2e-${environment}-fill`,
        '--json',
      ]);
      expect(filledRun.code, describeRun(filledRun)).toBe(0);
      const filled = parseJsonStdout(filledRun);
      expect(Object.keys(filled).sort()).toEqual(expect.arrayContaining(ORDER_KEYS));
      expect(filled).toMatchObject({
        symbol: '005930',
        side: 'buy',
        quantity: 3,
        price: 70000,
        type: 'limit',
        mode: environment,
        clientOrderId: `e2e-${environment}-fill`,
      });
      expect(filled.brokerOrderId, 'KIS order number (ODNO)').toMatch(/^\d+$/);
      expect(['accepted', 'partially_filled', 'filled']).toContain(filled.status);

      // 2. a resting limit order below the reference price, then cancel it
      const restingRun = await qts(['order', 'buy', '005930', '2', '--price', '60000', '--json']);
      expect(restingRun.code, describeRun(restingRun)).toBe(0);
      const resting = parseJsonStdout(restingRun);
      expect(resting.status).toBe('accepted');

      // 3. inquiry: both orders, the first one filled at 70000
      // listed by the Seoul date each order was sent on (a run may straddle midnight KST)
      const list = await ordersOn(qts, [
        seoulDateOf(filled.createdAt),
        seoulDateOf(resting.createdAt),
      ]);
      expect(list.code, list.runs.map(describeRun).join('\n')).toBe(0);
      expect(Array.isArray(list.reconciled)).toBe(true);
      const byId = new Map(list.orders.map((o) => [o.orderId, o]));
      expect(byId.get(filled.orderId), 'filled order listed').toMatchObject({
        status: 'filled',
        filledQuantity: 3,
        averagePrice: 70000,
        brokerOrderId: filled.brokerOrderId,
      });
      expect(byId.get(resting.orderId), 'resting order listed').toMatchObject({
        status: 'accepted',
        filledQuantity: 0,
      });

      const cancelRun = await qts(['cancel', String(resting.orderId), '--json']);
      expect(cancelRun.code, describeRun(cancelRun)).toBe(0);
      const canceled = parseJsonStdout(cancelRun);
      expect(canceled.orderId).toBe(resting.orderId);
      expect(canceled.status).toBe('canceled');

      const after = await ordersOn(qts, [seoulDateOf(resting.createdAt)]);
      expect(after.code, after.runs.map(describeRun).join('\n')).toBe(0);
      expect(after.orders.find((o) => o.orderId === resting.orderId)?.status).toBe('canceled');

      // 4. a broker rejection is a normal answer: exit 3, the order object with error, KIS code kept
      const rejectRun = await qts(['order', 'buy', '005930', '5000', '--price', '70000', '--json']);
      expect(rejectRun.code, describeRun(rejectRun)).toBe(3);
      const rejected = parseJsonStdout(rejectRun) as Record<string, unknown> & {
        error: Record<string, unknown>;
      };
      expect(rejected.status).toBe('rejected');
      expect(rejected.error).toMatchObject({ outcome: 'rejected', brokerCode: 'APBK0952' });
      expect(String(rejected.error.brokerMessage).length).toBeGreaterThan(0);

      // no secret in any output
      for (const r of [filledRun, restingRun, ...list.runs, cancelRun, ...after.runs, rejectRun]) {
        expect(r.stdout + r.stderr).not.toContain(env.QTS_KIS_APP_SECRET);
      }
      recordEvidence(
        2,
        `runner (${environment}) vs qts sandbox: order filled (ODNO ${filled.brokerOrderId}), orders listed, cancel -> canceled, 5000 shares -> exit 3 APBK0952`,
      );
    }, 90_000);
  });
}
