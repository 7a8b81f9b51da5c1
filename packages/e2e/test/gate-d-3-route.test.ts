// Gate D 3: Intent -> Order -> Response end to end through execution-route, with the virtual
// adapter AND with broker-kis on the KIS sandbox: accepted and filled, a broker rejection
// (insufficient funds, a normal scenario), a timeout after send that ends unknown and is
// reconciled without a second order, and a route cut that fails clearly with an exact state.
import {
  createExecutionRoute,
  createMemoryJournal,
  type ExecutionRoute,
} from '@qts/execution-route';
import { afterAll, describe, expect, it } from 'vitest';
import { recordEvidence } from '../src/evidence.js';
import { type Broker, type BrokerKind, openBroker } from './route-harness.js';

const brokers: Broker[] = [];
afterAll(async () => {
  for (const b of brokers) await b.close().catch(() => undefined);
});

async function setup(
  kind: BrokerKind,
  kisTimeoutMs?: number,
): Promise<{ broker: Broker; route: ExecutionRoute }> {
  const broker = await openBroker(kind, kisTimeoutMs);
  brokers.push(broker);
  const route = createExecutionRoute({
    adapter: broker.adapter,
    journal: createMemoryJournal(),
    mode: kind === 'virtual' ? 'virtual' : 'paper',
  });
  return { broker, route };
}

const BUY = { symbol: '005930', side: 'buy', type: 'limit' } as const;

for (const kind of ['virtual', 'kis-paper'] as const) {
  describe(`Gate D 3: execution-route with ${kind === 'virtual' ? 'the virtual adapter' : 'broker-kis on the KIS sandbox (paper)'}`, () => {
    it(`Gate D 3: ${kind}: an intent is accepted and filled; the same intent id never yields a second order`, async () => {
      const { broker, route } = await setup(kind);
      broker.exchange.setReferencePrice('005930', 70_000);
      const intent = { ...BUY, quantity: 3, limitPrice: 70_000, intentId: `e2e-${kind}-fill` };
      const result = await route.submit(intent);
      expect(result.error, String(result.error?.message)).toBeUndefined();
      expect(['accepted', 'filled']).toContain(result.order.status);
      const booked = broker.booked();
      expect(booked).toHaveLength(1);
      expect(result.order.brokerOrderId).toBe(booked[0]?.orderNo);

      const changes = await route.reconcile();
      const order = route.order(result.order.orderId);
      expect(order).toMatchObject({
        status: 'filled',
        filledQuantity: 3,
        averagePrice: 70_000,
        brokerOrderId: booked[0]?.orderNo,
        clientOrderId: `e2e-${kind}-fill`,
      });
      expect(Array.isArray(changes)).toBe(true);

      const again = await route.submit(intent);
      expect(again.replayed).toBe(true);
      expect(again.order.orderId).toBe(result.order.orderId);
      expect(broker.booked(), 'the repeated intent id placed nothing').toHaveLength(1);
      const statuses = route.journal.events(result.order.orderId).map((e) => e.to);
      expect(statuses.slice(0, 3)).toEqual(['pending', 'submitted', 'accepted']);
      expect(statuses).toContain('filled');
      recordEvidence(
        3,
        `${kind}: intent -> ${statuses.join(' -> ')} (ODNO ${booked[0]?.orderNo}, 3@70000); repeated intent id replayed, 1 booked order`,
      );
    }, 60_000);

    it(`Gate D 3: ${kind}: a broker rejection (insufficient funds) is recorded as rejected with the broker's code`, async () => {
      const { broker, route } = await setup(kind);
      broker.exchange.setReferencePrice('005930', 70_000);
      const result = await route.submit({ ...BUY, quantity: 10_000, limitPrice: 70_000 });
      expect(result.order.status).toBe('rejected');
      expect(result.error?.outcome).toBe('rejected');
      expect(result.error?.code).toBe('INSUFFICIENT_FUNDS');
      expect(result.error?.brokerCode).toBe('APBK0952');
      expect(result.order.error).toMatchObject({ outcome: 'rejected', brokerCode: 'APBK0952' });
      expect(broker.booked()).toHaveLength(0);
      recordEvidence(
        3,
        `${kind}: 10000 x 70000 KRW -> rejected INSUFFICIENT_FUNDS (broker APBK0952), nothing booked`,
      );
    }, 60_000);

    it(`Gate D 3: ${kind}: a timeout after send ends unknown and reconcile binds it without a second order`, async () => {
      // 2 s per request: long enough for an inquiry on a loaded machine, short for the never-answer.
      const { broker, route } = await setup(kind, 2_000);
      broker.exchange.setReferencePrice('005930', 70_000);
      broker.exchange.faults.next('place', { kind: 'never-answer' });
      const intent = { ...BUY, quantity: 2, limitPrice: 70_000 };
      const result = await route.submit(intent);
      expect(result.order.status).toBe('unknown');
      expect(result.error?.outcome).toBe('unknown');
      expect(result.order.brokerOrderId).toBeNull();
      expect(broker.booked(), 'the broker booked the order it never answered').toHaveLength(1);

      // the same order again is refused while the first one is unknown: nothing sent
      await expect(route.submit(intent)).rejects.toMatchObject({
        reason: 'UNKNOWN_ORDER_FINGERPRINT',
        outcome: 'not_placed',
      });
      expect(broker.booked()).toHaveLength(1);

      const placeRequests = broker.exchange.faults.requestCount('place');
      const changes = await route.reconcile();
      const booked = broker.booked();
      expect(booked, 'reconcile placed nothing').toHaveLength(1);
      expect(broker.exchange.faults.requestCount('place'), 'reconcile sent no place request').toBe(
        placeRequests,
      );
      const order = route.order(result.order.orderId);
      expect(order?.brokerOrderId).toBe(booked[0]?.orderNo);
      expect(order?.status).toBe('filled');
      expect(changes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ orderId: result.order.orderId, from: 'unknown' }),
        ]),
      );
      recordEvidence(
        3,
        `${kind}: never-answered place -> unknown; duplicate refused; reconcile bound it to ODNO ${booked[0]?.orderNo} (filled), 1 booked order, ${placeRequests} place request`,
      );
    }, 60_000);

    it(`Gate D 3: ${kind}: a route cut fails clearly (ROUTE_UNAVAILABLE, not_placed) and leaves the order exactly failed`, async () => {
      const { broker } = await setup(kind);
      const route = createExecutionRoute({
        adapter: await broker.cutAdapter(),
        journal: createMemoryJournal(),
        mode: kind === 'virtual' ? 'virtual' : 'paper',
      });
      const result = await route.submit({ ...BUY, quantity: 1, limitPrice: 70_000 });
      expect(result.error?.code).toBe('ROUTE_UNAVAILABLE');
      expect(result.error?.outcome).toBe('not_placed');
      expect(result.error?.hint.length, 'says what to do').toBeGreaterThan(0);
      expect(result.order.status).toBe('failed');
      expect(result.order.brokerOrderId).toBeNull();
      expect(route.order(result.order.orderId)?.status).toBe('failed');
      expect(route.journal.events(result.order.orderId).map((e) => e.to)).toEqual([
        'pending',
        'submitted',
        'failed',
      ]);
      expect(broker.booked()).toHaveLength(0);
      // reconcile leaves a failed order alone: failed is terminal, nothing is resent
      await route.reconcile();
      expect(route.order(result.order.orderId)?.status).toBe('failed');
      expect(broker.booked()).toHaveLength(0);
      recordEvidence(
        3,
        `${kind}: route cut -> ROUTE_UNAVAILABLE/not_placed, journal pending -> submitted -> failed, nothing booked`,
      );
    }, 60_000);
  });
}

describe('Gate D 3: a stopped sandbox is a route cut too', () => {
  it('Gate D 3: kis-paper: after the sandbox stops, submit fails with ROUTE_UNAVAILABLE and the order is failed', async () => {
    const { broker, route } = await setup('kis-paper');
    await broker.sandbox?.close();
    const result = await route.submit({ ...BUY, quantity: 1, limitPrice: 70_000 });
    expect(result.error?.code).toBe('ROUTE_UNAVAILABLE');
    expect(result.error?.outcome).toBe('not_placed');
    expect(result.order.status).toBe('failed');
  }, 60_000);
});
