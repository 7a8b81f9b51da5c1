// Adapter time per order against the local KIS sandbox vs a bare fetch of the same request, in
// the same run (rate limiter off). Goal: adapter <= 1.3x bare fetch.
import { afterAll, bench, describe } from 'vitest';
import { setupOrderBench as setup } from './order-setup.js';

const bareSide = await setup();
const transportSide = await setup();
const adapterSide = await setup();

const request = {
  clientOrderId: 'bench',
  symbol: '005930',
  side: 'buy',
  quantity: 1,
  type: 'limit',
  limitPrice: 1_000,
} as const;

afterAll(async () => {
  await bareSide.close();
  await transportSide.close();
  await adapterSide.close();
});

// Fixed iteration counts: the sandbox's book grows with every order, so each side books the same
// number of orders on its own sandbox. `bench/order-floor.ts` gives the ratio against the lightweight responder.
const options = { time: 0, iterations: 300, warmupTime: 0, warmupIterations: 20 };

describe('one limit order against the local KIS sandbox', () => {
  bench(
    'bare fetch (same request, JSON parsed)',
    async () => {
      const response = await fetch(bareSide.bare.url, {
        method: 'POST',
        headers: bareSide.bare.headers,
        body: bareSide.bare.body,
      });
      const body = (await response.json()) as { rt_cd?: string };
      if (body.rt_cd !== '0') throw new Error('bare fetch: refused');
    },
    options,
  );

  bench(
    'auth-phase2 transport.request (same request)',
    async () => {
      const response = await transportSide.transport.request({
        method: 'POST',
        path: '/uapi/domestic-stock/v1/trading/order-cash',
        trId: 'VTTC0012U',
        body: transportSide.fields,
      });
      if (!response.ok) throw new Error('transport: refused');
    },
    options,
  );

  bench(
    'adapter.placeOrder',
    async () => {
      await adapterSide.adapter.placeOrder(request);
    },
    options,
  );
});
