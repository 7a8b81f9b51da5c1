// One round: a sandbox (paper / real) or virtual mode on a fresh QTS_HOME, the plan's processes
// in parallel, faults, kills, reused pids; then a closing `qts orders` and the invariant checks.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVirtualExchange, type KisSandbox, startKisSandbox } from '@qts/broker-virtual';
import {
  type BrokerRow,
  checkRound,
  type JournalEventRow,
  type JournalOrder,
  type OpOutcome,
  type Violation,
} from './check.js';
import { type PlannedOp, planRound, type RoundPlan, SYMBOLS } from './plan.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..');
/** The runner as users run it (the bundle). */
export const CLI = join(REPO, 'apps', 'runner', 'dist', 'bin', 'cli.cjs');
const LIB_CHILD = join(HERE, 'lib-child.ts');
/** libfaketime (Debian package `faketime`). */
export const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const KIS_TIMEOUT_MS = '1500';
const CHILD_TIMEOUT_MS = 45_000;

type Database = {
  prepare(sql: string): {
    all(...args: unknown[]): Record<string, unknown>[];
    run(...args: unknown[]): unknown;
  };
  close(): void;
};
const requireFromRoute = createRequire(
  createRequire(import.meta.url).resolve('@qts/execution-route/package.json'),
);
const LibsqlDatabase = requireFromRoute('libsql') as new (
  file: string,
  options?: { timeout?: number },
) => Database;

const LIBSQL_PATH = requireFromRoute.resolve('libsql');
const LOCK_SCRIPT = `
const [lib, file, ms] = process.argv.slice(1);
if (!file) process.exit(0);
const Database = require(lib);
const db = new Database(file, { timeout: 10000 });
db.exec('BEGIN IMMEDIATE');
setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, Number(ms));
`;

/** True when a journal record in flight is owned by this pid. */
function ownsInFlight(file: string | null, pid: number): boolean {
  if (file === null || !existsSync(file)) return false;
  const db = new LibsqlDatabase(file, { timeout: 2_000 });
  try {
    // The sending window: the durable record right before the request goes out.
    return (
      db
        .prepare(
          "SELECT 1 FROM orders WHERE owner LIKE ? AND status IN ('submitted', 'pending_cancel', 'pending_modify')",
        )
        .all(`${pid}:%`).length > 0
    );
  } catch {
    return false;
  } finally {
    db.close();
  }
}

export interface RoundReport {
  readonly plan: RoundPlan;
  readonly violations: readonly Violation[];
  readonly exits: Readonly<Record<string, number>>;
  readonly kills: number;
  readonly faults: number;
  readonly reusedPids: number;
  readonly skewed: number;
  readonly ms: number;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onStart?: (child: ChildProcess) => void,
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', (error) => {
      stderr += String(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    onStart?.(child);
  });
}

function baseEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, value] of Object.entries(process.env)) {
    if (!k.startsWith('QTS_') && !k.startsWith('FAKETIME') && k !== 'LD_PRELOAD') env[k] = value;
  }
  return { ...env, QTS_HOME: home, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
}

function skewEnv(skewSec: number): Record<string, string> {
  if (skewSec === 0) return {};
  return {
    LD_PRELOAD: FAKETIME_LIB,
    FAKETIME: `${skewSec >= 0 ? '+' : ''}${skewSec}s`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    FAKETIME_NO_CACHE: '1',
  };
}

function findJournal(home: string): string | null {
  const walk = (dir: string): string | null => {
    if (!existsSync(dir)) return null;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const found = walk(path);
        if (found !== null) return found;
      } else if (/^orders-.*\.sqlite$/.test(entry.name)) return path;
    }
    return null;
  };
  return walk(home);
}

interface Journal {
  orders: JournalOrder[];
  events: JournalEventRow[];
  owners: Map<string, string | null>;
}

function readJournal(file: string | null): Journal {
  if (file === null || !existsSync(file)) return { orders: [], events: [], owners: new Map() };
  const db = new LibsqlDatabase(file, { timeout: 10_000 });
  try {
    const rows = db.prepare('SELECT order_id, owner, body FROM orders').all();
    const owners = new Map<string, string | null>();
    const orders = rows.map((row) => {
      owners.set(String(row.order_id), row.owner === null ? null : String(row.owner));
      const o = JSON.parse(String(row.body)) as JournalOrder;
      return { ...o, linkedBrokerOrderIds: o.linkedBrokerOrderIds ?? [] };
    });
    const events = db
      .prepare('SELECT seq, order_id, from_status, to_status, patch, cause FROM order_events')
      .all()
      .map((row) => {
        const patch = JSON.parse(String(row.patch)) as { filledQuantity?: unknown };
        return {
          seq: Number(row.seq),
          orderId: String(row.order_id),
          from: row.from_status === null ? null : String(row.from_status),
          to: String(row.to_status),
          filledQuantity: typeof patch.filledQuantity === 'number' ? patch.filledQuantity : null,
          cause: String(row.cause),
        };
      });
    return { orders, events, owners };
  } finally {
    db.close();
  }
}

/** Gives the journal records a killed process owned to a live, unrelated process's pid. */
async function reuseOwnerPid(
  file: string | null,
  deadPid: number,
  livePid: number,
): Promise<number> {
  if (file === null || !existsSync(file)) return 0;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const db = new LibsqlDatabase(file, { timeout: 0 });
    try {
      const result = db
        .prepare(
          "UPDATE orders SET owner = ? || substr(owner, instr(owner, ':')) WHERE owner LIKE ?",
        )
        .run(String(livePid), `${deadPid}:%`) as { changes?: number };
      return result.changes ?? 0;
    } catch (error) {
      // Another process holds the write lock (statements do not wait): try again shortly.
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw error;
      if (Date.now() > deadline) return 0;
    } finally {
      db.close();
    }
    await sleep(20);
  }
}

function brokerRows(rows: readonly Record<string, unknown>[]): BrokerRow[] {
  return rows as unknown as BrokerRow[];
}

function parseLastJson(text: string): Record<string, unknown> | null {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  const last = lines.at(-1);
  if (last === undefined) return null;
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one round and checks it. */
export async function runRound(
  seed: number,
  options: { skew: boolean; keepHome?: boolean },
): Promise<RoundReport> {
  const started = Date.now();
  const plan = planRound(seed, options);
  const home = mkdtempSync(join(tmpdir(), 'qts-torture-'));
  let sandbox: KisSandbox | null = null;
  const sleepers: ChildProcess[] = [];
  const exits: Record<string, number> = {};
  let kills = 0;
  let faults = 0;
  let reusedPids = 0;
  let skewed = 0;
  try {
    let kisEnv: Record<string, string> = {};
    if (plan.environment !== 'virtual') {
      sandbox = await startKisSandbox({
        environment: plan.environment,
        rateLimitPerSecond: null,
        tokenIssueIntervalMs: 0,
        clock: () => Date.now() + plan.brokerSkewMs,
      });
      for (const s of SYMBOLS) sandbox.exchange.setReferencePrice(s.symbol, s.price);
      kisEnv = {
        ...sandbox.env,
        QTS_KIS_RATE_PER_SEC: 'off',
        QTS_KIS_TIMEOUT_MS: KIS_TIMEOUT_MS,
        ...(plan.environment === 'real' ? { QTS_ALLOW_REAL: 'yes' } : {}),
      };
      if (plan.noticeFault !== null) {
        sandbox.faults.nextNotice(plan.noticeFault.kind, plan.noticeFault.times);
      }
    }
    const env = (extra: Record<string, string> = {}) => baseEnv(home, { ...kisEnv, ...extra });
    const qts = (
      args: readonly string[],
      extra: Record<string, string> = {},
      onStart?: (c: ChildProcess) => void,
    ) =>
      run(
        process.execPath,
        [CLI, ...args, ...(plan.environment === 'real' ? ['--yes'] : [])],
        env(extra),
        onStart,
      );
    // Set-up: prices (virtual) or a token and the journal's folder (KIS), sequentially.
    if (plan.environment === 'virtual') {
      for (const s of SYMBOLS) await qts(['virtual', 'price', s.symbol, String(s.price)]);
    } else {
      await qts(['orders', '--json']);
    }
    let journalFile = findJournal(home);

    const outcomes: OpOutcome[] = [];
    const killedAt = new Map<number, number>(); // op index -> time
    const createdBy = new Map<string, number>(); // client order id -> op index
    const tasks = plan.ops.map(async (op: PlannedOp) => {
      await sleep(op.startMs);
      journalFile ??= findJournal(home);
      const snapshot = readJournal(journalFile);
      const before = new Map(snapshot.orders.map((o) => [o.orderId, o.status]));
      const deadInDoubtBefore = snapshot.orders
        .filter((o) => ['submitted', 'unknown'].includes(o.status) && o.clientOrderId !== null)
        .filter((o) => {
          const by = createdBy.get(o.clientOrderId as string);
          return by !== undefined && killedAt.has(by);
        })
        .map((o) => o.orderId);
      let kind = op.kind;
      let targetOrderId: string | null = null;
      if (kind === 'cancel' || kind === 'modify') {
        const all = snapshot.orders.filter((o) => o.brokerOrderId !== null);
        // Half the time, an order whose cancel / modify is still in doubt, if there is one.
        const revising = all.filter((o) =>
          ['pending_cancel', 'pending_modify', 'cancel_unknown', 'modify_unknown'].includes(
            o.status,
          ),
        );
        const candidates = revising.length > 0 && op.targetPick < 0.5 ? revising : all;
        const target = candidates[Math.floor(op.targetPick * candidates.length)];
        if (target === undefined) kind = 'orders';
        else targetOrderId = target.orderId;
      }
      if (kind === 'lib-order' && plan.environment !== 'virtual' && journalFile === null) {
        kind = 'order';
      }
      if (op.clientOrderId !== null && !createdBy.has(op.clientOrderId)) {
        createdBy.set(op.clientOrderId, op.index);
      }
      if (sandbox !== null && op.fault !== null) {
        const { operation, ...fault } = op.fault;
        sandbox.faults.next(operation, fault as never);
        faults += 1;
      }
      if (op.skewSec !== 0) skewed += 1;
      const extra = skewEnv(op.skewSec);
      let child: ChildProcess | undefined;
      const onStart = (c: ChildProcess) => {
        child = c;
      };
      let result: Promise<ChildResult>;
      const o = op.order;
      if (kind === 'order' && o !== null) {
        result = qts(
          [
            'order',
            o.side,
            o.symbol,
            String(o.quantity),
            ...(o.price === null ? ['--market'] : ['--price', String(o.price)]),
            ...(op.clientOrderId === null ? [] : ['--client-order-id', op.clientOrderId]),
            ...(op.force ? ['--force'] : []),
            '--json',
          ],
          extra,
          onStart,
        );
      } else if (kind === 'lib-order' && o !== null) {
        const intent = {
          symbol: o.symbol,
          side: o.side,
          quantity: o.quantity,
          type: o.price === null ? 'market' : 'limit',
          limitPrice: o.price,
          ...(op.clientOrderId === null ? {} : { intentId: op.clientOrderId }),
        };
        result = run(
          process.execPath,
          ['--import', 'tsx', LIB_CHILD],
          env({
            ...extra,
            TORTURE_MODE: plan.environment,
            TORTURE_INTENT: JSON.stringify(intent),
            TORTURE_JOURNAL: journalFile ?? '',
            TORTURE_FORCE: op.force ? '1' : '0',
          }),
          onStart,
        );
      } else if (kind === 'cancel' && targetOrderId !== null) {
        result = qts(['cancel', targetOrderId, '--json'], extra, onStart);
      } else if (kind === 'modify' && targetOrderId !== null) {
        const target = snapshot.orders.find((x) => x.orderId === targetOrderId);
        const price = Math.max(100, (target?.price ?? 70_000) - 100 * op.modifyTicks);
        result = qts(['modify', targetOrderId, '--price', String(price), '--json'], extra, onStart);
      } else if (kind === 'lock') {
        // Another process holds the journal's write lock for longer than its busy timeout.
        result = run(
          process.execPath,
          ['-e', LOCK_SCRIPT, LIBSQL_PATH, journalFile ?? '', String(op.watchMs)],
          env(),
          onStart,
        );
      } else if (kind === 'watch') {
        result = qts(['watch', '--json'], extra, onStart);
        await sleep(op.watchMs);
        child?.kill('SIGINT');
      } else {
        kind = 'orders';
        result = qts(['orders', '--json'], extra, onStart);
      }
      let killed = false;
      if (op.killAfterMs !== null && kind !== 'orders' && kind !== 'watch' && kind !== 'lock') {
        let settled = false;
        void result.then(() => {
          settled = true;
        });
        if (op.killInFlight) {
          // Wait until the process owns an in-flight record (journaled, sending), then kill.
          const pid = (child as ChildProcess | undefined)?.pid;
          const deadline = Date.now() + 10_000;
          while (!settled && pid !== undefined && Date.now() < deadline) {
            journalFile ??= findJournal(home);
            if (ownsInFlight(journalFile, pid)) break;
            await sleep(5);
          }
          await Promise.race([result, sleep(op.killAfterMs % 80)]);
        } else {
          await Promise.race([result, sleep(op.killAfterMs)]);
        }
        const c = child as ChildProcess | undefined;
        if (c !== undefined && c.exitCode === null && c.signalCode === null) {
          c.kill('SIGKILL');
          killed = true;
          kills += 1;
          killedAt.set(op.index, Date.now());
          await result;
          if (op.reusePid && c.pid !== undefined) {
            // The dead owner's pid now belongs to a live process that has nothing to do with qts.
            const sleeper = spawn('sleep', ['120'], { stdio: 'ignore' });
            sleepers.push(sleeper);
            if (sleeper.pid !== undefined) {
              const moved = await reuseOwnerPid(
                journalFile ?? findJournal(home),
                c.pid,
                sleeper.pid,
              );
              reusedPids += moved > 0 ? 1 : 0;
            }
          }
        }
      }
      const done = await result;
      const exit = killed ? null : done.code;
      const label = `${kind}:${killed ? 'killed' : String(exit)}`;
      exits[label] = (exits[label] ?? 0) + 1;
      const printed = parseLastJson(done.stdout);
      outcomes.push({
        index: op.index,
        kind,
        exit,
        killed,
        force: op.force,
        clientOrderId: kind === 'order' || kind === 'lib-order' ? op.clientOrderId : null,
        targetOrderId,
        printed:
          printed !== null && typeof printed.orderId === 'string'
            ? {
                orderId: printed.orderId,
                brokerOrderId:
                  typeof printed.brokerOrderId === 'string' ? printed.brokerOrderId : null,
              }
            : null,
        before,
        deadInDoubtBefore,
        output:
          `${op.clientOrderId ?? targetOrderId ?? ''} ${done.stdout.trim()} ${done.stderr.trim()}`
            .replace(/\s+/g, ' ')
            .slice(0, 400),
      });
    });
    await Promise.all(tasks);
    sandbox?.faults.clear();
    // Settle: reconcile (recovery of dead owners, unknown orders, fills) as a user would.
    let reconciled = true;
    for (let i = 0; i < 2; i += 1) {
      const settle = await qts(['orders', '--json']);
      if (settle.code !== 0) reconciled = false;
    }
    journalFile ??= findJournal(home);
    const journal = readJournal(journalFile);
    let broker: BrokerRow[];
    const range = { from: '20000101', to: '29991231' };
    if (sandbox !== null) {
      broker = brokerRows(
        sandbox.exchange.orders(sandbox.credentials.account, range) as unknown as Record<
          string,
          unknown
        >[],
      );
    } else {
      const exchange = createVirtualExchange({ file: join(home, 'virtual', 'exchange.sqlite') });
      try {
        broker = brokerRows(
          exchange.orders(exchange.defaultAccount, range) as unknown as Record<string, unknown>[],
        );
      } finally {
        exchange.close();
      }
    }
    const violations = checkRound({
      journal: journal.orders,
      events: journal.events,
      broker,
      ops: outcomes.sort((a, b) => a.index - b.index),
      reconciled,
    });
    return { plan, violations, exits, kills, faults, reusedPids, skewed, ms: Date.now() - started };
  } finally {
    for (const s of sleepers) s.kill('SIGKILL');
    await sandbox?.close();
    if (options.keepHome !== true) rmSync(home, { recursive: true, force: true });
    else process.stderr.write(`kept QTS_HOME ${home}\n`);
  }
}
