// Speed of the exchange core (run: pnpm --filter @qts/broker-virtual bench). Not a test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { createVirtualOrderAdapter } from '../src/adapter/index.js';
import { createVirtualExchange } from '../src/core/index.js';

const A = '00000000-01';
const clock = () => Date.UTC(2026, 10, 25, 1, 0, 0);

function exchangeWith(file?: string) {
  const exchange = createVirtualExchange({
    clock,
    startingCash: 1_000_000_000_000,
    ...(file === undefined ? {} : { file }),
  });
  exchange.setReferencePrice('005930', 70_000);
  return exchange;
}

describe('place a resting limit order, then cancel it', () => {
  const memory = exchangeWith();
  const file = exchangeWith(join(mkdtempSync(join(tmpdir(), 'qts-bench-')), 'exchange.sqlite'));
  for (const [name, exchange] of [
    ['in memory', memory],
    ['SQLite file (WAL)', file],
  ] as const) {
    bench(name, () => {
      const placed = exchange.place(A, {
        symbol: '005930',
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice: 69_000,
      });
      if (placed.ok) exchange.cancel(A, placed.order.orderNo);
    });
  }
});

describe('market order through the in-process adapter (place + fill event)', () => {
  const adapter = createVirtualOrderAdapter({ exchange: exchangeWith() });
  let n = 0;
  bench('placeOrder market', async () => {
    n += 1;
    await adapter.placeOrder({
      clientOrderId: `bench-${n}`,
      symbol: '005930',
      side: 'buy',
      type: 'market',
      quantity: 1,
    });
  });
});
