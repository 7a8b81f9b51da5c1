import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assertLocalOnly,
  closedPort,
  parseEnvLines,
  removeTempDirs,
  runProcess,
  startProcess,
  tempDir,
  waitUntil,
} from '../src/index.js';

afterEach(() => removeTempDirs());

describe('test-utils', () => {
  it('waitUntil returns once the probe holds and names what it waited for when it never does', async () => {
    let n = 0;
    await waitUntil(() => ++n >= 3, 'three probes');
    expect(n).toBe(3);
    await expect(waitUntil(() => false, 'never', { timeoutMs: 50 })).rejects.toThrow(
      'timed out waiting until never',
    );
  });

  it('closedPort gives a port whose connection is refused', async () => {
    const port = await closedPort();
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', resolve);
      socket.on('connect', () => {
        socket.destroy();
        resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' }));
      });
    });
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('a child sees only the clean environment, its QTS_HOME and what the test passes', async () => {
    const home = tempDir();
    process.env.QTS_KIS_APP_SECRET = 'must-not-leak';
    try {
      const result = await runProcess(
        [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'],
        { home, env: { EXTRA: 'yes' } },
      );
      const env = JSON.parse(result.stdout) as Record<string, string>;
      expect(env).toMatchObject({ QTS_HOME: home, HOME: home, EXTRA: 'yes', NO_COLOR: '1' });
      expect(env.QTS_KIS_APP_SECRET).toBeUndefined();
    } finally {
      delete process.env.QTS_KIS_APP_SECRET;
    }
  });

  it('a child that outlives its timeout is killed and says so; waitFor sees its output', async () => {
    const running = startProcess(
      [process.execPath, '-e', "console.log('READY'); setInterval(() => {}, 1000)"],
      { home: tempDir(), timeoutMs: 2_000 },
    );
    expect((await running.waitFor(/READY/))[0]).toBe('READY');
    const result = await running.exited;
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    await expect(running.waitFor(/NEVER/)).rejects.toThrow('ended before printing');
  });

  it('refuses a paper-mode CLI run with credentials but no 127.0.0.1 endpoints', () => {
    const env = {
      QTS_KIS_APP_KEY: 'k',
      QTS_KIS_BASE_URL: 'https://openapivts.koreainvestment.com:29443',
    };
    expect(() => assertLocalOnly(['--mode', 'paper', 'orders'], env)).toThrow('127.0.0.1');
    expect(() =>
      assertLocalOnly(['orders'], {
        QTS_MODE: 'paper',
        QTS_KIS_APP_KEY: 'k',
        QTS_KIS_BASE_URL: 'http://127.0.0.1:9',
        QTS_KIS_WS_URL: 'ws://127.0.0.1:9',
      }),
    ).not.toThrow();
    expect(parseEnvLines('QTS_MODE=paper\n  QTS_KIS_APP_KEY=abc=\nnoise')).toEqual({
      QTS_MODE: 'paper',
      QTS_KIS_APP_KEY: 'abc=',
    });
  });
});
