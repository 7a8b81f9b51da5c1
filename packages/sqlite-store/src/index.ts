export {
  BUSY_TIMEOUT_MS,
  columnOf,
  type OpenSqliteOptions,
  openSqlite,
  pragmaValue,
  type SqliteDatabase,
  type SqliteStatement,
} from './open.js';
