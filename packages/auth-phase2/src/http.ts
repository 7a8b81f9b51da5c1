// The one HTTP path of this package: ky (retry 0, throwHttpErrors false, prefix) over undici's
// own fetch with an Agent that has a connect timeout, plus per-request connection tracking so
// every failure is classified as not-sent (never reached KIS) or sent (outcome unknown).
import ky, { type KyInstance } from 'ky';
import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';
import { KisTransportError, type KisTransportReason } from './errors.js';

/** A fetch implementation (for msw tests: `globalThis.fetch`). */
export type KisFetch = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

/** One HTTP exchange. */
export interface HttpExchange {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly searchParams?: Readonly<Record<string, string>> | undefined;
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What came back: status, headers and the whole body text. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Sends one exchange; failures throw KisTransportError with the phase. */
export type HttpSend = (exchange: HttpExchange) => Promise<HttpAnswer>;

const agents = new Map<number, Agent>();

/** One shared undici Agent per connect timeout (keep-alive sockets are reused). */
function sharedAgent(connectTimeoutMs: number): Agent {
  let agent = agents.get(connectTimeoutMs);
  if (agent === undefined) {
    agent = new Agent({
      connect: { timeout: connectTimeoutMs },
      // The whole-exchange deadline (below) is what normally fires; these are backstops.
      headersTimeout: 300_000,
      bodyTimeout: 300_000,
      keepAliveTimeout: 4_000,
    });
    agents.set(connectTimeoutMs, agent);
  }
  return agent;
}

interface ConnectionTracker {
  connected: boolean;
}

/** Wraps the agent so that the handler's onConnect (socket connected, before writing) is seen. */
function trackingDispatcher(agent: Agent, tracker: ConnectionTracker): Dispatcher {
  const dispatch = (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
    const wrapped = new Proxy(handler, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') {
          return value;
        }
        if (property === 'onConnect' || property === 'onRequestStart') {
          return (...args: unknown[]) => {
            tracker.connected = true;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    return agent.dispatch(options, wrapped);
  };
  return { dispatch } as unknown as Dispatcher;
}

function undiciFetchFor(agent: Agent, tracker: ConnectionTracker): KisFetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const body =
      request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
    const response = await undiciFetch(request.url, {
      method: request.method,
      headers: [...request.headers],
      ...(body === undefined ? {} : { body }),
      signal: request.signal,
      dispatcher: trackingDispatcher(agent, tracker),
    });
    return response as unknown as Response;
  };
}

/** Error codes and names along an error's cause chain (and AggregateError members). */
export function errorCodes(error: unknown): Set<string> {
  const codes = new Set<string>();
  const queue: unknown[] = [error];
  let steps = 0;
  while (queue.length > 0 && steps < 20) {
    steps += 1;
    const current = queue.shift();
    if (typeof current !== 'object' || current === null) {
      continue;
    }
    const { code, name, cause, errors } = current as {
      code?: unknown;
      name?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string') codes.add(code);
    if (typeof name === 'string') codes.add(name);
    if (cause !== undefined) queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return codes;
}

const DNS_CODES = ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA'];
const UNREACHABLE_CODES = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'];

/**
 * Classifies a failed exchange. `connected` is null when the fetch is injected (no
 * tracking): then only definite pre-connection error codes count as not-sent.
 */
export function classifyFailure(
  error: unknown,
  state: { connected: boolean | null; deadlineHit: boolean; callerAborted: boolean },
  what: string,
): KisTransportError {
  const codes = errorCodes(error);
  const has = (list: readonly string[]) => list.some((code) => codes.has(code));
  const connected = state.connected;
  let phase: 'not-sent' | 'sent';
  let reason: KisTransportReason;
  if (has(['UND_ERR_CONNECT_TIMEOUT', 'ConnectTimeoutError'])) {
    phase = 'not-sent';
    reason = 'connect-timeout';
  } else if (has(UNREACHABLE_CODES) && connected !== true) {
    // Once the socket connected, request bytes may have left: such a code then means "sent".
    phase = 'not-sent';
    reason = 'connection-refused';
  } else if (has(DNS_CODES)) {
    phase = 'not-sent';
    reason = 'dns';
  } else if (state.deadlineHit || has(['TimeoutError', 'UND_ERR_HEADERS_TIMEOUT'])) {
    phase = connected === false ? 'not-sent' : 'sent';
    reason = phase === 'not-sent' ? 'connect-timeout' : 'response-timeout';
  } else if (state.callerAborted) {
    phase = connected === false ? 'not-sent' : 'sent';
    reason = 'aborted';
  } else if (
    connected !== false &&
    [...codes].some((code) => code.startsWith('HPE_') || code === 'HTTPParserError')
  ) {
    // The server answered bytes that are not HTTP.
    phase = 'sent';
    reason = 'invalid-body';
  } else if (has(['UND_ERR_BODY_TIMEOUT'])) {
    phase = 'sent';
    reason = 'response-timeout';
  } else if (connected === false) {
    // The socket never connected, so no byte of the request was written.
    phase = 'not-sent';
    reason = 'connection-refused';
  } else {
    phase = 'sent';
    reason = 'reset';
  }
  const detail = [...codes].filter((code) => /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code));
  const message =
    phase === 'not-sent'
      ? `${what}: not sent (${reason}${detail.length > 0 ? `: ${detail.join(', ')}` : ''}); nothing reached KIS`
      : `${what}: sent, no definite answer (${reason}${detail.length > 0 ? `: ${detail.join(', ')}` : ''}); the outcome is unknown`;
  // The cause is a fresh, secret-free error (ky errors carry the Request with its headers).
  const cause = new Error(detail.length > 0 ? detail.join(', ') : 'network failure');
  return new KisTransportError(message, { phase, reason, cause });
}

/** Creates the sender of one base URL: one ky client, a deadline on every exchange, no retry. */
export function createHttpSend(options: {
  baseUrl: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  fetch?: KisFetch | undefined;
}): HttpSend {
  const client: KyInstance = ky.create({
    prefix: options.baseUrl,
    retry: 0,
    throwHttpErrors: false,
    // ky's timeout covers only the wait for headers; the deadline below covers the body too.
    timeout: false,
  });
  const agent = options.fetch === undefined ? sharedAgent(options.connectTimeoutMs) : null;
  return async (exchange) => {
    const what = `${exchange.method} ${exchange.path}`;
    if (exchange.signal?.aborted) {
      throw new KisTransportError(`${what}: not sent (aborted before sending)`, {
        phase: 'not-sent',
        reason: 'aborted',
      });
    }
    const tracker: ConnectionTracker = { connected: false };
    const deadline = new AbortController();
    let deadlineHit = false;
    const timer = setTimeout(() => {
      deadlineHit = true;
      deadline.abort();
    }, options.timeoutMs);
    const signal =
      exchange.signal === undefined
        ? deadline.signal
        : AbortSignal.any([exchange.signal, deadline.signal]);
    try {
      const response = await client(exchange.path.replace(/^\/+/, ''), {
        method: exchange.method,
        headers: exchange.headers,
        ...(exchange.body === undefined ? {} : { body: exchange.body }),
        ...(exchange.searchParams === undefined ? {} : { searchParams: exchange.searchParams }),
        signal,
        fetch: agent === null ? (options.fetch as KisFetch) : undiciFetchFor(agent, tracker),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      throw classifyFailure(
        error,
        {
          connected: agent === null ? null : tracker.connected,
          deadlineHit,
          callerAborted: exchange.signal?.aborted === true,
        },
        what,
      );
    } finally {
      clearTimeout(timer);
    }
  };
}
