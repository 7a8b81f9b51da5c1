// Real sockets on 127.0.0.1: the not-sent / sent classification the runtime relies on.
import { spawn } from 'node:child_process';
import { createServer as createNetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createKisTransport,
  type KisTransport,
  KisTransportError,
  resolveKisEndpoints,
} from '../src/index.js';
import {
  closedPort,
  fakeAuth,
  listen,
  startHttpServer,
  type TestServer,
  testCredentials,
} from './helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function transportFor(
  baseUrl: string,
  extra: { timeoutMs?: number; connectTimeoutMs?: number } = {},
): KisTransport {
  const endpoints = resolveKisEndpoints('paper', { restBaseUrl: baseUrl });
  return createKisTransport({
    endpoints,
    credentials: testCredentials(),
    auth: fakeAuth(),
    ratePerSecond: null,
    timeoutMs: extra.timeoutMs ?? 1_500,
    ...(extra.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: extra.connectTimeoutMs }),
  });
}

const order = {
  method: 'POST',
  path: '/uapi/domestic-stock/v1/trading/order-cash',
  trId: 'VTTC0012U',
  body: {
    CANO: '50012345',
    ACNT_PRDT_CD: '01',
    PDNO: '005930',
    ORD_DVSN: '00',
    ORD_QTY: '1',
    ORD_UNPR: '70000',
  },
} as const;

async function failure(promise: Promise<unknown>): Promise<KisTransportError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KisTransportError);
  return error as KisTransportError;
}

describe('not sent: the request never reached a server', () => {
  it('connection refused (closed port)', async () => {
    const port = await closedPort();
    const error = await failure(transportFor(`http://127.0.0.1:${port}`).request(order));
    expect(error).toMatchObject({
      phase: 'not-sent',
      reason: 'connection-refused',
      httpStatus: null,
      code: 'KIS_TRANSPORT',
    });
    expect(error.message).toMatch(/not sent/);
  });

  it('DNS failure (.invalid host, resolved locally)', async () => {
    const error = await failure(transportFor('http://qts-test.invalid:18080').request(order));
    expect(error).toMatchObject({ phase: 'not-sent', reason: 'dns' });
  });

  it('aborted before sending', async () => {
    const server = await startHttpServer((_req, res) => res.end('{}'));
    servers.push(server);
    const controller = new AbortController();
    controller.abort();
    const error = await failure(
      transportFor(server.url).request({ ...order, signal: controller.signal }),
    );
    expect(error).toMatchObject({ phase: 'not-sent', reason: 'aborted' });
  });

  it('connect timeout (listen backlog full, SYNs dropped)', async (context) => {
    // Python's socket keeps a listening socket that never accepts; Node always accepts.
    const child = spawn(
      'python3',
      [
        '-c',
        [
          'import socket,sys,time',
          's=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(0)',
          'fill=[]',
          'for i in range(8):',
          '  c=socket.socket(); c.setblocking(False)',
          '  try: c.connect(s.getsockname())',
          '  except BlockingIOError: pass',
          '  fill.append(c)',
          'print(s.getsockname()[1], flush=True)',
          'sys.stdin.read()',
        ].join('\n'),
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    const port = await new Promise<number | null>((resolve) => {
      child.on('error', () => resolve(null));
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    });
    try {
      if (port === null || !Number.isInteger(port)) {
        context.skip();
        return;
      }
      const transport = transportFor(`http://127.0.0.1:${port}`, {
        timeoutMs: 3_000,
        connectTimeoutMs: 300,
      });
      const error = await failure(transport.request(order));
      expect(error).toMatchObject({ phase: 'not-sent', reason: 'connect-timeout' });
      // The whole deadline shorter than the connect timeout: still not-sent (never connected).
      const short = transportFor(`http://127.0.0.1:${port}`, {
        timeoutMs: 200,
        connectTimeoutMs: 2_000,
      });
      const error2 = await failure(short.request(order));
      expect(error2).toMatchObject({ phase: 'not-sent', reason: 'connect-timeout' });
    } finally {
      child.kill();
    }
  });
});

describe('sent: the connection was made, the outcome is unknown', () => {
  it('server accepts and never answers (stall)', async () => {
    const server = await startHttpServer(() => {});
    servers.push(server);
    const error = await failure(
      transportFor(server.url, { timeoutMs: 1_000, connectTimeoutMs: 900 }).request(order),
    );
    expect(error).toMatchObject({ phase: 'sent', reason: 'response-timeout' });
    expect(error.message).toMatch(/unknown/);
  });

  it('server resets the connection mid-request', async () => {
    const server = await startHttpServer((req) => {
      (req.socket as Socket).resetAndDestroy();
    });
    servers.push(server);
    const error = await failure(transportFor(server.url).request(order));
    expect(error).toMatchObject({ phase: 'sent', reason: 'reset' });
  });

  it('server closes the socket without an answer', async () => {
    const server = await startHttpServer((req) => {
      req.socket.destroy();
    });
    servers.push(server);
    const error = await failure(transportFor(server.url).request(order));
    expect(error.phase).toBe('sent');
  });

  it('server sends the headers, then stalls in the body', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"rt_cd":');
    });
    servers.push(server);
    const error = await failure(
      transportFor(server.url, { timeoutMs: 1_000, connectTimeoutMs: 900 }).request(order),
    );
    expect(error).toMatchObject({ phase: 'sent', reason: 'response-timeout' });
  });

  it('server resets in the middle of the body', async () => {
    const server = await startHttpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"rt_cd":');
      setTimeout(() => (req.socket as Socket).resetAndDestroy(), 20);
    });
    servers.push(server);
    const error = await failure(transportFor(server.url).request(order));
    expect(error).toMatchObject({ phase: 'sent', reason: 'reset' });
  });

  it('server answers bytes that are not HTTP (garbage)', async () => {
    const net = createNetServer((socket) => {
      socket.once('data', () => socket.end('GARBAGE \u0000\u0001 not http\r\n\r\n'));
    });
    const server = await listen(net);
    servers.push(server);
    const error = await failure(transportFor(server.url).request(order));
    expect(error).toMatchObject({ phase: 'sent', reason: 'invalid-body' });
  });

  it('HTTP 200 with a body that is not KIS JSON', async () => {
    const server = await startHttpServer((_req, res) => res.end('<html>maintenance</html>'));
    servers.push(server);
    const error = await failure(transportFor(server.url).request(order));
    expect(error).toMatchObject({ phase: 'sent', reason: 'invalid-body', httpStatus: 200 });
  });

  it('HTTP 502 without a KIS body', async () => {
    const server = await startHttpServer((_req, res) => {
      res.statusCode = 502;
      res.end('Bad Gateway');
    });
    servers.push(server);
    const error = await failure(transportFor(server.url).request(order));
    expect(error).toMatchObject({ phase: 'sent', reason: 'http-error', httpStatus: 502 });
  });

  it('caller aborts after the request was written', async () => {
    let arrived: () => void = () => {};
    const written = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = await startHttpServer(() => arrived());
    servers.push(server);
    const controller = new AbortController();
    const pending = transportFor(server.url, { timeoutMs: 5_000 }).request({
      ...order,
      signal: controller.signal,
    });
    await written;
    controller.abort();
    const error = await failure(pending);
    expect(error).toMatchObject({ phase: 'sent', reason: 'aborted' });
  });
});

describe('answers over a real socket', () => {
  it('HTTP 500 with a KIS body is an answer (not thrown), tr_cont exposed', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json; charset=UTF-8', tr_cont: 'D' });
      res.end(
        JSON.stringify({ rt_cd: '1', msg_cd: 'EGW00201', msg1: '초당 거래건수를 초과하였습니다.' }),
      );
    });
    servers.push(server);
    const response = await transportFor(server.url).request(order);
    expect(response).toMatchObject({
      httpStatus: 500,
      ok: false,
      rtCd: '1',
      msgCd: 'EGW00201',
      trCont: 'D',
    });
  });

  it('keep-alive reuse still answers and sends every common header', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const server = await startHttpServer((req, res, body) => {
      seen.push({ ...req.headers, body });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', tr_cont: 'M' });
      res.end(
        JSON.stringify({
          rt_cd: '0',
          msg_cd: 'APBK0013',
          msg1: '주문 전송 완료 되었습니다.  ',
          output: { ODNO: '0000117057' },
        }),
      );
    });
    servers.push(server);
    const transport = transportFor(server.url);
    const first = await transport.request(order);
    const second = await transport.request({ ...order, trCont: 'N' });
    expect(first).toMatchObject({
      ok: true,
      msgCd: 'APBK0013',
      msg1: '주문 전송 완료 되었습니다.',
      trCont: 'M',
    });
    expect(first.body.output).toEqual({ ODNO: '0000117057' });
    expect(second.ok).toBe(true);
    expect(seen[0]).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      appkey: 'PSabcdefghijklmnopqrstuvwxyz01234567',
      tr_id: 'VTTC0012U',
      custtype: 'P',
      tr_cont: '',
    });
    expect(seen[0]?.authorization).toMatch(/^Bearer TOKEN-CANARY/);
    expect(seen[1]?.tr_cont).toBe('N');
    expect(JSON.parse(String(seen[0]?.body))).toEqual(order.body);
  });
});
