// Child processes for the flow tests, over @qts/test-utils: the compiled runner and small node
// scripts, each with a clean environment, a temporary QTS_HOME and a timeout. What this package
// adds: a preload that reports the resources a child still held at exit (Gate D 5: a one-shot
// command leaves no timer, socket or server behind).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertLocalOnly,
  type ProcessOptions as BaseOptions,
  type ProcessResult as BaseResult,
  type RunningProcess as BaseRunning,
  onlyJson,
  QTS_CLI,
  startProcess,
} from '@qts/test-utils';
import { E2E_DIR } from '../src/paths.js';

/** The preload that reports active handles at exit. */
export const HANDLES_PRELOAD = join(E2E_DIR, 'scripts', 'report-handles.mjs');

/** How a child process ended, with what it still held at exit. */
export interface ProcessResult extends BaseResult {
  /** Active resources at exit (process.getActiveResourcesInfo), when the preload was used. */
  readonly handlesAtExit: readonly string[] | null;
}

/** Options of a child process. */
export interface ProcessOptions extends BaseOptions {
  /** Report active handles at exit through the preload. Default true. */
  readonly reportHandles?: boolean;
}

/** A running child process. */
export interface RunningProcess extends Omit<BaseRunning, 'exited' | 'stop'> {
  readonly exited: Promise<ProcessResult>;
  stop(signal?: NodeJS.Signals): Promise<ProcessResult>;
}

/** Resources that are only the child's own stdio pipes. */
export const STDIO_RESOURCES: ReadonlySet<string> = new Set(['PipeWrap', 'TTYWrap']);

/** Resources other than stdio that a child had at exit. */
export function leftoverHandles(result: ProcessResult): string[] {
  return (result.handlesAtExit ?? []).filter((r) => !STDIO_RESOURCES.has(r));
}

/** Starts `node [preload] <args>` as a child (default timeout 30 s, cwd packages/e2e). */
export function startNode(nodeArgs: readonly string[], options: ProcessOptions): RunningProcess {
  const reportHandles = options.reportHandles ?? true;
  const scratch = reportHandles ? mkdtempSync(join(tmpdir(), 'qts-e2e-handles-')) : null;
  const handlesFile = scratch === null ? null : join(scratch, 'handles.json');
  const running = startProcess(
    [process.execPath, ...(reportHandles ? ['--import', HANDLES_PRELOAD] : []), ...nodeArgs],
    {
      home: options.home,
      cwd: options.cwd ?? E2E_DIR,
      timeoutMs: options.timeoutMs ?? 30_000,
      env: {
        ...(handlesFile === null ? {} : { QTS_E2E_HANDLES_FILE: handlesFile }),
        ...options.env,
      },
    },
  );
  const exited = running.exited.then((result): ProcessResult => {
    let handlesAtExit: string[] | null = null;
    if (handlesFile !== null && existsSync(handlesFile)) {
      handlesAtExit = (JSON.parse(readFileSync(handlesFile, 'utf8')) as { resources: string[] })
        .resources;
    }
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
    return { ...result, handlesAtExit };
  });
  return {
    ...running,
    exited,
    async stop(signal) {
      await running.stop(signal);
      return exited;
    },
  };
}

/** Runs `node <args>` to its end. */
export function runNode(
  nodeArgs: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  return startNode(nodeArgs, options).exited;
}

/** Runs the runner as users run it, `node apps/runner/dist/bin/cli.cjs <args>`, to its end. */
export function runCli(args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  assertLocalOnly(args, options.env ?? {});
  return runNode([QTS_CLI, ...args], options);
}

/** Starts the compiled runner as a long-running child (`qts sandbox`, `qts watch`). */
export function startCli(args: readonly string[], options: ProcessOptions): RunningProcess {
  assertLocalOnly(args, options.env ?? {});
  return startNode([QTS_CLI, ...args], options);
}

/** Parses the single JSON object a `--json` command prints on stdout. */
export function parseJsonStdout(result: BaseResult): Record<string, unknown> {
  return onlyJson(result) as Record<string, unknown>;
}
