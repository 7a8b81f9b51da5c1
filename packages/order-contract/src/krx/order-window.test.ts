import { describe, expect, it } from 'vitest';
import { orderWindowAt, orderWindowIssue } from './order-window.js';
import { createHolidayCalendar } from './session.js';

// 2026-12-07 is a Monday; instants are built from KST wall times.
const kst = (date: string, time: string): Date => new Date(`${date}T${time}+09:00`);
const MONDAY = '2026-12-07';

describe('order windows', () => {
  it('KRX off-hours sessions take their division only in their own window', () => {
    const pre = { type: 'limit', session: 'pre' };
    expect(orderWindowIssue(pre, kst(MONDAY, '08:35:00'))).toBeNull();
    const late = orderWindowIssue(pre, kst(MONDAY, '08:40:00'));
    expect(late?.code).toBe('outside-session');
    expect(late?.message).toContain(
      'KRX pre-market at the previous close (장전 시간외) 08:30-08:40',
    );
    expect(late?.message).toContain('08:40 KST on Monday 2026-12-07');
    expect(
      orderWindowIssue({ type: 'limit', session: 'post' }, kst(MONDAY, '15:45:00')),
    ).toBeNull();
    expect(
      orderWindowIssue({ type: 'limit', session: 'single' }, kst(MONDAY, '17:59:59')),
    ).toBeNull();
    expect(
      orderWindowIssue({ type: 'limit', session: 'single' }, kst(MONDAY, '18:00:00')),
    ).not.toBeNull();
  });

  it('NXT takes plain limit orders in its pre- and after-market, other divisions only in its main market', () => {
    expect(orderWindowIssue({ type: 'limit', venue: 'NXT' }, kst(MONDAY, '08:05:00'))).toBeNull();
    expect(orderWindowIssue({ type: 'limit', venue: 'NXT' }, kst(MONDAY, '19:59:59'))).toBeNull();
    const after = orderWindowIssue({ type: 'limit', venue: 'NXT' }, kst(MONDAY, '20:00:00'));
    expect(after?.message).toContain('NXT after-market 15:30-20:00');
    const ioc = orderWindowIssue(
      { type: 'limit', executionCondition: 'ioc', venue: 'NXT' },
      kst(MONDAY, '16:00:00'),
    );
    expect(ioc?.message).toContain('NXT main market 09:00-15:20');
    expect(
      orderWindowIssue(
        { type: 'limit', executionCondition: 'ioc', venue: 'NXT' },
        kst(MONDAY, '10:00:00'),
      ),
    ).toBeNull();
    // 09:00:00-09:00:29 is no NXT window at all
    expect(orderWindowAt('NXT', 'limit', kst(MONDAY, '09:00:10'))).toBeUndefined();
  });

  it('weekends and holidays take nothing, and the message says it is not a trading day', () => {
    const saturday = orderWindowIssue(
      { type: 'limit', venue: 'SOR' },
      kst('2026-12-05', '10:00:00'),
    );
    expect(saturday?.message).toContain('(not a trading day)');
    const holidays = createHolidayCalendar(['20261207']);
    expect(
      orderWindowIssue({ type: 'limit', venue: 'SOR' }, kst(MONDAY, '10:00:00'), holidays),
    ).not.toBeNull();
    expect(orderWindowIssue({ type: 'limit', venue: 'SOR' }, kst(MONDAY, '10:00:00'))).toBeNull();
  });

  it('answers by Seoul time whatever the machine zone (an instant just before KST midnight)', () => {
    const instant = new Date('2026-12-07T14:59:59Z'); // 23:59:59 KST Monday
    expect(orderWindowIssue({ type: 'limit', venue: 'NXT' }, instant)?.message).toContain(
      '23:59 KST on Monday 2026-12-07',
    );
  });

  it('a request with invalid division fields yields no window issue (validation reports it)', () => {
    expect(
      orderWindowIssue({ type: 'market', session: 'pre' }, kst(MONDAY, '03:00:00')),
    ).toBeNull();
  });
});
