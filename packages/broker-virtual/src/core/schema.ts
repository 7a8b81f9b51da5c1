// The SQLite side of the exchange: schema (versioned with user_version, opened by
// @qts/sqlite-store) and row mapping. libsql rows carry an extra `_metadata` key, so rows are
// parsed field by field with valibot (v.object drops unknown keys) and never spread.

import { ORDER_DIVISIONS, VENUES } from '@qts/order-contract';
import { openSqlite, type SqliteDatabase } from '@qts/sqlite-store';
import * as v from 'valibot';
import { VirtualExchangeError } from './errors.js';
import type { VirtualOrder, VirtualOrderStatus } from './types.js';

const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS accounts (
  account TEXT PRIMARY KEY,
  cash INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS positions (
  account TEXT NOT NULL,
  symbol TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  average_price REAL NOT NULL,
  PRIMARY KEY (account, symbol)
);
CREATE TABLE IF NOT EXISTS reference_prices (
  symbol TEXT PRIMARY KEY,
  price INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_no TEXT NOT NULL UNIQUE,
  account TEXT NOT NULL,
  branch TEXT NOT NULL,
  original_order_no TEXT,
  kind TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  limit_price INTEGER,
  filled_quantity INTEGER NOT NULL DEFAULT 0,
  filled_amount INTEGER NOT NULL DEFAULT 0,
  remaining_quantity INTEGER NOT NULL,
  canceled_quantity INTEGER NOT NULL DEFAULT 0,
  modified_quantity INTEGER NOT NULL DEFAULT 0,
  rejected_quantity INTEGER NOT NULL DEFAULT 0,
  reject_code TEXT,
  reject_message TEXT,
  ordered_at INTEGER NOT NULL,
  trading_date TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_account_date ON orders (account, trading_date);
CREATE INDEX IF NOT EXISTS orders_open_symbol ON orders (symbol) WHERE remaining_quantity > 0;
CREATE INDEX IF NOT EXISTS orders_open_account ON orders (account, side) WHERE remaining_quantity > 0;
CREATE INDEX IF NOT EXISTS orders_open_date ON orders (trading_date) WHERE remaining_quantity > 0;
CREATE TABLE IF NOT EXISTS fills (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_no TEXT NOT NULL,
  account TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  price INTEGER NOT NULL,
  at INTEGER NOT NULL,
  trading_date TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fills_account_date ON fills (account, trading_date);
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

// v2: the product type (stock / etf / etn) of an order, for the tick of its modifies.
const SCHEMA_V2 = `ALTER TABLE orders ADD COLUMN product_type TEXT NOT NULL DEFAULT 'stock';`;

// v3: the order division (limit, market, ioc-limit, ...) and venue (KRX, NXT, SOR) of an order.
// Rows written before v3 have no division: their type (limit / market) is their division.
const SCHEMA_V3 = `ALTER TABLE orders ADD COLUMN division TEXT;
ALTER TABLE orders ADD COLUMN venue TEXT NOT NULL DEFAULT 'KRX';`;

/** Migrations: index i takes a file from version i to version i + 1. */
export const MIGRATIONS: readonly string[] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3];

/** The schema version this code reads and writes (PRAGMA user_version). */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The database handle type of libsql. */
export type Db = SqliteDatabase;

/**
 * Opens (and creates or migrates) the exchange database.
 *
 * @param file A file path, or null for memory.
 * @returns The open database.
 * @throws {VirtualExchangeError} `corrupt-state` when the file has a newer schema.
 */
export function openDatabase(file: string | null): Db {
  // The runner passes <QTS_HOME>/virtual/exchange.sqlite: the folder is created (owner only).
  return openSqlite({
    file,
    migrations: MIGRATIONS,
    newerSchema: (version, supported) =>
      new VirtualExchangeError(
        'corrupt-state',
        `The virtual exchange file ${file ?? ':memory:'} has schema version ${version}; this QTS reads up to ${supported}. Use a newer QTS or another QTS_HOME.`,
      ),
  });
}

const int = v.pipe(v.number(), v.integer());
const nullableInt = v.nullable(int);

const OrderRowSchema = v.object({
  order_no: v.string(),
  account: v.string(),
  branch: v.string(),
  original_order_no: v.nullable(v.string()),
  kind: v.picklist(['order', 'modify', 'cancel']),
  symbol: v.string(),
  side: v.picklist(['buy', 'sell']),
  type: v.picklist(['limit', 'market']),
  quantity: int,
  limit_price: nullableInt,
  filled_quantity: int,
  filled_amount: int,
  remaining_quantity: int,
  canceled_quantity: int,
  modified_quantity: int,
  rejected_quantity: int,
  reject_code: v.nullable(v.string()),
  reject_message: v.nullable(v.string()),
  ordered_at: int,
  trading_date: v.string(),
  product_type: v.picklist(['stock', 'etf', 'etn']),
  division: v.nullable(v.picklist(ORDER_DIVISIONS)),
  venue: v.picklist(VENUES),
});

const PositionRowSchema = v.object({
  symbol: v.string(),
  quantity: int,
  average_price: v.number(),
});

const PriceRowSchema = v.object({ symbol: v.string(), price: int });

function parseRow<S extends v.GenericSchema>(
  schema: S,
  row: unknown,
  what: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, row);
  if (!result.success) {
    throw new VirtualExchangeError(
      'corrupt-state',
      `Unreadable ${what} row in the virtual exchange database: ${result.issues.map((issue) => issue.message).join('; ')}`,
    );
  }
  return result.output;
}

function statusOf(row: v.InferOutput<typeof OrderRowSchema>): VirtualOrderStatus {
  if (row.remaining_quantity > 0) return row.filled_quantity > 0 ? 'partially_filled' : 'open';
  if (row.kind !== 'cancel' && row.filled_quantity >= row.quantity) return 'filled';
  if (row.rejected_quantity > 0 && row.filled_quantity === 0) return 'rejected';
  return 'canceled';
}

/** Maps an orders row to a VirtualOrder. */
export function toOrder(row: unknown): VirtualOrder {
  const r = parseRow(OrderRowSchema, row, 'order');
  return {
    account: r.account,
    orderNo: r.order_no,
    branch: r.branch,
    originalOrderNo: r.original_order_no,
    kind: r.kind,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    quantity: r.quantity,
    limitPrice: r.limit_price,
    filledQuantity: r.filled_quantity,
    filledAmount: r.filled_amount,
    averagePrice: r.filled_quantity > 0 ? r.filled_amount / r.filled_quantity : null,
    remainingQuantity: r.remaining_quantity,
    canceledQuantity: r.canceled_quantity,
    modifiedQuantity: r.modified_quantity,
    rejectedQuantity: r.rejected_quantity,
    status: statusOf(r),
    rejectCode: r.reject_code,
    rejectMessage: r.reject_message,
    orderedAt: r.ordered_at,
    tradingDate: r.trading_date,
    productType: r.product_type,
    division: r.division ?? r.type,
    venue: r.venue,
  };
}

/** Maps a positions row. */
export function toPositionRow(row: unknown): v.InferOutput<typeof PositionRowSchema> {
  return parseRow(PositionRowSchema, row, 'position');
}

/** Maps a reference_prices row. */
export function toPriceRow(row: unknown): v.InferOutput<typeof PriceRowSchema> {
  return parseRow(PriceRowSchema, row, 'reference price');
}

/** Reads a single numeric column (e.g. SUM, COUNT) of a row; 0 for null. */
export function numberColumn(row: unknown, column: string): number {
  if (typeof row !== 'object' || row === null) return 0;
  const value: unknown = (row as Record<string, unknown>)[column];
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new VirtualExchangeError('corrupt-state', `Column ${column} is not a number.`);
}
