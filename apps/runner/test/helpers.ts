// Spawns the compiled `qts` (dist/cli.js) with a clean environment and a temp QTS_HOME.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';

export const runnerRoot = fileURLToPath(new URL('..', import.meta.url));
export const cliPath = join(runnerRoot, 'dist', 'cli.js');

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

/** Runs qts with `args`; env holds only PATH, HOME-less basics, QTS_HOME and `env`. */
export function runQts(
  args: readonly string[],
  options: { home: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: {
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
