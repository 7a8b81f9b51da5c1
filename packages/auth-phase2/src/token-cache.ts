import fs, { type Stats } from 'node:fs';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Mutex } from 'async-mutex';
// Loaded with the package on purpose: both install signal-exit's SIGINT/SIGTERM handlers, and
// loaded later (after a command's own `once` handler) signal-exit would re-raise the signal and
// end the process before the command's handler finished.
import lockfile from 'proper-lockfile';
import * as v from 'valibot';
import writeFileAtomic from 'write-file-atomic';
import type { KisEnvironment } from './environment.js';
import { KisConfigError } from './errors.js';

/** Identifies one token slot: environment, REST host and app-key hash. */
export interface TokenCacheKey {
  /** The environment the token belongs to. */
  readonly environment: KisEnvironment;
  /** `host:port` of the REST endpoint. */
  readonly host: string;
  /** KisCredentials.appKeyHash. */
  readonly appKeyHash: string;
}

/** A cached access token. Times are epoch milliseconds. */
export interface CachedAccessToken {
  /** The access token (secret). */
  readonly token: string;
  /** When KIS says it expires (`access_token_token_expired`, KST, converted). */
  readonly expiresAt: number;
  /** When it was issued (our clock at the answer). */
  readonly issuedAt: number;
  /** When it was written to the cache. */
  readonly cachedAt: number;
}

/** A cached WebSocket approval key. Times are epoch milliseconds. */
export interface CachedApprovalKey {
  /** The approval key (secret). */
  readonly approvalKey: string;
  /** When it was issued. */
  readonly issuedAt: number;
}

/** What the cache holds for one key. */
export interface TokenCacheRecord {
  /** The current access token, or null (none, dropped or revoked). */
  readonly accessToken: CachedAccessToken | null;
  /** The last time a token issuance was attempted against this host with this app key. */
  readonly lastIssuedAt: number | null;
  /** The WebSocket approval key, or null. */
  readonly approvalKey: CachedApprovalKey | null;
}

/**
 * Storage of token records. Implementations must make `withLock` exclusive for a key across
 * every user of the same storage (the file cache: across processes).
 */
export interface TokenCache {
  /** `file` or `memory`. */
  readonly kind: 'file' | 'memory';
  /** Where the record of `key` lives (a file path), or null for memory. */
  location(key: TokenCacheKey): string | null;
  /** Reads a record; null when there is none (or it is unreadable). */
  get(key: TokenCacheKey): Promise<TokenCacheRecord | null>;
  /** Replaces the record (atomically for files). */
  put(key: TokenCacheKey, record: TokenCacheRecord): Promise<void>;
  /** Removes the record entirely (including the last issuance time). */
  delete(key: TokenCacheKey): Promise<void>;
  /** Runs `task` while holding the exclusive lock of `key`. */
  withLock<T>(key: TokenCacheKey, task: () => Promise<T>): Promise<T>;
}

/** The folder of every cache made by createFileTokenCache (internal: the transport paces there). */
const fileCacheFolders = new WeakMap<TokenCache, string>();

/** The `<home>/tokens` folder of a file cache, or null for any other cache. */
export function fileCacheFolderOf(cache: TokenCache): string | null {
  return fileCacheFolders.get(cache) ?? null;
}

function keyString(key: TokenCacheKey): string {
  return `${key.environment}|${key.host}|${key.appKeyHash}`;
}

/**
 * Exclusive sections per key inside one process (async-mutex, FIFO). A key's mutex is dropped
 * once nobody holds or waits for it, so the map does not grow with keys no longer used.
 */
function createMutex(): <T>(id: string, task: () => Promise<T>) => Promise<T> {
  const mutexes = new Map<string, Mutex>();
  return async (id, task) => {
    let mutex = mutexes.get(id);
    if (mutex === undefined) {
      mutex = new Mutex();
      mutexes.set(id, mutex);
    }
    try {
      return await mutex.runExclusive(task);
    } finally {
      if (!mutex.isLocked() && mutexes.get(id) === mutex) mutexes.delete(id);
    }
  };
}

/** An in-memory cache (tests, short-lived tools). Not shared between processes. */
export function createMemoryTokenCache(): TokenCache {
  const records = new Map<string, TokenCacheRecord>();
  const mutex = createMutex();
  return {
    kind: 'memory',
    location: () => null,
    get: async (key) => records.get(keyString(key)) ?? null,
    put: async (key, record) => {
      records.set(keyString(key), record);
    },
    delete: async (key) => {
      records.delete(keyString(key));
    },
    withLock: (key, task) => mutex(keyString(key), task),
  };
}

const IsoTime = v.pipe(v.string(), v.isoTimestamp());

const FileRecordSchema = v.object({
  version: v.literal(1),
  environment: v.picklist(['real', 'paper']),
  host: v.string(),
  appKeyHash: v.string(),
  accessToken: v.nullable(
    v.object({
      token: v.pipe(v.string(), v.nonEmpty()),
      expiresAt: IsoTime,
      issuedAt: IsoTime,
      cachedAt: IsoTime,
    }),
  ),
  lastIssuedAt: v.nullable(IsoTime),
  approvalKey: v.nullable(
    v.object({ approvalKey: v.pipe(v.string(), v.nonEmpty()), issuedAt: IsoTime }),
  ),
});

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (text: string): number => Date.parse(text);

/** The file name of a key: `<environment>-<host>-<appKeyHash>.json`, host made file-safe. */
export function tokenFileName(key: TokenCacheKey): string {
  const host = key.host.replace(/[^A-Za-z0-9.-]/g, '_');
  return `${key.environment}-${host}-${key.appKeyHash.replace(/[^A-Za-z0-9]/g, '_')}.json`;
}

const LOCK_STALE_MS = 15_000;
/** How often a held lock's mtime is renewed by its owner (proper-lockfile's `update`). */
const LOCK_UPDATE_MS = 3_000;
/**
 * How long a lock that looks stale is watched before it is judged so: longer than the renewal
 * interval, so a living owner has stamped it meanwhile (right after creating it, then every 3 s),
 * however slowly it was scheduled.
 */
const LOCK_RELOOK_MS = LOCK_UPDATE_MS + 500;

/**
 * The file system proper-lockfile uses for one lock, built so that staleness is judged on ONE
 * clock (this process's), never by comparing a file time set by the kernel with `Date.now()`:
 * - a fresh object per lock, because proper-lockfile caches its mtime-precision probe on the fs
 *   object, and that probe is what stamps a new lock folder with this process's clock (with a
 *   cached probe, a new lock keeps the kernel's mtime until the first update, 3 s later);
 * - a lock that looks stale is looked at again 3.5 s later (LOCK_RELOOK_MS): one that its owner
 *   stamped meanwhile (it stamps right after creating it, then every 3 s) is alive. A shorter
 *   look (it was 100 ms) took over a lock whose owner had created it but, with 15 processes
 *   starting on 2 cores, had not yet been scheduled to stamp it: both then held it.
 * Without this, a clock that differs from the file system's by more than 15 s (a stepped system
 * clock, a network file system, a test run under libfaketime) makes a held lock look stale, and
 * two processes would issue two tokens.
 */
function lockFs(): typeof fs {
  const looksStale = (stats: Stats) => stats.mtime.getTime() < Date.now() - LOCK_STALE_MS;
  const stat = ((path: fs.PathLike, callback: (error: Error | null, stats: Stats) => void) => {
    fs.stat(path, (error, first) => {
      if (error !== null || !looksStale(first)) {
        callback(error, first);
        return;
      }
      setTimeout(() => {
        fs.stat(path, (again, second) => {
          if (again !== null) callback(again, second);
          else callback(null, second.mtime.getTime() === first.mtime.getTime() ? first : second);
        });
      }, LOCK_RELOOK_MS);
    });
  }) as typeof fs.stat;
  return { ...fs, stat };
}

/**
 * The file cache: one JSON file per (environment, host, app-key hash) under `<home>/tokens/`,
 * mode 0600 in a 0700 folder, written atomically (write-file-atomic: temp file, fsync,
 * rename), and locked across processes with proper-lockfile (`<file>.lock`).
 */
export function createFileTokenCache(options: {
  home: string;
  /** How long to wait for another process's lock before failing (default 30 s). */
  lockTimeoutMs?: number | undefined;
}): TokenCache {
  if (typeof options.home !== 'string' || options.home.trim() === '') {
    throw new KisConfigError('Token cache home folder is empty', { field: 'home' });
  }
  const folder = join(resolve(options.home), 'tokens');
  const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
  const mutex = createMutex();
  let folderReady: Promise<void> | null = null;
  const ensureFolder = (): Promise<void> => {
    folderReady ??= mkdir(folder, { recursive: true, mode: 0o700 }).then(async () => {
      // An existing folder keeps its mode on mkdir: tighten it (best effort).
      await chmod(folder, 0o700).catch(() => {});
    });
    return folderReady;
  };
  const fileOf = (key: TokenCacheKey): string => join(folder, tokenFileName(key));

  const lockFile = async (file: string): Promise<() => Promise<void>> => {
    const deadline = Date.now() + lockTimeoutMs;
    for (;;) {
      try {
        return await lockfile.lock(file, {
          realpath: false,
          stale: LOCK_STALE_MS,
          update: LOCK_UPDATE_MS,
          fs: lockFs(),
          onCompromised: () => {
            // The lock was taken over (we were stalled > 15 s); the atomic writes keep the file
            // consistent, and the issuance time on disk still limits issuance.
          },
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        // ENOENT: the lock folder this process had just made was removed before it could stamp
        // it (another process judged it stale). Nothing is held: try again, as when it is busy.
        if ((code !== 'ELOCKED' && code !== 'ENOENT') || Date.now() > deadline) {
          throw new KisConfigError(
            `Cannot lock the token file ${file}: ${code === 'ELOCKED' ? 'held by another process' : String(code)}`,
            { field: 'home' },
          );
        }
        await sleep(20 + Math.floor(Math.random() * 30));
      }
    }
  };

  const cache: TokenCache = {
    kind: 'file',
    location: fileOf,
    async get(key) {
      let text: string;
      try {
        text = await readFile(fileOf(key), 'utf8');
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') {
          return null;
        }
        throw error;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return null;
      }
      const parsed = v.safeParse(FileRecordSchema, json);
      if (
        !parsed.success ||
        parsed.output.environment !== key.environment ||
        parsed.output.host !== key.host ||
        parsed.output.appKeyHash !== key.appKeyHash
      ) {
        return null;
      }
      const record = parsed.output;
      return {
        accessToken:
          record.accessToken === null
            ? null
            : {
                token: record.accessToken.token,
                expiresAt: ms(record.accessToken.expiresAt),
                issuedAt: ms(record.accessToken.issuedAt),
                cachedAt: ms(record.accessToken.cachedAt),
              },
        lastIssuedAt: record.lastIssuedAt === null ? null : ms(record.lastIssuedAt),
        approvalKey:
          record.approvalKey === null
            ? null
            : {
                approvalKey: record.approvalKey.approvalKey,
                issuedAt: ms(record.approvalKey.issuedAt),
              },
      };
    },
    async put(key, record) {
      await ensureFolder();
      const body: v.InferOutput<typeof FileRecordSchema> = {
        version: 1,
        environment: key.environment,
        host: key.host,
        appKeyHash: key.appKeyHash,
        accessToken:
          record.accessToken === null
            ? null
            : {
                token: record.accessToken.token,
                expiresAt: iso(record.accessToken.expiresAt),
                issuedAt: iso(record.accessToken.issuedAt),
                cachedAt: iso(record.accessToken.cachedAt),
              },
        lastIssuedAt: record.lastIssuedAt === null ? null : iso(record.lastIssuedAt),
        approvalKey:
          record.approvalKey === null
            ? null
            : {
                approvalKey: record.approvalKey.approvalKey,
                issuedAt: iso(record.approvalKey.issuedAt),
              },
      };
      await writeFileAtomic(fileOf(key), `${JSON.stringify(body, null, 2)}\n`, {
        mode: 0o600,
        fsync: true,
      });
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
    async withLock(key, task) {
      const file = fileOf(key);
      return mutex(keyString(key), async () => {
        await ensureFolder();
        const release = await lockFile(file);
        try {
          return await task();
        } finally {
          await release().catch(() => {});
        }
      });
    },
  };
  fileCacheFolders.set(cache, folder);
  return cache;
}
