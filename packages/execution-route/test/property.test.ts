import { ORDER_STATUSES, ORDER_TRANSITIONS, type OrderStatus } from '@qts/order-contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OrderJournal, replayJournal } from '../src/index.js';
import type { FaultScript } from './helpers/fake-broker.js';
import { BUY, makeRig } from './helpers/setup.js';

function legal(from: OrderStatus | null, to: OrderStatus): boolean {
  if (from === null) return to === 'pending';
  if (from === to) return true; // a record that changed fields, not the status
  return Object.values(ORDER_TRANSITIONS[from]).some((targets) => targets?.includes(to));
}

function checkJournal(journal: OrderJournal) {
  const last = new Map<string, number>();
  for (const event of journal.events()) {
    expect(ORDER_STATUSES).toContain(event.to);
    expect(legal(event.from, event.to), `${event.from} -> ${event.to} (${event.cause})`).toBe(true);
    if (event.patch.filledQuantity !== undefined) {
      expect(event.patch.filledQuantity).toBeGreaterThanOrEqual(last.get(event.orderId) ?? 0);
      last.set(event.orderId, event.patch.filledQuantity);
    }
  }
  for (const order of journal.list())
    expect(order.filledQuantity).toBeLessThanOrEqual(order.quantity);
  expect(replayJournal(journal.events())).toEqual(journal.list());
}

const notice = fc.oneof(
  fc.record({ kind: fc.constant('fill' as const), quantity: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('replay' as const) }),
  fc.record({
    kind: fc.constant('stale-fill' as const),
    quantity: fc.integer({ min: 0, max: 10 }),
  }),
  fc.record({ kind: fc.constant('accepted' as const) }),
  fc.record({ kind: fc.constant('canceled' as const) }),
  fc.record({ kind: fc.constant('rejected' as const) }),
  fc.record({ kind: fc.constant('modified' as const), quantity: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('reconcile' as const) }),
  fc.record({ kind: fc.constant('lost' as const) }),
);

describe('properties', () => {
  it('random notice sequences never produce illegal states; fills never decrease', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(notice, { maxLength: 25 }), async (steps) => {
        const rig = makeRig({ route: { sleep: async () => new Promise((r) => setImmediate(r)) } });
        try {
          const { order } = await rig.route.submit(BUY);
          const no = order.brokerOrderId!;
          const ac = new AbortController();
          const watching = rig.route.watch({ signal: ac.signal });
          let filled = 0;
          const at = '2026-11-25T01:00:01.000Z';
          for (const step of steps) {
            for (let i = 0; i < 5; i += 1) await new Promise((r) => setImmediate(r));
            switch (step.kind) {
              case 'fill':
                if (filled + step.quantity <= 10) {
                  filled += step.quantity;
                  rig.broker.fill(no, step.quantity, 70000);
                }
                break;
              case 'replay':
                rig.broker.replayLast();
                break;
              case 'stale-fill':
                if (step.quantity > 0) {
                  rig.broker.emit({
                    type: 'order-filled',
                    brokerOrderId: no,
                    symbol: '005930',
                    side: 'buy',
                    filledQuantity: Math.min(step.quantity, filled),
                    averagePrice: 70000,
                    lastQuantity: null,
                    lastPrice: null,
                    at,
                    source: 'inquiry',
                  });
                }
                break;
              case 'accepted':
                rig.broker.emit({
                  type: 'order-accepted',
                  brokerOrderId: no,
                  brokerBranch: '06010',
                  symbol: '005930',
                  side: 'buy',
                  quantity: 10,
                  limitPrice: 70000,
                  at,
                  source: 'notice',
                });
                break;
              case 'canceled':
                rig.broker.emit({
                  type: 'order-canceled',
                  brokerOrderId: no,
                  cancelBrokerOrderId: null,
                  canceledQuantity: 10 - filled,
                  at,
                  source: 'notice',
                });
                break;
              case 'rejected':
                rig.broker.emit({
                  type: 'order-rejected',
                  brokerOrderId: no,
                  brokerCode: 'X',
                  brokerMessage: 'x',
                  at,
                  source: 'notice',
                });
                break;
              case 'modified':
                rig.broker.emit({
                  type: 'order-modified',
                  brokerOrderId: no,
                  newBrokerOrderId: `m${step.quantity}`,
                  quantity: step.quantity,
                  limitPrice: 70100,
                  at,
                  source: 'notice',
                });
                break;
              case 'reconcile':
                await rig.route.reconcile();
                break;
              case 'lost':
                rig.broker.loseConnection();
                break;
            }
            checkJournal(rig.journal);
          }
          ac.abort();
          await watching;
          checkJournal(rig.journal);
          expect(rig.broker.requests()).toBe(1);
        } finally {
          rig.close();
        }
      }),
      { numRuns: 100 },
    );
  });

  const op = fc.oneof(
    fc.record({
      kind: fc.constant('submit' as const),
      quantity: fc.integer({ min: 1, max: 3 }),
      fault: fc.constantFrom<FaultScript | null>(
        null,
        null,
        { kind: 'refuse' },
        { kind: 'reject', brokerCode: 'APBK0919', brokerMessage: 'closed' },
        { kind: 'rate-limit' },
        { kind: 'timeout-after-accept' },
        { kind: 'reset-after-accept' },
        { kind: 'lost-before-book' },
      ),
      force: fc.boolean(),
      intent: fc.option(fc.constantFrom('i1', 'i2', 'i3'), { nil: undefined }),
    }),
    fc.record({
      kind: fc.constant('cancel' as const),
      pick: fc.nat(),
      fault: fc.constantFrom<FaultScript | null>(
        null,
        { kind: 'timeout-after-accept' },
        { kind: 'refuse' },
      ),
    }),
    fc.record({
      kind: fc.constant('fill' as const),
      pick: fc.nat(),
      quantity: fc.integer({ min: 1, max: 3 }),
    }),
    fc.record({ kind: fc.constant('reconcile' as const), minutes: fc.integer({ min: 0, max: 7 }) }),
  );

  it.each([
    ['memory', 100],
    ['sqlite', 25],
  ] as const)(
    'random operations with faults (%s journal): zero duplicate and zero lost orders, never a resend',
    async (journal, numRuns) => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 20 }), async (ops) => {
          const rig = makeRig({ journal });
          try {
            let sent = 0;
            for (const step of ops) {
              if (step.kind === 'submit') {
                if (step.fault !== null) rig.broker.script('place', step.fault);
                const before = rig.broker.requests('place');
                const result = await rig.route
                  .submit(
                    {
                      ...BUY,
                      quantity: step.quantity,
                      ...(step.intent === undefined ? {} : { intentId: step.intent }),
                    },
                    { force: step.force },
                  )
                  .catch((e: unknown) => e);
                const reached = rig.broker.requests('place') - before;
                expect(reached).toBeLessThanOrEqual(1);
                sent += reached;
                // a submit refused before sending leaves its fault unused: drop it
                rig.broker.clearScripts();
                if (step.fault?.kind === 'timeout-after-accept' && reached === 1) {
                  expect(result).toMatchObject({ order: { status: 'unknown' } });
                }
              } else if (step.kind === 'cancel') {
                const open = rig.route.orders({ statuses: ['accepted', 'partially_filled'] });
                const target = open[step.pick % Math.max(1, open.length)];
                if (target !== undefined) {
                  if (step.fault !== null) rig.broker.script('cancel', step.fault);
                  await rig.route.cancel(target.orderId);
                  rig.broker.clearScripts();
                }
              } else if (step.kind === 'fill') {
                const rows = rig.broker
                  .rows()
                  .filter((r) => r.kind === 'order' && r.remainingQuantity > 0);
                const row = rows[step.pick % Math.max(1, rows.length)];
                if (row !== undefined)
                  rig.broker.fill(
                    row.brokerOrderId,
                    Math.min(step.quantity, row.remainingQuantity),
                    70000,
                  );
              } else {
                rig.clock.now += step.minutes * 60_000;
                await rig.route.reconcile();
              }
              checkJournal(rig.journal);
            }
            rig.clock.now += 10 * 60_000;
            await rig.route.reconcile();
            checkJournal(rig.journal);
            const rows = rig.broker.rows().filter((r) => r.kind === 'order');
            // never resent: one broker order at most per place request that reached it
            expect(rows.length).toBeLessThanOrEqual(sent);
            const orders = rig.route.orders();
            // zero duplicates: a broker number belongs to at most one journal order
            const numbers = orders
              .map((o) => o.brokerOrderId)
              .filter((n): n is string => n !== null);
            expect(new Set(numbers).size).toBe(numbers.length);
            // zero lost: every broker order is in the journal, or an unknown order that could be it says so
            for (const row of rows) {
              const owner = rig.journal.getByBrokerOrderId(row.brokerOrderId);
              if (owner === null) {
                const waiting = orders.filter(
                  (o) => o.status === 'unknown' && o.quantity === row.quantity,
                );
                expect(
                  waiting.length,
                  `broker order ${row.brokerOrderId} has no journal order`,
                ).toBeGreaterThan(1);
              }
            }
            for (const o of orders) {
              if (['accepted', 'partially_filled', 'filled', 'canceled'].includes(o.status))
                expect(o.brokerOrderId).not.toBeNull();
              if (o.status === 'not_found') {
                // not_found only when no unbound broker order could be it
                const candidates = rows.filter(
                  (r) =>
                    r.quantity === o.quantity &&
                    rig.journal.getByBrokerOrderId(r.brokerOrderId) === null,
                );
                expect(candidates).toEqual([]);
              }
            }
          } finally {
            rig.close();
          }
        }),
        { numRuns },
      );
    },
  );
});
