// Per-stage cost of the SQLite journal on one submit, measured on the journal itself (no network),
// interleaved rounds in one run, beside a bare fsync of a file in the same folder:
//   route: insert `pending` with its follow-up `submitted` in one commit (durable: FULL) ->
//          update `accepted` (what `submit` writes)
//   two commits: insert `pending` (NORMAL) -> update `submitted` (FULL) -> update `accepted`
//          (how `submit` journaled before, and still does on a journal that ignores `next`)
// Both fsync once before the send; the difference is one transaction's page writes.
// Run by `pnpm --filter @qts/execution-route bench`; QTS_BENCH_ROUNDS.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, runHeader, stats } from '@qts/bench-kit/floor';
import { createSqliteJournal, type Order, type OrderJournal } from '../src/index.js';
import { pendingOrder } from '../test/helpers/write-ahead.js';

const ROUNDS = Number(process.env.QTS_BENCH_ROUNDS ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'qts-journal-stages-'));
const key = { mode: 'real', host: 'bench:1', account: '50012345-01' } as const;
const twoCommits = createSqliteJournal({ ...key, file: join(dir, 'two-commits.sqlite') });
const route = createSqliteJournal({ ...key, file: join(dir, 'route.sqlite') });
let n = 0;

function order(status: Order['status']): Order {
  n += 1;
  const at = new Date().toISOString();
  return {
    ...pendingOrder(`o-bench-${n}`),
    status,
    quantity: 1,
    mode: 'real',
    createdAt: at,
    updatedAt: at,
    tradingDate: '20261207',
  };
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
  'route: insert pending + submitted (durable, FULL)': [],
  'route: update accepted (NORMAL)': [],
  'two commits: insert pending (NORMAL)': [],
  'two commits: update submitted (durable, FULL)': [],
  'two commits: update accepted (NORMAL)': [],
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
    'route: 2 commits (pending + submitted FULL, accepted)': async () => {
      const o = order('pending');
      const at = new Date().toISOString();
      timed('route: insert pending + submitted (durable, FULL)', () =>
        route.insert(
          o,
          { at, cause: 'intent' },
          {
            patch: { status: 'submitted', sentAt: at, updatedAt: at },
            entry: { at, cause: 'send', durable: true },
          },
        ),
      );
      timed('route: update accepted (NORMAL)', () => accept(route, o.orderId));
    },
    'two commits before the send: 3 commits (pending, submitted FULL, accepted)': async () => {
      const o = order('pending');
      const at = new Date().toISOString();
      timed('two commits: insert pending (NORMAL)', () =>
        twoCommits.insert(o, { at, cause: 'intent' }),
      );
      timed('two commits: update submitted (durable, FULL)', () =>
        twoCommits.update(
          o.orderId,
          { status: 'submitted', sentAt: at },
          { at, cause: 'send', durable: true },
        ),
      );
      timed('two commits: update accepted (NORMAL)', () => accept(twoCommits, o.orderId));
    },
  },
  ROUNDS,
  20,
);
closeSync(fd);
const lines = [`journal stages per submit, ${ROUNDS} rounds (${runHeader()})`];
for (const [name, list] of [...Object.entries(totals), ...Object.entries(stage)]) {
  const s = stats(list.slice(-ROUNDS));
  lines.push(`  ${name.padEnd(76)} median ${s.median.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms`);
}
process.stdout.write(`${lines.join('\n')}\n`);
twoCommits.close();
route.close();
rmSync(dir, { recursive: true, force: true });
