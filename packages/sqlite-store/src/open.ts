// Opening a QTS SQLite file (libsql): the set-up every QTS store needs so that several `qts`
// processes may open, create and migrate the same file at the same moment.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type LibsqlDatabase from 'libsql';

// libsql is CommonJS: required, not imported, so Node does not scan its source for named
// exports on every start (a few ms of each `qts` command).
const Database = createRequire(import.meta.url)('libsql') as typeof LibsqlDatabase;

/** The database handle type of libsql. */
export type SqliteDatabase = InstanceType<typeof LibsqlDatabase>;

/** A prepared statement of libsql. */
export type SqliteStatement = LibsqlDatabase.Statement;

/** How long a statement waits for another connection's lock before SQLITE_BUSY, ms. */
export const BUSY_TIMEOUT_MS = 5_000;

/** Options of `openSqlite`. */
export interface OpenSqliteOptions {
  /** The file (created with its folder, owner only), or null for an in-memory database. */
  readonly file: string | null;
  /**
   * Schema migrations: index i takes a file from `PRAGMA user_version` i to i + 1. The version
   * this code writes is `migrations.length`.
   */
  readonly migrations: readonly string[];
  /** `PRAGMA synchronous` of a file (WAL mode): NORMAL (default) or FULL. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** The error to throw when the file has a newer schema than `migrations` knows. */
  readonly newerSchema: (found: number, supported: number) => Error;
}

/**
 * Reads one column of a row. libsql rows carry an extra `_metadata` key, so rows are read field
 * by field (or parsed with a schema that drops unknown keys), never spread.
 *
 * @param row A row as returned by a statement (or undefined when there was none).
 * @param name The column.
 * @returns The value, or undefined when the row or column is missing.
 */
export function columnOf(row: unknown, name: string): unknown {
  return typeof row === 'object' && row !== null
    ? (row as Record<string, unknown>)[name]
    : undefined;
}

/**
 * Reads one PRAGMA value (libsql ignores `simple: true`: the value is read from the row).
 *
 * @param db The database.
 * @param name The pragma, e.g. `user_version` or `journal_mode`.
 * @returns Its value.
 */
export function pragmaValue(db: SqliteDatabase, name: string): unknown {
  return columnOf(db.prepare(`PRAGMA ${name}`).get(), name);
}

function userVersion(db: SqliteDatabase): number {
  return Number(pragmaValue(db, 'user_version') ?? 0);
}

/**
 * Switches the file to WAL. Converting a fresh (rollback-journal) file upgrades a read lock to a
 * write lock inside one statement; when another process converts it at the same moment, SQLite
 * answers SQLITE_BUSY at once without waiting (waiting there could deadlock). The statement holds
 * no lock after failing, so retry until the busy timeout.
 */
function enableWal(db: SqliteDatabase): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.exec('PRAGMA journal_mode = WAL');
      return;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (!String(code).startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** Applies the pending migrations in one write transaction. */
function migrate(db: SqliteDatabase, options: OpenSqliteOptions): void {
  const supported = options.migrations.length;
  const version = userVersion(db);
  if (version > supported) throw options.newerSchema(version, supported);
  if (version === supported) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    // Read again under the write lock: another process may have migrated meanwhile.
    const locked = userVersion(db);
    if (locked > supported) throw options.newerSchema(locked, supported);
    for (const migration of options.migrations.slice(locked)) db.exec(migration);
    db.exec(`PRAGMA user_version = ${supported}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * Opens (creating or migrating) a SQLite file: WAL, a busy timeout, and the schema brought to
 * `migrations.length` under one write lock. Safe when several processes open the same fresh file
 * at once.
 *
 * @param options File, migrations, synchronous level and the newer-schema error.
 * @returns The open database.
 * @throws The `newerSchema` error when the file was written by a newer schema; the SQLite error
 *   when the file cannot be opened, switched to WAL or migrated.
 */
export function openSqlite(options: OpenSqliteOptions): SqliteDatabase {
  if (options.file !== null) mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
  // Another process may hold the lock (switching the fresh file to WAL, migrating, writing): wait
  // for it. libsql's default busy timeout is 0 (SQLITE_BUSY at once); `timeout` applies before the
  // first statement, so it covers the WAL switch too.
  const db = new Database(options.file ?? ':memory:', { timeout: BUSY_TIMEOUT_MS });
  try {
    if (options.file !== null) {
      enableWal(db);
      if (pragmaValue(db, 'journal_mode') !== 'wal') {
        throw new Error(`The SQLite file ${options.file} could not switch to WAL mode.`);
      }
      db.exec(`PRAGMA synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    }
    migrate(db, options);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
