// Processes that share a token folder (createFileTokenCache) share the pacing too: real child
// processes sending at the same time through their own transports stay within ONE rate
// together, also when one process's clock runs 30 s ahead or behind.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdir, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFilePacer, JITTER_MARGIN_MS, nextSlot } from '../src/shared-pacer.js';
import { CANARY_SECRET, kstAfter, startHttpServer, type TestServer } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/paced-requests.ts', import.meta.url));
const APP_KEY = 'PSabcdefghijklmnopqrstuvwxyz01234567';
let server: TestServer;
let arrivals: { at: number; who: string }[] = [];
let issued = 0;

beforeAll(async () => {
  server = await startHttpServer((request, response, body) => {
    if (request.url === '/oauth2/tokenP') {
      issued += 1;
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(
        JSON.stringify({
          access_token: `token-${issued}`,
          token_type: 'Bearer',
          expires_in: 86400,
          access_token_token_expired: kstAfter(Date.now(), 24),
        }),
      );
      return;
    }
    arrivals.push({ at: Date.now(), who: (JSON.parse(body) as { WHO: string }).WHO });
    response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    response.end(JSON.stringify({ rt_cd: '0', msg_cd: 'APBK0013', msg1: 'ok', output: {} }));
  });
});
afterAll(async () => server.close());

function start(env: Record<string, string>): {
  proc: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: {
      ...process.env,
      TEST_BASE_URL: server.url,
      TEST_APP_KEY: APP_KEY,
      TEST_APP_SECRET: CANARY_SECRET,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('ready')) onReady();
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    proc.on('close', (code) => {
      onReady();
      resolve({ code, stdout, stderr });
    });
  });
  return { proc, ready, done };
}

/** The most calls that arrived within any window of `ms`. */
function busiestWindow(times: readonly number[], ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while ((times[i] as number) - (times[j] as number) >= ms) j += 1;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function runTogether(
  offsets: readonly number[],
  rate: number,
  count: number,
  extraEnv: Record<string, string> = {},
) {
  arrivals = [];
  const home = await mkdtemp(join(tmpdir(), 'qts-pacing-'));
  const children = offsets.map((offset, index) =>
    start({
      QTS_HOME: home,
      RATE: String(rate),
      COUNT: String(count),
      WHO: `p${index}`,
      CLOCK_OFFSET_MS: String(offset),
      ...extraEnv,
    }),
  );
  await Promise.all(children.map((c) => c.ready));
  const startedAt = Date.now();
  for (const c of children) c.proc.stdin.write('go\n');
  const results = await Promise.all(children.map((c) => c.done));
  for (const result of results) {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.split('\n')[1] ?? '')).toEqual({ ok: count });
  }
  const times = arrivals.map((a) => a.at).sort((a, b) => a - b);
  return { times, elapsedMs: Date.now() - startedAt, who: new Set(arrivals.map((a) => a.who)) };
}

describe('pacing shared across processes (file token cache)', () => {
  it('three processes at 10 calls/s each keep 10 calls/s together', async () => {
    const { times, who } = await runTogether([0, 0, 0], 10, 5);
    expect(times).toHaveLength(15);
    expect(who.size).toBe(3);
    // 15 calls 100 ms apart span 1.4 s; three unshared pacers would finish in about 0.4 s.
    expect((times[14] as number) - (times[0] as number)).toBeGreaterThanOrEqual(1_300);
    // At most 10 in any second (one more allowed for arrival jitter on a loaded machine).
    expect(busiestWindow(times, 1_000)).toBeLessThanOrEqual(11);
  }, 60_000);

  it('processes whose clocks all differ from the file system by the same hour still pace together', async () => {
    // Every Date.now is an hour ahead of the kernel's file times: that is no skew between the
    // processes, and must not be "corrected" into no pacing at all.
    const { times } = await runTogether([0, 0, 0], 10, 5, { DATE_NOW_OFFSET_MS: '3600000' });
    expect(times).toHaveLength(15);
    expect((times[14] as number) - (times[0] as number)).toBeGreaterThanOrEqual(1_300);
    expect(busiestWindow(times, 1_000)).toBeLessThanOrEqual(11);
  }, 60_000);

  it('a process whose clock is 30 s ahead or behind neither bursts nor stalls the others', async () => {
    const { times, elapsedMs } = await runTogether([30_000, 0, -30_000], 10, 5);
    expect(times).toHaveLength(15);
    expect((times[14] as number) - (times[0] as number)).toBeGreaterThanOrEqual(1_300);
    expect(busiestWindow(times, 1_000)).toBeLessThanOrEqual(11);
    // Nobody waited for another process's clock (that would take 30 s).
    expect(elapsedMs).toBeLessThan(15_000);
  }, 60_000);
});

describe('the pacing lock', () => {
  it('a lock folder left by a process that died holding it is cleared after about 2 s', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'qts-pacing-')), 'pacing.json');
    await mkdir(`${file}.lock`);
    const pacer = createFilePacer({ file, ratePerSecond: 10 });
    const started = performance.now();
    await pacer.acquire();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1_900);
    expect(waited).toBeLessThan(10_000);
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('nextSlot', () => {
  const state = (lastStart: number, writtenAt: number, interval = 100, recent: number[] = []) => ({
    version: 1 as const,
    lastStart,
    interval,
    writtenAt,
    recent,
  });
  it('starts at once with no reservation, or after the last one plus the larger spacing', () => {
    expect(nextSlot(null, 5_000, 100)).toBe(5_000);
    expect(nextSlot(state(5_050, 5_000), 5_010, 100)).toBe(5_150);
    expect(nextSlot(state(5_050, 5_000, 1_000), 5_010, 100)).toBe(6_050);
    expect(nextSlot(state(4_000, 3_990), 5_000, 100)).toBe(5_000);
  });
  it('reads a writer whose clock runs ahead relative to its own clock', () => {
    // The writer's clock is 30 s ahead: its slot 30 s "in the future" is really now.
    expect(nextSlot(state(35_000, 35_000), 5_000, 100)).toBe(5_100);
  });
  it('corrects for a writer whose clock is more than 2 s ahead or behind (from the file time)', () => {
    // Writer 30 s behind: its slot 30 s "in the past" is really 50 ms from now.
    expect(nextSlot(state(-24_950, -25_000), 5_000, 100, -30_000)).toBe(5_150);
    // Writer 30 s ahead.
    expect(nextSlot(state(35_050, 35_000), 5_000, 100, 30_000)).toBe(5_150);
    // Below the tolerance the writer's clock is taken as ours.
    expect(nextSlot(state(3_050, 3_000), 5_000, 100, -1_500)).toBe(5_000);
  });
  it('keeps no more than perSecond starts in any 1000 + JITTER_MARGIN_MS', () => {
    // Ten starts 100 ms apart at 0..900: the 11th waits for 0 + 1000 + margin, not 1000.
    const recent = Array.from({ length: 10 }, (_, i) => i * 100);
    expect(nextSlot(state(900, 900, 100, recent), 950, 100, 0, 10)).toBe(1000 + JITTER_MARGIN_MS);
    // With fewer than perSecond starts on record only the spacing applies.
    expect(nextSlot(state(900, 900, 100, recent), 950, 100, 0, 11)).toBe(1000);
  });
  it('ignores a reservation more than ten minutes ahead (a damaged file)', () => {
    expect(nextSlot(state(5_000 + 11 * 60_000, 4_000), 5_000, 100)).toBe(5_000);
  });
});
