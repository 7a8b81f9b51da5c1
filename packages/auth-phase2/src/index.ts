// @qts/auth-phase2: the FROZEN Phase 2 contract (KIS environments, credentials, tokens,
// approval key, REST transport, rate limiter). Phase 3 uses it and never edits it.
export {
  createKisAuth,
  type KisAuth,
  type KisAuthOptions,
  type KisTokenStatus,
} from './auth.js';
export { createKisCredentials, type KisCredentials, kisAppKeyHash } from './credentials.js';
export { type KisEnvConfig, kisConfigFromEnv } from './env.js';
export {
  defaultKisRatePerSecond,
  isKisEnvironment,
  type KisEndpoints,
  type KisEnvironment,
  kisDefaultEndpoints,
  kisTrId,
  resolveKisEndpoints,
} from './environment.js';
export {
  KisAuthError,
  KisConfigError,
  KisError,
  type KisErrorCode,
  KisTransportError,
  type KisTransportPhase,
  type KisTransportReason,
} from './errors.js';
export type { KisFetch } from './http.js';
export type { KisSleep } from './rate-limiter.js';
export { type KisLogEntry, type KisLogger, REDACTED, redactSecrets } from './redact.js';
export {
  type CachedAccessToken,
  type CachedApprovalKey,
  createFileTokenCache,
  createMemoryTokenCache,
  type TokenCache,
  type TokenCacheKey,
  type TokenCacheRecord,
} from './token-cache.js';
export {
  createKisTransport,
  KIS_TOKEN_REJECTED_CODES,
  type KisRequest,
  type KisResponse,
  type KisTransport,
  type KisTransportOptions,
} from './transport.js';
export { parseKstDateTime } from './wire.js';
