// Exit codes around the send point, through the compiled CLI:
// - a replay of a client order id whose first order is still pending / submitted in another
//   process is an unknown outcome (exit 4), never a success;
// - a failure before the send point says nothing was sent (exit 1), after it the outcome is
//   unknown (exit 4) and the order is printed (another process holding the journal's write lock
//   during a cancel, before and after the broker was asked);
// - route refusals carry their own JSON code (never CONFIG).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  createVirtualExchange,
  createVirtualOrderAdapter,
  type KisSandbox,
  startKisSandbox,
} from '@qts/broker-virtual';
import {
  createExecutionRoute,
  createSqliteJournal,
  type JournalEntry,
  journalPath,
  type Order,
  type OrderJournal,
  type RouteCheckpoint,
} from '@qts/execution-route';
import { onlyJson, removeTempDirs, runQts, sandboxEnv, tempDir } from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { toFailure } from '../src/failure.js';
import { ErrorOnlySchema, expectShape, OrderSchema, OrderWithErrorSchema } from './helpers.js';

const sandboxes: KisSandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  removeTempDirs();
});

/** The virtual mode's files under a QTS_HOME, opened in this process (another "qts process"). */
function virtualSide(home: string) {
  const folder = join(home, 'virtual');
  const exchange = createVirtualExchange({ file: join(folder, 'exchange.sqlite') });
  const adapter = createVirtualOrderAdapter({ exchange });
  const key = { mode: 'virtual' as const, host: 'virtual', account: exchange.defaultAccount };
  const journal = createSqliteJournal({ ...key, file: journalPath(folder, key) });
  return {
    exchange,
    adapter,
    journal,
    async close() {
      journal.close();
      await adapter.close();
      exchange.close();
    },
  };
}

/** A raw connection to a journal file that can hold its write lock (another process's writer). */
function lockHolder(file: string) {
  const require = createRequire(require_resolve_route());
  const Database = require('libsql') as new (
    file: string,
  ) => { exec(sql: string): void; close(): void };
  const db = new Database(file);
  return {
    lock: () => db.exec('BEGIN IMMEDIATE'),
    release: () => {
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
function require_resolve_route(): string {
  return createRequire(import.meta.url).resolve('@qts/execution-route/package.json');
}

function journalFileIn(home: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/^orders-.*\.sqlite$/.test(entry.name)) found.push(path);
    }
  };
  walk(home);
  if (found.length !== 1) throw new Error(`expected one journal under ${home}: ${found}`);
  return found[0] as string;
}

describe('a replay of a client order id still in flight elsewhere', () => {
  // `pending`: the first order's journal wrote the intent alone (as a QTS before the one-commit
  // write-ahead did, or a journal that ignores the follow-up record).
  it.each([
    ['journaled', 'submitted', false],
    ['journaled', 'pending', true],
    ['before-send', 'submitted', false],
  ] as const)(
    'first order stopped at %s (%s): exit 4 with the unknown-outcome words, nothing sent',
    async (point: RouteCheckpoint, status, intentAlone) => {
      const home = tempDir();
      const price = await runQts(['virtual', 'price', '005930', '70000'], { home });
      expect(price.code, price.stderr).toBe(0);
      const side = virtualSide(home);
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let reached: () => void = () => {};
      const atPoint = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const journal: OrderJournal = intentAlone
        ? new Proxy(side.journal, {
            get: (target, name, receiver) =>
              name === 'insert'
                ? (order: Order, entry: JournalEntry) => target.insert(order, entry)
                : Reflect.get(target, name, receiver),
          })
        : side.journal;
      const route = createExecutionRoute({
        adapter: side.adapter,
        journal,
        mode: 'virtual',
        checkpoint: async (at) => {
          if (at !== point) return;
          reached();
          await held;
        },
      });
      const first = route.submit({
        symbol: '005930',
        side: 'buy',
        quantity: 1,
        type: 'limit',
        limitPrice: 60000,
        intentId: 'replay-1',
      });
      try {
        await atPoint;
        const replay = await runQts(
          [
            'order',
            'buy',
            '005930',
            '1',
            '--price',
            '60000',
            '--client-order-id',
            'replay-1',
            '--json',
          ],
          { home },
        );
        expect(replay.code, replay.stdout + replay.stderr).toBe(4);
        const body = expectShape(OrderWithErrorSchema, onlyJson(replay));
        expect(body.status).toBe(status);
        expect(body.clientOrderId).toBe('replay-1');
        expect(body.error).toMatchObject({
          code: 'OUTCOME_UNKNOWN',
          outcome: 'unknown',
          hint: 'Do NOT resend. Run `qts orders` to reconcile: the order may exist at the broker.',
        });
        const people = await runQts(
          ['order', 'buy', '005930', '1', '--price', '60000', '--client-order-id', 'replay-1'],
          { home },
        );
        expect(people.code).toBe(4);
        expect(people.stderr).toContain('Do NOT resend');
        // Nothing reached the exchange from the replays.
        expect(side.exchange.orders(side.exchange.defaultAccount)).toHaveLength(0);
      } finally {
        release();
        await first;
        await side.close();
      }
    },
  );
});

describe('an unexpected failure before the send point', () => {
  it('an unreadable journal: exit 1, not_placed, and it says nothing was sent', async () => {
    const home = tempDir();
    const folder = join(home, 'virtual');
    const file = journalPath(folder, { mode: 'virtual', host: 'virtual', account: '00000000-01' });
    mkdirSync(join(folder, 'journal'), { recursive: true });
    writeFileSync(file, 'this is not an SQLite database, it is '.repeat(200));
    const result = await runQts(['order', 'buy', '005930', '1', '--price', '60000', '--json'], {
      home,
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const { error } = expectShape(ErrorOnlySchema, onlyJson(result));
    expect(error.outcome).toBe('not_placed');
    expect(error.message).toMatch(/nothing was sent/i);
    expect(error.hint).not.toMatch(/Do NOT resend/);
  });
});

describe('route refusals have their own JSON codes', () => {
  it('a retry of an unknown order: UNKNOWN_ORDER_FINGERPRINT (exit 2), never CONFIG', async () => {
    const home = tempDir();
    const side = virtualSide(home);
    side.exchange.setReferencePrice('005930', 70000);
    side.exchange.faults.next('place', { kind: 'never-answer' });
    const route = createExecutionRoute({
      adapter: side.adapter,
      journal: side.journal,
      mode: 'virtual',
    });
    const first = await route.submit({
      symbol: '005930',
      side: 'buy',
      quantity: 1,
      type: 'limit',
      limitPrice: 60000,
    });
    expect(first.order.status).toBe('unknown');
    await side.close();
    const retry = await runQts(['order', 'buy', '005930', '1', '--price', '60000', '--json'], {
      home,
    });
    expect(retry.code, retry.stdout + retry.stderr).toBe(2);
    const { error } = expectShape(ErrorOnlySchema, onlyJson(retry));
    expect(error.code).toBe('UNKNOWN_ORDER_FINGERPRINT');
    expect(error.outcome).toBe('not_placed');
    expect(error.hint).toMatch(/qts orders/);
  });

  it('a cancel of a filled order: ORDER_NOT_CANCELABLE (exit 2)', async () => {
    const home = tempDir();
    expect((await runQts(['virtual', 'price', '005930', '70000'], { home })).code).toBe(0);
    const placed = await runQts(['order', 'buy', '005930', '1', '--price', '70000', '--json'], {
      home,
    });
    const filled = expectShape(OrderSchema, onlyJson(placed));
    expect(filled.status).toBe('filled');
    const cancel = await runQts(['cancel', filled.orderId, '--json'], { home });
    expect(cancel.code, cancel.stderr).toBe(2);
    expect(expectShape(ErrorOnlySchema, onlyJson(cancel)).error.code).toBe('ORDER_NOT_CANCELABLE');
  });

  it('toFailure keeps every refusal reason as the code and exits 2', () => {
    for (const reason of ['UNKNOWN_ORDER_FINGERPRINT', 'INTENT_ID_CONFLICT', 'JOURNAL_MISMATCH']) {
      const refusal = Object.assign(new Error('refused'), {
        name: 'RouteRefusedError',
        code: 'CONFIG',
        outcome: 'not_placed',
        reason,
        hint: 'h',
      });
      const failure = toFailure(refusal);
      expect(failure.exitCode).toBe(2);
      expect(failure.json.code).toBe(reason);
    }
    // A configuration error without a reason stays CONFIG.
    const config = Object.assign(new Error('bad'), { code: 'CONFIG', outcome: 'not_placed' });
    expect(toFailure(config).json.code).toBe('CONFIG');
  });
});

describe('another process holds the journal write lock during a cancel (paper sandbox)', () => {
  async function restingOrder() {
    const s = await startKisSandbox({
      environment: 'paper',
      rateLimitPerSecond: null,
      tokenIssueIntervalMs: 0,
    });
    sandboxes.push(s);
    s.exchange.setReferencePrice('005930', 70000);
    const home = tempDir();
    const env = sandboxEnv(s, { QTS_MODE: 'paper', QTS_KIS_RATE_PER_SEC: 'off' });
    const placed = await runQts(['order', 'buy', '005930', '1', '--price', '60000', '--json'], {
      home,
      env,
    });
    expect(placed.code, placed.stderr).toBe(0);
    const order = expectShape(OrderSchema, onlyJson(placed));
    expect(order.status).toBe('accepted');
    return { s, home, env, order, journal: journalFileIn(home) };
  }

  it('locked before the cancel is journaled: exit 1 JOURNAL_BUSY, nothing sent', async () => {
    const { s, home, env, order, journal } = await restingOrder();
    const holder = lockHolder(journal);
    holder.lock();
    try {
      const cancel = await runQts(['cancel', order.orderId, '--json'], { home, env });
      expect(cancel.code, cancel.stdout + cancel.stderr).toBe(1);
      const { error } = expectShape(ErrorOnlySchema, onlyJson(cancel));
      expect(error).toMatchObject({ code: 'JOURNAL_BUSY', outcome: 'not_placed' });
      expect(error.message).toMatch(/not sent/);
    } finally {
      holder.release();
    }
    expect(s.faults.requestCount('cancel')).toBe(0);
    const listed = await runQts(['orders', '--json'], { home, env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('"status":"accepted"');
  }, 90_000);

  it('locked after the broker was asked: exit 4 with the order, then qts orders settles it', async () => {
    const { s, home, env, order, journal } = await restingOrder();
    // The broker takes a moment to answer the cancel; meanwhile another writer takes the lock.
    s.faults.next('cancel', { kind: 'delay', ms: 1_500 });
    const holder = lockHolder(journal);
    const running = runQts(['cancel', order.orderId, '--json'], { home, env });
    const deadline = Date.now() + 10_000;
    while (s.faults.requestCount('cancel') === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(s.faults.requestCount('cancel')).toBe(1);
    holder.lock();
    let cancel: Awaited<typeof running>;
    try {
      cancel = await running;
    } finally {
      holder.release();
    }
    expect(cancel.code, cancel.stdout + cancel.stderr).toBe(4);
    const body = expectShape(OrderWithErrorSchema, onlyJson(cancel));
    expect(body.orderId).toBe(order.orderId);
    expect(body.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown' });
    // The broker did cancel it; the next `qts orders` brings the journal in line.
    const listed = await runQts(['orders', '--json'], { home, env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('"status":"canceled"');
  }, 120_000);
});
