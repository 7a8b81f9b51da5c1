// Session rules: whether the exchange takes an order now (when `sessionRules` is on).

import {
  type HolidayCalendar,
  krxSessionAt,
  type OrderDivision,
  orderDivisionParts,
  orderWindowAt,
  orderWindowIssue,
  seoulTime,
  type Venue,
} from '@qts/order-contract';
import { marketClosed, outsideSession } from './rejections.js';
import type { VirtualResult } from './types.js';

export function createSessionRules(options: {
  readonly sessionRules: boolean;
  readonly holidays: HolidayCalendar;
  readonly clock: () => number;
}) {
  const { sessionRules, holidays, clock } = options;

  /** The refusal of a cancel or modify (or a KRX limit / market order) now, or null. */
  function sessionRefusal(): Extract<VirtualResult, { ok: false }> | null {
    if (!sessionRules) return null;
    const now = new Date(clock());
    if (krxSessionAt(now, holidays) !== 'closed') return null;
    return marketClosed(seoulTime(now) < '083000');
  }

  /** The session refusal of a new order of a division at a venue, or null (session rules off, or open). */
  function placeSessionRefusal(
    division: OrderDivision,
    venue: Venue,
  ): Extract<VirtualResult, { ok: false }> | null {
    if (!sessionRules) return null;
    // Plain limit and market orders on KRX keep the exchange's long-standing rule (any KRX phase).
    if ((division === 'limit' || division === 'market') && venue === 'KRX') return sessionRefusal();
    const now = new Date(clock());
    if (orderWindowAt(venue, division, now, holidays) !== undefined) return null;
    const issue = orderWindowIssue({ ...orderDivisionParts(division), venue }, now, holidays);
    const message = issue?.message ?? `${venue} does not take ${division} orders now.`;
    // The contract's message is written for a check before sending; here the exchange refused.
    return outsideSession(message.replace('Nothing was sent;', 'The order was not booked;'));
  }

  return { sessionRefusal, placeSessionRefusal };
}
