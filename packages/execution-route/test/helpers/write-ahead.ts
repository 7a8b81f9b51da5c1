// Shared by the write-ahead tests: scratch folders and journals closed after each test, a pending
// order, its `submitted` follow-up, and the fsync count of a child process (strace).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrderAdapter } from '@qts/order-contract';
import {
  createExecutionRoute,
  createMemoryJournal,
  createSqliteJournal,
  type JournalFollowUp,
  type Order,
  type OrderJournal,
  type RouteCheckpoint,
} from '../../src/index.js';
import { createFakeBroker, type FakeBroker } from './fake-broker.js';
import { T0 } from './setup.js';

/** The package folder (for `require('libsql')` in worker threads and child scripts). */
export const PACKAGE = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** When the test orders were journaled, and when their follow-up was. */
export const AT = '2026-11-25T01:00:00.000Z';
export const SENT = '2026-11-25T01:00:00.005Z';

/** Folders and journals made in a test, released by `cleanup` (call it in `afterEach`). */
export function createScratch(prefix: string) {
  const cleanups: (() => void)[] = [];
  const dir = (): string => {
    const made = mkdtempSync(join(tmpdir(), prefix));
    cleanups.push(() => rmSync(made, { recursive: true, force: true }));
    return made;
  };
  return {
    dir,
    /** Runs `close` at cleanup (before the folders made earlier are removed). */
    defer(close: () => void): void {
      cleanups.push(close);
    },
    journal(kind: 'memory' | 'sqlite', file?: string): OrderJournal {
      const journal =
        kind === 'memory'
          ? createMemoryJournal()
          : createSqliteJournal({
              file: file ?? join(dir(), 'j.sqlite'),
              mode: 'virtual',
              host: 'virtual',
              account: 'test',
            });
      cleanups.push(() => journal.close());
      return journal;
    },
    cleanup(): void {
      for (const close of cleanups.splice(0).reverse()) close();
    },
  };
}

/** The adapter with `onPlace` called at each `placeOrder`, before the call goes on. */
export function spyOnPlace(adapter: OrderAdapter, onPlace: () => void): OrderAdapter {
  return new Proxy(adapter, {
    get(target, name, receiver) {
      if (name === 'placeOrder') {
        return (...args: Parameters<OrderAdapter['placeOrder']>) => {
          onPlace();
          return target.placeOrder(...args);
        };
      }
      return Reflect.get(target, name, receiver);
    },
  });
}

/**
 * A route over `journal` and a fake broker (closed with `scratch`), clock at T0, that signals
 * the abort of `signal` when `submit` reaches `point`.
 */
export function abortingRoute(
  scratch: ReturnType<typeof createScratch>,
  journal: OrderJournal,
  point: RouteCheckpoint,
): { route: ReturnType<typeof createExecutionRoute>; broker: FakeBroker; signal: AbortSignal } {
  const broker = createFakeBroker({ clock: () => T0, notices: false });
  scratch.defer(() => broker.close());
  const controller = new AbortController();
  const route = createExecutionRoute({
    adapter: broker.adapter,
    journal,
    mode: 'virtual',
    clock: () => T0,
    checkpoint: (at) => {
      if (at === point) controller.abort();
    },
  });
  return { route, broker, signal: controller.signal };
}

/** A new limit buy of 10 at 70,000, `pending`, journaled at `AT`. */
export function pendingOrder(orderId: string, clientOrderId: string | null = null): Order {
  return {
    orderId,
    clientOrderId,
    brokerOrderId: null,
    brokerBranch: null,
    status: 'pending',
    statusReason: null,
    symbol: '005930',
    side: 'buy',
    quantity: 10,
    price: 70_000,
    type: 'limit',
    productType: null,
    mode: 'virtual',
    filledQuantity: 0,
    averagePrice: null,
    fills: {},
    createdAt: AT,
    updatedAt: AT,
    tradingDate: '20261125',
    sentAt: null,
    acceptedAt: null,
    error: null,
    cancelBrokerOrderId: null,
    modifyBrokerOrderId: null,
    linkedBrokerOrderIds: [],
    note: null,
  } as Order;
}

/** The write-ahead follow-up of an insert: `submitted` at `SENT`, durable. */
export function sendRecord(
  owner: string | null | undefined,
  expect?: JournalFollowUp['entry']['expect'],
): JournalFollowUp {
  return {
    patch: { status: 'submitted', sentAt: SENT, updatedAt: SENT },
    entry: {
      at: SENT,
      cause: 'send',
      durable: true,
      ...(owner === undefined ? {} : { owner }),
      ...(expect === undefined ? {} : { expect }),
    },
  };
}

/** strace, when installed (CI installs it). */
export const STRACE = ['/usr/bin/strace', '/bin/strace'].find((path) => existsSync(path));

/**
 * The start of a child script (ES module, run with tsx): `createSqliteJournal` imported from
 * this package's source, `at`, and `order(id, clientOrderId?)` making a pending order.
 */
export const CHILD_PRELUDE = `
  import { createSqliteJournal } from ${JSON.stringify(join(PACKAGE, 'src', 'index.ts'))};
  const at = ${JSON.stringify(AT)};
  const order = (n, c = null) => ({
    orderId: 'o-' + n, clientOrderId: c, brokerOrderId: null, brokerBranch: null,
    status: 'pending', statusReason: null, symbol: '005930', side: 'buy', quantity: 1,
    price: 70000, type: 'limit', productType: null, mode: 'virtual', filledQuantity: 0,
    averagePrice: null, fills: {}, createdAt: at, updatedAt: at, tradingDate: '20261125',
    sentAt: null, acceptedAt: null, error: null, cancelBrokerOrderId: null,
    modifyBrokerOrderId: null, linkedBrokerOrderIds: [], note: null,
  });
`;

/**
 * Runs `script` (ES module source) in a child process under strace and counts its fsync and
 * fdatasync calls. The script gets a journal file path and `args` after it.
 */
export function countSyncs(dir: string, script: string, args: readonly string[]): number {
  if (STRACE === undefined) throw new Error('strace is not installed (apt-get install strace)');
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, script);
  const trace = `${file}.trace`;
  const run = spawnSync(
    STRACE,
    [
      '-f',
      '-qq',
      '-e',
      'trace=fsync,fdatasync',
      '-o',
      trace,
      process.execPath,
      '--conditions=@qts/source',
      '--import',
      'tsx',
      file,
      `${file}.sqlite`,
      ...args,
    ],
    { cwd: PACKAGE, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`child under strace exited ${run.status}: ${run.stderr}`);
  return readFileSync(trace, 'utf8')
    .split('\n')
    .filter((line) => /\b(fsync|fdatasync)\(/.test(line)).length;
}
