import type { OrderIssue } from '../errors/qts-error.js';
import {
  type OrderDivision,
  type OrderDivisionFields,
  orderDivisionOf,
  type Venue,
  venueOf,
} from './order-division.js';
import { type HolidayCalendar, NO_HOLIDAYS, seoulDate, seoulTime } from './session.js';

/** A span of the trading day (KST) in which a venue takes some order divisions. */
export interface OrderWindow {
  /** The venue. */
  readonly venue: Venue;
  /** The session's name, as messages show it (e.g. `NXT after-market`). */
  readonly session: string;
  /** First second, `HHMMSS` in Asia/Seoul. */
  readonly start: string;
  /** First second after the window, `HHMMSS`. */
  readonly end: string;
  /** The divisions the venue takes in this window. */
  readonly divisions: readonly OrderDivision[];
}

const REGULAR: readonly OrderDivision[] = [
  'limit',
  'market',
  'conditional',
  'best',
  'priority',
  'ioc-limit',
  'fok-limit',
  'ioc-market',
  'fok-market',
  'ioc-best',
  'fok-best',
];
const NXT_MAIN: readonly OrderDivision[] = [
  'limit',
  'best',
  'priority',
  'ioc-limit',
  'fok-limit',
  'ioc-market',
  'fok-market',
  'ioc-best',
  'fok-best',
];
const SOR_MAIN: readonly OrderDivision[] = [
  'limit',
  'market',
  'best',
  'priority',
  'ioc-limit',
  'fok-limit',
  'ioc-market',
  'fok-market',
  'ioc-best',
  'fok-best',
];

/**
 * When each venue takes which divisions, Korean time, on trading days. Sources: KRX's trading
 * hours (regular 08:30-15:30 with the opening auction collecting orders from 08:30; pre-market at
 * the previous close 08:30-08:40; post-market at the close 15:40-16:00; after-hours single price
 * 16:00-18:00) and Nextrade's (pre-market 08:00-08:50, main market 09:00:30-15:20, after-market
 * 15:30-20:00). Nextrade's pre- and after-markets are taken to accept plain limit orders only:
 * other divisions there are not confirmed, so they are refused before sending. SOR is offered
 * while both venues run their main market (09:00:30-15:20).
 */
export const ORDER_WINDOWS: readonly OrderWindow[] = [
  {
    venue: 'KRX',
    session: 'KRX regular session',
    start: '083000',
    end: '153000',
    divisions: REGULAR,
  },
  {
    venue: 'KRX',
    session: 'KRX pre-market at the previous close (장전 시간외)',
    start: '083000',
    end: '084000',
    divisions: ['pre-market-close'],
  },
  {
    venue: 'KRX',
    session: 'KRX post-market at the close (장후 시간외)',
    start: '154000',
    end: '160000',
    divisions: ['post-market-close'],
  },
  {
    venue: 'KRX',
    session: 'KRX after-hours single price (시간외 단일가)',
    start: '160000',
    end: '180000',
    divisions: ['after-hours-single'],
  },
  { venue: 'NXT', session: 'NXT pre-market', start: '080000', end: '085000', divisions: ['limit'] },
  { venue: 'NXT', session: 'NXT main market', start: '090030', end: '152000', divisions: NXT_MAIN },
  {
    venue: 'NXT',
    session: 'NXT after-market',
    start: '153000',
    end: '200000',
    divisions: ['limit'],
  },
  {
    venue: 'SOR',
    session: 'SOR (both main markets)',
    start: '090030',
    end: '152000',
    divisions: SOR_MAIN,
  },
];

const hhmm = (hhmmss: string): string => `${hhmmss.slice(0, 2)}:${hhmmss.slice(2, 4)}`;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * The window that takes a division at a venue at an instant, if any.
 *
 * @param venue - The venue.
 * @param division - The division.
 * @param instant - The instant.
 * @param calendar - Holidays (weekends are always closed).
 * @returns The window, or undefined when the venue does not take the division then.
 */
export function orderWindowAt(
  venue: Venue,
  division: OrderDivision,
  instant: Date,
  calendar: HolidayCalendar = NO_HOLIDAYS,
): OrderWindow | undefined {
  const date = seoulDate(instant);
  const weekday = new Date(instant.getTime() + 9 * 3_600_000).getUTCDay();
  if (weekday === 0 || weekday === 6 || calendar.isHoliday(date)) return undefined;
  const time = seoulTime(instant);
  return ORDER_WINDOWS.find(
    (window) =>
      window.venue === venue &&
      window.divisions.includes(division) &&
      time >= window.start &&
      time < window.end,
  );
}

/**
 * Checks that the venue takes the request's division at an instant, with a message that names
 * the sessions that would. Meant for requests that name a venue, a session, a price condition or
 * an execution condition; a request with invalid division fields yields no issue here
 * (`validateOrderRequest` reports those).
 *
 * @param fields - The request's division and venue fields.
 * @param instant - When it would be sent.
 * @param calendar - Holidays.
 * @returns The problem, or null when the venue takes the order now.
 */
export function orderWindowIssue(
  fields: OrderDivisionFields,
  instant: Date,
  calendar: HolidayCalendar = NO_HOLIDAYS,
): OrderIssue | null {
  const division = orderDivisionOf(fields);
  const venue = venueOf(fields);
  if (division === null || venue === null) return null;
  if (orderWindowAt(venue, division, instant, calendar) !== undefined) return null;
  const date = seoulDate(instant);
  const weekday = WEEKDAYS[new Date(instant.getTime() + 9 * 3_600_000).getUTCDay()] ?? '';
  const now = `${hhmm(seoulTime(instant))} KST on ${weekday} ${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
  const windows = ORDER_WINDOWS.filter(
    (window) => window.venue === venue && window.divisions.includes(division),
  ).map((window) => `${window.session} ${hhmm(window.start)}-${hhmm(window.end)}`);
  const closedDay = weekday === 'Saturday' || weekday === 'Sunday' || calendar.isHoliday(date);
  return {
    field: 'session',
    code: 'outside-session',
    message: `${venue} does not take ${division} orders at ${now}${closedDay ? ' (not a trading day)' : ''}: ${windows.length > 0 ? `it takes them in the ${windows.join(', ')} (KST, trading days)` : 'it does not take them at all'}. Nothing was sent; send it during that session.`,
  };
}
