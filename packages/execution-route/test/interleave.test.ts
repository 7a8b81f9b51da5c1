// Processes racing on one journal file: order-placing routes (some SIGKILLed at random moments)
// and routes that open (recovering abandoned records) and reconcile, all at once. Afterwards the
// journal must agree with the broker's book: no answered order turned failed or unknown, every
// broker order bound to exactly one journal order, no status left a terminal state, no
// duplicate at the broker.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTerminal } from '@qts/order-contract';
import { afterAll, describe, expect, it } from 'vitest';
import { createExecutionRoute, createSqliteJournal } from '../src/index.js';
import { createFakeBroker } from './helpers/fake-broker.js';
import { tempDir } from './helpers/setup.js';

const child = fileURLToPath(new URL('./helpers/interleave-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function start(env: Record<string, string>): {
  proc: ChildProcess;
  done: Promise<string>;
  acks: () => number;
} {
  const proc = spawn(process.execPath, ['--conditions=@qts/source', '--import', 'tsx', child], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += String(d);
  });
  proc.stderr?.on('data', () => {});
  const done = new Promise<string>((resolve) => proc.on('exit', () => resolve(out)));
  return { proc, done, acks: () => out.match(/^ACK /gm)?.length ?? 0 };
}

/** SIGKILLs a child a random moment after it has had `after` orders answered. */
async function killAfter(p: ReturnType<typeof start>, after: number): Promise<void> {
  while (p.acks() < after && p.proc.exitCode === null) {
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 12)));
  p.proc.kill('SIGKILL');
}

describe('routes in several processes on one journal', () => {
  it('placing, killed, recovering and reconciling processes leave a journal that agrees with the broker', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const files = {
      QTS_TEST_JOURNAL: join(dir, 'j.sqlite'),
      QTS_TEST_BROKER: join(dir, 'b.sqlite'),
    };
    // Create both files before the race (the fresh-file race has its own test).
    createSqliteJournal({
      file: files.QTS_TEST_JOURNAL,
      mode: 'virtual',
      host: 'virtual',
      account: 'test',
    }).close();
    createFakeBroker({ file: files.QTS_TEST_BROKER }).close();
    const placing = [0, 1, 2, 3].map((i) =>
      start({ ...files, QTS_TEST_ROLE: 'order', QTS_TEST_INDEX: String(i), QTS_TEST_COUNT: '12' }),
    );
    const checking = [0, 1].map(() =>
      start({ ...files, QTS_TEST_ROLE: 'orders', QTS_TEST_COUNT: '15' }),
    );
    // Kill two of the placing processes mid-run (in flight more often than not).
    await Promise.all([killAfter(placing[1]!, 2), killAfter(placing[3]!, 5)]);
    const outputs = await Promise.all([...placing, ...checking].map((p) => p.done));
    for (const out of outputs) expect(out).not.toMatch(/FAIL/);
    // The killed ones died mid-run.
    expect(outputs[1]).not.toMatch(/DONE/);
    expect(outputs[3]).not.toMatch(/DONE/);
    const acked = new Map<string, string>();
    for (const out of outputs.slice(0, placing.length)) {
      for (const m of out.matchAll(/^ACK (\S+) (\S+)$/gm)) acked.set(m[1]!, m[2]!);
    }
    expect(acked.size).toBeGreaterThan(0);

    // Settle: every owner is gone now; evidence window 0 so absent orders conclude.
    const journal = createSqliteJournal({
      file: files.QTS_TEST_JOURNAL,
      mode: 'virtual',
      host: 'virtual',
      account: 'test',
    });
    const broker = createFakeBroker({ file: files.QTS_TEST_BROKER });
    try {
      const route = createExecutionRoute({
        adapter: broker.adapter,
        journal,
        mode: 'virtual',
        evidenceWindowMs: 0,
      });
      await route.reconcile();
      const orders = route.orders();
      // An order answered to its process is accepted with that number, whatever ran meanwhile.
      for (const [orderId, number] of acked) {
        expect(route.order(orderId)).toMatchObject({ status: 'accepted', brokerOrderId: number });
      }
      // Every broker order is bound to exactly one journal order; no duplicate at the broker.
      const rows = broker.rows().filter((r) => r.kind === 'order');
      expect(new Set(rows.map((r) => r.quantity)).size).toBe(rows.length);
      for (const row of rows) {
        const owners = orders.filter((o) => o.brokerOrderId === row.brokerOrderId);
        expect(owners, `broker order ${row.brokerOrderId}`).toHaveLength(1);
        expect(owners[0]?.quantity).toBe(row.quantity);
      }
      // No order says failed / not_found while the broker has it.
      for (const o of orders.filter((x) =>
        ['failed', 'not_found', 'rejected'].includes(x.status),
      )) {
        expect(
          rows.some((r) => r.quantity === o.quantity),
          o.orderId,
        ).toBe(false);
      }
      // Nothing left a terminal status (a late fill of a canceled order aside).
      for (const e of journal.events()) {
        if (e.from !== null && isTerminal(e.from) && e.to !== e.from) {
          expect([e.from, e.to]).toEqual(['canceled', 'filled']);
        }
      }
      expect(orders.every((o) => o.status !== 'unknown' && o.status !== 'submitted')).toBe(true);
    } finally {
      journal.close();
      broker.close();
    }
  }, 120_000);
});
