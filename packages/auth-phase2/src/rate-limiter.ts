// Pacing per (environment, app key), shared by every transport of that key in this process.
import { KisConfigError } from './errors.js';

/** Sleeps `ms` milliseconds; rejects when the signal aborts. */
export type KisSleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The default sleep (real timers). */
export const realSleep: KisSleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** A pacer: `acquire` resolves when the next call may start. */
export interface KisRateLimiter {
  /** Calls per second currently applied (the lowest any user asked for). */
  readonly ratePerSecond: number;
  /** Waits for the next slot. Rejects (with the signal's reason) when aborted. */
  acquire(signal?: AbortSignal): Promise<void>;
}

/** Validates a rate: a positive finite number, or null for off. */
export function checkRatePerSecond(rate: number | null): number | null {
  if (rate === null) {
    return null;
  }
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw new KisConfigError(`ratePerSecond must be a positive number or null, got ${rate}`, {
      field: 'ratePerSecond',
    });
  }
  return rate;
}

/**
 * Creates a pacer that spaces call starts at least `ceil(1000 / rate)` ms apart, so no more than
 * `rate` calls start in any second. No queue limit, no retry.
 */
export function createRateLimiter(options: {
  ratePerSecond: number;
  clock?: (() => number) | undefined;
  sleep?: KisSleep | undefined;
}): KisRateLimiter & { lower(rate: number): void } {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  let rate = options.ratePerSecond;
  let nextAt = Number.NEGATIVE_INFINITY;
  return {
    get ratePerSecond() {
      return rate;
    },
    lower(newRate: number) {
      rate = Math.min(rate, newRate);
    },
    async acquire(signal) {
      const interval = Math.ceil(1000 / rate);
      const now = clock();
      const slot = Math.max(now, nextAt);
      nextAt = slot + interval;
      if (slot > now) {
        await sleep(slot - now, signal);
      } else if (signal?.aborted) {
        throw signal.reason;
      }
    },
  };
}

const shared = new Map<string, KisRateLimiter & { lower(rate: number): void }>();

/**
 * The process-wide pacer of (environment, app-key hash). When transports of one key ask for
 * different rates, the lowest wins.
 */
export function sharedRateLimiter(
  id: string,
  ratePerSecond: number,
  clock?: () => number,
  sleep?: KisSleep,
): KisRateLimiter {
  let limiter = shared.get(id);
  if (limiter === undefined) {
    limiter = createRateLimiter({ ratePerSecond, clock, sleep });
    shared.set(id, limiter);
  } else {
    limiter.lower(ratePerSecond);
  }
  return limiter;
}
