import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  createFileTokenCache,
  createMemoryTokenCache,
  KisConfigError,
  type TokenCacheKey,
  type TokenCacheRecord,
} from '../src/index.js';
import { CANARY_TOKEN } from './helpers.js';

const key: TokenCacheKey = {
  environment: 'paper',
  host: 'openapivts.koreainvestment.com:29443',
  appKeyHash: '0123456789abcdef',
};
const record: TokenCacheRecord = {
  accessToken: {
    token: CANARY_TOKEN,
    expiresAt: Date.UTC(2026, 10, 26),
    issuedAt: Date.UTC(2026, 10, 25),
    cachedAt: Date.UTC(2026, 10, 25),
  },
  lastIssuedAt: Date.UTC(2026, 10, 25),
  approvalKey: null,
};

describe('file token cache', () => {
  it('writes <home>/tokens/<env>-<host>-<hash>.json with mode 0600 in a 0700 folder', async () => {
    const home = await mkdtemp(join(tmpdir(), 'qts-cache-'));
    const cache = createFileTokenCache({ home });
    await cache.put(key, record);
    const file = cache.location(key) as string;
    expect(file).toBe(
      join(home, 'tokens', 'paper-openapivts.koreainvestment.com_29443-0123456789abcdef.json'),
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'tokens'))).mode & 0o777).toBe(0o700);
    expect(await cache.get(key)).toEqual(record);
  });

  it('keeps 0600 when the file existed with wider permissions, and leaves no temp files', async () => {
    const home = await mkdtemp(join(tmpdir(), 'qts-cache-'));
    const cache = createFileTokenCache({ home });
    await cache.put(key, record);
    const file = cache.location(key) as string;
    await writeFile(file, '{}', { mode: 0o644 });
    for (let i = 0; i < 5; i += 1) {
      await cache.put(key, { ...record, lastIssuedAt: record.lastIssuedAt ?? 0 + i });
    }
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(home, 'tokens'))).toEqual([file.split('/').at(-1)]);
  });

  it('tightens an existing tokens folder to 0700', async () => {
    const home = await mkdtemp(join(tmpdir(), 'qts-cache-'));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(home, 'tokens'), { mode: 0o755 });
    await createFileTokenCache({ home }).put(key, record);
    expect((await stat(join(home, 'tokens'))).mode & 0o777).toBe(0o700);
  });

  it('keys differ by environment, host and app-key hash', async () => {
    const home = await mkdtemp(join(tmpdir(), 'qts-cache-'));
    const cache = createFileTokenCache({ home });
    await cache.put(key, record);
    expect(await cache.get({ ...key, environment: 'real' })).toBeNull();
    expect(await cache.get({ ...key, host: '127.0.0.1:8080' })).toBeNull();
    expect(await cache.get({ ...key, appKeyHash: 'ffffffffffffffff' })).toBeNull();
  });

  it('an unreadable or foreign file reads as empty; delete removes it', async () => {
    const home = await mkdtemp(join(tmpdir(), 'qts-cache-'));
    const cache = createFileTokenCache({ home });
    await cache.put(key, record);
    const file = cache.location(key) as string;
    await writeFile(file, 'not json');
    expect(await cache.get(key)).toBeNull();
    await cache.put(key, record);
    await cache.delete(key);
    expect(await cache.get(key)).toBeNull();
  });

  it('withLock is exclusive inside one process', async () => {
    const cache = createFileTokenCache({ home: await mkdtemp(join(tmpdir(), 'qts-cache-')) });
    const events: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        cache.withLock(key, async () => {
          events.push(`${name}+`);
          await new Promise((resolve) => setTimeout(resolve, 10));
          events.push(`${name}-`);
        }),
      ),
    );
    expect(events).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('a broken cache surfaces as KisConfigError from getAccessToken (nothing sent)', async () => {
    const { createKisAuth, resolveKisEndpoints } = await import('../src/index.js');
    const { testCredentials } = await import('./helpers.js');
    const home = await mkdtemp(join(tmpdir(), 'qts-cache-'));
    await writeFile(join(home, 'tokens'), 'a file where the folder should be');
    const auth = createKisAuth({
      endpoints: resolveKisEndpoints('paper', { restBaseUrl: 'http://127.0.0.1:9' }),
      credentials: testCredentials(),
      tokenCache: createFileTokenCache({ home }),
    });
    await expect(auth.getAccessToken()).rejects.toMatchObject({
      name: 'KisConfigError',
      field: 'tokenCache',
    });
  });

  it('rejects an empty home', () => {
    expect(() => createFileTokenCache({ home: '' })).toThrow(KisConfigError);
  });
});

describe('memory token cache', () => {
  it('round-trips and locks', async () => {
    const cache = createMemoryTokenCache();
    expect(cache.location(key)).toBeNull();
    await cache.put(key, record);
    expect(await cache.get(key)).toEqual(record);
    expect(await cache.withLock(key, async () => 42)).toBe(42);
    await cache.delete(key);
    expect(await cache.get(key)).toBeNull();
  });

  it('withLock: a failing section frees the lock; other keys do not wait', async () => {
    const cache = createMemoryTokenCache();
    const other = { ...key, appKeyHash: 'other' };
    const events: string[] = [];
    let releaseFirst: () => void = () => {};
    const first = cache.withLock(key, async () => {
      events.push('first+');
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      events.push('first-');
      throw new Error('boom');
    });
    const second = cache.withLock(key, async () => {
      events.push('second');
    });
    await cache.withLock(other, async () => {
      events.push('other');
    });
    expect(events).toEqual(['first+', 'other']);
    releaseFirst();
    await expect(first).rejects.toThrow('boom');
    await second;
    expect(events).toEqual(['first+', 'other', 'first-', 'second']);
  });
});

describe('file token cache lock and a clock that disagrees with the file system', () => {
  // The process clock runs a year ahead of the file times the kernel sets (a stepped clock, a
  // network file system, a run under libfaketime). A held lock must still hold.
  it('a held lock is never taken over by another cache, even on its second acquisition', async () => {
    const realNow = Date.now.bind(Date);
    const year = 365 * 86_400_000;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + year);
    const home = await mkdtemp(join(tmpdir(), 'qts-cache-skew-'));
    const holder = createFileTokenCache({ home });
    const other = createFileTokenCache({ home, lockTimeoutMs: 400 });
    // First acquisition: proper-lockfile probes (and caches) its mtime precision here.
    await holder.withLock(key, async () => {});
    let entered = false;
    const outcome = await holder.withLock(key, () =>
      other
        .withLock(key, async () => {
          entered = true;
        })
        .then(
          () => 'entered',
          (error: unknown) => (error instanceof KisConfigError ? error.message : String(error)),
        ),
    );
    expect(entered).toBe(false);
    expect(outcome).toMatch(/held by another process/);
  });

  it('a lock its owner made but was slow to stamp (a busy machine) is not taken over', async () => {
    const realNow = Date.now.bind(Date);
    const year = 365 * 86_400_000;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + year);
    const home = await mkdtemp(join(tmpdir(), 'qts-cache-slow-owner-'));
    const cache = createFileTokenCache({ home, lockTimeoutMs: 20_000 });
    const file = cache.location(key);
    if (file === null) throw new Error('a file cache has a location');
    await mkdir(dirname(file), { recursive: true });
    // The owner: its lock folder exists with the kernel's time (a year old by this clock), and it
    // stamps it with its own clock only 0.5 s later, then holds it until 2 s.
    const lock = `${file}.lock`;
    await mkdir(lock);
    let released = false;
    const owner = (async () => {
      await new Promise((done) => setTimeout(done, 500));
      const now = new Date(Date.now());
      await utimes(lock, now, now);
      await new Promise((done) => setTimeout(done, 1_500));
      released = true;
      await rm(lock, { recursive: true, force: true });
    })();
    let enteredWhileHeld: boolean | null = null;
    await cache.withLock(key, async () => {
      enteredWhileHeld = !released;
    });
    await owner;
    expect(enteredWhileHeld).toBe(false);
  }, 30_000);
});
