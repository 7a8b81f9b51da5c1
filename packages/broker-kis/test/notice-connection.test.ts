// The notice connection against a scripted local WebSocket server on 127.0.0.1.
import { createCipheriv } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { OrderEvent } from '@qts/order-contract';
import { waitUntil } from '@qts/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { createKisOrderAdapter } from '../src/index.js';
import { createFakeTransport } from './helpers.js';
import { encrypt, NOTICE_KEY, noticeFrame, noticeRecord } from './notice-fixtures.js';

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

/** An adapter whose sockets are FakeSockets the test drives, with the given clock. */
function adapterOnFakeSockets(clock: () => number) {
  const sockets: FakeSocket[] = [];
  const adapter = createKisOrderAdapter({
    transport: createFakeTransport([], 'paper'),
    auth: { getApprovalKey: async () => 'secret-approval-key' },
    environment: 'paper',
    webSocketUrl: 'ws://127.0.0.1:1',
    webSocketFactory: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
    clock,
  });
  return { adapter, sockets };
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

  it('frames that arrive in one read are delivered in order, each as if alone; a bad one is dropped alone', async () => {
    const server = await startServer();
    const adapter = adapterFor(server.url);
    const events: OrderEvent[] = [];
    await adapter.subscribe((event) => events.push(event));
    const socket = server.sockets[0] as WebSocket;
    const raw = (socket as unknown as { _socket: Socket })._socket;
    const fillAt = (k: number) =>
      noticeFrame([
        noticeRecord({
          ODER_NO: '0000000042',
          CNTG_QTY: '1',
          CNTG_UNPR: String(70_000 + k),
          CNTG_YN: '2',
          ODER_QTY: '200',
        }),
      ]);
    const otherKey = createCipheriv(
      'aes-256-cbc',
      Buffer.from('zyxwvutsrqponmlkjihgfedcba543210'),
      Buffer.from(NOTICE_KEY.iv),
    );
    const undecryptable = `1|H0STCNI9|001|${Buffer.concat([otherKey.update('a^b'), otherKey.final()]).toString('base64')}`;
    const sent: number[] = [];
    // 1: 60 frames in one write (one read on the client), with what must be dropped among them;
    // 2: 60 more, one write each, a turn of the event loop apart.
    raw.cork();
    for (let k = 1; k <= 60; k += 1) {
      if (k === 7) socket.send(undecryptable);
      if (k === 20)
        socket.send(
          `0|H0STCNI9|001|${noticeRecord({ ODER_NO: '42', CNTG_QTY: '9', CNTG_UNPR: '1', CNTG_YN: '2' })}`,
        );
      if (k === 33) socket.send(`1|H0STCNI9|001|${encrypt('only^three^fields')}`);
      if (k === 41) socket.send(fillAt(1_000).replace('H0STCNI9', 'H0STCNI0'));
      if (k === 50) socket.send('{"header":{"tr_id":"PINGPONG","datetime":"20260105101502"}}');
      socket.send(fillAt(k));
      sent.push(k);
    }
    process.nextTick(() => raw.uncork());
    await waitUntil(() => (events.length >= 60 ? true : undefined), '60 fills');
    for (let k = 61; k <= 120; k += 1) {
      socket.send(fillAt(k));
      sent.push(k);
      await new Promise((done) => setImmediate(done));
    }
    await waitUntil(() => (events.length >= 120 ? true : undefined), '120 fills');
    const fills = events.flatMap((event) =>
      event.type === 'order-filled' ? [[event.lastPrice, event.filledQuantity]] : [],
    );
    expect(fills).toEqual(sent.map((k, index) => [70_000 + k, index + 1]));
    expect(events).toHaveLength(120);
    // the PINGPONG among the frames was answered
    await waitUntil(
      () => (server.received.some((text) => text.includes('PINGPONG')) ? true : undefined),
      'the PINGPONG echo',
    );
    await adapter.close();
  });

  it('a notice received right before the socket closes is reported before the loss', async () => {
    const { adapter, sockets } = adapterOnFakeSockets(() => Date.UTC(2026, 0, 5, 1, 0, 0));
    const events: OrderEvent[] = [];
    await adapter.subscribe((event) => events.push(event));
    const socket = sockets[0] as FakeSocket;
    // both in one turn of the event loop, as when one read carries the frame and the close
    socket.emit('message', Buffer.from(fill('3')), false);
    socket.emit('message', Buffer.from(fill('2')), false);
    socket.readyState = 3;
    socket.emit('close', 1006, Buffer.from(''));
    await waitUntil(
      () => events.find((event) => event.type === 'connection-lost'),
      'connection-lost',
    );
    expect(events.map((event) => event.type)).toEqual([
      'order-filled',
      'order-filled',
      'connection-lost',
    ]);
  });

  it('a hand-over that throws while the socket closes still reports the loss, and a new subscribe reconnects', async () => {
    let invalidOnce = false;
    // an invalid clock at the notice makes the adapter's hand-over throw (no date for it)
    const { adapter, sockets } = adapterOnFakeSockets(() => {
      if (invalidOnce) {
        invalidOnce = false;
        return Number.NaN;
      }
      return Date.UTC(2026, 0, 5, 1, 0, 0);
    });
    const events: OrderEvent[] = [];
    await adapter.subscribe((event) => events.push(event));
    const socket = sockets[0] as FakeSocket;
    invalidOnce = true;
    socket.emit('message', Buffer.from(fill('3')), false);
    socket.readyState = 3;
    expect(() => socket.emit('close', 1006, Buffer.from(''))).toThrow(RangeError);
    expect(events.map((event) => event.type)).toEqual(['connection-lost']);
    const again: OrderEvent[] = [];
    await adapter.subscribe((event) => again.push(event));
    expect(sockets).toHaveLength(2);
    (sockets[1] as FakeSocket).emit('message', Buffer.from(fill('2')), false);
    await waitUntil(() => again[0], 'a fill on the new connection');
  });

  it('dates each notice by the clock at its arrival: across Seoul midnight and a clock moved back', async () => {
    // 2026-01-05 23:59:59.999 KST
    let now = Date.UTC(2026, 0, 5, 14, 59, 59, 999);
    const { adapter, sockets } = adapterOnFakeSockets(() => now);
    const events: OrderEvent[] = [];
    await adapter.subscribe((event) => events.push(event));
    const socket = sockets[0] as FakeSocket;
    const fillAt = (price: string, time: string) =>
      noticeFrame([
        noticeRecord({
          ODER_NO: '0000000042',
          CNTG_QTY: '1',
          CNTG_UNPR: price,
          CNTG_YN: '2',
          STCK_CNTG_HOUR: time,
        }),
      ]);
    const deliver = async (frame: string) => {
      const before = events.length;
      socket.emit('message', Buffer.from(frame), false);
      await waitUntil(() => (events.length > before ? true : undefined), 'a fill');
    };
    await deliver(fillAt('70000', '235959'));
    now += 1; // 2026-01-06 00:00:00.000 KST
    await deliver(fillAt('70100', '000000'));
    now = Date.UTC(2026, 0, 5, 3, 0, 0); // moved back: 2026-01-05 12:00 KST
    await deliver(fillAt('70200', '120000'));
    now = Date.UTC(2026, 0, 7, 15, 0, 0); // 2026-01-08 00:00 KST, two days on
    await deliver(fillAt('70300', '000001'));
    expect(events.map((event) => event.at)).toEqual([
      '2026-01-05T23:59:59+09:00',
      '2026-01-06T00:00:00+09:00',
      '2026-01-05T12:00:00+09:00',
      '2026-01-08T00:00:01+09:00',
    ]);
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

/** A WebSocket stand-in that answers the subscribe with the key and is driven by the test. */
class FakeSocket extends EventEmitter {
  readyState = 0;
  constructor() {
    super();
    setImmediate(() => {
      this.readyState = 1;
      this.emit('open');
    });
  }
  send(text: string): void {
    const message = JSON.parse(text) as { body?: { input: { tr_id: string } } };
    if (message.body === undefined || !text.includes('"tr_type":"1"')) return;
    const reply = JSON.stringify({
      header: { tr_id: message.body.input.tr_id, encrypt: 'Y' },
      body: { rt_cd: '0', msg_cd: 'OPSP0000', msg1: 'SUBSCRIBE SUCCESS', output: NOTICE_KEY },
    });
    setImmediate(() => this.emit('message', Buffer.from(reply), false));
  }
  close(): void {
    this.readyState = 3;
    setImmediate(() => this.emit('close', 1000, Buffer.from('')));
  }
  terminate(): void {
    this.close();
  }
}
