// Cost of a request with a cached token: (1) the whole client side against a fetch that answers
// at once (token from memory, pacing off, headers, ky, envelope parsing); (2) one full request
// over a real socket to a local node:http server (keep-alive).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import {
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  createMemoryTokenCache,
  type KisTransport,
  resolveKisEndpoints,
} from '../src/index.js';

const credentials = createKisCredentials({
  appKey: 'PSabcdefghijklmnopqrstuvwxyz01234567',
  appSecret: 'bench-secret-'.padEnd(180, 'x'),
  account: '50012345-01',
});
const answer = JSON.stringify({
  rt_cd: '0',
  msg_cd: 'APBK0013',
  msg1: '주문 전송 완료 되었습니다.',
  output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000117057', ORD_TMD: '121052' },
});
const kstIn24h = new Date(Date.now() + 33 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
const tokenBody = JSON.stringify({
  access_token: 'bench-token',
  token_type: 'Bearer',
  expires_in: 86400,
  access_token_token_expired: kstIn24h,
});
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

function transportWith(baseUrl: string, fetch?: typeof globalThis.fetch): KisTransport {
  const endpoints = resolveKisEndpoints('paper', { restBaseUrl: baseUrl });
  const auth = createKisAuth({
    endpoints,
    credentials,
    tokenCache: createMemoryTokenCache(),
    ...(fetch ? { fetch } : {}),
  });
  return createKisTransport({
    endpoints,
    credentials,
    auth,
    ratePerSecond: null,
    ...(fetch ? { fetch } : {}),
  });
}

const instantFetch = async (input: Request | URL | string): Promise<Response> => {
  const url = input instanceof Request ? input.url : String(input);
  return new Response(url.endsWith('/oauth2/tokenP') ? tokenBody : answer, {
    status: 200,
    headers: { 'content-type': 'application/json', tr_cont: '' },
  });
};

let inMemory: KisTransport;
let overSocket: KisTransport;
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', tr_cont: '' });
    response.end(request.url === '/oauth2/tokenP' ? tokenBody : answer);
  });
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  inMemory = transportWith('http://kis-bench.test', instantFetch);
  overSocket = transportWith(`http://127.0.0.1:${port}`);
  await inMemory.request(order); // issues and caches the token
  await overSocket.request(order);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('KIS transport, cached token', () => {
  bench(
    'request build + parse (instant fetch, no socket)',
    async () => {
      await inMemory.request(order);
    },
    { time: 3_000, warmupTime: 1_000 },
  );
  bench(
    'full request over 127.0.0.1 (undici, keep-alive)',
    async () => {
      await overSocket.request(order);
    },
    { time: 3_000, warmupTime: 1_000 },
  );
});
