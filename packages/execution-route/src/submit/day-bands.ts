// The day's price bands (상한가 / 하한가) a route has seen, per symbol: KRX fixes a symbol's band
// for the whole trading day from its base price (normally the previous close), so one quote per
// symbol and day is enough to let orders through. A band only ever lets an order pass: a price
// the remembered band would refuse is checked again against a fresh quote before refusing. The
// SQLite journal stores the bands, so every process on one journal file shares them.
import { seoulDate } from '@qts/order-contract';
import type { DayBandStorage, StoredDayBand } from '../journal/types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Asia/Seoul is UTC+9 all year (no daylight saving). */
const SEOUL_OFFSET_MS = 9 * HOUR_MS;
/**
 * Before 08:00 in Seoul a quote may still carry the previous day's band (the new base price is
 * set before the pre-market sessions open); a band seen earlier is held only until then.
 */
const BAND_SETTLED_HOUR = 8;
/** At most this many symbols are remembered (the oldest is dropped first). */
const MAX_SYMBOLS = 2_000;

/** Finite, positive limits, the lower not above the upper: a band that can be checked against. */
export function isPlausibleBand(band: { upperLimit: number; lowerLimit: number }): boolean {
  const { upperLimit, lowerLimit } = band;
  return (
    Number.isFinite(upperLimit) &&
    Number.isFinite(lowerLimit) &&
    lowerLimit > 0 &&
    lowerLimit <= upperLimit
  );
}

/** Until when a band quoted at `now` holds: the next 08:00 or the next midnight in Seoul. */
export function bandHeldUntil(now: number): number {
  const seoulMs = now + SEOUL_OFFSET_MS;
  const midnight = seoulMs - (((seoulMs % DAY_MS) + DAY_MS) % DAY_MS);
  const settled = midnight + BAND_SETTLED_HOUR * HOUR_MS;
  return (seoulMs < settled ? settled : midnight + DAY_MS) - SEOUL_OFFSET_MS;
}

/** The bands a route consults, by symbol. */
export interface DayBands {
  /** The band of `symbol` still held at `now`, or null (none, another day, or expired). */
  get(symbol: string, now: number): StoredDayBand | null;
  /**
   * Remembers the band of a quote asked at `askedAt` (the moment the question left, not the
   * answer's: a quote asked at 07:59:59 is held only until 08:00 even if it answers later). A
   * band of the same date asked later is kept (answers can arrive out of order).
   */
  set(symbol: string, band: { upperLimit: number; lowerLimit: number }, askedAt: number): void;
}

/**
 * Whether `band` should replace `held` (see `DayBandStorage.write`): a band of a later date, or of
 * the same date asked no earlier. A band of an earlier date never replaces a later one (a quote
 * asked at 23:59:59 that answers after midnight does not displace the new day's band).
 */
export function replacesBand(held: StoredDayBand | null, band: StoredDayBand): boolean {
  return (
    held === null ||
    band.tradingDate > held.tradingDate ||
    (band.tradingDate === held.tradingDate && band.askedAt >= held.askedAt)
  );
}

/** Bands in this process's memory (a journal without storage of its own). */
export function memoryDayBandStorage(): DayBandStorage {
  const bands = new Map<string, StoredDayBand>();
  return {
    read: (symbol) => bands.get(symbol) ?? null,
    write(symbol, band) {
      if (!replacesBand(bands.get(symbol) ?? null, band)) return;
      bands.delete(symbol);
      if (bands.size >= MAX_SYMBOLS) bands.delete(bands.keys().next().value ?? '');
      bands.set(symbol, band);
    },
  };
}

/**
 * The route's view of the bands over a storage (the journal's, else memory), with the bands it
 * has already read or written kept in memory in front of it (a band held in memory can only let
 * an order pass, so a newer one another process stored costs nothing but, at worst, a refusal by
 * the exchange instead of by the route). A storage that fails is treated as empty: the band
 * memory only saves quotes, so a failure costs a quote, never an order.
 */
export function createDayBands(storage: DayBandStorage = memoryDayBandStorage()): DayBands {
  const seen = memoryDayBandStorage();
  // Held at `now`: quoted on today's Seoul date and not expired, both judged from when it was
  // asked (a stored row's own date and expiry are not taken on trust).
  const current = (band: StoredDayBand | null, now: number): StoredDayBand | null => {
    if (band === null) return null;
    const date = seoulDate(new Date(band.askedAt));
    const until = Math.min(band.heldUntil, bandHeldUntil(band.askedAt));
    return band.tradingDate === date && now < until && seoulDate(new Date(now)) === date
      ? band
      : null;
  };
  return {
    get(symbol, now) {
      const known = current(seen.read(symbol), now);
      if (known !== null) return known;
      let stored: StoredDayBand | null;
      try {
        stored = current(storage.read(symbol), now);
      } catch {
        return null;
      }
      if (stored !== null) seen.write(symbol, stored);
      return stored;
    },
    set(symbol, { upperLimit, lowerLimit }, askedAt) {
      const band: StoredDayBand = {
        upperLimit,
        lowerLimit,
        tradingDate: seoulDate(new Date(askedAt)),
        heldUntil: bandHeldUntil(askedAt),
        askedAt,
      };
      seen.write(symbol, band);
      try {
        storage.write(symbol, band);
      } catch {
        // Not stored: other processes ask a quote of their own.
      }
    },
  };
}
