// Pacing shared by every process that uses the same token folder (createFileTokenCache): the
// start of the last reserved call lives in a small file beside the token files, read and
// advanced under a cross-process lock, so N processes of one app key together stay within the
// rate that one process keeps alone.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import * as v from 'valibot';
import { KisConfigError } from './errors.js';
import { type KisRateLimiter, type KisSleep, realSleep } from './rate-limiter.js';

/** What the pacing file holds: the last reserved start, its spacing, and the writer's clock. */
const PacingStateSchema = v.object({
  version: v.literal(1),
  /** Start of the last reserved call (epoch ms, the writer's clock). */
  lastStart: v.pipe(v.number(), v.finite()),
  /** The spacing the writer keeps after that start (ms). */
  interval: v.pipe(v.number(), v.finite(), v.minValue(0)),
  /** The writer's clock when it wrote (epoch ms). */
  writtenAt: v.pipe(v.number(), v.finite()),
});

type PacingState = v.InferOutput<typeof PacingStateSchema>;

/** A reservation further ahead than this is not believed (a damaged or foreign file). */
const MAX_AHEAD_MS = 10 * 60_000;
/** The lock is held for a few file operations only; one older than this is a crashed holder. */
const LOCK_STALE_MS = 2_000;

/** The pacing file's state plus when the file system says it was written (epoch ms). */
function readState(file: string): (PacingState & { modifiedAt: number }) | null {
  let text: string;
  let modifiedAt: number;
  try {
    modifiedAt = statSync(file).mtimeMs;
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = v.safeParse(PacingStateSchema, JSON.parse(text));
    return parsed.success ? { ...parsed.output, modifiedAt } : null;
  } catch {
    return null;
  }
}

/** Clock differences below this are not corrected (file times can be that coarse). */
const SKEW_TOLERANCE_MS = 2_000;

/**
 * The start slot for a call that may start at `now` with spacing `interval`, given what the
 * last writer reserved and `writerSkew`, how far the writer's clock was ahead of ours (its
 * `writtenAt` against the file's modification time read on our clock). A writer's clock that
 * runs ahead or behind by more than SKEW_TOLERANCE_MS is corrected for, so a process with a
 * wrong clock neither makes the others wait for its clock nor lets them start at once beside
 * it; below that, the writer's own `writtenAt` ahead of `now` still shifts its slot back.
 */
export function nextSlot(
  state: PacingState | null,
  now: number,
  interval: number,
  writerSkew = 0,
): number {
  if (state === null) return now;
  const shift =
    Math.abs(writerSkew) >= SKEW_TOLERANCE_MS
      ? writerSkew
      : state.writtenAt > now
        ? state.writtenAt - now
        : 0;
  const lastStart = state.lastStart - shift;
  if (lastStart > now + MAX_AHEAD_MS) return now;
  return Math.max(now, lastStart + Math.max(interval, state.interval));
}

/** A file-backed pacer; `lower` applies the lowest rate asked for in this process. */
export type FilePacer = KisRateLimiter & { lower(rate: number): void; readonly file: string };

/**
 * Creates a pacer whose state is `file` (shared across processes). Each `acquire` takes the
 * lock (proper-lockfile, `<file>.lock`), reads the last reservation, reserves the next slot,
 * writes it and releases the lock in one synchronous step (microseconds; no await while
 * holding it, so calls inside one process cannot interleave either), then sleeps until the
 * slot. An abort while sleeping leaves the slot unused (never a burst).
 */
export function createFilePacer(options: {
  file: string;
  ratePerSecond: number;
  clock?: (() => number) | undefined;
  sleep?: KisSleep | undefined;
  /** How long to keep trying when another process holds the lock (default 30 s). */
  lockTimeoutMs?: number | undefined;
}): FilePacer {
  const { file } = options;
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const realTime = clock === Date.now && sleep === realSleep;
  const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
  let rate = options.ratePerSecond;
  let folderReady = false;

  /** Reserves a slot; null when another process holds the lock right now. */
  function tryReserve(): { slot: number; now: number } | null {
    if (!folderReady) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      folderReady = true;
    }
    let release: () => void;
    try {
      release = lockfile.lockSync(file, {
        realpath: false,
        stale: LOCK_STALE_MS,
        onCompromised: () => {},
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ELOCKED') return null;
      throw error;
    }
    try {
      const now = clock();
      const interval = Math.ceil(1000 / rate);
      const state = readState(file);
      // The file time is on the system clock; `now` may come from an injected clock.
      const skew = state === null ? 0 : state.writtenAt - (state.modifiedAt + (now - Date.now()));
      const slot = nextSlot(state, now, interval, skew);
      const next: PacingState = { version: 1, lastStart: slot, interval, writtenAt: now };
      writeFileSync(file, JSON.stringify(next), { mode: 0o600 });
      return { slot, now };
    } finally {
      release();
    }
  }

  return {
    file,
    get ratePerSecond() {
      return rate;
    },
    lower(newRate: number) {
      rate = Math.min(rate, newRate);
    },
    async acquire(signal) {
      if (signal?.aborted) throw signal.reason;
      const giveUpAt = Date.now() + lockTimeoutMs;
      let reserved: { slot: number; now: number } | null;
      for (;;) {
        try {
          reserved = tryReserve();
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          throw new KisConfigError(
            `Cannot use the pacing file ${file}: ${typeof code === 'string' ? code : String(error)}`,
            { field: 'home' },
          );
        }
        if (reserved !== null) break;
        if (Date.now() > giveUpAt) {
          throw new KisConfigError(
            `Cannot lock the pacing file ${file}: held by another process for ${lockTimeoutMs} ms`,
            { field: 'home' },
          );
        }
        // The lock is held for microseconds: a short random pause is enough.
        await realSleep(1 + Math.random() * 2, signal);
      }
      const wait = reserved.slot - reserved.now;
      if (wait > 0) await sleep(wait, signal);
      if (realTime) {
        // A timer can fire slightly before Date.now() reaches the slot: never start early.
        for (let left = reserved.slot - Date.now(); left > 0; left = reserved.slot - Date.now()) {
          await realSleep(left, signal);
        }
      }
    },
  };
}

const pacers = new Map<string, FilePacer>();

/**
 * The process-wide file pacer of `file` (one per pacing file, so every transport of the key in
 * this process shares it; the lowest rate asked for wins).
 */
export function sharedFilePacer(
  file: string,
  ratePerSecond: number,
  clock?: () => number,
  sleep?: KisSleep,
): KisRateLimiter {
  let pacer = pacers.get(file);
  if (pacer === undefined) {
    pacer = createFilePacer({ file, ratePerSecond, clock, sleep });
    pacers.set(file, pacer);
  } else {
    pacer.lower(ratePerSecond);
  }
  return pacer;
}
