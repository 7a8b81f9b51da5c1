// Gate D 3 through the compiled runner: `qts` child processes against a KIS sandbox that lives
// in THIS process (so its exchange and fault queues are scriptable and outlive a killed child).
// Timeout after send -> unknown (exit 4) -> `qts orders` reconciles, no second order; route cut
// -> ROUTE_UNAVAILABLE / not_placed (exit 1) and an exact journal state; SIGKILL mid-order ->
// a fresh `qts orders` recovers the order from the journal and the broker, no second order.

import { rmSync } from 'node:fs';
import { type KisSandbox, startKisSandbox } from '@qts/broker-virtual';
import { seoulDate } from '@qts/order-contract';
import { sandboxEnv, seoulDateOf, tempDir, waitUntil } from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { recordEvidence } from '../src/evidence.js';
import { ordersOn } from './dates.js';
import { type ProcessResult, parseJsonStdout, runCli, startCli } from './processes.js';

const homes: string[] = [];
const sandboxes: KisSandbox[] = [];
afterAll(async () => {
  for (const s of sandboxes) await s.close().catch(() => undefined);
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function newHome(): string {
  const home = tempDir();
  homes.push(home);
  return home;
}

async function sandbox(environment: 'paper' | 'real' = 'paper'): Promise<KisSandbox> {
  const s = await startKisSandbox({ environment, port: 0, rateLimitPerSecond: null });
  sandboxes.push(s);
  return s;
}

/** The runner's environment for an in-process sandbox (its rate limit is off, so ours is too). */
function runnerEnv(s: KisSandbox): Record<string, string> {
  return { ...sandboxEnv(s), QTS_KIS_RATE_PER_SEC: 'off' };
}

function describeRun(r: ProcessResult): string {
  return `exit ${r.code}; stdout: ${r.stdout.slice(0, 700)} stderr: ${r.stderr.slice(-700)}`;
}

type Json = Record<string, unknown>;

function bookedOrders(s: KisSandbox) {
  return s.exchange
    .orders(s.credentials.account) // every trading date: a run may straddle midnight KST
    .filter((o) => o.kind === 'order');
}

describe('Gate D 3: Intent -> Order -> Response through the runner (KIS paper on the sandbox)', () => {
  it('Gate D 3: runner: a timeout after send ends unknown (exit 4) and qts orders reconciles it without a second order', async () => {
    const s = await sandbox('paper');
    const home = newHome();
    const env = { ...runnerEnv(s), QTS_KIS_TIMEOUT_MS: '1500' };
    s.exchange.faults.next('place', { kind: 'never-answer' });
    const sent = await runCli(['order', 'buy', '005930', '2', '--price', '70000', '--json'], {
      home,
      env,
      timeoutMs: 45_000,
    });
    expect(sent.code, describeRun(sent)).toBe(4);
    const unknown = parseJsonStdout(sent) as Json & { error: Json };
    expect(unknown.status).toBe('unknown');
    expect(unknown.brokerOrderId).toBeNull();
    expect(unknown.error.outcome).toBe('unknown');
    expect(bookedOrders(s), 'the sandbox booked the order it never answered').toHaveLength(1);

    // a retry of the same intent without --force is refused: nothing sent (exit 2)
    const retry = await runCli(['order', 'buy', '005930', '2', '--price', '70000', '--json'], {
      home,
      env,
      timeoutMs: 45_000,
    });
    expect(retry.code, describeRun(retry)).toBe(2);
    expect(bookedOrders(s)).toHaveLength(1);

    const body = await ordersOn(
      (args) => runCli(args, { home, env, timeoutMs: 45_000 }),
      [seoulDateOf(unknown.createdAt)],
    );
    expect(body.code, body.runs.map(describeRun).join('\n')).toBe(0);
    const booked = bookedOrders(s)[0];
    const order = body.orders.find((o) => o.orderId === unknown.orderId);
    expect(order, 'the unknown order is listed').toBeDefined();
    expect(order?.brokerOrderId, 'bound to the one booked broker order').toBe(booked?.orderNo);
    expect(['accepted', 'filled']).toContain(order?.status);
    expect(body.reconciled).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ orderId: unknown.orderId, from: 'unknown' }),
      ]),
    );
    expect(bookedOrders(s), 'no second order was placed').toHaveLength(1);
    expect(s.exchange.faults.requestCount('place'), 'one place request reached the broker').toBe(1);
    recordEvidence(
      3,
      `runner: never-answered order -> exit 4 unknown; retry refused (exit 2); qts orders bound it to ODNO ${booked?.orderNo} (${order?.status}); 1 booked order`,
    );
  }, 120_000);

  it('Gate D 3: runner: a route cut (closed port, stopped sandbox) fails clearly with ROUTE_UNAVAILABLE, not_placed, exit 1', async () => {
    const home = newHome();
    const s = await sandbox('paper');
    const env = runnerEnv(s);
    await s.close();
    const cut = await runCli(['order', 'buy', '005930', '1', '--price', '70000', '--json'], {
      home,
      env,
      timeoutMs: 45_000,
    });
    expect(cut.code, describeRun(cut)).toBe(1);
    const body = parseJsonStdout(cut) as { error: Json };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ code: 'ROUTE_UNAVAILABLE', outcome: 'not_placed' });
    expect(String(body.error.hint ?? '').length, 'says what to do next').toBeGreaterThan(0);

    const closedPort = await runCli(['order', 'buy', '005930', '1', '--price', '70000', '--json'], {
      home,
      env: { ...env, QTS_KIS_BASE_URL: 'http://127.0.0.1:9', QTS_KIS_WS_URL: 'ws://127.0.0.1:9' },
      timeoutMs: 45_000,
    });
    expect(closedPort.code, describeRun(closedPort)).toBe(1);
    expect((parseJsonStdout(closedPort) as { error: Json }).error).toMatchObject({
      code: 'ROUTE_UNAVAILABLE',
      outcome: 'not_placed',
    });
    recordEvidence(
      3,
      'runner: stopped sandbox and closed port -> exit 1 {"error":{"code":"ROUTE_UNAVAILABLE","outcome":"not_placed"}}',
    );
  }, 120_000);

  it('Gate D 3: runner: a qts order killed (SIGKILL) mid-order is recovered by the next qts orders, no second order', async () => {
    const s = await sandbox('paper');
    const home = newHome();
    const env = { ...runnerEnv(s), QTS_KIS_TIMEOUT_MS: '60000' };
    s.exchange.faults.next('place', { kind: 'never-answer' });
    const sentFrom = seoulDate(); // the killed child prints nothing: list every date it may have used
    const child = startCli(['order', 'buy', '005930', '4', '--price', '70000', '--json'], {
      home,
      env,
      timeoutMs: 60_000,
      reportHandles: false,
    });
    await waitUntil(() => bookedOrders(s).length === 1, 'the sandbox booked the order', {
      timeoutMs: 30_000,
    });
    const killed = await child.stop('SIGKILL');
    expect(killed.signal, describeRun(killed)).toBe('SIGKILL');
    expect(killed.stdout, 'the killed child printed no result').toBe('');

    const body = await ordersOn(
      (args) => runCli(args, { home, env, timeoutMs: 45_000 }),
      [sentFrom, seoulDate()],
    );
    expect(body.code, body.runs.map(describeRun).join('\n')).toBe(0);
    const mine = body.orders.filter((o) => o.symbol === '005930' && o.quantity === 4);
    expect(mine, 'the journal kept the order the killed process was sending').toHaveLength(1);
    const booked = bookedOrders(s)[0];
    expect(mine[0]?.brokerOrderId, 'recovered: bound to the booked broker order').toBe(
      booked?.orderNo,
    );
    expect(['accepted', 'filled']).toContain(mine[0]?.status);
    const change = body.reconciled.find((r) => r.orderId === mine[0]?.orderId);
    expect(change, 'qts orders says what it changed').toBeDefined();
    expect(['submitted', 'pending', 'unknown']).toContain(change?.from);
    expect(bookedOrders(s), 'no second order').toHaveLength(1);
    expect(s.exchange.faults.requestCount('place')).toBe(1);
    recordEvidence(
      3,
      `runner: qts order SIGKILLed after the broker booked it -> next qts orders: ${String(change?.from)} -> ${String(mine[0]?.status)}, ODNO ${booked?.orderNo}, 1 booked order`,
    );
  }, 120_000);
});

describe('Gate D 3: Intent -> Order -> Response through the runner (virtual mode)', () => {
  it('Gate D 3: runner virtual: an order accepted and filled, and an insufficient-funds rejection (exit 3)', async () => {
    const home = newHome();
    const env = { QTS_MODE: 'virtual' };
    const price = await runCli(['virtual', 'price', '000660', '150000'], {
      home,
      env,
      timeoutMs: 30_000,
    });
    expect(price.code, describeRun(price)).toBe(0);
    const filledRun = await runCli(
      ['order', 'buy', '000660', '10', '--price', '150000', '--json'],
      { home, env, timeoutMs: 30_000 },
    );
    expect(filledRun.code, describeRun(filledRun)).toBe(0);
    const filled = parseJsonStdout(filledRun);
    expect(filled).toMatchObject({ symbol: '000660', quantity: 10, mode: 'virtual' });
    expect(['accepted', 'filled']).toContain(filled.status);
    const listed = await ordersOn(
      (args) => runCli(args, { home, env, timeoutMs: 30_000 }),
      [seoulDateOf(filled.createdAt)],
    );
    expect(listed.orders.find((o) => o.orderId === filled.orderId)).toMatchObject({
      status: 'filled',
      filledQuantity: 10,
      averagePrice: 150000,
    });

    const rejectRun = await runCli(
      ['order', 'buy', '000660', '1000', '--price', '150000', '--json'],
      { home, env, timeoutMs: 30_000 },
    );
    expect(rejectRun.code, describeRun(rejectRun)).toBe(3);
    const rejected = parseJsonStdout(rejectRun) as Json & { error: Json };
    expect(rejected.status).toBe('rejected');
    expect(rejected.error.outcome).toBe('rejected');
    recordEvidence(
      3,
      'runner virtual: 10 x 000660 @150000 filled; 1000 shares (150M KRW > 100M) -> exit 3 rejected',
    );
  }, 90_000);
});
