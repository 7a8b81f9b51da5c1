// Help, argument errors, configuration errors and the real-mode interlock: nothing here reaches
// a broker, so every run must end with exit 0 (help) or 2 (nothing sent).

import { closedKisEnv, onlyJson, removeTempDirs, runQts, tempDir } from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorOnlySchema, expectShape, logsOf } from './helpers.js';

afterAll(removeTempDirs);

const COMMANDS = [
  ['order'],
  ['orders'],
  ['cancel'],
  ['modify'],
  ['balance'],
  ['token'],
  ['sandbox'],
  ['watch'],
  ['virtual', 'price'],
];

describe.concurrent('help', () => {
  it('qts --help lists every command and exits 0', async () => {
    const result = await runQts(['--help'], { home: tempDir() });
    expect(result.code).toBe(0);
    for (const [name] of COMMANDS) expect(result.stdout).toContain(name);
    expect(result.stdout).toContain('Exit codes');
  });

  it.each(COMMANDS)('qts %s --help has examples and exits 0', async (...command) => {
    const result = await runQts([...command, '--help'], { home: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
  });

  it('the fast top-level help (no commander) is exactly what commander renders', async () => {
    const home = tempDir();
    const [fast, full] = await Promise.all([
      runQts(['--help'], { home }),
      runQts(['--help'], { home, env: { QTS_NO_FAST_HELP: '1' } }),
    ]);
    expect(full.code).toBe(0);
    expect(fast.stdout, 'regenerate src/help-text.ts with scripts/gen-help.mjs').toBe(full.stdout);
  });

  it('qts with no command prints help on stderr and exits 2', async () => {
    const result = await runQts([], { home: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: qts');
  });
});

describe.concurrent('bad input: one clear line, exit 2, nothing sent', () => {
  const cases: [string, string[], RegExp][] = [
    ['qty 0', ['order', 'buy', '005930', '0', '--price', '70000'], /at least 1/],
    ['qty 1.5', ['order', 'buy', '005930', '1.5', '--price', '70000'], /whole number/],
    ['qty negative', ['order', 'sell', '005930', '-3', '--price', '70000'], /at least 1/],
    ['symbol ABC', ['order', 'buy', 'ABC', '1', '--price', '70000'], /not a KRX code/],
    [
      'price off tick',
      ['order', 'buy', '005930', '1', '--price', '70001'],
      /not on the KRX tick.*70,000 or 70,100/,
    ],
    [
      'both price and market',
      ['order', 'buy', '005930', '1', '--price', '70000', '--market'],
      /not both/,
    ],
    ['neither price nor market', ['order', 'buy', '005930', '1'], /exactly one of --price/],
    ['side', ['order', 'hold', '005930', '1', '--market'], /hold/],
    ['unknown option', ['order', 'buy', '005930', '1', '--market', '--bogus'], /unknown option/i],
    ['missing argument', ['cancel'], /missing required argument/i],
    ['unknown command', ['orderz'], /unknown command/i],
    ['bad --mode', ['--mode', 'live', 'balance'], /--mode must be virtual, paper or real/],
    ['bad --date', ['orders', '--date', '2026-01-05'], /YYYYMMDD/],
    ['modify without change', ['modify', 'x1'], /--price <KRW> and\/or --qty/],
    ['modify qty 0', ['modify', 'x1', '--qty', '0'], /at least 1/],
  ];

  // every case with --json; the first five also as people see them (one line on stderr)
  it.each(cases.map((c, index) => [...c, index < 5] as const))(
    '%s',
    async (_name, args, pattern, human) => {
      const home = tempDir();
      const [people, json] = await Promise.all([
        human ? runQts(args, { home }) : Promise.resolve(null),
        runQts([...args, '--json'], { home }),
      ]);
      if (people !== null) {
        expect(people.code).toBe(2);
        expect(people.stdout).toBe('');
        expect(people.stderr.trim().split('\n'), 'exactly one line').toHaveLength(1);
        expect(people.stderr).toMatch(pattern);
      }
      expect(json.code).toBe(2);
      const body = expectShape(ErrorOnlySchema, onlyJson(json));
      expect(body.error.outcome).toBe('not_placed');
      expect(body.error.message).toMatch(pattern);
    },
  );

  it('flags may stand anywhere (global flags before the command)', async () => {
    const result = await runQts(['--json', 'order', 'buy', '005930', '0', '--price', '70000'], {
      home: tempDir(),
    });
    expect(result.code).toBe(2);
    expectShape(ErrorOnlySchema, onlyJson(result));
  });
});

describe.concurrent('configuration', () => {
  it('paper mode without credentials: one clear line, exit 2', async () => {
    const result = await runQts(['--mode', 'paper', 'balance'], {
      home: tempDir(),
      env: await closedKisEnv(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /Paper mode needs KIS credentials: QTS_KIS_APP_KEY, QTS_KIS_APP_SECRET, QTS_KIS_ACCOUNT are not set\. Set .* or use --mode virtual/,
    );
  });

  it('QTS_MODE=paper is used, and --mode beats it', async () => {
    const home = tempDir();
    const [env, flag] = await Promise.all([
      runQts(['balance', '--json'], {
        home,
        env: { QTS_MODE: 'paper', ...(await closedKisEnv()) },
      }),
      runQts(['orders', '--date', '2026-1-1', '--mode', 'virtual', '--json'], {
        home,
        env: { QTS_MODE: 'paper' },
      }),
    ]);
    expect(env.code).toBe(2);
    expect(expectShape(ErrorOnlySchema, onlyJson(env)).error.code).toBe('CONFIG');
    // virtual mode got past the configuration to the date check
    expect(flag.code).toBe(2);
    expect(expectShape(ErrorOnlySchema, onlyJson(flag)).error.message).toMatch(/YYYYMMDD/);
  });

  it('a malformed account is named, the secret never echoed', async () => {
    const result = await runQts(['--mode', 'paper', 'balance', '--json'], {
      home: tempDir(),
      env: {
        ...(await closedKisEnv()),
        QTS_KIS_APP_KEY: 'PSkey1234567890',
        QTS_KIS_APP_SECRET: 'topsecret-value-123',
        QTS_KIS_ACCOUNT: '1234',
      },
    });
    expect(result.code).toBe(2);
    const body = expectShape(ErrorOnlySchema, onlyJson(result));
    expect(body.error.message).toMatch(/QTS_KIS_ACCOUNT must look like NNNNNNNN-NN/);
    expect(result.stdout + result.stderr).not.toContain('topsecret-value-123');
  });
});

describe.concurrent('real-mode interlock', () => {
  const creds = {
    QTS_KIS_APP_KEY: 'PSinterlockkey0000000000000000000000',
    QTS_KIS_APP_SECRET: 'interlock-secret-value-should-not-leak',
    QTS_KIS_ACCOUNT: '64000000-01',
    // a closed port: if anything were sent, the run would fail with exit 1, not 2
    QTS_KIS_BASE_URL: 'http://127.0.0.1:9',
    QTS_KIS_WS_URL: 'ws://127.0.0.1:9',
  };

  it.each([
    ['balance'],
    ['orders'],
    ['token'],
    ['watch'],
    ['order', 'buy', '005930', '1', '--price', '70000', '--yes'],
    ['cancel', 'abc', '--yes'],
    ['modify', 'abc', '--qty', '1', '--yes'],
  ])('without QTS_ALLOW_REAL every command refuses with exit 2: %s', async (...args) => {
    const home = tempDir();
    const result = await runQts(['--mode', 'real', ...args, '--json'], { home, env: creds });
    expect(result.code).toBe(2);
    const body = expectShape(ErrorOnlySchema, onlyJson(result));
    expect(body.error.code).toBe('REAL_MODE_REFUSED');
    expect(result.stdout + result.stderr + logsOf(home)).not.toContain(creds.QTS_KIS_APP_SECRET);
  });

  it('QTS_MODE=real from the environment is locked too', async () => {
    const result = await runQts(['balance'], {
      home: tempDir(),
      env: { ...creds, QTS_MODE: 'real' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Real mode is locked/);
  });

  it('with QTS_ALLOW_REAL=yes but no terminal and no --yes, an order refuses (exit 2) after the banner', async () => {
    const home = tempDir();
    const result = await runQts(
      ['--mode', 'real', 'order', 'buy', '005930', '2', '--price', '70000'],
      {
        home,
        env: { ...creds, QTS_ALLOW_REAL: 'yes' },
      },
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('REAL');
    expect(result.stderr).toContain('64000000-01');
    expect(result.stderr).toContain('127.0.0.1:9');
    expect(result.stderr).toContain('005930');
    expect(result.stderr).toMatch(/no terminal/);
    expect(result.stdout + result.stderr + logsOf(home)).not.toContain(creds.QTS_KIS_APP_SECRET);
  });
});

describe.concurrent('logs', () => {
  it('writes pino JSON lines under QTS_HOME/logs and --verbose mirrors them on stderr, readable', async () => {
    const home = tempDir();
    const result = await runQts(['order', 'buy', '005930', '0', '--price', '70000', '--verbose'], {
      home,
    });
    expect(result.code).toBe(2);
    const lines = logsOf(home).trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    // pino-pretty: `HH:MM:SS.mmm KST LEVEL: message {fields}`, not raw JSON lines
    expect(result.stderr).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} KST INFO: command start /m);
    expect(result.stderr).not.toContain('"msg":');
    const logged = JSON.parse(lines[0] ?? '{}') as { time: number };
    const shown = /^(\d{2}:\d{2}:\d{2}\.\d{3}) KST INFO: command start/m.exec(result.stderr)?.[1];
    expect(shown).toBe(new Date(logged.time + 9 * 3600_000).toISOString().slice(11, 23));
  });
});
