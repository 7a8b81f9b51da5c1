import * as v from 'valibot';
import type { KisCredentials } from './credentials.js';
import type { KisEndpoints, KisEnvironment } from './environment.js';
import { KisAuthError, KisConfigError, KisError, KisTransportError } from './errors.js';
import { createHttpSend, type HttpAnswer, type KisFetch } from './http.js';
import { type KisSleep, realSleep } from './rate-limiter.js';
import { createSafeLogger, type KisLogger, redactSecrets } from './redact.js';
import type {
  CachedAccessToken,
  TokenCache,
  TokenCacheKey,
  TokenCacheRecord,
} from './token-cache.js';
import {
  ApprovalResponseSchema,
  parseJson,
  parseKstDateTime,
  RevokeResponseSchema,
  TokenErrorSchema,
  TokenResponseSchema,
} from './wire.js';

/** What `qts token` shows. Never the token itself. Times are ISO 8601 (UTC). */
export interface KisTokenStatus {
  /** The environment of the token. */
  readonly environment: KisEnvironment;
  /** `host:port` the token was issued by. */
  readonly host: string;
  /** When KIS says the token expires. */
  readonly expiresAt: string;
  /** When it was issued. */
  readonly issuedAt: string;
  /** When it was written to the cache. */
  readonly cachedAt: string;
  /** The cache file, or null for a memory cache. */
  readonly file: string | null;
}

/** Tokens and approval keys of one (environment, host, app key). */
export interface KisAuth {
  /** A valid access token: cached, single-flight, at most one issuance a minute. */
  getAccessToken(options?: { signal?: AbortSignal | undefined }): Promise<string>;
  /** Drops `token` from memory and from the cache (when it is still the cached one). */
  invalidateToken(token: string): Promise<void>;
  /** The cached token's status, or null when there is none. Never the token. */
  tokenStatus(): Promise<KisTokenStatus | null>;
  /** Revokes the cached token at KIS (`/oauth2/revokeP`) and drops it. No-op without one. */
  revokeToken(options?: { signal?: AbortSignal | undefined }): Promise<void>;
  /** The WebSocket approval key (`/oauth2/Approval`), cached. */
  getApprovalKey(options?: { signal?: AbortSignal | undefined }): Promise<string>;
  /** The endpoints this auth issues tokens for (lets a transport refuse a mismatch). */
  readonly endpoints?: KisEndpoints;
  /** The credentials this auth uses. */
  readonly credentials?: KisCredentials;
}

/** Options of createKisAuth. */
export interface KisAuthOptions {
  /** Endpoints of the environment (host and token file key derive from them). */
  endpoints: KisEndpoints;
  /** Credentials of the same environment. */
  credentials: KisCredentials;
  /** Where tokens live (createFileTokenCache for sharing between processes). */
  tokenCache: TokenCache;
  /** Deadline of each token/approval request in ms (default 10 000). */
  timeoutMs?: number | undefined;
  /** Epoch-ms clock (default Date.now). */
  clock?: (() => number) | undefined;
  /** Log hook; never sees secrets. */
  logger?: KisLogger | undefined;
  /** Inside the one-issuance-a-minute window: `wait` (default) or `fail` with KisAuthError. */
  issuance?: 'wait' | 'fail' | undefined;
  /** Refresh a token when less than this remains (default 10 min). */
  refreshMarginMs?: number | undefined;
  /** Minimum spacing of token issuances per app key and host (default 60 000). */
  issuanceIntervalMs?: number | undefined;
  /** Connect timeout in ms (default min(3000, timeoutMs)). */
  connectTimeoutMs?: number | undefined;
  /** Reuse an approval key for at most this long (default 12 h). */
  approvalKeyMaxAgeMs?: number | undefined;
  /** fetch to use instead of undici's (e.g. globalThis.fetch under msw). */
  fetch?: KisFetch | undefined;
  /** Sleep used while waiting for the issuance window (tests pair it with `clock`). */
  sleep?: KisSleep | undefined;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;
const EXPIRY_FLOOR_MS = 60_000;

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new KisConfigError(`${field} must be a positive number, got ${value}`, { field });
  }
  return value;
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function abortError(): KisTransportError {
  return new KisTransportError('Aborted before sending', { phase: 'not-sent', reason: 'aborted' });
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The token cache behind each KisAuth this package made (internal: the transport paces by it). */
const authTokenCaches = new WeakMap<object, TokenCache>();

/** The token cache of an auth made by createKisAuth, or null for any other object. */
export function tokenCacheOfAuth(auth: object): TokenCache | null {
  return authTokenCaches.get(auth) ?? null;
}

/** Creates the token and approval-key manager of one environment, host and app key. */
export function createKisAuth(options: KisAuthOptions): KisAuth {
  const { endpoints, credentials, tokenCache } = options;
  if (endpoints === undefined || credentials === undefined || tokenCache === undefined) {
    throw new KisConfigError('createKisAuth needs endpoints, credentials and tokenCache');
  }
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = positive(options.timeoutMs, 10_000, 'timeoutMs');
  const connectTimeoutMs = positive(
    options.connectTimeoutMs,
    Math.min(3_000, timeoutMs),
    'connectTimeoutMs',
  );
  const refreshMarginMs = options.refreshMarginMs ?? 10 * 60_000;
  const issuanceIntervalMs = options.issuanceIntervalMs ?? 60_000;
  const approvalKeyMaxAgeMs = options.approvalKeyMaxAgeMs ?? 12 * 3_600_000;
  const issuance = options.issuance ?? 'wait';
  if (issuance !== 'wait' && issuance !== 'fail') {
    throw new KisConfigError(`issuance must be 'wait' or 'fail'`, { field: 'issuance' });
  }
  const key: TokenCacheKey = {
    environment: endpoints.environment,
    host: endpoints.host,
    appKeyHash: credentials.appKeyHash,
  };
  const secrets = new Set<string>([credentials.appSecret]);
  const known = () => [...secrets];
  const log = createSafeLogger(options.logger, known);
  const redact = (text: string) => redactSecrets(text, known());
  const send = createHttpSend({
    baseUrl: endpoints.restBaseUrl,
    timeoutMs,
    connectTimeoutMs,
    fetch: options.fetch,
  });
  const base = { environment: endpoints.environment, host: endpoints.host };

  let current: CachedAccessToken | null = null;
  let approval: { approvalKey: string; issuedAt: number } | null = null;
  let inFlight: Promise<string> | null = null;

  const remember = (token: CachedAccessToken | null) => {
    current = token;
    if (token !== null) secrets.add(token.token);
  };
  const usable = (token: CachedAccessToken, now: number) => token.expiresAt - refreshMarginMs > now;
  const stillValid = (token: CachedAccessToken, now: number) =>
    token.expiresAt - EXPIRY_FLOOR_MS > now;

  async function post(path: string, body: Record<string, string>): Promise<HttpAnswer> {
    try {
      return await send({
        method: 'POST',
        path,
        headers: JSON_HEADERS,
        body: JSON.stringify(body),
      });
    } catch (error) {
      if (error instanceof KisTransportError) {
        throw new KisAuthError(`${path} failed: ${redact(error.message)}`, { cause: error });
      }
      throw error;
    }
  }

  function endpointError(
    path: string,
    answer: HttpAnswer,
    json: unknown,
    now: number,
  ): KisAuthError {
    const parsed = v.safeParse(TokenErrorSchema, json);
    if (parsed.success) {
      const errorCode = parsed.output.error_code;
      const errorDescription =
        parsed.output.error_description === undefined
          ? null
          : redact(parsed.output.error_description);
      const retryAt = errorCode === 'EGW00133' ? iso(now + issuanceIntervalMs) : null;
      return new KisAuthError(
        `KIS refused ${path}: ${errorCode}${errorDescription === null ? '' : ` ${errorDescription}`}${retryAt === null ? '' : `; retry after ${retryAt}`}`,
        { errorCode, errorDescription, retryAt, httpStatus: answer.status },
      );
    }
    return new KisAuthError(`${path} answered HTTP ${answer.status} without a usable body`, {
      httpStatus: answer.status,
    });
  }

  async function issueToken(): Promise<CachedAccessToken> {
    const started = clock();
    log({ level: 'info', message: 'issuing KIS access token', ...base });
    const answer = await post('/oauth2/tokenP', {
      grant_type: 'client_credentials',
      appkey: credentials.appKey,
      appsecret: credentials.appSecret,
    });
    const now = clock();
    const json = parseJson(answer.text);
    const parsed = v.safeParse(TokenResponseSchema, json);
    if (!parsed.success || answer.status >= 300) {
      const error = endpointError('/oauth2/tokenP', answer, json, now);
      log({
        level: 'error',
        message: 'token issuance refused',
        ...base,
        httpStatus: answer.status,
        errorCode: error.errorCode,
      });
      throw error;
    }
    secrets.add(parsed.output.access_token);
    const expiresAt = parseKstDateTime(parsed.output.access_token_token_expired);
    if (expiresAt === null || expiresAt <= now) {
      throw new KisAuthError(
        `/oauth2/tokenP returned an unusable expiry ${JSON.stringify(parsed.output.access_token_token_expired)}`,
        { httpStatus: answer.status },
      );
    }
    log({
      level: 'info',
      message: 'issued KIS access token',
      ...base,
      expiresAt: iso(expiresAt),
      durationMs: now - started,
    });
    return { token: parsed.output.access_token, expiresAt, issuedAt: now, cachedAt: now };
  }

  type Outcome =
    | { kind: 'token'; token: CachedAccessToken }
    | { kind: 'wait'; until: number }
    | { kind: 'error'; error: unknown };

  async function attempt(): Promise<Outcome> {
    // A usable token on disk needs no lock: the cache replaces its file atomically, so a read
    // sees a whole record, old or new. Only an issuance (or the wait for one) is decided under
    // the lock, so many processes starting at once do not queue on it just to read the token.
    const unlocked = await tokenCache.get(key).catch(() => null);
    const ready = unlocked?.accessToken ?? null;
    if (ready !== null && usable(ready, clock())) return { kind: 'token', token: ready };
    return tokenCache.withLock(key, async () => {
      const now = clock();
      const record: TokenCacheRecord | null = await tokenCache.get(key);
      const cached = record?.accessToken ?? null;
      if (cached !== null && usable(cached, now)) {
        return { kind: 'token', token: cached };
      }
      const last = record?.lastIssuedAt ?? null;
      if (last !== null && now < last + issuanceIntervalMs && last <= now + issuanceIntervalMs) {
        if (cached !== null && stillValid(cached, now)) {
          return { kind: 'token', token: cached };
        }
        return { kind: 'wait', until: last + issuanceIntervalMs };
      }
      // Remember the attempt on disk first: a crash during the call still counts as an issuance.
      const approvalKey = record?.approvalKey ?? null;
      await tokenCache.put(key, { accessToken: cached, lastIssuedAt: now, approvalKey });
      try {
        const token = await issueToken();
        await tokenCache.put(key, { accessToken: token, lastIssuedAt: now, approvalKey });
        return { kind: 'token', token };
      } catch (error) {
        const notSent =
          error instanceof KisAuthError &&
          error.cause instanceof KisTransportError &&
          error.cause.phase === 'not-sent';
        if (notSent) {
          await tokenCache.put(key, { accessToken: cached, lastIssuedAt: last, approvalKey });
        }
        return { kind: 'error', error };
      }
    });
  }

  async function obtain(): Promise<string> {
    for (;;) {
      const outcome = await attempt();
      if (outcome.kind === 'token') {
        remember(outcome.token);
        return outcome.token.token;
      }
      if (outcome.kind === 'error') {
        throw outcome.error;
      }
      const retryAt = iso(outcome.until);
      if (issuance === 'fail') {
        throw new KisAuthError(
          `A KIS access token was issued for this app key less than ${Math.round(issuanceIntervalMs / 1000)} s ago (at most one issuance a minute); retry after ${retryAt}`,
          { retryAt },
        );
      }
      log({ level: 'info', message: 'waiting for the token issuance window', ...base, retryAt });
      await sleep(Math.max(0, outcome.until - clock()));
    }
  }

  const auth: KisAuth = {
    endpoints,
    credentials,
    async getAccessToken(callOptions) {
      const now = clock();
      if (current !== null && usable(current, now)) {
        return current.token;
      }
      if (inFlight === null) {
        inFlight = obtain()
          .catch((error: unknown) => {
            if (KisError.isInstance(error)) throw error;
            // The token cache failed (file system): nothing was sent.
            throw new KisConfigError(
              `The token cache failed: ${redact(error instanceof Error ? error.message : String(error))}`,
              { field: 'tokenCache' },
            );
          })
          .finally(() => {
            inFlight = null;
          });
      }
      return raceSignal(inFlight, callOptions?.signal);
    },

    async invalidateToken(token) {
      if (current?.token === token) {
        current = null;
      }
      await tokenCache.withLock(key, async () => {
        const record = await tokenCache.get(key);
        if (record?.accessToken?.token === token) {
          await tokenCache.put(key, { ...record, accessToken: null });
          log({ level: 'warn', message: 'dropped the KIS access token from the cache', ...base });
        }
      });
    },

    async tokenStatus() {
      const record = await tokenCache.get(key);
      const token = record?.accessToken ?? null;
      if (token === null) {
        return null;
      }
      return {
        environment: endpoints.environment,
        host: endpoints.host,
        expiresAt: iso(token.expiresAt),
        issuedAt: iso(token.issuedAt),
        cachedAt: iso(token.cachedAt),
        file: tokenCache.location(key),
      };
    },

    async revokeToken(callOptions) {
      if (callOptions?.signal?.aborted) throw abortError();
      const record = await tokenCache.get(key);
      const token = record?.accessToken?.token ?? current?.token ?? null;
      if (token === null) {
        return;
      }
      secrets.add(token);
      const answer = await post('/oauth2/revokeP', {
        appkey: credentials.appKey,
        appsecret: credentials.appSecret,
        token,
      });
      const json = parseJson(answer.text);
      const parsed = v.safeParse(RevokeResponseSchema, json);
      if (!parsed.success || Number(parsed.output.code) !== 200) {
        if (parsed.success) {
          throw new KisAuthError(
            `KIS refused /oauth2/revokeP: code ${parsed.output.code}${parsed.output.message === undefined ? '' : ` ${redact(parsed.output.message)}`}`,
            { httpStatus: answer.status },
          );
        }
        throw endpointError('/oauth2/revokeP', answer, json, clock());
      }
      await auth.invalidateToken(token);
      log({ level: 'info', message: 'revoked the KIS access token', ...base });
    },

    async getApprovalKey(callOptions) {
      if (callOptions?.signal?.aborted) throw abortError();
      const fresh = (entry: { issuedAt: number } | null, now: number) =>
        entry !== null && now - entry.issuedAt < approvalKeyMaxAgeMs && entry.issuedAt <= now;
      if (approval !== null && fresh(approval, clock())) {
        return approval.approvalKey;
      }
      const obtained = await raceSignal(
        tokenCache.withLock(key, async () => {
          const record = await tokenCache.get(key);
          const now = clock();
          if (record?.approvalKey != null && fresh(record.approvalKey, now)) {
            return record.approvalKey;
          }
          log({ level: 'info', message: 'issuing KIS WebSocket approval key', ...base });
          const answer = await post('/oauth2/Approval', {
            grant_type: 'client_credentials',
            appkey: credentials.appKey,
            secretkey: credentials.appSecret,
          });
          const json = parseJson(answer.text);
          const parsed = v.safeParse(ApprovalResponseSchema, json);
          if (!parsed.success || answer.status >= 300) {
            throw endpointError('/oauth2/Approval', answer, json, now);
          }
          const entry = { approvalKey: parsed.output.approval_key, issuedAt: now };
          secrets.add(entry.approvalKey);
          const latest = await tokenCache.get(key);
          await tokenCache.put(key, {
            accessToken: latest?.accessToken ?? null,
            lastIssuedAt: latest?.lastIssuedAt ?? null,
            approvalKey: entry,
          });
          return entry;
        }),
        callOptions?.signal,
      );
      secrets.add(obtained.approvalKey);
      approval = obtained;
      return obtained.approvalKey;
    },
  };
  authTokenCaches.set(auth, tokenCache);
  return auth;
}
