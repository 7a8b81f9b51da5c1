import { describe, expect, it } from 'vitest';
import { krxSession } from './market-hours.js';

describe('KRX regular session (weekdays 09:00-15:30 KST)', () => {
  // Times are built here and passed in: krxSession reads no clock.
  const kst = (iso: string) => Date.parse(`${iso}+09:00`);
  it.each([
    ['2026-12-05T21:00:00', false, 'Saturday 21:00 KST'],
    ['2026-12-06T10:00:00', false, 'Sunday 10:00 KST'],
    ['2026-12-07T08:59:00', false, 'Monday 08:59 KST'],
    ['2026-12-07T09:00:00', true, 'Monday 09:00 KST'],
    ['2026-12-07T15:29:00', true, 'Monday 15:29 KST'],
    ['2026-12-07T15:30:00', false, 'Monday 15:30 KST'],
    ['2026-12-11T12:00:00', true, 'Friday 12:00 KST'],
  ] as const)('%s KST: open %s', (iso, open, when) => {
    expect(krxSession(kst(iso))).toEqual({ open, when });
  });
});
