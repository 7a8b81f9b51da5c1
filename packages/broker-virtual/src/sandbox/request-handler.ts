// The sandbox's REST face without a server: a fetch-style handler and msw handlers built from it
// (the HTTP server answers its requests with the same REST handler). msw stays a devDependency:
// the caller passes msw's `http` namespace in.
import type { VirtualExchange, VirtualFaults } from '../core/types.js';
import { type ExchangeAccess, sandboxExchange } from './exchange-access.js';
import type { SandboxRequest } from './rest/common.js';
import { createSandboxState, type SandboxState } from './state.js';
import type {
  KisSandboxCredentials,
  KisSandboxEnvironment,
  KisSandboxTimingOptions,
} from './types.js';
import type { WireOutcome } from './wire.js';

/** The part of msw's `http` namespace the sandbox needs (pass `http` from 'msw'). */
export interface MswHttpLike<H> {
  all(path: string, resolver: (info: { request: Request }) => Promise<Response>): H;
}

/** Official KIS REST hosts (docs/kis-protocol.md §1): the default msw handler base URLs. */
export const KIS_REST_BASE_URLS: Readonly<Record<KisSandboxEnvironment, string>> = {
  real: 'https://openapi.koreainvestment.com:9443',
  paper: 'https://openapivts.koreainvestment.com:29443',
};

export interface SandboxRequestHandlerOptions extends KisSandboxTimingOptions {
  readonly environment?: KisSandboxEnvironment | undefined;
  readonly credentials?: KisSandboxCredentials | undefined;
}

/** The REST face over an ExchangeAccess (the protocol tests pass a fake one). */
export interface SandboxRequestHandler {
  readonly environment: KisSandboxEnvironment;
  readonly credentials: KisSandboxCredentials;
  /**
   * Answers one KIS REST request. never-answer settles only when the request's signal aborts;
   * reset-after-accept and refuse-connection give `Response.error()` (a network error).
   */
  handleKisRequest(request: Request): Promise<Response>;
  /** msw handlers: pass msw's `http`; `baseUrl` defaults to the environment's KIS host. */
  mswHandlers<H>(http: MswHttpLike<H>, baseUrl?: string): H[];
}

export function createSandboxRequestHandler(
  exchange: ExchangeAccess,
  options: SandboxRequestHandlerOptions = {},
): SandboxRequestHandler {
  const state = createSandboxState({ ...options, exchange });
  const handleKisRequest = (request: Request): Promise<Response> =>
    answerFetchRequest(state, request);
  return {
    environment: state.environment,
    credentials: state.credentials,
    handleKisRequest,
    mswHandlers<H>(http: MswHttpLike<H>, baseUrl?: string): H[] {
      const base = (baseUrl ?? KIS_REST_BASE_URLS[state.environment]).replace(/\/$/, '');
      return [http.all(`${base}/*`, ({ request }) => handleKisRequest(request))];
    },
  };
}

export interface KisRequestHandlerOptions extends SandboxRequestHandlerOptions {
  /** @defaultValue a new in-memory exchange */
  readonly exchange?: VirtualExchange | undefined;
  /** As `KisSandboxOptions.sessionRules`. @defaultValue false */
  readonly sessionRules?: boolean | undefined;
}

/** The sandbox's REST face without a server (for msw or a custom fetch), over the exchange core. */
export interface KisRequestHandler extends SandboxRequestHandler {
  readonly exchange: VirtualExchange;
  readonly faults: VirtualFaults;
}

export function createKisRequestHandler(options: KisRequestHandlerOptions = {}): KisRequestHandler {
  const { exchange, access, clock } = sandboxExchange(options);
  const base = createSandboxRequestHandler(access, { ...options, clock });
  return { ...base, exchange, faults: exchange.faults };
}

/**
 * msw handlers over the sandbox core (WebSocket notices are not included). msw stays a
 * devDependency: pass `http` from 'msw'. Give `credentials` (or use `createKisRequestHandler`)
 * so the client knows them.
 */
export function kisSandboxHandlers<H>(
  options: KisRequestHandlerOptions & {
    readonly http: MswHttpLike<H>;
    readonly baseUrl?: string | undefined;
  },
): H[] {
  return createKisRequestHandler(options).mswHandlers(options.http, options.baseUrl);
}

/** Answers a fetch `Request` (no network): the REST handler's outcome as a fetch `Response`. */
export async function answerFetchRequest(state: SandboxState, request: Request): Promise<Response> {
  return fetchResponseOf(await outcomeOfFetchRequest(state, request), request.signal);
}

/** Runs a fetch `Request` through the REST handler. */
async function outcomeOfFetchRequest(state: SandboxState, request: Request): Promise<WireOutcome> {
  const url = new URL(request.url);
  const bodyText =
    request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
  const sandboxRequest: SandboxRequest = {
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    header: (name) => request.headers.get(name) ?? undefined,
    bodyText,
  };
  return state.rest.handle(sandboxRequest);
}

/**
 * Fetch-style answer: `delay` waits first, `hang` never settles unless the signal aborts,
 * `reset`/`refuse` become
 * `Response.error()` (a network error in fetch and msw).
 */
async function fetchResponseOf(outcome: WireOutcome, signal?: AbortSignal): Promise<Response> {
  switch (outcome.kind) {
    case 'respond':
      return new Response(outcome.response.body, {
        status: outcome.response.status,
        headers: outcome.response.headers,
      });
    case 'delay': {
      const aborted = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), outcome.ms);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      return aborted ? Response.error() : fetchResponseOf(outcome.resume(), signal);
    }
    case 'hang':
      return new Promise<Response>((resolve) => {
        signal?.addEventListener('abort', () => resolve(Response.error()));
      });
    default:
      return Response.error();
  }
}
