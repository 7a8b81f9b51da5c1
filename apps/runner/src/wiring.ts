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
import type { VirtualExchange, VirtualOrderAdapter } from '@qts/broker-virtual/core';
import type {
  ExecutionRoute,
  Order,
  OrderIntent,
  OrderJournal,
  RouteResult,
} from '@qts/execution-route';
import {
  ConfigError,
  type OrderAdapter,
  productTypeOfSymbol,
  seoulDate,
  tickSize,
} from '@qts/order-contract';
import { stateFolder } from './config.js';
import type { Engine } from './engine.js';
import {
  afterSendFailure,
  beforeSendFailure,
  CliFailure,
  configFailure,
  toFailure,
  usageFailure,
} from './failure.js';
import type { CliBalance, CliBuyingPower, CliOrder, CliQuote, CliTokenStatus } from './model.js';
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
    ...(order.priceCondition === undefined ? {} : { priceCondition: order.priceCondition }),
    ...(order.executionCondition === undefined
      ? {}
      : { executionCondition: order.executionCondition }),
    ...(order.session === undefined ? {} : { session: order.session }),
    ...(order.venue === undefined ? {} : { venue: order.venue }),
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

/**
 * What stops `qts watch` on a subscribe error that waiting cannot fix (configuration,
 * credentials): the route's watch would otherwise poll and retry forever.
 */
interface WatchGuard {
  /** The error that stopped the watch, or null. */
  error: unknown;
  /** Aborts the running watch; null when no watch runs. */
  stop: (() => void) | null;
}

/** Failure codes (after `toFailure`) that no amount of waiting or reconnecting fixes. */
const WAITING_CANNOT_FIX = new Set(['CONFIG', 'NOT_SUPPORTED', 'AUTH', 'ENVIRONMENT_MISMATCH']);

/**
 * Whether the error (or one it wraps) is a rate limit, such as KIS's one token issuance a
 * minute (broker-kis: `RATE_LIMITED`). Waiting fixes those.
 */
function rateLimited(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const fields = current as { code?: unknown; cause?: unknown };
    if (fields.code === 'RATE_LIMITED') return true;
    current = fields.cause;
  }
  return false;
}

/** Whether waiting and retrying cannot fix `error` (a setup or credentials problem). */
export function waitingCannotFix(error: unknown): boolean {
  return !rateLimited(error) && WAITING_CANNOT_FIX.has(toFailure(error).json.code);
}

/** The adapter as the route sees it: `subscribe` reports unfixable errors to the guard. */
function guarded(adapter: OrderAdapter, guard: WatchGuard): OrderAdapter {
  const subscribe: OrderAdapter['subscribe'] = async (listener, options) => {
    try {
      return await adapter.subscribe(listener, options);
    } catch (error) {
      if (guard.stop !== null && waitingCannotFix(error)) {
        guard.error = error;
        guard.stop();
      }
      throw error;
    }
  };
  return new Proxy(adapter, {
    get(target, key) {
      if (key === 'subscribe') return subscribe;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface Wired {
  readonly adapter: OrderAdapter;
  /** Whether the route handed a place / cancel / modify to the adapter (the send point). */
  readonly sends: SendTracker<OrderAdapter>;
  /** Buying power for one symbol (KIS: inquire-psbl-order; virtual: orderable cash / price). */
  buyingPower(symbol: string, price: number | null): Promise<CliBuyingPower>;
  readonly guard: WatchGuard;
  readonly journal: OrderJournal;
  readonly route: ExecutionRoute;
  readonly host: string | null;
  readonly account: string | null;
  readonly exchange: VirtualExchange | null;
  token(): Promise<CliTokenStatus>;
  /**
   * Makes sure the session can talk to the broker before anything is journaled: in KIS modes it
   * gets the access token (cached, else issued) through broker-kis, so a token endpoint that
   * cannot be reached (exit 1) or refuses the key (exit 3) fails before any journal record.
   */
  prepare(): Promise<void>;
}

async function wireVirtual(runtime: Runtime): Promise<Wired> {
  const { config } = runtime;
  const [virtual, routes] = await Promise.all([
    import('@qts/broker-virtual/core'),
    import('@qts/execution-route'),
  ]);
  const folder = join(config.home, 'virtual');
  const exchange = virtual.createVirtualExchange({ file: join(folder, 'exchange.sqlite') });
  let adapter: VirtualOrderAdapter | undefined;
  let journal: OrderJournal | undefined;
  const guard: WatchGuard = { error: null, stop: null };
  try {
    adapter = virtual.createVirtualOrderAdapter({ exchange });
    const sends = trackSends(guarded(adapter, guard));
    const key = { mode: 'virtual' as const, host: 'virtual', account: exchange.defaultAccount };
    journal = routes.createSqliteJournal({ ...key, file: routes.journalPath(folder, key) });
    const route = routes.createExecutionRoute({
      adapter: sends.adapter,
      journal,
      mode: 'virtual',
      logger: hookLogger(runtime, 'route'),
      // Virtual mode ignores market hours unless QTS_MARKET_HOURS=enforce: so do the hours of
      // the order divisions and venues (docs/order-types.md).
      orderWindowCheck: config.marketHours === 'enforce',
    });
    const virtualAdapter = adapter;
    const buyingPower = async (symbol: string, price: number | null): Promise<CliBuyingPower> => {
      const unitPrice = price ?? exchange.referencePrice(symbol);
      if (unitPrice === null) {
        throw new ConfigError(`Virtual mode has no price for ${symbol} yet.`, {
          hint: `Give --price, or set one with \`qts virtual price ${symbol} <KRW>\`. Nothing was sent.`,
        });
      }
      const { cash } = await virtualAdapter.getBalance();
      const quantity = Math.floor(cash.orderable / unitPrice);
      const amount = quantity * unitPrice;
      return {
        symbol,
        price,
        unitPrice,
        orderableCash: cash.orderable,
        quantity,
        amount,
        quantityWithCredit: quantity,
        amountWithCredit: amount,
      };
    };
    return {
      adapter,
      sends,
      buyingPower,
      guard,
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
  const logger = hookLogger(runtime, 'kis');
  const connectKis = () => {
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
    const tokenCache = auth2.createFileTokenCache({ home: stateFolder(config, endpoints.host) });
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
    return { endpoints, credentials, tokenCache, auth, adapter };
  };
  // auth-phase2's pieces; what they refuse (a URL, the account) comes back as the contract's
  // ConfigError through broker-kis, like every other KIS error the CLI reports.
  let connection: ReturnType<typeof connectKis>;
  try {
    connection = connectKis();
  } catch (error) {
    throw brokerKis.kisErrorToContract(error, 'KIS configuration');
  }
  const { endpoints, credentials, tokenCache, auth, adapter } = connection;
  const guard: WatchGuard = { error: null, stop: null };
  const sends = trackSends(guarded(adapter, guard));
  let journal: OrderJournal | undefined;
  try {
    const key = { mode, host: endpoints.host, account: kis.account };
    const folder = stateFolder(config, endpoints.host);
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
    const buyingPower = async (symbol: string, price: number | null): Promise<CliBuyingPower> => {
      const power = await adapter.getBuyingPower(symbol, price);
      return {
        symbol: power.symbol,
        price: power.limitPrice,
        unitPrice: power.unitPrice,
        orderableCash: power.orderableCash,
        quantity: power.quantity,
        amount: power.amount,
        quantityWithCredit: power.quantityWithCredit,
        amountWithCredit: power.amountWithCredit,
      };
    };
    return {
      adapter,
      sends,
      buyingPower,
      guard,
      journal,
      route,
      host: endpoints.host,
      account: kis.account,
      exchange: null,
      prepare: () => brokerKis.ensureKisAccessToken(auth),
      token: async () => {
        const status = await brokerKis.readKisTokenStatus(auth);
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

/** Every broker order number of an order (the order, its modifies and cancels). */
function brokerNumbers(order: Order): string[] {
  return [
    order.brokerOrderId,
    order.modifyBrokerOrderId,
    order.cancelBrokerOrderId,
    ...order.linkedBrokerOrderIds,
  ].filter((n): n is string => n !== null);
}

/** The most candidates an ambiguous-id error lists. */
const MAX_CANDIDATES = 10;

/**
 * Finds the order a user means: its local id, a unique prefix of it, or one of its broker order
 * numbers of `today` (KIS numbers restart every trading day; leading zeros are optional). An
 * input that matches several orders is exit 2, listing them.
 */
export function resolveOrder(
  route: Pick<ExecutionRoute, 'order' | 'orders'>,
  input: string,
  today: string,
): Order | null {
  const exact = route.order(input);
  if (exact !== null || input === '') return exact;
  const all = route.orders();
  const digits = /^\d+$/.test(input) ? BigInt(input) : null;
  const matches = all.filter(
    (o) =>
      o.orderId.startsWith(input) ||
      (digits !== null &&
        o.tradingDate === today &&
        brokerNumbers(o).some((n) => /^\d+$/.test(n) && BigInt(n) === digits)),
  );
  if (matches.length <= 1) return matches[0] ?? null;
  const listed = matches
    .slice(0, MAX_CANDIDATES)
    .map(
      (o) =>
        `${o.orderId} (${o.side} ${o.symbol} x ${o.quantity}, ${o.status}, ${o.tradingDate}${o.brokerOrderId === null ? '' : `, broker no. ${o.brokerOrderId}`})`,
    );
  const more = matches.length - listed.length;
  throw usageFailure(
    `${JSON.stringify(input)} matches ${matches.length} orders: nothing was sent.`,
    `Give more of the order id. Candidates: ${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`,
    'AMBIGUOUS_ORDER_ID',
  );
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
  const atSendPoint = async (
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
        ...input.division,
        ...(input.clientOrderId === null ? {} : { intentId: input.clientOrderId }),
      };
      return await atSendPoint(
        'order',
        () => route.submit(intent, { force: input.force }),
        () => {
          const placed = wired.sends.lastPlacedOrderId();
          return placed === null ? null : route.order(placed);
        },
        null,
      );
    },
    find: async (input) => {
      const order = resolveOrder(route, input, seoulDate());
      return order === null ? null : toCliOrder(order);
    },
    cancel: async (orderId) => {
      await wired.prepare();
      const before = route.order(orderId);
      return await atSendPoint(
        'cancel',
        () => route.cancel(orderId),
        () => route.order(orderId),
        before,
      );
    },
    modify: async (orderId, change) => {
      await wired.prepare();
      const before = route.order(orderId);
      return await atSendPoint(
        'modify',
        () => route.modify(orderId, change),
        () => route.order(orderId),
        before,
      );
    },
    journalOrders: (tradingDate) => route.orders({ tradingDate }).map(toCliOrder),
    orders: async (tradingDate) => {
      let changes = [...route.recovered];
      let error: unknown = null;
      try {
        await wired.prepare();
        changes = [...changes, ...(await route.reconcile())];
      } catch (failure) {
        // The journal is the user's record: list it anyway, marked as not reconciled.
        runtime.log.warn({ error: String(failure) }, 'reconciliation failed; listing the journal');
        error = failure;
      }
      const orders = route.orders({ tradingDate });
      const listed = new Set(orders.map((o) => o.orderId));
      const toCli = (c: (typeof changes)[number]) => ({
        orderId: c.orderId,
        from: c.from,
        to: c.to,
        reason: c.reason,
      });
      return {
        orders: orders.map(toCliOrder),
        reconciled: changes.filter((c) => listed.has(c.orderId)).map(toCli),
        otherDates: changes
          .filter((c) => !listed.has(c.orderId))
          .map((c) => ({ ...toCli(c), tradingDate: route.order(c.orderId)?.tradingDate ?? null })),
        error,
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
    buyingPower: async (symbol, price) => {
      await wired.prepare();
      return wired.buyingPower(symbol, price);
    },
    quote: async (symbol) => {
      if (adapter.getQuote === undefined || adapter.capabilities.quote !== true) {
        throw new ConfigError('This broker does not give quotes.', {
          code: 'NOT_SUPPORTED',
          hint: 'Nothing was sent.',
        });
      }
      await wired.prepare();
      const quote = await adapter.getQuote(symbol);
      const answer: CliQuote = {
        symbol: quote.symbol,
        price: quote.price,
        upperLimit: quote.upperLimit,
        lowerLimit: quote.lowerLimit,
        basePrice: quote.basePrice,
        tick: tickSize(quote.price, productTypeOfSymbol(symbol)),
      };
      return answer;
    },
    token: () => wired.token(),
    watch: async (tradingDate, listener, signal) => {
      // Credentials first: a refused token is not something reconnecting fixes. A broker that
      // cannot be reached is: the watch below retries it.
      try {
        await wired.prepare();
      } catch (error) {
        if (waitingCannotFix(error)) throw error;
        runtime.log.warn({ error: String(error) }, 'token not available yet; watching anyway');
      }
      const { guard } = wired;
      const inner = new AbortController();
      const forward = () => inner.abort(signal.reason);
      if (signal.aborted) forward();
      else signal.addEventListener('abort', forward, { once: true });
      guard.error = null;
      guard.stop = () => inner.abort(new Error('waiting cannot fix the error'));
      try {
        await route.watch({
          signal: inner.signal,
          onEvent: (event, order) =>
            listener.onEvent(event, order === null ? null : toCliOrder(order)),
          onStatus: (status) => {
            runtime.log.info({ status }, 'watch status');
            if (status.state === 'stopped' || guard.error !== null) return;
            listener.onStatus(status);
          },
        });
      } finally {
        guard.stop = null;
        signal.removeEventListener('abort', forward);
      }
      if (guard.error !== null) throw guard.error;
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
