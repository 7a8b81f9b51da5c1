// Per-stage cost of the SQLite journal on one submit, measured on the journal itself (no network),
// interleaved rounds in one run, beside a bare fsync of a file in the same folder:
//   today: insert `pending` (NORMAL) -> update `submitted` (durable: FULL) -> update `accepted`
//   one durable insert: insert `submitted` directly as the write-ahead record (FULL) -> `accepted`
// The second is what a route that journals intent and send in one commit would pay: it shows
// what merging the two pre-send commits saves (the money rule is kept: the record is fsynced
// before the send). Run by `pnpm --filter @qts/execution-route bench`; QTS_BENCH_ROUNDS.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, runHeader, stats } from '@qts/bench-kit/floor';
import { createSqliteJournal, type Order, type OrderJournal } from '../src/index.js';

const ROUNDS = Number(process.env.QTS_BENCH_ROUNDS ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'qts-journal-stages-'));
const key = { mode: 'real', host: 'bench:1', account: '50012345-01' } as const;
const today = createSqliteJournal({ ...key, file: join(dir, 'today.sqlite') });
const merged = createSqliteJournal({ ...key, file: join(dir, 'merged.sqlite') });
let n = 0;

function order(status: Order['status']): Order {
  n += 1;
  const at = new Date().toISOString();
  return {
    orderId: `o-bench-${n}`,
    clientOrderId: null,
    brokerOrderId: null,
    brokerBranch: null,
    status,
    statusReason: null,
    symbol: '005930',
    side: 'buy',
    quantity: 1,
    price: 70_000,
    type: 'limit',
    productType: null,
    mode: 'real',
    filledQuantity: 0,
    averagePrice: null,
    fills: {},
    createdAt: at,
    updatedAt: at,
    tradingDate: '20261207',
    sentAt: null,
    acceptedAt: null,
    error: null,
    cancelBrokerOrderId: null,
    modifyBrokerOrderId: null,
    linkedBrokerOrderIds: [],
    note: null,
  } as Order;
}

const accept = (journal: OrderJournal, orderId: string) =>
  journal.update(
    orderId,
    {
      status: 'accepted',
      brokerOrderId: String(n).padStart(10, '0'),
      brokerBranch: '91252',
      acceptedAt: new Date().toISOString(),
    },
    { at: new Date().toISOString(), cause: 'ack', owner: null },
  );

const stage: Record<string, number[]> = {
  'today: insert pending (NORMAL)': [],
  'today: update submitted (durable, FULL)': [],
  'today: update accepted (NORMAL)': [],
  'merged: insert submitted (durable, FULL)': [],
  'merged: update accepted (NORMAL)': [],
};
function timed<T>(name: string, action: () => T): T {
  const start = performance.now();
  const result = action();
  stage[name]?.push(performance.now() - start);
  return result;
}

const fd = openSync(join(dir, 'fsync-probe'), 'w');
const totals = await interleave(
  {
    'fsync of one byte (floor of a durable commit)': async () => {
      writeSync(fd, 'x');
      fsyncSync(fd);
    },
    'today: 3 commits (pending, submitted FULL, accepted)': async () => {
      const o = order('pending');
      const at = new Date().toISOString();
      timed('today: insert pending (NORMAL)', () => today.insert(o, { at, cause: 'intent' }));
      timed('today: update submitted (durable, FULL)', () =>
        today.update(
          o.orderId,
          { status: 'submitted', sentAt: at },
          { at, cause: 'send', durable: true },
        ),
      );
      timed('today: update accepted (NORMAL)', () => accept(today, o.orderId));
    },
    'merged: 2 commits (submitted FULL, accepted)': async () => {
      const o = { ...order('submitted'), sentAt: new Date().toISOString() };
      const at = new Date().toISOString();
      timed('merged: insert submitted (durable, FULL)', () =>
        merged.insert(o, { at, cause: 'send', durable: true }),
      );
      timed('merged: update accepted (NORMAL)', () => accept(merged, o.orderId));
    },
  },
  ROUNDS,
  20,
);
closeSync(fd);
const lines = [`journal stages per submit, ${ROUNDS} rounds (${runHeader()})`];
for (const [name, list] of [...Object.entries(totals), ...Object.entries(stage)]) {
  const s = stats(list.slice(-ROUNDS));
  lines.push(`  ${name.padEnd(58)} median ${s.median.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms`);
}
process.stdout.write(`${lines.join('\n')}\n`);
today.close();
merged.close();
rmSync(dir, { recursive: true, force: true });
