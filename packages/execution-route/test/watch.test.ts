import { afterEach, describe, expect, it } from 'vitest';
import type { WatchStatus } from '../src/index.js';
import { BUY, makeRig, type Rig } from './helpers/setup.js';

let rig: Rig;
afterEach(() => rig?.close());

function instantSleep(delays: number[]) {
  return async (ms: number, _signal: AbortSignal) => {
    delays.push(ms);
    await new Promise((r) => setImmediate(r));
  };
}

/** Lets the watch loop run (1000 turns of the event loop, no timer) until `check` holds. */
async function until(check: () => boolean, what = 'the awaited condition') {
  for (let i = 0; i < 1000 && !check(); i += 1) await new Promise((r) => setImmediate(r));
  expect(check(), what).toBe(true);
}

describe('watch', () => {
  it('applies notices idempotently, keeps strays aside, and never sends anything', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { order } = await rig.route.submit(BUY);
    const ac = new AbortController();
    const states: WatchStatus['state'][] = [];
    const watching = rig.route.watch({ signal: ac.signal, onStatus: (s) => states.push(s.state) });
    await until(() => rig.broker.listeners() === 1);
    rig.broker.fill(order.brokerOrderId!, 4, 70000);
    rig.broker.replayLast();
    rig.broker.emit({
      type: 'order-filled',
      brokerOrderId: '0000009999',
      symbol: '005930',
      side: 'buy',
      filledQuantity: 1,
      averagePrice: 1,
      lastQuantity: 1,
      lastPrice: 1,
      at: '2026-11-25T01:00:00.000Z',
      source: 'notice',
    });
    expect(rig.route.order(order.orderId)).toMatchObject({
      status: 'partially_filled',
      filledQuantity: 4,
    });
    expect(rig.route.strays()).toHaveLength(1);
    const requests = rig.broker.requests();
    ac.abort();
    await watching;
    expect(rig.broker.listeners()).toBe(0);
    expect(rig.broker.requests()).toBe(requests);
    expect(states).toEqual(['connecting', 'listening', 'stopped']);
  });

  it('reconnects with exponential backoff and catches up by inquiry', async () => {
    const delays: number[] = [];
    let duringLastWait = () => {};
    const sleep = instantSleep(delays);
    rig = makeRig({
      route: {
        sleep: async (ms, signal) => {
          if (ms === 4000) duringLastWait();
          await sleep(ms, signal);
        },
      },
    });
    const { order } = await rig.route.submit(BUY);
    const ac = new AbortController();
    const states: string[] = [];
    const sources: string[] = [];
    const watching = rig.route.watch({
      signal: ac.signal,
      onStatus: (s) => states.push(s.state),
      onEvent: (event) => {
        if (event.type === 'order-filled') sources.push(event.source);
      },
    });
    await until(() => rig.broker.listeners() === 1);
    rig.broker.failSubscribes(3);
    rig.broker.loseConnection();
    // The order fills during the last wait: after the last poll of the outage, before the
    // subscription that succeeds. Its notice is lost; only the catch-up inquiry can see it.
    duringLastWait = () => rig.broker.fill(order.brokerOrderId ?? '', 10, 70000);
    await until(() => states.filter((s) => s === 'listening').length === 2);
    await until(
      () => rig.route.order(order.orderId)?.status === 'filled',
      'the fill missed during the outage is applied by the catch-up inquiry',
    );
    expect(rig.route.order(order.orderId)).toMatchObject({ filledQuantity: 10 });
    expect(sources).toEqual(['inquiry']);
    expect(delays).toEqual([500, 1000, 2000, 4000]);
    expect(states).toEqual([
      'connecting',
      'listening',
      'reconnecting',
      'connecting',
      'polling',
      'connecting',
      'polling',
      'connecting',
      'polling',
      'connecting',
      'listening',
    ]);
    rig.broker.loseConnection();
    await until(() => states.filter((s) => s === 'listening').length === 3);
    expect(delays.at(-1)).toBe(500); // backoff resets after a good connection
    ac.abort();
    await watching;
    expect(states.at(-1)).toBe('stopped');
  });

  it('a fill missed during an outage is applied by the catch-up inquiry', async () => {
    const delays: number[] = [];
    rig = makeRig({ route: { sleep: instantSleep(delays) } });
    const { order } = await rig.route.submit(BUY);
    const ac = new AbortController();
    const watching = rig.route.watch({ signal: ac.signal });
    await until(() => rig.broker.listeners() === 1);
    rig.broker.loseConnection();
    await until(() => rig.broker.listeners() === 0);
    rig.broker.fill(order.brokerOrderId!, 10, 70000); // no listener: the notice is lost
    await until(
      () => rig.route.order(order.orderId)?.status === 'filled',
      'the fill missed during the outage is applied by an inquiry',
    );
    expect(rig.route.order(order.orderId)).toMatchObject({ filledQuantity: 10 });
    ac.abort();
    await watching;
    expect(rig.broker.listeners()).toBe(0);
  });

  it('polls getOrders when the adapter has no notices', async () => {
    const delays: number[] = [];
    rig = makeRig({ notices: false, route: { sleep: instantSleep(delays) } });
    const { order } = await rig.route.submit(BUY);
    rig.broker.fill(order.brokerOrderId!, 5, 70000);
    const ac = new AbortController();
    const watching = rig.route.watch({ signal: ac.signal, pollIntervalMs: 2000 });
    await until(() => rig.route.order(order.orderId)?.filledQuantity === 5);
    ac.abort();
    await watching;
    expect(delays.every((d) => d === 2000)).toBe(true);
    expect(rig.broker.requests()).toBe(1);
  });

  it('stops promptly on abort with the real timers (nothing left waiting)', async () => {
    rig = makeRig({ notices: false });
    const ac = new AbortController();
    const watching = rig.route.watch({ signal: ac.signal, pollIntervalMs: 3_600_000 });
    await new Promise((r) => setImmediate(r));
    ac.abort();
    await watching;
    const handles = (
      process as unknown as { getActiveResourcesInfo(): string[] }
    ).getActiveResourcesInfo();
    expect(handles.filter((h) => h === 'Timeout').length).toBeLessThanOrEqual(1);
  });
});

describe('notices that arrive before the answer', () => {
  it('a fill notice for a number not yet bound is kept aside and applied once the ack binds it', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const inner = rig.broker.adapter.placeOrder;
    rig.broker.adapter.placeOrder = async (request, options) => {
      const ack = await inner(request, options);
      rig.broker.fill(ack.brokerOrderId, 4, 70000); // notice before the route has the ack
      return ack;
    };
    const ac = new AbortController();
    const watching = rig.route.watch({ signal: ac.signal });
    await until(() => rig.broker.listeners() === 1);
    const { order } = await rig.route.submit(BUY);
    expect(order).toMatchObject({ status: 'partially_filled', filledQuantity: 4 });
    expect(rig.route.strays()).toEqual([]);
    ac.abort();
    await watching;
  });
});

describe('changes found by inquiry are reported like notices', () => {
  it('a fill that happened before the watch started is reported (source inquiry)', async () => {
    const delays: number[] = [];
    rig = makeRig({ route: { sleep: instantSleep(delays) } });
    const { order } = await rig.route.submit(BUY);
    rig.broker.fill(order.brokerOrderId!, 10, 70000); // nobody listening yet
    const seen: string[] = [];
    const ac = new AbortController();
    const watching = rig.route.watch({
      signal: ac.signal,
      onEvent: (event, o) =>
        seen.push(`${event.type}:${'source' in event ? event.source : ''}:${o?.orderId ?? '-'}`),
    });
    await until(() => seen.length > 0);
    expect(seen).toEqual([`order-filled:inquiry:${order.orderId}`]);
    expect(rig.route.order(order.orderId)?.status).toBe('filled');
    ac.abort();
    await watching;
  });
});
