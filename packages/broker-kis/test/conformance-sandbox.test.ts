// The Order Adapter conformance kit against broker-virtual's KIS sandbox, over real HTTP and
// WebSocket on 127.0.0.1, in both environments.
import { startKisSandbox } from '@qts/broker-virtual';
import { ORDER_WINDOWS, seoulDate } from '@qts/order-contract';
import {
  type ConformanceHarness,
  describeOrderAdapterConformance,
} from '@qts/order-contract/testing';
import { kisConnection, sandboxTarget, withinOneTradingDate } from '@qts/test-utils';
import { createKisOrderAdapter } from '../src/index.js';
import { startTcpGate } from './tcp-gate.js';

const SYMBOL = '005930';
const REFERENCE_PRICE = 70_000;
/** A buy limit below the reference price rests. */
const RESTING_PRICE = 69_000;

async function moveClock(
  sandbox: { readonly baseUrl: string; readonly credentials: { readonly appKey: string } },
  at: number | null,
): Promise<void> {
  const response = await fetch(`${sandbox.baseUrl}/qts-sandbox/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', appkey: sandbox.credentials.appKey },
    body: JSON.stringify({ at }),
  });
  if (!response.ok) throw new Error(`sandbox clock: HTTP ${response.status}`);
}

async function createHarness(environment: 'real' | 'paper'): Promise<ConformanceHarness> {
  // Each case places and checks orders on `tradingDate`, fixed here: a case begun in the last
  // seconds before midnight KST would see its order on the next date. Cases take well under 10 s
  // (and must end within vitest's 20 s), so start after midnight when fewer than 10 s remain.
  await withinOneTradingDate(10_000);
  const sandbox = await startKisSandbox({ environment, rateLimitPerSecond: null });
  sandbox.exchange.setReferencePrice(SYMBOL, REFERENCE_PRICE);
  const gate = await startTcpGate(sandbox.baseUrl);
  const { auth, transport } = kisConnection(sandboxTarget(sandbox, { baseUrl: gate.url }), {
    timeoutMs: 2_000,
  });
  const adapter = createKisOrderAdapter({ transport, auth, environment });
  // Tokens live 24 h and are cached: issue one first, so a scripted refusal hits the order
  // request itself (not the token endpoint, which would also be not_placed but via auth).
  await auth.getAccessToken();
  return {
    adapter,
    symbol: SYMBOL,
    limitPrice: RESTING_PRICE,
    tradingDate: seoulDate(),
    placeRequests: async () => {
      // The kit counts requests after the refused attempt, before the next order: reopen then.
      await gate.open();
      return sandbox.faults.requestCount('place');
    },
    scriptNextPlace: async (script) => {
      if (script.kind === 'reject') {
        sandbox.faults.next('place', {
          kind: 'reject',
          code: script.brokerCode,
          message: script.brokerMessage,
        });
      } else if (script.kind === 'timeout-after-accept') {
        sandbox.faults.next('place', { kind: 'never-answer' });
      } else {
        await gate.refuse();
      }
    },
    fill: async (brokerOrderId, quantity, price) => {
      sandbox.exchange.fillPartially(brokerOrderId, quantity, price);
    },
    replayLastNotice: async () => {
      sandbox.faults.nextNotice('duplicate');
    },
    // Off-hours divisions: the sandbox's clock moves (POST /qts-sandbox/clock) to a minute after
    // the start of the division's window, on today's Seoul date (orders stay on that date).
    enterWindow: async (division, venue) => {
      const window = ORDER_WINDOWS.find(
        (candidate) => candidate.venue === venue && candidate.divisions.includes(division),
      );
      if (window === undefined) throw new Error(`no window takes ${division} at ${venue}`);
      const date = seoulDate();
      const at = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${window.start.slice(0, 2)}:${window.start.slice(2, 4)}:00+09:00`;
      await moveClock(sandbox, Date.parse(at) + 60_000);
    },
    leaveWindow: async () => {
      await moveClock(sandbox, null);
    },
    close: async () => {
      await adapter.close();
      await gate.close();
      await sandbox.close();
    },
  };
}

describeOrderAdapterConformance('kis on the KIS sandbox (paper)', () => createHarness('paper'));
describeOrderAdapterConformance('kis on the KIS sandbox (real)', () => createHarness('real'));
