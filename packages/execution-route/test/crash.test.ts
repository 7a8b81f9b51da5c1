import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKisOrderAdapter } from '@qts/broker-kis';
import {
  createVirtualExchange,
  createVirtualOrderAdapter,
  startKisSandbox,
} from '@qts/broker-virtual';
import { kisAdapterOn, sandboxTarget, waitUntil } from '@qts/test-utils';
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
  extraEnv: Record<string, string> = {},
): Promise<{ line: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--conditions=@qts/source', '--import', 'tsx', child], {
    cwd: packageDir,
    env: {
      ...process.env,
      QTS_TEST_HANG_AT: hangAt,
      QTS_TEST_JOURNAL: journal,
      QTS_TEST_BROKER: brokerFile,
      ...extraEnv,
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
  // the intent and its write-ahead record are one commit: journaled means it may be on the wire
  { point: 'journaled', recovered: 'unknown', reconciled: 'not_found', booked: 0 },
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
        host: 'fake',
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

describe.concurrent('kill -9 with broker-virtual: a file-backed exchange, and the KIS sandbox in this process', () => {
  it.each(['journaled', 'before-send', 'answered'] as const)(
    'virtual exchange file, killed at %s',
    async (point) => {
      const dir = tempDir();
      dirs.push(dir);
      const journalFile = join(dir, 'journal.sqlite');
      const exchangeFile = join(dir, 'exchange.sqlite');
      const seed = createVirtualExchange({ file: exchangeFile });
      seed.setReferencePrice('005930', 80_000); // the buy at 70,000 rests
      seed.close();
      const { line, proc } = await runChild(point, journalFile, exchangeFile, {
        QTS_TEST_BROKER_KIND: 'virtual-file',
      });
      expect(line).toBe(`HANG ${point}`);
      await kill9(proc);
      const exchange = createVirtualExchange({ file: exchangeFile });
      const adapter = createVirtualOrderAdapter({ exchange });
      const journal = createSqliteJournal({
        file: journalFile,
        mode: 'virtual',
        host: 'virtual-file',
        account: 'crash',
      });
      try {
        let now = Date.now();
        const route = createExecutionRoute({ adapter, journal, mode: 'virtual', clock: () => now });
        expect(route.recovered.map((c) => c.to)).toEqual(['unknown']);
        now += 6 * 60_000;
        await route.reconcile();
        const booked = exchange.orders(exchange.defaultAccount).filter((o) => o.kind === 'order');
        expect(booked).toHaveLength(point === 'answered' ? 1 : 0);
        expect(route.orders().map((o) => o.status)).toEqual([
          { journaled: 'not_found', 'before-send': 'not_found', answered: 'accepted' }[point],
        ]);
        if (point === 'answered') expect(route.orders()[0]?.brokerOrderId).toBe(booked[0]?.orderNo);
        const again = await route.submit({
          symbol: '005930',
          side: 'buy',
          quantity: 10,
          type: 'limit',
          limitPrice: 70000,
          intentId: 'crash-intent',
        });
        expect(again.replayed).toBe(true);
        expect(
          exchange.orders(exchange.defaultAccount).filter((o) => o.kind === 'order'),
        ).toHaveLength(booked.length);
      } finally {
        journal.close();
        await adapter.close();
        exchange.close();
      }
    },
  );

  it('KIS sandbox in the parent, broker-kis in the child, killed after the sandbox booked it (no answer)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const journalFile = join(dir, 'journal.sqlite');
    const sandbox = await startKisSandbox({
      environment: 'paper',
      port: 0,
      rateLimitPerSecond: null,
    });
    try {
      sandbox.exchange.setReferencePrice('005930', 80_000);
      sandbox.exchange.faults.next('place', { kind: 'never-answer' });
      const { proc } = await runChild('none', journalFile, '', {
        QTS_TEST_BROKER_KIND: 'kis-sandbox',
        QTS_TEST_TOKEN_HOME: dir,
        QTS_KIS_BASE_URL: sandbox.baseUrl,
        QTS_KIS_WS_URL: sandbox.wsUrl,
        QTS_KIS_APP_KEY: sandbox.credentials.appKey,
        QTS_KIS_APP_SECRET: sandbox.credentials.appSecret,
        QTS_KIS_ACCOUNT: sandbox.credentials.account,
      });
      const booked = () =>
        sandbox.exchange.orders(sandbox.credentials.account).filter((o) => o.kind === 'order');
      await waitUntil(() => booked().length > 0, 'the sandbox booked the child order', {
        timeoutMs: 30_000,
      });
      expect(booked()).toHaveLength(1);
      await kill9(proc);
      const { adapter } = kisAdapterOn(createKisOrderAdapter, sandboxTarget(sandbox), {
        tokenHome: dir,
      });
      const journal = createSqliteJournal({
        file: journalFile,
        mode: 'virtual',
        host: 'kis-sandbox',
        account: 'crash',
      });
      try {
        const route = createExecutionRoute({ adapter, journal, mode: 'virtual' });
        expect(route.recovered.map((c) => `${c.from}->${c.to}`)).toEqual(['submitted->unknown']);
        await route.reconcile();
        expect(route.orders()).toMatchObject([
          { status: 'accepted', brokerOrderId: booked()[0]?.orderNo },
        ]);
        const again = await route.submit({
          symbol: '005930',
          side: 'buy',
          quantity: 10,
          type: 'limit',
          limitPrice: 70000,
          intentId: 'crash-intent',
        });
        expect(again.replayed).toBe(true);
        expect(booked()).toHaveLength(1);
      } finally {
        journal.close();
        await adapter.close();
      }
    } finally {
      await sandbox.close();
    }
  });
});
