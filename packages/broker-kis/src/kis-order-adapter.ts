// createKisOrderAdapter: the KIS Order Adapter (v1) over auth-phase2's transport.
import {
  type AdapterCapabilities,
  assertSupportedOrderRequest,
  type Balance,
  type BrokerOrder,
  BrokerRejectedError,
  type CallOptions,
  ConfigError,
  InvalidOrderError,
  isOnTick,
  isValidSymbol,
  ORDER_DIVISION_RULES,
  type OrderAck,
  type OrderAdapter,
  type OrderChange,
  type OrderDivision,
  type OrderEvent,
  type OrderEventListener,
  type OrderIssue,
  type OrderOptionSupport,
  type OrderRef,
  OrderRefSchema,
  type OrderRequest,
  type OrdersQuery,
  OrdersQuerySchema,
  OutcomeUnknownError,
  orderDivisionOf,
  orderDivisionParts,
  productTypeOfSymbol,
  QtsError,
  type QtsErrorDetails,
  type Quote,
  RouteUnavailableError,
  revisionIssue,
  seoulDate,
  type Unsubscribe,
  type Venue,
  validateOrderRequest,
  venueOf,
} from '@qts/order-contract';
import * as v from 'valibot';
import WebSocket from 'ws';
import {
  invalidResponseOf,
  type KisCallKind,
  rejectionOf,
  toContractError,
} from './errors/to-contract-error.js';
import { mapKisDailyCcldRow, mapKisPsblRvsecnclRow } from './inquiry/map-kis-order.js';
import {
  type KisApprovalKeySource,
  type KisEnvironment,
  type KisLogger,
  type KisRequest,
  type KisResponse,
  type KisTransport,
  kisTrId,
} from './internal/auth-phase2-api.js';
import { normalizeOrderNumber, seoulIso } from './internal/seoul-time.js';
import {
  type KisNoticeConnection,
  type KisWebSocketFactory,
  openKisNoticeConnection,
} from './notice/kis-notice-connection.js';
import { KisNoticeTracker } from './notice/kis-notice-tracker.js';
import { KIS_CCNL_NOTICE_TR_IDS, KIS_WEBSOCKET_PATH } from './wire/kis-ccnl-notice-api.js';
import {
  buildKisInquireBalanceRequest,
  KIS_INQUIRE_BALANCE_PATH,
  KIS_INQUIRE_BALANCE_TR_ID,
  type KisHolding,
  parseKisInquireBalance,
} from './wire/kis-inquire-balance-api.js';
import {
  buildKisInquireDailyCcldRequest,
  KIS_INQUIRE_DAILY_CCLD_PATH,
  KIS_MAX_PAGES,
  kisDailyCcldTrIdFor,
  parseKisInquireDailyCcld,
} from './wire/kis-inquire-daily-ccld-api.js';
import {
  buildKisInquirePriceRequest,
  KIS_INQUIRE_PRICE_PATH,
  KIS_INQUIRE_PRICE_TR_ID,
  parseKisInquirePrice,
} from './wire/kis-inquire-price-api.js';
import {
  buildKisInquirePsblOrderRequest,
  KIS_INQUIRE_PSBL_ORDER_PATH,
  KIS_INQUIRE_PSBL_ORDER_TR_ID,
  parseKisInquirePsblOrder,
} from './wire/kis-inquire-psbl-order-api.js';
import {
  buildKisInquirePsblRvsecnclRequest,
  KIS_INQUIRE_PSBL_RVSECNCL_PATH,
  KIS_INQUIRE_PSBL_RVSECNCL_TR_ID,
  parseKisInquirePsblRvsecncl,
} from './wire/kis-inquire-psbl-rvsecncl-api.js';
import {
  buildKisOrderCashRequest,
  KIS_ORDER_CASH_PATH,
  KIS_ORDER_CASH_TR_IDS,
  type KisOrderOutput,
  parseKisOrderOutput,
} from './wire/kis-order-cash-api.js';
import {
  buildKisOrderRvsecnclRequest,
  KIS_ORDER_RVSECNCL_PATH,
  KIS_ORDER_RVSECNCL_TR_ID,
} from './wire/kis-order-rvsecncl-api.js';
import type { KisPageContext, KisParseResult } from './wire/kis-wire.js';

const SEOUL_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Options of `createKisOrderAdapter`. */
export interface KisOrderAdapterOptions {
  /** auth-phase2's transport (`createKisTransport`), or any object of its shape. */
  readonly transport: KisTransport;
  /** The approval-key source for notices (auth-phase2's `KisAuth`). */
  readonly auth: KisApprovalKeySource;
  /** `real` or `paper`; must match `transport.endpoints.environment`. */
  readonly environment: KisEnvironment;
  /** Epoch-ms clock: "today" is today in Seoul by it. @defaultValue Date.now */
  readonly clock?: () => number;
  /** WebSocket base URL; `/tryitout` is appended. @defaultValue transport.endpoints.wsBaseUrl */
  readonly webSocketUrl?: string;
  /** Creates the WebSocket. @defaultValue `new WebSocket(url, { perMessageDeflate: false })` (ws) */
  readonly webSocketFactory?: KisWebSocketFactory;
  /** Log hook. Never receives secrets. */
  readonly logger?: KisLogger;
  /** How long `subscribe` waits for the subscribe reply. @defaultValue 10_000 */
  readonly subscribeTimeoutMs?: number;
  /** The PDNO inquire-psbl-order needs for `getBalance` (cash does not depend on it). @defaultValue '005930' */
  readonly balanceReferenceSymbol?: string;
}

/** How much of one symbol the account can buy now (KIS inquire-psbl-order). */
export interface KisBuyingPower {
  readonly symbol: string;
  /** The limit price asked about, or null (market: KIS sizes at the upper limit price). */
  readonly limitPrice: number | null;
  /** The unit price KIS sized the quantities with. */
  readonly unitPrice: number;
  /** Cash available for a new buy now, KRW. */
  readonly orderableCash: number;
  /** Shares buyable with cash only (no 미수 credit) and what they cost. */
  readonly quantity: number;
  readonly amount: number;
  /** Shares buyable counting 미수 credit and what they cost. */
  readonly quantityWithCredit: number;
  readonly amountWithCredit: number;
}

/** The KIS adapter: an OrderAdapter with `getBalance`, `getQuote`, `getBuyingPower` and `close`. */
export type KisOrderAdapter = OrderAdapter & {
  readonly environment: KisEnvironment;
  getBalance(options?: CallOptions): Promise<Balance>;
  /**
   * The current price and the day's limits of one symbol: one inquire-price request.
   * @throws {InvalidOrderError} for a malformed symbol (nothing sent).
   */
  getQuote(symbol: string, options?: CallOptions): Promise<Quote>;
  /**
   * Buying power for one symbol at a limit price (or at market when `limitPrice` is null):
   * one inquire-psbl-order request.
   * @throws {InvalidOrderError} for a malformed symbol or a price off the KRX tick (nothing sent).
   */
  getBuyingPower(
    symbol: string,
    limitPrice: number | null,
    options?: CallOptions,
  ): Promise<KisBuyingPower>;
  close(): Promise<void>;
};

/**
 * The divisions and venues KIS takes per environment (docs/order-types.md): real takes every
 * division QTS knows on KRX, NXT and SOR (Portal "주식주문(현금)"); paper takes limit, market,
 * conditional, best and priority on KRX only (python-kis marks 05-07 and 11-16 as not offered in
 * paper; the Portal's paper notes say KRX only).
 */
const ORDER_OPTIONS: Readonly<Record<KisEnvironment, OrderOptionSupport>> = Object.freeze({
  real: Object.freeze({
    divisions: Object.freeze([
      'limit',
      'market',
      'conditional',
      'best',
      'priority',
      'pre-market-close',
      'post-market-close',
      'after-hours-single',
      'ioc-limit',
      'fok-limit',
      'ioc-market',
      'fok-market',
      'ioc-best',
      'fok-best',
    ] as const satisfies readonly OrderDivision[]),
    venues: Object.freeze(['KRX', 'NXT', 'SOR'] as const satisfies readonly Venue[]),
  }),
  paper: Object.freeze({
    divisions: Object.freeze([
      'limit',
      'market',
      'conditional',
      'best',
      'priority',
    ] as const satisfies readonly OrderDivision[]),
    venues: Object.freeze(['KRX'] as const satisfies readonly Venue[]),
  }),
});

function capabilitiesOf(environment: KisEnvironment): AdapterCapabilities {
  return Object.freeze({
    modify: true,
    openOrderInquiry: true,
    notices: true,
    balance: true,
    marketOrders: true,
    quote: true,
    orderOptions: ORDER_OPTIONS[environment],
  });
}

/** True when an order reference names a division or venue beyond a plain KRX limit / market order. */
function hasDivisionFields(ref: OrderRef): boolean {
  return (
    ref.priceCondition !== undefined ||
    ref.executionCondition !== undefined ||
    ref.session !== undefined ||
    ref.venue !== undefined
  );
}

/** The division of an order reference (a plain limit or market order when its fields name none). */
function divisionOfRef(ref: OrderRef): OrderDivision {
  return orderDivisionOf(ref) ?? ref.type;
}

function withSignal(request: KisRequest, options: CallOptions | undefined): KisRequest {
  return options?.signal === undefined ? request : { ...request, signal: options.signal };
}

function invalid(field: OrderIssue['field'], code: string, message: string): InvalidOrderError {
  return new InvalidOrderError([{ field, code, message }]);
}

/**
 * Creates the KIS Order Adapter (specification v1).
 *
 * @param options Transport, approval-key source, environment and optional clock / WebSocket.
 * @returns The adapter.
 * @throws {ConfigError} when the environment does not match the transport's.
 * @example
 * ```ts
 * const transport = createKisTransport({ endpoints, credentials, auth });
 * const adapter = createKisOrderAdapter({ transport, auth, environment: 'paper' });
 * const ack = await adapter.placeOrder({ clientOrderId: 'a1', symbol: '005930', side: 'buy',
 *   quantity: 1, type: 'limit', limitPrice: 70_000 });
 * ```
 */
export function createKisOrderAdapter(options: KisOrderAdapterOptions): KisOrderAdapter {
  const { transport, auth, environment } = options;
  if (transport.endpoints.environment !== environment) {
    throw new ConfigError(
      `KIS adapter: environment '${environment}' does not match the transport's '${transport.endpoints.environment}'`,
    );
  }
  const clock = options.clock ?? Date.now;
  const CAPABILITIES = capabilitiesOf(environment);
  const log: KisLogger = options.logger ?? (() => {});
  const credentials = transport.credentials;
  const account = {
    accountNumber: credentials.accountNumber,
    accountProductCode: credentials.accountProductCode,
  };
  const webSocketUrl = `${(options.webSocketUrl ?? transport.endpoints.wsBaseUrl).replace(/\/+$/, '')}${KIS_WEBSOCKET_PATH}`;
  const webSocketFactory: KisWebSocketFactory =
    options.webSocketFactory ?? ((url) => new WebSocket(url, { perMessageDeflate: false }));
  /** The Seoul date of the last `today()` and the instants (epoch ms) its day starts and ends. */
  let day = { start: 0, end: 0, date: '' };
  /** Today in Seoul (YYYYMMDD) by `clock`; asked once a notice, so the day is kept until it ends. */
  const today = (): string => {
    const now = clock();
    if (now >= day.start && now < day.end) return day.date;
    const date = seoulDate(new Date(now));
    // Seoul keeps UTC+9 all year: its days start at 15:00 UTC.
    const start = Math.floor((now + SEOUL_OFFSET_MS) / DAY_MS) * DAY_MS - SEOUL_OFFSET_MS;
    day = { start, end: start + DAY_MS, date };
    return date;
  };

  // Order numbers as this adapter returned them in acks, by their normalised form, so notices
  // report the same string the caller holds.
  const ackedIds = new Map<string, string>();
  const remember = (orderNumber: string): void => {
    const key = normalizeOrderNumber(orderNumber);
    if (!ackedIds.has(key)) ackedIds.set(key, orderNumber);
  };
  const tracker = new KisNoticeTracker({
    displayId: (orderNumber) => ackedIds.get(normalizeOrderNumber(orderNumber)) ?? orderNumber,
  });

  async function send(what: string, kind: KisCallKind, request: KisRequest): Promise<KisResponse> {
    let response: KisResponse;
    try {
      response = await transport.request(request);
    } catch (error) {
      throw toContractError(error, what, kind);
    }
    if (!response.ok) throw rejectionOf(response, what);
    return response;
  }

  function parsed<T>(what: string, kind: KisCallKind, result: KisParseResult<T>): T {
    if (!result.success) throw invalidResponseOf(what, result.issues, kind);
    return result.output;
  }

  async function pages<T>(
    what: string,
    request: (context: KisPageContext) => KisRequest,
    parse: (body: unknown) => KisParseResult<T & { readonly context: KisPageContext }>,
  ): Promise<T[]> {
    const out: T[] = [];
    let context: KisPageContext = { contextFk: '', contextNk: '' };
    for (let page = 1; page <= KIS_MAX_PAGES; page += 1) {
      const base = request(context);
      const response = await send(what, 'inquiry', page === 1 ? base : { ...base, trCont: 'N' });
      const result = parsed(what, 'inquiry', parse(response.body));
      out.push(result);
      const more = response.trCont === 'F' || response.trCont === 'M';
      if (!more) return out;
      context = result.context;
    }
    throw invalidResponseOf(
      what,
      `more than ${KIS_MAX_PAGES} pages (tr_cont never ended)`,
      'inquiry',
    );
  }

  function ackOf(output: KisOrderOutput, response: KisResponse, original: string | null): OrderAck {
    remember(output.orderNumber);
    const tradingDate = today();
    return {
      brokerOrderId: output.orderNumber,
      brokerBranch: output.branch,
      originalBrokerOrderId: original,
      acceptedAt: seoulIso(tradingDate, output.orderTime),
      tradingDate,
      brokerCode: response.msgCd === '' ? null : response.msgCd,
      brokerMessage: response.msg1.replace(/\s+$/u, ''),
    };
  }

  async function placeOrder(request: OrderRequest, callOptions?: CallOptions): Promise<OrderAck> {
    assertSupportedOrderRequest(request, CAPABILITIES, `kis (${environment})`);
    const division = orderDivisionOf(request) ?? request.type;
    const what = `KIS order-cash ${request.side} ${request.symbol}`;
    const response = await send(
      what,
      'order',
      withSignal(
        {
          method: 'POST',
          path: KIS_ORDER_CASH_PATH,
          trId: kisTrId(environment, KIS_ORDER_CASH_TR_IDS[request.side]),
          body: buildKisOrderCashRequest({
            ...account,
            symbol: request.symbol,
            division,
            venue: venueOf(request) ?? 'KRX',
            quantity: request.quantity,
            limitPrice: request.limitPrice ?? null,
          }),
        },
        callOptions,
      ),
    );
    return ackOf(parsed(what, 'order', parseKisOrderOutput(response.body)), response, null);
  }

  function checkRef(ref: OrderRef): void {
    const result = v.safeParse(OrderRefSchema, ref);
    if (!result.success) {
      throw new InvalidOrderError(
        result.issues.map((issue) => ({
          field: 'symbol' as const,
          code: 'order-ref-invalid',
          message: `The order reference is malformed at ${v.getDotPath(issue) ?? '(root)'}: ${issue.message}.`,
        })),
      );
    }
    if (hasDivisionFields(ref) && orderDivisionOf(ref) === null) {
      throw invalid(
        'type',
        'order-ref-invalid',
        'The order reference names no order division KIS offers (check its priceCondition, executionCondition and session); nothing was sent.',
      );
    }
  }

  /** A cancel or modify of an order that does not rest, or a new price on an exchange-priced order: refused, nothing sent. */
  function checkRevision(
    ref: OrderRef,
    action: { readonly kind: 'cancel' } | { readonly kind: 'modify'; readonly limitPrice?: number },
  ): void {
    // A plain limit or market order behaves as before (a market order may be modified to a limit).
    if (!hasDivisionFields(ref)) return;
    const issue = revisionIssue(ref, action);
    if (issue !== null) throw new InvalidOrderError([issue]);
  }

  async function branchOf(ref: OrderRef, callOptions?: CallOptions): Promise<string> {
    if (ref.brokerBranch !== null && ref.brokerBranch.trim() !== '') return ref.brokerBranch;
    // KIS rejects a modify / cancel without KRX_FWDG_ORD_ORGNO; look it up (ord_gno_brno).
    const orders = await getOrders(
      { tradingDate: ref.tradingDate, symbol: ref.symbol, brokerOrderId: ref.brokerOrderId },
      callOptions,
    );
    const branch = orders.find((order) => order.kind === 'order')?.brokerBranch ?? null;
    if (branch === null) {
      throw new BrokerRejectedError(
        'ORDER_NOT_FOUND',
        `KIS: order ${ref.brokerOrderId} of ${ref.tradingDate} was not found, so its branch (KRX_FWDG_ORD_ORGNO) is unknown; nothing was sent`,
      );
    }
    return branch;
  }

  /** One order-rvsecncl request (cancel or modify) on a known branch. */
  async function reviseStep(
    ref: OrderRef,
    branch: string,
    action: 'cancel' | 'modify',
    division: OrderDivision,
    quantity: number | 'all',
    limitPrice: number | null,
    callOptions: CallOptions | undefined,
  ): Promise<OrderAck> {
    const what = `KIS order-rvsecncl ${action} ${ref.brokerOrderId}`;
    const response = await send(
      what,
      'order',
      withSignal(
        {
          method: 'POST',
          path: KIS_ORDER_RVSECNCL_PATH,
          trId: kisTrId(environment, KIS_ORDER_RVSECNCL_TR_ID),
          body: buildKisOrderRvsecnclRequest({
            ...account,
            branch,
            originalOrderNumber: ref.brokerOrderId,
            action,
            division,
            venue: venueOf(ref) ?? 'KRX',
            quantity,
            limitPrice,
          }),
        },
        callOptions,
      ),
    );
    return ackOf(
      parsed(what, 'order', parseKisOrderOutput(response.body)),
      response,
      ref.brokerOrderId,
    );
  }

  /**
   * The order's current state at KIS, by ONE inquiry: real, today: inquire-psbl-rvsecncl (what
   * can still be revised, `psbl_qty`); an order missing there has nothing open, and the day's
   * daily-ccld row then gives its fills. Paper (no such TR) and earlier days: daily-ccld.
   * Null when no inquiry lists the order (today's rows can show up late).
   */
  async function standingOf(ref: OrderRef, callOptions?: CallOptions): Promise<BrokerOrder | null> {
    const wanted = normalizeOrderNumber(ref.brokerOrderId);
    const same = (order: BrokerOrder) =>
      normalizeOrderNumber(order.brokerOrderId) === wanted && order.kind !== 'cancel';
    let listedOpen = false;
    if (environment === 'real' && ref.tradingDate === today()) {
      const open = (await openOrdersToday(callOptions)).find(same);
      if (open !== undefined) return open;
      listedOpen = true;
    }
    const day = (
      await dailyCcld({ tradingDate: ref.tradingDate, symbol: ref.symbol }, callOptions)
    ).find(same);
    if (day === undefined || !listedOpen || day.remainingQuantity === 0) return day ?? null;
    // The open-order list is what KIS lets one revise: nothing there means nothing open.
    return { ...day, remainingQuantity: 0 };
  }

  function amount(value: number): string {
    return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
  }

  function detailsOf(order: BrokerOrder): QtsErrorDetails {
    return {
      brokerOrderId: order.brokerOrderId,
      status: order.status,
      quantity: order.quantity,
      filledQuantity: order.filledQuantity,
      averagePrice: order.averagePrice,
      canceledQuantity: order.canceledQuantity,
      remainingQuantity: order.remainingQuantity,
    };
  }

  /** ORDER_NOT_OPEN: what happened to the order, in the user's words ("filled 5 @ 59,000"). */
  function notOpen(
    ref: OrderRef,
    order: BrokerOrder,
    action: 'cancel' | 'modify',
    rejection: QtsError | null,
  ): BrokerRejectedError {
    const filled =
      order.filledQuantity > 0
        ? `filled ${order.filledQuantity}${order.averagePrice === null ? '' : ` @ ${amount(order.averagePrice)}`}`
        : null;
    const canceled = order.canceledQuantity > 0 ? `canceled ${order.canceledQuantity}` : null;
    const what = [filled, canceled].filter((part) => part !== null).join(', ') || order.status;
    const sent =
      rejection === null
        ? 'nothing was sent'
        : `KIS refused the ${action} (${rejection.brokerCode ?? '-'} ${rejection.brokerMessage ?? ''})`.trimEnd();
    return new BrokerRejectedError(
      'ORDER_NOT_OPEN',
      `KIS: order ${ref.brokerOrderId} has nothing left open: ${what} before your ${action}; ${sent}`,
      {
        details: detailsOf(order),
        ...(rejection === null
          ? {}
          : {
              brokerCode: rejection.brokerCode,
              brokerMessage: rejection.brokerMessage,
              cause: rejection,
            }),
      },
    );
  }

  /**
   * After KIS refused a revision: one inquiry; when nothing is left open (a fill came first),
   * the truth as ORDER_NOT_OPEN (broker code and message kept), else the refusal itself.
   */
  async function explainRefusal(
    error: unknown,
    ref: OrderRef,
    action: 'cancel' | 'modify',
    callOptions: CallOptions | undefined,
  ): Promise<unknown> {
    if (!(error instanceof BrokerRejectedError) || error.code === 'ORDER_NOT_OPEN') return error;
    let order: BrokerOrder | null;
    try {
      order = await standingOf(ref, callOptions);
    } catch {
      return error;
    }
    return order !== null && order.remainingQuantity === 0
      ? notOpen(ref, order, action, error)
      : error;
  }

  async function branchFor(
    ref: OrderRef,
    standing: BrokerOrder | null | undefined,
    callOptions: CallOptions | undefined,
  ): Promise<string> {
    if (ref.brokerBranch !== null && ref.brokerBranch.trim() !== '') return ref.brokerBranch;
    if (standing?.brokerBranch != null && standing.brokerBranch.trim() !== '') {
      return standing.brokerBranch;
    }
    return branchOf(ref, callOptions);
  }

  async function cancelOrder(ref: OrderRef, callOptions?: CallOptions): Promise<OrderAck> {
    checkRef(ref);
    checkRevision(ref, { kind: 'cancel' });
    const branch = await branchFor(ref, undefined, callOptions);
    try {
      return await reviseStep(ref, branch, 'cancel', divisionOfRef(ref), 'all', null, callOptions);
    } catch (error) {
      throw await explainRefusal(error, ref, 'cancel', callOptions);
    }
  }

  /**
   * Modify. The contract's `quantity` is the NEW REMAINING quantity; KIS's ORD_QTY with
   * QTY_ALL_ORD_YN `N` moves only that many shares and leaves the rest live at the old price.
   * So a quantity change is: one inquiry (what is still open), a partial cancel of the
   * difference, then, when the price changes, a modify of all that remains (a fill between the
   * two requests simply leaves fewer shares to move). The ack is the last step's; a
   * quantity-only change acks the partial cancel but names the order that stays live.
   */
  async function modifyOrder(
    ref: OrderRef,
    change: OrderChange,
    callOptions?: CallOptions,
  ): Promise<OrderAck> {
    checkRef(ref);
    if (change.limitPrice === undefined && change.quantity === undefined) {
      throw invalid('limitPrice', 'modify-empty', 'A modify needs a new limit price or quantity.');
    }
    checkRevision(ref, {
      kind: 'modify',
      ...(change.limitPrice === undefined ? {} : { limitPrice: change.limitPrice }),
    });
    // The order keeps its division; a new price on a plain market order makes it a limit order.
    const ownDivision = divisionOfRef(ref);
    const division: OrderDivision =
      change.limitPrice !== undefined && ownDivision === 'market' ? 'limit' : ownDivision;
    const parts = orderDivisionParts(division);
    const priced = ORDER_DIVISION_RULES[division].limitPrice === 'required';
    const limitPrice = priced ? (change.limitPrice ?? ref.limitPrice) : null;
    const issues = validateOrderRequest({
      clientOrderId: 'modify',
      symbol: ref.symbol,
      side: ref.side,
      quantity: change.quantity ?? ref.quantity,
      ...parts,
      ...(ref.venue === undefined ? {} : { venue: ref.venue }),
      ...(priced ? { limitPrice } : {}),
    });
    if (change.quantity !== undefined && change.quantity > ref.quantity) {
      issues.push({
        field: 'quantity',
        code: 'modify-quantity-above-order',
        message: `A modify cannot raise the quantity above the order's ${ref.quantity} shares; place a new order for more.`,
      });
    }
    if (issues.length > 0) throw new InvalidOrderError(issues);

    if (change.quantity === undefined) {
      const branch = await branchFor(ref, undefined, callOptions);
      try {
        return await reviseStep(ref, branch, 'modify', division, 'all', limitPrice, callOptions);
      } catch (error) {
        throw await explainRefusal(error, ref, 'modify', callOptions);
      }
    }

    const wanted = change.quantity;
    const standing = await standingOf(ref, callOptions);
    if (standing === null) {
      throw new BrokerRejectedError(
        'ORDER_NOT_FOUND',
        `KIS: the inquiry does not list order ${ref.brokerOrderId} of ${ref.tradingDate} (today's orders can show up late), so its open quantity is unknown; nothing was sent`,
        {
          hint: 'Nothing was sent. Try again in a few seconds, or check the order with `qts orders`.',
        },
      );
    }
    if (standing.remainingQuantity === 0) throw notOpen(ref, standing, 'modify', null);
    const open = standing.remainingQuantity;
    if (wanted > open) {
      throw invalid(
        'quantity',
        'modify-quantity-above-open',
        `Order ${ref.brokerOrderId} has ${open} shares open (${standing.filledQuantity} filled); the new remaining quantity cannot be ${wanted}. Nothing was sent.`,
      );
    }
    const toCancel = open - wanted;
    const priceChange = change.limitPrice !== undefined;
    if (toCancel === 0 && !priceChange) {
      throw invalid(
        'quantity',
        'modify-no-change',
        `Order ${ref.brokerOrderId} already has ${open} shares open; nothing to change, nothing was sent.`,
      );
    }
    const branch = await branchFor(ref, standing, callOptions);
    let cancelAck: OrderAck | null = null;
    if (toCancel > 0) {
      try {
        cancelAck = await reviseStep(
          ref,
          branch,
          'cancel',
          ownDivision,
          toCancel,
          null,
          callOptions,
        );
      } catch (error) {
        throw await explainRefusal(error, ref, 'modify', callOptions);
      }
      if (!priceChange) {
        // The shares left stay on the original order number: that is the live order.
        return { ...cancelAck, brokerOrderId: ref.brokerOrderId, brokerBranch: branch };
      }
    }
    try {
      return await reviseStep(ref, branch, 'modify', division, 'all', limitPrice, callOptions);
    } catch (error) {
      if (cancelAck === null) throw await explainRefusal(error, ref, 'modify', callOptions);
      throw await incomplete(error, ref, cancelAck, toCancel, wanted, callOptions);
    }
  }

  /** The partial cancel went through, the modify of the rest did not: say exactly that. */
  async function incomplete(
    error: unknown,
    ref: OrderRef,
    cancelAck: OrderAck,
    canceled: number,
    wanted: number,
    callOptions: CallOptions | undefined,
  ): Promise<QtsError> {
    const cause = QtsError.isInstance(error)
      ? error
      : new OutcomeUnknownError(String(error), { cause: error });
    let now: BrokerOrder | null = null;
    try {
      now = await standingOf(ref, callOptions);
    } catch {
      // best effort: the details then say only what was sent
    }
    const details: QtsErrorDetails = {
      completedStep: 'cancel',
      canceledQuantity: canceled,
      cancelBrokerOrderId: cancelAck.brokerOrderId,
      failedStep: 'modify',
      brokerOrderId: ref.brokerOrderId,
      intendedRemainingQuantity: wanted,
      ...(now === null
        ? {}
        : {
            filledQuantity: now.filledQuantity,
            averagePrice: now.averagePrice,
            remainingQuantity: now.remainingQuantity,
          }),
    };
    const state =
      now === null
        ? ''
        : now.remainingQuantity === 0
          ? ` The rest filled meanwhile (filled ${now.filledQuantity}); nothing is open.`
          : ` ${now.remainingQuantity} shares stay open at the old price ${ref.limitPrice === null ? 'market' : amount(ref.limitPrice)}.`;
    const message = `KIS: the modify of order ${ref.brokerOrderId} stopped half-way: ${canceled} shares were canceled (cancel ${cancelAck.brokerOrderId}), then the price change of the rest failed: ${cause.message}.${state}`;
    if (cause.outcome === 'unknown') {
      return new OutcomeUnknownError(message, {
        code:
          cause.code === 'INVALID_BROKER_RESPONSE' ? 'INVALID_BROKER_RESPONSE' : 'OUTCOME_UNKNOWN',
        brokerCode: cause.brokerCode,
        brokerMessage: cause.brokerMessage,
        details,
        cause,
      });
    }
    return new BrokerRejectedError('REVISION_INCOMPLETE', message, {
      brokerCode: cause.brokerCode,
      brokerMessage: cause.brokerMessage,
      details,
      cause,
    });
  }

  async function dailyCcld(query: OrdersQuery, callOptions?: CallOptions): Promise<BrokerOrder[]> {
    const what = `KIS inquire-daily-ccld ${query.tradingDate}`;
    const results = await pages(
      what,
      (context) =>
        withSignal(
          {
            method: 'GET',
            path: KIS_INQUIRE_DAILY_CCLD_PATH,
            trId: kisTrId(environment, kisDailyCcldTrIdFor(query.tradingDate, today())),
            query: buildKisInquireDailyCcldRequest({
              ...account,
              tradingDate: query.tradingDate,
              symbol: query.symbol ?? '',
              openOnly: query.openOnly === true,
              // Real orders may go to NXT or SOR: list every venue's; paper is KRX only.
              exchanges: environment === 'real' ? 'ALL' : 'KRX',
              context,
            }),
          },
          callOptions,
        ),
      parseKisInquireDailyCcld,
    );
    return results.flatMap((page) => page.rows.map(mapKisDailyCcldRow));
  }

  async function openOrdersToday(callOptions?: CallOptions): Promise<BrokerOrder[]> {
    const what = 'KIS inquire-psbl-rvsecncl';
    const tradingDate = today();
    const results = await pages(
      what,
      (context) =>
        withSignal(
          {
            method: 'GET',
            path: KIS_INQUIRE_PSBL_RVSECNCL_PATH,
            trId: kisTrId(environment, KIS_INQUIRE_PSBL_RVSECNCL_TR_ID),
            query: buildKisInquirePsblRvsecnclRequest({ ...account, context }),
          },
          callOptions,
        ),
      parseKisInquirePsblRvsecncl,
    );
    return results.flatMap((page) =>
      page.rows.map((row) => mapKisPsblRvsecnclRow(row, tradingDate)),
    );
  }

  async function getOrders(query: OrdersQuery, callOptions?: CallOptions): Promise<BrokerOrder[]> {
    const checked = v.safeParse(OrdersQuerySchema, query);
    if (!checked.success) {
      throw new ConfigError(
        `KIS getOrders: the query is malformed (${checked.issues.map((issue) => issue.message).join('; ')}); nothing was sent`,
      );
    }
    // Real: the open-order TR answers for today; paper has none (daily-ccld CCLD_DVSN 02).
    const useOpenOrderTr =
      query.openOnly === true && environment === 'real' && query.tradingDate === today();
    const orders = useOpenOrderTr
      ? await openOrdersToday(callOptions)
      : await dailyCcld(query, callOptions);
    const wanted =
      query.brokerOrderId === undefined ? null : normalizeOrderNumber(query.brokerOrderId);
    return orders.filter(
      (order) =>
        (query.symbol === undefined || order.symbol === query.symbol) &&
        (wanted === null || normalizeOrderNumber(order.brokerOrderId) === wanted) &&
        (query.openOnly !== true || order.remainingQuantity > 0),
    );
  }

  async function getBalance(callOptions?: CallOptions): Promise<Balance> {
    const what = 'KIS inquire-balance';
    const results = await pages(
      what,
      (context) =>
        withSignal(
          {
            method: 'GET',
            path: KIS_INQUIRE_BALANCE_PATH,
            trId: kisTrId(environment, KIS_INQUIRE_BALANCE_TR_ID),
            query: buildKisInquireBalanceRequest({ ...account, context }),
          },
          callOptions,
        ),
      parseKisInquireBalance,
    );
    const first = results[0];
    if (first === undefined || first.deposit === null) {
      throw invalidResponseOf(what, 'output2 (dnca_tot_amt) missing', 'inquiry');
    }
    const whatCash = 'KIS inquire-psbl-order';
    const cashResponse = await send(
      whatCash,
      'inquiry',
      withSignal(
        {
          method: 'GET',
          path: KIS_INQUIRE_PSBL_ORDER_PATH,
          trId: kisTrId(environment, KIS_INQUIRE_PSBL_ORDER_TR_ID),
          query: buildKisInquirePsblOrderRequest({
            ...account,
            symbol: options.balanceReferenceSymbol ?? '005930',
          }),
        },
        callOptions,
      ),
    );
    const cash = parsed(whatCash, 'inquiry', parseKisInquirePsblOrder(cashResponse.body));
    const holdings: KisHolding[] = results.flatMap((page) => [...page.holdings]);
    return {
      cash: {
        currency: 'KRW',
        deposit: first.deposit,
        orderable: cash.orderableCash,
        totalValue: first.totalValue,
      },
      positions: holdings
        .filter((holding) => holding.quantity > 0)
        .map((holding) => ({
          symbol: holding.symbol,
          name: holding.name === '' ? null : holding.name,
          quantity: holding.quantity,
          sellableQuantity: holding.sellableQuantity,
          averagePrice: holding.averagePrice,
          currentPrice: holding.currentPrice,
          marketValue: holding.marketValue,
        })),
    };
  }

  async function getQuote(symbol: string, callOptions?: CallOptions): Promise<Quote> {
    if (!isValidSymbol(symbol)) {
      throw invalid(
        'symbol',
        'symbol-invalid',
        `Symbol ${JSON.stringify(symbol)} is not a KRX code: use 6 digits or capital letters (e.g. "005930"), or "Q" and 6 digits for an ETN. Nothing was sent.`,
      );
    }
    const what = `KIS inquire-price ${symbol}`;
    const response = await send(
      what,
      'inquiry',
      withSignal(
        {
          method: 'GET',
          path: KIS_INQUIRE_PRICE_PATH,
          trId: kisTrId(environment, KIS_INQUIRE_PRICE_TR_ID),
          query: buildKisInquirePriceRequest(symbol),
        },
        callOptions,
      ),
    );
    const output = parsed(what, 'inquiry', parseKisInquirePrice(response.body));
    return { symbol, ...output };
  }

  async function getBuyingPower(
    symbol: string,
    limitPrice: number | null,
    callOptions?: CallOptions,
  ): Promise<KisBuyingPower> {
    if (!isValidSymbol(symbol)) {
      throw invalid(
        'symbol',
        'symbol-invalid',
        `Symbol ${JSON.stringify(symbol)} is not a KRX code: use 6 digits or capital letters (e.g. "005930"), or "Q" and 6 digits for an ETN. Nothing was sent.`,
      );
    }
    if (limitPrice !== null && !isOnTick(limitPrice, productTypeOfSymbol(symbol))) {
      throw invalid(
        'limitPrice',
        'price-off-tick',
        `Limit price ${String(limitPrice)} KRW is not a positive whole price on the KRX tick of ${symbol}. Nothing was sent.`,
      );
    }
    const what = `KIS inquire-psbl-order ${symbol}`;
    const response = await send(
      what,
      'inquiry',
      withSignal(
        {
          method: 'GET',
          path: KIS_INQUIRE_PSBL_ORDER_PATH,
          trId: kisTrId(environment, KIS_INQUIRE_PSBL_ORDER_TR_ID),
          query: buildKisInquirePsblOrderRequest({ ...account, symbol, limitPrice }),
        },
        callOptions,
      ),
    );
    const output = parsed(what, 'inquiry', parseKisInquirePsblOrder(response.body));
    return { symbol, limitPrice, ...output };
  }

  // ---- notices: ONE connection shared by every listener ----
  const listeners = new Set<OrderEventListener>();
  let connecting: Promise<KisNoticeConnection> | null = null;

  function emit(event: OrderEvent): void {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A listener must not throw; the adapter ignores it.
      }
    }
  }

  async function connect(callOptions?: CallOptions): Promise<KisNoticeConnection> {
    const htsId = credentials.htsId;
    if (htsId === null || htsId.trim() === '') {
      throw new ConfigError(
        'KIS notices need the HTS id (credentials.htsId): the notice subscription is keyed by it',
      );
    }
    if (callOptions?.signal?.aborted === true) {
      throw new RouteUnavailableError('KIS notices: aborted before connecting', {
        code: 'ABORTED',
      });
    }
    let approvalKey: string;
    try {
      approvalKey = await auth.getApprovalKey(
        callOptions?.signal === undefined ? {} : { signal: callOptions.signal },
      );
    } catch (error) {
      throw toContractError(error, 'KIS notices: approval key', 'inquiry');
    }
    const connection = await openKisNoticeConnection({
      url: webSocketUrl,
      approvalKey,
      trId: KIS_CCNL_NOTICE_TR_IDS[environment],
      htsId,
      webSocketFactory,
      timeoutMs: options.subscribeTimeoutMs ?? 10_000,
      signal: callOptions?.signal,
      logger: log,
      onRecords: (records) => {
        for (const event of tracker.map(records, today())) emit(event);
      },
      onLost: (reason) => {
        connecting = null;
        emit({ type: 'connection-lost', reason, at: new Date(clock()).toISOString() });
        // The subscriptions ended with the connection; a new `subscribe` opens a new one.
        listeners.clear();
      },
    });
    return connection;
  }

  async function subscribe(
    listener: OrderEventListener,
    callOptions?: CallOptions,
  ): Promise<Unsubscribe> {
    if (connecting === null) {
      const attempt = connect(callOptions);
      connecting = attempt;
      attempt.catch(() => {
        if (connecting === attempt) connecting = null;
      });
    }
    const current = connecting;
    try {
      await current;
    } catch (error) {
      throw error as QtsError;
    }
    listeners.add(listener);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      listeners.delete(listener);
      if (listeners.size === 0 && connecting === current) {
        connecting = null;
        await (await current).close();
      }
    };
  }

  async function close(): Promise<void> {
    listeners.clear();
    const current = connecting;
    connecting = null;
    if (current !== null) {
      try {
        await (await current).close();
      } catch {
        // never opened
      }
    }
  }

  return {
    specificationVersion: 'v1',
    name: 'kis',
    environment,
    capabilities: CAPABILITIES,
    placeOrder,
    cancelOrder,
    modifyOrder,
    getOrders,
    subscribe,
    getBalance,
    getQuote,
    getBuyingPower,
    close,
  };
}
