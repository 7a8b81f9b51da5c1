// The sandbox's REST face without a server: a fetch-style handler and msw handlers built from it.
// msw stays a devDependency: the caller passes msw's `http` namespace in.
import type { ExchangePort } from './exchange-port.js';
import { createSandboxState, fetchResponseOf, outcomeOfFetchRequest } from './state.js';
import type {
  KisSandboxCredentials,
  KisSandboxEnvironment,
  KisSandboxTimingOptions,
} from './types.js';

/** The part of msw's `http` namespace the sandbox needs (pass `http` from 'msw'). */
export interface MswHttpLike<H> {
  all(path: string, resolver: (info: { request: Request }) => Promise<Response>): H;
}

/** Official KIS REST hosts (docs/kis-protocol.md §1): the default msw handler base URLs. */
export const KIS_REST_BASE_URLS: Readonly<Record<KisSandboxEnvironment, string>> = {
  real: 'https://openapi.koreainvestment.com:9443',
  paper: 'https://openapivts.koreainvestment.com:29443',
};

export interface HandlerOnPortOptions extends KisSandboxTimingOptions {
  readonly environment?: KisSandboxEnvironment | undefined;
  readonly credentials?: KisSandboxCredentials | undefined;
}

export interface KisRequestHandlerBase {
  readonly environment: KisSandboxEnvironment;
  readonly credentials: KisSandboxCredentials;
  /**
   * Answers one KIS REST request. Faults: never-answer returns a promise that settles only when
   * the request's signal aborts; reset / refuse return `Response.error()`.
   */
  handleKisRequest(request: Request): Promise<Response>;
  /** msw handlers for every path under `baseUrl` (default: the environment's KIS host). */
  mswHandlers<H>(http: MswHttpLike<H>, baseUrl?: string): H[];
}

export function createHandlerOnPort(
  exchangePort: ExchangePort,
  options: HandlerOnPortOptions = {},
): KisRequestHandlerBase {
  const state = createSandboxState({ ...options, port: exchangePort });
  const handleKisRequest = async (request: Request): Promise<Response> =>
    fetchResponseOf(await outcomeOfFetchRequest(state, request), request.signal);
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
