// Shared state of one sandbox: credentials, tokens, the REST handler and the exchange port.
import { generateCredentials } from './credentials.js';
import type { ExchangePort } from './exchange-port.js';
import { createRestHandler, type RestHandler, type SandboxRequest } from './rest.js';
import { createTokenStore, type TokenStore } from './tokens.js';
import type {
  KisSandboxCredentials,
  KisSandboxEnvironment,
  KisSandboxTimingOptions,
} from './types.js';
import type { WireOutcome } from './wire.js';

/** KIS defaults (docs/kis-protocol.md §2, §8). */
export const KIS_SANDBOX_DEFAULTS = {
  /**
   * KIS's long-published per-app limits (real 20/s, paper 2/s; docs/kis-protocol.md §1). The reported
   * 2026 reduction (18/s, 1/s) is not enforced by default: pass it as `rateLimitPerSecond`.
   */
  rateLimitPerSecond: { real: 20, paper: 2 },
  tokenIssueIntervalMs: 60_000,
  tokenLifetimeMs: 24 * 60 * 60 * 1000,
  pingIntervalMs: 110_000,
} as const;

export interface SandboxState {
  readonly environment: KisSandboxEnvironment;
  readonly credentials: KisSandboxCredentials;
  readonly tokens: TokenStore;
  readonly port: ExchangePort;
  readonly rest: RestHandler;
  readonly clock: () => number;
  readonly pingIntervalMs: number;
}

export function createSandboxState(
  options: KisSandboxTimingOptions & {
    environment?: KisSandboxEnvironment | undefined;
    credentials?: KisSandboxCredentials | undefined;
    port: ExchangePort;
  },
): SandboxState {
  const environment = options.environment ?? 'paper';
  const credentials = options.credentials ?? generateCredentials(environment);
  if (!/^\d{8}-\d{2}$/.test(credentials.account)) {
    throw new TypeError('credentials.account must be NNNNNNNN-NN');
  }
  const clock = options.clock ?? Date.now;
  const tokenLifetimeMs = options.tokenLifetimeMs ?? KIS_SANDBOX_DEFAULTS.tokenLifetimeMs;
  const tokens = createTokenStore({
    clock,
    issueIntervalMs: options.tokenIssueIntervalMs ?? KIS_SANDBOX_DEFAULTS.tokenIssueIntervalMs,
    lifetimeMs: tokenLifetimeMs,
    // KIS: a token request within 6 h of the last issuance returns the same token.
    reuseMs: Math.min(6 * 60 * 60 * 1000, tokenLifetimeMs),
  });
  options.port.ensureAccount(credentials.account);
  const rest = createRestHandler({
    environment,
    credentials,
    tokens,
    port: options.port,
    clock,
    rateLimitPerSecond:
      options.rateLimitPerSecond === undefined
        ? KIS_SANDBOX_DEFAULTS.rateLimitPerSecond[environment]
        : options.rateLimitPerSecond,
    tokenLifetimeMs,
  });
  return {
    environment,
    credentials,
    tokens,
    port: options.port,
    rest,
    clock,
    pingIntervalMs: options.pingIntervalMs ?? KIS_SANDBOX_DEFAULTS.pingIntervalMs,
  };
}

/** Runs a fetch `Request` through the REST handler. */
export async function outcomeOfFetchRequest(
  state: SandboxState,
  request: Request,
): Promise<WireOutcome> {
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
export async function fetchResponseOf(
  outcome: WireOutcome,
  signal?: AbortSignal,
): Promise<Response> {
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
