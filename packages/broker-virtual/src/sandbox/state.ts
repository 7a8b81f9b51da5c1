// Shared state of one sandbox: credentials, tokens, the REST handler and its exchange access.
import { generateCredentials } from './credentials.js';
import type { ExchangeAccess } from './exchange-access.js';
import { createRestHandler, type RestHandler } from './rest/handler.js';
import { createTokenStore, type TokenStore } from './tokens.js';
import type {
  KisSandboxCredentials,
  KisSandboxEnvironment,
  KisSandboxTimingOptions,
} from './types.js';

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
  readonly exchange: ExchangeAccess;
  readonly rest: RestHandler;
  readonly clock: () => number;
  readonly pingIntervalMs: number;
}

export function createSandboxState(
  options: KisSandboxTimingOptions & {
    environment?: KisSandboxEnvironment | undefined;
    credentials?: KisSandboxCredentials | undefined;
    exchange: ExchangeAccess;
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
  options.exchange.ensureAccount(credentials.account);
  const rest = createRestHandler({
    environment,
    credentials,
    tokens,
    exchange: options.exchange,
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
    exchange: options.exchange,
    rest,
    clock,
    pingIntervalMs: options.pingIntervalMs ?? KIS_SANDBOX_DEFAULTS.pingIntervalMs,
  };
}
