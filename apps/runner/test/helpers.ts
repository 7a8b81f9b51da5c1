// Spawns the compiled `qts` (dist/cli.js) with a clean environment and a temp QTS_HOME.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';

export const runnerRoot = fileURLToPath(new URL('..', import.meta.url));
export const cliPath = join(runnerRoot, 'dist', 'cli.js');
/** The repository root, where the README's `pnpm exec qts ...` runs. */
export const repoRoot = join(runnerRoot, '..', '..');

/** The result of one run. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh temp QTS_HOME, removed by `cleanupHomes`. */
const homes: string[] = [];
export function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'qts-runner-test-'));
  homes.push(home);
  return home;
}
export function cleanupHomes(): void {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
}

/**
 * The variables that move this process's clock (libfaketime's LD_PRELOAD and FAKETIME*, and TZ),
 * so that a child sees the same time as the test and the in-process sandbox. `pnpm
 * test:calendar` runs the suite with the clock moved; a child without them would live a year
 * earlier than the broker it talks to.
 */
export function clockEnv(): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key === 'LD_PRELOAD' || key === 'TZ' || key.startsWith('FAKETIME')) kept[key] = value;
  }
  return kept;
}

/** Runs qts with `args`; env holds only PATH, the clock's variables, QTS_HOME and `env`. */
export function runQts(
  args: readonly string[],
  options: {
    home: string;
    env?: Record<string, string>;
    timeoutMs?: number;
    /** Run this instead of `node dist/cli.js` (e.g. `pnpm exec qts`), from the repository root. */
    command?: readonly [string, ...string[]];
  },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [file, ...prefix] = options.command ?? [process.execPath, cliPath];
    const child = spawn(file, [...prefix, ...args], {
      ...(options.command === undefined ? {} : { cwd: repoRoot }),
      env: {
        ...clockEnv(),
        PATH: process.env.PATH ?? '',
        HOME: options.home,
        NO_COLOR: '1',
        QTS_HOME: options.home,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `qts ${args.join(' ')} did not exit in time\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-3000)}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Parses stdout as exactly one JSON object (nothing else on stdout). */
export function onlyJson(result: RunResult): unknown {
  const text = result.stdout.trim();
  if (text.split('\n').length !== 1) {
    throw new Error(`stdout is not one line of JSON:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return JSON.parse(text) as unknown;
}

/** Everything in QTS_HOME/logs, concatenated. */
export function logsOf(home: string): string {
  try {
    const folder = join(home, 'logs');
    return readdirSync(folder)
      .map((name) => readFileSync(join(folder, name), 'utf8'))
      .join('\n');
  } catch {
    return '';
  }
}

export const ErrorSchema = v.strictObject({
  code: v.string(),
  outcome: v.picklist(['not_placed', 'rejected', 'unknown']),
  message: v.pipe(v.string(), v.minLength(1)),
  brokerCode: v.nullable(v.string()),
  brokerMessage: v.nullable(v.string()),
  hint: v.pipe(v.string(), v.minLength(1)),
});

export const ErrorOnlySchema = v.strictObject({ error: ErrorSchema });

const orderEntries = {
  orderId: v.pipe(v.string(), v.minLength(1)),
  brokerOrderId: v.nullable(v.string()),
  status: v.picklist([
    'pending',
    'submitted',
    'accepted',
    'partially_filled',
    'filled',
    'canceled',
    'rejected',
    'failed',
    'unknown',
    'not_found',
    'pending_cancel',
    'pending_modify',
    'cancel_unknown',
    'modify_unknown',
  ]),
  symbol: v.string(),
  side: v.picklist(['buy', 'sell']),
  quantity: v.number(),
  price: v.nullable(v.number()),
  type: v.picklist(['limit', 'market']),
  // Only on orders that name a division or venue (docs/order-types.md).
  priceCondition: v.exactOptional(v.picklist(['conditional', 'best', 'priority'])),
  executionCondition: v.exactOptional(v.picklist(['ioc', 'fok'])),
  session: v.exactOptional(v.picklist(['pre', 'post', 'single'])),
  venue: v.exactOptional(v.picklist(['NXT', 'SOR'])),
  mode: v.picklist(['virtual', 'paper', 'real']),
  filledQuantity: v.number(),
  averagePrice: v.nullable(v.number()),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  clientOrderId: v.nullable(v.string()),
};

export const OrderSchema = v.strictObject(orderEntries);
export const OrderWithErrorSchema = v.strictObject({ ...orderEntries, error: ErrorSchema });

export const OrdersSchema = v.strictObject({
  orders: v.array(OrderSchema),
  reconciled: v.array(
    v.strictObject({ orderId: v.string(), from: v.string(), to: v.string(), reason: v.string() }),
  ),
});

/** `qts orders --json` when reconciliation failed: the journal's orders, and why. */
export const OrdersNotReconciledSchema = v.strictObject({
  orders: v.array(OrderSchema),
  reconciled: v.array(
    v.strictObject({ orderId: v.string(), from: v.string(), to: v.string(), reason: v.string() }),
  ),
  error: ErrorSchema,
});

export const BalanceSchema = v.strictObject({
  cash: v.object({ deposit: v.number(), orderable: v.number() }),
  positions: v.array(v.object({ symbol: v.string(), quantity: v.number() })),
});

export const TokenSchema = v.strictObject({
  mode: v.picklist(['virtual', 'paper', 'real']),
  host: v.nullable(v.string()),
  expiresAt: v.nullable(v.string()),
  cachedAt: v.nullable(v.string()),
  file: v.nullable(v.string()),
});

/** Parses with a schema, throwing the issues readably. */
export function expectShape<T extends v.GenericSchema>(
  schema: T,
  value: unknown,
): v.InferOutput<T> {
  const result = v.safeParse(schema, value);
  if (!result.success) {
    throw new Error(
      `shape mismatch: ${JSON.stringify(v.flatten(result.issues))}\n${JSON.stringify(value)}`,
    );
  }
  return result.output;
}

/** A long-running qts (sandbox, watch). */
export interface RunningQts {
  /** Resolves when `pattern` appears on the stream. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<string>;
  /** Sends a signal and resolves with the result once the process ended. */
  stop(signal?: NodeJS.Signals): Promise<RunResult>;
}

/** Starts qts without waiting for it to end. */
export function startQts(
  args: readonly string[],
  options: { home: string; env?: Record<string, string> },
): RunningQts {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: {
      ...clockEnv(),
      PATH: process.env.PATH ?? '',
      HOME: options.home,
      NO_COLOR: '1',
      QTS_HOME: options.home,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = { stdout: '', stderr: '' };
  const waiters: (() => void)[] = [];
  const poke = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text.stdout += chunk;
    poke();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    text.stderr += chunk;
    poke();
  });
  const ended = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => {
      poke();
      resolve({ code, signal, stdout: text.stdout, stderr: text.stderr });
    });
  });
  return {
    waitFor(pattern, stream = 'stdout', timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `timed out waiting for ${pattern}\nstdout: ${text.stdout}\nstderr: ${text.stderr}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => {
          const match = pattern.exec(text[stream]);
          if (match !== null) {
            clearTimeout(timer);
            resolve(match[0]);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            reject(
              new Error(
                `qts ended before ${pattern}\nstdout: ${text.stdout}\nstderr: ${text.stderr}`,
              ),
            );
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const result = await ended;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Parses `KEY=value` lines. */
export function envLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) out[match[1]] = match[2];
  }
  return out;
}

/**
 * The Seoul trading date (YYYYMMDD) of an order's `createdAt`. Tests list orders by the date
 * they were sent on: a test that runs across midnight KST must not ask for "today".
 */
export function seoulDateOf(iso: string): string {
  return new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * For a test whose flow must stay within one trading date (place, then modify and cancel: KIS
 * day orders end with their trading date, and the sandbox expires them at midnight KST): when
 * fewer than `marginMs` remain before midnight in Seoul, waits until just after it. Returns the
 * milliseconds waited (0 almost always).
 */
export async function withinOneTradingDate(marginMs = 60_000): Promise<number> {
  const seoulMs = Date.now() + 9 * 3_600_000;
  const untilMidnight = 86_400_000 - (seoulMs % 86_400_000);
  if (untilMidnight > marginMs) return 0;
  await new Promise((resolve) => setTimeout(resolve, untilMidnight + 1_000));
  return untilMidnight + 1_000;
}

/** `qts balance --symbol S [--price P] --json`. */
export const BalanceWithPowerSchema = v.strictObject({
  cash: v.object({ deposit: v.number(), orderable: v.number() }),
  positions: v.array(v.object({ symbol: v.string(), quantity: v.number() })),
  buyingPower: v.strictObject({
    symbol: v.string(),
    price: v.nullable(v.number()),
    unitPrice: v.number(),
    orderableCash: v.number(),
    quantity: v.number(),
    amount: v.number(),
    quantityWithCredit: v.number(),
    amountWithCredit: v.number(),
  }),
});

/** `qts quote <symbol> --json`. */
export const QuoteJsonSchema = v.strictObject({
  symbol: v.string(),
  price: v.number(),
  upperLimit: v.number(),
  lowerLimit: v.number(),
  basePrice: v.nullable(v.number()),
  tick: v.number(),
});
