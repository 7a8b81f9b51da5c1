// Pacing shared by every process that uses the same token folder (createFileTokenCache): the
// start of the last reserved call lives in a small file beside the token files, read and
// advanced under a cross-process lock, so N processes of one app key together stay within the
// rate that one process keeps alone.
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  rmdirSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
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
  /** The last reserved starts, oldest first (at most RECENT_KEPT; the writer's clock). */
  recent: v.optional(v.array(v.pipe(v.number(), v.finite())), []),
  /** The writer's clock when it wrote (epoch ms). */
  writtenAt: v.pipe(v.number(), v.finite()),
});

type PacingState = v.InferOutput<typeof PacingStateSchema>;

/** A reservation further ahead than this is not believed (a damaged or foreign file). */
const MAX_AHEAD_MS = 10 * 60_000;
/**
 * The lock is held for a few synchronous file operations (microseconds); a lock folder seen
 * unchanged for this long (on this process's monotonic clock) belongs to a process that died
 * holding it.
 */
const LOCK_STALE_MS = 2_000;

/**
 * The state is rewritten in place as one fixed-size record (JSON padded with spaces), so an
 * update is a single write into the file's existing bytes: no truncate, which on a busy disk
 * waits for the file system's journal.
 */
const RECORD_BYTES = 2048;

/** The pacing file, kept open; reopened when the path no longer names the same file. */
function createStateFile(file: string) {
  let fd: number | null = null;
  let ino = -1;
  const buffer = Buffer.alloc(RECORD_BYTES);
  const open = (): number => {
    if (fd !== null) closeSync(fd);
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
    ino = fstatSync(fd).ino;
    return fd;
  };
  return {
    /** The state plus when the file system says it was written (epoch ms); null when none. */
    read(): (PacingState & { modifiedAt: number }) | null {
      const stats = statSync(file, { throwIfNoEntry: false });
      const handle = stats !== undefined && fd !== null && stats.ino === ino ? fd : open();
      if (stats === undefined) return null;
      const length = readSync(handle, buffer, 0, RECORD_BYTES, 0);
      try {
        const parsed = v.safeParse(
          PacingStateSchema,
          JSON.parse(buffer.toString('utf8', 0, length)),
        );
        return parsed.success ? { ...parsed.output, modifiedAt: stats.mtimeMs } : null;
      } catch {
        return null;
      }
    },
    write(state: PacingState): void {
      const handle = fd ?? open();
      const text = JSON.stringify(state);
      const bytes = Buffer.byteLength(text);
      if (bytes > RECORD_BYTES) throw new Error(`pacing record of ${bytes} bytes`);
      buffer.fill(0x20);
      buffer.write(text, 0, 'utf8');
      writeSync(handle, buffer, 0, RECORD_BYTES, 0);
    },
  };
}

/**
 * Room left in every second for timing jitter: a call starts at least 1000 + this ms after the
 * call `rate` places before it. Spacing alone (ceil(1000 / rate)) leaves 8 ms at 18/s, and a
 * busy machine delays a timer or a socket write by more than that, which puts rate + 1 calls
 * into one second at the broker (EGW00201).
 */
export const JITTER_MARGIN_MS = 30;
const RECENT_KEPT = 64;

/** Clock differences below this are not corrected (file times can be that coarse). */
const SKEW_TOLERANCE_MS = 2_000;

/** How far to move the writer's times back to read them on our clock. */
function appliedShift(state: PacingState, now: number, writerSkew: number): number {
  if (Math.abs(writerSkew) >= SKEW_TOLERANCE_MS) return writerSkew;
  return state.writtenAt > now ? state.writtenAt - now : 0;
}

/**
 * The start slot for a call that may start at `now` with spacing `interval`, given what the
 * last writer reserved and `writerSkew`, how far the writer's clock was ahead of ours (its
 * `writtenAt` against the file's modification time read on our clock). A writer's clock that
 * runs ahead or behind by more than SKEW_TOLERANCE_MS is corrected for, so a process with a
 * wrong clock neither makes the others wait for its clock nor lets them start at once beside
 * it; below that, the writer's own `writtenAt` ahead of `now` still shifts its slot back.
 * With `perSecond`, the slot is also at least 1000 + JITTER_MARGIN_MS after the start
 * `perSecond` places back.
 */
export function nextSlot(
  state: PacingState | null,
  now: number,
  interval: number,
  writerSkew = 0,
  perSecond = 0,
): number {
  if (state === null) return now;
  const shift = appliedShift(state, now, writerSkew);
  const lastStart = state.lastStart - shift;
  if (lastStart > now + MAX_AHEAD_MS) return now;
  let slot = Math.max(now, lastStart + Math.max(interval, state.interval));
  // No more than `perSecond` starts in any 1000 + JITTER_MARGIN_MS.
  const back = state.recent[state.recent.length - perSecond];
  if (perSecond >= 1 && back !== undefined) {
    slot = Math.max(slot, back - shift + 1000 + JITTER_MARGIN_MS);
  }
  return slot;
}

/** A file-backed pacer; `lower` applies the lowest rate asked for in this process. */
export type FilePacer = KisRateLimiter & { lower(rate: number): void; readonly file: string };

/** Takes the lock folder (mkdir is atomic); false when another process holds it. */
function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock, { mode: 0o700 });
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Creates a pacer whose state is `file` (shared across processes). Each `acquire` takes the
 * lock (the folder `<file>.lock`), reads the last reservation, reserves the next slot, writes it
 * and removes the lock in one synchronous step (no await while holding it, so calls inside one
 * process cannot interleave either), then sleeps until the slot. An abort while sleeping leaves
 * the slot unused (never a burst).
 *
 * The lock is a bare mkdir rather than proper-lockfile (which the token files use): that
 * library judges staleness by comparing the folder's file-system time with `Date.now()`, which
 * breaks when the two clocks differ; here a holder is judged dead only when the same lock
 * folder stays in place for LOCK_STALE_MS of this process's own monotonic time.
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
  const lock = `${file}.lock`;
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const realTime = clock === Date.now && sleep === realSleep;
  const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
  let rate = options.ratePerSecond;
  let folderReady = false;
  const stateFile = createStateFile(file);

  /** Reserves a slot; null when another process holds the lock right now. */
  function tryReserve(): { slot: number; now: number } | null {
    if (!folderReady) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      folderReady = true;
    }
    const beforeLock = Date.now();
    if (!tryLock(lock)) return null;
    try {
      // How far this process's clock is from the file system's: the lock folder was just made,
      // so its time is the file system's "now". A writer's skew is judged against the same
      // difference, so a clock that differs from the file system's by the same amount in every
      // process (a network file system's server clock, a whole run under libfaketime) is no skew.
      const ownOffset = beforeLock - statSync(lock).mtimeMs;
      const now = clock();
      const interval = Math.ceil(1000 / rate);
      const state = stateFile.read();
      // `now` may come from an injected clock: file times are read on Date.now's clock first.
      const skew =
        state === null
          ? 0
          : Math.round(state.writtenAt - (state.modifiedAt + ownOffset + (now - Date.now())));
      const perSecond = Math.floor(rate);
      const slot = nextSlot(state, now, interval, skew, perSecond);
      // Written on our clock: the writer's starts are shifted as nextSlot read them.
      const shift = state === null ? 0 : appliedShift(state, now, skew);
      const recent = [...(state?.recent ?? []).map((at) => at - shift), slot].slice(-RECENT_KEPT);
      const next: PacingState = { version: 1, lastStart: slot, interval, writtenAt: now, recent };
      stateFile.write(next);
      return { slot, now };
    } finally {
      rmdirSync(lock);
    }
  }

  /** Removes a lock folder that has stayed the same folder for LOCK_STALE_MS. */
  let held: { since: number; ino: number; mtimeMs: number } | null = null;
  function clearIfStale(): void {
    const seen = statSync(lock, { throwIfNoEntry: false });
    const at = performance.now();
    if (seen === undefined) {
      held = null;
    } else if (held === null || held.ino !== seen.ino || held.mtimeMs !== seen.mtimeMs) {
      held = { since: at, ino: seen.ino, mtimeMs: seen.mtimeMs };
    } else if (at - held.since > LOCK_STALE_MS) {
      held = null;
      try {
        rmdirSync(lock);
      } catch {
        // Removed by someone else meanwhile.
      }
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
      const giveUpAt = performance.now() + lockTimeoutMs;
      let reserved: { slot: number; now: number } | null;
      for (;;) {
        try {
          reserved = tryReserve();
          if (reserved === null) clearIfStale();
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          throw new KisConfigError(
            `Cannot use the pacing file ${file}: ${typeof code === 'string' ? code : String(error)}`,
            { field: 'home' },
          );
        }
        if (reserved !== null) break;
        if (performance.now() > giveUpAt) {
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
