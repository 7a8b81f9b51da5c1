// A newcomer's path through the README, on the compiled CLI: the README's way of running it
// prints only the CLI's output and hints that paste as they are; the background sandbox recipe
// leaves nothing running; `qts orders` without the broker; `qts watch` giving up on setup errors;
// order ids by prefix or broker number; small things (separators, trailing spaces, help
// alignment, token in KST, market hours).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type KisSandbox, startKisSandbox } from '@qts/broker-virtual';
import {
  clockEnv,
  onlyJson,
  parseEnvLines,
  REPO_ROOT,
  removeTempDirs,
  runQts,
  sandboxEnv,
  startQts,
  tempDir,
  withinOneTradingDate,
} from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ErrorOnlySchema,
  expectShape,
  logsOf,
  OrderSchema,
  OrdersNotReconciledSchema,
  OrdersSchema,
  OrderWithErrorSchema,
  TokenSchema,
} from './helpers.js';

const sandboxes: KisSandbox[] = [];
afterAll(async () => {
  await Promise.allSettled(sandboxes.map((s) => s.close()));
  removeTempDirs();
});

async function sandbox(): Promise<KisSandbox> {
  const s = await startKisSandbox({
    environment: 'paper',
    port: 0,
    rateLimitPerSecond: null,
    tokenIssueIntervalMs: 0,
  });
  sandboxes.push(s);
  return s;
}

function paperEnv(s: KisSandbox): Record<string, string> {
  return sandboxEnv(s, { QTS_MODE: 'paper', QTS_KIS_RATE_PER_SEC: 'off' });
}

/** Whether the KRX regular session (weekdays 09:00-15:30 KST) is open at a time. */
function krxOpen(time: number): boolean {
  const seoul = new Date(time + 9 * 3600_000);
  const minute = seoul.getUTCHours() * 60 + seoul.getUTCMinutes();
  const weekday = seoul.getUTCDay() >= 1 && seoul.getUTCDay() <= 5;
  return weekday && minute >= 9 * 60 && minute < 15 * 60 + 30;
}

/** Seoul date `YYYYMMDD` of a time. */
function seoulDate(time: number): string {
  return new Date(time + 9 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

/** Resolves true when something accepts connections on the port. */
function serving(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const PNPM_EXEC = ['pnpm', 'exec', 'qts'] as const;

describe.concurrent("the README's way of running qts", () => {
  it('`pnpm exec qts` prints only the CLI output; a failing run adds nothing from pnpm', async () => {
    const home = tempDir();
    const result = await runQts(['order', 'buy', '005930', '0', '--price', '70000'], {
      home,
      command: PNPM_EXEC,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    // exactly the CLI's one line: no `$ node ...` echo, no `[ELIFECYCLE] Command failed`
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: Quantity must be/);
    expect(result.stderr).not.toMatch(/ELIFECYCLE|\$ node/);
    // the hint names the command the way it was run, so it pastes as it is
    expect(result.stderr).toContain('`pnpm exec qts order buy 005930 10 --price 70000`');
  });

  it('a successful `pnpm exec qts` run has the same stdout as the bare CLI', async () => {
    const [viaPnpm, bare] = await Promise.all([
      runQts(['order', 'buy', '005930', '1', '--price', '70000', '--json'], {
        home: tempDir(),
        command: PNPM_EXEC,
      }),
      runQts(['order', 'buy', '005930', '1', '--price', '70000', '--json'], { home: tempDir() }),
    ]);
    expect(viaPnpm.code, viaPnpm.stderr).toBe(0);
    expect(bare.code, bare.stderr).toBe(0);
    expect(expectShape(OrderSchema, onlyJson(viaPnpm)).status).toBe('filled');
    expect(expectShape(OrderSchema, onlyJson(bare)).status).toBe('filled');
    expect(viaPnpm.stderr).not.toMatch(/ELIFECYCLE|\$ node/);
  });

  it('run directly (bin on PATH, alias), hints say plain `qts`', async () => {
    const result = await runQts(['cancel', 'o-nothing-here'], { home: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('`qts orders`');
    expect(result.stderr).not.toContain('pnpm');
  });

  it('help examples name the command the way it was run, still aligned', async () => {
    const result = await runQts(['--help'], { home: tempDir(), command: PNPM_EXEC });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: pnpm exec qts <command> [options]');
    expect(result.stdout).toContain('  pnpm exec qts orders ');
    expect(exampleColumns(result.stdout)).toHaveLength(1);
  });
});

/** The columns where the comments of each help example block start (one per aligned block). */
function exampleColumns(help: string): number[] {
  const columns = new Set<number>();
  const blocks = help.split('Examples:\n').slice(1);
  for (const block of blocks) {
    const lines = block.split('\n\n')[0]?.split('\n') ?? [];
    const starts = lines
      .map((line) => /^( {2}\S.*?\S)( {2,})\S/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => (m[1]?.length ?? 0) + (m[2]?.length ?? 0));
    if (starts.length > 0) columns.add(Math.max(...starts) - Math.min(...starts));
  }
  // 0 when every block is aligned
  return [...columns];
}

describe.concurrent('help examples are aligned', () => {
  it.each([
    [['--help']],
    [['order', '--help']],
    [['cancel', '--help']],
    [['sandbox', '--help']],
    [['watch', '--help']],
    [['virtual', 'price', '--help']],
  ])('%j', async (args) => {
    const result = await runQts(args, { home: tempDir() });
    expect(result.code).toBe(0);
    expect(exampleColumns(result.stdout)).toEqual([0]);
  });
});

describe.concurrent('signals', () => {
  it('the README background recipe: `kill $!` stops the sandbox and leaves nothing serving', async () => {
    const home = tempDir();
    const envFile = join(home, 'sandbox.env');
    // exactly what the README says, in a non-interactive shell (background jobs ignore SIGINT)
    const script = `
      pnpm exec qts sandbox --port 0 > "$ENV_FILE" &
      pid=$!
      i=0
      until [ "$(grep -c QTS_ "$ENV_FILE" 2>/dev/null)" = 7 ] || [ $i -ge 600 ]; do
        sleep 0.1; i=$((i+1))
      done
      kill $pid
      wait $pid
      echo "exit=$?"
    `;
    const child = spawn('sh', ['-c', script], {
      cwd: REPO_ROOT,
      env: {
        ...clockEnv(),
        PATH: process.env.PATH ?? '',
        HOME: home,
        QTS_HOME: home,
        NO_COLOR: '1',
        ENV_FILE: envFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, err).toBe(0);
    expect(out.trim(), err).toBe('exit=0');
    expect(err).toContain('Stopping the sandbox');
    const env = parseEnvLines(readFileSync(envFile, 'utf8'));
    const port = Number(new URL(env.QTS_KIS_BASE_URL ?? 'http://x:1').port);
    expect(port).toBeGreaterThan(0);
    expect(await serving(port)).toBe(false);
  });

  it('qts sandbox stops on SIGHUP (terminal closed) with exit 0', async () => {
    const server = startQts(['sandbox', '--port', '0'], { home: tempDir() });
    const [printed = ''] = await server.waitFor(/[\s\S]*QTS_KIS_HTS_ID=.*\n/);
    const port = Number(new URL(parseEnvLines(printed).QTS_KIS_BASE_URL ?? 'http://x:1').port);
    expect(await serving(port)).toBe(true);
    const result = await server.stop('SIGHUP');
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(0);
    expect(await serving(port)).toBe(false);
  });

  it.each(['SIGTERM', 'SIGHUP'] as const)('qts watch stops on %s with exit 0', async (signal) => {
    await withinOneTradingDate(); // watch lists today's orders
    const home = tempDir();
    const placed = await runQts(['order', 'buy', '005930', '1', '--price', '70000'], { home });
    expect(placed.code, placed.stderr).toBe(0);
    const watch = startQts(['watch', '--json'], { home });
    await watch.waitFor(/listening for execution notices|polling/, 'stderr');
    const result = await watch.stop(signal);
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(0);
    expect((onlyJson(result) as { orders: unknown[] }).orders).toHaveLength(1);
  });
});

describe.concurrent('qts orders without the broker', () => {
  it('lists the journal, marked NOT reconciled, and exits 1 (no connection)', async () => {
    await withinOneTradingDate(); // `qts orders` lists today's orders
    const s = await sandbox();
    const home = tempDir();
    const env = paperEnv(s);
    s.exchange.setReferencePrice('005930', 70000);
    const placed = await runQts(['order', 'buy', '005930', '2', '--price', '60000', '--json'], {
      home,
      env,
    });
    expect(placed.code, placed.stderr).toBe(0);
    const order = expectShape(OrderSchema, onlyJson(placed));
    await s.close();

    const human = await runQts(['orders'], { home, env });
    expect(human.code, human.stderr).toBe(1);
    expect(human.stdout).toContain('NOT reconciled');
    expect(human.stdout).toContain(order.orderId);
    expect(human.stderr).toMatch(/ECONNREFUSED.*nothing reached KIS/);

    const json = await runQts(['orders', '--json'], { home, env });
    expect(json.code, json.stderr).toBe(1);
    const body = expectShape(OrdersNotReconciledSchema, onlyJson(json));
    expect(body.orders.map((o) => o.orderId)).toEqual([order.orderId]);
    expect(body.orders[0]?.status).toBe('accepted');
    expect(body.error).toMatchObject({ code: 'ROUTE_UNAVAILABLE', outcome: 'not_placed' });
  });

  it("--date of a past day does not show today's reconciliation changes", async () => {
    const s = await sandbox();
    const home = tempDir();
    const env = { ...paperEnv(s), QTS_KIS_TIMEOUT_MS: '1500' };
    s.faults.next('place', { kind: 'never-answer' });
    const sent = await runQts(['order', 'buy', '005930', '1', '--price', '70000', '--json'], {
      home,
      env,
    });
    expect(sent.code, sent.stderr).toBe(4);
    const unknown = expectShape(OrderWithErrorSchema, onlyJson(sent));
    const past = seoulDate(Date.now() - 400 * 86_400_000);
    const listed = await runQts(['orders', '--date', past], { home, env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`No orders on ${past}`);
    expect(listed.stdout).not.toContain(unknown.orderId);
    expect(listed.stdout).toContain('Reconciled: nothing changed.');
    expect(listed.stderr, listed.stdout + listed.stderr + logsOf(home)).toMatch(
      /Also reconciled 1 order\(s\) of \d{8}/,
    );

    const json = await runQts(['orders', '--date', past, '--json'], { home, env });
    expect(expectShape(OrdersSchema, onlyJson(json))).toEqual({ orders: [], reconciled: [] });
  });
});

describe.concurrent('qts watch stops on what waiting cannot fix', () => {
  it('QTS_KIS_HTS_ID not set: exit 2 at once, naming it', async () => {
    const s = await sandbox();
    const { QTS_KIS_HTS_ID: _unset, ...env } = paperEnv(s);
    const result = await runQts(['watch'], { home: tempDir(), env, timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('QTS_KIS_HTS_ID');
    expect(s.faults.requestCount('place')).toBe(0);
  });

  it('credentials refused at the token: exit 3 with what to fix', async () => {
    const s = await sandbox();
    const env = { ...paperEnv(s), QTS_KIS_APP_SECRET: 'not-the-secret' };
    const result = await runQts(['watch', '--json'], { home: tempDir(), env, timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(3);
    const body = expectShape(ErrorOnlySchema, onlyJson(result));
    expect(body.error.code).toBe('AUTH');
    expect(body.error.hint).toContain('QTS_KIS_APP_SECRET');
  });

  it('credentials refused at the notice subscription (token cached): exit 3, no retrying', async () => {
    const s = await sandbox();
    const home = tempDir();
    const warm = await runQts(['balance'], { home, env: paperEnv(s) });
    expect(warm.code, warm.stderr).toBe(0);
    const env = { ...paperEnv(s), QTS_KIS_APP_SECRET: 'not-the-secret' };
    const result = await runQts(['watch'], { home, env, timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain('qts watch stopped');
    expect(result.stderr).toContain('approval key');
    expect(result.stderr).not.toMatch(/reconnecting|polling/);
    expect(result.stderr + result.stdout).not.toContain(s.credentials.appSecret);
  });
});

describe.concurrent('order ids', () => {
  it('a unique prefix, or today’s broker number; an ambiguous prefix is exit 2 listing candidates', async () => {
    await withinOneTradingDate(); // broker numbers are today's; day orders end with their date
    const home = tempDir();
    const price = await runQts(['virtual', 'price', '005930', '70000'], { home });
    expect(price.code, price.stderr).toBe(0);
    const ids: string[] = [];
    const numbers: string[] = [];
    for (const limit of ['60000', '61000', '62000']) {
      const placed = await runQts(['order', 'buy', '005930', '1', '--price', limit, '--json'], {
        home,
      });
      expect(placed.code, placed.stderr).toBe(0);
      const order = expectShape(OrderSchema, onlyJson(placed));
      expect(order.status).toBe('accepted');
      ids.push(order.orderId);
      numbers.push(order.brokerOrderId ?? '');
    }
    const [first = '', second = '', third = ''] = ids;
    // the shortest prefix that only the first id has
    let prefix = first.slice(0, 3);
    while (ids.filter((id) => id.startsWith(prefix)).length > 1)
      prefix = first.slice(0, prefix.length + 1);

    const ambiguous = await runQts(['cancel', 'o-', '--json'], { home });
    expect(ambiguous.code).toBe(2);
    const body = expectShape(ErrorOnlySchema, onlyJson(ambiguous));
    expect(body.error.code).toBe('AMBIGUOUS_ORDER_ID');
    for (const id of ids) expect(body.error.hint).toContain(id);

    const byPrefix = await runQts(['cancel', prefix, '--json'], { home });
    expect(byPrefix.code, byPrefix.stderr).toBe(0);
    expect(expectShape(OrderSchema, onlyJson(byPrefix))).toMatchObject({
      orderId: first,
      status: 'canceled',
    });

    // the broker number without its leading zeros
    const number = String(Number(numbers[1]));
    const byNumber = await runQts(['modify', number, '--price', '61100', '--json'], { home });
    expect(byNumber.code, byNumber.stderr).toBe(0);
    expect(expectShape(OrderSchema, onlyJson(byNumber))).toMatchObject({ orderId: second });

    const full = await runQts(['cancel', third, '--json'], { home });
    expect(full.code, full.stderr).toBe(0);
    expect(expectShape(OrderSchema, onlyJson(full)).orderId).toBe(third);
  });
});

describe.concurrent('after an order', () => {
  it('an accepted KIS order says how to see the fill', async () => {
    const s = await sandbox();
    s.exchange.setReferencePrice('005930', 70000);
    const result = await runQts(['order', 'buy', '005930', '1', '--price', '60000'], {
      home: tempDir(),
      env: paperEnv(s),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/status\s+accepted/);
    expect(result.stderr).toContain('`qts orders`');
    expect(result.stderr).toContain('`qts watch`');
  });

  it('tables have no trailing spaces (order, orders, balance)', async () => {
    const home = tempDir();
    const outputs = [
      await runQts(['order', 'buy', '005930', '1', '--price', '70000'], { home }),
      await runQts(['orders'], { home }),
      await runQts(['balance'], { home }),
    ];
    for (const result of outputs) {
      expect(result.code, result.stderr).toBe(0);
      for (const line of result.stdout.split('\n')) expect(line).not.toMatch(/\s$/);
    }
  });
});

describe.concurrent('small things', () => {
  it('message and hint never run together', async () => {
    // a closed port and no cached token: "could not connect" with its hint on one line
    const s = await sandbox();
    const env = {
      ...paperEnv(s),
      QTS_KIS_BASE_URL: 'http://127.0.0.1:9',
      QTS_KIS_WS_URL: 'ws://127.0.0.1:9',
    };
    const result = await runQts(['order', 'buy', '005930', '1', '--price', '70000'], {
      home: tempDir(),
      env,
    });
    expect(result.code, result.stderr).toBe(1);
    const line = result.stderr.trimEnd();
    expect(line.split('\n')).toHaveLength(1);
    // every sentence boundary has its full stop: no "…word Capital" joins
    expect(line).toContain('Could not reach the KIS token endpoint');
    expect(line).not.toMatch(/[^.!?;:,] (Could|Check|Nothing|Do|Run)\b/);
  });

  it('qts token: Seoul times, no table padding, times equal to the JSON ones', async () => {
    const s = await sandbox();
    const home = tempDir();
    const env = paperEnv(s);
    expect((await runQts(['balance'], { home, env })).code).toBe(0);
    const [human, json] = await Promise.all([
      runQts(['token'], { home, env }),
      runQts(['token', '--json'], { home, env }),
    ]);
    expect(human.code, human.stderr).toBe(0);
    const status = expectShape(TokenSchema, onlyJson(json));
    const expires = new Date(Date.parse(status.expiresAt ?? '') + 9 * 3600_000)
      .toISOString()
      .slice(0, 19)
      .replace('T', ' ');
    expect(human.stdout).toMatch(new RegExp(`^expires at  ${expires} KST \\(in \\d+`, 'm'));
    expect(human.stdout).not.toMatch(/\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
    for (const line of human.stdout.trimEnd().split('\n')) {
      expect(line).not.toMatch(/\s$/);
      if (!line.startsWith('file')) expect(line.length).toBeLessThan(80);
    }
  });

  it('virtual mode outside KRX hours says it ignores them; QTS_MARKET_HOURS=enforce refuses', async () => {
    // The CLI reads the real clock; the test reads it too and asserts the matching branch
    // (the CLI's own krxSession is tested on fixed times in units.test.ts).
    const before = krxOpen(Date.now());
    const [free, enforced] = await Promise.all([
      runQts(['order', 'buy', '005930', '1', '--price', '70000'], { home: tempDir() }),
      runQts(['order', 'buy', '005930', '1', '--price', '70000', '--json'], {
        home: tempDir(),
        env: { QTS_MARKET_HOURS: 'enforce' },
      }),
    ]);
    const after = krxOpen(Date.now());
    if (before !== after) return; // the session opened or closed during the runs
    expect(free.code, free.stderr).toBe(0);
    if (before) {
      expect(free.stderr).not.toContain('ignores market hours');
      expect(enforced.code, enforced.stderr).toBe(0);
    } else {
      expect(free.stderr).toMatch(/KRX is closed now \(\w+ \d{2}:\d{2} KST\)/);
      expect(free.stderr).toContain('Virtual mode ignores market hours');
      expect(free.stderr).toContain('QTS_MARKET_HOURS=enforce');
      expect(enforced.code).toBe(2);
      expect(expectShape(ErrorOnlySchema, onlyJson(enforced)).error.code).toBe('MARKET_CLOSED');
    }
  });

  it('a bad QTS_MARKET_HOURS is a configuration error (exit 2)', async () => {
    const result = await runQts(['order', 'buy', '005930', '1', '--price', '70000'], {
      home: tempDir(),
      env: { QTS_MARKET_HOURS: 'sometimes' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('QTS_MARKET_HOURS');
  });
});
