import {
  ORDER_STATUSES,
  type OrderStatus,
  type OrderTransitionEvent,
  TERMINAL_ORDER_STATUSES,
} from './order-status.js';

/** The type of an order transition event. */
export type OrderTransitionEventType = OrderTransitionEvent['type'];

/** The result of `transition`: the new status, or why the move is impossible. */
export type TransitionResult =
  | { readonly ok: true; readonly status: OrderStatus }
  | { readonly ok: false; readonly reason: string };

/** Per status, the events it accepts and the statuses each may lead to. */
export type OrderTransitionTable = {
  readonly [S in OrderStatus]: {
    readonly [E in OrderTransitionEventType]?: readonly OrderStatus[];
  };
};

const FILL = ['partially_filled', 'filled'] as const;
const BY_FILLED = ['accepted', 'partially_filled'] as const;

/**
 * Every allowed move of the order lifecycle (architecture.md section 4), modelled on
 * NautilusTrader's order state table. Where an event lists two targets, `transition` picks one
 * from the event's quantities:
 * - `fill`: `filled` when the cumulative filled quantity reaches the order quantity, else
 *   `partially_filled` (or, in a pending / unknown cancel or modify, that state is kept; and in
 *   `canceled` the order stays canceled: a late fill of a canceled order is a real-world
 *   possibility and the only move out of a terminal status);
 * - `cancel-reject`, `modify`, `modify-reject`: back to `partially_filled` when anything is
 *   filled, else `accepted`.
 *
 * `unknown` (sent, no answer) is settled only by reconciliation: accept, reject, fill, cancel, or
 * `not-found` after the evidence window. Terminal statuses (filled, canceled, rejected, failed,
 * not_found) accept nothing else. Applying a fill only when the cumulative quantity grows is the
 * caller's job (the route): `transition` does not know the previous quantity.
 */
export const ORDER_TRANSITIONS: OrderTransitionTable = {
  pending: { submit: ['submitted'], 'send-failed': ['failed'] },
  submitted: {
    accept: ['accepted'],
    reject: ['rejected'],
    'send-failed': ['failed'],
    'outcome-unknown': ['unknown'],
    fill: FILL,
    cancel: ['canceled'],
  },
  accepted: {
    accept: ['accepted'],
    reject: ['rejected'],
    fill: FILL,
    'cancel-request': ['pending_cancel'],
    'modify-request': ['pending_modify'],
    cancel: ['canceled'],
    modify: BY_FILLED,
  },
  partially_filled: {
    fill: FILL,
    'cancel-request': ['pending_cancel'],
    'modify-request': ['pending_modify'],
    cancel: ['canceled'],
    modify: BY_FILLED,
  },
  pending_cancel: {
    'cancel-request': ['pending_cancel'],
    cancel: ['canceled'],
    'cancel-reject': BY_FILLED,
    'cancel-unknown': ['cancel_unknown'],
    fill: ['pending_cancel', 'filled'],
  },
  cancel_unknown: {
    'cancel-request': ['pending_cancel'],
    cancel: ['canceled'],
    'cancel-reject': BY_FILLED,
    fill: ['cancel_unknown', 'filled'],
  },
  pending_modify: {
    'modify-request': ['pending_modify'],
    'cancel-request': ['pending_cancel'],
    modify: BY_FILLED,
    'modify-reject': BY_FILLED,
    'modify-unknown': ['modify_unknown'],
    cancel: ['canceled'],
    fill: ['pending_modify', 'filled'],
  },
  modify_unknown: {
    'cancel-request': ['pending_cancel'],
    modify: BY_FILLED,
    'modify-reject': BY_FILLED,
    cancel: ['canceled'],
    fill: ['modify_unknown', 'filled'],
  },
  unknown: {
    accept: ['accepted'],
    reject: ['rejected'],
    fill: FILL,
    cancel: ['canceled'],
    'not-found': ['not_found'],
  },
  filled: {},
  canceled: { fill: ['canceled', 'filled'] },
  rejected: {},
  failed: {},
  not_found: {},
};

/**
 * Tells whether a status is terminal (filled, canceled, rejected, failed, not_found).
 *
 * @param status - The status.
 * @returns True for a terminal status.
 */
export function isTerminal(status: OrderStatus): boolean {
  return (TERMINAL_ORDER_STATUSES as readonly string[]).includes(status);
}

function isStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * Applies an event to an order status. Pure; never throws: impossible moves and malformed events
 * come back as `{ ok: false, reason }`.
 *
 * @param status - The current status.
 * @param event - What happened.
 * @returns The new status, or the reason the move is refused.
 */
export function transition(status: OrderStatus, event: OrderTransitionEvent): TransitionResult {
  if (!isStatus(status)) {
    return { ok: false, reason: `Unknown order status ${JSON.stringify(status)}.` };
  }
  const type: unknown = typeof event === 'object' && event !== null ? event.type : undefined;
  const targets =
    typeof type === 'string' && Object.hasOwn(ORDER_TRANSITIONS[status], type)
      ? ORDER_TRANSITIONS[status][type as OrderTransitionEventType]
      : undefined;
  if (targets === undefined) {
    return {
      ok: false,
      reason: `An order that is ${status} cannot take ${typeof type === 'string' ? `a "${type}" event` : 'this event'}${isTerminal(status) ? ` (${status} is terminal)` : ''}.`,
    };
  }
  if (targets.length === 1) return { ok: true, status: targets[0]! };

  if (event.type === 'fill') {
    if (!isCount(event.quantity) || event.quantity < 1 || !isCount(event.filledQuantity)) {
      return {
        ok: false,
        reason: `A fill needs whole quantities with quantity of at least 1 (got filledQuantity ${String(event.filledQuantity)} of ${String(event.quantity)}).`,
      };
    }
    if (event.filledQuantity < 1) {
      return { ok: false, reason: 'A fill must carry a cumulative filled quantity of at least 1.' };
    }
    const complete = event.filledQuantity >= event.quantity;
    // targets: [partial-or-kept, filled]
    return { ok: true, status: complete ? 'filled' : targets[0]! };
  }
  if (event.type === 'cancel-reject' || event.type === 'modify' || event.type === 'modify-reject') {
    if (!isCount(event.filledQuantity)) {
      return {
        ok: false,
        reason: `A ${event.type} event needs the order's filled quantity as a whole number (got ${String(event.filledQuantity)}).`,
      };
    }
    return { ok: true, status: event.filledQuantity > 0 ? 'partially_filled' : 'accepted' };
  }
  return { ok: false, reason: `The "${String(type)}" event has no rule to pick a status.` };
}
