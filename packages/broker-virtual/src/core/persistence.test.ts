import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { createVirtualExchange } from './exchange.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

const WED_10_KST = Date.UTC(2026, 10, 25, 1, 0, 0);
const A = '00000000-01';

function tempFile(): string {
  const home = process.env.QTS_HOME;
  if (home === undefined) throw new Error('the shared vitest setup sets QTS_HOME');
  // A folder that does not exist yet: the exchange creates it.
  return join(mkdtempSync(join(home, 'virtual-')), 'virtual', 'exchange.sqlite');
}

describe('persistence', () => {
  it('keeps orders, positions, cash, reference prices and numbering across reopen', () => {
    const file = tempFile();
    const first = createVirtualExchange({ file, clock: () => WED_10_KST });
    first.setReferencePrice('005930', 70_000);
    const bought = first.place(A, { symbol: '005930', side: 'buy', type: 'market', quantity: 3 });
    const resting = first.place(A, {
      symbol: '000660',
      side: 'buy',
      type: 'limit',
      quantity: 2,
      limitPrice: 150_000,
    });
    first.setReferencePrice('000660', 160_000);
    expect(bought.ok && resting.ok).toBe(true);
    const orders = first.orders(A);
    const balance = first.balance(A);
    first.close();

    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    const second = createVirtualExchange({ file, clock: () => WED_10_KST });
    expect(second.file).toBe(file);
    expect(second.orders(A)).toEqual(orders);
    expect(second.balance(A)).toEqual(balance);
    expect(second.referencePrices()).toEqual([
      { symbol: '000660', price: 160_000 },
      { symbol: '005930', price: 70_000 },
    ]);
    // The resting order still fills, and numbering continues.
    second.setReferencePrice('000660', 149_000);
    expect(second.orders(A, { symbol: '000660' })[0]).toMatchObject({ status: 'filled' });
    const next = second.place(A, { symbol: '005930', side: 'sell', type: 'market', quantity: 1 });
    expect(next.ok && next.order.orderNo).toBe('0000000003');
    second.close();

    const raw = new Database(file);
    const version = raw.prepare('PRAGMA user_version').get() as { user_version: number };
    const mode = raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    raw.close();
    expect(version.user_version).toBe(SCHEMA_VERSION);
    expect(mode.journal_mode).toBe('wal');
  });

  it('refuses a file written by a newer schema', () => {
    const file = tempFile();
    mkdirSync(dirname(file));
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => createVirtualExchange({ file })).toThrow(/schema version/);
  });

  it('migrates a version 1 file, keeping its orders', () => {
    const file = tempFile();
    mkdirSync(dirname(file));
    const raw = new Database(file);
    raw.exec(MIGRATIONS[0] ?? '');
    raw.pragma('user_version = 1');
    raw
      .prepare(
        `INSERT INTO orders (order_no, account, branch, kind, symbol, side, type, quantity, limit_price, remaining_quantity, ordered_at, trading_date) VALUES ('0000000001', ?, '00950', 'order', '069500', 'buy', 'limit', 5, 10000, 5, ?, '20261125')`,
      )
      .run(A, WED_10_KST);
    raw.close();
    const exchange = createVirtualExchange({ file, clock: () => WED_10_KST });
    expect(exchange.orders(A)).toMatchObject([
      {
        orderNo: '0000000001',
        productType: 'stock',
        status: 'open',
        remainingQuantity: 5,
        // v3: an order written before divisions existed is its type's division, on KRX.
        division: 'limit',
        venue: 'KRX',
      },
    ]);
    exchange.close();
    const again = new Database(file);
    const version = again.prepare('PRAGMA user_version').get() as { user_version: number };
    again.close();
    expect(version.user_version).toBe(SCHEMA_VERSION);
  });

  it('keeps the division and venue of an order across a reopen (schema v3)', () => {
    const file = tempFile();
    const one = createVirtualExchange({ file, clock: () => WED_10_KST });
    one.setReferencePrice('005930', 70_000);
    one.place(A, {
      symbol: '005930',
      side: 'buy',
      type: 'limit',
      division: 'conditional',
      venue: 'KRX',
      quantity: 1,
      limitPrice: 69_000,
    });
    one.place(A, {
      symbol: '005930',
      side: 'buy',
      type: 'limit',
      venue: 'NXT',
      quantity: 1,
      limitPrice: 69_000,
    });
    one.close();
    const two = createVirtualExchange({ file, clock: () => WED_10_KST });
    expect(two.orders(A).map((order) => [order.division, order.venue])).toEqual([
      ['conditional', 'KRX'],
      ['limit', 'NXT'],
    ]);
    two.close();
  });

  it('shares one file between two exchanges without losing an operation', () => {
    const file = tempFile();
    const one = createVirtualExchange({ file, clock: () => WED_10_KST });
    const two = createVirtualExchange({ file, clock: () => WED_10_KST });
    one.setReferencePrice('005930', 70_000);
    const a = one.place(A, { symbol: '005930', side: 'buy', type: 'market', quantity: 1 });
    const b = two.place(A, { symbol: '005930', side: 'buy', type: 'market', quantity: 1 });
    expect([a.ok && a.order.orderNo, b.ok && b.order.orderNo]).toEqual([
      '0000000001',
      '0000000002',
    ]);
    expect(one.balance(A).cash).toBe(100_000_000 - 140_000);
    one.close();
    two.close();
  });
});
