// The qts CLI as users run it (the bundle apps/runner/dist/bin/cli.cjs) as a child process, for the
// runner's and the flow tests. Build first (`pnpm build`): these run the JavaScript a user runs.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ProcessOptions,
  type ProcessResult,
  type RunningProcess,
  runProcess,
  startProcess,
} from './process.js';

/** The repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The compiled CLI entry point. */
export const QTS_CLI = join(REPO_ROOT, 'apps', 'runner', 'dist', 'bin', 'cli.cjs');

/** Options of a qts child. */
export interface QtsOptions extends ProcessOptions {
  /** Node options before the CLI (e.g. `['--import', preload]`). */
  readonly nodeArgs?: readonly string[];
  /** Run this instead of `node dist/bin/cli.cjs` (e.g. `pnpm exec qts`), from the repository root. */
  readonly command?: readonly [string, ...string[]];
}

const LOCAL = /^(?:http|ws):\/\/127\.0\.0\.1:\d+\/?$/;

/**
 * Tests reach only 127.0.0.1: a qts child in paper or real mode must have its KIS endpoints
 * overridden to 127.0.0.1 (a local sandbox, or `closedKisEnv()`), else this throws before
 * spawning, whatever else the test expects the CLI to stop at first.
 */
export function assertLocalOnly(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): void {
  const flag = args.indexOf('--mode');
  const mode = flag >= 0 ? args[flag + 1] : env.QTS_MODE;
  if ((mode !== 'paper' && mode !== 'real') || args[0] === 'sandbox') return;
  if (!LOCAL.test(env.QTS_KIS_BASE_URL ?? '') || !LOCAL.test(env.QTS_KIS_WS_URL ?? '')) {
    throw new Error(
      `refusing to run qts in ${mode} mode without QTS_KIS_BASE_URL / QTS_KIS_WS_URL on 127.0.0.1 (tests never reach KIS)`,
    );
  }
}

function commandOf(args: readonly string[], options: QtsOptions): [string, ...string[]] {
  assertLocalOnly(args, options.env ?? {});
  return options.command === undefined
    ? [process.execPath, ...(options.nodeArgs ?? []), QTS_CLI, ...args]
    : [...options.command, ...args];
}

function withCwd(options: QtsOptions): ProcessOptions {
  return options.command === undefined || options.cwd !== undefined
    ? options
    : { ...options, cwd: REPO_ROOT };
}

/** Runs `qts <args>` to its end. */
export function runQts(args: readonly string[], options: QtsOptions): Promise<ProcessResult> {
  return runProcess(commandOf(args, options), withCwd(options));
}

/**
 * Starts a long-running `qts <args>` (`qts sandbox`, `qts watch`); stop it with `stop(signal)`.
 * Its timeout (a SIGKILL for a test that forgot it) defaults to 5 minutes.
 */
export function startQts(args: readonly string[], options: QtsOptions): RunningProcess {
  return startProcess(commandOf(args, options), {
    ...withCwd(options),
    timeoutMs: options.timeoutMs ?? 300_000,
  });
}

/** Parses `KEY=value` lines (e.g. the QTS_* lines `qts sandbox` prints). */
export function parseEnvLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2];
  }
  return env;
}

/** Parses stdout as exactly one line of JSON (a `--json` command prints nothing else). */
export function onlyJson(result: Pick<ProcessResult, 'stdout' | 'stderr' | 'code'>): unknown {
  const text = result.stdout.trim();
  if (text.split('\n').length !== 1) {
    throw new Error(
      `stdout is not one line of JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${result.code}): ${text.slice(0, 500)} | stderr: ${result.stderr.slice(0, 500)}`,
    );
  }
}
