// Every SQL statement of the exchange, prepared once over the schema of store.ts, behind typed
// reads and writes. The ledger, matching and the exchange's operations speak to the database
// only through this store.

import type { OrderDivision, ProductType, Venue } from '@qts/order-contract';
import { VirtualExchangeError } from './errors.js';
import { type Db, numberColumn, toOrder, toPositionRow, toPriceRow } from './schema.js';
import type { VirtualOrder } from './types.js';

const ORDER_COLUMNS =
  'order_no, account, branch, original_order_no, kind, symbol, side, type, quantity, limit_price, filled_quantity, filled_amount, remaining_quantity, canceled_quantity, modified_quantity, rejected_quantity, reject_code, reject_message, ordered_at, trading_date, product_type, division, venue';

/** A new row of the orders table (the quantities not named start at 0, the reject at null). */
export interface NewOrderRow {
  readonly orderNo: string;
  readonly account: string;
  readonly branch: string;
  readonly originalOrderNo: string | null;
  readonly kind: VirtualOrder['kind'];
  readonly symbol: string;
  readonly side: VirtualOrder['side'];
  readonly type: VirtualOrder['type'];
  readonly quantity: number;
  readonly limitPrice: number | null;
  readonly remaining: number;
  readonly canceled: number;
  readonly orderedAt: number;
  readonly tradingDate: string;
  readonly productType: ProductType;
  readonly division: OrderDivision;
  readonly venue: Venue;
}

/** The orders of one account on trading dates in [from, to], narrowed by the other fields. */
export interface OrderListing {
  readonly account: string;
  readonly from: string;
  readonly to: string;
  readonly symbol?: string | undefined;
  readonly orderNo?: string | undefined;
  readonly openOnly?: boolean | undefined;
}

export interface HeldPosition {
  readonly symbol: string;
  readonly quantity: number;
  readonly averagePrice: number;
}

export type ExchangeStore = ReturnType<typeof createExchangeStore>;

export function createExchangeStore(db: Db) {
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

  function order(orderNo: string): VirtualOrder | null {
    const row = q.order.get(orderNo);
    return row === undefined ? null : toOrder(row);
  }

  return {
    /** Runs `work` in one IMMEDIATE transaction. */
    immediate<T>(work: () => T): T {
      return db.transaction(work).immediate();
    },
    close(): void {
      db.close();
    },

    // accounts
    /** Opens the account with `cash` unless it exists. */
    openAccount(account: string, cash: number, at: number): void {
      q.insertAccount.run(account, cash, at);
    },
    cash: (account: string): number => numberColumn(q.account.get(account), 'cash'),
    addCash(account: string, amount: number): void {
      q.addCash.run(amount, account);
    },
    /** What the account's open limit buys hold (remaining quantity x limit price). */
    reservedCash: (account: string): number => numberColumn(q.reserved.get(account), 'total'),
    /** The quantity the account's open sells of the symbol hold. */
    heldForSale: (account: string, symbol: string): number =>
      numberColumn(q.sellHeld.get(account, symbol), 'total'),

    // positions
    position(account: string, symbol: string): HeldPosition | null {
      const row = q.position.get(account, symbol);
      if (row === undefined) return null;
      const p = toPositionRow(row);
      return { symbol: p.symbol, quantity: p.quantity, averagePrice: p.average_price };
    },
    positions: (account: string): HeldPosition[] =>
      q.positions.all(account).map((row) => {
        const p = toPositionRow(row);
        return { symbol: p.symbol, quantity: p.quantity, averagePrice: p.average_price };
      }),
    setPosition(account: string, symbol: string, quantity: number, averagePrice: number): void {
      q.upsertPosition.run(account, symbol, quantity, averagePrice);
    },
    deletePosition(account: string, symbol: string): void {
      q.deletePosition.run(account, symbol);
    },

    // reference prices
    price(symbol: string): number | null {
      const row = q.price.get(symbol);
      return row === undefined ? null : toPriceRow(row).price;
    },
    prices: (): { symbol: string; price: number }[] =>
      q.prices.all().map((row) => {
        const p = toPriceRow(row);
        return { symbol: p.symbol, price: p.price };
      }),
    setPrice(symbol: string, price: number, at: number): void {
      q.setPrice.run(symbol, price, at);
    },

    // orders
    order,
    /** The order, which must exist (it was just written). */
    mustOrder(orderNo: string): VirtualOrder {
      const found = order(orderNo);
      if (found === null)
        throw new VirtualExchangeError('corrupt-state', `Order ${orderNo} vanished.`);
      return found;
    },
    insertOrder(row: NewOrderRow): void {
      q.insertOrder.run(
        row.orderNo,
        row.account,
        row.branch,
        row.originalOrderNo,
        row.kind,
        row.symbol,
        row.side,
        row.type,
        row.quantity,
        row.limitPrice,
        0,
        0,
        row.remaining,
        row.canceled,
        0,
        0,
        null,
        null,
        row.orderedAt,
        row.tradingDate,
        row.productType,
        row.division,
        row.venue,
      );
    },
    /** Open limit orders of the symbol (any account, either side), oldest first. */
    restingLimitOrders: (symbol: string): VirtualOrder[] => q.resting.all(symbol).map(toOrder),
    /** Adds a fill to the order's cumulative values and takes it off the remainder. */
    fillOrder(orderNo: string, quantity: number, amount: number): void {
      q.fill.run(quantity, amount, quantity, orderNo);
    },
    cancelPart(orderNo: string, quantity: number): void {
      q.cancelPart.run(quantity, quantity, orderNo);
    },
    movePart(orderNo: string, quantity: number): void {
      q.movePart.run(quantity, quantity, orderNo);
    },
    /** Rejects the whole remainder of the order. */
    reject(orderNo: string, code: string, message: string): void {
      q.reject.run(code, message, orderNo);
    },
    /** Cancels the remainder of every order of a trading date before `tradingDate`. */
    expireBefore(tradingDate: string): void {
      q.expire.run(tradingDate);
    },
    listOrders(listing: OrderListing): VirtualOrder[] {
      const clauses = ['account = ?', 'trading_date >= ?', 'trading_date <= ?'];
      const params: (string | number)[] = [listing.account, listing.from, listing.to];
      if (listing.symbol !== undefined) {
        clauses.push('symbol = ?');
        params.push(listing.symbol);
      }
      if (listing.orderNo !== undefined) {
        clauses.push('order_no = ?');
        params.push(listing.orderNo);
      }
      if (listing.openOnly === true) clauses.push('remaining_quantity > 0');
      const sql = `SELECT ${ORDER_COLUMNS} FROM orders WHERE ${clauses.join(' AND ')} ORDER BY seq`;
      let statement = listings.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        listings.set(sql, statement);
      }
      return statement.all(...params).map(toOrder);
    },

    // fills
    insertFill(fill: {
      orderNo: string;
      account: string;
      symbol: string;
      side: VirtualOrder['side'];
      quantity: number;
      price: number;
      at: number;
      tradingDate: string;
    }): void {
      q.insertFill.run(
        fill.orderNo,
        fill.account,
        fill.symbol,
        fill.side,
        fill.quantity,
        fill.price,
        fill.at,
        fill.tradingDate,
      );
    },
    /** The quantities the account bought and sold of the symbol on the trading date. */
    traded(account: string, symbol: string, tradingDate: string): { bought: number; sold: number } {
      let bought = 0;
      let sold = 0;
      for (const row of q.traded.all(account, symbol, tradingDate)) {
        const side = (row as Record<string, unknown>).side;
        if (side === 'buy') bought = numberColumn(row, 'total');
        if (side === 'sell') sold = numberColumn(row, 'total');
      }
      return { bought, sold };
    },

    // counters
    counter: (name: string): number => numberColumn(q.counter.get(name), 'total'),
    setCounter(name: string, value: number): void {
      q.setCounter.run(name, value);
    },
  };
}
