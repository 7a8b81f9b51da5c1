// KIS's Seoul wall-clock dates and times as ISO 8601 (+09:00), and order numbers. The Seoul date
// and time of an instant are the contract's `seoulDate` / `seoulTime`.

/**
 * ISO 8601 with `+09:00` from a KIS date `YYYYMMDD` and time `HHMMSS` (both Seoul wall clock).
 * A malformed time yields midnight of the date, so a row is never dropped for its time.
 */
export function seoulIso(date: string, time: string): string {
  const t = /^\d{6}$/.test(time) ? time : '000000';
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}+09:00`;
}

/** An order number without leading zeros, for matching across KIS APIs (`0000013903` = `13903`). */
export function normalizeOrderNumber(orderNumber: string): string {
  const trimmed = orderNumber.trim();
  let zeros = 0;
  while (zeros < trimmed.length && trimmed.charCodeAt(zeros) === 48) zeros += 1;
  if (zeros === 0) return trimmed === '' ? '0' : trimmed;
  return zeros === trimmed.length ? '0' : trimmed.slice(zeros);
}
