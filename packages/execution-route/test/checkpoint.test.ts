// WAL checkpoints stay off the order path: a write-ahead (durable) commit never copies the WAL
// into the database file, the checkpoint runs after an answer is recorded, on the next turn of
// the event loop, and the WAL stays bounded.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSqliteJournal, type Order } from '../src/index.js';
import { pendingOrder } from './helpers/write-ahead.js';

const key = { mode: 'real', host: 'test:1', account: '50012345-01' } as const;

function order(n: number): Order {
  return { ...pendingOrder(`o-ckpt-${n}`), mode: 'real' };
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SQLite journal checkpoints', () => {
  it('never checkpoint inside a write-ahead commit; they follow an answer, and the WAL stays bounded', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'qts-ckpt-')), 'journal.sqlite');
    const journal = createSqliteJournal({ ...key, file });
    const at = '2026-12-07T01:00:00.000Z';
    let checkpoints = 0;
    let largestWal = 0;
    /** Runs a commit and checks that the database file did not change inside it. */
    const commit = (what: string, action: () => unknown) => {
      const before = digest(file);
      action();
      expect(digest(file), `${what}: a checkpoint ran inside the commit`).toBe(before);
    };
    /** The next turn of the event loop, counting a checkpoint that ran in it. */
    const turn = async () => {
      const before = digest(file);
      await nextTurn();
      if (digest(file) !== before) checkpoints += 1;
      largestWal = Math.max(largestWal, statSync(`${file}-wal`).size);
    };
    for (let n = 0; n < 200; n += 1) {
      const o = order(n);
      const send = { status: 'submitted', sentAt: at } as const;
      if (n % 2 === 0) {
        // the route's way: the intent and its write-ahead record (durable) in one commit
        commit(`order ${n} intent and write-ahead record`, () =>
          journal.insert(
            o,
            { at, cause: 'intent' },
            { patch: send, entry: { at, cause: 'send', durable: true } },
          ),
        );
      } else {
        // a journal written in two commits; the write-ahead record goes straight on to the
        // send: no turn in between
        commit(`order ${n} intent`, () => journal.insert(o, { at, cause: 'intent' }));
        commit(`order ${n} write-ahead record`, () =>
          journal.update(o.orderId, send, { at, cause: 'send', durable: true }),
        );
      }
      await turn();
      commit(`order ${n} answer`, () =>
        journal.update(
          o.orderId,
          { status: 'accepted', brokerOrderId: String(n + 1).padStart(10, '0'), acceptedAt: at },
          { at, cause: 'ack' },
        ),
      );
      await turn();
    }
    journal.close();
    // 500 commits, one checkpoint per 100 commits
    expect(checkpoints).toBeGreaterThanOrEqual(4);
    // about 100 commits of a few pages each, far below an unchecked WAL of 500 commits
    expect(largestWal).toBeLessThan(8 * 1024 * 1024);
    // everything is in the database file after close, the WAL is gone
    const reopened = createSqliteJournal({ ...key, file });
    expect(reopened.get('o-ckpt-199')?.status).toBe('accepted');
    reopened.close();
  });
});
