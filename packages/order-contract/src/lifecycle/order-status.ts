/**
 * Every status a runtime order can have (architecture.md section 4).
 * - pending: journaled, not sent; submitted: on the wire; accepted: broker order number known;
 * - partially_filled, filled; canceled; rejected (broker said no); failed (never sent);
 * - unknown: sent, no definite answer; not_found: unknown, and complete inquiries after the
 *   evidence window show no match;
 * - pending_cancel / pending_modify: a cancel / modify is on its way;
 * - cancel_unknown / modify_unknown: that cancel / modify was sent without a definite answer.
 */
export const ORDER_STATUSES = [
  'pending',
  'submitted',
  'accepted',
  'partially_filled',
  'filled',
  'canceled',
  'rejected',
  'failed',
  'unknown',
  'not_found',
  'pending_cancel',
  'pending_modify',
  'cancel_unknown',
  'modify_unknown',
] as const;
/** A runtime order status. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses from which nothing moves (but see `transition`: a late fill of a canceled order). */
export const TERMINAL_ORDER_STATUSES = [
  'filled',
  'canceled',
  'rejected',
  'failed',
  'not_found',
] as const;
/** A terminal status. */
export type TerminalOrderStatus = (typeof TERMINAL_ORDER_STATUSES)[number];

/**
 * What can happen to an order. Fill events carry cumulative quantities; `transition` derives
 * partially_filled vs filled from them.
 */
export type OrderTransitionEvent =
  | { readonly type: 'submit' }
  | { readonly type: 'send-failed' }
  | { readonly type: 'accept' }
  | { readonly type: 'reject' }
  | { readonly type: 'outcome-unknown' }
  | { readonly type: 'fill'; readonly filledQuantity: number; readonly quantity: number }
  | { readonly type: 'cancel-request' }
  | { readonly type: 'cancel-unknown' }
  | { readonly type: 'cancel' }
  | { readonly type: 'cancel-reject'; readonly filledQuantity: number }
  | { readonly type: 'modify-request' }
  | { readonly type: 'modify-unknown' }
  | { readonly type: 'modify'; readonly filledQuantity: number }
  | { readonly type: 'modify-reject'; readonly filledQuantity: number }
  | { readonly type: 'not-found' };
