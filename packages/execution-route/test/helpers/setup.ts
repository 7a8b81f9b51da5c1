import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createExecutionRoute,
  createMemoryJournal,
  createSqliteJournal,
  type ExecutionRouteOptions,
  type OrderJournal,
} from '../../src/index.js';
import { createFakeBroker, type FakeBroker } from './fake-broker.js';

export interface Rig {
  broker: FakeBroker;
  journal: OrderJournal;
  route: ReturnType<typeof createExecutionRoute>;
  clock: { now: number };
  dir: string;
  close(): void;
}

/** 2026-11-25 10:00:00 KST. */
export const T0 = Date.parse('2026-11-25T01:00:00.000Z');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'qts-route-'));
}

export function makeRig(
  options: {
    journal?: 'memory' | 'sqlite';
    notices?: boolean;
    route?: Partial<ExecutionRouteOptions>;
  } = {},
): Rig {
  const dir = tempDir();
  const clock = { now: T0 };
  const broker = createFakeBroker({ clock: () => clock.now, notices: options.notices ?? true });
  const journal =
    options.journal === 'sqlite'
      ? createSqliteJournal({
          file: join(dir, 'j.sqlite'),
          mode: 'virtual',
          host: 'virtual',
          account: 'test',
        })
      : createMemoryJournal();
  const route = createExecutionRoute({
    adapter: broker.adapter,
    journal,
    mode: 'virtual',
    clock: () => clock.now,
    ...options.route,
  });
  return {
    broker,
    journal,
    route,
    clock,
    dir,
    close() {
      journal.close();
      broker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const BUY = {
  symbol: '005930',
  side: 'buy',
  quantity: 10,
  type: 'limit',
  limitPrice: 70000,
} as const;
