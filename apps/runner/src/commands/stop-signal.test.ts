import { afterEach, describe, expect, it } from 'vitest';
import { stopSignal } from './stop-signal.js';

const probes: (() => void)[] = [];
afterEach(() => {
  for (const probe of probes.splice(0)) process.off('SIGINT', probe);
});

describe('stopSignal', () => {
  it('aborts on SIGINT and stays a listener while the later listeners run (signal-exit counts them)', () => {
    const before = process.listenerCount('SIGINT');
    const stop = stopSignal();
    let seen = -1;
    const probe = () => {
      seen = process.listenerCount('SIGINT');
    };
    probes.push(probe);
    process.on('SIGINT', probe);
    process.emit('SIGINT', 'SIGINT');
    expect(stop.signal.aborted).toBe(true);
    // signal-exit re-raises the signal (and so kills the process) when it sees only itself
    expect(seen).toBe(before + 2);
    stop.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
  });
});
