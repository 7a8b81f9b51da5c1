// Gate D 2: KIS order and inquiry work. broker-kis (through auth-phase2's transport) against
// broker-virtual's KIS sandbox over real HTTP and WebSocket on 127.0.0.1, in BOTH the real and
// the paper environment: place, inquire (getOrders), cancel, and execution notices.
import { createKisOrderAdapter } from '@qts/broker-kis';
import { type KisSandbox, startKisSandbox } from '@qts/broker-virtual';
import type { OrderEvent } from '@qts/order-contract';
import { kisAdapterOn, sandboxTarget, waitUntil, withinOneTradingDate } from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { recordEvidence } from '../src/evidence.js';

const sandboxes: KisSandbox[] = [];
afterAll(async () => {
  for (const s of sandboxes) await s.close().catch(() => undefined);
});

for (const environment of ['real', 'paper'] as const) {
  describe(`Gate D 2: broker-kis on the KIS sandbox (${environment})`, () => {
    it(`Gate D 2: ${environment}: place (fill and resting), getOrders, cancel, and notices over WebSocket`, async () => {
      await withinOneTradingDate(); // the resting order is canceled on its own trading date
      const sandbox = await startKisSandbox({ environment, port: 0, rateLimitPerSecond: null });
      sandboxes.push(sandbox);
      expect(sandbox.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const adapter = kisAdapterOn(createKisOrderAdapter, sandboxTarget(sandbox)).adapter;
      expect(adapter.environment).toBe(environment);
      const events: OrderEvent[] = [];
      const unsubscribe = await adapter.subscribe((event) => events.push(event));
      try {
        // a limit order that crosses: the first limit order sets the reference price and fills
        const dateBefore = sandbox.exchange.tradingDate();
        const fillAck = await adapter.placeOrder({
          clientOrderId: `e2e-${environment}-1`,
          symbol: '005930',
          side: 'buy',
          quantity: 3,
          type: 'limit',
          limitPrice: 70_000,
        });
        expect(fillAck.brokerOrderId).toMatch(/^\d+$/);
        expect(fillAck.originalBrokerOrderId).toBeNull();
        // Each order belongs to the Seoul date it was sent on (this test may straddle midnight KST).
        const tradingDate = fillAck.tradingDate;
        expect([dateBefore, sandbox.exchange.tradingDate()]).toContain(tradingDate);

        // a resting order below the reference price
        const restAck = await adapter.placeOrder({
          clientOrderId: `e2e-${environment}-2`,
          symbol: '005930',
          side: 'buy',
          quantity: 2,
          type: 'limit',
          limitPrice: 60_000,
        });

        // inquiry
        const restDate = restAck.tradingDate;
        const orders = await adapter.getOrders({ tradingDate });
        const restOrders =
          restDate === tradingDate ? orders : await adapter.getOrders({ tradingDate: restDate });
        const filled = orders.find((o) => o.brokerOrderId === fillAck.brokerOrderId);
        const resting = restOrders.find((o) => o.brokerOrderId === restAck.brokerOrderId);
        expect(filled).toMatchObject({
          kind: 'order',
          symbol: '005930',
          side: 'buy',
          quantity: 3,
          filledQuantity: 3,
          remainingQuantity: 0,
          averagePrice: 70_000,
          status: 'filled',
        });
        expect(resting).toMatchObject({
          quantity: 2,
          filledQuantity: 0,
          remainingQuantity: 2,
          status: 'open',
        });
        const open = await adapter.getOrders({ tradingDate: restDate, openOnly: true });
        expect(open.map((o) => o.brokerOrderId)).toEqual([restAck.brokerOrderId]);

        // cancel the resting order
        const cancelAck = await adapter.cancelOrder({
          brokerOrderId: restAck.brokerOrderId,
          brokerBranch: restAck.brokerBranch,
          symbol: '005930',
          side: 'buy',
          type: 'limit',
          quantity: 2,
          limitPrice: 60_000,
          tradingDate: restDate,
        });
        expect(cancelAck.originalBrokerOrderId).toBe(restAck.brokerOrderId);
        expect(cancelAck.brokerOrderId).not.toBe(restAck.brokerOrderId);
        const after = await adapter.getOrders({ tradingDate: restDate });
        expect(after.find((o) => o.brokerOrderId === restAck.brokerOrderId)).toMatchObject({
          status: 'canceled',
          canceledQuantity: 2,
          remainingQuantity: 0,
        });

        // the sandbox's exchange booked exactly these orders
        const booked = [...new Set([tradingDate, restDate, cancelAck.tradingDate])].flatMap(
          (date) => sandbox.exchange.orders(sandbox.credentials.account, { tradingDate: date }),
        );
        expect(booked.filter((o) => o.kind === 'order')).toHaveLength(2);
        expect(booked.filter((o) => o.kind === 'cancel')).toHaveLength(1);

        // notices: the fill (cumulative) and the cancel arrived over the WebSocket
        await waitUntil(
          () =>
            events.some(
              (e) =>
                e.type === 'order-filled' &&
                e.brokerOrderId === fillAck.brokerOrderId &&
                e.filledQuantity === 3,
            ) &&
            events.some(
              (e) => e.type === 'order-canceled' && e.brokerOrderId === restAck.brokerOrderId,
            ),
          'the fill and cancel notices arrived',
          { timeoutMs: 15_000 },
        );
        const fill = events.find((e) => e.type === 'order-filled');
        expect(fill).toMatchObject({
          averagePrice: 70_000,
          symbol: '005930',
          side: 'buy',
          source: 'notice',
        });
        recordEvidence(
          2,
          `${environment}: ODNO ${fillAck.brokerOrderId} filled 3@70000, ${restAck.brokerOrderId} open then canceled (cancel ODNO ${cancelAck.brokerOrderId}), getOrders ${after.length} rows, ${events.length} notices`,
        );
      } finally {
        await unsubscribe();
        await adapter.close();
      }
    }, 100_000);

    it(`Gate D 2: ${environment}: a KIS rejection (insufficient funds) is a normal answer with the KIS code kept`, async () => {
      const sandbox = await startKisSandbox({ environment, port: 0, rateLimitPerSecond: null });
      sandboxes.push(sandbox);
      const adapter = kisAdapterOn(createKisOrderAdapter, sandboxTarget(sandbox)).adapter;
      try {
        sandbox.exchange.setReferencePrice('005930', 70_000);
        const error = await adapter
          .placeOrder({
            clientOrderId: 'e2e-big',
            symbol: '005930',
            side: 'buy',
            quantity: 10_000,
            type: 'limit',
            limitPrice: 70_000,
          })
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(error).toMatchObject({ outcome: 'rejected', brokerCode: 'APBK0952' });
        expect(
          sandbox.exchange.orders(sandbox.credentials.account).filter((o) => o.kind === 'order'),
        ).toHaveLength(0);
      } finally {
        await adapter.close();
      }
    }, 30_000);
  });
}
