// Korea time (Asia/Seoul: UTC+9, no daylight saving since 1988) whatever the machine's TZ.

const SEOUL_OFFSET_MS = 9 * 60 * 60 * 1000;

/** `YYYYMMDD` in Seoul of an epoch-ms instant. */
export function seoulDateOf(epochMs: number): string {
  const date = new Date(epochMs + SEOUL_OFFSET_MS);
  const y = String(date.getUTCFullYear()).padStart(4, '0');
  const m = String(date.getUTCMonth() + 1).padStart(2, '0');
  const d = String(date.getUTCDate()).padStart(2, '0');
  return `${y}${m}${d}`;
}

/**
 * ISO 8601 with `+09:00` from a KIS date `YYYYMMDD` and time `HHMMSS` (both Seoul wall clock).
 * A malformed time yields midnight of the date, so a row is never dropped for its time.
 */
export function seoulIso(date: string, time: string): string {
  const t = /^\d{6}$/.test(time) ? time : '000000';
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}+09:00`;
}

/** ISO 8601 with `+09:00` of an epoch-ms instant. */
export function seoulIsoOf(epochMs: number): string {
  const date = new Date(epochMs + SEOUL_OFFSET_MS);
  return `${date.toISOString().slice(0, 19)}+09:00`;
}

/** An order number without leading zeros, for matching across KIS APIs (`0000013903` = `13903`). */
export function normalizeOrderNumber(orderNumber: string): string {
  const trimmed = orderNumber.trim();
  let zeros = 0;
  while (zeros < trimmed.length && trimmed.charCodeAt(zeros) === 48) zeros += 1;
  if (zeros === 0) return trimmed === '' ? '0' : trimmed;
  return zeros === trimmed.length ? '0' : trimmed.slice(zeros);
}
