// Order divisions and venues through the route (broker-virtual's exchange, an injected clock):
// the journal keeps them and the duplicate-order fingerprint tells them apart; an order outside
// its venue's hours is refused before anything is journaled or sent, at the window edges; a
// cancel / modify the division does not allow is refused before sending; an IOC remainder the
// exchange cancels is a normal end (canceled with its fills), also when the place answer was lost.
import { join } from 'node:path';
import {
  createVirtualExchange,
  createVirtualOrderAdapter,
  type VirtualExchange,
} from '@qts/broker-virtual';
import type { OrderAdapter } from '@qts/order-contract';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createExecutionRoute,
  createSqliteJournal,
  type ExecutionRoute,
  type OrderJournal,
} from '../src/index.js';
import { tempDir } from './helpers/setup.js';

/** Wednesday 2026-11-25 in Seoul at `hhmmss`, as epoch ms. */
function kst(hhmmss: string): number {
  return Date.parse(
    `2026-11-25T${hhmmss.slice(0, 2)}:${hhmmss.slice(2, 4)}:${hhmmss.slice(4, 6)}+09:00`,
  );
}

interface DRig {
  readonly exchange: VirtualExchange;
  readonly route: ExecutionRoute;
  readonly journal: OrderJournal;
  readonly clock: { now: number };
  readonly file: string;
  booked(): number;
  close(): Promise<void>;
}

let rig: DRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function open(
  at: number,
  options: { wrap?: (adapter: OrderAdapter) => OrderAdapter; orderWindowCheck?: boolean } = {},
): DRig {
  const clock = { now: at };
  const exchange = createVirtualExchange({ clock: () => clock.now });
  exchange.setReferencePrice('005930', 70_000);
  const virtual = createVirtualOrderAdapter({ exchange });
  const adapter = options.wrap?.(virtual) ?? virtual;
  const file = join(tempDir(), 'j.sqlite');
  const journal = createSqliteJournal({
    file,
    mode: 'virtual',
    host: 'virtual',
    account: exchange.defaultAccount,
  });
  const route = createExecutionRoute({
    adapter,
    journal,
    mode: 'virtual',
    clock: () => clock.now,
    dailyLimitCheck: false,
    ...(options.orderWindowCheck === undefined
      ? {}
      : { orderWindowCheck: options.orderWindowCheck }),
  });
  return {
    exchange,
    route,
    journal,
    clock,
    file,
    booked: () =>
      exchange
        .orders(exchange.defaultAccount, { tradingDate: exchange.tradingDate() })
        .filter((o) => o.kind === 'order').length,
    async close() {
      journal.close();
      await virtual.close();
      exchange.close();
    },
  };
}

const BUY = { symbol: '005930', side: 'buy', quantity: 10 } as const;

describe('order windows at the route clock', () => {
  it.each([
    // [division fields, instant (KST), accepted?]
    ['post-market-close', { type: 'limit', session: 'post' }, '153959', false],
    ['post-market-close', { type: 'limit', session: 'post' }, '154000', true],
    ['post-market-close', { type: 'limit', session: 'post' }, '155959', true],
    ['post-market-close', { type: 'limit', session: 'post' }, '160000', false],
    [
      'after-hours-single',
      { type: 'limit', session: 'single', limitPrice: 70_000 },
      '160000',
      true,
    ],
    [
      'after-hours-single',
      { type: 'limit', session: 'single', limitPrice: 70_000 },
      '180000',
      false,
    ],
    ['NXT after-market limit', { type: 'limit', limitPrice: 69_000, venue: 'NXT' }, '195959', true],
    [
      'NXT after-market limit',
      { type: 'limit', limitPrice: 69_000, venue: 'NXT' },
      '200000',
      false,
    ],
    [
      'NXT best before its main market',
      { type: 'limit', priceCondition: 'best', venue: 'NXT' },
      '090029',
      false,
    ],
    [
      'NXT best in its main market',
      { type: 'limit', priceCondition: 'best', venue: 'NXT' },
      '090030',
      true,
    ],
    [
      'KRX IOC at the close',
      { type: 'limit', executionCondition: 'ioc', limitPrice: 69_000 },
      '152959',
      true,
    ],
    [
      'KRX IOC after the close',
      { type: 'limit', executionCondition: 'ioc', limitPrice: 69_000 },
      '153000',
      false,
    ],
  ] as const)('%s at %s: accepted %s', async (_label, fields, hhmmss, accepted) => {
    rig = open(kst(hhmmss));
    if (accepted) {
      const result = await rig.route.submit({ ...BUY, ...fields });
      expect(result.error).toBeUndefined();
      expect(rig.booked()).toBe(1);
      return;
    }
    const error = await rig.route.submit({ ...BUY, ...fields }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ name: 'InvalidOrderError', outcome: 'not_placed' });
    const [issue] = (error as { issues: { code: string; message: string }[] }).issues;
    expect(issue?.code).toBe('outside-session');
    // The message names the session that would take it and the time it is now.
    expect(issue?.message).toMatch(/KST/);
    expect(issue?.message).toMatch(/(session|market|시간외)/);
    expect(rig.booked()).toBe(0);
    expect(rig.journal.list({})).toEqual([]);
  });

  it('a plain limit order is never checked: it goes at 03:00 KST as before', async () => {
    rig = open(kst('030000'));
    const result = await rig.route.submit({ ...BUY, type: 'limit', limitPrice: 69_000 });
    expect(result.error).toBeUndefined();
    expect(rig.booked()).toBe(1);
  });

  it('orderWindowCheck false leaves the hours to the broker', async () => {
    rig = open(kst('030000'), { orderWindowCheck: false });
    const result = await rig.route.submit({ ...BUY, type: 'limit', session: 'post' });
    expect(result.error).toBeUndefined();
    expect(rig.booked()).toBe(1);
  });

  it('an adapter that does not offer the division refuses it first, whatever the hour', async () => {
    const plain = (adapter: OrderAdapter): OrderAdapter => {
      const { orderOptions: _dropped, ...capabilities } = adapter.capabilities;
      return { ...adapter, capabilities, placeOrder: adapter.placeOrder };
    };
    rig = open(kst('030000'), { wrap: plain });
    const error = await rig.route
      .submit({ ...BUY, type: 'limit', executionCondition: 'ioc', limitPrice: 69_000 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'InvalidOrderError',
      issues: [expect.objectContaining({ code: 'division-not-supported' })],
    });
    expect(rig.booked()).toBe(0);
  });
});

describe('the journal and the fingerprint', () => {
  it('journals the division and venue, and reads them back from the file', async () => {
    rig = open(kst('100000'));
    const result = await rig.route.submit({
      ...BUY,
      type: 'limit',
      priceCondition: 'best',
      venue: 'SOR',
    });
    expect(result.order).toMatchObject({ priceCondition: 'best', venue: 'SOR', price: null });
    const reopened = createSqliteJournal({
      file: rig.file,
      mode: 'virtual',
      host: 'virtual',
      account: rig.exchange.defaultAccount,
    });
    try {
      expect(reopened.get(result.order.orderId)).toMatchObject({
        type: 'limit',
        priceCondition: 'best',
        venue: 'SOR',
      });
    } finally {
      reopened.close();
    }
    // A plain order's row carries none of the new fields.
    const plain = await rig.route.submit({ ...BUY, type: 'limit', limitPrice: 69_000 });
    expect(Object.keys(plain.order)).not.toContain('venue');
    expect(Object.keys(plain.order)).not.toContain('priceCondition');
  });

  it('an unknown IOC order blocks the same IOC order, not a plain limit order of the same price', async () => {
    rig = open(kst('100000'));
    const ioc = { ...BUY, type: 'limit', executionCondition: 'ioc', limitPrice: 69_000 } as const;
    rig.exchange.faults.next('place', { kind: 'never-answer' });
    const first = await rig.route.submit(ioc);
    expect(first.order.status).toBe('unknown');
    await expect(rig.route.submit(ioc)).rejects.toMatchObject({
      reason: 'UNKNOWN_ORDER_FINGERPRINT',
    });
    await expect(rig.route.submit({ ...ioc, venue: 'NXT' })).resolves.toMatchObject({
      order: { venue: 'NXT' },
    });
    const plain = await rig.route.submit({ ...BUY, type: 'limit', limitPrice: 69_000 });
    expect(plain.error).toBeUndefined();
  });
});

/** A seller's 4 shares resting at 70,500: an IOC buy of 10 at 70,500 fills 4, the rest is canceled. */
function restingSell(exchange: VirtualExchange): void {
  exchange.openAccount('seller');
  const bought = exchange.place('seller', {
    symbol: '005930',
    side: 'buy',
    type: 'limit',
    quantity: 4,
    limitPrice: 70_000,
  });
  expect(bought.ok).toBe(true);
  const resting = exchange.place('seller', {
    symbol: '005930',
    side: 'sell',
    type: 'limit',
    quantity: 4,
    limitPrice: 70_500,
  });
  expect(resting).toMatchObject({ ok: true, order: { remainingQuantity: 4 } });
}

describe('IOC and FOK outcomes', () => {
  const IOC = { ...BUY, type: 'limit', executionCondition: 'ioc', limitPrice: 70_500 } as const;

  it('an IOC remainder canceled by the exchange: canceled with its fills, after one reconcile', async () => {
    rig = open(kst('100000'));
    restingSell(rig.exchange);
    const result = await rig.route.submit(IOC);
    expect(result.error).toBeUndefined();
    await rig.route.reconcile();
    expect(rig.route.order(result.order.orderId)).toMatchObject({
      status: 'canceled',
      filledQuantity: 4,
      averagePrice: 70_500,
      executionCondition: 'ioc',
    });
  });

  it('an IOC whose place answer was lost: reconcile finds it canceled with its fills, never unknown or not_found', async () => {
    rig = open(kst('100000'));
    restingSell(rig.exchange);
    rig.exchange.faults.next('place', { kind: 'never-answer' });
    const result = await rig.route.submit(IOC);
    expect(result.order.status).toBe('unknown');
    await rig.route.reconcile();
    expect(rig.route.order(result.order.orderId)).toMatchObject({
      status: 'canceled',
      filledQuantity: 4,
    });
  });

  it('a FOK that cannot fill all is canceled with nothing filled; one that can is filled', async () => {
    rig = open(kst('100000'));
    restingSell(rig.exchange);
    const fok = { ...IOC, executionCondition: 'fok' } as const;
    const killed = await rig.route.submit(fok);
    await rig.route.reconcile();
    expect(rig.route.order(killed.order.orderId)).toMatchObject({
      status: 'canceled',
      filledQuantity: 0,
    });
    const filled = await rig.route.submit({ ...fok, quantity: 4 });
    await rig.route.reconcile();
    expect(rig.route.order(filled.order.orderId)).toMatchObject({
      status: 'filled',
      filledQuantity: 4,
    });
  });

  it('a cancel or modify the division does not allow is refused before sending', async () => {
    rig = open(kst('100000'));
    const best = await rig.route.submit({ ...BUY, type: 'limit', priceCondition: 'priority' });
    expect(best.error).toBeUndefined();
    const before = rig.exchange.faults.requestCount('modify');
    await expect(
      rig.route.modify(best.order.orderId, { limitPrice: 69_000 }),
    ).rejects.toMatchObject({
      name: 'InvalidOrderError',
      issues: [expect.objectContaining({ code: 'price-set-by-exchange' })],
    });
    expect(rig.exchange.faults.requestCount('modify')).toBe(before);
    const ioc = await rig.route.submit({ ...IOC, limitPrice: 69_000 });
    const cancels = rig.exchange.faults.requestCount('cancel');
    await expect(rig.route.cancel(ioc.order.orderId)).rejects.toMatchObject({
      name: 'InvalidOrderError',
      issues: [expect.objectContaining({ code: 'order-does-not-rest' })],
    });
    expect(rig.exchange.faults.requestCount('cancel')).toBe(cancels);
  });
});
