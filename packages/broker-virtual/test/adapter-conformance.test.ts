import { ORDER_WINDOWS } from '@qts/order-contract';
import {
  type BrokerPlaceScript,
  describeOrderAdapterConformance,
} from '@qts/order-contract/testing';
import { createVirtualOrderAdapter } from '../src/adapter/virtual-order-adapter.js';
import { createVirtualExchange } from '../src/core/exchange.js';
import type { VirtualFault } from '../src/core/types.js';

// Wednesday 2026-11-25 10:00 KST: a fixed clock, so the trading date is fixed too.
const WED_10_KST = Date.UTC(2026, 10, 25, 1, 0, 0);

function faultOf(script: BrokerPlaceScript): VirtualFault {
  switch (script.kind) {
    case 'reject':
      return { kind: 'reject', code: script.brokerCode, message: script.brokerMessage };
    case 'timeout-after-accept':
      return { kind: 'never-answer' };
    case 'refuse-connection':
      return { kind: 'refuse-connection' };
  }
}

/** An instant on the same trading day at `hhmmss` KST. */
function kstAt(hhmmss: string): number {
  const [h, m, s] = [hhmmss.slice(0, 2), hhmmss.slice(2, 4), hhmmss.slice(4, 6)].map(Number);
  return Date.UTC(2026, 10, 25, (h ?? 0) - 9, m ?? 0, s ?? 0);
}

describeOrderAdapterConformance('virtual (in-process)', async () => {
  // Session rules on: the off-hours divisions are placed only after enterWindow moves the clock.
  let now = WED_10_KST;
  const exchange = createVirtualExchange({ clock: () => now, sessionRules: true });
  // The kit's buy at 69,000 must rest: the reference price sits above it.
  exchange.setReferencePrice('005930', 70_000);
  const adapter = createVirtualOrderAdapter({ exchange });
  return {
    adapter,
    symbol: '005930',
    limitPrice: 69_000,
    tradingDate: exchange.tradingDate(),
    waitTimeoutMs: 2_000,
    placeRequests: async () => exchange.faults.requestCount('place'),
    scriptNextPlace: async (script) => exchange.faults.next('place', faultOf(script)),
    fill: async (brokerOrderId, quantity, price) => {
      exchange.fillPartially(brokerOrderId, quantity, price);
    },
    replayLastNotice: async () => {
      exchange.replayLastEvent();
    },
    enterWindow: async (division, venue) => {
      const window = ORDER_WINDOWS.find((w) => w.venue === venue && w.divisions.includes(division));
      if (window === undefined) throw new Error(`${venue} never takes ${division}`);
      now = kstAt(window.start);
    },
    leaveWindow: async () => {
      now = WED_10_KST;
    },
    close: async () => {
      await adapter.close();
      exchange.close();
    },
  };
});
