// Configuration: global flags and QTS_* environment variables, validated with valibot.
// A flag beats its environment variable.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import * as v from 'valibot';
import { configFailure } from './failure.js';

/** The three modes of the CLI. */
export const MODES = ['virtual', 'paper', 'real'] as const;
/** A mode. */
export type Mode = (typeof MODES)[number];

/** Global flags, as parsed (anywhere on the command line). */
export interface GlobalFlags {
  readonly mode?: string | undefined;
  readonly json?: boolean | undefined;
  readonly verbose?: boolean | undefined;
  readonly yes?: boolean | undefined;
}

/** KIS settings (paper and real). */
export interface KisSettings {
  readonly appKey: string;
  readonly appSecret: string;
  readonly account: string;
  readonly htsId: string | undefined;
  readonly baseUrl: string | undefined;
  readonly wsUrl: string | undefined;
}

/** The resolved configuration of one run. */
export interface Config {
  readonly mode: Mode;
  readonly home: string;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly yes: boolean;
  readonly allowReal: boolean;
  readonly timeoutMs: number | undefined;
  /** Requests per second; null = off; undefined = the environment's default. */
  readonly ratePerSecond: number | null | undefined;
  /** Present in paper and real mode; undefined in virtual mode when nothing is set. */
  readonly kis: KisSettings | undefined;
  /** Virtual mode outside KRX hours: `ignore` (fill, with a note) or `enforce` (refuse). */
  readonly marketHours: 'ignore' | 'enforce';
}

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * An optional environment variable: unset or blank means undefined; otherwise the trimmed text
 * must pass `schema` (which may transform it).
 */
function optionalEnv<TOutput>(
  schema: v.GenericSchema<string, TOutput>,
): v.GenericSchema<unknown, TOutput | undefined> {
  return v.optional(
    v.pipe(
      v.unknown(),
      v.transform(blankToUndefined),
      v.optional(v.pipe(v.string(), v.trim(), schema)),
    ),
  );
}

const optionalString = optionalEnv(v.string());

const EnvSchema = v.object({
  QTS_MODE: optionalEnv(
    v.picklist(MODES, 'QTS_MODE must be virtual, paper or real (e.g. QTS_MODE=paper)'),
  ),
  QTS_HOME: optionalString,
  QTS_KIS_APP_KEY: optionalString,
  QTS_KIS_APP_SECRET: optionalString,
  QTS_KIS_ACCOUNT: optionalEnv(
    v.pipe(
      v.string(),
      v.regex(
        /^\d{8}-\d{2}$/,
        'QTS_KIS_ACCOUNT must look like NNNNNNNN-NN (8 digits, a dash, 2 digits), e.g. 50123456-01',
      ),
    ),
  ),
  QTS_KIS_HTS_ID: optionalString,
  QTS_KIS_BASE_URL: optionalEnv(
    v.pipe(
      v.string(),
      v.url('QTS_KIS_BASE_URL must be a URL, e.g. http://127.0.0.1:8080'),
      v.regex(/^https?:\/\//, 'QTS_KIS_BASE_URL must start with http:// or https://'),
    ),
  ),
  QTS_KIS_WS_URL: optionalEnv(
    v.pipe(
      v.string(),
      v.url('QTS_KIS_WS_URL must be a URL, e.g. ws://127.0.0.1:8080'),
      v.regex(/^wss?:\/\//, 'QTS_KIS_WS_URL must start with ws:// or wss://'),
    ),
  ),
  QTS_KIS_TIMEOUT_MS: optionalEnv(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, 'QTS_KIS_TIMEOUT_MS must be a whole number of milliseconds, e.g. 10000'),
      v.transform(Number),
      v.minValue(1, 'QTS_KIS_TIMEOUT_MS must be at least 1'),
      v.maxValue(600_000, 'QTS_KIS_TIMEOUT_MS must be at most 600000 (10 minutes)'),
    ),
  ),
  QTS_KIS_RATE_PER_SEC: optionalEnv(
    v.pipe(
      v.string(),
      v.regex(
        /^(off|\d+(\.\d+)?)$/,
        'QTS_KIS_RATE_PER_SEC must be a number of requests per second (e.g. 1) or "off"',
      ),
      v.transform((text): number | null =>
        text === 'off' || Number(text) === 0 ? null : Number(text),
      ),
    ),
  ),
  QTS_ALLOW_REAL: optionalString,
  QTS_MARKET_HOURS: optionalEnv(
    v.picklist(
      ['enforce', 'ignore'],
      'QTS_MARKET_HOURS must be enforce (virtual mode refuses orders outside KRX hours) or ignore',
    ),
  ),
});

/** Parses `--mode`; undefined when not given. Throws a usage failure (exit 2) otherwise. */
export function parseModeFlag(value: string | undefined): Mode | undefined {
  if (value === undefined) return undefined;
  if ((MODES as readonly string[]).includes(value)) return value as Mode;
  throw configFailure(
    `--mode must be virtual, paper or real (got ${JSON.stringify(value)}).`,
    'Use --mode virtual (default, no account), --mode paper or --mode real.',
  );
}

/** Resolves flags and environment into a config. Throws a CliFailure (exit 2) on bad input. */
export function loadConfig(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv = process.env,
  options: { readonly requireKis?: boolean } = {},
): Config {
  const parsed = v.safeParse(EnvSchema, {
    QTS_MODE: env.QTS_MODE,
    QTS_HOME: env.QTS_HOME,
    QTS_KIS_APP_KEY: env.QTS_KIS_APP_KEY,
    QTS_KIS_APP_SECRET: env.QTS_KIS_APP_SECRET,
    QTS_KIS_ACCOUNT: env.QTS_KIS_ACCOUNT,
    QTS_KIS_HTS_ID: env.QTS_KIS_HTS_ID,
    QTS_KIS_BASE_URL: env.QTS_KIS_BASE_URL,
    QTS_KIS_WS_URL: env.QTS_KIS_WS_URL,
    QTS_KIS_TIMEOUT_MS: env.QTS_KIS_TIMEOUT_MS,
    QTS_KIS_RATE_PER_SEC: env.QTS_KIS_RATE_PER_SEC,
    QTS_ALLOW_REAL: env.QTS_ALLOW_REAL,
    QTS_MARKET_HOURS: env.QTS_MARKET_HOURS,
  });
  const flagMode = parseModeFlag(flags.mode);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw configFailure(
      `Invalid configuration: ${issue.message}.`,
      'Fix or unset the environment variable named in the message.',
    );
  }
  const e = parsed.output;
  const mode: Mode = flagMode ?? e.QTS_MODE ?? 'virtual';
  const home = resolve(e.QTS_HOME ?? join(homedir(), '.qts'));
  let kis: KisSettings | undefined;
  if (mode !== 'virtual' && options.requireKis !== false) {
    const missing = [
      e.QTS_KIS_APP_KEY === undefined ? 'QTS_KIS_APP_KEY' : null,
      e.QTS_KIS_APP_SECRET === undefined ? 'QTS_KIS_APP_SECRET' : null,
      e.QTS_KIS_ACCOUNT === undefined ? 'QTS_KIS_ACCOUNT' : null,
    ].filter((name): name is string => name !== null);
    if (missing.length > 0) {
      throw configFailure(
        `${mode === 'paper' ? 'Paper' : 'Real'} mode needs KIS credentials: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set.`,
        mode === 'paper'
          ? 'Set QTS_KIS_APP_KEY, QTS_KIS_APP_SECRET and QTS_KIS_ACCOUNT (NNNNNNNN-NN) from your KIS paper account, or try it offline: run `qts sandbox` and export the lines it prints; or use --mode virtual.'
          : 'Set QTS_KIS_APP_KEY, QTS_KIS_APP_SECRET and QTS_KIS_ACCOUNT (NNNNNNNN-NN) of your real KIS account.',
      );
    }
    kis = {
      appKey: e.QTS_KIS_APP_KEY!,
      appSecret: e.QTS_KIS_APP_SECRET!,
      account: e.QTS_KIS_ACCOUNT!,
      htsId: e.QTS_KIS_HTS_ID,
      baseUrl: e.QTS_KIS_BASE_URL,
      wsUrl: e.QTS_KIS_WS_URL,
    };
  }
  return {
    mode,
    home,
    json: flags.json === true,
    verbose: flags.verbose === true,
    yes: flags.yes === true,
    allowReal: e.QTS_ALLOW_REAL === 'yes',
    timeoutMs: e.QTS_KIS_TIMEOUT_MS,
    ratePerSecond: e.QTS_KIS_RATE_PER_SEC,
    kis,
    marketHours: e.QTS_MARKET_HOURS ?? 'ignore',
  };
}

/** First 16 hex chars of sha256(appKey): keys state without revealing the key. */
export function appKeyHash(appKey: string): string {
  return createHash('sha256').update(appKey, 'utf8').digest('hex').slice(0, 16);
}

/**
 * The folder of one broker identity's state (token cache and journal): keyed by mode, broker
 * host, account and app-key hash, so paper and real (or a sandbox run with --mode real) never
 * share a token file or a journal.
 */
export function stateFolder(config: Config, host: string): string {
  if (config.mode === 'virtual' || config.kis === undefined) return join(config.home, 'virtual');
  const safeHost = host.replace(/[^A-Za-z0-9.-]/g, '_');
  const account = config.kis.account.replace(/[^0-9]/g, '');
  return join(
    config.home,
    'kis',
    `${config.mode}-${safeHost}-${account}-${appKeyHash(config.kis.appKey)}`,
  );
}

/** All secrets of a config, for redaction. */
export function secretsOf(config: Config | undefined): string[] {
  if (config?.kis === undefined) return [];
  return [config.kis.appSecret];
}
