import { createKisCredentials, type KisCredentials } from './credentials.js';
import { type KisEndpoints, type KisEnvironment, resolveKisEndpoints } from './environment.js';
import { KisConfigError } from './errors.js';

/** What the runner needs from `QTS_KIS_*` environment values. */
export interface KisEnvConfig {
  /** Endpoints with QTS_KIS_BASE_URL / QTS_KIS_WS_URL applied. */
  readonly endpoints: KisEndpoints;
  /** From QTS_KIS_APP_KEY, QTS_KIS_APP_SECRET, QTS_KIS_ACCOUNT, QTS_KIS_HTS_ID. */
  readonly credentials: KisCredentials;
  /** QTS_KIS_TIMEOUT_MS, or undefined (use the default). */
  readonly timeoutMs: number | undefined;
  /** QTS_KIS_RATE_PER_SEC: a number, null for `off`/`0`, or undefined (use the default). */
  readonly ratePerSecond: number | null | undefined;
}

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    throw new KisConfigError(`${name} is not set`, { field: name });
  }
  return value;
}

function optional(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads KIS settings from environment values (e.g. `process.env`). Throws KisConfigError naming
 * the variable (never its secret value).
 */
export function kisConfigFromEnv(
  environment: KisEnvironment,
  env: Readonly<Record<string, string | undefined>>,
): KisEnvConfig {
  const endpoints = resolveKisEndpoints(environment, {
    restBaseUrl: optional(env, 'QTS_KIS_BASE_URL'),
    wsBaseUrl: optional(env, 'QTS_KIS_WS_URL'),
  });
  let credentials: KisCredentials;
  try {
    credentials = createKisCredentials({
      appKey: required(env, 'QTS_KIS_APP_KEY'),
      appSecret: required(env, 'QTS_KIS_APP_SECRET'),
      account: required(env, 'QTS_KIS_ACCOUNT'),
      htsId: optional(env, 'QTS_KIS_HTS_ID'),
    });
  } catch (error) {
    if (
      error instanceof KisConfigError &&
      error.field !== null &&
      !error.field.startsWith('QTS_')
    ) {
      const names: Record<string, string> = {
        appKey: 'QTS_KIS_APP_KEY',
        appSecret: 'QTS_KIS_APP_SECRET',
        account: 'QTS_KIS_ACCOUNT',
        htsId: 'QTS_KIS_HTS_ID',
      };
      const name = names[error.field] ?? error.field;
      throw new KisConfigError(`${name}: ${error.message}`, { field: name });
    }
    throw error;
  }
  const timeoutText = optional(env, 'QTS_KIS_TIMEOUT_MS');
  let timeoutMs: number | undefined;
  if (timeoutText !== undefined) {
    timeoutMs = Number(timeoutText);
    if (!/^\d+$/.test(timeoutText) || timeoutMs <= 0) {
      throw new KisConfigError(`QTS_KIS_TIMEOUT_MS must be a positive integer (ms)`, {
        field: 'QTS_KIS_TIMEOUT_MS',
      });
    }
  }
  const rateText = optional(env, 'QTS_KIS_RATE_PER_SEC');
  let ratePerSecond: number | null | undefined;
  if (rateText !== undefined) {
    if (rateText === 'off' || Number(rateText) === 0) {
      ratePerSecond = null;
    } else {
      ratePerSecond = Number(rateText);
      if (!/^\d+(\.\d+)?$/.test(rateText) || !(ratePerSecond > 0)) {
        throw new KisConfigError(`QTS_KIS_RATE_PER_SEC must be a positive number or "off"`, {
          field: 'QTS_KIS_RATE_PER_SEC',
        });
      }
    }
  }
  return { endpoints, credentials, timeoutMs, ratePerSecond };
}
