// JSON lines to QTS_HOME/logs/qts-YYYYMMDD.log (Seoul date), in pino's format
// (`{"level":30,"time":...,"pid":...,<fields>,"msg":...}`); --verbose also to stderr, made
// readable by pino-pretty.
// A plain run writes its lines with one synchronous append each (`lineLog`): a one-command
// process does not need pino, whose loading (pino, multistream, sonic-boom) cost about 20 ms of CPU
// per command. --verbose keeps pino with pino-pretty for the readable stderr lines.
// Secrets never appear: known secret keys are redacted, and every line passes through
// `redactSecrets` with the secrets of this run before it is written.
import { mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { seoulDate, seoulTime } from '@qts/order-contract';

/** The logger commands use (a pino logger's subset). */
export interface Log {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  /** The log file. */
  readonly file: string;
  /** Flushes what is buffered. */
  flush(): void;
}

/** Key names whose values are secret wherever they appear. */
export const SECRET_PATHS = [
  'appSecret',
  'appsecret',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'approvalKey',
  'approval_key',
  'authorization',
  '*.appSecret',
  '*.appsecret',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.approvalKey',
  '*.approval_key',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

/** Seoul wall-clock time `HH:MM:SS.mmm KST` of a time (for --verbose lines). */
export function seoulClock(time: number): string {
  if (Number.isNaN(time)) return '-';
  const clock = seoulTime(new Date(time));
  const ms = String(((time % 1000) + 1000) % 1000).padStart(3, '0');
  return `${clock.slice(0, 2)}:${clock.slice(2, 4)}:${clock.slice(4)}.${ms} KST`;
}

/** The secret key names of SECRET_PATHS (redacted at any depth by the line writer). */
const SECRET_KEYS = new Set(
  SECRET_PATHS.map((path) => path.split('.').at(-1) as string).filter((key) => key !== '*'),
);

/**
 * Replaces every occurrence of each secret (at least 4 characters, longest first) with
 * `[redacted]`: the rule of auth-phase2's `redactSecrets` (a test keeps them equal), here so a
 * virtual run does not load auth-phase2 for its logs.
 */
export function redactSecrets(
  text: string,
  secrets: readonly (string | null | undefined)[],
): string {
  let result = text;
  const sorted = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) {
    if (result.includes(secret)) result = result.split(secret).join('[redacted]');
  }
  return result;
}

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A JSON-safe copy: secret keys censored, errors as {type, message, stack}, cycles cut. */
function clean(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (value instanceof Error) {
    return { type: value.name, message: value.message, stack: value.stack };
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  ancestors.push(value);
  let copy: unknown;
  if (Array.isArray(value)) {
    copy = value.map((item) => clean(item, ancestors));
  } else {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEYS.has(key) ? '[redacted]' : clean(item, ancestors);
    }
    copy = out;
  }
  ancestors.pop();
  return copy;
}

/** The fields as JSON members (without the braces), '' when there are none. */
function fieldsJson(fields: Record<string, unknown>): string {
  const text = JSON.stringify(clean(fields, []));
  return text === undefined || text === '{}' ? '' : text.slice(1, -1);
}

/**
 * The run's log without pino: each entry is one JSON line in pino's format, appended with one
 * synchronous write (nothing to flush, nothing lost at exit).
 */
export function lineLog(
  file: string,
  secrets: () => readonly (string | null | undefined)[],
  now: () => number = Date.now,
): Log {
  const fd = openSync(file, 'a', 0o600);
  const write =
    (level: keyof typeof LEVELS) => (fields: Record<string, unknown>, message: string) => {
      const inner = fieldsJson(fields);
      const line = `{"level":${LEVELS[level]},"time":${now()},"pid":${process.pid}${inner === '' ? '' : `,${inner}`},"msg":${JSON.stringify(message)}}\n`;
      try {
        writeSync(fd, redactSecrets(line, secrets()));
      } catch {
        // A full disk or a closed file must not break the command; the log is best effort.
      }
    };
  return {
    file,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    flush() {},
  };
}

/** The log file of a run started at `time`: QTS_HOME/logs/qts-YYYYMMDD.log (Seoul date). */
export function logFileOf(home: string, time: number): string {
  const folder = join(home, 'logs');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return join(folder, `qts-${seoulDate(new Date(time))}.log`);
}

/**
 * Creates the run's logger. `secrets()` is read at each write, so secrets learned later (a
 * token) are redacted too.
 */
export async function createLog(options: {
  home: string;
  verbose: boolean;
  secrets: () => readonly (string | null | undefined)[];
}): Promise<Log> {
  const file = logFileOf(options.home, Date.now());
  if (!options.verbose) return lineLog(file, options.secrets);
  const [{ pino }, pretty] = await Promise.all([import('pino'), import('pino-pretty')]);
  const fileStream = pino.destination({ dest: file, sync: true, mkdir: true, mode: 0o600 });
  // --verbose: the same lines, readable (pino-pretty, synchronous: no worker thread and
  // nothing lost at exit), times in Seoul like everything else the CLI shows.
  const colorize = process.stderr.isTTY === true && process.env.NO_COLOR === undefined;
  const streams = [
    { level: 'debug', stream: fileStream },
    {
      level: 'debug',
      stream: pretty.default({
        destination: 2,
        sync: true,
        colorize,
        singleLine: true,
        ignore: 'pid,hostname',
        translateTime: false,
        customPrettifiers: {
          time: (value) => seoulClock(typeof value === 'number' ? value : Number(value)),
        },
      }),
    },
  ];
  const logger = pino(
    {
      level: 'debug',
      base: { pid: process.pid },
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
      hooks: {
        streamWrite: (line: string) => redactSecrets(line, options.secrets()),
      },
    },
    pino.multistream(streams as never),
  );
  return {
    file,
    debug: (fields, message) => logger.debug(fields, message),
    info: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(fields, message),
    flush: () => {
      fileStream.flushSync();
    },
  };
}

/** A logger that drops everything (before the real one exists). */
export const silentLog: Log = {
  file: '',
  debug() {},
  info() {},
  warn() {},
  error() {},
  flush() {},
};
