import { describe, expect, it } from 'vitest';
import { createHolidayCalendar, krxSessionAt, seoulDate, seoulTime } from './session.js';

// 2026-01-05 is a Monday. Instants are given in UTC (KST - 9 h).
const at = (kst: string): Date => new Date(`${kst}+09:00`);

describe('seoulDate / seoulTime', () => {
  it('use Asia/Seoul whatever the machine time zone', () => {
    const instant = new Date('2026-01-04T15:30:00Z'); // 2026-01-05 00:30 KST
    expect(seoulDate(instant)).toBe('20260105');
    expect(seoulTime(instant)).toBe('003000');
    expect(seoulDate(new Date('2026-01-04T14:59:59Z'))).toBe('20260104');
    expect(seoulTime(new Date('2026-01-04T14:59:59Z'))).toBe('235959');
  });

  it('refuse an invalid Date', () => {
    expect(() => seoulDate(new Date('nope'))).toThrow(RangeError);
  });
});

describe('krxSessionAt', () => {
  it.each([
    ['2026-01-05T08:29:59', 'closed'],
    ['2026-01-05T08:30:00', 'pre-market'],
    ['2026-01-05T08:39:59', 'pre-market'],
    ['2026-01-05T08:40:00', 'opening-auction'],
    ['2026-01-05T09:00:00', 'continuous'],
    ['2026-01-05T15:19:59', 'continuous'],
    ['2026-01-05T15:20:00', 'closing-auction'],
    ['2026-01-05T15:30:00', 'closed'],
    ['2026-01-05T15:40:00', 'post-market'],
    ['2026-01-05T16:00:00', 'after-hours'],
    ['2026-01-05T17:59:59', 'after-hours'],
    ['2026-01-05T18:00:00', 'closed'],
    ['2026-01-03T10:00:00', 'closed'], // Saturday
    ['2026-01-04T10:00:00', 'closed'], // Sunday
  ] as const)('%s KST is %s', (kst, phase) => {
    expect(krxSessionAt(at(kst))).toBe(phase);
  });

  it('is closed on a holiday of the calendar', () => {
    const calendar = createHolidayCalendar(['20260105']);
    expect(krxSessionAt(at('2026-01-05T10:00:00'), calendar)).toBe('closed');
    expect(krxSessionAt(at('2026-01-06T10:00:00'), calendar)).toBe('continuous');
  });

  it('asks the calendar with the Seoul date, not the UTC one', () => {
    const asked: string[] = [];
    krxSessionAt(new Date('2026-01-05T23:30:00Z'), {
      isHoliday: (date) => {
        asked.push(date);
        return false;
      },
    });
    expect(asked).toEqual(['20260106']);
  });
});
