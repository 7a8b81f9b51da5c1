// Gate D 3: a process killed (SIGKILL) mid-order and recovered. The order is submitted by a
// child process (`node --import tsx test/fixtures/route-child.ts`) with a SQLite journal; the
// broker lives OUTSIDE the child (the KIS sandbox in this process, or a file-backed virtual
// exchange), so it remembers what it took. After the kill, this process reopens the journal:
// the route recovers what was in flight and reconcile brings it in line without resending.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createKisOrderAdapter } from '@qts/broker-kis';
import type { KisSandbox } from '@qts/broker-virtual';
import * as brokerVirtual from '@qts/broker-virtual';
import {
  createExecutionRoute,
  createSqliteJournal,
  type ExecutionRoute,
} from '@qts/execution-route';
import type { OrderAdapter } from '@qts/order-contract';
import { kisAdapterOn, sandboxEnv, sandboxTarget, tempDir, waitUntil } from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { recordEvidence } from '../src/evidence.js';
import { E2E_DIR } from '../src/paths.js';
import { type RunningProcess, startNode } from './processes.js';

const CHILD = join(E2E_DIR, 'test', 'fixtures', 'route-child.ts');
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const INTENT = { symbol: '005930', side: 'buy', type: 'limit', quantity: 5, limitPrice: 70_000 };

function startChild(env: Record<string, string>): RunningProcess {
  const home = tempDir();
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  return startNode(['--conditions=@qts/source', '--import', 'tsx', CHILD], {
    home,
    env: { ...env, QTS_E2E_INTENT: JSON.stringify(INTENT) },
    timeoutMs: 60_000,
    reportHandles: false,
  });
}

async function kill(child: RunningProcess): Promise<void> {
  const result = await child.stop('SIGKILL');
  expect(result.signal, `child: ${result.stdout} ${result.stderr}`).toBe('SIGKILL');
  expect(result.stdout).not.toContain('RESULT');
}

async function kisSandbox(): Promise<KisSandbox> {
  const sandbox = await brokerVirtual.startKisSandbox({
    environment: 'paper',
    port: 0,
    rateLimitPerSecond: null,
  });
  cleanups.push(() => sandbox.close());
  sandbox.exchange.setReferencePrice('005930', 70_000);
  return sandbox;
}

function reopen(
  file: string,
  adapter: OrderAdapter,
  mode: 'paper' | 'virtual',
  host: string,
  account: string,
  clock?: () => number,
): ExecutionRoute {
  const journal = createSqliteJournal({ file, mode, host, account });
  cleanups.push(() => journal.close());
  return createExecutionRoute({
    adapter,
    journal,
    mode,
    ...(clock === undefined ? {} : { clock }),
  });
}

describe('Gate D 3: a process killed (SIGKILL) mid-order is recovered', () => {
  it('Gate D 3: kis-paper: killed after the broker booked the order (no answer yet): restart marks it unknown, reconcile binds it, one order', async () => {
    const sandbox = await kisSandbox();
    const dir = tempDir('qts-e2e-kill-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'journal.sqlite');
    sandbox.exchange.faults.next('place', { kind: 'never-answer' });
    const child = startChild({
      ...sandboxEnv(sandbox),
      QTS_E2E_BROKER: 'kis-paper',
      QTS_E2E_JOURNAL: file,
      QTS_E2E_TOKEN_HOME: dir,
    });
    const booked = () =>
      sandbox.exchange.orders(sandbox.credentials.account).filter((o) => o.kind === 'order');
    await waitUntil(() => booked().length === 1, 'the sandbox booked the child order', {
      timeoutMs: 30_000,
    });
    await kill(child);

    const adapter = kisAdapterOn(createKisOrderAdapter, sandboxTarget(sandbox), {
      tokenHome: dir,
    }).adapter;
    cleanups.push(() => adapter.close());
    const host = `127.0.0.1:${sandbox.port}`;
    const route = reopen(file, adapter, 'paper', host, sandbox.credentials.account);
    expect(route.recovered.map((c) => `${c.from}->${c.to}`)).toEqual(['submitted->unknown']);
    const orderId = route.recovered[0]?.orderId ?? '';
    const changes = await route.reconcile();
    expect(changes.map((c) => c.orderId)).toContain(orderId);
    expect(route.order(orderId)).toMatchObject({
      status: 'filled',
      brokerOrderId: booked()[0]?.orderNo,
      filledQuantity: 5,
    });
    expect(booked(), 'no second order').toHaveLength(1);
    expect(sandbox.exchange.faults.requestCount('place')).toBe(1);
    recordEvidence(
      3,
      `SIGKILL after send (kis-paper): restart recovered submitted -> unknown, reconcile -> filled ODNO ${booked()[0]?.orderNo}, 1 booked order`,
    );
  }, 90_000);

  /**
   * A kis-paper child killed with SIGKILL at `point` of submit, then the journal reopened in this
   * process (its route's clock `ahead` ms later) over broker-kis on the same sandbox.
   */
  async function killedAt(point: 'journaled' | 'before-journal', ahead = 0) {
    const sandbox = await kisSandbox();
    const dir = tempDir('qts-e2e-kill-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'journal.sqlite');
    const child = startChild({
      ...sandboxEnv(sandbox),
      QTS_E2E_BROKER: 'kis-paper',
      QTS_E2E_JOURNAL: file,
      QTS_E2E_TOKEN_HOME: dir,
      QTS_E2E_HANG_AT: point,
    });
    await child.waitFor(new RegExp(`CHECKPOINT ${point}`), 'stdout', 30_000);
    await kill(child);
    const adapter = kisAdapterOn(createKisOrderAdapter, sandboxTarget(sandbox), {
      tokenHome: dir,
    }).adapter;
    cleanups.push(() => adapter.close());
    const route = reopen(
      file,
      adapter,
      'paper',
      `127.0.0.1:${sandbox.port}`,
      sandbox.credentials.account,
      () => Date.now() + ahead,
    );
    return { sandbox, route };
  }

  it('Gate D 3: kis-paper: killed after journaling (intent and write-ahead record, one commit), before sending: restart marks it unknown, reconcile proves not_found, nothing booked', async () => {
    // The route's clock runs 6 minutes ahead: past the 5-minute evidence window after the send.
    const { sandbox, route } = await killedAt('journaled', 6 * 60_000);
    expect(route.recovered.map((c) => `${c.from}->${c.to}`)).toEqual(['submitted->unknown']);
    const orderId = route.recovered[0]?.orderId ?? '';
    expect(route.order(orderId)?.status).toBe('unknown');
    await route.reconcile();
    expect(route.order(orderId)?.status).toBe('not_found');
    expect(sandbox.exchange.orders(sandbox.credentials.account)).toHaveLength(0);
    expect(sandbox.exchange.faults.requestCount('place')).toBe(0);
    recordEvidence(
      3,
      'SIGKILL after journaling, before the send (kis-paper): restart submitted -> unknown, reconcile past the evidence window -> not_found, nothing booked',
    );
  }, 90_000);

  it('Gate D 3: kis-paper: killed before journaling: no record, nothing booked', async () => {
    const { sandbox, route } = await killedAt('before-journal');
    expect(route.recovered).toEqual([]);
    expect(route.orders()).toEqual([]);
    expect(sandbox.exchange.orders(sandbox.credentials.account)).toHaveLength(0);
    expect(sandbox.exchange.faults.requestCount('place')).toBe(0);
    recordEvidence(3, 'SIGKILL before journaling (kis-paper): no record, nothing booked');
  }, 90_000);

  it('Gate D 3: virtual (file-backed exchange): killed after the answer, before the journal update: recovered and bound, one order', async () => {
    const dir = tempDir('qts-e2e-kill-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const exchangeFile = join(dir, 'exchange.sqlite');
    const setup = brokerVirtual.createVirtualExchange({ file: exchangeFile });
    setup.setReferencePrice('005930', 70_000);
    const account = setup.defaultAccount;
    setup.close();
    const file = join(dir, 'journal.sqlite');
    const child = startChild({
      QTS_E2E_BROKER: 'virtual',
      QTS_E2E_EXCHANGE_FILE: exchangeFile,
      QTS_E2E_JOURNAL: file,
      QTS_E2E_TOKEN_HOME: dir,
      QTS_E2E_HANG_AT: 'answered',
    });
    await child.waitFor(/CHECKPOINT answered/, 'stdout', 30_000);
    await kill(child);

    const exchange = brokerVirtual.createVirtualExchange({ file: exchangeFile });
    const adapter = brokerVirtual.createVirtualOrderAdapter({ exchange });
    cleanups.push(async () => {
      await adapter.close();
      exchange.close();
    });
    const booked = () => exchange.orders(account).filter((o) => o.kind === 'order');
    expect(booked(), 'the exchange (outside the child) kept the order').toHaveLength(1);
    const route = reopen(file, adapter, 'virtual', 'virtual', account);
    expect(route.recovered.map((c) => `${c.from}->${c.to}`)).toEqual(['submitted->unknown']);
    const orderId = route.recovered[0]?.orderId ?? '';
    await route.reconcile();
    expect(route.order(orderId)).toMatchObject({
      status: 'filled',
      brokerOrderId: booked()[0]?.orderNo,
    });
    expect(booked(), 'no second order').toHaveLength(1);
    recordEvidence(
      3,
      `SIGKILL after the answer (virtual, file-backed): restart submitted -> unknown, reconcile -> filled ODNO ${booked()[0]?.orderNo}, 1 booked order`,
    );
  }, 90_000);
});
