import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ORDER_STATUSES,
  type OrderStatus,
  type OrderTransitionEvent,
  TERMINAL_ORDER_STATUSES,
} from './order-status.js';
import {
  isTerminal,
  ORDER_TRANSITIONS,
  type OrderTransitionEventType,
  transition,
} from './transition.js';

const EVENT_TYPES: readonly OrderTransitionEventType[] = [
  'submit',
  'send-failed',
  'accept',
  'reject',
  'outcome-unknown',
  'fill',
  'cancel-request',
  'cancel-unknown',
  'cancel',
  'cancel-reject',
  'modify-request',
  'modify-unknown',
  'modify',
  'modify-reject',
  'not-found',
];

const statusArb = fc.constantFrom(...ORDER_STATUSES);
const count = fc.integer({ min: 0, max: 1_000 });
const eventArb: fc.Arbitrary<OrderTransitionEvent> = fc.oneof(
  fc.constantFrom(
    ...EVENT_TYPES.filter(
      (type) => !['fill', 'cancel-reject', 'modify', 'modify-reject'].includes(type),
    ).map((type) => ({ type }) as OrderTransitionEvent),
  ),
  fc.record({ type: fc.constant('fill' as const), filledQuantity: count, quantity: count }),
  fc.record({
    type: fc.constantFrom('cancel-reject' as const, 'modify' as const, 'modify-reject' as const),
    filledQuantity: count,
  }),
);

const fill = (filledQuantity: number, quantity = 10): OrderTransitionEvent => ({
  type: 'fill',
  filledQuantity,
  quantity,
});

describe('ORDER_TRANSITIONS', () => {
  it('has a row for every status and only known targets', () => {
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
    for (const row of Object.values(ORDER_TRANSITIONS)) {
      for (const [type, targets] of Object.entries(row)) {
        expect(EVENT_TYPES).toContain(type);
        for (const target of targets ?? []) expect(ORDER_STATUSES).toContain(target);
      }
    }
  });

  it('reaches every status from pending', () => {
    const reached = new Set<OrderStatus>(['pending']);
    const queue: OrderStatus[] = ['pending'];
    for (let status = queue.shift(); status !== undefined; status = queue.shift()) {
      for (const targets of Object.values(ORDER_TRANSITIONS[status])) {
        for (const target of targets ?? []) {
          if (!reached.has(target)) {
            reached.add(target);
            queue.push(target);
          }
        }
      }
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('lets nothing out of a terminal status except a late fill of a canceled order', () => {
    for (const status of TERMINAL_ORDER_STATUSES) {
      const row = ORDER_TRANSITIONS[status];
      const expected = status === 'canceled' ? { fill: ['canceled', 'filled'] } : {};
      expect(row).toEqual(expected);
    }
  });
});

describe('transition (properties)', () => {
  it('never throws, for any status and event', () => {
    fc.assert(
      fc.property(statusArb, eventArb, (status, event) => {
        const result = transition(status, event);
        if (result.ok) expect(ORDER_STATUSES).toContain(result.status);
        else expect(result.reason).toMatch(/\.$/);
      }),
    );
  });

  it('never throws on garbage either', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (status, event) => {
        expect(() =>
          transition(status as OrderStatus, event as OrderTransitionEvent),
        ).not.toThrow();
      }),
    );
  });

  it('only moves along the table', () => {
    fc.assert(
      fc.property(statusArb, eventArb, (status, event) => {
        const result = transition(status, event);
        const targets = ORDER_TRANSITIONS[status][event.type];
        if (targets === undefined) expect(result.ok).toBe(false);
        if (result.ok) expect(targets).toContain(result.status);
      }),
    );
  });

  it('leaves a terminal status only by a late fill of a canceled order', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TERMINAL_ORDER_STATUSES), eventArb, (status, event) => {
        const result = transition(status, event);
        if (!result.ok) return;
        expect(status).toBe('canceled');
        expect(event.type).toBe('fill');
        expect(['canceled', 'filled']).toContain(result.status);
      }),
    );
  });

  it('a fill that reaches the quantity fills the order, from every status that takes fills', () => {
    fc.assert(
      fc.property(
        statusArb,
        fc.integer({ min: 1, max: 1_000 }),
        fc.nat(5),
        (status, quantity, extra) => {
          const result = transition(status, fill(quantity + extra, quantity));
          if (ORDER_TRANSITIONS[status].fill === undefined) expect(result.ok).toBe(false);
          else expect(result).toEqual({ ok: true, status: 'filled' });
        },
      ),
    );
  });
});

describe('transition (examples)', () => {
  it.each<[OrderStatus, OrderTransitionEvent, OrderStatus]>([
    ['pending', { type: 'submit' }, 'submitted'],
    ['pending', { type: 'send-failed' }, 'failed'],
    ['submitted', { type: 'accept' }, 'accepted'],
    ['submitted', { type: 'reject' }, 'rejected'],
    ['submitted', { type: 'send-failed' }, 'failed'],
    ['submitted', { type: 'outcome-unknown' }, 'unknown'],
    ['submitted', fill(10), 'filled'],
    ['accepted', fill(3), 'partially_filled'],
    ['partially_filled', fill(10), 'filled'],
    ['accepted', { type: 'cancel-request' }, 'pending_cancel'],
    ['pending_cancel', { type: 'cancel' }, 'canceled'],
    ['pending_cancel', { type: 'cancel-reject', filledQuantity: 0 }, 'accepted'],
    ['pending_cancel', { type: 'cancel-reject', filledQuantity: 4 }, 'partially_filled'],
    ['pending_cancel', { type: 'cancel-unknown' }, 'cancel_unknown'],
    ['pending_cancel', fill(4), 'pending_cancel'],
    ['pending_cancel', fill(10), 'filled'],
    ['cancel_unknown', { type: 'cancel' }, 'canceled'],
    ['cancel_unknown', { type: 'cancel-reject', filledQuantity: 2 }, 'partially_filled'],
    ['partially_filled', { type: 'modify-request' }, 'pending_modify'],
    ['pending_modify', { type: 'modify', filledQuantity: 0 }, 'accepted'],
    ['pending_modify', { type: 'modify-reject', filledQuantity: 3 }, 'partially_filled'],
    ['pending_modify', { type: 'modify-unknown' }, 'modify_unknown'],
    ['modify_unknown', { type: 'modify', filledQuantity: 1 }, 'partially_filled'],
    ['unknown', { type: 'accept' }, 'accepted'],
    ['unknown', { type: 'reject' }, 'rejected'],
    ['unknown', fill(10), 'filled'],
    ['unknown', { type: 'not-found' }, 'not_found'],
    ['canceled', fill(10), 'filled'],
    ['canceled', fill(6), 'canceled'],
  ])('%s + %o -> %s', (status, event, expected) => {
    expect(transition(status, event)).toEqual({ ok: true, status: expected });
  });

  it.each<[OrderStatus, OrderTransitionEvent]>([
    ['pending', { type: 'accept' }],
    ['pending', { type: 'outcome-unknown' }],
    ['submitted', { type: 'not-found' }],
    ['accepted', { type: 'not-found' }],
    ['unknown', { type: 'submit' }],
    ['filled', fill(10)],
    ['filled', { type: 'cancel' }],
    ['rejected', { type: 'accept' }],
    ['failed', { type: 'submit' }],
    ['not_found', { type: 'accept' }],
    ['canceled', { type: 'accept' }],
  ])('refuses %s + %o', (status, event) => {
    const result = transition(status, event);
    expect(result.ok).toBe(false);
  });

  it('explains the refusal', () => {
    expect(transition('filled', { type: 'cancel' })).toEqual({
      ok: false,
      reason: 'An order that is filled cannot take a "cancel" event (filled is terminal).',
    });
    expect(transition('accepted', fill(0))).toEqual({
      ok: false,
      reason: 'A fill must carry a cumulative filled quantity of at least 1.',
    });
    expect(transition('accepted', fill(1.5))).toMatchObject({ ok: false });
    expect(transition('accepted', { type: 'modify', filledQuantity: -1 })).toMatchObject({
      ok: false,
    });
  });
});

describe('isTerminal', () => {
  it('is true exactly for the terminal statuses', () => {
    for (const status of ORDER_STATUSES) {
      expect(isTerminal(status)).toBe(
        (TERMINAL_ORDER_STATUSES as readonly string[]).includes(status),
      );
    }
  });
});
