// Beyond the conformance kit, against broker-virtual's KIS sandbox over real HTTP / WebSocket.
import { type KisSandbox, startKisSandbox } from '@qts/broker-virtual';
import { type OrderEvent, type OrderRequest, seoulDate } from '@qts/order-contract';
import { kisConnection, sandboxTarget, waitUntil, withinOneTradingDate } from '@qts/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createKisOrderAdapter, type KisOrderAdapter } from '../src/index.js';
import { createFakeTransport } from './helpers.js';

const open: { sandbox: KisSandbox; adapter: KisOrderAdapter }[] = [];

afterEach(async () => {
  for (const { adapter, sandbox } of open.splice(0)) {
    await adapter.close();
    await sandbox.close();
  }
});

async function setup(
  environment: 'real' | 'paper',
  options: { pingIntervalMs?: number; approvalKey?: string; htsId?: string } = {},
) {
  const sandbox = await startKisSandbox({
    environment,
    rateLimitPerSecond: null,
    ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
  });
  sandbox.exchange.setReferencePrice('005930', 70_000);
  const { auth, transport } = kisConnection(
    sandboxTarget(sandbox, options.htsId === undefined ? {} : { htsId: options.htsId }),
    { timeoutMs: 2_000 },
  );
  const sent: string[] = [];
  const approval =
    options.approvalKey === undefined
      ? auth
      : { getApprovalKey: async () => options.approvalKey as string };
  const adapter = createKisOrderAdapter({
    transport,
    auth: approval,
    environment,
    webSocketFactory: (url) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      const send = socket.send.bind(socket);
      socket.send = ((data: string) => {
        sent.push(String(data));
        send(data);
      }) as typeof socket.send;
      return socket;
    },
  });
  open.push({ sandbox, adapter });
  return { sandbox, adapter, sent };
}

const order: OrderRequest = {
  clientOrderId: 's1',
  symbol: '005930',
  side: 'buy',
  quantity: 10,
  type: 'limit',
  limitPrice: 69_000,
};

describe.each(['paper', 'real'] as const)('against the KIS sandbox (%s)', (environment) => {
  it('modifies an order; inquiry links the modify to the original', async () => {
    await withinOneTradingDate(); // a day order and its modify belong to one trading date
    const { adapter } = await setup(environment);
    const ack = await adapter.placeOrder(order);
    const modifyAck = await adapter.modifyOrder(
      {
        ...order,
        brokerOrderId: ack.brokerOrderId,
        brokerBranch: ack.brokerBranch,
        limitPrice: 69_000,
        tradingDate: ack.tradingDate,
      },
      { limitPrice: 68_900 },
    );
    expect(modifyAck.originalBrokerOrderId).toBe(ack.brokerOrderId);
    const orders = await adapter.getOrders({ tradingDate: ack.tradingDate });
    expect(orders.find((o) => o.brokerOrderId === modifyAck.brokerOrderId)).toMatchObject({
      kind: 'modify',
      originalBrokerOrderId: ack.brokerOrderId,
      limitPrice: 68_900,
      remainingQuantity: 10,
    });
    const openOrders = await adapter.getOrders({ tradingDate: ack.tradingDate, openOnly: true });
    expect(openOrders.map((o) => o.brokerOrderId)).toEqual([modifyAck.brokerOrderId]);
  }, 150_000);

  it('pages daily-ccld to the end', async () => {
    // 17 orders of one trading date (more than a paper page of 15): not across midnight KST
    await withinOneTradingDate();
    const { adapter } = await setup(environment);
    const dates = new Set<string>();
    for (let i = 0; i < 17; i += 1) {
      const ack = await adapter.placeOrder({ ...order, clientOrderId: `p${i}`, quantity: 1 });
      dates.add(ack.tradingDate);
    }
    expect([...dates]).toHaveLength(1);
    const orders = await adapter.getOrders({ tradingDate: [...dates][0] as string });
    expect(orders).toHaveLength(17);
    expect(new Set(orders.map((o) => o.brokerOrderId)).size).toBe(17);
  }, 150_000);

  it('reads the balance', async () => {
    const { adapter } = await setup(environment);
    const balance = await adapter.getBalance();
    expect(balance.cash.currency).toBe('KRW');
    expect(balance.cash.deposit).toBeGreaterThan(0);
    expect(balance.cash.orderable).toBeGreaterThan(0);
    expect(balance.positions).toEqual([]);
  });

  it('reads the buying power of a symbol at a limit price and at market', async () => {
    const { adapter } = await setup(environment);
    const balance = await adapter.getBalance();
    const limit = await adapter.getBuyingPower('005930', 69_000);
    expect(limit).toMatchObject({ unitPrice: 69_000, orderableCash: balance.cash.orderable });
    expect(limit.quantity).toBe(Math.floor(balance.cash.orderable / 69_000));
    const market = await adapter.getBuyingPower('005930', null);
    // At market KIS sizes at the upper limit (reference 70,000 + 30 %).
    expect(market.unitPrice).toBe(91_000);
    expect(market.quantity).toBeLessThan(limit.quantity);
  });

  it("the sandbox's accept-then-drop fault is unknown (the connection was made), after one send", async () => {
    const { adapter, sandbox } = await setup(environment);
    await adapter.getOrders({ tradingDate: seoulDate() }); // token + connection warm
    sandbox.faults.next('place', { kind: 'reset-after-accept' });
    await expect(adapter.placeOrder(order)).rejects.toMatchObject({
      name: 'OutcomeUnknownError',
      outcome: 'unknown',
    });
    expect(sandbox.faults.requestCount('place')).toBe(1);
  });

  it('a refused cancel keeps the code; a cancel that is never answered is unknown after one send', async () => {
    const { adapter, sandbox } = await setup(environment);
    const ack = await adapter.placeOrder(order);
    const ref = {
      ...order,
      brokerOrderId: ack.brokerOrderId,
      brokerBranch: ack.brokerBranch,
      limitPrice: 69_000,
      tradingDate: ack.tradingDate,
    };
    sandbox.faults.next('cancel', {
      kind: 'reject',
      code: 'QTST0001',
      message: 'a scripted refusal (test code, not a KIS one)',
    });
    await expect(adapter.cancelOrder(ref)).rejects.toMatchObject({
      name: 'BrokerRejectedError',
      code: 'BROKER_REJECTED',
      brokerCode: 'QTST0001',
      brokerMessage: 'a scripted refusal (test code, not a KIS one)',
    });
    const before = sandbox.faults.requestCount('cancel');
    sandbox.faults.next('cancel', { kind: 'never-answer' });
    await expect(adapter.cancelOrder(ref)).rejects.toMatchObject({ name: 'OutcomeUnknownError' });
    expect(sandbox.faults.requestCount('cancel') - before).toBe(1);
  });

  it('answers PINGPONG by echoing the text and stays connected', async () => {
    const { adapter, sent } = await setup(environment, { pingIntervalMs: 250 });
    const events: OrderEvent[] = [];
    const unsubscribe = await adapter.subscribe((event) => events.push(event));
    await waitUntil(
      () => (sent.filter((text) => text.includes('PINGPONG')).length >= 3 ? true : undefined),
      'three PINGPONG echoes',
    );
    const echo = sent.find((text) => text.includes('PINGPONG')) ?? '';
    expect(JSON.parse(echo)).toEqual({
      header: { tr_id: 'PINGPONG', datetime: expect.stringMatching(/^\d{14}$/) },
    });
    expect(events.filter((event) => event.type === 'connection-lost')).toEqual([]);
    await unsubscribe();
  });

  it('subscribes with the HTS id and reports a lost connection as an event', async () => {
    const { adapter, sandbox, sent } = await setup(environment);
    const events: OrderEvent[] = [];
    await adapter.subscribe((event) => events.push(event));
    const subscribeMessage = JSON.parse(sent[0] ?? '{}') as {
      header: Record<string, string>;
      body: { input: Record<string, string> };
    };
    expect({
      ...subscribeMessage,
      header: { ...subscribeMessage.header, approval_key: '[approval key]' },
    }).toEqual({
      header: {
        approval_key: '[approval key]',
        custtype: 'P',
        tr_type: '1',
        'content-type': 'utf-8',
      },
      body: {
        input: {
          tr_id: environment === 'real' ? 'H0STCNI0' : 'H0STCNI9',
          tr_key: sandbox.credentials.htsId,
        },
      },
    });
    const ack = await adapter.placeOrder(order);
    await waitUntil(
      () => events.find((event) => event.type === 'order-accepted'),
      'the receipt notice',
    );
    expect(events[0]).toMatchObject({
      type: 'order-accepted',
      brokerOrderId: ack.brokerOrderId,
      symbol: '005930',
      side: 'buy',
      quantity: 10,
      source: 'notice',
    });
    await sandbox.close();
    const lost = await waitUntil(
      () => events.find((event) => event.type === 'connection-lost'),
      'a connection-lost event',
    );
    expect(lost).toMatchObject({ type: 'connection-lost', reason: expect.any(String) });
  });

  it('a wrong HTS id: KIS drops the socket, the subscribe fails as RouteUnavailableError naming the HTS id', async () => {
    const { adapter } = await setup(environment, { htsId: 'not-my-hts-id' });
    const error = await adapter.subscribe(() => {}).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'RouteUnavailableError', outcome: 'not_placed' });
    expect(String((error as Error).message)).toContain('HTS id');
  });

  it('a refused subscription is a BrokerRejectedError; the approval key is not in the error', async () => {
    const { adapter } = await setup(environment, { approvalKey: 'not-a-valid-approval-key' });
    const error = await adapter.subscribe(() => {}).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'BrokerRejectedError', outcome: 'rejected' });
    expect(JSON.stringify(error)).not.toContain('not-a-valid-approval-key');
    expect(String((error as Error).message)).not.toContain('not-a-valid-approval-key');
  });
});

describe('subscribe without an HTS id', () => {
  it('is a ConfigError and asks for no approval key', async () => {
    let asked = 0;
    const adapter = createKisOrderAdapter({
      transport: createFakeTransport([], 'paper', null),
      auth: {
        getApprovalKey: async () => {
          asked += 1;
          return 'k';
        },
      },
      environment: 'paper',
    });
    await expect(adapter.subscribe(() => {})).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'CONFIG',
    });
    expect(asked).toBe(0);
  });

  it('a WebSocket that cannot connect is RouteUnavailableError', async () => {
    const adapter = createKisOrderAdapter({
      transport: createFakeTransport([], 'paper'),
      auth: { getApprovalKey: async () => 'k' },
      environment: 'paper',
      webSocketUrl: 'ws://127.0.0.1:1',
    });
    await expect(adapter.subscribe(() => {})).rejects.toMatchObject({
      name: 'RouteUnavailableError',
      outcome: 'not_placed',
    });
  });
});
