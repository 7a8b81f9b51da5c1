import { describe, expect, it } from 'vitest';
import { eventLine, statusNote, watchRow } from './watch.js';

describe('watch rows', () => {
  it('align the status column whatever the word, without trailing spaces', () => {
    const rows = [
      watchRow('09:00:01', 'o-0mxb-aaa1', 'accepted', 'buy 005930 x 2 @ 60,000', 11),
      watchRow('09:00:02', 'o-0mxb-aaa1', 'partially_filled', '1/2 @ avg 60,000', 11),
      watchRow('09:00:03', '-', 'connection_lost', 'reset; catching up by inquiry', 11),
      watchRow('09:00:04', 'o-0mxb-aaa1', 'canceled', '', 11),
    ];
    expect(rows[1]).toContain('partially filled');
    expect(rows[2]).toContain('connection lost');
    const detailColumn = rows.slice(0, 3).map((row) => row.search(/(buy|1\/2|reset)/));
    expect(new Set(detailColumn).size).toBe(1);
    for (const row of rows) expect(row).not.toMatch(/\s$/);
  });
});

describe('watch lines', () => {
  const order = {
    orderId: 'o-1',
    brokerOrderId: '0000013903',
    status: 'partially_filled',
    symbol: '005930',
    side: 'buy',
    quantity: 2,
    price: 60_000,
    type: 'limit',
    mode: 'paper',
    filledQuantity: 1,
    averagePrice: 60_000,
    createdAt: '2026-12-07T00:00:00.000Z',
    clientOrderId: null,
  } as const;

  it('say what a fill made of the order, in the words of qts orders', () => {
    const fill = eventLine(
      {
        type: 'order-filled',
        brokerOrderId: '0000013903',
        symbol: '005930',
        side: 'buy',
        filledQuantity: 1,
        averagePrice: 60_000,
        lastQuantity: 1,
        lastPrice: 60_000,
        at: '2026-12-07T00:00:01.000Z',
        source: 'notice',
      },
      order,
    );
    expect(fill).toMatchObject({
      orderId: 'o-1',
      kind: 'order-filled',
      status: 'partially_filled',
    });
    expect(fill.text).toBe('1/2 @ avg 60,000 (last 1 @ 60,000)');
    expect(statusNote({ state: 'reconnecting', attempt: 2, reason: 'reset', delayMs: 1500 })).toBe(
      '[connection lost; reconnecting #2] reset (next in 1.5 s)',
    );
  });
});
