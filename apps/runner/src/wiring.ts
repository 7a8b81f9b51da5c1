// Wires the configured mode: adapter (broker-virtual in-process, or broker-kis over
// auth-phase2's transport) + SQLite journal + execution route, behind the `Engine` commands use.
//
// State under QTS_HOME:
//   virtual/exchange.sqlite                    the virtual exchange (orders, cash, positions)
//   virtual/journal/orders-virtual-*.sqlite    the virtual journal
//   kis/<mode>-<host>-<account>-<appKeyHash>/  one folder per broker identity:
//       tokens/*.json (0600)                   the token cache
//       journal/orders-*.sqlite                the journal
// so paper and real (or a sandbox used with --mode real) never share a token file or a journal.
//
// This module is itself loaded lazily (engine.ts), and it loads the sibling packages with
// `await import()` too; its static imports from them are type-only, except the contract's
// errors (light: order-contract is loaded by execution-route anyway).
import { join } from 'node:path';
import type { KisLogger } from '@qts/auth-phase2';
import type { VirtualExchange, VirtualOrderAdapter } from '@qts/broker-virtual';
import type {
  ExecutionRoute,
  Order,
  OrderIntent,
  OrderJournal,
  RouteResult,
} from '@qts/execution-route';
import { ConfigError, type OrderAdapter, type OrderEvent } from '@qts/order-contract';
import { stateFolder } from './config.js';
import type { Engine, WatchLine } from './engine.js';
import { afterSendFailure, beforeSendFailure, CliFailure, configFailure } from './failure.js';
import type { CliBalance, CliOrder, CliTokenStatus } from './model.js';
import type { Runtime } from './runtime.js';
import { type SendTracker, trackSends } from './send-point.js';

/** The CLI's order object from the route's order (exactly the contract's fields). */
export function toCliOrder(order: Order): CliOrder {
  return {
    orderId: order.orderId,
    brokerOrderId: order.brokerOrderId,
    status: order.status,
    symbol: order.symbol,
    side: order.side,
    quantity: order.quantity,
    price: order.price,
    type: order.type,
    mode: order.mode,
    filledQuantity: order.filledQuantity,
    averagePrice: order.averagePrice,
    createdAt: order.createdAt,
    clientOrderId: order.clientOrderId,
  };
}

/** A log hook for auth-phase2 / broker-kis (`KisLogger`); the route's `RouteLogger` has the same shape. */
function hookLogger(runtime: Runtime, source: string): KisLogger {
  return (entry) => {
    const { level, message, ...fields } = entry;
    const log = runtime.log;
    const write =
      level === 'error'
        ? log.error
        : level === 'warn'
          ? log.warn
          : level === 'info'
            ? log.info
            : log.debug;
    write({ source, ...fields }, message);
  };
}

interface Wired {
  readonly adapter: OrderAdapter;
  /** Whether the route handed a place / cancel / modify to the adapter (the send point). */
  readonly sends: SendTracker<OrderAdapter>;
  readonly journal: OrderJournal;
  readonly route: ExecutionRoute;
  readonly host: string | null;
  readonly account: string | null;
  readonly exchange: VirtualExchange | null;
  token(): Promise<CliTokenStatus>;
  /**
   * Makes sure the session can talk to the broker before anything is journaled: in KIS modes it
   * gets the access token (cached, else issued). A token endpoint that cannot be reached then
   * fails as "could not connect, nothing sent" (exit 1) instead of surfacing later inside the
   * order call, where broker-kis reports it as an AUTH rejection.
   */
  prepare(): Promise<void>;
}

async function wireVirtual(runtime: Runtime): Promise<Wired> {
  const { config } = runtime;
  const [virtual, routes] = await Promise.all([
    import('@qts/broker-virtual'),
    import('@qts/execution-route'),
  ]);
  const folder = join(config.home, 'virtual');
  const exchange = virtual.createVirtualExchange({ file: join(folder, 'exchange.sqlite') });
  let adapter: VirtualOrderAdapter | undefined;
  let journal: OrderJournal | undefined;
  try {
    adapter = virtual.createVirtualOrderAdapter({ exchange });
    const sends = trackSends(adapter);
    const key = { mode: 'virtual' as const, host: 'virtual', account: exchange.defaultAccount };
    journal = routes.createSqliteJournal({ ...key, file: routes.journalPath(folder, key) });
    const route = routes.createExecutionRoute({
      adapter: sends.adapter,
      journal,
      mode: 'virtual',
      logger: hookLogger(runtime, 'route'),
    });
    return {
      adapter,
      sends,
      journal,
      route,
      host: null,
      account: null,
      exchange,
      token: async () => ({
        mode: 'virtual',
        host: null,
        expiresAt: null,
        cachedAt: null,
        file: null,
      }),
      prepare: async () => {},
    };
  } catch (error) {
    journal?.close();
    await adapter?.close();
    exchange.close();
    throw error;
  }
}

async function wireKis(runtime: Runtime): Promise<Wired> {
  const { config } = runtime;
  const kis = config.kis;
  const mode = config.mode;
  if (kis === undefined || mode === 'virtual') {
    throw configFailure(
      'KIS credentials are not configured.',
      'Set QTS_KIS_* or use --mode virtual.',
    );
  }
  const [auth2, brokerKis, routes] = await Promise.all([
    import('@qts/auth-phase2'),
    import('@qts/broker-kis'),
    import('@qts/execution-route'),
  ]);
  const endpoints = auth2.resolveKisEndpoints(mode, {
    restBaseUrl: kis.baseUrl,
    wsBaseUrl: kis.wsUrl,
  });
  const credentials = auth2.createKisCredentials({
    appKey: kis.appKey,
    appSecret: kis.appSecret,
    account: kis.account,
    htsId: kis.htsId,
  });
  const folder = stateFolder(config, endpoints.host);
  const tokenCache = auth2.createFileTokenCache({ home: folder });
  const logger = hookLogger(runtime, 'kis');
  const auth = auth2.createKisAuth({
    endpoints,
    credentials,
    tokenCache,
    logger,
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
  });
  const transport = auth2.createKisTransport({
    endpoints,
    credentials,
    auth,
    logger,
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    ...(config.ratePerSecond === undefined ? {} : { ratePerSecond: config.ratePerSecond }),
  });
  const adapter = brokerKis.createKisOrderAdapter({
    transport,
    auth,
    environment: mode,
    webSocketUrl: endpoints.wsBaseUrl,
    logger,
  });
  const sends = trackSends(adapter);
  let journal: OrderJournal | undefined;
  try {
    const key = { mode, host: endpoints.host, account: kis.account };
    journal = routes.createSqliteJournal({ ...key, file: routes.journalPath(folder, key) });
    const route = routes.createExecutionRoute({
      adapter: sends.adapter,
      journal,
      mode,
      logger: hookLogger(runtime, 'route'),
    });
    const tokenKey = {
      environment: mode,
      host: endpoints.host,
      appKeyHash: credentials.appKeyHash,
    };
    return {
      adapter,
      sends,
      journal,
      route,
      host: endpoints.host,
      account: kis.account,
      exchange: null,
      prepare: async () => {
        await auth.getAccessToken();
      },
      token: async () => {
        const status = await auth.tokenStatus();
        return {
          mode,
          host: endpoints.host,
          expiresAt: status?.expiresAt ?? null,
          cachedAt: status?.cachedAt ?? null,
          file: status?.file ?? tokenCache.location(tokenKey),
        };
      },
    };
  } catch (error) {
    journal?.close();
    await adapter.close();
    throw error;
  }
}

function eventLine(event: OrderEvent, order: Order | null): WatchLine {
  const num = (value: number | null) =>
    typeof value === 'number' ? value.toLocaleString('en-US') : String(value);
  // A type this version does not know (a newer route) is shown by its name.
  const kind: string = event.type;
  let text: string;
  switch (event.type) {
    case 'order-accepted':
      text = `accepted: ${event.side} ${event.symbol} x ${num(event.quantity)}${event.limitPrice === null ? ' market' : ` @ ${num(event.limitPrice)}`} (broker no. ${event.brokerOrderId})`;
      break;
    case 'order-filled':
      text = `filled ${num(event.filledQuantity)}${order === null ? '' : `/${num(order.quantity)}`} @ avg ${num(event.averagePrice)}${event.lastQuantity === null ? '' : ` (last ${num(event.lastQuantity)} @ ${num(event.lastPrice)})`}`;
      break;
    case 'order-canceled':
      text = `canceled ${num(event.canceledQuantity)}`;
      break;
    case 'order-modified':
      text = `modified: remaining ${num(event.quantity)}${event.limitPrice === null ? '' : ` @ ${num(event.limitPrice)}`} (new broker no. ${event.newBrokerOrderId})`;
      break;
    case 'order-rejected':
      text = `rejected: [${event.brokerCode ?? '-'}] ${event.brokerMessage ?? ''}`;
      break;
    case 'connection-lost':
      text = `connection lost (${event.reason}); catching up by inquiry`;
      break;
    default:
      text = kind;
  }
  return {
    at: event.at,
    orderId: order?.orderId ?? null,
    kind,
    text,
    order: order === null ? null : toCliOrder(order),
  };
}

/** Builds the engine of the configured mode. */
export async function createEngine(runtime: Runtime): Promise<Engine> {
  const wired =
    runtime.config.mode === 'virtual' ? await wireVirtual(runtime) : await wireKis(runtime);
  const { route, adapter, journal, exchange } = wired;
  if (wired.route.recovered.length > 0) {
    runtime.log.info({ recovered: wired.route.recovered }, 'route recovered orders left in flight');
  }
  let closed = false;
  const outcome = async (result: RouteResult) => {
    let order = result.order;
    if (exchange !== null && result.error === undefined) {
      // The virtual exchange fills a crossing order at once and says so by event; one local
      // inquiry (no network) shows the fill now instead of at the next `qts orders`.
      try {
        await route.reconcile();
        order = route.order(order.orderId) ?? order;
      } catch (error) {
        runtime.log.warn({ error: String(error) }, 'virtual catch-up inquiry failed');
      }
    }
    return { order: toCliOrder(order), error: result.error ?? null };
  };
  /**
   * Runs one route call. A failure the route did not turn into a result is classified by the
   * send point: before the adapter was asked, nothing was sent (exit 1, or the error's own exit
   * for QTS errors); after, the outcome is unknown (exit 4) and the order is reported as the
   * journal shows it (or as last seen, when the journal cannot be read either).
   */
  const guarded = async (
    what: 'order' | 'cancel' | 'modify',
    call: () => Promise<RouteResult>,
    read: () => Order | null,
    fallback: Order | null,
  ) => {
    wired.sends.reset();
    let result: RouteResult;
    try {
      result = await call();
    } catch (error) {
      if (!wired.sends.sent()) {
        if (error instanceof CliFailure) throw error;
        if (typeof error === 'object' && error !== null && 'outcome' in error) throw error;
        throw beforeSendFailure(what, error);
      }
      runtime.log.error({ error: String(error), what }, 'failed after the send point');
      let order = fallback;
      try {
        order = read() ?? fallback;
      } catch (readError) {
        runtime.log.warn({ error: String(readError) }, 'journal read failed after the send point');
      }
      if (order === null) throw afterSendFailure(what, error);
      return { order: toCliOrder(order), error: afterSendFailure(what, error) };
    }
    return await outcome(result);
  };
  return {
    host: wired.host,
    account: wired.account,
    submit: async (input) => {
      await wired.prepare();
      const intent: OrderIntent = {
        symbol: input.symbol,
        side: input.side,
        quantity: input.quantity,
        type: input.type,
        limitPrice: input.limitPrice,
        ...(input.clientOrderId === null ? {} : { intentId: input.clientOrderId }),
      };
      return await guarded(
        'order',
        () => route.submit(intent, { force: input.force }),
        () => {
          const placed = wired.sends.lastPlacedOrderId();
          return placed === null ? null : route.order(placed);
        },
        null,
      );
    },
    find: async (orderId) => {
      const order = route.order(orderId);
      return order === null ? null : toCliOrder(order);
    },
    cancel: async (orderId) => {
      await wired.prepare();
      const before = route.order(orderId);
      return await guarded(
        'cancel',
        () => route.cancel(orderId),
        () => route.order(orderId),
        before,
      );
    },
    modify: async (orderId, change) => {
      await wired.prepare();
      const before = route.order(orderId);
      return await guarded(
        'modify',
        () => route.modify(orderId, change),
        () => route.order(orderId),
        before,
      );
    },
    journalOrders: (tradingDate) => route.orders({ tradingDate }).map(toCliOrder),
    orders: async (tradingDate) => {
      await wired.prepare();
      const changes = [...route.recovered, ...(await route.reconcile())];
      return {
        orders: route.orders({ tradingDate }).map(toCliOrder),
        reconciled: changes.map((c) => ({
          orderId: c.orderId,
          from: c.from,
          to: c.to,
          reason: c.reason,
        })),
      };
    },
    balance: async () => {
      if (adapter.getBalance === undefined || !adapter.capabilities.balance) {
        throw new ConfigError('This broker does not report a balance.', {
          code: 'NOT_SUPPORTED',
          hint: 'Nothing was sent.',
        });
      }
      await wired.prepare();
      const balance: CliBalance = await adapter.getBalance();
      return { cash: balance.cash, positions: balance.positions };
    },
    token: () => wired.token(),
    watch: async (tradingDate, onLine, signal) => {
      await route.watch({
        signal,
        onEvent: (event, order) => onLine(eventLine(event, order)),
        onStatus: (status) => {
          runtime.log.info({ status }, 'watch status');
          if (status.state === 'stopped') return;
          const words: Record<string, string> = {
            connecting: 'connecting to execution notices',
            listening: 'listening for execution notices',
            reconnecting: 'connection lost; reconnecting',
            polling: 'notices unavailable; polling the order inquiry',
          };
          runtime.out.note(
            `[${words[status.state] ?? status.state}${status.attempt > 1 ? ` #${status.attempt}` : ''}]${status.reason === undefined ? '' : ` ${status.reason}`}${status.delayMs === undefined ? '' : ` (next in ${Math.round(status.delayMs / 100) / 10} s)`}`,
          );
        },
      });
      return route.orders({ tradingDate }).map(toCliOrder);
    },
    setReferencePrice: async (symbol, price) => {
      if (exchange === null) {
        throw configFailure('Reference prices exist in virtual mode only.', 'Use --mode virtual.');
      }
      exchange.setReferencePrice(symbol, price);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        journal.close();
      } finally {
        try {
          await adapter.close?.();
        } finally {
          exchange?.close();
        }
      }
    },
  };
}
