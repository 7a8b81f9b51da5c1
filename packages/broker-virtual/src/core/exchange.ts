// The deterministic virtual exchange: the operations (place, cancel, modify, scripted fills and
// rejects, reference prices, listings) over one SQLite database (a file under QTS_HOME, or
// memory). Every operation is one IMMEDIATE transaction, so two processes sharing the file never
// interleave half an operation; events go out after the commit. The parts: exchange-store.ts (all
// SQL), ledger.ts (cash and positions), matching.ts (prices and fills), sessions.ts (session
// rules), events.ts (delivery).

import {
  isOnTick,
  isValidSymbol,
  NO_HOLIDAYS,
  ORDER_DIVISION_RULES,
  type OrderDivision,
  orderDivisionParts,
  type ProductType,
  productTypeOfSymbol,
  revisionIssue,
  seoulDate,
  type Venue,
  validateOrderRequest,
} from '@qts/order-contract';
import { VirtualExchangeError } from './errors.js';
import { createEventOutbox, type EventDraft, eventDraft } from './events.js';
import { createExchangeStore, type NewOrderRow } from './exchange-store.js';
import { createFaultQueues } from './faults.js';
import { checkAccount, createLedger } from './ledger.js';
import { createMatching, isImmediate } from './matching.js';
import {
  insufficientFunds,
  insufficientHoldings,
  invalidRequest,
  noReferencePrice,
  notModifiable,
  orderNotFound,
} from './rejections.js';
import { openDatabase } from './schema.js';
import { createSessionRules } from './sessions.js';
import {
  DEFAULT_STARTING_CASH,
  DEFAULT_VIRTUAL_ACCOUNT,
  DEFAULT_VIRTUAL_BRANCH,
  type ModifyOrderInput,
  type PlaceOrderInput,
  type VirtualBalance,
  type VirtualExchange,
  type VirtualExchangeOptions,
  type VirtualOrder,
  type VirtualOrdersQuery,
  type VirtualResult,
} from './types.js';

const isWholePositive = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

/**
 * Creates a virtual exchange.
 *
 * @param options File, clock, ids, starting cash, session rules, branch.
 * @returns The exchange; call `close()` when done.
 */
export function createVirtualExchange(options: VirtualExchangeOptions = {}): VirtualExchange {
  const clock = options.clock ?? Date.now;
  const startingCash = options.startingCash ?? DEFAULT_STARTING_CASH;
  if (!Number.isInteger(startingCash) || startingCash < 0) {
    throw new RangeError(`startingCash must be a whole number of KRW >= 0 (got ${startingCash}).`);
  }
  const branch = options.branch ?? DEFAULT_VIRTUAL_BRANCH;
  const defaultAccount = options.defaultAccount ?? DEFAULT_VIRTUAL_ACCOUNT;
  const sessionRules = options.sessionRules ?? false;
  const holidays = options.holidays ?? NO_HOLIDAYS;
  const file = options.file ?? null;
  const store = createExchangeStore(openDatabase(file));
  const faults = createFaultQueues();
  const outbox = createEventOutbox();
  const ledger = createLedger(store, { startingCash, clock });
  const { priceOf, applyFill, matchSymbol, divisionPrice, immediateFills } = createMatching(
    store,
    ledger,
    clock,
  );
  const { sessionRefusal, placeSessionRefusal } = createSessionRules({
    sessionRules,
    holidays,
    clock,
  });
  const readOrder = store.order;
  const mustOrder = store.mustOrder;
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new VirtualExchangeError('closed', 'The virtual exchange is closed.');
  }

  /** Runs `work` in one IMMEDIATE transaction, then delivers the events it queued. */
  function transact<T>(work: (events: EventDraft[]) => T): T {
    assertOpen();
    const events: EventDraft[] = [];
    const result = store.immediate(() => {
      // Day orders do not outlive their trading date.
      store.expireBefore(seoulDate(new Date(clock())));
      return work(events);
    });
    outbox.publish(events);
    return result;
  }

  const ensureAccount = (account: string): void => ledger.ensureAccount(account);

  function nextOrderNo(): string {
    if (options.ids !== undefined) {
      const id = options.ids();
      if (typeof id !== 'string' || id.length === 0) {
        throw new VirtualExchangeError(
          'invalid-id',
          'The ids option returned an empty order number.',
        );
      }
      if (readOrder(id) !== null) {
        throw new VirtualExchangeError('invalid-id', `The ids option returned ${id} twice.`);
      }
      return id;
    }
    const next = store.counter('order_no') + 1;
    store.setCounter('order_no', next);
    return String(next).padStart(10, '0');
  }

  function insertOrder(
    order: Omit<NewOrderRow, 'orderNo' | 'branch' | 'orderedAt' | 'tradingDate'>,
  ): VirtualOrder {
    const orderNo = nextOrderNo();
    const at = clock();
    store.insertOrder({
      ...order,
      orderNo,
      branch,
      orderedAt: at,
      tradingDate: seoulDate(new Date(at)),
    });
    return mustOrder(orderNo);
  }

  function checkPrice(productType: ProductType, price: unknown): string | null {
    if (!isWholePositive(price)) {
      return `Limit price must be a whole number of KRW above 0 (got ${String(price)}).`;
    }
    if (!isOnTick(price, productType)) {
      return `Limit price ${price} KRW is not on the KRX tick.`;
    }
    return null;
  }

  function place(account: string, input: PlaceOrderInput): VirtualResult {
    return transact((events) => {
      ensureAccount(account);
      const division: OrderDivision = input.division ?? input.type;
      const venue: Venue = input.venue ?? 'KRX';
      const rule = ORDER_DIVISION_RULES[division];
      if (rule === undefined || rule.type !== input.type) {
        return invalidRequest(
          `Order division ${String(division)} does not go with type ${String(input.type)}.`,
        );
      }
      const issues = validateOrderRequest({
        clientOrderId: 'virtual',
        symbol: input.symbol,
        side: input.side,
        quantity: input.quantity,
        ...orderDivisionParts(division),
        ...(venue === 'KRX' ? {} : { venue }),
        ...(input.productType === undefined ? {} : { productType: input.productType }),
        ...(input.limitPrice !== undefined && input.limitPrice !== null
          ? { limitPrice: input.limitPrice }
          : rule.limitPrice === 'required'
            ? { limitPrice: input.limitPrice }
            : {}),
      });
      if (issues.length > 0) return invalidRequest(issues.map((issue) => issue.message).join(' '));
      const closedRefusal = placeSessionRefusal(division, venue);
      if (closedRefusal !== null) return closedRefusal;
      const { symbol, side, type, quantity } = input;
      const priced = divisionPrice(division, side, symbol, input.limitPrice ?? null);
      if (!('price' in priced)) return priced;
      const limitPrice = priced.price;
      const reference = priceOf(symbol);
      const immediate = isImmediate(division);
      if (type === 'market' && reference === null && !immediate) return noReferencePrice(symbol);
      const fills = immediate ? immediateFills(division, side, symbol, quantity, limitPrice) : [];
      if (type === 'market' && immediate && reference === null && fills.length === 0) {
        return noReferencePrice(symbol);
      }
      const orderable = ledger.cash(account) - ledger.reserved(account);
      if (side === 'buy') {
        const planned = fills.reduce((sum, fill) => sum + fill.quantity * fill.price, 0);
        const cost = Math.max(quantity * (limitPrice ?? reference ?? 0), planned);
        if (cost > orderable) return insufficientFunds();
      } else {
        const sellable = ledger.sellable(account, symbol);
        if (quantity > sellable) return insufficientHoldings(symbol, quantity, sellable);
      }
      const order = insertOrder({
        account,
        originalOrderNo: null,
        kind: 'order',
        symbol,
        side,
        type,
        quantity,
        limitPrice,
        remaining: quantity,
        canceled: 0,
        productType: input.productType ?? productTypeOfSymbol(symbol) ?? 'stock',
        division,
        venue,
      });
      events.push(eventDraft('receipt', order, order.orderedAt));
      if (immediate) {
        let current = order;
        for (const fill of fills) {
          current = applyFill(current, fill.quantity, fill.price, events);
          if (fill.counterpart !== null) {
            applyFill(mustOrder(fill.counterpart.orderNo), fill.quantity, fill.price, events);
          }
        }
        if (current.remainingQuantity > 0) {
          const rest = current.remainingQuantity;
          store.cancelPart(order.orderNo, rest);
          const canceled = mustOrder(order.orderNo);
          events.push(eventDraft('exchange-cancel', canceled, clock()));
        }
        return { ok: true, order: mustOrder(order.orderNo) };
      }
      if (type === 'market' && reference !== null) {
        return { ok: true, order: applyFill(order, quantity, reference, events) };
      }
      if (reference === null && limitPrice !== null) store.setPrice(symbol, limitPrice, clock());
      matchSymbol(symbol, events);
      return { ok: true, order: mustOrder(order.orderNo) };
    });
  }

  function target(account: string, orderNo: string): VirtualOrder | VirtualResult {
    const order = typeof orderNo === 'string' ? readOrder(orderNo) : null;
    if (order === null || order.account !== account) return orderNotFound(String(orderNo));
    if (order.kind === 'cancel') return notModifiable(orderNo, 'is a cancel order');
    if (order.remainingQuantity <= 0)
      return notModifiable(orderNo, `has nothing open (${order.status})`);
    return order;
  }

  function quantityOf(requested: number | 'all' | undefined, remaining: number): number | null {
    if (requested === undefined || requested === 'all') return remaining;
    return isWholePositive(requested) && requested <= remaining ? requested : null;
  }

  function cancel(
    account: string,
    orderNo: string,
    quantity: number | 'all' = 'all',
  ): VirtualResult {
    return transact((events) => {
      ensureAccount(account);
      const closedRefusal = sessionRefusal();
      if (closedRefusal !== null) return closedRefusal;
      const found = target(account, orderNo);
      if (!('orderNo' in found)) return found;
      const canceled = quantityOf(quantity, found.remainingQuantity);
      if (canceled === null) {
        return invalidRequest(
          `Cancel quantity must be 'all' or a whole number from 1 to the remaining ${found.remainingQuantity} (got ${String(quantity)}).`,
        );
      }
      store.cancelPart(found.orderNo, canceled);
      const cancelOrder = insertOrder({
        account,
        originalOrderNo: found.orderNo,
        kind: 'cancel',
        symbol: found.symbol,
        side: found.side,
        type: found.type,
        quantity: canceled,
        limitPrice: found.limitPrice,
        remaining: 0,
        canceled,
        productType: found.productType,
        division: found.division,
        venue: found.venue,
      });
      events.push(
        eventDraft('cancel', cancelOrder, cancelOrder.orderedAt, {
          originalOrder: mustOrder(found.orderNo),
        }),
      );
      return { ok: true, order: cancelOrder };
    });
  }

  function modify(account: string, orderNo: string, change: ModifyOrderInput): VirtualResult {
    return transact((events) => {
      ensureAccount(account);
      const closedRefusal = sessionRefusal();
      if (closedRefusal !== null) return closedRefusal;
      const found = target(account, orderNo);
      if (!('orderNo' in found)) return found;
      // The modify keeps the order's division unless it names another (or another type).
      const division: OrderDivision =
        change.division ??
        (change.type !== undefined && change.type !== found.type ? change.type : found.division);
      const rule = ORDER_DIVISION_RULES[division];
      if (rule === undefined || !rule.rests) {
        return invalidRequest(
          `A modify cannot make an order ${String(division)}: IOC and FOK orders do not rest. Cancel the order and place a new one.`,
        );
      }
      const type = rule.type;
      const sameDivision = division === found.division;
      const newPrice = change.limitPrice ?? null;
      if (sameDivision && rule.limitPrice === 'forbidden' && newPrice !== null) {
        const issue = revisionIssue(orderDivisionParts(division), {
          kind: 'modify',
          limitPrice: newPrice,
        });
        if (issue !== null && newPrice !== found.limitPrice) return invalidRequest(issue.message);
      }
      let limitPrice: number | null;
      if (type === 'market') limitPrice = null;
      else if (rule.limitPrice === 'forbidden') {
        if (sameDivision) limitPrice = found.limitPrice;
        else {
          const priced = divisionPrice(division, found.side, found.symbol, null);
          if (!('price' in priced)) return priced;
          limitPrice = priced.price;
        }
      } else {
        limitPrice = change.limitPrice === undefined ? found.limitPrice : change.limitPrice;
        const problem = checkPrice(found.productType, limitPrice);
        if (problem !== null) return invalidRequest(problem);
        if (division === 'after-hours-single') {
          const priced = divisionPrice(division, found.side, found.symbol, limitPrice);
          if (!('price' in priced)) return priced;
        }
      }
      const moved = quantityOf(change.quantity, found.remainingQuantity);
      if (moved === null) {
        return invalidRequest(
          `Modify quantity must be 'all' or a whole number from 1 to the remaining ${found.remainingQuantity} (got ${String(change.quantity)}).`,
        );
      }
      const reference = priceOf(found.symbol);
      if (type === 'market' && reference === null) return noReferencePrice(found.symbol);
      if (found.side === 'buy') {
        const orderable = ledger.cash(account) - ledger.reserved(account);
        const released = moved * (found.limitPrice ?? 0);
        const cost = moved * (limitPrice ?? reference ?? 0);
        if (cost > orderable + released) return insufficientFunds();
      }
      store.movePart(found.orderNo, moved);
      const rest = found.remainingQuantity - moved;
      if (change.rest === 'cancel' && rest > 0) store.cancelPart(found.orderNo, rest);
      const modifyOrder = insertOrder({
        account,
        originalOrderNo: found.orderNo,
        kind: 'modify',
        symbol: found.symbol,
        side: found.side,
        type,
        quantity: moved,
        limitPrice,
        remaining: moved,
        canceled: 0,
        productType: found.productType,
        division,
        venue: found.venue,
      });
      events.push(
        eventDraft('modify', modifyOrder, modifyOrder.orderedAt, {
          originalOrder: mustOrder(found.orderNo),
        }),
      );
      if (type === 'market' && reference !== null) {
        return { ok: true, order: applyFill(modifyOrder, moved, reference, events) };
      }
      matchSymbol(found.symbol, events);
      return { ok: true, order: mustOrder(modifyOrder.orderNo) };
    });
  }

  function fillPartially(orderNo: string, quantity: number, price?: number): VirtualOrder {
    return transact((events) => {
      const order = readOrder(orderNo);
      if (order === null) {
        throw new VirtualExchangeError('order-not-found', `No order ${orderNo} to fill.`);
      }
      if (!isWholePositive(quantity) || quantity > order.remainingQuantity) {
        throw new VirtualExchangeError(
          'invalid-fill',
          `Order ${orderNo} has ${order.remainingQuantity} open; cannot fill ${String(quantity)}.`,
        );
      }
      const fillPrice = price ?? order.limitPrice ?? priceOf(order.symbol);
      if (!isWholePositive(fillPrice)) {
        throw new VirtualExchangeError(
          'invalid-price',
          `A fill of order ${orderNo} needs a whole positive price (got ${String(fillPrice)}).`,
        );
      }
      const limit = order.limitPrice;
      if (limit !== null && (order.side === 'buy' ? fillPrice > limit : fillPrice < limit)) {
        throw new VirtualExchangeError(
          'invalid-price',
          `Order ${orderNo} (${order.side} limit ${limit}) cannot fill at ${fillPrice}.`,
        );
      }
      return applyFill(order, quantity, fillPrice, events);
    });
  }

  function rejectOrder(orderNo: string, code: string, message: string): VirtualOrder {
    return transact((events) => {
      const order = readOrder(orderNo);
      if (order === null) {
        throw new VirtualExchangeError('order-not-found', `No order ${orderNo} to reject.`);
      }
      if (order.remainingQuantity <= 0) {
        throw new VirtualExchangeError(
          'invalid-fill',
          `Order ${orderNo} has nothing open to reject.`,
        );
      }
      store.reject(orderNo, code, message);
      const after = mustOrder(orderNo);
      events.push(eventDraft('reject', after, clock(), { code, message }));
      return after;
    });
  }

  function setReferencePrice(symbol: string, price: number): readonly VirtualOrder[] {
    if (!isValidSymbol(symbol)) {
      throw new VirtualExchangeError(
        'invalid-symbol',
        `${JSON.stringify(symbol)} is not a KRX symbol.`,
      );
    }
    if (!isWholePositive(price)) {
      throw new VirtualExchangeError(
        'invalid-price',
        `A reference price is a whole number of KRW above 0 (got ${String(price)}).`,
      );
    }
    return transact((events) => {
      store.setPrice(symbol, price, clock());
      return matchSymbol(symbol, events);
    });
  }

  function orders(account: string, query: VirtualOrdersQuery = {}): readonly VirtualOrder[] {
    assertOpen();
    checkAccount(account);
    const today = seoulDate(new Date(clock()));
    const from = query.from ?? query.tradingDate ?? today;
    const to = query.to ?? query.tradingDate ?? today;
    // Expire stale day orders first so a listing never shows yesterday's order as open.
    return transact(() =>
      store.listOrders({
        account,
        from,
        to,
        symbol: query.symbol,
        orderNo: query.orderNo,
        openOnly: query.openOnly,
      }),
    );
  }

  function balance(account: string): VirtualBalance {
    return transact(() => {
      ensureAccount(account);
      const cash = ledger.cash(account);
      const reservedCash = ledger.reserved(account);
      const today = seoulDate(new Date(clock()));
      const positions = ledger.positions(account, today);
      return { account, cash, orderableCash: cash - reservedCash, reservedCash, positions };
    });
  }

  return {
    branch,
    defaultAccount,
    startingCash,
    sessionRules,
    file,
    faults,
    now: () => clock(),
    tradingDate: (at) => seoulDate(new Date(at ?? clock())),
    openAccount: (account) => transact(() => ensureAccount(account)),
    place,
    cancel,
    modify,
    fillPartially,
    rejectOrder,
    setReferencePrice,
    referencePrice(symbol) {
      assertOpen();
      return priceOf(symbol);
    },
    referencePrices() {
      assertOpen();
      return store.prices();
    },
    getOrder(orderNo) {
      assertOpen();
      return readOrder(orderNo);
    },
    orders,
    balance,
    onEvent: (listener) => outbox.onEvent(listener),
    replayLastEvent: () => outbox.replayLast(),
    close() {
      if (closed) return;
      closed = true;
      outbox.clear();
      store.close();
    },
  };
}
