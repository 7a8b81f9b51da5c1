// @qts/execution-route: intent -> order -> response -> runtime state, journaled and reconciled.

export type { OrderStatusChange, RouteLogger } from './apply.js';
export { ROUTE_REFUSAL_REASONS, type RouteRefusalReason, RouteRefusedError } from './errors.js';
export { type OrderIntent, OrderIntentSchema, parseOrderIntent } from './intent.js';
export {
  JournalConflictError,
  type JournalConflictReason,
} from './journal/conflict.js';
export { createMemoryJournal } from './journal/memory.js';
export { replayJournal } from './journal/replay.js';
export {
  createSqliteJournal,
  JOURNAL_MIGRATIONS,
  JOURNAL_SCHEMA_VERSION,
  type JournalKey,
  journalPath,
  type SqliteJournalOptions,
} from './journal/sqlite.js';
export type {
  DayBandStorage,
  InsertResult,
  JournalEntry,
  JournalEvent,
  JournalExpectation,
  JournalFollowUp,
  JournalFollowUpInput,
  JournalQuery,
  JournalRecord,
  OrderJournal,
  StoredDayBand,
} from './journal/types.js';
export {
  type BrokerFill,
  brokerNumbersOf,
  type Order,
  type OrderErrorInfo,
  type OrderPatch,
  OrderSchema,
  orderFingerprint,
  ROUTE_MODES,
  type RouteMode,
  totalFills,
} from './order.js';
export {
  createExecutionRoute,
  type ExecutionRoute,
  type ExecutionRouteOptions,
  type RouteCheckpoint,
  type RouteOrdersQuery,
  type RouteResult,
  type SubmitOptions,
  type WatchOptions,
  type WatchStatus,
} from './route.js';
