// Loads the sibling packages the flow tests drive, checking each export the tests need so that
// a missing one fails the gate with a clear reason (which package, which export, which issue)
// instead of a TypeError deep inside a test.

/** A function export, or a clear error naming the package and its issue. */
export function requireExport<T>(
  module: Record<string, unknown>,
  packageName: string,
  name: string,
  issue: string,
): T {
  const value = module[name];
  if (typeof value !== 'function') {
    throw new Error(
      `${packageName} does not export ${name} (yet): the agreed API (docs/team-notes.md, ${issue}) is missing, so this Gate D check cannot run`,
    );
  }
  return value as T;
}

/** The parts of broker-virtual's VirtualExchange the tests read. */
export interface ExchangeView {
  readonly defaultAccount: string;
  tradingDate(at?: number): string;
  orders(account: string, query?: { tradingDate?: string }): readonly ExchangeOrder[];
  setReferencePrice(symbol: string, price: number): unknown;
  readonly faults: FaultsView;
  close(): void;
}

export interface ExchangeOrder {
  readonly orderNo: string;
  readonly kind: 'order' | 'modify' | 'cancel';
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly limitPrice: number | null;
  readonly filledQuantity: number;
  readonly status: string;
}

export type FaultView =
  | { readonly kind: 'reject'; readonly code: string; readonly message: string }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'never-answer' }
  | { readonly kind: 'reset-after-accept' }
  | { readonly kind: 'refuse-connection' };

export interface FaultsView {
  next(
    operation: 'place' | 'cancel' | 'modify' | 'inquiry' | 'balance' | 'connect',
    fault: FaultView,
    times?: number,
  ): void;
  requestCount(
    operation: 'place' | 'cancel' | 'modify' | 'inquiry' | 'balance' | 'connect',
  ): number;
  clear(): void;
}

/** broker-virtual's running KIS sandbox. */
export interface SandboxView {
  readonly environment: 'real' | 'paper';
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly credentials: {
    readonly appKey: string;
    readonly appSecret: string;
    readonly account: string;
    readonly htsId: string;
  };
  readonly exchange: ExchangeView;
  close(): Promise<void>;
}

export type StartKisSandbox = (options?: {
  environment?: 'real' | 'paper';
  port?: number;
  exchange?: unknown;
  rateLimitPerSecond?: number | null;
}) => Promise<SandboxView>;

/** broker-virtual's startKisSandbox. */
export async function loadStartKisSandbox(): Promise<StartKisSandbox> {
  const module = (await import('@qts/broker-virtual')) as Record<string, unknown>;
  return requireExport<StartKisSandbox>(
    module,
    '@qts/broker-virtual',
    'startKisSandbox',
    'issue 4',
  );
}

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
