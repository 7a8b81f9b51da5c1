import { describe, expect, it } from 'vitest';
import { KisConfigError } from '../src/index.js';
import { checkRatePerSecond, createRateLimiter, sharedRateLimiter } from '../src/rate-limiter.js';

function fake() {
  const state = { now: 1_000_000, starts: [] as number[] };
  return {
    state,
    clock: () => state.now,
    sleep: async (ms: number) => {
      state.now += ms;
    },
  };
}

describe('rate limiter (pacing only)', () => {
  it('spaces starts so that no more than N start in any second', async () => {
    const time = fake();
    const limiter = createRateLimiter({ ratePerSecond: 18, clock: time.clock, sleep: time.sleep });
    for (let i = 0; i < 40; i += 1) {
      await limiter.acquire();
      time.state.starts.push(time.state.now);
    }
    for (let i = 18; i < time.state.starts.length; i += 1) {
      expect(
        (time.state.starts[i] as number) - (time.state.starts[i - 18] as number),
      ).toBeGreaterThanOrEqual(1000);
    }
  });

  it('paper default 1/s: one start a second', async () => {
    const time = fake();
    const limiter = createRateLimiter({ ratePerSecond: 1, clock: time.clock, sleep: time.sleep });
    await limiter.acquire();
    await limiter.acquire();
    expect(time.state.now).toBe(1_001_000);
  });

  it('shared per key: the lowest rate wins', () => {
    const a = sharedRateLimiter('paper|k1', 10);
    const b = sharedRateLimiter('paper|k1', 2);
    expect(a).toBe(b);
    expect(a.ratePerSecond).toBe(2);
    expect(sharedRateLimiter('paper|k2', 10)).not.toBe(a);
  });

  it('an aborted wait rejects', async () => {
    const limiter = createRateLimiter({ ratePerSecond: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeDefined();
  });

  it('validates rates', () => {
    expect(checkRatePerSecond(null)).toBeNull();
    expect(() => checkRatePerSecond(0)).toThrow(KisConfigError);
    expect(() => checkRatePerSecond(Number.NaN)).toThrow(KisConfigError);
  });
});
