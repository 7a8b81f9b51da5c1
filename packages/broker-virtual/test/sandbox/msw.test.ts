// The same REST handling as msw handlers and as a plain fetch-Request handler (no server).
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kisSandboxHandlers } from '../../src/index.js';
import { createSandboxRequestHandler } from '../../src/sandbox/request-handler.js';
import { createFakeExchange } from './fake-exchange.js';
import { account, issueToken, placeOrder, type SandboxLike } from './helpers.js';

// Never leaves the machine even if a handler did not match: 127.0.0.1 port 9 (discard).
const BASE = 'http://127.0.0.1:9';
const exchange = createFakeExchange();
const handler = createSandboxRequestHandler(exchange, {
  environment: 'paper',
  tokenIssueIntervalMs: 0,
  rateLimitPerSecond: null,
});
const PUBLIC_BASE = 'http://127.0.0.1:8';
const publicCredentials = {
  appKey: 'K'.repeat(36),
  appSecret: 'S'.repeat(180),
  account: '50111111-01',
  htsId: 'mswuser',
};
const server = setupServer(
  ...handler.mswHandlers(http, BASE),
  ...kisSandboxHandlers({
    http,
    baseUrl: PUBLIC_BASE,
    environment: 'real',
    credentials: publicCredentials,
  }),
);
const sb: SandboxLike = {
  environment: 'paper',
  baseUrl: BASE,
  wsUrl: '',
  credentials: handler.credentials,
};

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('msw handlers', () => {
  it('serve tokenP and order-cash through msw', async () => {
    const token = await issueToken(sb);
    const reply = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '1',
      ORD_UNPR: '70000',
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ rt_cd: '0', msg_cd: '40600000' });
    expect(reply.headers.get('tr_id')).toBe('VTTC0012U');
    expect(exchange.all()).toHaveLength(1);
  });

  it('turn reset faults into network errors', async () => {
    const token = await issueToken(sb);
    exchange.faults.push({ operation: 'place', fault: { kind: 'reset-after-accept' } });
    await expect(
      placeOrder(sb, token, 'buy', { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '70000' }),
    ).rejects.toThrow();
    expect(exchange.all()).toHaveLength(2);
  });
});

describe('kisSandboxHandlers (public, over a new exchange)', () => {
  it('serves the given credentials on the given base URL', async () => {
    const real: SandboxLike = {
      environment: 'real',
      baseUrl: PUBLIC_BASE,
      wsUrl: '',
      credentials: publicCredentials,
    };
    const token = await issueToken(real);
    const reply = await placeOrder(real, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '1',
      ORD_UNPR: '70000',
    });
    expect(reply.body).toMatchObject({ rt_cd: '0', msg_cd: 'APBK0013' });
  });
});

describe('handleKisRequest', () => {
  it('answers a fetch Request directly', async () => {
    const response = await handler.handleKisRequest(
      new Request('http://sandbox.invalid/uapi/domestic-stock/v1/trading/inquire-balance?CANO=1', {
        headers: { appkey: handler.credentials.appKey, appsecret: 'x' },
      }),
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ rt_cd: '1' });
    expect(account(sb).CANO).toHaveLength(8);
  });
});
