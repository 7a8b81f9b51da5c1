// Loads sibling packages lazily, typed by the agreed APIs (docs/team-notes.md) rather than by
// whatever their dist holds at the moment: the runner builds even while a sibling is mid-way,
// and a missing export fails at run time with a clear message (exit 1).

/** The sandbox of @qts/broker-virtual (agreed API). */
export interface KisSandboxLike {
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
  close(): Promise<void>;
}

/** What the runner uses of @qts/broker-virtual. */
export interface BrokerVirtualApi {
  startKisSandbox(options?: {
    environment?: 'real' | 'paper';
    port?: number;
  }): Promise<KisSandboxLike>;
  createVirtualExchange(options?: { file?: string }): unknown;
  createVirtualOrderAdapter(options?: { exchange?: unknown; account?: string }): unknown;
}

function need<T>(module: Record<string, unknown>, pkg: string, names: readonly string[]): T {
  for (const name of names) {
    if (typeof module[name] !== 'function') {
      throw new Error(`${pkg} does not export ${name} yet (build it: pnpm --filter ${pkg} build).`);
    }
  }
  return module as T;
}

/** @qts/broker-virtual, checked for the named exports. */
export async function loadBrokerVirtual(
  names: readonly (keyof BrokerVirtualApi)[],
): Promise<BrokerVirtualApi> {
  const module = (await import('@qts/broker-virtual')) as unknown as Record<string, unknown>;
  return need<BrokerVirtualApi>(module, '@qts/broker-virtual', names);
}
