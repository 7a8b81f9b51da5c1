// `qts sandbox` and `qts watch`: they serve / follow until SIGINT or SIGTERM, then exit 0.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type KisSandbox, startKisSandbox } from '@qts/broker-virtual';
import {
  clockEnv,
  onlyJson,
  parseEnvLines,
  QTS_CLI,
  removeTempDirs,
  runQts,
  sandboxEnv,
  startQts,
  tempDir,
} from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { expectShape, OrderSchema } from './helpers.js';

const sandboxes: KisSandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  removeTempDirs();
});

describe.concurrent('qts sandbox', () => {
  it.each([
    ['paper', 'SIGINT'],
    ['real', 'SIGTERM'],
  ] as const)(
    '--env %s prints exactly the QTS_* lines, serves a KIS flow, and exits 0 on %s',
    async (environment, signal) => {
      const home = tempDir();
      const server = startQts(['sandbox', '--env', environment, '--port', '0'], { home });
      await server.waitFor(/^QTS_KIS_HTS_ID=.*\n/m);
      const [printed = ''] = await server.waitFor(/[\s\S]*QTS_KIS_HTS_ID=.*\n/);
      const lines = printed.trimEnd().split('\n');
      expect(lines.map((line) => line.split('=')[0])).toEqual([
        'QTS_MODE',
        'QTS_KIS_BASE_URL',
        'QTS_KIS_WS_URL',
        'QTS_KIS_APP_KEY',
        'QTS_KIS_APP_SECRET',
        'QTS_KIS_ACCOUNT',
        'QTS_KIS_HTS_ID',
      ]);
      const env = parseEnvLines(printed);
      expect(env.QTS_MODE).toBe(environment);
      expect(env.QTS_KIS_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(env.QTS_KIS_WS_URL).toBe(env.QTS_KIS_BASE_URL?.replace('http://', 'ws://'));
      expect(env.QTS_KIS_ACCOUNT).toMatch(/^\d{8}-\d{2}$/);

      const clientHome = tempDir();
      const order = await runQts(
        ['order', 'buy', '005930', '1', '--price', '70000', '--json', '--yes'],
        {
          home: clientHome,
          env: {
            ...env,
            QTS_KIS_RATE_PER_SEC: 'off',
            ...(environment === 'real' ? { QTS_ALLOW_REAL: 'yes' } : {}),
          },
        },
      );
      expect(order.code, order.stderr).toBe(0);
      expect(expectShape(OrderSchema, onlyJson(order)).mode).toBe(environment);

      const result = await server.stop(signal);
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n')).toHaveLength(7);
    },
  );

  it('--port must be a port', async () => {
    const result = await runQts(['sandbox', '--port', 'abc'], { home: tempDir() });
    expect(result.code).toBe(2);
  });
});

describe('qts watch', () => {
  it('virtual mode: stays until SIGINT, then prints one JSON object and exits 0', async () => {
    const home = tempDir();
    const placed = await runQts(['order', 'buy', '005930', '1', '--price', '70000'], { home });
    expect(placed.code, placed.stderr).toBe(0);
    const watch = startQts(['watch', '--json'], { home });
    await watch.waitFor(/listening for execution notices|polling/, 'stderr');
    const result = await watch.stop('SIGINT');
    expect(result.code, result.stderr).toBe(0);
    const body = onlyJson(result) as { orders: unknown[]; events: unknown[] };
    expect(body.orders).toHaveLength(1);
    expect(Array.isArray(body.events)).toBe(true);
  });

  it('shows results for today’s orders until Ctrl-C, places nothing, exits 0', async () => {
    const s = await startKisSandbox({
      environment: 'paper',
      port: 0,
      rateLimitPerSecond: null,
      tokenIssueIntervalMs: 0,
    });
    sandboxes.push(s);
    const home = tempDir();
    const env = sandboxEnv(s, { QTS_MODE: 'paper', QTS_KIS_RATE_PER_SEC: 'off' });
    // a reference price above the order, so it rests until the price comes down
    s.exchange.setReferencePrice('005930', 70000);
    const placed = await runQts(['order', 'buy', '005930', '2', '--price', '60000', '--json'], {
      home,
      env,
    });
    expect(placed.code, placed.stderr).toBe(0);
    const order = expectShape(OrderSchema, onlyJson(placed));
    expect(order.status).toBe('accepted');
    const placesBefore = s.faults.requestCount('place');

    const watch = startQts(['watch'], { home, env });
    await watch.waitFor(/listening for execution notices|polling/, 'stderr');
    const [journalRow] = await watch.waitFor(new RegExp(`^.*${order.orderId}.*$`, 'm'));
    expect(journalRow).toMatch(
      /^\d{2}:\d{2}:\d{2} {2}o-\S+ +accepted {8} {2}buy 005930 x 2 @ 60,000, filled 0$/,
    );
    // the subscription is registered at the sandbox a moment after the reply is read
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(s.exchange.setReferencePrice('005930', 60000)).toHaveLength(1);
    // one vocabulary (the words of `qts orders`) in aligned columns: time, id, status, details
    const [fillRow] = await watch.waitFor(new RegExp(`^.*${order.orderId}  filled .*$`, 'm'));
    expect(fillRow).toMatch(/^\d{2}:\d{2}:\d{2} {2}o-\S+ +filled {10} {2}2\/2 @ avg 60,000/);
    // the same columns as the journal row above
    expect(fillRow.indexOf('filled')).toBe(journalRow.indexOf('accepted'));
    const result = await watch.stop('SIGINT');
    expect(result.code, result.stderr).toBe(0);
    expect(result.signal).toBeNull();
    expect(s.faults.requestCount('place')).toBe(placesBefore);
    expect(result.stdout + result.stderr).not.toContain(s.credentials.appSecret);
  });
});

// The confirmation is read from a terminal: `script` gives the child a pseudo-terminal.
const hasScript = process.platform === 'linux' && existsSync('/usr/bin/script');

describe.runIf(hasScript)('real-mode confirmation on a terminal', () => {
  it.each([
    ['no', 2],
    ['yes', 0],
  ] as const)('answering %s exits %i', async (answer, code) => {
    const s = await startKisSandbox({
      environment: 'real',
      port: 0,
      rateLimitPerSecond: null,
      tokenIssueIntervalMs: 0,
    });
    sandboxes.push(s);
    const home = tempDir();
    const command = [
      process.execPath,
      QTS_CLI,
      '--mode',
      'real',
      'order',
      'buy',
      '005930',
      '1',
      '--price',
      '70000',
    ].join(' ');
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      env: {
        ...clockEnv(),
        PATH: process.env.PATH ?? '',
        HOME: home,
        QTS_HOME: home,
        NO_COLOR: '1',
        QTS_ALLOW_REAL: 'yes',
        QTS_KIS_BASE_URL: s.baseUrl,
        QTS_KIS_WS_URL: s.wsUrl,
        QTS_KIS_APP_KEY: s.credentials.appKey,
        QTS_KIS_APP_SECRET: s.credentials.appSecret,
        QTS_KIS_ACCOUNT: s.credentials.account,
        QTS_KIS_RATE_PER_SEC: 'off',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no prompt:\n${output}`)), 60_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Type "yes"')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(output).toContain('REAL MONEY');
    expect(output).toContain(s.credentials.account);
    expect(output).toContain(new URL(s.baseUrl).host);
    child.stdin.write(`${answer}\n`);
    expect(await exited).toBe(code);
    expect(s.faults.requestCount('place')).toBe(answer === 'yes' ? 1 : 0);
  });
});
