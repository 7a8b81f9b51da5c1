// broker-kis wired to a local KIS sandbox (broker-virtual's startKisSandbox, or any KIS stub on
// 127.0.0.1) through auth-phase2, as the runner wires it: endpoints, credentials, a token cache,
// the transport. The adapter factory is passed in (`createKisOrderAdapter`), so that broker-kis's
// own tests can use this helper with their source while this package depends on auth-phase2 only.
import {
  createFileTokenCache,
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  type KisAuth,
  type KisCredentials,
  type KisEndpoints,
  type KisEnvironment,
  type KisTransport,
  resolveKisEndpoints,
} from '@qts/auth-phase2';

/** What a test needs of a running KIS sandbox (broker-virtual's `KisSandbox` fits). */
export interface SandboxLike {
  readonly environment: KisEnvironment;
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly credentials: {
    readonly appKey: string;
    readonly appSecret: string;
    readonly account: string;
    readonly htsId: string;
  };
}

/**
 * The runner's environment variables for a sandbox (its own mode; real mode is allowed), then
 * `extra` (another QTS_MODE, QTS_KIS_RATE_PER_SEC...).
 */
export function sandboxEnv(
  sandbox: SandboxLike,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    QTS_MODE: sandbox.environment,
    QTS_KIS_BASE_URL: sandbox.baseUrl,
    QTS_KIS_WS_URL: sandbox.wsUrl,
    QTS_KIS_APP_KEY: sandbox.credentials.appKey,
    QTS_KIS_APP_SECRET: sandbox.credentials.appSecret,
    QTS_KIS_ACCOUNT: sandbox.credentials.account,
    QTS_KIS_HTS_ID: sandbox.credentials.htsId,
    ...(sandbox.environment === 'real' || extra.QTS_MODE === 'real'
      ? { QTS_ALLOW_REAL: 'yes' }
      : {}),
    ...extra,
  };
}

/** Where a KIS connection points and with what. */
export interface KisTarget {
  readonly environment: KisEnvironment;
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly account: string;
  readonly htsId?: string;
}

/** Options of a KIS connection. */
export interface KisConnectionOptions {
  /** The transport's request timeout. Default 10 s. */
  readonly timeoutMs?: number;
  /** A file token cache in this folder (as the runner keeps one in QTS_HOME); default in memory. */
  readonly tokenHome?: string;
}

/** auth-phase2's pieces for one KIS target. */
export interface KisConnection {
  readonly endpoints: KisEndpoints;
  readonly credentials: KisCredentials;
  readonly auth: KisAuth;
  readonly transport: KisTransport;
}

/** The target of a running sandbox, optionally with another REST base (a TCP gate, say). */
export function sandboxTarget(
  sandbox: SandboxLike,
  overrides: { baseUrl?: string; htsId?: string } = {},
): KisTarget {
  return {
    environment: sandbox.environment,
    baseUrl: overrides.baseUrl ?? sandbox.baseUrl,
    wsUrl: sandbox.wsUrl,
    ...sandbox.credentials,
    ...(overrides.htsId === undefined ? {} : { htsId: overrides.htsId }),
  };
}

/**
 * The target a child process reads from QTS_KIS_* variables (the names the runner reads);
 * throws naming a missing variable.
 */
export function targetFromEnv(
  environment: KisEnvironment,
  env: Readonly<Record<string, string | undefined>> = process.env,
): KisTarget {
  const get = (name: string): string => {
    const value = env[name];
    if (value === undefined) throw new Error(`${name} is not set`);
    return value;
  };
  return {
    environment,
    baseUrl: get('QTS_KIS_BASE_URL'),
    wsUrl: get('QTS_KIS_WS_URL'),
    appKey: get('QTS_KIS_APP_KEY'),
    appSecret: get('QTS_KIS_APP_SECRET'),
    account: get('QTS_KIS_ACCOUNT'),
    ...(env.QTS_KIS_HTS_ID === undefined ? {} : { htsId: env.QTS_KIS_HTS_ID }),
  };
}

/** Endpoints, credentials, auth (token cache in memory or in `tokenHome`) and transport. */
export function kisConnection(
  target: KisTarget,
  options: KisConnectionOptions = {},
): KisConnection {
  const endpoints = resolveKisEndpoints(target.environment, {
    restBaseUrl: target.baseUrl,
    wsBaseUrl: target.wsUrl,
  });
  const credentials = createKisCredentials({
    appKey: target.appKey,
    appSecret: target.appSecret,
    account: target.account,
    ...(target.htsId === undefined ? {} : { htsId: target.htsId }),
  });
  const auth = createKisAuth({
    endpoints,
    credentials,
    tokenCache:
      options.tokenHome === undefined
        ? createMemoryTokenCache()
        : createFileTokenCache({ home: options.tokenHome }),
  });
  const transport = createKisTransport({
    endpoints,
    credentials,
    auth,
    timeoutMs: options.timeoutMs ?? 10_000,
    ratePerSecond: null,
  });
  return { endpoints, credentials, auth, transport };
}

/** What `createKisOrderAdapter` takes from a connection. */
export interface KisAdapterParts {
  readonly transport: KisTransport;
  readonly auth: KisAuth;
  readonly environment: KisEnvironment;
}

/**
 * A KIS order adapter on `target`, built by `create` (broker-kis's `createKisOrderAdapter`) over
 * `kisConnection`; `extra` goes to `create` as well (a clock, a WebSocket factory).
 */
export function kisAdapterOn<Adapter, Extra extends object = object>(
  create: (options: KisAdapterParts & Extra) => Adapter,
  target: KisTarget,
  options: KisConnectionOptions & { extra?: Extra } = {},
): { adapter: Adapter } & KisConnection {
  const connection = kisConnection(target, options);
  const adapter = create({
    transport: connection.transport,
    auth: connection.auth,
    environment: target.environment,
    ...(options.extra ?? ({} as Extra)),
  });
  return { adapter, ...connection };
}
