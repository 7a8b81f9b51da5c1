import { describe, expect, it } from 'vitest';
import { classifyFailure } from './http.js';

const UNREACHABLE = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'];

function networkError(code: string): Error {
  // The shape undici gives: a TypeError whose cause carries the socket error code.
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}

describe('classifyFailure', () => {
  it.each(UNREACHABLE)('%s after the socket connected: sent, outcome unknown', (code) => {
    const error = classifyFailure(
      networkError(code),
      { connected: true, deadlineHit: false, callerAborted: false },
      'POST /order',
    );
    expect(error.phase).toBe('sent');
    expect(error.message).toContain('the outcome is unknown');
  });

  it.each(UNREACHABLE)('%s before any connection: not sent', (code) => {
    for (const connected of [false, null]) {
      const error = classifyFailure(
        networkError(code),
        { connected, deadlineHit: false, callerAborted: false },
        'POST /order',
      );
      expect(error).toMatchObject({ phase: 'not-sent', reason: 'connection-refused' });
    }
  });
});
