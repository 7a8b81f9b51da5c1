// Child processes for the flow tests: the compiled runner (`node apps/runner/dist/cli.js`) and
// small node scripts. Every child gets a clean environment (no QTS_* from the caller) plus what
// the test passes, and a generous timeout after which it is killed and the result says so.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_DIR, RUNNER_CLI } from './paths.js';

/** The preload that reports active handles at exit. */
export const HANDLES_PRELOAD = join(E2E_DIR, 'scripts', 'report-handles.mjs');

/** How a child process ended. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the test's timeout killed it (it did not exit by itself). */
  readonly timedOut: boolean;
  /** Active resources at exit (process.getActiveResourcesInfo), when the preload was used. */
  readonly handlesAtExit: readonly string[] | null;
}

/** Options of a child process. */
export interface ProcessOptions {
  /** QTS_HOME of the child. */
  readonly home: string;
  /** More environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill (SIGKILL) after this long and report timedOut. Default 30 s. */
  readonly timeoutMs?: number;
  /** Report active handles at exit through the preload. Default true. */
  readonly reportHandles?: boolean;
  readonly cwd?: string;
}

/** Resources that are only the child's own stdio pipes. */
export const STDIO_RESOURCES: ReadonlySet<string> = new Set(['PipeWrap', 'TTYWrap']);

/** Resources other than stdio that a child had at exit. */
export function leftoverHandles(result: ProcessResult): string[] {
  return (result.handlesAtExit ?? []).filter((r) => !STDIO_RESOURCES.has(r));
}

function childEnv(options: ProcessOptions, handlesFile: string | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('QTS_') && value !== undefined) env[key] = value;
  }
  env.QTS_HOME = options.home;
  env.NO_COLOR = '1';
  env.FORCE_COLOR = '0';
  if (handlesFile !== null) env.QTS_E2E_HANDLES_FILE = handlesFile;
  return { ...env, ...options.env };
}

/** A running child process with its output so far. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** stdout so far. */
  stdout(): string;
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `re` in stdout (waits for more output), rejects on exit or timeout. */
  waitForStdout(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The same for stderr. */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited (by itself or by a signal). */
  readonly exited: Promise<ProcessResult>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<ProcessResult>;
}

/** Starts `node [preload] <args>` as a child. */
export function startNode(nodeArgs: readonly string[], options: ProcessOptions): RunningProcess {
  const reportHandles = options.reportHandles ?? true;
  const scratch = reportHandles ? mkdtempSync(join(tmpdir(), 'qts-e2e-handles-')) : null;
  const handlesFile = scratch === null ? null : join(scratch, 'handles.json');
  const args = [...(reportHandles ? ['--import', HANDLES_PRELOAD] : []), ...nodeArgs];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? E2E_DIR,
    env: childEnv(options, handlesFile),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end();
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const w of waiters) w();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const w of waiters) w();
  });
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  const exited = new Promise<ProcessResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      let handlesAtExit: string[] | null = null;
      if (handlesFile !== null && existsSync(handlesFile)) {
        const parsed = JSON.parse(readFileSync(handlesFile, 'utf8')) as { resources: string[] };
        handlesAtExit = parsed.resources;
      }
      if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
      for (const w of waiters) w();
      resolve({ code, signal, stdout: out, stderr: err, timedOut, handlesAtExit });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStdout(re, timeoutMs = 20_000) {
      return waitFor('stdout', () => out, re, timeoutMs);
    },
    waitForStderr(re, timeoutMs = 20_000) {
      return waitFor('stderr', () => err, re, timeoutMs);
    },
    async stop(signal = 'SIGINT') {
      if (!done) child.kill(signal);
      return exited;
    },
  };

  function waitFor(
    stream: string,
    text: () => string,
    re: RegExp,
    timeoutMs: number,
  ): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = re.exec(text());
        if (m !== null) {
          finish();
          resolve(m);
        } else if (done) {
          finish();
          reject(
            new Error(
              `process exited before printing ${re} on ${stream}; stdout: ${out} stderr: ${err}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(`no ${re} on ${stream} within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }
}

/** Runs `node <args>` to its end. */
export function runNode(
  nodeArgs: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  return startNode(nodeArgs, options).exited;
}

/**
 * Tests reach only 127.0.0.1: a runner child in paper or real mode must have its KIS endpoints
 * overridden to a local sandbox (or a closed local port), else this throws before spawning.
 */
export function assertLocalOnly(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): void {
  const flag = args.indexOf('--mode');
  const mode = flag >= 0 ? args[flag + 1] : env.QTS_MODE;
  if (mode === undefined || mode === 'virtual' || args[0] === 'sandbox') return;
  const local = /^(?:http|ws):\/\/127\.0\.0\.1:\d+\/?$/;
  if (!local.test(env.QTS_KIS_BASE_URL ?? '') || !local.test(env.QTS_KIS_WS_URL ?? '')) {
    throw new Error(
      `refusing to run qts in ${mode} mode without QTS_KIS_BASE_URL / QTS_KIS_WS_URL on 127.0.0.1 (tests never reach KIS)`,
    );
  }
}

/** Runs the compiled runner, `node apps/runner/dist/cli.js <args>`, to its end. */
export function runCli(args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  assertLocalOnly(args, options.env ?? {});
  return runNode([RUNNER_CLI, ...args], options);
}

/** Starts the compiled runner as a long-running child (`qts sandbox`, `qts watch`). */
export function startCli(args: readonly string[], options: ProcessOptions): RunningProcess {
  assertLocalOnly(args, options.env ?? {});
  return startNode([RUNNER_CLI, ...args], options);
}

/** Parses `KEY=value` lines (e.g. `qts sandbox`'s QTS_* lines) from text. */
export function parseEnvLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(QTS_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}

/** A fresh temporary QTS_HOME; remove it with `rmSync(home, { recursive: true })`. */
export function tempHome(prefix = 'qts-e2e-home-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Parses the single JSON object a `--json` command prints on stdout. */
export function parseJsonStdout(result: ProcessResult): Record<string, unknown> {
  const text = result.stdout.trim();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(
      `stdout is not one JSON object (exit ${result.code}): ${text.slice(0, 500)} | stderr: ${result.stderr.slice(0, 500)}`,
    );
  }
}
