import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createExecutionRoute, createSqliteJournal } from '../src/index.js';
import { createFakeBroker } from './helpers/fake-broker.js';
import { tempDir } from './helpers/setup.js';

const child = fileURLToPath(new URL('./helpers/crash-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runChild(
  hangAt: string,
  journal: string,
  brokerFile: string,
): Promise<{ line: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--conditions=@qts/source', '--import', 'tsx', child], {
    cwd: packageDir,
    env: {
      ...process.env,
      QTS_TEST_HANG_AT: hangAt,
      QTS_TEST_JOURNAL: journal,
      QTS_TEST_BROKER: brokerFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr?.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('HANG ') || l.startsWith('DONE '));
      if (line !== undefined) resolve({ line, proc });
    });
    proc.on('exit', (code) => {
      if (!out.includes('HANG') && !out.includes('DONE'))
        reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

function kill9(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.on('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

const POINTS = [
  // point, status after restart (recovery), status after reconcile (+6 min), broker orders
  { point: 'before-journal', recovered: null, reconciled: null, booked: 0 },
  { point: 'journaled', recovered: 'failed', reconciled: 'failed', booked: 0 },
  { point: 'before-send', recovered: 'unknown', reconciled: 'not_found', booked: 0 },
  { point: 'after-send', recovered: 'unknown', reconciled: 'accepted', booked: 1 },
  { point: 'answered', recovered: 'unknown', reconciled: 'accepted', booked: 1 },
  { point: 'none', recovered: 'accepted', reconciled: 'accepted', booked: 1 },
] as const;

describe.concurrent('kill -9 at every point of submit (broker state outside the killed process)', () => {
  it.each(POINTS)(
    'killed at $point: restart tells what to check; zero duplicates, zero lost',
    async ({ point, recovered, reconciled, booked }) => {
      const dir = tempDir();
      dirs.push(dir);
      const journalFile = join(dir, 'journal.sqlite');
      const brokerFile = join(dir, 'broker.sqlite');
      const { line, proc } = await runChild(point, journalFile, brokerFile);
      expect(line).toBe(point === 'none' ? 'DONE accepted' : `HANG ${point}`);
      await kill9(proc);

      // restart: a new process opens the same journal and the same broker
      let now = Date.now();
      const broker = createFakeBroker({ file: brokerFile, clock: () => now });
      const journal = createSqliteJournal({
        file: journalFile,
        mode: 'virtual',
        host: 'virtual',
        account: 'crash',
      });
      try {
        const route = createExecutionRoute({
          adapter: broker.adapter,
          journal,
          mode: 'virtual',
          clock: () => now,
        });
        const orders = route.orders();
        expect(orders.map((o) => o.status)).toEqual(recovered === null ? [] : [recovered]);
        if (point !== 'none' && recovered !== null) {
          expect(route.recovered.map((c) => c.to)).toEqual([recovered]);
        }
        now += 6 * 60_000;
        await route.reconcile();
        expect(route.orders().map((o) => o.status)).toEqual(
          reconciled === null ? [] : [reconciled],
        );
        // the same intent after the restart never yields a second order
        const again = await route.submit({
          symbol: '005930',
          side: 'buy',
          quantity: 10,
          type: 'limit',
          limitPrice: 70000,
          intentId: 'crash-intent',
        });
        expect(again.replayed ?? false).toBe(reconciled !== null);
        const rows = broker.rows();
        // zero duplicates: at most one broker order per intent; zero lost: every broker order is in the journal
        expect(rows.filter((r) => r.kind === 'order')).toHaveLength(
          point === 'before-journal' ? 1 : booked,
        );
        for (const row of rows)
          expect(journal.getByBrokerOrderId(row.brokerOrderId)).not.toBeNull();
      } finally {
        journal.close();
        broker.close();
      }
    },
  );
});
