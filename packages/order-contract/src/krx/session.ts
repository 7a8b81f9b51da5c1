/** The phase of the KRX trading day at an instant. */
export const KRX_SESSION_PHASES = [
  'closed',
  'pre-market',
  'opening-auction',
  'continuous',
  'closing-auction',
  'post-market',
  'after-hours',
] as const;
/** The phase of the KRX trading day at an instant. */
export type KrxSessionPhase = (typeof KRX_SESSION_PHASES)[number];

/** Tells which dates are KRX holidays (weekends are closed without asking). */
export interface HolidayCalendar {
  /** True when the market is closed on this date (`YYYYMMDD`, Asia/Seoul). */
  isHoliday(yyyymmdd: string): boolean;
}

/** One phase of the KRX day, from `start` (inclusive) to `end` (exclusive), `HHMMSS` in Asia/Seoul. */
export interface KrxSessionWindow {
  /** The phase. */
  readonly phase: Exclude<KrxSessionPhase, 'closed'>;
  /** First second of the phase, `HHMMSS`. */
  readonly start: string;
  /** First second after the phase, `HHMMSS`. */
  readonly end: string;
}

/**
 * The KRX trading day (KST): 08:30-08:40 pre-market at the previous close (the opening auction
 * already collects orders), 08:40-09:00 opening auction, 09:00-15:20 continuous, 15:20-15:30
 * closing auction, 15:40-16:00 post-market at the close, 16:00-18:00 after-hours single-price
 * auctions. Delayed openings (first trading day of the year, the CSAT day) are not modelled.
 */
export const KRX_SESSION_SCHEDULE: readonly KrxSessionWindow[] = [
  { phase: 'pre-market', start: '083000', end: '084000' },
  { phase: 'opening-auction', start: '084000', end: '090000' },
  { phase: 'continuous', start: '090000', end: '152000' },
  { phase: 'closing-auction', start: '152000', end: '153000' },
  { phase: 'post-market', start: '154000', end: '160000' },
  { phase: 'after-hours', start: '160000', end: '180000' },
];

/** A calendar without holidays: only weekends are closed. */
export const NO_HOLIDAYS: HolidayCalendar = { isHoliday: () => false };

/**
 * Creates a holiday calendar from a list of dates.
 *
 * @param dates - Holidays as `YYYYMMDD`.
 * @returns The calendar.
 */
export function createHolidayCalendar(dates: Iterable<string>): HolidayCalendar {
  const set = new Set(dates);
  return { isHoliday: (yyyymmdd) => set.has(yyyymmdd) };
}

const SEOUL_OFFSET_MS = 9 * 60 * 60 * 1000; // KST is UTC+9 all year (no daylight saving since 1988)

function seoulParts(instant: Date): Date {
  const time = instant.getTime();
  if (!Number.isFinite(time)) throw new RangeError('Expected a valid Date.');
  return new Date(time + SEOUL_OFFSET_MS);
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * The date in Asia/Seoul at an instant, whatever the machine's time zone.
 *
 * @param instant - The instant. Defaults to now.
 * @returns `YYYYMMDD`.
 * @throws `RangeError` for an invalid Date.
 */
export function seoulDate(instant: Date = new Date()): string {
  const seoul = seoulParts(instant);
  return `${pad(seoul.getUTCFullYear(), 4)}${pad(seoul.getUTCMonth() + 1)}${pad(seoul.getUTCDate())}`;
}

/**
 * The wall-clock time in Asia/Seoul at an instant, whatever the machine's time zone.
 *
 * @param instant - The instant. Defaults to now.
 * @returns `HHMMSS`.
 * @throws `RangeError` for an invalid Date.
 */
export function seoulTime(instant: Date = new Date()): string {
  const seoul = seoulParts(instant);
  return `${pad(seoul.getUTCHours())}${pad(seoul.getUTCMinutes())}${pad(seoul.getUTCSeconds())}`;
}

/**
 * The KRX session phase at an instant: weekends and the calendar's holidays are closed all day,
 * otherwise the phase of `KRX_SESSION_SCHEDULE` that holds the Seoul time, else closed.
 *
 * @param instant - The instant.
 * @param calendar - Holidays. Defaults to `NO_HOLIDAYS` (weekends only).
 * @returns The phase.
 * @throws `RangeError` for an invalid Date.
 */
export function krxSessionAt(
  instant: Date,
  calendar: HolidayCalendar = NO_HOLIDAYS,
): KrxSessionPhase {
  const weekday = seoulParts(instant).getUTCDay();
  if (weekday === 0 || weekday === 6) return 'closed';
  if (calendar.isHoliday(seoulDate(instant))) return 'closed';
  const time = seoulTime(instant);
  const window = KRX_SESSION_SCHEDULE.find(({ start, end }) => time >= start && time < end);
  return window?.phase ?? 'closed';
}
