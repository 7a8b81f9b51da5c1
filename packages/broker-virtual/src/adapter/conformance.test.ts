import {
  type BrokerPlaceScript,
  describeOrderAdapterConformance,
} from '@qts/order-contract/testing';
import { createVirtualExchange } from '../core/exchange.js';
import type { VirtualFault } from '../core/types.js';
import { createVirtualOrderAdapter } from './virtual-order-adapter.js';

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

describeOrderAdapterConformance('virtual (in-process)', async () => {
  const exchange = createVirtualExchange({ clock: () => WED_10_KST });
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
    close: async () => {
      await adapter.close();
      exchange.close();
    },
  };
});
