// The harness itself: runner children in paper / real mode can only be pointed at 127.0.0.1.
import { describe, expect, it } from 'vitest';
import { assertLocalOnly } from '../src/index.js';

describe('harness safety: tests reach only 127.0.0.1', () => {
  it('refuses paper or real mode without local KIS endpoints', () => {
    expect(() => assertLocalOnly(['order'], { QTS_MODE: 'paper' })).toThrow(/127\.0\.0\.1/);
    expect(() => assertLocalOnly(['--mode', 'real', 'balance'], {})).toThrow(/127\.0\.0\.1/);
    expect(() =>
      assertLocalOnly(['order'], {
        QTS_MODE: 'real',
        QTS_KIS_BASE_URL: 'https://openapi.koreainvestment.com:9443',
        QTS_KIS_WS_URL: 'ws://127.0.0.1:1',
      }),
    ).toThrow(/127\.0\.0\.1/);
  });

  it('allows virtual mode, the sandbox command and local endpoints', () => {
    expect(() => assertLocalOnly(['order'], {})).not.toThrow();
    expect(() => assertLocalOnly(['sandbox', '--env', 'real'], { QTS_MODE: 'real' })).not.toThrow();
    expect(() =>
      assertLocalOnly(['orders'], {
        QTS_MODE: 'paper',
        QTS_KIS_BASE_URL: 'http://127.0.0.1:41234',
        QTS_KIS_WS_URL: 'ws://127.0.0.1:41234',
      }),
    ).not.toThrow();
  });
});
