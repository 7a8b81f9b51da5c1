// The start-up shortcuts, on source: the commander-free argument parser gives commander's own
// result for every command line it accepts, and the plain log writer writes pino's lines with the
// same redaction.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactSecrets as authRedact } from '@qts/auth-phase2';
import { type Command, CommanderError } from 'commander';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseFast } from '../src/fast-args.js';
import { lineLog, redactSecrets, SECRET_PATHS } from '../src/log.js';
import { buildProgram } from '../src/program.js';

interface Parsed {
  readonly name: string;
  readonly args: readonly string[];
  readonly options: Record<string, unknown>;
}

/** What commander hands the command's action, or null when it refuses the line. */
function commanderParse(argv: readonly string[]): Parsed | null {
  const program = buildProgram(() => {});
  let parsed: Parsed | null = null;
  const quiet = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
    if (command.commands.length === 0) {
      command.action((...raw: unknown[]) => {
        const cmd = raw[raw.length - 1] as Command;
        parsed = {
          name: cmd.name(),
          args: cmd.processedArgs.map((arg: unknown) => String(arg)),
          options: { ...cmd.optsWithGlobals() },
        };
      });
    }
    for (const sub of command.commands) quiet(sub);
  };
  quiet(program);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return null;
    throw error;
  }
  return parsed;
}

function fastParse(argv: readonly string[]): Parsed | null {
  const fast = parseFast(argv);
  return fast === null ? null : { name: fast.spec.name, args: fast.args, options: fast.options };
}

const LINES: readonly (readonly string[])[] = [
  ['order', 'buy', '005930', '1', '--price', '70000', '--json'],
  ['order', 'sell', '005930', '5', '--market'],
  ['--mode', 'paper', 'order', 'buy', '005930', '1', '--price', '70000', '-y', '--verbose'],
  [
    'order',
    'buy',
    '005930',
    '1',
    '--price',
    '70,000',
    '--client-order-id',
    'intent-001',
    '--force',
  ],
  ['--json', 'order', '--price', '70000', 'buy', '005930', '1'],
  ['orders'],
  ['orders', '--date', '20260105', '--json'],
  ['cancel', 'o-0mxbcc', '--json'],
  ['modify', '0000012345', '--qty', '3', '--price', '69900'],
  ['balance', '--symbol', '005930', '--price', '70000'],
  ['quote', '005930', '--mode', 'virtual'],
  ['token', '--yes'],
  ['watch', '--json'],
  ['virtual', 'price', '005930', '70000'],
  ['--verbose', 'virtual', 'price', '005930', '70000', '--json'],
];

// Lines the fast parser must leave to commander (help, errors, unusual forms).
const REFUSED: readonly (readonly string[])[] = [
  [],
  ['--help'],
  ['order', '--help'],
  ['order', 'buyy', '005930', '1', '--price', '70000'],
  ['order', 'buy', '005930', '--price', '70000'],
  ['order', 'buy', '005930', '1', '2', '--price', '70000'],
  ['order', 'buy', '005930', '-1', '--price', '70000'],
  ['order', 'buy', '005930', '1', '--price=70000'],
  ['order', 'buy', '005930', '1', '--price', '1', '--price', '2'],
  ['order', 'buy', '005930', '1', '--price'],
  ['order', 'buy', '005930', '1', '--', '--price', '70000'],
  ['order', 'buy', '005930', '1', '--qty', '3'],
  ['--price', '70000', 'order', 'buy', '005930', '1'],
  ['sandbox', '--port', '0'],
  ['virtual'],
  ['virtual', 'prices', '005930', '70000'],
  ['nonsense'],
];

describe('the commander-free parser', () => {
  it.each(LINES)('accepts %j with exactly what commander parses', (...argv) => {
    const fast = fastParse(argv);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(commanderParse(argv));
  });

  it.each(REFUSED)('leaves %j to commander', (...argv) => {
    expect(parseFast(argv)).toBeNull();
  });

  it('agrees with commander on 3,000 generated command lines wherever it accepts one', () => {
    const pool = [
      'order',
      'orders',
      'cancel',
      'modify',
      'balance',
      'quote',
      'token',
      'watch',
      'virtual',
      'price',
      'buy',
      'sell',
      '005930',
      '1',
      '70000',
      '-5',
      '--price',
      '--market',
      '--qty',
      '--symbol',
      '--date',
      '--client-order-id',
      '--force',
      '--json',
      '--verbose',
      '-y',
      '--yes',
      '--mode',
      'paper',
      '--',
      '-h',
    ];
    let seed = 4242;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    let accepted = 0;
    for (let n = 0; n < 3000; n += 1) {
      const argv = Array.from(
        { length: 1 + (next() % 8) },
        () => pool[next() % pool.length] as string,
      );
      const fast = fastParse(argv);
      if (fast === null) continue;
      accepted += 1;
      expect({ argv, parsed: fast }).toEqual({ argv, parsed: commanderParse(argv) });
    }
    expect(accepted).toBeGreaterThan(20);
  });
});

describe('the plain log writer', () => {
  const secret = 'APPSECRET-0123456789';
  const entries: readonly (readonly [Record<string, unknown>, string])[] = [
    [{ command: 'order', argv: ['order', 'buy'], account: null, n: 1 }, 'command start'],
    [{ appSecret: secret, nested: { token: 'tok-abcdef', keep: 'x' } }, 'secrets by key'],
    [
      { headers: { authorization: 'Bearer abcdef' }, request: { approval_key: 'k-123456' } },
      'auth',
    ],
    [{ text: `the secret ${secret} inside` }, `message with ${secret}`],
    [{}, 'no fields'],
  ];

  it('writes the lines pino writes (same keys, values and order, secrets redacted)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'qts-log-'));
    const plainFile = join(folder, 'plain.log');
    const pinoFile = join(folder, 'pino.log');
    const time = 1_796_587_297_700;
    const plain = lineLog(
      plainFile,
      () => [secret],
      () => time,
    );
    const destination = pino.destination({ dest: pinoFile, sync: true });
    const reference = pino(
      {
        level: 'debug',
        base: { pid: process.pid },
        timestamp: () => `,"time":${time}`,
        redact: { paths: SECRET_PATHS, censor: '[redacted]' },
        hooks: { streamWrite: (line: string) => authRedact(line, [secret]) },
      },
      destination,
    );
    for (const [fields, message] of entries) {
      plain.info(fields, message);
      reference.info(fields, message);
    }
    plain.warn({ a: 1 }, 'warn');
    reference.warn({ a: 1 }, 'warn');
    plain.error({ a: 1 }, 'error');
    reference.error({ a: 1 }, 'error');
    plain.debug({ a: 1 }, 'debug');
    reference.debug({ a: 1 }, 'debug');
    destination.flushSync();
    const written = readFileSync(plainFile, 'utf8');
    expect(written).toBe(readFileSync(pinoFile, 'utf8'));
    expect(written).not.toContain(secret);
    expect(written).not.toContain('tok-abcdef');
    expect(written).not.toContain('Bearer');
    expect(written).toContain('"keep":"x"');
  });

  it('redacts secrets as auth-phase2 does', () => {
    const cases: readonly (readonly [string, readonly (string | null | undefined)[]])[] = [
      ['a abcd b abcdef c', ['abcd', 'abcdef']],
      ['short abc stays', ['abc', null, undefined]],
      ['xyzxyzxyz', ['xyzxyz', 'xyz ']],
      ['nothing', []],
    ];
    for (const [text, secrets] of cases) {
      expect(redactSecrets(text, secrets)).toBe(authRedact(text, secrets));
    }
  });
});
