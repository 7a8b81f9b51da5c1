// pino JSON logs to QTS_HOME/logs/qts-YYYYMMDD.log (Seoul date); --verbose also to stderr,
// made readable by pino-pretty.
// Secrets never appear: known secret paths are redacted by pino, and every line passes through
// auth-phase2's redactSecrets with the secrets of this run before it is written.
import { mkdirSync } from 'node:fs';
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

/**
 * Creates the run's logger. `secrets()` is read at each write, so secrets learned later (a
 * token) are redacted too.
 */
export async function createLog(options: {
  home: string;
  verbose: boolean;
  secrets: () => readonly (string | null | undefined)[];
}): Promise<Log> {
  const [{ pino }, { redactSecrets }, pretty] = await Promise.all([
    import('pino'),
    import('@qts/auth-phase2'),
    options.verbose ? import('pino-pretty') : null,
  ]);
  const folder = join(options.home, 'logs');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, `qts-${seoulDate()}.log`);
  const fileStream = pino.destination({ dest: file, sync: true, mkdir: true, mode: 0o600 });
  const streams: { level: 'debug' | 'info'; stream: NodeJS.WritableStream | typeof fileStream }[] =
    [{ level: 'debug', stream: fileStream }];
  if (pretty !== null) {
    // --verbose: the same lines, readable (pino-pretty, synchronous: no worker thread and
    // nothing lost at exit), times in Seoul like everything else the CLI shows.
    const colorize = process.stderr.isTTY === true && process.env.NO_COLOR === undefined;
    streams.push({
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
    });
  }
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
