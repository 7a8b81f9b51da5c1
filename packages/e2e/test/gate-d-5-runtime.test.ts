// Gate D 5 (runtime): every one-shot runner command exits by itself and leaves no timer or
// handle behind; `qts watch` and `qts sandbox` stop on SIGINT and then exit cleanly with 0.
// The compiled runner runs as a child with a preload that lists its active resources at exit.

import { existsSync, rmSync } from 'node:fs';
import { parseEnvLines, QTS_CLI, tempDir } from '@qts/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvidence } from '../src/evidence.js';
import {
  leftoverHandles,
  type ProcessResult,
  parseJsonStdout,
  type RunningProcess,
  runCli,
  runNode,
  startCli,
} from './processes.js';

const homes: string[] = [];
const newHome = () => {
  const home = tempDir();
  homes.push(home);
  return home;
};
let sandbox: RunningProcess | null = null;
let sandboxEnv: Record<string, string> = {};
const checked: string[] = [];

beforeAll(async () => {
  if (!existsSync(QTS_CLI)) return;
  sandbox = startCli(['sandbox', '--env', 'paper', '--port', '0'], {
    home: newHome(),
    timeoutMs: 110_000,
  });
  await sandbox.waitFor(/^QTS_KIS_HTS_ID=.*$/m, 'stdout', 30_000);
  sandboxEnv = parseEnvLines(sandbox.stdout());
}, 40_000);

afterAll(async () => {
  if (sandbox !== null) await sandbox.stop('SIGINT');
  for (const home of homes) rmSync(home, { recursive: true, force: true });
  if (checked.length > 0) {
    recordEvidence(
      5,
      `${checked.length} one-shot runs (${[...new Set(checked)].map((c) => c.replace('qts ', '')).join('/')}; virtual and paper) exited by themselves, no timer/socket left`,
    );
  }
});

/** Asserts a one-shot run ended by itself with only stdio left at exit. */
function expectCleanExit(label: string, result: ProcessResult, codes: readonly number[]): void {
  expect(result.timedOut, `${label} did not exit by itself; stderr: ${result.stderr}`).toBe(false);
  expect(result.signal, `${label} ended by a signal`).toBeNull();
  expect(
    codes,
    `${label} exit code ${result.code}; stdout: ${result.stdout.slice(0, 400)} stderr: ${result.stderr.slice(0, 400)}`,
  ).toContain(result.code);
  expect(result.handlesAtExit, `${label}: the handle-reporting preload ran`).not.toBeNull();
  expect(leftoverHandles(result), `${label} left handles behind at exit`).toEqual([]);
  expect(result.stderr, `${label}: the runner's watchdog had to end it`).not.toMatch(
    /kept the process alive/,
  );
  checked.push(label.split(' ').slice(0, 2).join(' '));
}

function requireRunner(): void {
  expect(
    existsSync(QTS_CLI),
    `the compiled runner ${QTS_CLI} is missing (apps/runner build; turbo builds it before e2e)`,
  ).toBe(true);
}

const DEBUG = { QTS_DEBUG_HANDLES: '1' };

describe('Gate D 5: runner commands are one-shot (runtime check)', () => {
  it('Gate D 5: the runtime check FAILS on planted children that leave a timer or never exit', async () => {
    const home = newHome();
    // ends with process.exit() while an interval and a socket are still open
    const leaky = await runNode(
      [
        '-e',
        "setInterval(() => {}, 1000); require('node:net').createServer().listen(0, '127.0.0.1', () => setTimeout(() => process.exit(0), 50));",
      ],
      { home, timeoutMs: 30_000 },
    );
    expect(leaky.timedOut).toBe(false);
    expect(leftoverHandles(leaky)).toEqual(expect.arrayContaining(['Timeout', 'TCPServerWrap']));
    // never ends by itself: killed by the harness and reported as such
    const hanging = await runNode(['-e', 'setInterval(() => {}, 1000);'], {
      home,
      timeoutMs: 1_500,
    });
    expect(hanging.timedOut).toBe(true);
    expect(hanging.signal).toBe('SIGKILL');
    // a clean child has only stdio left
    const clean = await runNode(['-e', 'setTimeout(() => {}, 10);'], { home, timeoutMs: 30_000 });
    expect(leftoverHandles(clean)).toEqual([]);
    recordEvidence(
      5,
      'the runtime check catches a planted child exiting with an interval and a server open, and one that never exits',
    );
  }, 60_000);

  it('Gate D 5: one-shot commands in virtual mode exit by themselves and leave no handle', async () => {
    requireRunner();
    const home = newHome();
    const env = { ...DEBUG, QTS_MODE: 'virtual' };
    const run = (args: string[]) => runCli(args, { home, env, timeoutMs: 30_000 });

    expectCleanExit('qts --help', await run(['--help']), [0]);
    expectCleanExit(
      'qts virtual price 005930 70000',
      await run(['virtual', 'price', '005930', '70000']),
      [0],
    );
    const filled = await run(['order', 'buy', '005930', '1', '--price', '70000', '--json']);
    expectCleanExit('qts order buy (fills)', filled, [0]);
    const resting = await run(['order', 'buy', '005930', '2', '--price', '60000', '--json']);
    expectCleanExit('qts order buy (rests)', resting, [0]);
    const orderId = String(parseJsonStdout(resting).orderId);
    expectCleanExit(
      'qts modify',
      await run(['modify', orderId, '--price', '61000', '--json']),
      [0],
    );
    expectCleanExit('qts cancel', await run(['cancel', orderId, '--json']), [0]);
    expectCleanExit('qts orders', await run(['orders', '--json']), [0]);
    expectCleanExit('qts balance', await run(['balance', '--json']), [0]);
    // token has no meaning in virtual mode: whatever it answers, it must end cleanly
    expectCleanExit('qts token (virtual)', await run(['token', '--json']), [0, 2]);
    // argument errors (exit 2) end cleanly as well
    expectCleanExit(
      'qts order (bad input)',
      await run(['order', 'buy', 'ABC', '0', '--price', '1', '--json']),
      [2],
    );
  }, 120_000);

  it('Gate D 5: one-shot commands in paper mode against `qts sandbox` exit by themselves and leave no handle', async () => {
    requireRunner();
    expect(sandboxEnv.QTS_KIS_BASE_URL, 'qts sandbox printed its QTS_* lines').toMatch(
      /^http:\/\/127\.0\.0\.1:\d+$/,
    );
    const home = newHome();
    const env = { ...DEBUG, ...sandboxEnv, QTS_MODE: 'paper' };
    const run = (args: string[]) => runCli(args, { home, env, timeoutMs: 30_000 });
    expectCleanExit(
      'qts order (paper, fills)',
      await run(['order', 'buy', '005930', '1', '--price', '70000', '--json']),
      [0],
    );
    const resting = await run(['order', 'buy', '005930', '1', '--price', '60000', '--json']);
    expectCleanExit('qts order (paper)', resting, [0]);
    const orderId = String(parseJsonStdout(resting).orderId);
    expectCleanExit('qts orders (paper)', await run(['orders', '--json']), [0]);
    expectCleanExit('qts cancel (paper)', await run(['cancel', orderId, '--json']), [0]);
    expectCleanExit('qts balance (paper)', await run(['balance', '--json']), [0]);
    expectCleanExit('qts token (paper)', await run(['token', '--json']), [0]);
    // a route cut (closed port) ends cleanly too, with exit 1 and nothing sent
    expectCleanExit(
      'qts order (route cut)',
      await runCli(['order', 'buy', '005930', '1', '--price', '50000', '--json'], {
        home,
        env: { ...env, QTS_KIS_BASE_URL: 'http://127.0.0.1:9', QTS_KIS_WS_URL: 'ws://127.0.0.1:9' },
        timeoutMs: 30_000,
      }),
      [1],
    );
  }, 120_000);

  it('Gate D 5: `qts watch` stops on SIGINT and exits 0 with no handle left', async () => {
    requireRunner();
    expect(sandboxEnv.QTS_KIS_WS_URL, 'qts sandbox printed its QTS_* lines').toMatch(
      /^ws:\/\/127\.0\.0\.1:\d+$/,
    );
    const watch = startCli(['watch'], {
      home: newHome(),
      env: { ...DEBUG, ...sandboxEnv, QTS_MODE: 'paper' },
      timeoutMs: 60_000,
    });
    await watch.waitFor(/Watching/, 'stderr', 30_000);
    const result = await watch.stop('SIGINT');
    expect(result.timedOut, `qts watch did not exit after SIGINT; stderr: ${result.stderr}`).toBe(
      false,
    );
    expect(
      result.signal,
      `qts watch handled SIGINT itself; stderr: ${result.stderr.slice(-800)}`,
    ).toBeNull();
    expect(result.code, `qts watch exit code; stderr: ${result.stderr.slice(-600)}`).toBe(0);
    expect(leftoverHandles(result), 'qts watch left handles behind').toEqual([]);
    expect(result.stderr).not.toMatch(/kept the process alive/);
    recordEvidence(
      5,
      'qts watch (paper, on the sandbox) stopped by SIGINT: exit 0, no handle left',
    );
  }, 90_000);

  it('Gate D 5: `qts watch` in virtual mode stops on SIGINT and exits 0 with no handle left', async () => {
    requireRunner();
    const watch = startCli(['watch'], {
      home: newHome(),
      env: { ...DEBUG, QTS_MODE: 'virtual' },
      timeoutMs: 60_000,
    });
    await watch.waitFor(/Watching/, 'stderr', 30_000);
    const result = await watch.stop('SIGINT');
    expect(result.timedOut, `qts watch did not exit after SIGINT; stderr: ${result.stderr}`).toBe(
      false,
    );
    expect(
      result.signal,
      `qts watch handled SIGINT itself; stderr: ${result.stderr.slice(-800)}`,
    ).toBeNull();
    expect(result.code, `qts watch exit code; stderr: ${result.stderr.slice(-600)}`).toBe(0);
    expect(leftoverHandles(result), 'qts watch left handles behind').toEqual([]);
    recordEvidence(5, 'qts watch (virtual) stopped by SIGINT: exit 0, no handle left');
  }, 90_000);

  it('Gate D 5: `qts sandbox` stops on SIGINT and exits 0 with no handle left', async () => {
    requireRunner();
    const own = startCli(['sandbox', '--port', '0'], {
      home: newHome(),
      env: DEBUG,
      timeoutMs: 60_000,
    });
    await own.waitFor(/^QTS_KIS_HTS_ID=.*$/m, 'stdout', 30_000);
    const printed = parseEnvLines(own.stdout());
    expect(Object.keys(printed).sort()).toEqual([
      'QTS_KIS_ACCOUNT',
      'QTS_KIS_APP_KEY',
      'QTS_KIS_APP_SECRET',
      'QTS_KIS_BASE_URL',
      'QTS_KIS_HTS_ID',
      'QTS_KIS_WS_URL',
      'QTS_MODE',
    ]);
    const result = await own.stop('SIGINT');
    expect(result.timedOut, `qts sandbox did not exit after SIGINT; stderr: ${result.stderr}`).toBe(
      false,
    );
    expect(result.signal, 'qts sandbox handled SIGINT itself').toBeNull();
    expect(result.code, `qts sandbox exit code; stderr: ${result.stderr.slice(-600)}`).toBe(0);
    expect(leftoverHandles(result), 'qts sandbox left handles behind').toEqual([]);
    recordEvidence(5, 'qts sandbox stopped by SIGINT: exit 0, no handle left');
  }, 90_000);
});
