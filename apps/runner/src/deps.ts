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

/** The virtual exchange (the calls the runner makes). */
export interface VirtualExchangeLike {
  readonly defaultAccount: string;
  setReferencePrice(symbol: string, price: number): unknown;
  close(): void;
}

/** What the runner uses of @qts/broker-virtual. */
export interface BrokerVirtualApi {
  startKisSandbox(options?: {
    environment?: 'real' | 'paper';
    port?: number;
  }): Promise<KisSandboxLike>;
  createVirtualExchange(options?: { file?: string }): VirtualExchangeLike;
  createVirtualOrderAdapter(options?: {
    exchange?: VirtualExchangeLike;
    account?: string;
  }): AdapterLike;
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

/** The runtime order of @qts/execution-route (the fields the CLI prints). */
export interface RouteOrderLike {
  readonly orderId: string;
  readonly clientOrderId: string | null;
  readonly brokerOrderId: string | null;
  readonly status: string;
  readonly statusReason?: string | null;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: number | null;
  readonly type: 'limit' | 'market';
  readonly mode: 'virtual' | 'paper' | 'real';
  readonly filledQuantity: number;
  readonly averagePrice: number | null;
  readonly createdAt: string;
  readonly tradingDate: string;
}

/** A change the route made while reconciling. */
export interface RouteChangeLike {
  readonly orderId: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** An order event (contract `OrderEvent`), loosely. */
export type OrderEventLike = { readonly type: string; readonly at: string } & Record<
  string,
  unknown
>;

/** The route of @qts/execution-route (agreed in issue 6). */
export interface ExecutionRouteLike {
  readonly recovered: readonly RouteChangeLike[];
  submit(
    intent: Record<string, unknown>,
    options?: { force?: boolean; signal?: AbortSignal },
  ): Promise<{ order: RouteOrderLike; error?: unknown }>;
  cancel(
    orderId: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ order: RouteOrderLike; error?: unknown }>;
  modify(
    orderId: string,
    change: { limitPrice?: number; quantity?: number },
    options?: { signal?: AbortSignal },
  ): Promise<{ order: RouteOrderLike; error?: unknown }>;
  orders(query?: { tradingDate?: string }): RouteOrderLike[];
  order(orderId: string): RouteOrderLike | null;
  reconcile(options?: { signal?: AbortSignal }): Promise<RouteChangeLike[]>;
  watch(options: {
    signal: AbortSignal;
    onEvent?: (event: OrderEventLike, order: RouteOrderLike | null) => void;
    onStatus?: (status: {
      state: string;
      attempt: number;
      delayMs?: number;
      reason?: string;
    }) => void;
  }): Promise<void>;
}

/** A journal: only closed by the runner. */
export interface JournalLike {
  close(): void;
}

/** A log hook of the sibling packages. */
export type HookLogger = (entry: {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  [field: string]: unknown;
}) => void;

/** What the runner uses of @qts/execution-route. */
export interface ExecutionRouteApi {
  createExecutionRoute(options: {
    adapter: unknown;
    journal: JournalLike;
    mode: 'virtual' | 'paper' | 'real';
    logger?: HookLogger;
  }): ExecutionRouteLike;
  createSqliteJournal(options: {
    file: string;
    mode: 'virtual' | 'paper' | 'real';
    host: string;
    account: string;
  }): JournalLike;
  journalPath(
    home: string,
    key: { mode: 'virtual' | 'paper' | 'real'; host: string; account: string },
  ): string;
}

/** @qts/execution-route, checked for the named exports. */
export async function loadExecutionRoute(): Promise<ExecutionRouteApi> {
  const module = (await import('@qts/execution-route')) as unknown as Record<string, unknown>;
  return need<ExecutionRouteApi>(module, '@qts/execution-route', [
    'createExecutionRoute',
    'createSqliteJournal',
    'journalPath',
  ]);
}

/** The adapter surface the runner calls directly (balance, close). */
export interface AdapterLike {
  readonly capabilities?: { readonly balance?: boolean };
  getBalance?(options?: { signal?: AbortSignal }): Promise<unknown>;
  close?(): Promise<void>;
}

/** What the runner uses of @qts/broker-kis. */
export interface BrokerKisApi {
  createKisOrderAdapter(options: {
    transport: unknown;
    auth: unknown;
    environment: 'real' | 'paper';
    webSocketUrl?: string;
    logger?: HookLogger;
  }): AdapterLike;
}

/** @qts/broker-kis, checked for its factory. */
export async function loadBrokerKis(): Promise<BrokerKisApi> {
  const module = (await import('@qts/broker-kis')) as unknown as Record<string, unknown>;
  return need<BrokerKisApi>(module, '@qts/broker-kis', ['createKisOrderAdapter']);
}
