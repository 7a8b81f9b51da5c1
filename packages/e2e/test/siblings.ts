// Small helpers over the sibling packages the flow tests drive.
import type { KisSandbox } from '@qts/broker-virtual';

/** broker-virtual's running KIS sandbox (HTTP + WebSocket on 127.0.0.1). */
export type SandboxView = KisSandbox;

/** The runner's environment for a sandbox (paper or real mode). */
export function sandboxEnv(sandbox: SandboxView): Record<string, string> {
  return {
    QTS_MODE: sandbox.environment,
    QTS_KIS_BASE_URL: sandbox.baseUrl,
    QTS_KIS_WS_URL: sandbox.wsUrl,
    QTS_KIS_APP_KEY: sandbox.credentials.appKey,
    QTS_KIS_APP_SECRET: sandbox.credentials.appSecret,
    QTS_KIS_ACCOUNT: sandbox.credentials.account,
    QTS_KIS_HTS_ID: sandbox.credentials.htsId,
    ...(sandbox.environment === 'real' ? { QTS_ALLOW_REAL: 'yes' } : {}),
  };
}

/** Waits (polling, up to `timeoutMs`) until `probe` returns true; throws with `what` otherwise. */
export async function waitUntil(
  probe: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
