// The compiled CLI against broker-virtual's KIS sandbox, started in-process: paper mode, and real
// mode (QTS_ALLOW_REAL=yes, --yes) on a real-environment sandbox. Each exit code: 0, 2, 3 (an
// insufficient-funds rejection and a scripted reject), 4 (accept-then-never-answer with a short
// QTS_KIS_TIMEOUT_MS), 1 (a refused connection). No secret in any output or log.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KisSandbox, startKisSandbox } from '@qts/broker-virtual';
import {
  onlyJson,
  type ProcessResult,
  removeTempDirs,
  runQts,
  sandboxEnv,
  seoulDateOf,
  tempDir,
  withinOneTradingDate,
} from '@qts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BalanceSchema,
  BalanceWithPowerSchema,
  ErrorOnlySchema,
  expectShape,
  logsOf,
  OrderSchema,
  OrdersSchema,
  OrderWithErrorSchema,
  QuoteJsonSchema,
  TokenSchema,
} from './helpers.js';

const sandboxes: KisSandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  removeTempDirs();
});

async function sandbox(environment: 'paper' | 'real'): Promise<KisSandbox> {
  const s = await startKisSandbox({
    environment,
    port: 0,
    rateLimitPerSecond: null,
    tokenIssueIntervalMs: 0,
  });
  sandboxes.push(s);
  return s;
}

function envOf(s: KisSandbox, mode: 'paper' | 'real'): Record<string, string> {
  return sandboxEnv(s, { QTS_MODE: mode, QTS_KIS_RATE_PER_SEC: 'off' });
}

/** Every token cached under a home (to prove none leaks). */
function tokensIn(home: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (dir.endsWith('tokens') && entry.name.endsWith('.json')) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(
          /"(?:token|accessToken|approvalKey|key)"\s*:\s*"([^"]{8,})"/g,
        )) {
          if (match[1] !== undefined) found.push(match[1]);
        }
      }
    }
  };
  walk(home);
  return found;
}

function expectNoSecret(home: string, secret: string, results: readonly ProcessResult[]): void {
  const tokens = tokensIn(home);
  const text = results.map((r) => r.stdout + r.stderr).join('\n') + logsOf(home);
  expect(text).not.toContain(secret);
  for (const token of tokens) expect(text).not.toContain(token);
}

const ENVIRONMENTS = ['paper', 'real'] as const;

describe.concurrent.each(ENVIRONMENTS)('KIS %s mode on the sandbox', (mode) => {
  let s: KisSandbox;
  let env: Record<string, string>;
  const extra = mode === 'real' ? ['--yes'] : [];
  beforeAll(async () => {
    s = await sandbox(mode);
    env = envOf(s, mode);
  });

  it('order (fills, rests), orders, modify, cancel, balance, token: exit 0 and the JSON shapes', async () => {
    await withinOneTradingDate(); // modify and cancel of a day order need its day
    const home = tempDir();
    const qts = (...args: string[]) => runQts([...args, ...extra], { home, env });
    const results: ProcessResult[] = [];
    const filledRun = await qts('order', 'buy', '005930', '3', '--price', '70000', '--json');
    results.push(filledRun);
    expect(filledRun.code, filledRun.stderr).toBe(0);
    const filled = expectShape(OrderSchema, onlyJson(filledRun));
    expect(filled).toMatchObject({
      symbol: '005930',
      side: 'buy',
      quantity: 3,
      price: 70000,
      type: 'limit',
      mode,
    });
    expect(['accepted', 'filled']).toContain(filled.status);
    expect(filled.brokerOrderId).not.toBeNull();
    if (mode === 'real') expect(filledRun.stderr).toContain('REAL');

    const restingRun = await qts(
      'order',
      'buy',
      '005930',
      '2',
      '--price',
      '60000',
      '--json',
      '--client-order-id',
      `cid-${mode}`,
    );
    results.push(restingRun);
    expect(restingRun.code, restingRun.stderr).toBe(0);
    const resting = expectShape(OrderSchema, onlyJson(restingRun));
    expect(resting.clientOrderId).toBe(`cid-${mode}`);

    // Each order is listed under the Seoul date it was sent on (the two may straddle midnight).
    const filledDate = seoulDateOf(filled.createdAt);
    const restingDate = seoulDateOf(resting.createdAt);
    const [listedRun, restingListedRun, balanceRun, tokenRun, humanRun] = await Promise.all([
      qts('orders', '--json', '--verbose', '--date', filledDate),
      qts('orders', '--json', '--date', restingDate),
      qts('balance', '--json'),
      qts('token', '--json'),
      qts('orders', '--date', restingDate),
    ]);
    results.push(listedRun, restingListedRun, balanceRun, tokenRun, humanRun);
    expect(listedRun.code, listedRun.stderr).toBe(0);
    expect(restingListedRun.code, restingListedRun.stderr).toBe(0);
    const listed = expectShape(OrdersSchema, onlyJson(listedRun));
    const restingListed = expectShape(OrdersSchema, onlyJson(restingListedRun));
    expect(listed.orders.map((o) => o.orderId)).toContain(filled.orderId);
    expect(restingListed.orders.map((o) => o.orderId)).toContain(resting.orderId);
    expect(listed.orders.find((o) => o.orderId === filled.orderId)).toMatchObject({
      status: 'filled',
      filledQuantity: 3,
      averagePrice: 70000,
    });
    expect(balanceRun.code, balanceRun.stderr).toBe(0);
    const balance = expectShape(BalanceSchema, onlyJson(balanceRun));
    expect(balance.positions.find((p) => p.symbol === '005930')?.quantity).toBe(3);
    expect(tokenRun.code, tokenRun.stderr).toBe(0);
    const token = expectShape(TokenSchema, onlyJson(tokenRun));
    expect(token.mode).toBe(mode);
    expect(token.host).toBe(new URL(s.baseUrl).host);
    expect(token.file).toContain(home);
    expect(token.expiresAt).not.toBeNull();
    expect(humanRun.code).toBe(0);
    expect(humanRun.stdout).toContain(resting.orderId);

    const modifiedRun = await qts('modify', resting.orderId, '--price', '61000', '--json');
    results.push(modifiedRun);
    expect(modifiedRun.code, modifiedRun.stderr).toBe(0);
    const modified = expectShape(OrderSchema, onlyJson(modifiedRun));
    expect(modified.orderId).toBe(resting.orderId);

    const canceledRun = await qts('cancel', resting.orderId, '--json');
    results.push(canceledRun);
    expect(canceledRun.code, canceledRun.stderr).toBe(0);
    const canceled = expectShape(OrderSchema, onlyJson(canceledRun));
    expect(['canceled', 'pending_cancel']).toContain(canceled.status);

    const unknownId = await qts('cancel', 'no-such-order', '--json');
    results.push(unknownId);
    expect(unknownId.code).toBe(2);
    expectShape(ErrorOnlySchema, onlyJson(unknownId));

    expect(tokensIn(home).length, 'the token cache was found and checked').toBeGreaterThan(0);
    expectNoSecret(home, s.credentials.appSecret, results);
  });

  it('balance --symbol --price: buying power from inquire-psbl-order (one symbol, one price)', async () => {
    const home = tempDir();
    const run = await runQts(
      ['balance', '--symbol', '005930', '--price', '70000', '--json', ...extra],
      { home, env },
    );
    expect(run.code, run.stderr).toBe(0);
    const body = expectShape(BalanceWithPowerSchema, onlyJson(run));
    expect(body.buyingPower).toMatchObject({ symbol: '005930', price: 70000, unitPrice: 70000 });
    expect(body.buyingPower.quantity).toBe(Math.floor(body.buyingPower.orderableCash / 70000));
    expect(body.buyingPower.amount).toBe(body.buyingPower.quantity * 70000);
    const human = await runQts(['balance', '--symbol', '005930', '--price', '70000', ...extra], {
      home,
      env,
    });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Buying power for 005930 at 70,000 KRW');
    const offTick = await runQts(['balance', '--symbol', '005930', '--price', '70001', ...extra], {
      home,
      env,
    });
    expect(offTick.code, offTick.stderr).toBe(2);
  });

  it('quote: inquire-price gives price, limits and tick; a limit order outside them is refused before sending', async () => {
    const home = tempDir();
    // A symbol no other test here trades: the sandbox is shared by the concurrent tests.
    s.exchange.setReferencePrice('207940', 12_345);
    const run = await runQts(['quote', '207940', '--json', ...extra], { home, env });
    expect(run.code, run.stderr).toBe(0);
    // 12,345 * 1.3 = 16,048.5 -> 16,040; 12,345 * 0.7 = 8,641.5 -> 8,650 (tick 10).
    expect(expectShape(QuoteJsonSchema, onlyJson(run))).toEqual({
      symbol: '207940',
      price: 12_345,
      upperLimit: 16_040,
      lowerLimit: 8_650,
      basePrice: 12_345,
      tick: 10,
    });
    const human = await runQts(['quote', '207940', ...extra], { home, env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/upper limit \(상한가\)\s+16,040/);
    const above = await runQts(
      ['order', 'buy', '207940', '1', '--price', '16050', '--json', ...extra],
      { home, env },
    );
    expect(above.code, above.stderr).toBe(2);
    expect(above.stdout + above.stderr).toContain('8,650 KRW (하한가) to 16,040 KRW (상한가)');
    expect(
      s.exchange
        .orders(s.credentials.account, { tradingDate: s.exchange.tradingDate() })
        .filter((o) => o.symbol === '207940'),
    ).toEqual([]);
  });

  it('a second qts order of a symbol the same day asks no quote: the band is shared through the journal', async () => {
    await withinOneTradingDate(30_000); // both orders on one Seoul date
    // A band quoted before 08:00 KST is held only until 08:00: keep both orders on one side of it.
    const toEight =
      (8 * 3_600_000 - ((Date.now() + 9 * 3_600_000) % 86_400_000) + 86_400_000) % 86_400_000;
    if (toEight < 30_000) await new Promise((resolve) => setTimeout(resolve, toEight + 1_000));
    const home = tempDir();
    // A symbol no other test here trades: the sandbox is shared by the concurrent tests.
    s.exchange.setReferencePrice('068270', 180_000);
    const place = (price: string) =>
      runQts(['order', 'buy', '068270', '1', '--price', price, '--json', ...extra], { home, env });
    const quotesAsked = () =>
      logsOf(home)
        .split('\n')
        .filter((line) => line.includes('"KIS request"') && line.includes('inquire-price')).length;
    const first = await place('170000');
    expect(first.code, first.stderr).toBe(0);
    expect(quotesAsked()).toBe(1);
    const second = await place('171000');
    expect(second.code, second.stderr).toBe(0);
    expect(expectShape(OrderSchema, onlyJson(second)).status).toBe('accepted');
    expect(quotesAsked(), 'the second process used the band the first one stored').toBe(1);
    // Outside the stored band (180,000 +- 30 %: 126,000 to 234,000): a fresh quote, which refuses.
    const outside = await place('240000');
    expect(outside.code, outside.stderr).toBe(2);
    expect(outside.stdout + outside.stderr).toContain('PRICE_OUTSIDE_DAILY_LIMITS');
    expect(quotesAsked()).toBe(2);
  });

  it('the broker refuses (insufficient funds): exit 3, the order with error, KIS message verbatim', async () => {
    const home = tempDir();
    const result = await runQts(
      ['order', 'buy', '005930', '5000', '--price', '70000', '--json', ...extra],
      { home, env },
    );
    expect(result.code, result.stderr).toBe(3);
    const body = expectShape(OrderWithErrorSchema, onlyJson(result));
    expect(body.status).toBe('rejected');
    expect(body.error.outcome).toBe('rejected');
    expect(body.error.brokerCode).not.toBeNull();
    expect(body.error.brokerMessage).toMatch(/[가-힣]/);
    const human = await runQts(['order', 'buy', '005930', '5000', '--price', '70000', ...extra], {
      home,
      env,
    });
    expect(human.code).toBe(3);
    expect(human.stderr).toContain(body.error.brokerMessage ?? '');
    expect(human.stderr).toContain(body.error.code);
    expectNoSecret(home, s.credentials.appSecret, [result, human]);
  });

  it('a refused connection: exit 1, {"error"} only, nothing sent', async () => {
    const home = tempDir();
    const result = await runQts(
      ['order', 'buy', '005930', '1', '--price', '70000', '--json', ...extra],
      {
        home,
        env: { ...env, QTS_KIS_BASE_URL: 'http://127.0.0.1:9', QTS_KIS_WS_URL: 'ws://127.0.0.1:9' },
      },
    );
    expect(result.code, result.stderr).toBe(1);
    const body = expectShape(ErrorOnlySchema, onlyJson(result));
    expect(body.error).toMatchObject({ code: 'ROUTE_UNAVAILABLE', outcome: 'not_placed' });
    const human = await runQts(['balance'], {
      home,
      env: { ...env, QTS_KIS_BASE_URL: 'http://127.0.0.1:9', QTS_KIS_WS_URL: 'ws://127.0.0.1:9' },
    });
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/not sent|Nothing was sent/i);
  });
});

describe('faults on a dedicated sandbox (paper)', () => {
  it('a scripted reject: exit 3 with the scripted KIS code and message', async () => {
    const s = await sandbox('paper');
    const home = tempDir();
    s.faults.next('place', {
      kind: 'reject',
      code: 'APBK0919',
      message: '주문가능금액을 초과 했습니다',
    });
    const result = await runQts(['order', 'buy', '005930', '1', '--price', '70000', '--json'], {
      home,
      env: envOf(s, 'paper'),
    });
    expect(result.code, result.stderr).toBe(3);
    const body = expectShape(OrderWithErrorSchema, onlyJson(result));
    expect(body.error.brokerCode).toBe('APBK0919');
    expect(body.error.brokerMessage).toBe('주문가능금액을 초과 했습니다');
  });

  it('accept-then-never-answer: exit 4 unknown; a retry is refused (exit 2) unless forced; qts orders reconciles', async () => {
    const s = await sandbox('paper');
    const home = tempDir();
    const env = { ...envOf(s, 'paper'), QTS_KIS_TIMEOUT_MS: '1500' };
    s.faults.next('place', { kind: 'never-answer' });
    const sent = await runQts(['order', 'buy', '005930', '2', '--price', '70000', '--json'], {
      home,
      env,
    });
    expect(sent.code, sent.stderr).toBe(4);
    const unknown = expectShape(OrderWithErrorSchema, onlyJson(sent));
    expect(unknown.status).toBe('unknown');
    expect(unknown.brokerOrderId).toBeNull();
    expect(unknown.error.outcome).toBe('unknown');

    const retry = await runQts(['order', 'buy', '005930', '2', '--price', '70000', '--json'], {
      home,
      env,
    });
    expect(retry.code, retry.stderr).toBe(2);
    expectShape(ErrorOnlySchema, onlyJson(retry));
    expect(s.faults.requestCount('place')).toBe(1);

    const listed = await runQts(['orders', '--json', '--date', seoulDateOf(unknown.createdAt)], {
      home,
      env,
    });
    expect(listed.code, listed.stderr).toBe(0);
    const body = expectShape(OrdersSchema, onlyJson(listed));
    const order = body.orders.find((o) => o.orderId === unknown.orderId);
    expect(order?.brokerOrderId).not.toBeNull();
    expect(body.reconciled).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ orderId: unknown.orderId, from: 'unknown' }),
      ]),
    );
    expect(s.faults.requestCount('place')).toBe(1);
  });
});

describe('a refused connection with a cached token (paper)', () => {
  it('exit 1 ROUTE_UNAVAILABLE, {"error"} only, and nothing reached the broker', async () => {
    const s = await startKisSandbox({
      environment: 'paper',
      port: 0,
      rateLimitPerSecond: null,
      tokenIssueIntervalMs: 0,
      refuseConnectionMs: 60_000,
    });
    sandboxes.push(s);
    const home = tempDir();
    const env = envOf(s, 'paper');
    const warm = await runQts(['balance', '--json'], { home, env });
    expect(warm.code, warm.stderr).toBe(0);
    // the port refuses every connection from now on (real ECONNREFUSED)
    s.faults.next('connect', { kind: 'refuse-connection' });
    const result = await runQts(['order', 'buy', '005930', '1', '--price', '70000', '--json'], {
      home,
      env,
    });
    expect(result.code, result.stderr).toBe(1);
    expect(expectShape(ErrorOnlySchema, onlyJson(result)).error).toMatchObject({
      code: 'ROUTE_UNAVAILABLE',
      outcome: 'not_placed',
    });
    expect(s.faults.requestCount('place')).toBe(0);
  });
});

describe('paper and real never share state', () => {
  it('token files and journals live in separate folders keyed by mode, host, account, app key', async () => {
    const [paper, real] = await Promise.all([sandbox('paper'), sandbox('real')]);
    const home = tempDir();
    const [a, b] = await Promise.all([
      runQts(['token', '--json'], { home, env: envOf(paper, 'paper') }),
      runQts(['token', '--json'], { home, env: envOf(real, 'real') }),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const fa = expectShape(TokenSchema, onlyJson(a)).file ?? '';
    const fb = expectShape(TokenSchema, onlyJson(b)).file ?? '';
    expect(fa).toContain(`${join(home, 'kis')}/paper-`);
    expect(fb).toContain(`${join(home, 'kis')}/real-`);
    expect(fa).not.toBe(fb);
  });
});
