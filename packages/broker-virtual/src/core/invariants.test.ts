// Random sequences of operations (seeded, so every run is the same) keep the books consistent.
import { describe, expect, it } from 'vitest';
import { VirtualExchangeError } from './errors.js';
import { createVirtualExchange } from './exchange.js';
import type { VirtualExchange } from './types.js';

const START = Date.UTC(2026, 10, 25, 1, 0, 0);
const ACCOUNTS = ['00000000-01', '11111111-01'] as const;
const SYMBOLS = ['005930', '000660', 'Q500001'] as const;
const CASH = 5_000_000;

/** mulberry32: a tiny seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkBooks(exchange: VirtualExchange): void {
  for (const account of ACCOUNTS) {
    const orders = exchange.orders(account, { from: '00000000', to: '99999999' });
    let spent = 0;
    const held = new Map<string, number>();
    let reserved = 0;
    for (const order of orders) {
      if (order.kind === 'cancel') {
        expect(order.remainingQuantity).toBe(0);
        continue;
      }
      expect(
        order.filledQuantity +
          order.remainingQuantity +
          order.canceledQuantity +
          order.modifiedQuantity +
          order.rejectedQuantity,
        `quantities of ${order.orderNo} add up`,
      ).toBe(order.quantity);
      expect(order.remainingQuantity).toBeGreaterThanOrEqual(0);
      const sign = order.side === 'buy' ? 1 : -1;
      spent += sign * order.filledAmount;
      held.set(order.symbol, (held.get(order.symbol) ?? 0) + sign * order.filledQuantity);
      if (order.side === 'buy' && order.remainingQuantity > 0) {
        reserved += order.remainingQuantity * (order.limitPrice ?? 0);
      }
    }
    const balance = exchange.balance(account);
    expect(balance.cash, `cash of ${account}`).toBe(CASH - spent);
    expect(balance.reservedCash).toBe(reserved);
    expect(balance.orderableCash).toBeGreaterThanOrEqual(0);
    for (const position of balance.positions) {
      expect(position.quantity).toBe(held.get(position.symbol));
      expect(position.sellableQuantity).toBeGreaterThanOrEqual(0);
      expect(position.sellableQuantity).toBeLessThanOrEqual(position.quantity);
    }
    for (const [symbol, quantity] of held) {
      if (quantity === 0) continue;
      expect(balance.positions.find((p) => p.symbol === symbol)?.quantity).toBe(quantity);
    }
  }
}

describe('invariants under random operations', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: cash, holdings, reservations and quantities always add up`, () => {
      const random = prng(seed);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
      const time = { now: START };
      const exchange = createVirtualExchange({ clock: () => time.now, startingCash: CASH });
      const prices = [9_990, 10_000, 10_050, 10_100, 9_900];
      let fills = 0;
      exchange.onEvent((event) => {
        if (event.kind === 'fill') fills += 1;
      });
      for (let step = 0; step < 150; step += 1) {
        const account = pick(ACCOUNTS);
        const symbol = pick(SYMBOLS);
        const roll = random();
        const open = exchange.orders(account, { openOnly: true });
        if (roll < 0.4) {
          const type = random() < 0.3 ? 'market' : 'limit';
          exchange.place(account, {
            symbol,
            side: random() < 0.6 ? 'buy' : 'sell',
            type,
            quantity: 1 + Math.floor(random() * 20),
            ...(type === 'limit' ? { limitPrice: pick(prices) } : {}),
          });
        } else if (roll < 0.55) {
          exchange.setReferencePrice(symbol, pick(prices));
        } else if (roll < 0.7 && open.length > 0) {
          const order = pick(open);
          exchange.cancel(account, order.orderNo, random() < 0.5 ? 'all' : 1);
        } else if (roll < 0.85 && open.length > 0) {
          const order = pick(open);
          exchange.modify(account, order.orderNo, {
            limitPrice: pick(prices),
            quantity: random() < 0.5 ? 'all' : 1,
            rest: random() < 0.5 ? 'keep' : 'cancel',
          });
        } else if (roll < 0.97 && open.length > 0) {
          const order = pick(open);
          try {
            exchange.fillPartially(order.orderNo, 1);
          } catch (error) {
            expect(error).toBeInstanceOf(VirtualExchangeError);
          }
        } else {
          time.now += 60_000;
        }
        if (step % 5 === 0) checkBooks(exchange);
      }
      checkBooks(exchange);
      expect(fills).toBeGreaterThan(0);
      exchange.close();
    });
  }
});
