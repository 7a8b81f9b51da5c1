// The notice connection against a scripted local WebSocket server on 127.0.0.1.
import type { OrderEvent } from '@qts/order-contract';
import { waitUntil } from '@qts/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { createKisOrderAdapter } from '../src/index.js';
import { createFakeTransport } from './helpers.js';
import { NOTICE_KEY, noticeFrame, noticeRecord } from './notice-fixtures.js';

type Reply = 'ok' | 'no-key' | 'refuse';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function startServer(reply: Reply = 'ok') {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const sockets: WebSocket[] = [];
  const paths: string[] = [];
  const received: string[] = [];
  server.on('connection', (socket, request) => {
    sockets.push(socket);
    paths.push(request.url ?? '');
    socket.on('message', (data) => {
      const text = String(data);
      received.push(text);
      const message = JSON.parse(text) as {
        header: { tr_type?: string };
        body?: { input: { tr_id: string; tr_key: string } };
      };
      if (message.header.tr_type !== '1' || message.body === undefined) return;
      const { tr_id, tr_key } = message.body.input;
      socket.send(
        JSON.stringify({
          header: { tr_id, tr_key, encrypt: reply === 'no-key' ? 'N' : 'Y' },
          body:
            reply === 'refuse'
              ? { rt_cd: '1', msg_cd: 'OPSP8996', msg1: 'ALREADY IN USE appkey' }
              : {
                  rt_cd: '0',
                  msg_cd: 'OPSP0000',
                  msg1: 'SUBSCRIBE SUCCESS',
                  ...(reply === 'ok' ? { output: NOTICE_KEY } : {}),
                },
        }),
      );
    });
  });
  return { url: `ws://127.0.0.1:${port}`, sockets, paths, received };
}

function adapterFor(url: string) {
  return createKisOrderAdapter({
    transport: createFakeTransport([], 'paper'),
    auth: { getApprovalKey: async () => 'secret-approval-key' },
    environment: 'paper',
    webSocketUrl: url,
    clock: () => Date.UTC(2026, 0, 5, 1, 0, 0),
  });
}

const fill = (qty: string) =>
  noticeFrame([
    noticeRecord({ ODER_NO: '0000000042', CNTG_QTY: qty, CNTG_UNPR: '70000', CNTG_YN: '2' }),
  ]);

describe('notice connection', () => {
  it('connects to /tryitout, ignores listener errors and unencrypted frames, and delivers fills', async () => {
    const server = await startServer();
    const adapter = adapterFor(server.url);
    const events: OrderEvent[] = [];
    await adapter.subscribe(() => {
      throw new Error('a bad listener');
    });
    await adapter.subscribe((event) => events.push(event));
    expect(server.paths).toEqual(['/tryitout']);
    const socket = server.sockets[0] as WebSocket;
    socket.send(
      `0|H0STCNI9|001|${noticeRecord({ ODER_NO: '1', CNTG_QTY: '9', CNTG_UNPR: '1', CNTG_YN: '2' })}`,
    );
    socket.send(fill('3'));
    socket.send(fill('2'));
    await waitUntil(() => (events.length >= 2 ? true : undefined), 'two fills');
    expect(
      events.map(
        (event) => event.type === 'order-filled' && [event.brokerOrderId, event.filledQuantity],
      ),
    ).toEqual([
      ['0000000042', 3],
      ['0000000042', 5],
    ]);
    expect(events[0]).toMatchObject({ at: '2026-01-05T10:15:02+09:00' });
    await adapter.close();
  });

  it('reports a lost connection, ends the subscriptions, and a new subscribe opens a new socket', async () => {
    const server = await startServer();
    const adapter = adapterFor(server.url);
    const first: OrderEvent[] = [];
    await adapter.subscribe((event) => first.push(event));
    server.sockets[0]?.terminate();
    await waitUntil(
      () => first.find((event) => event.type === 'connection-lost'),
      'connection-lost',
    );
    const second: OrderEvent[] = [];
    const unsubscribe = await adapter.subscribe((event) => second.push(event));
    expect(server.sockets).toHaveLength(2);
    server.sockets[1]?.send(fill('1'));
    await waitUntil(() => second[0], 'a fill on the new connection');
    expect(first.map((event) => event.type)).toEqual(['connection-lost']);
    await unsubscribe();
    await waitUntil(
      () => (server.received.some((text) => text.includes('"tr_type":"2"')) ? true : undefined),
      'the unsubscribe message',
    );
  });

  it('a subscribe reply without key/iv is INVALID_BROKER_RESPONSE', async () => {
    const server = await startServer('no-key');
    await expect(adapterFor(server.url).subscribe(() => {})).rejects.toMatchObject({
      code: 'INVALID_BROKER_RESPONSE',
    });
  });

  it('a refused subscription keeps the KIS code and never shows the approval key', async () => {
    const server = await startServer('refuse');
    const error = (await adapterFor(server.url)
      .subscribe(() => {})
      .catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({
      name: 'BrokerRejectedError',
      brokerCode: 'OPSP8996',
      brokerMessage: 'ALREADY IN USE appkey',
    });
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('secret-approval-key');
  });

  it('an aborted subscribe is ABORTED', async () => {
    const server = await startServer();
    const controller = new AbortController();
    controller.abort();
    await expect(
      adapterFor(server.url).subscribe(() => {}, { signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'RouteUnavailableError', code: 'ABORTED' });
  });
});
