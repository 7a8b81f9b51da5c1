// `qts order` with the order types and venues (--ioc, --fok, --best, --priority, --conditional,
// --session, --venue; docs/order-types.md): every flag through virtual mode, usage refusals
// (exit 2, nothing sent), and paper / real against the KIS sandbox: what paper does not offer is
// refused before sending; what each environment offers goes through. The sandbox runs are made at
// a weekday 10:00 KST: the CLI's clock is moved with libfaketime (as `pnpm test:calendar` does)
// and the sandbox's with the same offset; without libfaketime those cases are skipped.
import { existsSync } from 'node:fs';
import { type KisSandbox, startKisSandbox } from '@qts/broker-virtual';
import { onlyJson, removeTempDirs, runQts, seoulDateOf, tempDir } from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorOnlySchema, expectShape, OrderSchema, OrdersSchema } from './helpers.js';

const sandboxes: KisSandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  removeTempDirs();
});

describe('qts order: every order type through virtual mode', () => {
  const cases: [string, string[], Record<string, unknown>][] = [
    ['--ioc --price', ['--ioc', '--price', '70000'], { executionCondition: 'ioc', price: 70000 }],
    ['--fok --price', ['--fok', '--price', '70000'], { executionCondition: 'fok', price: 70000 }],
    ['--ioc --market', ['--ioc', '--market'], { type: 'market', executionCondition: 'ioc' }],
    ['--fok --market', ['--fok', '--market'], { type: 'market', executionCondition: 'fok' }],
    ['--ioc --best', ['--ioc', '--best'], { priceCondition: 'best', executionCondition: 'ioc' }],
    ['--fok --best', ['--fok', '--best'], { priceCondition: 'best', executionCondition: 'fok' }],
    ['--best', ['--best'], { priceCondition: 'best', price: null }],
    ['--priority', ['--priority'], { priceCondition: 'priority', price: null }],
    ['--conditional', ['--conditional', '--price', '69000'], { priceCondition: 'conditional' }],
    ['--session pre', ['--session', 'pre'], { session: 'pre', price: null }],
    ['--session post', ['--session', 'post'], { session: 'post', price: null }],
    ['--session single', ['--session', 'single', '--price', '69000'], { session: 'single' }],
    ['--venue NXT', ['--venue', 'NXT', '--price', '69000'], { venue: 'NXT', type: 'limit' }],
    ['--venue sor --best', ['--venue', 'sor', '--best'], { venue: 'SOR', priceCondition: 'best' }],
  ];

  it('each flag places the order it names; `qts orders` lists its division and venue', async () => {
    const home = tempDir();
    const qts = (...args: string[]) => runQts(args, { home });
    expect((await qts('virtual', 'price', '005930', '70000')).code).toBe(0);
    const placed: string[] = [];
    for (const [label, flags, expected] of cases) {
      const run = await qts('order', 'buy', '005930', '2', ...flags, '--json');
      expect(run.code, `${label}: ${run.stderr}`).toBe(0);
      const order = expectShape(OrderSchema, onlyJson(run));
      expect(order, label).toMatchObject({ mode: 'virtual', ...expected });
      expect(['accepted', 'filled', 'canceled', 'partially_filled'], label).toContain(order.status);
      placed.push(order.orderId);
    }
    // A plain order carries none of the new fields.
    const plain = await qts('order', 'buy', '005930', '1', '--price', '69000', '--json');
    const plainOrder = expectShape(OrderSchema, onlyJson(plain));
    expect(Object.keys(plainOrder)).not.toContain('venue');
    expect(Object.keys(plainOrder)).not.toContain('executionCondition');

    const date = seoulDateOf(plainOrder.createdAt);
    const listed = expectShape(
      OrdersSchema,
      onlyJson(await qts('orders', '--date', date, '--json')),
    );
    expect(listed.orders.find((o) => o.orderId === placed[0])).toMatchObject({
      executionCondition: 'ioc',
    });
    const human = await qts('orders', '--date', date);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('order type');
    for (const label of ['ioc-limit', 'fok-market', 'ioc-best', 'after-hours-single', 'best SOR']) {
      expect(human.stdout).toContain(label);
    }
  });

  it.each([
    [['--ioc', '--fok', '--price', '70000'], 'Give --ioc or --fok, not both.'],
    [['--best', '--priority'], 'Give one of --best, --priority, --conditional'],
    [['--market', '--best'], '--market and --best do not go together'],
    [['--session', 'post', '--ioc'], '--session takes no other order type'],
    [['--session', 'night'], '--session must be pre, post or single'],
    [['--venue', 'NYSE', '--price', '70000'], '--venue must be KRX, NXT or SOR'],
    [['--venue', 'NXT', '--market'], 'NXT does not take market orders'],
    [['--fok', '--priority'], 'No exchange offers --fok with --priority'],
    [['--conditional'], 'needs --price'],
    [['--best', '--price', '70000'], 'priced by the exchange: drop --price'],
    [['--session', 'pre', '--price', '70000'], 'priced by the exchange: drop --price'],
  ])('refuses %j before sending (exit 2): %s', async (flags, message) => {
    const home = tempDir();
    const run = await runQts(['order', 'buy', '005930', '1', ...flags, '--json'], { home });
    expect(run.code, run.stderr).toBe(2);
    const { error } = expectShape(ErrorOnlySchema, onlyJson(run));
    expect(error.message).toContain(message);
    expect(error.outcome).toBe('not_placed');
    const listed = expectShape(
      OrdersSchema,
      onlyJson(await runQts(['orders', '--json'], { home })),
    );
    expect(listed.orders).toEqual([]);
  });
});

// ---- paper and real against the sandbox, at a weekday 10:00 KST ----

const LIBFAKETIME = [
  process.env.QTS_LIBFAKETIME,
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
  '/usr/local/lib/faketime/libfaketime.so.1',
].find((path): path is string => path !== undefined && path !== '' && existsSync(path));

/** The offset this process already runs at under libfaketime (`pnpm test:calendar`), seconds. */
function inheritedOffsetSeconds(): number {
  const match = /^([+-]\d+)s$/.exec(process.env.FAKETIME ?? '');
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

/** Milliseconds from now to the next Monday-Friday 10:00:00 KST at least two minutes away. */
function toNextWeekdayTen(now: number): number {
  const seoul = new Date(now + 9 * 3_600_000);
  for (let days = 0; days <= 7; days += 1) {
    const day = new Date(
      Date.UTC(seoul.getUTCFullYear(), seoul.getUTCMonth(), seoul.getUTCDate() + days),
    );
    const weekday = day.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const target = day.getTime() + 10 * 3_600_000 - 9 * 3_600_000;
    if (target > now + 120_000) return target - now;
  }
  throw new Error('no weekday ahead');
}

interface TenOClock {
  readonly sandbox: KisSandbox;
  readonly env: Record<string, string>;
}

async function sandboxAtTen(environment: 'paper' | 'real'): Promise<TenOClock> {
  const shiftMs = toNextWeekdayTen(Date.now());
  const sandbox = await startKisSandbox({
    environment,
    port: 0,
    rateLimitPerSecond: null,
    tokenIssueIntervalMs: 0,
    clock: () => Date.now() + shiftMs,
  });
  sandboxes.push(sandbox);
  sandbox.exchange.setReferencePrice('005930', 70_000);
  const seconds = inheritedOffsetSeconds() + Math.round(shiftMs / 1000);
  return {
    sandbox,
    env: {
      LD_PRELOAD: [LIBFAKETIME, process.env.LD_PRELOAD].filter(Boolean).join(':'),
      FAKETIME: `${seconds >= 0 ? '+' : ''}${seconds}s`,
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      QTS_MODE: environment,
      QTS_KIS_BASE_URL: sandbox.baseUrl,
      QTS_KIS_WS_URL: sandbox.wsUrl,
      QTS_KIS_APP_KEY: sandbox.credentials.appKey,
      QTS_KIS_APP_SECRET: sandbox.credentials.appSecret,
      QTS_KIS_ACCOUNT: sandbox.credentials.account,
      QTS_KIS_HTS_ID: sandbox.credentials.htsId,
      QTS_KIS_RATE_PER_SEC: 'off',
      ...(environment === 'real' ? { QTS_ALLOW_REAL: 'yes' } : {}),
    },
  };
}

describe.skipIf(LIBFAKETIME === undefined)('qts order on the KIS sandbox at 10:00 KST', () => {
  it('paper: limit, market, conditional, best and priority go through; IOC/FOK, the off-hours sessions and NXT/SOR are refused before sending', async () => {
    const { sandbox, env } = await sandboxAtTen('paper');
    const home = tempDir();
    const qts = (...args: string[]) => runQts(args, { home, env });
    const offered: [string[], Record<string, unknown>][] = [
      [['--best'], { priceCondition: 'best', price: null }],
      [['--priority'], { priceCondition: 'priority', price: null }],
      [['--conditional', '--price', '69000'], { priceCondition: 'conditional', price: 69000 }],
    ];
    for (const [flags, expected] of offered) {
      const run = await qts('order', 'buy', '005930', '1', ...flags, '--json');
      expect(run.code, `${flags.join(' ')}: ${run.stderr}`).toBe(0);
      expect(expectShape(OrderSchema, onlyJson(run))).toMatchObject({ mode: 'paper', ...expected });
    }
    const sent = sandbox.faults.requestCount('place');
    expect(sent).toBe(offered.length);
    for (const flags of [
      ['--ioc', '--price', '70000'],
      ['--fok', '--market'],
      ['--ioc', '--best'],
      ['--session', 'single', '--price', '70000'],
      ['--session', 'post'],
      ['--venue', 'NXT', '--price', '70000'],
      ['--venue', 'SOR', '--best'],
    ]) {
      const run = await qts('order', 'buy', '005930', '1', ...flags, '--json');
      expect(run.code, `${flags.join(' ')}: ${run.stdout}`).toBe(2);
      const { error } = expectShape(ErrorOnlySchema, onlyJson(run));
      expect(error.message, flags.join(' ')).toMatch(/does not (offer|send orders to)/);
      expect(error.message).toContain('kis (paper)');
    }
    expect(sandbox.faults.requestCount('place')).toBe(sent);
  });

  it('real: IOC, FOK, best at SOR and a limit at NXT go through; an off-hours session at 10:00 is refused naming its session', async () => {
    const { sandbox, env } = await sandboxAtTen('real');
    const home = tempDir();
    const qts = (...args: string[]) => runQts(args, { home, env });
    const offered: [string[], Record<string, unknown>][] = [
      // KIS answers with the order number only: the IOC's end comes from the inquiry below.
      [['--ioc', '--price', '69000'], { executionCondition: 'ioc', price: 69000 }],
      [['--fok', '--market'], { executionCondition: 'fok', type: 'market' }],
      [['--best', '--venue', 'SOR'], { priceCondition: 'best', venue: 'SOR' }],
      [['--venue', 'NXT', '--price', '69000'], { venue: 'NXT', status: 'accepted' }],
    ];
    for (const [flags, expected] of offered) {
      const run = await qts('order', 'buy', '005930', '1', ...flags, '--yes', '--json');
      expect(run.code, `${flags.join(' ')}: ${run.stdout} ${run.stderr}`).toBe(0);
      const order = expectShape(OrderSchema, onlyJson(run));
      expect(order, flags.join(' ')).toMatchObject({ mode: 'real', ...expected });
    }
    const sent = sandbox.faults.requestCount('place');
    expect(sent).toBe(offered.length);
    // `qts orders` reconciles with the sandbox's inquiry: the IOC stays canceled, never unknown.
    const listed = expectShape(OrdersSchema, onlyJson(await qts('orders', '--json')));
    expect(listed.orders.map((o) => o.status)).not.toContain('unknown');
    expect(listed.orders.find((o) => o.executionCondition === 'ioc')?.status).toBe('canceled');

    const post = await qts('order', 'buy', '005930', '1', '--session', 'post', '--yes', '--json');
    expect(post.code, post.stdout).toBe(2);
    const { error } = expectShape(ErrorOnlySchema, onlyJson(post));
    expect(error.message).toContain('KRX post-market at the close (장후 시간외) 15:40-16:00');
    expect(error.message).toContain('10:00 KST');
    expect(sandbox.faults.requestCount('place')).toBe(sent);
  });
});
