import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ORDER_STATUSES } from '@qts/order-contract';
import {
  BUSY_TIMEOUT_MS,
  columnOf,
  openSqlite,
  type SqliteDatabase,
  type SqliteStatement,
} from '@qts/sqlite-store';
import * as v from 'valibot';
import { RouteRefusedError } from '../errors.js';
import { brokerNumbersOf, type Order, type OrderPatch, OrderSchema } from '../order.js';
import { isPlausibleBand } from '../submit/day-bands.js';
import { checkFollowUp, checkWrite } from './conflict.js';
import type {
  DayBandStorage,
  InsertResult,
  JournalEntry,
  JournalEvent,
  JournalFollowUpInput,
  JournalQuery,
  JournalRecord,
  OrderJournal,
} from './types.js';

/** What a journal file belongs to. Journals of different modes, hosts or accounts never mix. */
export interface JournalKey {
  readonly mode: 'virtual' | 'paper' | 'real';
  /** Broker host (host:port), e.g. `openapi.koreainvestment.com:9443`, or `virtual`. */
  readonly host: string;
  /** Account (`NNNNNNNN-NN`), or any stable label in virtual mode. Stored hashed only. */
  readonly account: string;
}

/** Options of `createSqliteJournal`. */
export interface SqliteJournalOptions extends JournalKey {
  /** The SQLite file (created with its folder). Use `journalPath(home, key)` for the default. */
  readonly file: string;
  /**
   * SQLite `synchronous` level (WAL mode; every level survives a killed process):
   * - `WRITE_AHEAD` (default): write-ahead records (`durable`: submitted, pending_cancel,
   *   pending_modify) commit with FULL (fsync of the WAL, covering every earlier record too);
   *   the others with NORMAL. A power loss can only drop records whose loss recovery handles:
   *   an unsent `pending` (nothing was sent) or an answer (the order falls back to
   *   `submitted` -> `unknown` -> reconciled).
   * - `FULL`: every commit fsynced.
   * - `NORMAL`: no fsync at commit (a power loss may drop the write-ahead record of a sent order).
   */
  readonly synchronous?: 'WRITE_AHEAD' | 'FULL' | 'NORMAL';
}

function accountHash(account: string): string {
  return createHash('sha256').update(account).digest('hex').slice(0, 12);
}

/**
 * The default journal file for a key: `<home>/journal/orders-<mode>-<host>-<account hash>.sqlite`.
 *
 * @param home The state folder (QTS_HOME).
 * @param key Mode, host and account.
 * @returns The path.
 */
export function journalPath(home: string, key: JournalKey): string {
  const host = key.host.replace(/[^A-Za-z0-9.-]+/g, '_');
  return join(home, 'journal', `orders-${key.mode}-${host}-${accountHash(key.account)}.sqlite`);
}

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records the last applied. Versions
 * run 1, 2, 3 ... without gaps (entry i takes the file from version i to i + 1).
 */
export const JOURNAL_MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  client_order_id TEXT UNIQUE,
  status TEXT NOT NULL,
  trading_date TEXT NOT NULL,
  symbol TEXT NOT NULL,
  owner TEXT,
  body TEXT NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX orders_status ON orders (status);
CREATE INDEX orders_trading_date ON orders (trading_date);
CREATE TABLE order_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  at TEXT NOT NULL,
  cause TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  patch TEXT NOT NULL,
  data TEXT
);
CREATE INDEX order_events_order ON order_events (order_id, seq);
CREATE TABLE broker_numbers (
  trading_date TEXT NOT NULL,
  broker_order_id TEXT NOT NULL,
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  PRIMARY KEY (trading_date, broker_order_id)
);`,
  },
];

/**
 * The day's price bands the routes on a file have quoted (src/submit/day-bands.ts), one row per
 * symbol, so that every process on the file shares them. A cache, not a record: created when
 * missing without raising the schema version, so a QTS that predates it still opens the file
 * (and ignores the table).
 */
const DAY_BANDS_TABLE = `
CREATE TABLE IF NOT EXISTS day_bands (
  symbol TEXT PRIMARY KEY,
  upper_limit REAL NOT NULL,
  lower_limit REAL NOT NULL,
  trading_date TEXT NOT NULL,
  held_until INTEGER NOT NULL,
  asked_at INTEGER NOT NULL
)`;

/** The schema version this code writes. */
export const JOURNAL_SCHEMA_VERSION = JOURNAL_MIGRATIONS.at(-1)?.version ?? 0;

const statusSchema = v.picklist(ORDER_STATUSES);
const EventRowSchema = v.object({
  seq: v.number(),
  order_id: v.string(),
  at: v.string(),
  cause: v.string(),
  from_status: v.nullable(statusSchema),
  to_status: statusSchema,
  patch: v.string(),
  data: v.nullable(v.string()),
});
const PatchSchema = v.partial(v.omit(OrderSchema, ['orderId']));
const finite = v.pipe(v.number(), v.finite());
const DayBandRowSchema = v.pipe(
  v.object({
    upper_limit: finite,
    lower_limit: finite,
    trading_date: v.pipe(v.string(), v.regex(/^\d{8}$/)),
    held_until: finite,
    asked_at: finite,
  }),
  v.check(
    (row) => isPlausibleBand({ upperLimit: row.upper_limit, lowerLimit: row.lower_limit }),
    'implausible band',
  ),
);
const DataSchema = v.nullable(v.record(v.string(), v.unknown()));

function parseBody(row: unknown): Order | null {
  if (row === undefined) return null;
  const body = columnOf(row, 'body');
  if (typeof body !== 'string') throw new Error('Journal row without a body.');
  return v.parse(OrderSchema, JSON.parse(body));
}

/** Commits between WAL checkpoints (about 8 pages each: under SQLite's default of 1,000 pages). */
const CHECKPOINT_EVERY = 100;

/**
 * Opens (or creates) the SQLite order journal (libsql, WAL). The file is checked against its key
 * (mode, host, account hash): a journal of another key is refused with `JOURNAL_MISMATCH`.
 *
 * @param options File and key.
 * @returns The journal.
 */
export function createSqliteJournal(options: SqliteJournalOptions): OrderJournal {
  // WAL, busy timeout and migrations under one write lock: safe when processes open it at once.
  const db = openSqlite({
    file: options.file,
    migrations: JOURNAL_MIGRATIONS.map((migration) => migration.sql),
    synchronous: options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL',
    newerSchema: (version, supported) =>
      new Error(
        `The order journal has schema version ${version}, newer than this QTS (${supported}); upgrade QTS.`,
      ),
  });
  let open = true;
  try {
    db.exec('PRAGMA foreign_keys = ON');
    // No automatic checkpoints: SQLite would run one inside whichever commit crosses 1,000 WAL
    // pages, often an order's write-ahead commit right before its send. `afterCommit` runs them
    // after an answer is recorded instead, and close() on the way out.
    db.exec('PRAGMA wal_autocheckpoint = 0');
    checkKey(db, options);
    const hasBands = db
      .prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'day_bands'")
      .get();
    if (hasBands === undefined) db.exec(DAY_BANDS_TABLE);
  } catch (error) {
    db.close();
    throw error;
  }

  /** Commits since the last checkpoint (about 8 WAL pages each). */
  let commits = 0;
  let checkpointQueued = false;
  const checkpoint = () => {
    checkpointQueued = false;
    if (!open) return;
    commits = 0;
    try {
      // PASSIVE: copies what no reader still needs, never waits for another process's lock.
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failing: the WAL keeps the data; the next checkpoint or close retries.
    }
  };
  /**
   * Counts a commit; once CHECKPOINT_EVERY commits have accumulated, the checkpoint runs on the
   * next turn of the event loop after a commit that is not a write-ahead record (an answer, an
   * intent): never between a write-ahead record and its send, nor inside the caller's call.
   * Past 8x the interval it is queued after any commit (a WAL that only ever sees write-ahead
   * records); past 16x it runs at once after a commit that is not a write-ahead record (a caller
   * that never lets the event loop turn).
   */
  const afterCommit = (entry: Pick<JournalEntry, 'durable'>) => {
    commits += 1;
    if (commits < CHECKPOINT_EVERY) return;
    if (entry.durable !== true && commits >= 16 * CHECKPOINT_EVERY) {
      checkpoint();
      return;
    }
    if (checkpointQueued) return;
    if (entry.durable === true && commits < 8 * CHECKPOINT_EVERY) return;
    checkpointQueued = true;
    setImmediate(checkpoint).unref();
  };

  const policy = options.synchronous ?? 'WRITE_AHEAD';
  let level: 'FULL' | 'NORMAL' = policy === 'NORMAL' ? 'NORMAL' : 'FULL';
  /** Sets the fsync level of the next commit (PRAGMA synchronous cannot change inside a transaction). */
  const syncFor = (entry: Pick<JournalEntry, 'durable'>) => {
    const wanted = policy === 'WRITE_AHEAD' ? (entry.durable === true ? 'FULL' : 'NORMAL') : policy;
    if (wanted !== level) {
      db.exec(`PRAGMA synchronous = ${wanted}`);
      level = wanted;
    }
  };

  const selectOrder = db.prepare('SELECT seq, owner, body FROM orders WHERE order_id = ?');
  // The version of each order object handed out (the row's seq when it was read): a
  // compare-and-set write expects it.
  const versions = new WeakMap<Order, number>();
  /** Parses a row that carries `seq` and `body`, remembering the version of the object. */
  const orderOf = (row: unknown): Order | null => {
    const order = parseBody(row);
    const seq = columnOf(row, 'seq');
    if (order !== null && typeof seq === 'number') versions.set(order, seq);
    return order;
  };
  const listStatements = new Map<string, SqliteStatement>();
  const selectSeq = db.prepare('SELECT seq, owner FROM orders WHERE order_id = ?');
  // Parsed orders by id with the log position they reflect: a row whose seq is unchanged (no
  // other process wrote it) is not parsed again.
  const cache = new Map<string, { seq: number; order: Order }>();
  const remember = (order: Order, seq: number) => {
    if (cache.size >= 2_000) cache.delete(cache.keys().next().value ?? '');
    cache.set(order.orderId, { seq, order });
    versions.set(order, seq);
  };
  /** The order with its version and owner; seq, owner and body come from one statement. */
  const record = (orderId: string): JournalRecord | null => {
    const head = selectSeq.get(orderId);
    const seq = columnOf(head, 'seq');
    if (typeof seq !== 'number') return null;
    const owner = columnOf(head, 'owner');
    const cached = cache.get(orderId);
    if (cached !== undefined && cached.seq === seq) {
      return { order: cached.order, version: seq, owner: typeof owner === 'string' ? owner : null };
    }
    const row = selectOrder.get(orderId);
    const order = parseBody(row);
    const rowSeq = columnOf(row, 'seq');
    const rowOwner = columnOf(row, 'owner');
    if (order === null || typeof rowSeq !== 'number') return null;
    remember(order, rowSeq);
    return { order, version: rowSeq, owner: typeof rowOwner === 'string' ? rowOwner : null };
  };
  const current = (orderId: string): Order | null => record(orderId)?.order ?? null;
  const selectByClient = db.prepare('SELECT seq, body FROM orders WHERE client_order_id = ?');
  const selectOwner = db.prepare('SELECT owner FROM orders WHERE order_id = ?');
  const selectByNumber = db.prepare(
    'SELECT o.seq, o.body FROM broker_numbers b JOIN orders o ON o.order_id = b.order_id WHERE b.broker_order_id = ? ORDER BY b.trading_date DESC LIMIT 1',
  );
  const selectByNumberDate = db.prepare(
    'SELECT o.seq, o.body FROM broker_numbers b JOIN orders o ON o.order_id = b.order_id WHERE b.broker_order_id = ? AND b.trading_date = ?',
  );
  const insertOrder = db.prepare(
    'INSERT INTO orders (order_id, client_order_id, status, trading_date, symbol, owner, body, seq) VALUES (?, ?, ?, ?, ?, ?, ?, 0)',
  );
  const updateOrder = db.prepare(
    'UPDATE orders SET status = ?, trading_date = ?, body = ?, seq = ?, owner = CASE WHEN ? THEN ? ELSE owner END WHERE order_id = ?',
  );
  const insertEvent = db.prepare(
    'INSERT INTO order_events (order_id, at, cause, from_status, to_status, patch, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertNumber = db.prepare(
    'INSERT OR IGNORE INTO broker_numbers (trading_date, broker_order_id, order_id) VALUES (?, ?, ?)',
  );

  const selectBand = db.prepare(
    'SELECT upper_limit, lower_limit, trading_date, held_until, asked_at FROM day_bands WHERE symbol = ?',
  );
  // Replaces a band of an earlier date, or of the same date asked no later (see DayBandStorage).
  const upsertBand = db.prepare(
    `INSERT INTO day_bands (symbol, upper_limit, lower_limit, trading_date, held_until, asked_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (symbol) DO UPDATE SET upper_limit = excluded.upper_limit,
       lower_limit = excluded.lower_limit, trading_date = excluded.trading_date,
       held_until = excluded.held_until, asked_at = excluded.asked_at
     WHERE excluded.trading_date > day_bands.trading_date
        OR (excluded.trading_date = day_bands.trading_date AND excluded.asked_at >= day_bands.asked_at)`,
  );
  const dayBands: DayBandStorage = {
    read(symbol) {
      const row = selectBand.get(symbol);
      if (row === undefined) return null;
      const parsed = v.safeParse(DayBandRowSchema, {
        upper_limit: columnOf(row, 'upper_limit'),
        lower_limit: columnOf(row, 'lower_limit'),
        trading_date: columnOf(row, 'trading_date'),
        held_until: columnOf(row, 'held_until'),
        asked_at: columnOf(row, 'asked_at'),
      });
      // A row this code would not have written: no band (the route asks a quote).
      if (!parsed.success) return null;
      const band = parsed.output;
      return {
        upperLimit: band.upper_limit,
        lowerLimit: band.lower_limit,
        tradingDate: band.trading_date,
        heldUntil: band.held_until,
        askedAt: band.asked_at,
      };
    },
    write(symbol, band) {
      // A band is no write-ahead record (no fsync of its own at the default WRITE_AHEAD level),
      // and it never waits for another process's write lock: busy now, it is simply not stored
      // (SQLITE_BUSY at once, caught by the route; the order goes on).
      syncFor({});
      db.exec('PRAGMA busy_timeout = 0');
      try {
        upsertBand.run(
          symbol,
          band.upperLimit,
          band.lowerLimit,
          band.tradingDate,
          band.heldUntil,
          band.askedAt,
        );
      } finally {
        db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
      afterCommit({});
    },
  };

  const bindNumbers = (order: Order) => {
    for (const n of brokerNumbersOf(order)) insertNumber.run(order.tradingDate, n, order.orderId);
  };

  const insertTx = db.transaction(
    (
      order: Order,
      entry: JournalEntry,
      input: JournalFollowUpInput | undefined,
    ): InsertResult & { seq?: number } => {
      if (order.clientOrderId !== null) {
        const existing = orderOf(selectByClient.get(order.clientOrderId));
        if (existing !== null) return { inserted: false, order: existing };
      }
      const created = entry.owner ?? null;
      // Made here, under the write lock (a function stamps the commit's time).
      const next = typeof input === 'function' ? input(order) : input;
      // The follow-up is checked like an update, against the row as it would be after the insert
      // (version 0, the insert's owner); the row is written once, as it is after both records.
      const after: Order =
        next === undefined ? order : { ...order, ...next.patch, orderId: order.orderId };
      if (next !== undefined) checkFollowUp(order, created, after, next.entry.expect);
      const owner = next?.entry.owner === undefined ? created : next.entry.owner;
      insertOrder.run(
        order.orderId,
        order.clientOrderId,
        after.status,
        after.tradingDate,
        after.symbol,
        owner,
        JSON.stringify(after),
      );
      const { orderId: _id, ...patch } = order;
      insertEvent.run(
        order.orderId,
        entry.at,
        entry.cause,
        null,
        order.status,
        JSON.stringify(patch),
        entry.data === undefined ? null : JSON.stringify(entry.data),
      );
      if (next !== undefined) {
        insertEvent.run(
          order.orderId,
          next.entry.at,
          next.entry.cause,
          order.status,
          after.status,
          JSON.stringify(next.patch),
          next.entry.data === undefined ? null : JSON.stringify(next.entry.data),
        );
      }
      // The row keeps seq 0 until its first update (seq only tells a cached copy is current;
      // the insert, with or without its follow-up, is one write).
      bindNumbers(after);
      return { inserted: true, order: after, seq: 0 };
    },
  );

  const updateTx = db.transaction((orderId: string, patch: OrderPatch, entry: JournalEntry) => {
    // Read under the write lock: the compare-and-set sees the row as it is, not a copy.
    const row = record(orderId);
    if (row === null) throw new Error(`No order ${orderId} in the journal.`);
    const before = row.order;
    const after: Order = { ...before, ...patch, orderId };
    checkWrite(before, row.version, row.owner, after, entry.expect);
    const result = insertEvent.run(
      orderId,
      entry.at,
      entry.cause,
      before.status,
      after.status,
      JSON.stringify(patch),
      entry.data === undefined ? null : JSON.stringify(entry.data),
    );
    updateOrder.run(
      after.status,
      after.tradingDate,
      JSON.stringify(after),
      Number(result.lastInsertRowid),
      entry.owner === undefined ? 0 : 1,
      entry.owner ?? null,
      orderId,
    );
    if (patch.brokerOrderId !== undefined || patch.linkedBrokerOrderIds !== undefined) {
      bindNumbers(after);
    }
    return { after, seq: Number(result.lastInsertRowid) };
  });

  return {
    location: options.file,
    dayBands,
    insert(order, entry, next) {
      // The level is set before the transaction (it cannot change inside one): a follow-up given
      // as a function is only made inside it, so its commit is always durable.
      const durable = {
        durable:
          entry.durable === true || typeof next === 'function' || next?.entry.durable === true,
      };
      syncFor(durable);
      try {
        const { seq, ...result } = insertTx.immediate(order, entry, next);
        afterCommit(durable);
        // Cached only once committed.
        if (seq !== undefined) remember(result.order, seq);
        return result;
      } catch (error) {
        // A concurrent insert of the same client order id by another process.
        if (order.clientOrderId !== null && /UNIQUE/i.test(String(error))) {
          const existing = orderOf(selectByClient.get(order.clientOrderId));
          if (existing !== null) return { inserted: false, order: existing };
        }
        throw error;
      }
    },
    update(orderId, patch, entry) {
      syncFor(entry);
      const { after, seq } = updateTx.immediate(orderId, patch, entry);
      afterCommit(entry);
      remember(after, seq);
      return after;
    },
    get: (orderId) => current(orderId),
    read: (orderId) => record(orderId),
    versionOf: (order) => versions.get(order),
    getByClientOrderId: (id) => orderOf(selectByClient.get(id)),
    getByBrokerOrderId: (brokerOrderId, tradingDate) =>
      orderOf(
        tradingDate === undefined
          ? selectByNumber.get(brokerOrderId)
          : selectByNumberDate.get(brokerOrderId, tradingDate),
      ),
    list(query: JournalQuery = {}) {
      const where: string[] = [];
      const params: string[] = [];
      if (query.tradingDate !== undefined) {
        where.push('trading_date = ?');
        params.push(query.tradingDate);
      }
      if (query.symbol !== undefined) {
        where.push('symbol = ?');
        params.push(query.symbol);
      }
      if (query.statuses !== undefined) {
        if (query.statuses.length === 0) return [];
        where.push(`status IN (${query.statuses.map(() => '?').join(', ')})`);
        params.push(...query.statuses);
      }
      const sql = `SELECT seq, body FROM orders ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid`;
      let statement = listStatements.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        listStatements.set(sql, statement);
      }
      return statement
        .all(...params)
        .map((row) => orderOf(row))
        .filter((o): o is Order => o !== null);
    },
    ownerOf(orderId) {
      const owner = columnOf(selectOwner.get(orderId), 'owner');
      return typeof owner === 'string' ? owner : null;
    },
    events(orderId) {
      const rows =
        orderId === undefined
          ? db.prepare('SELECT * FROM order_events ORDER BY seq').all()
          : db.prepare('SELECT * FROM order_events WHERE order_id = ? ORDER BY seq').all(orderId);
      return rows.map((row): JournalEvent => {
        const r = v.parse(EventRowSchema, {
          seq: columnOf(row, 'seq'),
          order_id: columnOf(row, 'order_id'),
          at: columnOf(row, 'at'),
          cause: columnOf(row, 'cause'),
          from_status: columnOf(row, 'from_status'),
          to_status: columnOf(row, 'to_status'),
          patch: columnOf(row, 'patch'),
          data: columnOf(row, 'data'),
        });
        return {
          seq: r.seq,
          orderId: r.order_id,
          at: r.at,
          cause: r.cause,
          from: r.from_status,
          to: r.to_status,
          patch: v.parse(PatchSchema, JSON.parse(r.patch)) as OrderPatch,
          data: v.parse(DataSchema, r.data === null ? null : JSON.parse(r.data)),
        };
      });
    },
    close() {
      if (open) {
        checkpoint();
        open = false;
        db.close();
      }
    },
  };
}

function checkKey(db: SqliteDatabase, key: JournalKey): void {
  const wanted: Record<string, string> = {
    mode: key.mode,
    host: key.host,
    account: accountHash(key.account),
  };
  const select = db.prepare('SELECT value FROM journal_meta WHERE key = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO journal_meta (key, value) VALUES (?, ?)');
  for (const [name, value] of Object.entries(wanted)) {
    insert.run(name, value);
    const stored = columnOf(select.get(name), 'value');
    if (stored !== value) {
      throw new RouteRefusedError(
        'JOURNAL_MISMATCH',
        `The order journal belongs to another ${name} (${name === 'account' ? 'account hash ' : ''}${String(stored)}, not ${value}); use the journal of this mode, host and account.`,
      );
    }
  }
}
