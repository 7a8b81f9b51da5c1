import { KisConfigError } from './errors.js';

/** The KIS environment: `real` (실전) or `paper` (모의투자). */
export type KisEnvironment = 'real' | 'paper';

/** Where one KIS environment lives. Everything derives from `environment`. */
export interface KisEndpoints {
  /** The environment these endpoints belong to. */
  readonly environment: KisEnvironment;
  /** REST base URL, without a trailing slash (e.g. `https://openapi.koreainvestment.com:9443`). */
  readonly restBaseUrl: string;
  /** WebSocket base URL, without a trailing slash (e.g. `ws://ops.koreainvestment.com:21000`). */
  readonly wsBaseUrl: string;
  /** `host:port` of `restBaseUrl` (default port filled in); keys the token files. */
  readonly host: string;
}

/** The official base URLs of each environment (docs/kis-protocol.md §1). */
export const kisDefaultEndpoints: Readonly<
  Record<KisEnvironment, { readonly restBaseUrl: string; readonly wsBaseUrl: string }>
> = Object.freeze({
  real: Object.freeze({
    restBaseUrl: 'https://openapi.koreainvestment.com:9443',
    wsBaseUrl: 'ws://ops.koreainvestment.com:21000',
  }),
  paper: Object.freeze({
    restBaseUrl: 'https://openapivts.koreainvestment.com:29443',
    wsBaseUrl: 'ws://ops.koreainvestment.com:31000',
  }),
});

/** True when `value` is `real` or `paper`. */
export function isKisEnvironment(value: unknown): value is KisEnvironment {
  return value === 'real' || value === 'paper';
}

function assertEnvironment(environment: unknown): asserts environment is KisEnvironment {
  if (!isKisEnvironment(environment)) {
    throw new KisConfigError(`Unknown KIS environment ${JSON.stringify(environment)}`, {
      field: 'environment',
    });
  }
}

function normalizeUrl(
  value: string,
  protocols: readonly string[],
  field: string,
): { url: string; host: string } {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new KisConfigError(`${field} is not a URL: ${JSON.stringify(value)}`, { field });
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new KisConfigError(`${field} must use ${protocols.join(' or ')}: ${parsed.protocol}`, {
      field,
    });
  }
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash) {
    throw new KisConfigError(`${field} must not carry credentials, a query or a fragment`, {
      field,
    });
  }
  const defaultPort = parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? '443' : '80';
  const port = parsed.port === '' ? defaultPort : parsed.port;
  const url = `${parsed.protocol}//${parsed.host}${parsed.pathname}`.replace(/\/+$/, '');
  return { url, host: `${parsed.hostname}:${port}` };
}

/**
 * Resolves the endpoints of an environment; overrides (stubs, the sandbox) replace the
 * defaults. Throws KisConfigError on an unknown environment or a malformed URL.
 */
export function resolveKisEndpoints(
  environment: KisEnvironment,
  overrides?: { restBaseUrl?: string | undefined; wsBaseUrl?: string | undefined },
): KisEndpoints {
  assertEnvironment(environment);
  const defaults = kisDefaultEndpoints[environment];
  const rest = normalizeUrl(
    overrides?.restBaseUrl?.trim() || defaults.restBaseUrl,
    ['http:', 'https:'],
    'restBaseUrl',
  );
  const ws = normalizeUrl(
    overrides?.wsBaseUrl?.trim() || defaults.wsBaseUrl,
    ['ws:', 'wss:'],
    'wsBaseUrl',
  );
  return Object.freeze({
    environment,
    restBaseUrl: rest.url,
    wsBaseUrl: ws.url,
    host: rest.host,
  });
}

/**
 * The TR id to send in `environment`: paper ids are the real id with a leading T, J or C
 * replaced by V (e.g. TTTC0012U becomes VTTC0012U); other ids and real mode are unchanged.
 */
export function kisTrId(environment: KisEnvironment, realTrId: string): string {
  assertEnvironment(environment);
  if (!/^[A-Z0-9]{4,20}$/.test(realTrId)) {
    throw new KisConfigError(`Malformed TR id ${JSON.stringify(realTrId)}`, { field: 'trId' });
  }
  if (environment === 'paper' && /^[TJC]/.test(realTrId)) {
    return `V${realTrId.slice(1)}`;
  }
  return realTrId;
}

/** Default REST rate limit (requests per second): real 18, paper 1 (KIS notice 2026-04-20). */
export function defaultKisRatePerSecond(environment: KisEnvironment): number {
  assertEnvironment(environment);
  return environment === 'real' ? 18 : 1;
}
