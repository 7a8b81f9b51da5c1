// The access token as a caller outside the adapter sees it (a CLI checking its session before it
// journals anything, `qts token`): auth-phase2's calls with the contract's errors, translated
// the same way as inside the adapter, so no caller has to know auth-phase2's error fields.
import type { QtsError } from '@qts/order-contract';
import { toContractError } from './errors/to-contract-error.js';
import type { KisAuth, KisTokenStatus } from './internal/auth-phase2-api.js';

/**
 * Makes sure an access token is at hand (the cached one, else a new one from KIS), before a
 * session sends anything.
 *
 * @param auth - auth-phase2's `KisAuth` (or its `getAccessToken`).
 * @throws `BrokerRejectedError` `AUTH` (KIS refused the key or secret) or `RATE_LIMITED`
 *   (one issuance a minute), with KIS's error_code and description; `RouteUnavailableError`
 *   when the token endpoint cannot be reached; `ConfigError` for a configuration auth-phase2
 *   refuses. Nothing else was sent in any case.
 */
export async function ensureKisAccessToken(auth: Pick<KisAuth, 'getAccessToken'>): Promise<void> {
  try {
    await auth.getAccessToken();
  } catch (error) {
    throw toContractError(error, 'KIS access token', 'inquiry');
  }
}

/**
 * The cached access token's status (expiry, issue time, cache file), never the token itself;
 * null when none is cached.
 *
 * @param auth - auth-phase2's `KisAuth` (or its `tokenStatus`).
 * @throws The contract's errors, as {@link ensureKisAccessToken}.
 */
export async function readKisTokenStatus(
  auth: Pick<KisAuth, 'tokenStatus'>,
): Promise<KisTokenStatus | null> {
  try {
    return await auth.tokenStatus();
  } catch (error) {
    throw toContractError(error, 'KIS token status', 'inquiry');
  }
}

/**
 * Any error of auth-phase2 (configuration, token endpoint, transport) as the contract's error,
 * for a caller that builds the KIS connection itself (`resolveKisEndpoints`,
 * `createKisCredentials`, ...). A QTS error passes through unchanged.
 *
 * @param error - What was thrown.
 * @param what - What was being done, for the message.
 */
export function kisErrorToContract(error: unknown, what: string): QtsError {
  return toContractError(error, what, 'inquiry');
}
