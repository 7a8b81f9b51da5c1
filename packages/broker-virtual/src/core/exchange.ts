// The deterministic virtual exchange: matching, cash, positions, rejections and events over one
// SQLite database (a file under QTS_HOME, or memory). Every operation is one IMMEDIATE
// transaction, so two processes sharing the file never interleave half an operation; events go
// out after the commit.

import {
  isOnTick,
  isValidSymbol,
  krxSessionAt,
  NO_HOLIDAYS,
  ORDER_DIVISION_RULES,
  type OrderDivision,
  orderDivisionParts,
  orderWindowAt,
  orderWindowIssue,
  type ProductType,
  productTypeOfSymbol,
  revisionIssue,
  seoulDate,
  seoulTime,
  type Venue,
  validateOrderRequest,
} from '@qts/order-contract';
import { VirtualExchangeError } from './errors.js';
import { createFaultQueues } from './faults.js';
import {
  insufficientFunds,
  insufficientHoldings,
  invalidRequest,
  marketClosed,
  noReferencePrice,
  notModifiable,
  orderNotFound,
  outsideSession,
} from './rejections.js';
import {
  type Db,
  numberColumn,
  openDatabase,
  toOrder,
  toPositionRow,
  toPriceRow,
} from './store.js';
import {
  DEFAULT_STARTING_CASH,
  DEFAULT_VIRTUAL_ACCOUNT,
  DEFAULT_VIRTUAL_BRANCH,
  type ModifyOrderInput,
  type PlaceOrderInput,
  type VirtualBalance,
  type VirtualEvent,
  type VirtualEventListener,
  type VirtualExchange,
  type VirtualExchangeOptions,
  type VirtualOrder,
  type VirtualOrdersQuery,
  type VirtualPosition,
  type VirtualResult,
} from './types.js';

type EventDraft = Omit<VirtualEvent, 'sequence'>;

const ORDER_COLUMNS =
  'order_no, account, branch, original_order_no, kind, symbol, side, type, quantity, limit_price, filled_quantity, filled_amount, remaining_quantity, canceled_quantity, modified_quantity, rejected_quantity, reject_code, reject_message, ordered_at, trading_date, product_type, division, venue';

/** Divisions whose unfilled part the exchange cancels at once (IOC / FOK). */
const isImmediate = (division: OrderDivision): boolean => !ORDER_DIVISION_RULES[division].rests;
const isFillOrKill = (division: OrderDivision): boolean =>
  orderDivisionParts(division).executionCondition === 'fok';

/** The after-hours single-price band: within 10 % of the reference price (KRX). */
const SINGLE_PRICE_BAND = 0.1;

const isWholePositive = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

function checkAccount(account: string): void {
  if (typeof account !== 'string' || account.length === 0 || account.length > 64) {
    throw new VirtualExchangeError(
      'invalid-account',
      `An account id is a non-empty string of at most 64 characters (got ${JSON.stringify(account)}).`,
    );
  }
}

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
  const db: Db = openDatabase(file);
  const faults = createFaultQueues();
  const listeners = new Set<VirtualEventListener>();
  let sequence = 0;
  let lastEvent: VirtualEvent | null = null;
  let closed = false;

  const stmt = (sql: string) => db.prepare(sql);
  const listings = new Map<string, ReturnType<typeof stmt>>();
  const q = {
    account: stmt('SELECT cash FROM accounts WHERE account = ?'),
    insertAccount: stmt(
      'INSERT OR IGNORE INTO accounts (account, cash, created_at) VALUES (?, ?, ?)',
    ),
    addCash: stmt('UPDATE accounts SET cash = cash + ? WHERE account = ?'),
    order: stmt(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_no = ?`),
    insertOrder: stmt(
      `INSERT INTO orders (${ORDER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    resting: stmt(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE symbol = ? AND remaining_quantity > 0 AND type = 'limit' ORDER BY seq`,
    ),
    reserved: stmt(
      `SELECT SUM(remaining_quantity * limit_price) AS total FROM orders WHERE account = ? AND side = 'buy' AND remaining_quantity > 0 AND type = 'limit'`,
    ),
    sellHeld: stmt(
      `SELECT SUM(remaining_quantity) AS total FROM orders WHERE account = ? AND symbol = ? AND side = 'sell' AND remaining_quantity > 0`,
    ),
    position: stmt(
      'SELECT symbol, quantity, average_price FROM positions WHERE account = ? AND symbol = ?',
    ),
    positions: stmt(
      'SELECT symbol, quantity, average_price FROM positions WHERE account = ? ORDER BY symbol',
    ),
    upsertPosition: stmt(
      'INSERT INTO positions (account, symbol, quantity, average_price) VALUES (?, ?, ?, ?) ON CONFLICT (account, symbol) DO UPDATE SET quantity = excluded.quantity, average_price = excluded.average_price',
    ),
    deletePosition: stmt('DELETE FROM positions WHERE account = ? AND symbol = ?'),
    price: stmt('SELECT symbol, price FROM reference_prices WHERE symbol = ?'),
    prices: stmt('SELECT symbol, price FROM reference_prices ORDER BY symbol'),
    setPrice: stmt(
      'INSERT INTO reference_prices (symbol, price, updated_at) VALUES (?, ?, ?) ON CONFLICT (symbol) DO UPDATE SET price = excluded.price, updated_at = excluded.updated_at',
    ),
    fill: stmt(
      'UPDATE orders SET filled_quantity = filled_quantity + ?, filled_amount = filled_amount + ?, remaining_quantity = remaining_quantity - ? WHERE order_no = ?',
    ),
    insertFill: stmt(
      'INSERT INTO fills (order_no, account, symbol, side, quantity, price, at, trading_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    traded: stmt(
      'SELECT side, SUM(quantity) AS total FROM fills WHERE account = ? AND symbol = ? AND trading_date = ? GROUP BY side',
    ),
    cancelPart: stmt(
      'UPDATE orders SET remaining_quantity = remaining_quantity - ?, canceled_quantity = canceled_quantity + ? WHERE order_no = ?',
    ),
    movePart: stmt(
      'UPDATE orders SET remaining_quantity = remaining_quantity - ?, modified_quantity = modified_quantity + ? WHERE order_no = ?',
    ),
    reject: stmt(
      'UPDATE orders SET rejected_quantity = rejected_quantity + remaining_quantity, remaining_quantity = 0, reject_code = ?, reject_message = ? WHERE order_no = ?',
    ),
    expire: stmt(
      'UPDATE orders SET canceled_quantity = canceled_quantity + remaining_quantity, remaining_quantity = 0 WHERE remaining_quantity > 0 AND trading_date < ?',
    ),
    counter: stmt('SELECT value AS total FROM counters WHERE name = ?'),
    setCounter: stmt(
      'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ),
  };

  function assertOpen(): void {
    if (closed) throw new VirtualExchangeError('closed', 'The virtual exchange is closed.');
  }

  /** Runs `work` in one IMMEDIATE transaction, then delivers the events it queued. */
  function transact<T>(work: (events: EventDraft[]) => T): T {
    assertOpen();
    const events: EventDraft[] = [];
    const run = db.transaction(() => {
      // Day orders do not outlive their trading date.
      q.expire.run(seoulDate(new Date(clock())));
      return work(events);
    });
    const result = run.immediate();
    emit(events.map((draft) => ({ ...draft, sequence: ++sequence })));
    return result;
  }

  // Events go out in order even when a listener calls the exchange again (its events queue up).
  const outbox: VirtualEvent[] = [];
  let draining = false;
  function emit(events: readonly VirtualEvent[]): void {
    outbox.push(...events);
    if (draining) return;
    draining = true;
    try {
      for (let next = outbox.shift(); next !== undefined; next = outbox.shift()) {
        lastEvent = next;
        for (const listener of [...listeners]) {
          try {
            listener(next);
          } catch {
            // A listener must not throw; its errors are ignored.
          }
        }
      }
    } finally {
      draining = false;
    }
  }

  function ensureAccount(account: string): void {
    checkAccount(account);
    q.insertAccount.run(account, startingCash, clock());
  }

  function cashOf(account: string): number {
    return numberColumn(q.account.get(account), 'cash');
  }

  function reservedOf(account: string): number {
    return numberColumn(q.reserved.get(account), 'total');
  }

  function sellableOf(account: string, symbol: string): number {
    const row = q.position.get(account, symbol);
    const held = row === undefined ? 0 : toPositionRow(row).quantity;
    return held - numberColumn(q.sellHeld.get(account, symbol), 'total');
  }

  function priceOf(symbol: string): number | null {
    const row = q.price.get(symbol);
    return row === undefined ? null : toPriceRow(row).price;
  }

  function readOrder(orderNo: string): VirtualOrder | null {
    const row = q.order.get(orderNo);
    return row === undefined ? null : toOrder(row);
  }

  function mustOrder(orderNo: string): VirtualOrder {
    const order = readOrder(orderNo);
    if (order === null)
      throw new VirtualExchangeError('corrupt-state', `Order ${orderNo} vanished.`);
    return order;
  }

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
    const next = numberColumn(q.counter.get('order_no'), 'total') + 1;
    q.setCounter.run('order_no', next);
    return String(next).padStart(10, '0');
  }

  function sessionRefusal(): Extract<VirtualResult, { ok: false }> | null {
    if (!sessionRules) return null;
    const now = new Date(clock());
    if (krxSessionAt(now, holidays) !== 'closed') return null;
    return marketClosed(seoulTime(now) < '083000');
  }

  function insertOrder(order: {
    account: string;
    originalOrderNo: string | null;
    kind: VirtualOrder['kind'];
    symbol: string;
    side: VirtualOrder['side'];
    type: VirtualOrder['type'];
    quantity: number;
    limitPrice: number | null;
    remaining: number;
    canceled: number;
    productType: ProductType;
    division: OrderDivision;
    venue: Venue;
  }): VirtualOrder {
    const orderNo = nextOrderNo();
    const at = clock();
    q.insertOrder.run(
      orderNo,
      order.account,
      branch,
      order.originalOrderNo,
      order.kind,
      order.symbol,
      order.side,
      order.type,
      order.quantity,
      order.limitPrice,
      0,
      0,
      order.remaining,
      order.canceled,
      0,
      0,
      null,
      null,
      at,
      seoulDate(new Date(at)),
      order.productType,
      order.division,
      order.venue,
    );
    return mustOrder(orderNo);
  }

  function applyFill(
    order: VirtualOrder,
    quantity: number,
    price: number,
    events: EventDraft[],
  ): VirtualOrder {
    const at = clock();
    const amount = quantity * price;
    q.fill.run(quantity, amount, quantity, order.orderNo);
    q.insertFill.run(
      order.orderNo,
      order.account,
      order.symbol,
      order.side,
      quantity,
      price,
      at,
      seoulDate(new Date(at)),
    );
    const row = q.position.get(order.account, order.symbol);
    const held = row === undefined ? { quantity: 0, average_price: 0 } : toPositionRow(row);
    if (order.side === 'buy') {
      q.addCash.run(-amount, order.account);
      const quantityAfter = held.quantity + quantity;
      const average = (held.quantity * held.average_price + amount) / quantityAfter;
      q.upsertPosition.run(order.account, order.symbol, quantityAfter, average);
    } else {
      q.addCash.run(amount, order.account);
      const quantityAfter = held.quantity - quantity;
      if (quantityAfter <= 0) q.deletePosition.run(order.account, order.symbol);
      else q.upsertPosition.run(order.account, order.symbol, quantityAfter, held.average_price);
    }
    const after = mustOrder(order.orderNo);
    events.push({
      kind: 'fill',
      account: order.account,
      order: after,
      originalOrder: null,
      fillQuantity: quantity,
      fillPrice: price,
      code: null,
      message: null,
      at,
    });
    return after;
  }

  /** Fills every resting limit order on the symbol that crosses the reference price. */
  function matchSymbol(symbol: string, events: EventDraft[]): VirtualOrder[] {
    const price = priceOf(symbol);
    if (price === null) return [];
    const filled: VirtualOrder[] = [];
    for (const row of q.resting.all(symbol)) {
      const order = toOrder(row);
      const limit = order.limitPrice;
      if (limit === null) continue;
      const crosses = order.side === 'buy' ? limit >= price : limit <= price;
      if (crosses) filled.push(applyFill(order, order.remainingQuantity, price, events));
    }
    return filled;
  }

  function receipt(order: VirtualOrder, events: EventDraft[]): void {
    events.push({
      kind: 'receipt',
      account: order.account,
      order,
      originalOrder: null,
      fillQuantity: null,
      fillPrice: null,
      code: null,
      message: null,
      at: order.orderedAt,
    });
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

  /** Resting limit orders of a symbol on one side (any account), best price first, then oldest. */
  function bookSide(symbol: string, side: VirtualOrder['side']): VirtualOrder[] {
    const orders = q.resting
      .all(symbol)
      .map(toOrder)
      .filter((order) => order.side === side && order.limitPrice !== null);
    // Array.prototype.sort is stable: equal prices keep their time order (seq).
    return orders.sort((a, b) =>
      side === 'buy'
        ? (b.limitPrice ?? 0) - (a.limitPrice ?? 0)
        : (a.limitPrice ?? 0) - (b.limitPrice ?? 0),
    );
  }

  /**
   * The price of an order of a division: the request's limit price, or the price the exchange
   * sets (best: the best opposite resting order, else the reference price; priority: the best
   * resting order on its own side, else the reference price; the pre/post-market close sessions:
   * the reference price, which stands for the previous / today's close). Null for market orders.
   */
  function divisionPrice(
    division: OrderDivision,
    side: VirtualOrder['side'],
    symbol: string,
    limitPrice: number | null,
  ): { readonly price: number | null } | Extract<VirtualResult, { ok: false }> {
    const parts = orderDivisionParts(division);
    if (parts.type === 'market') return { price: null };
    const reference = priceOf(symbol);
    if (parts.priceCondition === 'best' || parts.priceCondition === 'priority') {
      const bookSideOf = parts.priceCondition === 'best' ? (side === 'buy' ? 'sell' : 'buy') : side;
      const price = bookSide(symbol, bookSideOf)[0]?.limitPrice ?? reference;
      return price === null ? noReferencePrice(symbol) : { price };
    }
    if (parts.session === 'pre' || parts.session === 'post') {
      return reference === null ? noReferencePrice(symbol) : { price: reference };
    }
    if (parts.session === 'single') {
      if (reference === null) return noReferencePrice(symbol);
      const low = reference * (1 - SINGLE_PRICE_BAND);
      const high = reference * (1 + SINGLE_PRICE_BAND);
      if (limitPrice === null || limitPrice < low || limitPrice > high) {
        return invalidRequest(
          `An after-hours single-price order (시간외 단일가) must be priced within 10 % of the reference price ${reference} KRW (${Math.ceil(low)}-${Math.floor(high)} KRW, on the tick); got ${String(limitPrice)}.`,
        );
      }
    }
    return { price: limitPrice };
  }

  /** The session refusal of a new order of a division at a venue, or null (session rules off, or open). */
  function placeSessionRefusal(
    division: OrderDivision,
    venue: Venue,
  ): Extract<VirtualResult, { ok: false }> | null {
    if (!sessionRules) return null;
    // Plain limit and market orders on KRX keep the exchange's long-standing rule (any KRX phase).
    if ((division === 'limit' || division === 'market') && venue === 'KRX') return sessionRefusal();
    const now = new Date(clock());
    if (orderWindowAt(venue, division, now, holidays) !== undefined) return null;
    const issue = orderWindowIssue({ ...orderDivisionParts(division), venue }, now, holidays);
    const message = issue?.message ?? `${venue} does not take ${division} orders now.`;
    // The contract's message is written for a check before sending; here the exchange refused.
    return outsideSession(message.replace('Nothing was sent;', 'The order was not booked;'));
  }

  /**
   * What an IOC / FOK order fills when it arrives: against the resting opposite orders it crosses
   * (best price first, each at its own price) when the opposite side of the book has any;
   * otherwise, like every order here, all of it at the reference price if it crosses that. FOK
   * fills nothing unless all of it fills.
   */
  function immediateFills(
    division: OrderDivision,
    side: VirtualOrder['side'],
    symbol: string,
    quantity: number,
    price: number | null,
  ): { counterpart: VirtualOrder | null; quantity: number; price: number }[] {
    const opposite = bookSide(symbol, side === 'buy' ? 'sell' : 'buy');
    const fills: { counterpart: VirtualOrder | null; quantity: number; price: number }[] = [];
    let left = quantity;
    if (opposite.length > 0) {
      for (const resting of opposite) {
        if (left === 0) break;
        const at = resting.limitPrice ?? 0;
        if (price !== null && (side === 'buy' ? at > price : at < price)) break;
        const take = Math.min(left, resting.remainingQuantity);
        fills.push({ counterpart: resting, quantity: take, price: at });
        left -= take;
      }
    } else {
      const reference = priceOf(symbol);
      const crosses =
        reference !== null &&
        (price === null || (side === 'buy' ? price >= reference : price <= reference));
      if (crosses) {
        fills.push({ counterpart: null, quantity, price: reference });
        left = 0;
      }
    }
    if (isFillOrKill(division) && left > 0) return [];
    return fills;
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
      const orderable = cashOf(account) - reservedOf(account);
      if (side === 'buy') {
        const planned = fills.reduce((sum, fill) => sum + fill.quantity * fill.price, 0);
        const cost = Math.max(quantity * (limitPrice ?? reference ?? 0), planned);
        if (cost > orderable) return insufficientFunds();
      } else {
        const sellable = sellableOf(account, symbol);
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
      receipt(order, events);
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
          q.cancelPart.run(rest, rest, order.orderNo);
          const canceled = mustOrder(order.orderNo);
          events.push({
            kind: 'exchange-cancel',
            account,
            order: canceled,
            originalOrder: null,
            fillQuantity: null,
            fillPrice: null,
            code: null,
            message: null,
            at: clock(),
          });
        }
        return { ok: true, order: mustOrder(order.orderNo) };
      }
      if (type === 'market' && reference !== null) {
        return { ok: true, order: applyFill(order, quantity, reference, events) };
      }
      if (reference === null && limitPrice !== null) q.setPrice.run(symbol, limitPrice, clock());
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
      q.cancelPart.run(canceled, canceled, found.orderNo);
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
      events.push({
        kind: 'cancel',
        account,
        order: cancelOrder,
        originalOrder: mustOrder(found.orderNo),
        fillQuantity: null,
        fillPrice: null,
        code: null,
        message: null,
        at: cancelOrder.orderedAt,
      });
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
        const orderable = cashOf(account) - reservedOf(account);
        const released = moved * (found.limitPrice ?? 0);
        const cost = moved * (limitPrice ?? reference ?? 0);
        if (cost > orderable + released) return insufficientFunds();
      }
      q.movePart.run(moved, moved, found.orderNo);
      const rest = found.remainingQuantity - moved;
      if (change.rest === 'cancel' && rest > 0) q.cancelPart.run(rest, rest, found.orderNo);
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
      events.push({
        kind: 'modify',
        account,
        order: modifyOrder,
        originalOrder: mustOrder(found.orderNo),
        fillQuantity: null,
        fillPrice: null,
        code: null,
        message: null,
        at: modifyOrder.orderedAt,
      });
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
      q.reject.run(code, message, orderNo);
      const after = mustOrder(orderNo);
      events.push({
        kind: 'reject',
        account: order.account,
        order: after,
        originalOrder: null,
        fillQuantity: null,
        fillPrice: null,
        code,
        message,
        at: clock(),
      });
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
      q.setPrice.run(symbol, price, clock());
      return matchSymbol(symbol, events);
    });
  }

  function orders(account: string, query: VirtualOrdersQuery = {}): readonly VirtualOrder[] {
    assertOpen();
    checkAccount(account);
    const today = seoulDate(new Date(clock()));
    const from = query.from ?? query.tradingDate ?? today;
    const to = query.to ?? query.tradingDate ?? today;
    const clauses = ['account = ?', 'trading_date >= ?', 'trading_date <= ?'];
    const params: (string | number)[] = [account, from, to];
    if (query.symbol !== undefined) {
      clauses.push('symbol = ?');
      params.push(query.symbol);
    }
    if (query.orderNo !== undefined) {
      clauses.push('order_no = ?');
      params.push(query.orderNo);
    }
    if (query.openOnly === true) clauses.push('remaining_quantity > 0');
    // Expire stale day orders first so a listing never shows yesterday's order as open.
    const sql = `SELECT ${ORDER_COLUMNS} FROM orders WHERE ${clauses.join(' AND ')} ORDER BY seq`;
    let statement = listings.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      listings.set(sql, statement);
    }
    const prepared = statement;
    return transact(() => prepared.all(...params).map(toOrder));
  }

  function balance(account: string): VirtualBalance {
    return transact(() => {
      ensureAccount(account);
      const cash = cashOf(account);
      const reservedCash = reservedOf(account);
      const today = seoulDate(new Date(clock()));
      const positions: VirtualPosition[] = q.positions.all(account).map((row) => {
        const p = toPositionRow(row);
        let boughtToday = 0;
        let soldToday = 0;
        for (const traded of q.traded.all(account, p.symbol, today)) {
          const side = (traded as Record<string, unknown>).side;
          if (side === 'buy') boughtToday = numberColumn(traded, 'total');
          if (side === 'sell') soldToday = numberColumn(traded, 'total');
        }
        return {
          symbol: p.symbol,
          quantity: p.quantity,
          sellableQuantity: sellableOf(account, p.symbol),
          averagePrice: p.average_price,
          lastPrice: priceOf(p.symbol),
          boughtToday,
          soldToday,
        };
      });
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
      return q.prices.all().map((row) => {
        const p = toPriceRow(row);
        return { symbol: p.symbol, price: p.price };
      });
    },
    getOrder(orderNo) {
      assertOpen();
      return readOrder(orderNo);
    },
    orders,
    balance,
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    replayLastEvent() {
      if (lastEvent === null) return false;
      emit([lastEvent]);
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      db.close();
    },
  };
}
