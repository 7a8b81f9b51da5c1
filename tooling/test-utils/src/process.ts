// Child processes for tests: one way to spawn a program with a clean environment, a temporary
// QTS_HOME, the test's clock, and a timeout after which the child is killed and the result says so.
import { type ChildProcess, spawn } from 'node:child_process';

/** How a child process ended. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the timeout killed it (it did not exit by itself). */
  readonly timedOut: boolean;
}

/** Options of a child process. */
export interface ProcessOptions {
  /** QTS_HOME (and HOME) of the child: a temporary folder of the test. */
  readonly home: string;
  /** More environment variables (they win over the defaults). */
  readonly env?: Readonly<Record<string, string>>;
  /** SIGKILL after this long and report `timedOut`. Default 60 s. */
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

/** A running child with its output so far. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** stdout so far. */
  stdout(): string;
  /** stderr so far. */
  stderr(): string;
  /**
   * Resolves with the first match of `re` on `stream` (waiting for more output); rejects when the
   * process ends first or after `timeoutMs` (default 30 s).
   */
  waitFor(re: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited (by itself or by a signal). */
  readonly exited: Promise<ProcessResult>;
  /** Sends `signal` (default SIGINT) unless it already ended, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<ProcessResult>;
}

/**
 * The variables that move this process's clock (libfaketime's LD_PRELOAD and FAKETIME*, and TZ),
 * so that a child sees the same time as the test and an in-process sandbox. `pnpm test:calendar`
 * runs the suite with the clock moved; a child without them would live in another day than the
 * broker it talks to.
 */
export function clockEnv(): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key === 'LD_PRELOAD' || key === 'TZ' || key.startsWith('FAKETIME')) kept[key] = value;
  }
  return kept;
}

/**
 * A child's environment: PATH, the clock's variables, HOME and QTS_HOME at the test's folder, no
 * colours, then `env`. Nothing else of the caller's (no QTS_* or credentials leak in).
 */
export function childEnv(options: ProcessOptions): Record<string, string> {
  return {
    ...clockEnv(),
    PATH: process.env.PATH ?? '',
    HOME: options.home,
    QTS_HOME: options.home,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...options.env,
  };
}

/** Starts `command` (file and arguments) as a child without waiting for its end. */
export function startProcess(
  command: readonly [string, ...string[]],
  options: ProcessOptions,
): RunningProcess {
  const [file, ...args] = command;
  const child = spawn(file, args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: childEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text.stdout += chunk;
    poke();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text.stderr += chunk;
    poke();
  });
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  let done = false;
  const exited = new Promise<ProcessResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      clearTimeout(killer);
      poke();
      resolve({ code, signal, stdout: text.stdout, stderr: text.stderr, timedOut });
    };
    child.on('close', finish);
    child.on('error', (error) => {
      text.stderr += `\nspawn failed: ${error.message}`;
      finish(null, null);
    });
  });
  const describe = () => `stdout: ${text.stdout.slice(-2000)}\nstderr: ${text.stderr.slice(-3000)}`;
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    exited,
    waitFor(re, stream = 'stdout', timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        const check = () => {
          const match = re.exec(text[stream]);
          if (match !== null) {
            finish();
            resolve(match);
          } else if (done) {
            finish();
            reject(
              new Error(`the process ended before printing ${re} on ${stream}\n${describe()}`),
            );
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no ${re} on ${stream} within ${timeoutMs} ms\n${describe()}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

/** Runs `command` to its end. */
export function runProcess(
  command: readonly [string, ...string[]],
  options: ProcessOptions,
): Promise<ProcessResult> {
  return startProcess(command, options).exited;
}
