// The compiled CLI in virtual mode (the default: no account). State persists in QTS_HOME across
// runs (the virtual exchange and the journal in SQLite).

import {
  closedKisEnv,
  onlyJson,
  removeTempDirs,
  runQts,
  seoulDateOf,
  tempDir,
} from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BalanceSchema,
  BalanceWithPowerSchema,
  ErrorOnlySchema,
  expectShape,
  OrderSchema,
  OrdersSchema,
  OrderWithErrorSchema,
  QuoteJsonSchema,
  TokenSchema,
} from './helpers.js';

afterAll(removeTempDirs);

describe('virtual mode', () => {
  it('price, order (fills), order (rests), modify, cancel, orders, balance, token across runs', async () => {
    const home = tempDir();
    const qts = (...args: string[]) => runQts(args, { home });
    const price = await qts('virtual', 'price', '005930', '70000');
    expect(price.code, price.stderr).toBe(0);
    expect(price.stdout).toContain('70,000');

    const filledRun = await qts('order', 'buy', '005930', '3', '--price', '70000', '--json');
    expect(filledRun.code, filledRun.stderr).toBe(0);
    const filled = expectShape(OrderSchema, onlyJson(filledRun));
    expect(filled).toMatchObject({
      mode: 'virtual',
      status: 'filled',
      filledQuantity: 3,
      averagePrice: 70000,
      clientOrderId: null,
    });

    const market = await qts('order', 'sell', '005930', '1', '--market', '--json');
    expect(market.code, market.stderr).toBe(0);
    const sold = expectShape(OrderSchema, onlyJson(market));
    expect(sold).toMatchObject({
      type: 'market',
      price: null,
      status: 'filled',
    });

    const restingRun = await qts('order', 'buy', '005930', '2', '--price', '60000', '--json');
    expect(restingRun.code, restingRun.stderr).toBe(0);
    const resting = expectShape(OrderSchema, onlyJson(restingRun));
    expect(resting.status).toBe('accepted');

    const modify = await qts('modify', resting.orderId, '--price', '61000', '--qty', '1', '--json');
    expect(modify.code, modify.stderr).toBe(0);
    expectShape(OrderSchema, onlyJson(modify));

    const cancel = await qts('cancel', resting.orderId, '--json');
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(expectShape(OrderSchema, onlyJson(cancel)).status).toBe('canceled');

    // Listed by the Seoul date each order was sent on: the run may straddle midnight KST.
    const dates = [...new Set([filled, sold, resting].map((o) => seoulDateOf(o.createdAt)))];
    const [balance, token, tokenHuman, human, ...listed] = await Promise.all([
      qts('balance', '--json'),
      qts('token', '--json'),
      qts('token'),
      qts('orders', '--date', seoulDateOf(filled.createdAt)),
      ...dates.map((date) => qts('orders', '--json', '--date', date)),
    ]);
    for (const run of listed) expect(run.code, run.stderr).toBe(0);
    const orders = listed.flatMap((run) => expectShape(OrdersSchema, onlyJson(run)).orders);
    expect(orders.map((o) => o.orderId).sort()).toEqual(
      [filled.orderId, sold.orderId, resting.orderId].sort(),
    );
    expect(human?.stdout).toContain(filled.orderId);
    expect(balance.code, balance.stderr).toBe(0);
    const b = expectShape(BalanceSchema, onlyJson(balance));
    expect(b.positions.find((p) => p.symbol === '005930')?.quantity).toBe(2);
    expect(b.cash.deposit).toBeLessThan(100_000_000);
    expect(token.code).toBe(0);
    expect(expectShape(TokenSchema, onlyJson(token))).toEqual({
      mode: 'virtual',
      host: null,
      expiresAt: null,
      cachedAt: null,
      file: null,
    });
    expect(tokenHuman.stdout).toMatch(/no token/i);
  });

  it('balance --symbol: buying power at a price, or at the reference price; --price alone is exit 2', async () => {
    const home = tempDir();
    const atPrice = await runQts(['balance', '--symbol', '005930', '--price', '70000', '--json'], {
      home,
    });
    expect(atPrice.code, atPrice.stderr).toBe(0);
    const body = expectShape(BalanceWithPowerSchema, onlyJson(atPrice));
    expect(body.buyingPower).toMatchObject({
      symbol: '005930',
      price: 70000,
      orderableCash: 100_000_000,
      quantity: Math.floor(100_000_000 / 70000),
    });
    const noPrice = await runQts(['balance', '--symbol', '035720', '--json'], { home });
    expect(noPrice.code).toBe(2);
    expect(noPrice.stdout + noPrice.stderr).toMatch(/virtual price 035720/);
    await runQts(['virtual', 'price', '035720', '50000'], { home });
    const atReference = await runQts(['balance', '--symbol', '035720', '--json'], { home });
    expect(atReference.code, atReference.stderr).toBe(0);
    expect(expectShape(BalanceWithPowerSchema, onlyJson(atReference)).buyingPower).toMatchObject({
      price: null,
      unitPrice: 50000,
      quantity: 2000,
    });
    const priceOnly = await runQts(['balance', '--price', '70000'], { home });
    expect(priceOnly.code).toBe(2);
    expect(priceOnly.stderr).toMatch(/--price needs --symbol/);
  });

  it('quote: the reference price with limits ±30 % and the tick; orders outside them exit 2, at the limit go on', async () => {
    const home = tempDir();
    const none = await runQts(['quote', '035720', '--json'], { home });
    expect(none.code).toBe(3);
    expect(none.stdout + none.stderr).toMatch(/virtual price 035720/);
    await runQts(['virtual', 'price', '035720', '50000'], { home });
    const run = await runQts(['quote', '035720', '--json'], { home });
    expect(run.code, run.stderr).toBe(0);
    expect(expectShape(QuoteJsonSchema, onlyJson(run))).toEqual({
      symbol: '035720',
      price: 50_000,
      upperLimit: 65_000,
      lowerLimit: 35_000,
      basePrice: 50_000,
      tick: 100,
    });
    const below = await runQts(['order', 'sell', '035720', '1', '--price', '34950', '--json'], {
      home,
    });
    expect(below.code).toBe(2);
    expect(below.stdout + below.stderr).toMatch(/below the lower limit/);
    const atUpper = await runQts(['order', 'buy', '035720', '1', '--price', '65000', '--json'], {
      home,
    });
    expect(atUpper.code, atUpper.stderr).toBe(0);
    const bad = await runQts(['quote', 'abc'], { home });
    expect(bad.code).toBe(2);
  });

  it('insufficient funds: exit 3 with the order and its error', async () => {
    const home = tempDir();
    const result = await runQts(['order', 'buy', '000660', '1000', '--price', '150000', '--json'], {
      home,
    });
    expect(result.code, result.stderr).toBe(3);
    const body = expectShape(OrderWithErrorSchema, onlyJson(result));
    expect(body.status).toBe('rejected');
    expect(body.error.outcome).toBe('rejected');
  });

  it('a market order with no reference price says how to set one, and nothing fills', async () => {
    const home = tempDir();
    const result = await runQts(['order', 'buy', '035720', '1', '--market'], { home });
    expect([2, 3]).toContain(result.code);
    expect(result.stderr).toMatch(/qts virtual price|reference price/i);
  });

  it('the same --client-order-id never makes a second order', async () => {
    const home = tempDir();
    const args = [
      'order',
      'buy',
      '005930',
      '1',
      '--price',
      '70000',
      '--client-order-id',
      'intent-001',
      '--json',
    ];
    const first = await runQts(args, { home });
    const second = await runQts(args, { home });
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const a = expectShape(OrderSchema, onlyJson(first));
    const b = expectShape(OrderSchema, onlyJson(second));
    expect(b.orderId).toBe(a.orderId);
    const listed = expectShape(
      OrdersSchema,
      onlyJson(await runQts(['orders', '--json', '--date', seoulDateOf(a.createdAt)], { home })),
    );
    expect(listed.orders).toHaveLength(1);
  });

  it('cancel / modify of an unknown id: exit 2, nothing sent', async () => {
    const home = tempDir();
    // one after the other: two first runs racing on a fresh QTS_HOME is not what this checks
    const cancel = await runQts(['cancel', 'nope', '--json'], { home });
    const modify = await runQts(['modify', 'nope', '--qty', '1', '--json'], { home });
    expect(cancel.code, cancel.stdout + cancel.stderr).toBe(2);
    expect(modify.code, modify.stdout + modify.stderr).toBe(2);
    expect(expectShape(ErrorOnlySchema, onlyJson(cancel)).error.code).toBe('UNKNOWN_ORDER_ID');
  });

  it('virtual price refuses in paper mode (exit 2)', async () => {
    const result = await runQts(['virtual', 'price', '005930', '70000', '--mode', 'paper'], {
      home: tempDir(),
      env: {
        ...(await closedKisEnv()),
        QTS_KIS_APP_KEY: 'k'.repeat(36),
        QTS_KIS_APP_SECRET: 's'.repeat(40),
        QTS_KIS_ACCOUNT: '50000000-01',
      },
    });
    expect(result.code).toBe(2);
  });
});
