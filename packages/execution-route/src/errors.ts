import { ConfigError, type QtsErrorOptions } from '@qts/order-contract';

/**
 * Why the route refused a call before sending anything. Stable strings: scripts may rely on them.
 * - `UNKNOWN_ORDER_FINGERPRINT`: an order with the same symbol, side, quantity, type and price is
 *   still `unknown`; resending could double it. Run reconciliation (`qts orders`) or pass force.
 * - `INTENT_ID_CONFLICT`: the intent id is already used by an order with a different fingerprint.
 * - `UNKNOWN_ORDER_ID`: no order with that local id in this journal.
 * - `ORDER_NOT_CANCELABLE` / `ORDER_NOT_MODIFIABLE`: the order's status does not allow it.
 * - `MODIFY_OUTCOME_UNKNOWN`: a cancel while a modify of the order is unanswered or unknown (it
 *   would go to the number before the modify); reconcile first.
 * - `JOURNAL_MISMATCH`: the journal file belongs to another mode, host or account.
 */
export const ROUTE_REFUSAL_REASONS = [
  'UNKNOWN_ORDER_FINGERPRINT',
  'INTENT_ID_CONFLICT',
  'UNKNOWN_ORDER_ID',
  'ORDER_NOT_CANCELABLE',
  'ORDER_NOT_MODIFIABLE',
  'MODIFY_OUTCOME_UNKNOWN',
  'JOURNAL_MISMATCH',
] as const;
/** Why the route refused a call before sending anything. */
export type RouteRefusalReason = (typeof ROUTE_REFUSAL_REASONS)[number];

/**
 * The route refused before sending anything (a `ConfigError`: code `CONFIG`, outcome
 * `not_placed`; the CLI exits 2). `reason` says which rule refused it.
 */
export class RouteRefusedError extends ConfigError {
  /** The stable reason. */
  readonly reason: RouteRefusalReason;
  /** The orders involved (e.g. the unknown order the new intent could double). */
  readonly orderIds: readonly string[];
  constructor(
    reason: RouteRefusalReason,
    message: string,
    options: QtsErrorOptions & { readonly orderIds?: readonly string[] } = {},
  ) {
    super(message, options);
    this.name = 'RouteRefusedError';
    this.reason = reason;
    this.orderIds = options.orderIds ?? [];
  }
}
