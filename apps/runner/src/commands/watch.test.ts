import { describe, expect, it } from 'vitest';
import { watchRow } from './watch.js';

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
