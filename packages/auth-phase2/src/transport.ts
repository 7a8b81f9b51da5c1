import { join } from 'node:path';
import * as v from 'valibot';
import { type KisAuth, tokenCacheOfAuth } from './auth.js';
import type { KisCredentials } from './credentials.js';
import { defaultKisRatePerSecond, type KisEndpoints } from './environment.js';
import { KisAuthError, KisConfigError, KisTransportError } from './errors.js';
import { createHttpSend, type KisFetch, loadHttpClient } from './http.js';
import {
  checkRatePerSecond,
  type KisRateLimiter,
  type KisSleep,
  sharedRateLimiter,
} from './rate-limiter.js';
import { createSafeLogger, type KisLogger } from './redact.js';
import { sharedFilePacer } from './shared-pacer.js';
import { fileCacheFolderOf } from './token-cache.js';
import { EnvelopeSchema, parseJson } from './wire.js';

/** One KIS REST call. Query and body values are strings (KIS wants strings everywhere). */
export interface KisRequest {
  /** HTTP method. */
  readonly method: 'GET' | 'POST';
  /** Path under the REST base, e.g. `/uapi/domestic-stock/v1/trading/order-cash`. */
  readonly path: string;
  /** The TR id to send (already mapped with kisTrId for the environment). */
  readonly trId: string;
  /** Query parameters (GET). */
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** JSON body (POST); keys in KIS upper case. */
  readonly body?: Readonly<Record<string, string>> | undefined;
  /** Paging: `''` for the first page, `'N'` for the next. */
  readonly trCont?: '' | 'N' | undefined;
  /** Aborts the call. Before the connection: not-sent; after: sent. */
  readonly signal?: AbortSignal | undefined;
}

/** A KIS answer (any body with rt_cd, on HTTP 200 or 500 alike). */
export interface KisResponse {
  /** HTTP status. */
  readonly httpStatus: number;
  /** True when rt_cd is '0'. */
  readonly ok: boolean;
  /** rt_cd. */
  readonly rtCd: string;
  /** msg_cd (e.g. APBK0013, EGW00201), '' when absent. */
  readonly msgCd: string;
  /** msg1, trailing spaces removed. */
  readonly msg1: string;
  /** The `tr_cont` response header (F/M: more pages; D/E: last), or null. */
  readonly trCont: string | null;
  /** The parsed JSON body (output, output1, output2, ctx_area_*...). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** The KIS REST transport of one environment and app key. */
export interface KisTransport {
  /** The endpoints it talks to. */
  readonly endpoints: KisEndpoints;
  /** The credentials it sends. */
  readonly credentials: KisCredentials;
  /**
   * Sends one request, once (never retried). Returns every KIS answer (ok false when
   * rt_cd != '0'); throws KisTransportError (phase not-sent / sent), KisAuthError (no token:
   * nothing sent) or KisConfigError.
   */
  request(request: KisRequest): Promise<KisResponse>;
}

/** Options of createKisTransport. */
export interface KisTransportOptions {
  /** Endpoints of the environment. */
  endpoints: KisEndpoints;
  /** Credentials of the same environment. */
  credentials: KisCredentials;
  /** Token source (createKisAuth). */
  auth: KisAuth;
  /** Deadline of each request in ms, connect to last body byte (default 10 000). */
  timeoutMs?: number | undefined;
  /** Calls per second (default: defaultKisRatePerSecond); null = no pacing. */
  ratePerSecond?: number | null | undefined;
  /** Log hook; never sees secrets. */
  logger?: KisLogger | undefined;
  /** Epoch-ms clock (default Date.now), used for pacing and durations. */
  clock?: (() => number) | undefined;
  /** Connect timeout in ms (default min(3000, timeoutMs)). */
  connectTimeoutMs?: number | undefined;
  /** fetch to use instead of undici's (e.g. globalThis.fetch under msw; less precise phases). */
  fetch?: KisFetch | undefined;
  /** Sleep used by the pacer (tests pair it with `clock`). */
  sleep?: KisSleep | undefined;
}

/** KIS answers that mean the token is no good: drop it (the next call gets a new one). */
export const KIS_TOKEN_REJECTED_CODES: readonly string[] = Object.freeze(['EGW00121', 'EGW00123']);

const PATH_PATTERN = /^\/[A-Za-z0-9/_.-]+$/;

/** The pacing file of (environment, app-key hash) in a token folder. */
function pacingFileName(environment: string, appKeyHash: string): string {
  return `pacing-${environment}-${appKeyHash.replace(/[^A-Za-z0-9]/g, '_')}.json`;
}

/** Creates the transport. Throws KisConfigError on mismatched or bad options. */
export function createKisTransport(options: KisTransportOptions): KisTransport {
  const { endpoints, credentials, auth } = options;
  if (endpoints === undefined || credentials === undefined || auth === undefined) {
    throw new KisConfigError('createKisTransport needs endpoints, credentials and auth');
  }
  if (
    auth.endpoints !== undefined &&
    (auth.endpoints.environment !== endpoints.environment || auth.endpoints.host !== endpoints.host)
  ) {
    throw new KisConfigError(
      `The auth is for ${auth.endpoints.environment} ${auth.endpoints.host} but the transport is for ${endpoints.environment} ${endpoints.host}`,
      { field: 'auth' },
    );
  }
  if (auth.credentials !== undefined && auth.credentials.appKeyHash !== credentials.appKeyHash) {
    throw new KisConfigError('The auth and the transport use different app keys', {
      field: 'auth',
    });
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new KisConfigError(`timeoutMs must be a positive number, got ${timeoutMs}`, {
      field: 'timeoutMs',
    });
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? Math.min(3_000, timeoutMs);
  const rate = checkRatePerSecond(
    options.ratePerSecond === undefined
      ? defaultKisRatePerSecond(endpoints.environment)
      : options.ratePerSecond,
  );
  const clock = options.clock ?? Date.now;
  // With a file token cache the pacing is shared by every process using that folder (a pacing
  // file beside the token files); otherwise by every transport of the key in this process.
  const cache = tokenCacheOfAuth(auth);
  const folder = cache === null ? null : fileCacheFolderOf(cache);
  const limiter: KisRateLimiter | null =
    rate === null
      ? null
      : folder === null
        ? sharedRateLimiter(
            `${endpoints.environment}|${credentials.appKeyHash}`,
            rate,
            options.clock,
            options.sleep,
          )
        : sharedFilePacer(
            join(folder, pacingFileName(endpoints.environment, credentials.appKeyHash)),
            rate,
            options.clock,
            options.sleep,
          );
  const send = createHttpSend({
    baseUrl: endpoints.restBaseUrl,
    timeoutMs,
    connectTimeoutMs,
    fetch: options.fetch,
  });
  const secrets = new Set<string>([credentials.appSecret]);
  const log = createSafeLogger(options.logger, () => [...secrets]);
  const base = { environment: endpoints.environment, host: endpoints.host };

  async function request(call: KisRequest): Promise<KisResponse> {
    if (call.method !== 'GET' && call.method !== 'POST') {
      throw new KisConfigError(`Unsupported method ${String(call.method)}`, { field: 'method' });
    }
    if (!PATH_PATTERN.test(call.path)) {
      throw new KisConfigError(`Malformed KIS path ${JSON.stringify(call.path)}`, {
        field: 'path',
      });
    }
    if (!/^[A-Z0-9]{4,20}$/.test(call.trId)) {
      throw new KisConfigError(`Malformed TR id ${JSON.stringify(call.trId)}`, { field: 'trId' });
    }
    const what = `${call.method} ${call.path} ${call.trId}`;
    let token: string;
    try {
      token = await auth.getAccessToken(call.signal === undefined ? {} : { signal: call.signal });
    } catch (error) {
      if (call.signal?.aborted) {
        throw new KisTransportError(`${what}: not sent (aborted while getting a token)`, {
          phase: 'not-sent',
          reason: 'aborted',
        });
      }
      if (error instanceof KisAuthError || error instanceof KisConfigError) {
        throw error;
      }
      throw new KisAuthError(`${what}: not sent, no access token`, { cause: error });
    }
    secrets.add(token);
    if (limiter !== null) {
      if (options.fetch === undefined) await loadHttpClient();
      try {
        await limiter.acquire(call.signal);
      } catch {
        throw new KisTransportError(`${what}: not sent (aborted while pacing)`, {
          phase: 'not-sent',
          reason: 'aborted',
        });
      }
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${token}`,
      appkey: credentials.appKey,
      appsecret: credentials.appSecret,
      tr_id: call.trId,
      custtype: 'P',
      tr_cont: call.trCont ?? '',
    };
    const started = clock();
    log({
      level: 'debug',
      message: 'KIS request',
      ...base,
      method: call.method,
      path: call.path,
      trId: call.trId,
    });
    let answer: Awaited<ReturnType<typeof send>>;
    try {
      answer = await send({
        method: call.method,
        path: call.path,
        headers,
        searchParams: call.query,
        body: call.method === 'POST' ? JSON.stringify(call.body ?? {}) : undefined,
        signal: call.signal,
      });
    } catch (error) {
      const failure =
        error instanceof KisTransportError
          ? new KisTransportError(`${what}: ${error.message.replace(/^[A-Z]+ \S+: /, '')}`, {
              phase: error.phase,
              reason: error.reason,
              httpStatus: error.httpStatus,
              cause: error.cause,
            })
          : new KisTransportError(`${what}: sent, no definite answer (reset)`, {
              phase: 'sent',
              reason: 'reset',
            });
      log({
        level: 'error',
        message: 'KIS request failed',
        ...base,
        method: call.method,
        path: call.path,
        trId: call.trId,
        phase: failure.phase,
        reason: failure.reason,
        durationMs: clock() - started,
      });
      throw failure;
    }
    const json = parseJson(answer.text);
    const envelope = v.safeParse(EnvelopeSchema, json);
    if (!envelope.success) {
      const reason = answer.status >= 200 && answer.status < 300 ? 'invalid-body' : 'http-error';
      const failure = new KisTransportError(
        `${what}: sent, ${reason === 'http-error' ? `HTTP ${answer.status} without a KIS body` : `HTTP ${answer.status} with an unreadable body`}; the outcome is unknown`,
        { phase: 'sent', reason, httpStatus: answer.status },
      );
      log({
        level: 'error',
        message: 'KIS answer without a KIS body',
        ...base,
        method: call.method,
        path: call.path,
        trId: call.trId,
        httpStatus: answer.status,
        reason,
        durationMs: clock() - started,
      });
      throw failure;
    }
    const body = envelope.output as Record<string, unknown>;
    const rtCd = envelope.output.rt_cd;
    const msgCd = (envelope.output.msg_cd ?? '').trim();
    const msg1 = (envelope.output.msg1 ?? '').trimEnd();
    const response: KisResponse = {
      httpStatus: answer.status,
      ok: rtCd === '0',
      rtCd,
      msgCd,
      msg1,
      trCont: answer.headers.get('tr_cont'),
      body,
    };
    log({
      level: response.ok ? 'debug' : 'warn',
      message: response.ok ? 'KIS answer' : 'KIS answer: not ok',
      ...base,
      method: call.method,
      path: call.path,
      trId: call.trId,
      httpStatus: answer.status,
      rtCd,
      msgCd,
      durationMs: clock() - started,
    });
    if (KIS_TOKEN_REJECTED_CODES.includes(msgCd)) {
      await auth.invalidateToken(token).catch(() => {});
    }
    return response;
  }

  return { endpoints, credentials, request };
}
