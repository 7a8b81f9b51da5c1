// broker-kis wired to a broker-virtual KIS sandbox over real HTTP and WebSocket on 127.0.0.1,
// through auth-phase2 (endpoints, credentials, in-memory token cache, transport), as the runner
// wires it.
import {
  createFileTokenCache,
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  resolveKisEndpoints,
} from '@qts/auth-phase2';
import { createKisOrderAdapter, type KisOrderAdapter } from '@qts/broker-kis';
import type { SandboxView } from './siblings.js';

/**
 * A KIS adapter on the sandbox. `timeoutMs` is the transport's request timeout; `tokenHome`
 * shares a file token cache (as the runner does in QTS_HOME) instead of an in-memory one.
 */
export function kisAdapterOn(
  sandbox: SandboxView,
  options: { timeoutMs?: number; baseUrl?: string; tokenHome?: string } = {},
): KisOrderAdapter {
  const endpoints = resolveKisEndpoints(sandbox.environment, {
    restBaseUrl: options.baseUrl ?? sandbox.baseUrl,
    wsBaseUrl: sandbox.wsUrl,
  });
  const credentials = createKisCredentials({
    appKey: sandbox.credentials.appKey,
    appSecret: sandbox.credentials.appSecret,
    account: sandbox.credentials.account,
    htsId: sandbox.credentials.htsId,
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
  return createKisOrderAdapter({ transport, auth, environment: sandbox.environment });
}
