// Two routes on two connections of one SQLite journal file, their operations interleaved at
// random (every adapter call yields a random number of turns), with a third party recovering
// with a wrong "owner gone" verdict at random moments. Whatever the schedule: no status leaves a
// terminal state, fills never decrease, an answered order is never failed / not_found, and every
// broker order belongs to at most one journal order.
import { join } from 'node:path';
import { isTerminal, ORDER_TRANSITIONS, type OrderStatus } from '@qts/order-contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createExecutionRoute,
  createSqliteJournal,
  type ExecutionRoute,
  type OrderJournal,
} from '../src/index.js';
import { createFakeBroker } from './helpers/fake-broker.js';
import { T0, tempDir } from './helpers/setup.js';

function legal(from: OrderStatus | null, to: OrderStatus): boolean {
  if (from === null) return to === 'pending';
  if (from === to) return true;
  return Object.values(ORDER_TRANSITIONS[from]).some((targets) => targets?.includes(to));
}

const op = fc.oneof(
  fc.record({
    kind: fc.constant('submit' as const),
    route: fc.nat(1),
    qty: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({ kind: fc.constant('cancel' as const), route: fc.nat(1), pick: fc.nat() }),
  fc.record({ kind: fc.constant('modify' as const), route: fc.nat(1), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('fill' as const),
    pick: fc.nat(),
    qty: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constant('reconcile' as const), route: fc.nat(1) }),
  fc.record({ kind: fc.constant('recover' as const) }),
);

describe('interleaved routes on one journal file', () => {
  it('keep every invariant under any schedule', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 4, maxLength: 18 }),
        fc.array(fc.nat(6), { minLength: 64, maxLength: 64 }),
        async (ops, yields) => {
          const file = join(tempDir(), 'j.sqlite');
          const clock = { now: T0 };
          const broker = createFakeBroker({ clock: () => clock.now, notices: false });
          let y = 0;
          const turn = async () => {
            const n = yields[y++ % yields.length]!;
            for (let i = 0; i < n; i += 1) await new Promise((r) => setImmediate(r));
          };
          // Every adapter call yields before and after: the other route runs in between.
          const adapter = { ...broker.adapter };
          for (const name of ['placeOrder', 'cancelOrder', 'modifyOrder', 'getOrders'] as const) {
            const inner = broker.adapter[name] as (...args: unknown[]) => Promise<unknown>;
            (adapter as Record<string, unknown>)[name] = async (...args: unknown[]) => {
              await turn();
              const result = await inner(...args);
              await turn();
              return result;
            };
          }
          const journals: OrderJournal[] = [];
          const open = (ownerAlive?: () => boolean): ExecutionRoute => {
            const journal = createSqliteJournal({
              file,
              mode: 'virtual',
              host: 'virtual',
              account: 't',
            });
            journals.push(journal);
            return createExecutionRoute({
              adapter,
              journal,
              mode: 'virtual',
              clock: () => clock.now,
              evidenceWindowMs: 0,
              // Yield at every step of submit too: a recovery can land between any two records.
              checkpoint: () => turn(),
              ...(ownerAlive === undefined ? {} : { ownerAlive }),
            });
          };
          const routes = [open(), open()];
          const answered = new Map<string, string>();
          try {
            await Promise.all(
              ops.map(async (o, index) => {
                await turn();
                const route = 'route' in o ? routes[o.route]! : routes[0]!;
                const orders = route.orders();
                const target =
                  'pick' in o && orders.length > 0 ? orders[o.pick % orders.length] : undefined;
                try {
                  switch (o.kind) {
                    case 'submit': {
                      const r = await route.submit({
                        symbol: '005930',
                        side: 'buy',
                        type: 'limit',
                        limitPrice: 70000,
                        quantity: o.qty * 100 + index,
                      });
                      if (r.error === undefined && r.order.brokerOrderId !== null) {
                        answered.set(r.order.orderId, r.order.brokerOrderId);
                      }
                      break;
                    }
                    case 'cancel':
                      if (target !== undefined) await route.cancel(target.orderId);
                      break;
                    case 'modify':
                      if (target !== undefined)
                        await route.modify(target.orderId, { limitPrice: 69900 });
                      break;
                    case 'fill': {
                      const row =
                        target?.brokerOrderId == null
                          ? undefined
                          : broker
                              .rows()
                              .find(
                                (r) =>
                                  r.brokerOrderId === target.modifyBrokerOrderId ||
                                  r.brokerOrderId === target.brokerOrderId,
                              );
                      if (
                        row !== undefined &&
                        row.status !== 'canceled' &&
                        row.remainingQuantity >= o.qty
                      ) {
                        broker.fill(row.brokerOrderId, o.qty, 70000);
                      }
                      break;
                    }
                    case 'reconcile':
                      await route.reconcile();
                      break;
                    case 'recover':
                      // A wrong verdict: every owner "gone" (as a reused pid once made it).
                      open(() => false);
                      break;
                  }
                } catch (error) {
                  // Refusals are fine (not cancelable...): they send nothing.
                  if (
                    !(error instanceof Error) ||
                    !/Nothing was sent|nothing was sent/.test(error.message)
                  )
                    throw error;
                }
              }),
            );
            clock.now += 60_000;
            const final = open(() => false);
            await final.reconcile();
            const journal = journals[0]!;
            for (const event of journal.events()) {
              expect(
                legal(event.from, event.to),
                `${event.from} -> ${event.to} (${event.cause})`,
              ).toBe(true);
              if (event.from !== null && isTerminal(event.from) && event.to !== event.from) {
                expect([event.from, event.to]).toEqual(['canceled', 'filled']);
              }
            }
            const fills = new Map<string, number>();
            for (const event of journal.events()) {
              const q = event.patch.filledQuantity;
              if (q === undefined) continue;
              expect(q).toBeGreaterThanOrEqual(fills.get(event.orderId) ?? 0);
              fills.set(event.orderId, q);
            }
            for (const [orderId, number] of answered) {
              const order = final.order(orderId)!;
              expect(['failed', 'not_found', 'unknown', 'rejected']).not.toContain(order.status);
              expect(order.brokerOrderId).toBe(number);
            }
            for (const row of broker.rows().filter((r) => r.kind === 'order')) {
              expect(
                final.orders().filter((o) => o.brokerOrderId === row.brokerOrderId).length,
              ).toBeLessThanOrEqual(1);
            }
          } finally {
            for (const j of journals) j.close();
            broker.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
