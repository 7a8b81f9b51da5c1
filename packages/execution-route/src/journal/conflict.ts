import { isTerminal } from '@qts/order-contract';
import type { Order } from '../order.js';
import type { JournalExpectation } from './types.js';

/** Why a journal write was refused. */
export type JournalConflictReason = 'stale' | 'terminal' | 'fill-decrease';

/**
 * A write refused inside the journal's write transaction: the caller's view of the order is
 * stale (status, version or owner changed since it was read), or the write would break an
 * invariant (a terminal status never changes; the filled quantity never decreases). Nothing was
 * written. Read the order again and decide anew.
 */
export class JournalConflictError extends Error {
  readonly code = 'JOURNAL_CONFLICT';
  readonly reason: JournalConflictReason;
  /** The order as it is in the journal now. */
  readonly current: Order;
  constructor(reason: JournalConflictReason, message: string, current: Order) {
    super(message);
    this.name = 'JournalConflictError';
    this.reason = reason;
    this.current = current;
  }

  /** True for a JournalConflictError (also across module copies). */
  static isInstance(error: unknown): error is JournalConflictError {
    return (
      error instanceof JournalConflictError ||
      (typeof error === 'object' &&
        error !== null &&
        (error as { code?: unknown }).code === 'JOURNAL_CONFLICT')
    );
  }
}

/**
 * The compare-and-set and invariant checks every journal runs inside its write transaction,
 * on the row as it is there (never on the caller's copy).
 *
 * @throws {JournalConflictError} when the expectation fails or an invariant would break.
 */
export function checkWrite(
  before: Order,
  version: number,
  owner: string | null,
  after: Order,
  expect: JournalExpectation | undefined,
): void {
  if (expect !== undefined) {
    const stale: string[] = [];
    if (expect.status !== undefined && expect.status !== before.status) {
      stale.push(`status is ${before.status}, not ${expect.status}`);
    }
    if (expect.version !== undefined && expect.version !== version) {
      stale.push(`version is ${version}, not ${expect.version}`);
    }
    if (expect.owner !== undefined && expect.owner !== owner) stale.push('owner changed');
    if (stale.length > 0) {
      throw new JournalConflictError(
        'stale',
        `Order ${before.orderId} changed since it was read (${stale.join('; ')}); nothing was written.`,
        before,
      );
    }
  }
  // A late fill of a canceled order is the one move out of a terminal status the contract allows.
  const lateFill = before.status === 'canceled' && after.status === 'filled';
  if (isTerminal(before.status) && after.status !== before.status && !lateFill) {
    throw new JournalConflictError(
      'terminal',
      `Order ${before.orderId} is ${before.status} (terminal); it cannot become ${after.status}.`,
      before,
    );
  }
  if (after.filledQuantity < before.filledQuantity) {
    throw new JournalConflictError(
      'fill-decrease',
      `Order ${before.orderId} has ${before.filledQuantity} filled; a write of ${after.filledQuantity} was refused (fills never decrease).`,
      before,
    );
  }
}

/**
 * Checks an insert's follow-up record as an update of the row just inserted (`inserted`, version
 * 0, with its owner), inside the insert's transaction. A refusal says that nothing was inserted;
 * its `current` is the order as it would have been inserted (it is not in the journal).
 *
 * @throws {JournalConflictError} when the follow-up's expectation fails or it breaks an invariant.
 */
export function checkFollowUp(
  inserted: Order,
  owner: string | null,
  after: Order,
  expect: JournalExpectation | undefined,
): void {
  try {
    checkWrite(inserted, 0, owner, after, expect);
  } catch (error) {
    if (!(error instanceof JournalConflictError)) throw error;
    const why =
      error.reason === 'stale'
        ? `it expected ${JSON.stringify(expect)} of the inserted row (status ${inserted.status}, owner ${JSON.stringify(owner)})`
        : error.message;
    throw new JournalConflictError(
      error.reason,
      `Order ${inserted.orderId} was not inserted: its follow-up record was refused (${why}); nothing was written.`,
      inserted,
    );
  }
}
